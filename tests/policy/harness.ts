/**
 * Calls policies directly, without the CLI: the argument objects the policy SDK would build,
 * from hand-written cases or from the program's own mock run.
 */
import {
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { Evaluation, Registration } from "../../scripts/lib/mockRuntime";
import { unwrap } from "../helpers/stack";

const NOT_APPLICABLE = new Error("not applicable");

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
    props: r.props,
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
      if (err !== NOT_APPLICABLE) throw err;
    }
  }
  return violations;
}

/** The violations a stack policy reports for a set of resources. */
export async function checkStack(policy: StackValidationPolicy, resources: PolicyResource[]): Promise<string[]> {
  const violations: string[] = [];
  const args = { resources, stackTags: new Map(), getConfig: () => ({}) } as unknown as StackValidationArgs;
  await policy.validateStack(args, (message) => violations.push(message));
  return violations;
}

/** The program's registrations as the policy SDK presents them: plain values, options, dependencies. */
export function fromEvaluation(ev: Evaluation): { resources: FakeResource[]; stack: PolicyResource[] } {
  const custom = ev.registrations.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
  const byUrn = new Map<string, PolicyResource>();
  const stack: PolicyResource[] = custom.map((r: Registration) => {
    const pr = {
      type: r.type,
      props: unwrap(r.inputs) as Record<string, unknown>,
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
    props: unwrap(r.inputs) as Record<string, unknown>,
    opts: { ignoreChanges: [...r.ignoreChanges], additionalSecretOutputs: [...r.additionalSecretOutputs] },
  }));
  return { resources, stack };
}
