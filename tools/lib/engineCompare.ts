/**
 * The lifecycle emulation (engine.ts) held against the real engine's runs: both sides' plans
 * as `name: op` lines and the commands each says run, for tests/engine and `npm run rehearse`.
 * Where the two differ, the real engine is right.
 */
import { PROJECT_NAME } from "../../config/keys";
import { build } from "../../program";
import { Deployment, ResourceState, StackState, deploy } from "./engine";
import { DEFAULT_INVOKES } from "../../commands/lib/mockState";
import { DYNAMIC_PROVIDERS } from "../../commands/lib/planEvaluation";
import { EngineStep } from "./realEngine";

/** A stack's config: plain values and secret values, keyed as in a stack file. */
export interface StackValues {
  readonly plain?: Readonly<Record<string, string>>;
  readonly secret?: Readonly<Record<string, string>>;
}

/**
 * Steps the real engine takes that the emulation does not model: default providers. The
 * resources of packages that need no credentials (random, tls, command) and the dynamic
 * rebuild guard use the engine's default provider of their package (`default`, or
 * `default_<version>` for a resource given a version), which the first up creates. The
 * dynamic provider's default provider is given the whole stack config as its inputs, so the
 * real engine updates it on every config change. None of them replaces or runs anything.
 */
export function knownDifference(s: EngineStep): boolean {
  return s.type.startsWith("pulumi:providers:") && /^default(_\d+_\d+_\d+)?$/.test(s.name) && (s.op === "create" || s.op === "update" || s.op === "delete");
}

/** `name: op` of every resource a run changes, the stack left out; sorted, since parallel steps have no order. */
export function emulatedPlan(d: Deployment): string[] {
  return d.steps.filter((s) => s.op !== "same" && s.type !== "pulumi:pulumi:Stack").map((s) => `${s.name}: ${s.op}`).sort();
}

export function realPlan(steps: readonly EngineStep[]): string[] {
  return steps
    .filter((s) => s.op !== "same" && s.type !== "pulumi:pulumi:Stack")
    .filter((s) => !knownDifference(s))
    .map((s) => `${s.name}: ${s.op}`)
    .sort();
}

/** The commands the emulation says a run runs: `name: create|update|delete`, sorted. */
export function emulatedRuns(d: Deployment): string[] {
  const runs: string[] = [];
  for (const s of d.steps) {
    if (s.runs) runs.push(`${s.name}: ${s.runs}`);
    if (s.runsOldDelete) runs.push(`${s.name}: delete`);
  }
  return runs.sort();
}

/**
 * One `pulumi up` of the real program as the emulation runs it, after `prior` (the state an
 * earlier up left), or as a first deployment.
 */
export function emulatedUp(values: StackValues, options: { prior?: StackState; replace?: string[]; stack?: string } = {}): Promise<Deployment> {
  return deploy(() => build({}), {
    project: PROJECT_NAME,
    stack: options.stack ?? "test",
    config: { ...values.plain, ...values.secret },
    secretKeys: Object.keys(values.secret ?? {}),
    invokes: DEFAULT_INVOKES,
    prior: options.prior,
    replace: options.replace,
    dynamicProviders: DYNAMIC_PROVIDERS,
  });
}

/**
 * The state a failed `pulumi up` leaves, as the engine keeps it: the resources whose step
 * succeeded hold the new state, the others (the failed one, and those never reached) the old.
 */
export function stateAfterFailure(prior: StackState | undefined, attempted: Deployment, succeeded: ReadonlySet<string>): StackState {
  const state = new Map<string, ResourceState>();
  for (const [urn, r] of attempted.state) {
    const changed = attempted.steps.find((s) => s.urn === urn && s.op !== "same");
    const old = prior?.get(urn);
    if (!changed || succeeded.has(r.name)) state.set(urn, r);
    else if (old) state.set(urn, old);
  }
  return state;
}
