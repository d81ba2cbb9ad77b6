/**
 * Calls policies directly, without the CLI: the argument objects the policy SDK would build,
 * from hand-written cases or from the program's own mock run. Properties are wrapped as the
 * SDK wraps them, so reading a value a preview does not know throws as it would there.
 */
import {
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
  UnknownValueError,
} from "@pulumi/policy";
import * as policyProxy from "@pulumi/policy/proxy";
import { Evaluation, Registration } from "../../commands/lib/mockRuntime";
import { policies } from "../../policy/policies";
import { unwrap } from "../helpers/stack";

const NOT_APPLICABLE = new Error("not applicable");

/** The SDK's internals the harness imitates it with (its declarations leave them out). */
const sdk = policyProxy as unknown as { unknownStringValue: string; unknownCheckingProxy<T>(props: T): T };

/** What the engine sends for a value it does not know yet (it marshals every unknown so). */
export const UNKNOWN_VALUE = sdk.unknownStringValue;
const unknownCheckingProxy = <T>(props: T): T => sdk.unknownCheckingProxy(props);

/** The SDK does not fail a policy that reads an unknown value: it skips it, as advisory. */
function gaveUp(policy: string, err: unknown): never {
  if (err instanceof UnknownValueError) {
    throw new Error(`${policy} read an unknown value and would not be enforced (the SDK makes it advisory): ${(err as Error).message}`);
  }
  throw err;
}

export interface FakeResource {
  readonly type: string;
  readonly name?: string;
  readonly props: Record<string, unknown>;
  readonly opts?: Partial<{ ignoreChanges: string[]; additionalSecretOutputs: string[] }>;
}

function resourceArgs(r: FakeResource): ResourceValidationArgs {
  const type = r.type;
  return {
    type,
    props: unknownCheckingProxy(r.props),
    urn: `urn:pulumi:test::openclaw-vps::${type}::${r.name ?? "r"}`,
    name: r.name ?? "r",
    opts: {
      protect: false,
      ignoreChanges: r.opts?.ignoreChanges ?? [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: r.opts?.additionalSecretOutputs ?? [],
    },
    stackTags: new Map(),
    // The SDK's typed helpers compare the class's Pulumi type with the resource's.
    isType: (cls: { __pulumiType?: string }) => (cls).__pulumiType === type,
    asType: () => undefined,
    getConfig: () => ({}) as never,
    notApplicable: () => {
      throw NOT_APPLICABLE;
    },
  } as unknown as ResourceValidationArgs;
}

/** The violations one resource policy reports for one resource. */
export async function checkResource(policy: ResourceValidationPolicy, r: FakeResource): Promise<string[]> {
  const violations: string[] = [];
  const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
  for (const v of validations) {
    if (!v) continue;
    try {
      await v(resourceArgs(r), (message) => violations.push(message));
    } catch (err) {
      if (err !== NOT_APPLICABLE) gaveUp(policy.name, err);
    }
  }
  return violations;
}

/** The resources as the SDK presents them to a stack policy: wrapped properties, linked dependencies. */
function presented(resources: PolicyResource[]): PolicyResource[] {
  const copies = new Map(resources.map((r) => [r.urn, { ...r, props: unknownCheckingProxy(r.props) }]));
  const link = (list: PolicyResource[]) => list.map((d) => copies.get(d.urn) ?? d);
  return resources.map((r) =>
    Object.assign(copies.get(r.urn) ?? r, {
      dependencies: link(r.dependencies ?? []),
      propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies ?? {}).map(([k, v]) => [k, link(v)])),
    }),
  );
}

/** The violations a stack policy reports for a set of resources. */
export async function checkStack(policy: StackValidationPolicy, resources: PolicyResource[]): Promise<string[]> {
  const violations: string[] = [];
  const args = { resources: presented(resources), stackTags: new Map(), getConfig: () => ({}) } as unknown as StackValidationArgs;
  try {
    await policy.validateStack(args, (message) => violations.push(message));
  } catch (err) {
    gaveUp(policy.name, err);
  }
  return violations;
}

/**
 * How a first preview shows the program: every resource is still to be created, so no id is
 * known, nor any property computed from another resource. `elements` keeps a list's shape
 * (what the SDK sends, and a list-typed provider echoes); `whole` loses it (a set-typed
 * property with an unknown member comes back wholly unknown).
 */
export type Preview = "elements" | "whole";

function unknownFor(value: unknown, preview: Preview): unknown {
  return preview === "elements" && Array.isArray(value) ? value.map(() => UNKNOWN_VALUE) : UNKNOWN_VALUE;
}

/** A resource's properties as a stack policy sees them: its outputs, which carry its id. */
function outputs(r: Registration, preview: Preview | undefined): Record<string, unknown> {
  const props: Record<string, unknown> = { ...(unwrap(r.inputs) as Record<string, unknown>), id: preview ? UNKNOWN_VALUE : r.id };
  if (!preview) return props;
  for (const [key, urns] of Object.entries(r.propertyDependencies)) {
    if (urns.length > 0 && key in props) props[key] = unknownFor(props[key], preview);
  }
  return props;
}

/** A resource's inputs as a resource policy sees them; in a preview, those computed from others are unknown. */
function inputs(r: Registration, preview: Preview | undefined): Record<string, unknown> {
  const props = outputs(r, preview);
  delete props.id;
  return props;
}

/** The program's registrations as the policy SDK presents them: plain values, options, dependencies. */
export function fromEvaluation(ev: Evaluation, preview?: Preview): { resources: FakeResource[]; stack: PolicyResource[] } {
  const custom = ev.registrations.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
  const byUrn = new Map<string, PolicyResource>();
  const stack: PolicyResource[] = custom.map((r: Registration) => {
    const pr = {
      type: r.type,
      props: outputs(r, preview),
      urn: r.urn,
      name: r.name,
      opts: {},
      dependencies: [],
      propertyDependencies: {},
    } as unknown as PolicyResource;
    byUrn.set(r.urn, pr);
    return pr;
  });
  custom.forEach((r, i) => {
    const deps: Record<string, PolicyResource[]> = {};
    for (const [key, urns] of Object.entries(r.propertyDependencies)) {
      deps[key] = urns.map((u) => byUrn.get(u)).filter((x): x is PolicyResource => x !== undefined);
    }
    (stack[i] as { propertyDependencies: Record<string, PolicyResource[]> }).propertyDependencies = deps;
  });
  const resources = custom.map((r) => ({
    type: r.type,
    name: r.name,
    props: inputs(r, preview),
    opts: { ignoreChanges: [...r.ignoreChanges], additionalSecretOutputs: [...r.additionalSecretOutputs] },
  }));
  return { resources, stack };
}

/** A hand-written resource of a stack, as the SDK gives it to a stack policy. */
export function stackResource(type: string, name: string, props: Record<string, unknown>, deps: Record<string, PolicyResource[]> = {}): PolicyResource {
  return { type, name, urn: `urn:pulumi:test::openclaw-vps::${type}::${name}`, props, opts: {}, dependencies: Object.values(deps).flat(), propertyDependencies: deps } as unknown as PolicyResource;
}

const isStackPolicy = (p: ResourceValidationPolicy | StackValidationPolicy): p is StackValidationPolicy => "validateStack" in p;

/** Every violation the whole pack (policy/policies.ts) reports. */
export async function pack(resources: FakeResource[], stack: PolicyResource[]): Promise<string[]> {
  const violations: string[] = [];
  for (const policy of policies) {
    if (isStackPolicy(policy)) {
      violations.push(...(await checkStack(policy, stack)).map((v) => `${policy.name}: ${v}`));
    } else {
      for (const r of resources) violations.push(...(await checkResource(policy, r)).map((v) => `${policy.name} ${r.name}: ${v}`));
    }
  }
  return violations;
}
