/**
 * The plan's evaluation: a stack settings file read as the Pulumi CLI would (project
 * defaults, its type checks, placeholders for encrypted values), then the real program
 * under the mock runtime. Shared by `npm run plan` and `npm run rehearse`.
 */
import { join } from "path";
import { KEYS, KEY_NAMES, PROJECT, PROVIDER_PLACEHOLDERS, fullKey } from "../../config/keys";
import { build } from "../../program";
import { Evaluation, evaluate } from "./mockRuntime";
import { DEFAULT_INVOKES } from "./mockState";
import { MergedConfig, mergeStackConfig, readProjectFile, readStackFile } from "./stackFile";

/** Placeholders for encrypted values: fake, but valid in form so validation passes. */
export function placeholders(): Record<string, string> {
  const out: Record<string, string> = { ...PROVIDER_PLACEHOLDERS };
  for (const key of KEY_NAMES) {
    const spec = KEYS[key];
    if ("placeholder" in spec) out[fullKey(key)] = spec.placeholder;
  }
  return out;
}

function secretKeyNames(): Set<string> {
  return new Set(KEY_NAMES.filter((k) => "secret" in KEYS[k] && KEYS[k].secret).map(fullKey));
}

export interface PlanEvaluation {
  readonly project: string;
  readonly merged: MergedConfig;
  readonly evaluation: Evaluation;
}

/**
 * Evaluates the program for a stack settings file. `runId` identifies the `pulumi up` being
 * modelled. Throws StackConfigError or ConfigError for invalid configuration.
 */
export async function evaluateStackFile(root: string, stackPath: string, stack: string, runId = "plan"): Promise<PlanEvaluation> {
  const project = readProjectFile(join(root, "Pulumi.yaml"));
  if (project.name !== PROJECT) throw new Error(`Pulumi.yaml names project ${project.name}, expected ${PROJECT}`);
  const merged = mergeStackConfig(project, stack, readStackFile(stackPath), placeholders(), secretKeyNames());
  const evaluation = await evaluate(() => build(process.env, { runId }), {
    project: project.name,
    stack,
    config: merged.values,
    secretKeys: merged.secretKeys,
    invokes: DEFAULT_INVOKES,
  });
  return { project: project.name, merged, evaluation };
}
