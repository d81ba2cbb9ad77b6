/**
 * The plan's evaluation: a stack settings file read as the Pulumi CLI would (project
 * defaults, its type checks, placeholders for encrypted values), then the real program
 * under the mock runtime. Shared by `npm run plan` and `npm run rehearse`.
 */
import { join } from "path";
import { KEYS, KEY_NAMES, KeySpec, PROJECT_NAME, PROVIDER_PLACEHOLDERS } from "../../config/keys";
import { PROVIDER_KEYS_READ } from "../../config/schema";
import { build } from "../../program";
import { Evaluation, evaluate } from "./mockRuntime";
import { DEFAULT_INVOKES } from "./mockState";
import { rebuildGuardProvider } from "../../components/rebuildGuard";
import { emulatedDriftCheck } from "../../components/driftCheck";
import { ConfigError } from "../../config";
import { MergedConfig, ProjectFile, StackConfigError, mergeStackConfig, readProjectFile, readStackSettings } from "./stackFile";

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

/**
 * Placeholders for encrypted values: fake, but valid in form so validation passes. Keyed in
 * the project's namespace (`openclaw-vps:`, or the name a renamed project has).
 */
export function placeholders(namespace: string = PROJECT_NAME): Record<string, string> {
  const out: Record<string, string> = { ...PROVIDER_PLACEHOLDERS };
  for (const key of KEY_NAMES) {
    const spec: KeySpec = KEYS[key];
    if (spec.placeholder !== undefined) out[`${namespace}:${key}`] = spec.placeholder;
  }
  return out;
}

/** The credentials and the required keys: what an ESC environment usually supplies. */
function environmentCandidates(namespace: string): string[] {
  const ours = KEY_NAMES.filter((k) => {
    const spec: KeySpec = KEYS[k];
    return spec.secret === true || spec.default === undefined;
  }).map((k) => `${namespace}:${k}`);
  return [...ours, ...Object.values(PROVIDER_KEYS_READ).flat()];
}

/**
 * A stack that imports ESC environments: the plan cannot open them (they are resolved by the
 * Pulumi Cloud service when the CLI runs), so it says so, names the keys they may supply that
 * the stack file lacks, and stands in for a way to join the tailnet when none is in the file
 * (the program would otherwise refuse what the environment most likely holds).
 */
function withEnvironments(merged: MergedConfig, inFile: ReadonlySet<string>, environments: readonly string[], namespace: string, stackPath: string): MergedConfig {
  if (environments.length === 0) return merged;
  const values = { ...merged.values };
  const secretKeys = new Set(merged.secretKeys);
  const notes = [...merged.notes];
  const inVariable = (key: string) => key in ENVIRONMENT_VARIABLES && (process.env[ENVIRONMENT_VARIABLES[key]] ?? "") !== "";
  const set = (key: string) => (values[key] ?? "") !== "" || inVariable(key);
  const absent = environmentCandidates(namespace).filter((key) => !inFile.has(key) && !inVariable(key));
  const authKey = `${namespace}:tailscaleAuthKey`;
  if (!["tailscale:apiKey", "tailscale:oauthClientId", authKey].some(set)) {
    values[authKey] = placeholders(namespace)[authKey];
    secretKeys.add(authKey);
    notes.push(`no way to join the tailnet is in the stack file (${authKey}, or Tailscale API credentials): it may come from ${environments.join(", ")}; the plan uses a placeholder auth key`);
  }
  notes.unshift(
    `${stackPath} imports the ESC environment${environments.length === 1 ? "" : "s"} ${environments.join(", ")}, which the plan cannot open offline: ` +
      `values they set are not in this plan (pulumi env open <name> shows them; pulumi preview resolves them). ` +
      `Keys they may set that the stack file does not: ${absent.join(", ")}`,
  );
  return { values, secretKeys: [...secretKeys].sort(), notes };
}

/** Where the providers read a credential from the environment when its key is not set. */
const ENVIRONMENT_VARIABLES: Readonly<Record<string, string>> = {
  "hcloud:token": "HCLOUD_TOKEN",
  "digitalocean:token": "DIGITALOCEAN_TOKEN",
  "tailscale:apiKey": "TAILSCALE_API_KEY",
  "tailscale:oauthClientId": "TAILSCALE_OAUTH_CLIENT_ID",
  "tailscale:oauthClientSecret": "TAILSCALE_OAUTH_CLIENT_SECRET",
};

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
  const project = readProjectFile(join(root, "Pulumi.yaml"));
  try {
    return { project, merged: readStack(project, stackPath, stack) };
  } catch (err) {
    if (!(err instanceof StackConfigError) || !err.merged) throw err;
    const refused = new Set(err.problems.flatMap((p) => p.key.split(",")));
    const more: string[] = [];
    try {
      await evaluate(() => build(process.env), { project: project.name, stack, config: err.merged.values, secretKeys: err.merged.secretKeys, invokes: DEFAULT_INVOKES });
    } catch (inner) {
      if (!(inner instanceof ConfigError)) throw inner;
      for (const issue of inner.issues) {
        if (!refused.has(issue.key.split(" ")[0])) more.push(`${issue.key}: given ${issue.given}; expected ${issue.expected}`);
      }
    }
    throw new PlanConfigError([...err.problems.map((p) => p.message), ...more]);
  }
}

function readStack(project: ProjectFile, stackPath: string, stack: string): MergedConfig {
  const settings = readStackSettings(stackPath);
  const merged = mergeStackConfig(project, stack, settings.config, placeholders(project.name), settings.environments);
  const inFile = new Set(Object.keys(settings.config).map((key) => (key.includes(":") ? key : `${project.name}:${key}`)));
  return withEnvironments(merged, inFile, settings.environments, project.name, stackPath);
}

/**
 * What the emulated server's drift check finds (components/driftCheck.ts): nothing, unless a
 * harness that changed its host says so (the rehearsal does, to hold its drift run).
 */
export const EMULATED_HOST = { drifted: false };

/** The program's dynamic providers, by resource name, for the lifecycle harness. */
export const DYNAMIC_PROVIDERS = {
  "openclaw-rebuild-guard": rebuildGuardProvider,
  "openclaw-gateway-drift-check": emulatedDriftCheck(() => EMULATED_HOST.drifted),
};

