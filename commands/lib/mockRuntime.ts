/**
 * Runs the real program in-process under the Pulumi SDK's mock runtime: no CLI, no
 * provider plugins, no network, no credentials. Every resource registration is recorded
 * with what the engine would receive (inputs with their secret markers, parent, options),
 * and the stack outputs as the engine would store them. Used by `npm run plan` and tests.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { defaultMockState } from "./mockState";

/** One resource as the engine saw it. */
export interface Registration {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  /** The parent's URN; the stack's URN for top-level resources. */
  readonly parentUrn: string;
  readonly custom: boolean;
  /** Inputs as sent to the engine: secret values still wrapped. */
  readonly inputs: Record<string, unknown>;
  /** The provider reference (`urn::id`), for custom resources with an explicit provider. */
  readonly provider: string;
  readonly protect: boolean;
  readonly ignoreChanges: readonly string[];
  readonly deleteBeforeReplace: boolean;
  readonly additionalSecretOutputs: readonly string[];
  /** The `replacementTrigger` option's value; undefined when not set. */
  readonly replacementTrigger?: unknown;
  /** URNs of resources this one depends on (dependsOn and input dependencies). */
  readonly dependencies: readonly string[];
  /** For each input property, the URNs of the resources its value came from. */
  readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
  /** The id the mocked provider assigned (custom resources only). */
  readonly id?: string;
}

/** A stack output value and whether the engine would store it encrypted. */
export interface OutputValue {
  readonly value: unknown;
  readonly secret: boolean;
}

export interface Evaluation {
  readonly registrations: readonly Registration[];
  readonly outputs: Readonly<Record<string, OutputValue>>;
  /** The rendered artifacts the program returned, resolved, by file name. */
  readonly artifacts: Readonly<Record<string, string>>;
}

/** Values the mocked providers return for a resource type, on top of the defaults. */
export type OutputOverrides = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

export interface EvaluateOptions {
  readonly project: string;
  readonly stack: string;
  /** Config as the CLI passes it: `namespace:key` → string. */
  readonly config: Readonly<Record<string, string>>;
  /** Config keys whose values are secret. */
  readonly secretKeys: readonly string[];
  /** Evaluate as `pulumi preview` (true) or `pulumi up` (false). */
  readonly preview?: boolean;
  /** Per resource type, output values that replace the mock defaults (e.g. canaries). */
  readonly overrides?: OutputOverrides;
  /** Invoke results by token; any other invoke fails the run. */
  readonly invokes?: Readonly<Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>>>;
  /**
   * Decides each resource's id and outputs in place of the canned mock state, seeing the
   * registration as the engine would (URN and resource options): tools/lib/engine.ts.
   */
  readonly engine?: (args: pulumi.runtime.MockResourceArgs, registration: PendingRegistration) => Promise<MockResult> | MockResult;
}

/** What the mocked provider answers for one resource. */
export interface MockResult {
  readonly id: string | undefined;
  readonly state: Record<string, unknown>;
}

/** A registration as the engine receives it, before the provider has answered. */
export interface PendingRegistration {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly protect: boolean;
  readonly ignoreChanges: readonly string[];
  readonly replaceOnChanges: readonly string[];
  readonly deleteBeforeReplace: boolean;
  /** URNs whose replacement replaces this resource (the `replaceWith` option). */
  readonly replaceWith: readonly string[];
  /** The `replacementTrigger` option's value; undefined when not set. */
  readonly replacementTrigger: unknown;
  readonly dependencies: readonly string[];
  /** The parent's URN ("" for the stack itself). */
  readonly parentUrn: string;
  /** The `aliases` option as the engine receives it. */
  readonly aliases: readonly AliasSpec[];
}

/**
 * One alias as the SDK sends it: a URN, or the parts that differ from the resource's own
 * (empty means "the same"; `noParent` means "at the top of the stack").
 */
export type AliasSpec =
  | { readonly urn: string }
  | { readonly name: string; readonly type: string; readonly project: string; readonly stack: string; readonly parentUrn: string; readonly noParent: boolean };

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** The qualified type in a URN: `parent$parent$type`. */
export function urnQualifiedType(urn: string): string {
  return urn.split("::")[2] ?? "";
}

/**
 * A URN as the engine makes it (pkg/resource/urn.go NewURN): the parent's whole qualified
 * type before the resource's own, except for the stack, which prefixes nothing.
 */
export function engineUrn(stack: string, project: string, parentUrn: string, type: string, name: string): string {
  const parentType = parentUrn ? urnQualifiedType(parentUrn) : "";
  const qualified = parentType && parentType !== ROOT_STACK_TYPE ? `${parentType}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** What a program provides: its stack outputs and its rendered artifacts. */
export interface ProgramResult {
  readonly outputs: Record<string, pulumi.Input<unknown>>;
  readonly artifacts?: Record<string, pulumi.Input<string>>;
}

const SECRET = pulumi.runtime.specialSecretSig;
const SIG = pulumi.runtime.specialSigKey;

export function isSecretValue(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG] === SECRET;
}

/** A value with every secret wrapper removed (the plaintext the program computed). */
export function unwrap(value: unknown): unknown {
  if (isSecretValue(value)) return unwrap(value.value);
  if (Array.isArray(value)) return value.map(unwrap);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v)]));
  }
  return value;
}

export function wrapSecret(value: unknown): Record<string, unknown> {
  return { [SIG]: SECRET, value };
}

/** A stable numeric id for a resource: hcloud needs numbers, and runs must be reproducible. */
export function stableId(type: string, name: string): string {
  const digest = createHash("sha256").update(`${type}::${name}`).digest();
  return String(10_000_000 + (digest.readUInt32BE(0) % 89_999_999));
}

type Callback = (err: unknown, response: unknown) => void;
/** The slice of the gRPC request the recorder reads. */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): unknown;
  getProvider(): string;
  getProtect(): boolean | undefined;
  getIgnorechangesList(): string[];
  getDeletebeforereplace(): boolean;
  getAdditionalsecretoutputsList(): string[];
  getDependenciesList(): string[];
  getReplaceonchangesList(): string[];
  getReplaceWithList(): string[];
  getReplacementTrigger(): { toJavaScript(): unknown } | undefined;
  getPropertydependenciesMap(): { forEach(cb: (value: { getUrnsList(): string[] }, key: string) => void): void };
  getAliasesList(): unknown[];
}

function propertyDependencies(req: RegisterRequest): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((value, key) => {
    out[key] = value.getUrnsList();
  });
  return out;
}

/**
 * The URN of a registration: the engine's, not the SDK mock's (runtime/mocks.js newUrn keeps
 * only the parent's last type), so that a resource moved under a component has a new URN
 * here exactly when it has one in a real deployment.
 */
function urnOf(parent: string, type: string, name: string): string {
  return engineUrn(pulumi.getStack(), pulumi.getProject(), parent, type, name);
}

interface AliasMessage {
  getUrn(): string;
  getSpec(): { getName(): string; getType(): string; getProject(): string; getStack(): string; getParenturn(): string; getNoparent(): boolean } | undefined;
}

function aliasSpecs(req: RegisterRequest): AliasSpec[] {
  return (req.getAliasesList() as AliasMessage[]).map((a) => {
    const spec = a.getSpec();
    if (!spec) return { urn: a.getUrn() };
    return { name: spec.getName(), type: spec.getType(), project: spec.getProject(), stack: spec.getStack(), parentUrn: spec.getParenturn(), noParent: spec.getNoparent() };
  });
}

/**
 * The SDK's mock monitor, recording each registration and emulating engine-side secrecy.
 * Exported for tests that serve it over gRPC to a real plugin process (tests/package/plugin.test.ts).
 */
export class RecordingMonitor extends MockMonitor {
  readonly registrations: Registration[] = [];
  readonly resourceOutputs = new Map<string, Record<string, unknown>>();
  private readonly secretOutputs: Map<string, readonly string[]>;
  private readonly pending: Map<string, PendingRegistration>;

  constructor(inner: pulumi.runtime.Mocks, engine?: EvaluateOptions["engine"]) {
    const secretOutputs = new Map<string, readonly string[]>();
    const pending = new Map<string, PendingRegistration>();
    super({
      call: (args) => inner.call(args),
      // The engine marks provider-declared secret outputs; the SDK's mock monitor does not.
      newResource: async (args) => {
        const registration = pending.get(`${args.type}::${args.name}`);
        const result = engine && registration ? await engine(args, registration) : await inner.newResource(args);
        const state: Record<string, unknown> = { ...result.state };
        for (const key of secretOutputs.get(`${args.type}::${args.name}`) ?? []) {
          if (key in state && !isSecretValue(state[key])) state[key] = wrapSecret(state[key]);
        }
        return { id: result.id, state };
      },
    });
    this.secretOutputs = secretOutputs;
    this.pending = pending;
    // The monitor answers with the engine's URNs (see urnOf); the SDK declares newUrn private.
    (this as unknown as { newUrn: typeof urnOf }).newUrn = urnOf;
  }

  override async registerResource(req: RegisterRequest, callback: Callback): Promise<void> {
    const type = req.getType();
    const name = req.getName();
    const additionalSecretOutputs = req.getAdditionalsecretoutputsList();
    this.secretOutputs.set(`${type}::${name}`, additionalSecretOutputs);
    const trigger = req.getReplacementTrigger();
    const replacementTrigger = trigger ? trigger.toJavaScript() : undefined;
    this.pending.set(`${type}::${name}`, {
      urn: urnOf(req.getParent(), type, name),
      type,
      name,
      custom: req.getCustom(),
      protect: req.getProtect() ?? false,
      ignoreChanges: req.getIgnorechangesList(),
      replaceOnChanges: req.getReplaceonchangesList(),
      deleteBeforeReplace: req.getDeletebeforereplace(),
      replaceWith: req.getReplaceWithList(),
      replacementTrigger,
      dependencies: req.getDependenciesList(),
      parentUrn: req.getParent(),
      aliases: aliasSpecs(req),
    });
    const record: Omit<Registration, "urn" | "id"> = {
      type,
      name,
      parentUrn: req.getParent(),
      custom: req.getCustom(),
      inputs: pulumi.runtime.deserializeProperties(req.getObject() as never),
      provider: req.getProvider(),
      protect: req.getProtect() ?? false,
      ignoreChanges: req.getIgnorechangesList(),
      deleteBeforeReplace: req.getDeletebeforereplace(),
      additionalSecretOutputs,
      ...(replacementTrigger !== undefined ? { replacementTrigger } : {}),
      dependencies: req.getDependenciesList(),
      propertyDependencies: propertyDependencies(req),
    };
    await super.registerResource(req, (err: unknown, response: unknown) => {
      if (!err) {
        const r = response as { getUrn(): string; getId(): string };
        this.registrations.push({ ...record, urn: r.getUrn(), id: r.getId() || undefined });
      }
      callback(err, response);
    });
  }

  override registerResourceOutputs(req: { getUrn(): string; getOutputs(): unknown }, callback: Callback): void {
    this.resourceOutputs.set(
      req.getUrn(),
      pulumi.runtime.deserializeProperties(req.getOutputs() as never),
    );
    super.registerResourceOutputs(req, callback);
  }
}

/** The mocked providers: canned resource state, and only the invokes the caller names. */
export function mocksFor(options: EvaluateOptions): pulumi.runtime.Mocks {
  return {
    newResource(args) {
      const base = defaultMockState(args.type, args.name, args.inputs as Record<string, unknown>);
      const override = options.overrides?.[args.type] ?? {};
      return { id: base.id, state: { ...base.state, ...override } };
    },
    call(args) {
      const handler = options.invokes?.[args.token];
      if (!handler) {
        const message = `unmocked invoke ${args.token}: add it to the mocks deliberately`;
        // The SDK rethrows an invoke failure with the gRPC error's `details` as the message.
        throw Object.assign(new Error(message), { details: message });
      }
      return handler(args.inputs as Record<string, unknown>);
    },
  };
}

/** Resolves a value the way the engine stores it, noting whether it is secret. */
async function resolve(value: pulumi.Input<unknown>): Promise<OutputValue> {
  const out: pulumi.Output<unknown> = pulumi.output(value) as pulumi.Output<unknown>;
  const [resolved, secret] = await Promise.all([
    new Promise<unknown>((res) => out.apply((v: unknown) => res(v))),
    pulumi.isSecret(out),
  ]);
  return { value: resolved, secret };
}

/** Resolves once every outstanding RPC to the (mock) engine has finished. The SDK exports it untyped. */
function waitForRPCs(): Promise<void> {
  return (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

/** Evaluates `build` as Pulumi would, returning everything registered and output. */
/** A stack trace as V8 writes it without source maps (the main context would map it otherwise). */
function plainStackTrace(error: Error, trace: NodeJS.CallSite[]): string {
  const at = (site: NodeJS.CallSite) =>
    `    at ${site.getFunctionName() ?? "<anonymous>"} (${site.getFileName() ?? "?"}:${site.getLineNumber() ?? "?"}:${site.getColumnNumber() ?? "?"})`;
  return [String(error), ...trace.map(at)].join("\n");
}

export async function evaluate(build: () => ProgramResult, options: EvaluateOptions): Promise<Evaluation> {
  const mocks = mocksFor(options);
  await pulumi.runtime.setMocks(mocks, options.project, options.stack, options.preview ?? false);
  const monitor = new RecordingMonitor(mocks, options.engine);
  settings.setMockOptions(monitor, options.project, options.stack, options.preview ?? false);
  pulumi.runtime.setAllConfig({ ...options.config }, [...options.secretKeys]);

  let program: ProgramResult | undefined;
  const failures: unknown[] = [];
  // An asynchronous failure (a failed invoke, a throwing apply) also rejects promises inside
  // the SDK that nobody awaits. Pulumi's language host reports those and exits; here they
  // are collected while the program runs, and the first failure is thrown.
  // Like the language host, stop at the first such failure: registrations that wait on a
  // failed one's outputs would otherwise wait forever.
  let failed: () => void = () => undefined;
  const firstFailure = new Promise<void>((resolve) => (failed = resolve));
  const onRejection = (reason: unknown) => {
    failures.push(reason);
    failed();
  };
  process.on("unhandledRejection", onRejection);
  // The SDK takes a stack trace for every promise it makes (runtime/debuggable.js); under a
  // test runner each one is mapped through source maps, which is most of an evaluation's
  // time. Plain V8 call sites are kept while the program runs, and the runner's formatting
  // restored after.
  const saved = Error as { prepareStackTrace?: (error: Error, trace: NodeJS.CallSite[]) => unknown };
  const prepareStackTrace = saved.prepareStackTrace;
  Error.prepareStackTrace = plainStackTrace;
  try {
    await pulumi.runtime.runInPulumiStack(() => {
      // A throwing program is caught here rather than inside the SDK's stack resource, whose
      // internal promises would otherwise reject with nobody listening.
      try {
        program = build();
        return Promise.resolve(program.outputs);
      } catch (error) {
        failures.unshift(error);
        return Promise.resolve({});
      }
    });
    await Promise.race([waitForRPCs(), firstFailure.then(() => new Promise((r) => setTimeout(r, 100)))]);
  } catch (error) {
    failures.unshift(error);
  } finally {
    await new Promise((r) => setImmediate(r));
    process.off("unhandledRejection", onRejection);
    saved.prepareStackTrace = prepareStackTrace;
  }
  if (failures.length > 0 || !program) {
    const err: unknown = failures[0] ?? new Error("the program returned nothing");
    // Keep what was registered before the failure: a config error must come before any resource.
    if (err !== null && typeof err === "object") Object.assign(err, { registrations: [...monitor.registrations] });
    throw err;
  }

  const artifacts: Record<string, string> = {};
  for (const [name, value] of Object.entries(program.artifacts ?? {})) {
    artifacts[name] = String((await resolve(value)).value);
  }
  await waitForRPCs();

  // The stack outputs exactly as the engine received them, secret markers included.
  const stack = monitor.registrations.find((r) => r.type === "pulumi:pulumi:Stack");
  const registered = stack && monitor.resourceOutputs.get(stack.urn);
  if (!registered) throw new Error("the program registered no stack outputs");
  const outputs: Record<string, OutputValue> = {};
  for (const [key, value] of Object.entries(registered)) {
    outputs[key] = isSecretValue(value) ? { value: value.value, secret: true } : { value, secret: false };
  }
  return { registrations: [...monitor.registrations], outputs, artifacts };
}
