/**
 * The program's commands as the engine and pulumi-command 1.2.1 would run them, read from
 * the registrations the mock monitor recorded: the command text, stdin and connection
 * exactly as registered, in dependency order. Which of them a `pulumi up` runs is the
 * lifecycle harness's answer (tools/lib/engine.ts).
 */
// The engine decrypts before it runs anything: commands see their inputs unwrapped.
import { Registration, unwrap } from "../../commands/lib/mockRuntime";
import { Connection, connectionOf } from "../../toolchain/providers/commands";

export type { Connection } from "../../toolchain/providers/commands";

export const REMOTE = "command:remote:Command";
export const LOCAL = "command:local:Command";

export interface Step {
  readonly name: string;
  readonly urn: string;
  readonly kind: "local" | "remote";
  readonly create: string;
  readonly update?: string;
  readonly stdin?: string;
  readonly triggers: unknown;
  readonly environment?: Readonly<Record<string, string>>;
  readonly connection?: Connection;
  /** Every input as registered, secrets unwrapped: what decides an update. */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** The URNs this command depends on directly (dependsOn and its inputs' sources). */
  readonly after: readonly string[];
}

function stepOf(r: Registration, after: readonly string[]): Step {
  const inputs = unwrap(r.inputs) as Record<string, unknown>;
  if (typeof inputs.create !== "string") throw new Error(`${r.name}: no create command`);
  return {
    name: r.name,
    urn: r.urn,
    kind: r.type === REMOTE ? "remote" : "local",
    create: inputs.create,
    ...(typeof inputs.update === "string" ? { update: inputs.update } : {}),
    ...(typeof inputs.stdin === "string" ? { stdin: inputs.stdin } : {}),
    triggers: inputs.triggers ?? [],
    ...(inputs.environment ? { environment: inputs.environment as Record<string, string> } : {}),
    ...(r.type === REMOTE ? { connection: connectionOf(unwrap(r.inputs.connection) as Record<string, unknown> | undefined, r.name) } : {}),
    inputs,
    after,
  };
}

/**
 * The commands in an order the engine could run them: each after everything it depends on
 * (through any resource), ties kept in registration order.
 */
export function commandSteps(registrations: readonly Registration[]): Step[] {
  const byUrn = new Map(registrations.map((r) => [r.urn, r]));
  const deps = (r: Registration) => [...new Set([...r.dependencies, ...Object.values(r.propertyDependencies).flat(), r.parentUrn])].filter((u) => byUrn.has(u) && u !== r.urn);
  const done = new Set<string>();
  const order: Registration[] = [];
  const pending = [...registrations];
  while (pending.length > 0) {
    const i = pending.findIndex((r) => deps(r).every((u) => done.has(u)));
    if (i < 0) throw new Error(`a dependency cycle among ${pending.map((r) => r.name).join(", ")}`);
    const [r] = pending.splice(i, 1);
    done.add(r.urn);
    order.push(r);
  }
  return order.filter((r) => r.type === REMOTE || r.type === LOCAL).map((r) => stepOf(r, deps(r)));
}
