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
import { rebuildGuardProvider } from "../../components/rebuildGuard";
import { ConfigError } from "../../config";
import { MergedConfig, StackConfigError, mergeStackConfig, readProjectFile, readStackFile } from "./stackFile";

/**
 * Every problem with a stack's configuration, from both checks: the CLI's (types, secrets,
 * missing keys; the CLI itself stops at the first) and the program's (config/schema.ts),
 * each key named once.
 */
export class PlanConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "PlanConfigError";
  }
}

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
 * Evaluates the program for a stack settings file. Throws StackFileError for a file it cannot
 * read and PlanConfigError (every problem) or ConfigError for invalid configuration.
 */
export async function evaluateStackFile(root: string, stackPath: string, stack: string): Promise<PlanEvaluation> {
  const { project, merged } = await readStackChecked(root, stackPath, stack);
  const evaluation = await evaluate(() => build(process.env), {
    project: project.name,
    stack,
    config: merged.values,
    secretKeys: merged.secretKeys,
    invokes: DEFAULT_INVOKES,
  });
  return { project: project.name, merged, evaluation };
}

/**
 * readStack, and when the CLI's checks refuse the file, the program's own checks on the same
 * values too, so one run names every problem. Keys the CLI already refused are not named twice.
 */
async function readStackChecked(root: string, stackPath: string, stack: string): Promise<{ project: { name: string }; merged: MergedConfig }> {
  try {
    return readStack(root, stackPath, stack);
  } catch (err) {
    if (!(err instanceof StackConfigError) || !err.merged) throw err;
    const refused = new Set(err.problems.flatMap((p) => p.key.split(",")));
    const more: string[] = [];
    try {
      await evaluate(() => build(process.env), { project: PROJECT, stack, config: err.merged.values, secretKeys: err.merged.secretKeys, invokes: DEFAULT_INVOKES });
    } catch (inner) {
      if (!(inner instanceof ConfigError)) throw inner;
      for (const issue of inner.issues) {
        if (!refused.has(issue.key.split(" ")[0])) more.push(`${issue.key}: given ${issue.given}; expected ${issue.expected}`);
      }
    }
    throw new PlanConfigError([...err.problems.map((p) => p.message), ...more]);
  }
}

function readStack(root: string, stackPath: string, stack: string) {
  const project = readProjectFile(join(root, "Pulumi.yaml"));
  if (project.name !== PROJECT) throw new Error(`Pulumi.yaml names project ${project.name}, expected ${PROJECT}`);
  const merged = mergeStackConfig(project, stack, readStackFile(stackPath), placeholders(), secretKeyNames());
  return { project, merged };
}

/** The program's dynamic providers, by resource name, for the lifecycle harness. */
export const DYNAMIC_PROVIDERS = { "openclaw-rebuild-guard": rebuildGuardProvider };

