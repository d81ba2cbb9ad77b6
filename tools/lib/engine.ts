/**
 * What the real Pulumi engine would do on a `pulumi up` that follows another one: the
 * program is evaluated under the mock runtime against the state the previous run left, and
 * every resource gets the step the engine would give it (create, update, replace, delete or
 * same), with the outputs that step would give. A test instrument: lifecycle tests run the
 * program twice (state A, then config B) and look at the steps, and at what each command
 * would run.
 *
 * The engine's rules, each from its source:
 * - Resources are matched by URN, then by their aliases in order (pkg/resource/deploy/
 *   step_generator.go getOldResource); an old URN no goal matched is deleted. An alias is
 *   collapsed to a URN from the goal's own name, type and parent where it leaves them empty,
 *   a parent that was itself matched by an alias standing for its old URN, and the stack
 *   meaning "no parent" (collapseAliasToUrn); a child of an aliased parent also gets the
 *   parent's old URN as its parent, with a name prefix of the parent's name renamed
 *   (generateAliases, inheritedChildAlias). A provider matched by an alias is the same
 *   provider to its dependents (providerChanged).
 * - `ignoreChanges`: the old stored input replaces the program's value before the diff
 *   (step_generator.go continueStepsFromImport: "Set inputs back to their old values (if
 *   any) for any "ignored" properties", processIgnoreChanges; pulumi/pulumi#2657), so a change
 *   there alone is no change. A replacement, though, is created from the program's own values,
 *   ignored ones included: generateStepsFromDiff re-runs Check on `goal.Properties` ("If we
 *   are going to perform a replacement, we need to recompute the default values"), and a
 *   `--replace` target is checked from `goal.Properties` too (isTargetedReplace).
 * - Replace-on-change inputs come from each provider (REPLACE_ON below, with its source), plus
 *   the `replaceOnChanges` option; `replaceWith` replaces a resource when any of the named
 *   ones is replaced, and a changed `replacementTrigger` replaces it.
 * - A resource protected in both the old state and the goal is never replaced, and one
 *   protected in the old state is never deleted: the engine stops the deployment
 *   (step_generator.go: `if new.Protect && old.Protect && !IgnoreProtect`, "unable to replace
 *   resource ... as it is currently marked for protection").
 * - deleteBeforeReplace: before the old resource is deleted, the dependents with a property
 *   dependency on it that would be replaced are deleted, deepest first
 *   (calculateDependentReplacements); so a command triggered by a server's id runs its
 *   `delete` while the old server still exists. `dependsOn` alone does not qualify.
 * - A "same" step keeps the old outputs; an update or a replacement gives new ones.
 * - pulumi-command 1.2.1: a create or a replacement runs `create`; an update runs `update`,
 *   or `create` when there is none; a delete runs `delete` (provider/pkg/provider/local and
 *   remote: commandController.go).
 * - `dependsOn` alone never re-runs anything: only inputs decide.
 */
import { isDeepStrictEqual } from "util";
import type * as pulumi from "@pulumi/pulumi";
import { AliasSpec, Evaluation, EvaluateOptions, MockResult, PendingRegistration, ProgramResult, engineUrn, evaluate, unwrap } from "../../commands/lib/mockRuntime";
import { defaultMockState } from "../../commands/lib/mockState";

export type Operation = "create" | "update" | "replace" | "delete" | "same";

/** One resource as the state file keeps it after a run. */
export interface ResourceState {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly id: string | undefined;
  /** Inputs as stored (after ignoreChanges), secret markers kept. */
  readonly inputs: Record<string, unknown>;
  /** Outputs as the provider returned them. */
  readonly outputs: Record<string, unknown>;
  readonly protect: boolean;
  /** How many times this URN has been created: a replacement is a new generation. */
  readonly generation: number;
  /** For each input property, the URNs its value came from (as the state file keeps them). */
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
  /** Every URN it depends on: dependsOn and its inputs' sources. */
  readonly dependencies?: readonly string[];
  /** The `replacementTrigger` value stored with it, if it has one. */
  readonly replacementTrigger?: unknown;
}

export type StackState = ReadonlyMap<string, ResourceState>;

export interface Step {
  readonly urn: string;
  readonly name: string;
  readonly type: string;
  readonly op: Operation;
  /** The inputs that differ from the stored ones (after ignoreChanges). */
  readonly changed: readonly string[];
  /** Why a replacement: the replace-on-change inputs that differ, or the option that forced it. */
  readonly because: readonly string[];
  /** For commands: which of the command's texts this step runs. */
  readonly runs?: "create" | "update" | "delete";
  /** For a replaced command with a `delete`: the old one's delete runs too. */
  readonly runsOldDelete?: boolean;
  /**
   * For a delete-before-replace: the dependents deleted before the old resource, in the
   * order the engine deletes them (deepest first), each re-created when registered again.
   */
  readonly deletesFirst?: readonly string[];
  /** The old URN this resource was matched to through an alias. */
  readonly aliasedFrom?: string;
}

export interface Deployment {
  readonly evaluation: Evaluation;
  /** Every resource's step, in the order the engine generated them; deletes last. */
  readonly steps: readonly Step[];
  /** The state this run leaves. */
  readonly state: StackState;
}

/** A dynamic provider's methods the harness calls, as the Node.js dynamic provider host would. */
export interface DynamicProvider {
  create(inputs: Record<string, unknown>): Promise<{ id: string; outs?: Record<string, unknown> }>;
  diff?(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<{ changes?: boolean; replaces?: string[] }>;
  update?(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<{ outs?: Record<string, unknown> }>;
}

export interface DeployOptions extends Omit<EvaluateOptions, "engine" | "preview"> {
  /** The state the previous `pulumi up` left; none for a first deployment. */
  readonly prior?: StackState;
  /** Resource names given to `pulumi up --replace`. */
  readonly replace?: readonly string[];
  /** Dynamic providers by resource name: their own diff decides. */
  readonly dynamicProviders?: Readonly<Record<string, DynamicProvider>>;
}

/** The engine stopped the deployment before changing anything it refuses to. */
export class EngineRefusal extends Error {}

/**
 * Inputs whose change makes the provider replace the resource ("all": any input). Every entry names its source; a type without an entry fails
 * the run, so a new resource type cannot slip in without its rule.
 */
export const REPLACE_ON: Readonly<Record<string, readonly string[] | "all">> = {
  // hetznercloud/terraform-provider-hcloud internal/server/resource.go (ForceNew): image,
  // location, user_data, ssh_keys, and the deprecated datacenter. Name, type, labels,
  // backups and protection change in place.
  "hcloud:index/server:Server": ["image", "location", "datacenter", "userData", "sshKeys"],
  // internal/sshkey/resource.go: public_key RequiresReplace; name and labels in place.
  "hcloud:index/sshKey:SshKey": ["publicKey"],
  // internal/firewall/resource.go: no ForceNew or RequiresReplace.
  "hcloud:index/firewall:Firewall": [],
  // digitalocean/terraform-provider-digitalocean digitalocean/droplet/resource_droplet.go
  // (ForceNew): image, region, public_networking, ssh_keys, user_data, monitoring,
  // droplet_agent, vpc_uuid (turning ipv6 off also replaces; this program keeps it on).
  "digitalocean:index/droplet:Droplet": ["image", "region", "sshKeys", "userData", "monitoring", "dropletAgent", "vpcUuid"],
  // digitalocean/sshkey/resource_ssh_key.go: public_key ForceNew; name in place.
  "digitalocean:index/sshKey:SshKey": ["publicKey"],
  // digitalocean/tag/resource_tag.go: name ForceNew (the only input).
  "digitalocean:index/tag:Tag": ["name"],
  // digitalocean/firewall/resource_firewall.go: none.
  "digitalocean:index/firewall:Firewall": [],
  // tailscale/terraform-provider-tailscale tailscale/resource_tailnet_key.go (RequiresReplace):
  // reusable, ephemeral, tags, preauthorized, expiry, description. recreateIfInvalid is not
  // one: with "never" a spent key stays in state.
  "tailscale:index/tailnetKey:TailnetKey": ["reusable", "ephemeral", "tags", "preauthorized", "expiry", "description"],
  // hashicorp/terraform-provider-random internal/provider/resource_bytes.go: keepers, length;
  // resource_id.go: keepers, byte_length, prefix (RequiresReplace).
  "random:index/randomBytes:RandomBytes": ["keepers", "length"],
  "random:index/randomId:RandomId": ["keepers", "byteLength", "prefix"],
  // hashicorp/terraform-provider-tls internal/provider/resource_private_key.go: algorithm,
  // rsa_bits, ecdsa_curve (RequiresReplace): its only inputs.
  "tls:index/privateKey:PrivateKey": ["algorithm", "rsaBits", "ecdsaCurve"],
  // pulumi/pulumi-command v1.2.1 provider/pkg/provider/common/inputs.go: `triggers` carries
  // `provider:"replaceOnChanges"`; every other input is an in-place update (infer's default
  // diff: there is no custom Diff), which re-runs the command.
  "command:local:Command": ["triggers"],
  "command:remote:Command": ["triggers"],
};

const PROVIDER_TYPE = /^pulumi:providers:/;
/**
 * Resources whose provider methods the harness is given (DeployOptions.dynamicProviders): the
 * dynamic rebuild guard and drift check, and the same served by the package's plugin (pkg/provider.ts).
 */
const GUARD_TYPES = new Set(["pulumi-nodejs:dynamic:Resource", "openclaw-vps:index:RebuildGuard", "openclaw-vps:index:DriftCheck"]);
const COMMAND_TYPES = new Set(["command:local:Command", "command:remote:Command"]);

/** The inputs that decide a diff: secret markers removed, the dynamic provider's code left out. */
function plain(inputs: Record<string, unknown>): Record<string, unknown> {
  const out = unwrap(inputs) as Record<string, unknown>;
  delete out.__provider;
  return out;
}

/** Top-level keys whose values differ. */
function differing(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => !isDeepStrictEqual(a[k] ?? null, b[k] ?? null)).sort();
}

/**
 * The goal's inputs with each ignored property taken from the old inputs (top-level
 * property names; the engine also accepts paths, which this program does not use).
 */
export function applyIgnoreChanges(goal: Record<string, unknown>, old: Record<string, unknown>, ignore: readonly string[]): Record<string, unknown> {
  const out = { ...goal };
  for (const path of ignore) {
    if (path.includes(".") || path.includes("[")) throw new Error(`ignoreChanges path ${path}: the harness handles top-level properties only`);
    if (path in old) out[path] = old[path];
    else delete out[path];
  }
  return out;
}

function replaceKeysFor(type: string, changed: readonly string[], option: readonly string[]): string[] {
  const rule = REPLACE_ON[type];
  if (rule === undefined) throw new Error(`the harness has no replace rule for ${type}: add it to REPLACE_ON with its source`);
  const byProvider = rule === "all" ? [...changed] : changed.filter((k) => rule.includes(k));
  const byOption = option.includes("*") ? [...changed] : changed.filter((k) => option.includes(k));
  return [...new Set([...byProvider, ...byOption])].sort();
}

/**
 * Runs the program as the next `pulumi up` on `prior` (or the first one), returning each
 * resource's step and the state left behind. Throws EngineRefusal where the engine would
 * stop (a protected resource to replace or delete).
 */
export async function deploy(build: () => ProgramResult, options: DeployOptions): Promise<Deployment> {
  const prior = options.prior ?? new Map<string, ResourceState>();
  const steps: Step[] = [];
  const next = new Map<string, ResourceState>();
  const replaced = new Set<string>();
  const refusals: string[] = [];
  const forced = new Set(options.replace ?? []);
  // For each resource matched through an alias: the old URN it took over (the engine's sg.aliases).
  const aliased = new Map<string, string>();
  const olds = new Map<string, ResourceState | undefined>();
  const oldOf = (reg: PendingRegistration): ResourceState | undefined => {
    if (olds.has(reg.urn)) return olds.get(reg.urn);
    let found: ResourceState | undefined;
    for (const urn of [reg.urn, ...generateAliases(reg, aliased)]) {
      found = prior.get(urn);
      if (!found) continue;
      if (urn !== reg.urn) {
        if ([...aliased.values()].includes(urn)) throw new Error(`two resources claim ${urn} through aliases (the engine refuses this)`);
        aliased.set(reg.urn, urn);
      }
      break;
    }
    olds.set(reg.urn, found);
    return found;
  };

  const engine = async (args: pulumi.runtime.MockResourceArgs, reg: PendingRegistration): Promise<MockResult> => {
    const goal = args.inputs as Record<string, unknown>;
    const old = oldOf(reg);
    // What the provider answers for a creation of this generation, given these inputs.
    const fresh = (generation: number, inputs: Record<string, unknown>): MockResult =>
      defaultMockState(reg.type, reg.name, inputs, generation > 1 ? `#${generation}` : "");

    // Components and the stack have no provider: they exist or they do not.
    if (!reg.custom) {
      steps.push({ urn: reg.urn, name: reg.name, type: reg.type, op: old ? "same" : "create", changed: [], because: [], ...from(reg) });
      next.set(reg.urn, { urn: reg.urn, type: reg.type, name: reg.name, custom: false, id: undefined, inputs: goal, outputs: {}, protect: reg.protect, generation: old?.generation ?? 1 });
      return { id: undefined, state: {} };
    }

    if (!old) {
      const result = await createWith(reg, goal, 1, fresh, options.dynamicProviders);
      record(reg, goal, result, 1, "create", [], []);
      return result;
    }

    const inputs = applyIgnoreChanges(goal, old.inputs, reg.ignoreChanges);
    const changed = differing(plain(old.inputs), plain(inputs));
    const because: string[] = [];
    if (forced.has(reg.name)) because.push("--replace");
    for (const urn of reg.replaceWith) if (replaced.has(urn)) because.push(`replaceWith ${urn.split("::").pop()}`);
    const oldTrigger = old.replacementTrigger;
    // A trigger that appears or disappears is no replacement; only a changed value is.
    if (reg.replacementTrigger !== undefined && oldTrigger !== undefined && !isDeepStrictEqual(unwrap(reg.replacementTrigger), unwrap(oldTrigger))) {
      because.push("replacementTrigger");
    }

    let op: Operation;
    if (PROVIDER_TYPE.test(reg.type)) {
      // Provider configuration changes update the provider in place.
      op = because.length > 0 ? "replace" : changed.length > 0 ? "update" : "same";
    } else if (GUARD_TYPES.has(reg.type)) {
      const provider = dynamicProvider(options.dynamicProviders, reg.name);
      // The dynamic provider host passes the old outputs as `olds` (dynamic/provider.ts diff).
      const d = provider.diff ? await provider.diff(old.id ?? "", plain(old.outputs), plain(inputs)) : { changes: changed.length > 0 };
      because.push(...(d.replaces ?? []));
      op = because.length > 0 ? "replace" : d.changes ? "update" : "same";
    } else {
      because.push(...replaceKeysFor(reg.type, changed, reg.replaceOnChanges));
      op = because.length > 0 ? "replace" : changed.length > 0 ? "update" : "same";
    }

    if (op === "replace" && old.protect && reg.protect) {
      refusals.push(`unable to replace resource "${reg.urn}" as it is currently marked for protection (${because.join(", ")})`);
    }

    let result: MockResult;
    const stored = { ...inputs };
    switch (op) {
      case "same":
        result = { id: old.id, state: old.outputs };
        record(reg, stored, result, old.generation, "same", [], []);
        break;
      case "update": {
        if (GUARD_TYPES.has(reg.type)) {
          const provider = dynamicProvider(options.dynamicProviders, reg.name);
          const outs = provider.update ? (await provider.update(old.id ?? "", plain(old.outputs), plain(inputs))).outs : plain(inputs);
          result = { id: old.id, state: { ...(outs ?? {}) } };
        } else {
          // The provider reads the resource back: computed values stay, inputs take the new values.
          const rerun = fresh(old.generation, inputs);
          result = { id: old.id, state: { ...old.outputs, ...rerun.state } };
        }
        record(reg, stored, result, old.generation, "update", changed, []);
        break;
      }
      case "replace": {
        // Created from the program's values: no ignoreChanges substitution (see above).
        replaced.add(reg.urn);
        const created = { ...goal };
        result = await createWith(reg, goal, old.generation + 1, fresh, options.dynamicProviders);
        record(reg, created, result, old.generation + 1, "replace", changed, because);
        break;
      }
      default:
        throw new Error(`unexpected operation ${String(op)}`);
    }
    return result;
  };

  function from(reg: PendingRegistration): { aliasedFrom?: string } {
    const urn = aliased.get(reg.urn);
    return urn ? { aliasedFrom: urn } : {};
  }

  function record(reg: PendingRegistration, inputs: Record<string, unknown>, result: MockResult, generation: number, op: Operation, changed: string[], because: string[]): void {
    const command = COMMAND_TYPES.has(reg.type);
    const runs = !command ? undefined : op === "create" || op === "replace" ? "create" : op === "update" ? (plain(inputs).update ? "update" : "create") : undefined;
    const old = oldOf(reg);
    const runsOldDelete = command && op === "replace" && old !== undefined && typeof plain(old.inputs).delete === "string";
    steps.push({ urn: reg.urn, name: reg.name, type: reg.type, op, changed, because, ...(runs ? { runs } : {}), ...(runsOldDelete ? { runsOldDelete } : {}), ...from(reg) });
    next.set(reg.urn, {
      urn: reg.urn, type: reg.type, name: reg.name, custom: true, id: result.id, inputs, outputs: result.state, protect: reg.protect, generation,
      ...(reg.replacementTrigger !== undefined ? { replacementTrigger: reg.replacementTrigger } : {}),
    });
  }

  // A failure inside the engine hook would reach the SDK as a failed registration, which it
  // reports through promises nobody awaits: keep it here instead, and fail the run with it.
  const failures: unknown[] = [];
  const guarded = async (args: pulumi.runtime.MockResourceArgs, reg: PendingRegistration): Promise<MockResult> => {
    try {
      return await engine(args, reg);
    } catch (error) {
      failures.push(error);
      return { id: "failed", state: {} };
    }
  };
  let evaluation: Evaluation;
  try {
    evaluation = await evaluate(build, { ...options, preview: false, engine: guarded });
  } catch (error) {
    throw failures[0] ?? error;
  }
  if (failures.length > 0) throw failures[0];

  // The state keeps each resource's property dependencies: the next run's
  // delete-before-replace ordering is computed from them.
  for (const r of evaluation.registrations) {
    const entry = next.get(r.urn);
    if (entry) next.set(r.urn, { ...entry, propertyDependencies: r.propertyDependencies, dependencies: r.dependencies });
  }
  const dbr = new Set(evaluation.registrations.filter((r) => r.deleteBeforeReplace).map((r) => r.urn));
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (step.op === "replace" && dbr.has(step.urn)) steps[i] = { ...step, deletesFirst: dependentReplacements(prior, aliased.get(step.urn) ?? step.urn).map((urn) => prior.get(urn)?.name ?? urn) };
  }

  // What the program no longer declares is deleted, dependents first (reverse creation order).
  const declared = new Set([...evaluation.registrations.map((r) => r.urn), ...aliased.values()]);
  for (const old of [...prior.values()].reverse()) {
    if (declared.has(old.urn)) continue;
    if (old.protect) refusals.push(`unable to delete resource "${old.urn}" as it is currently marked for protection`);
    const hasDelete = COMMAND_TYPES.has(old.type) && typeof plain(old.inputs).delete === "string";
    steps.push({ urn: old.urn, name: old.name, type: old.type, op: "delete", changed: [], because: [], ...(hasDelete ? { runs: "delete" as const } : {}) });
  }
  if (refusals.length > 0) throw new EngineRefusal(refusals.join("\n"));
  return { evaluation, steps, state: next };
}

/** A URN's resource type and name (the last part of its qualified type, and its name). */
function urnParts(urn: string): { stack: string; project: string; type: string; name: string } {
  const [head, project = "", qualified = "", ...rest] = urn.split("::");
  return { stack: head.replace(/^urn:pulumi:/, ""), project, type: qualified.split("$").pop() ?? "", name: rest.join("::") };
}

/** The old URNs a registration may have had, in the engine's order (step_generator.go generateAliases). */
export function generateAliases(reg: PendingRegistration, aliased: ReadonlyMap<string, string>): string[] {
  const { stack, project } = urnParts(reg.urn);
  const collapse = (a: AliasSpec): string => {
    if ("urn" in a) return a.urn;
    let parent = a.parentUrn;
    if (parent === "") parent = reg.parentUrn;
    else parent = aliased.get(parent) ?? parent;
    if (a.noParent) parent = "";
    return engineUrn(a.stack || stack, a.project || project, parent, a.type || reg.type, a.name || reg.name);
  };
  const inherited = (type: string, name: string, parentAlias: string): string => {
    const parentName = urnParts(reg.parentUrn).name;
    const aliasName = name.startsWith(parentName) ? urnParts(parentAlias).name + name.slice(parentName.length) : name;
    return engineUrn(stack, project, parentAlias, type, aliasName);
  };
  const result: string[] = [];
  const add = (urn: string) => {
    if (!result.includes(urn)) result.push(urn);
  };
  for (const a of reg.aliases) add(collapse(a));
  const parentAlias = reg.parentUrn ? aliased.get(reg.parentUrn) : undefined;
  if (parentAlias) {
    add(inherited(reg.type, reg.name, parentAlias));
    for (const a of reg.aliases) {
      const child = urnParts(collapse(a));
      add(inherited(child.type, child.name, parentAlias));
    }
  }
  return result;
}

/**
 * The dependents the engine deletes before a delete-before-replace of `urn`, deepest first
 * (step_generator.go calculateDependentReplacements / requiresReplacement): those with a
 * property dependency on it, or on another such dependent, through a property whose change
 * replaces them (with its value unknown, the provider's diff says replace). `dependsOn`
 * alone does not qualify.
 */
export function dependentReplacements(state: StackState, urn: string): string[] {
  const chosen = new Set<string>([urn]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of state.values()) {
      if (chosen.has(r.urn) || !r.custom) continue;
      const rule = REPLACE_ON[r.type];
      const replacing = Object.entries(r.propertyDependencies ?? {}).some(
        ([prop, from]) => from.some((u) => chosen.has(u)) && (rule === "all" || (rule ?? []).includes(prop)),
      );
      if (replacing) {
        chosen.add(r.urn);
        grew = true;
      }
    }
  }
  chosen.delete(urn);
  // Deepest first: a dependent goes before whatever it depends on (through any dependency).
  const memo = new Map<string, number>();
  const depth = (u: string): number => {
    const known = memo.get(u);
    if (known !== undefined) return known;
    memo.set(u, 1);
    const from = (state.get(u)?.dependencies ?? []).filter((x) => chosen.has(x));
    const d = from.length === 0 ? 1 : 1 + Math.max(...from.map(depth));
    memo.set(u, d);
    return d;
  };
  const order = [...state.keys()].filter((u) => chosen.has(u));
  return order.sort((a, b) => depth(b) - depth(a) || order.indexOf(b) - order.indexOf(a));
}

async function createWith(
  reg: PendingRegistration,
  inputs: Record<string, unknown>,
  generation: number,
  fresh: (generation: number, inputs: Record<string, unknown>) => MockResult,
  providers: DeployOptions["dynamicProviders"],
): Promise<MockResult> {
  if (GUARD_TYPES.has(reg.type)) {
    const created = await dynamicProvider(providers, reg.name).create(plain(inputs));
    return { id: created.id, state: { ...(created.outs ?? {}) } };
  }
  if (!PROVIDER_TYPE.test(reg.type) && REPLACE_ON[reg.type] === undefined) {
    throw new Error(`the harness has no replace rule for ${reg.type}: add it to REPLACE_ON with its source`);
  }
  return fresh(generation, inputs);
}

function dynamicProvider(providers: DeployOptions["dynamicProviders"], name: string): DynamicProvider {
  const p = providers?.[name];
  if (!p) throw new Error(`no dynamic provider given for ${name}`);
  return p;
}

/** The steps that are not "same", as `name: op` lines: what a `pulumi up` would change. */
export function changes(d: Deployment): string[] {
  return d.steps.filter((s) => s.op !== "same").map((s) => `${s.name}: ${s.op}`);
}
