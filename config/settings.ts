/**
 * The package's settings: what a program hands the OpenClawGateway component
 * (components/openclawGateway.ts). They are the stack config keys of Pulumi.yaml, typed, plus
 * the provider credentials, and they are validated by the same rules (config/schema.ts),
 * before the component registers anything.
 */
import * as pulumi from "@pulumi/pulumi";
import { KEYS, KeyName, KeySpec, PROJECT_NAME, fullKey } from "./keys";
import { ConfigIssue, SECRET_KEYS, SecretKeyName, ValidConfig, formatIssues, secretProblem, validateConfig } from "./schema";
import type { ProviderCredentials } from "./index";

/**
 * The settings of one gateway. Every key but `tailnet` is optional and defaults as in
 * Pulumi.yaml. Settings are plain values, so they are checked before anything is created;
 * credentials are inputs and are kept secret.
 */
export interface OpenClawGatewayArgs {
  /** Your tailnet's DNS name, e.g. tail1234.ts.net (Tailscale admin console, DNS page). */
  tailnet: string;
  /** Where the server runs: hetzner (default) or digitalocean. */
  cloud?: string;
  /** Server type (Hetzner) or droplet size (DigitalOcean). Default: cx23 / s-2vcpu-4gb. */
  serverType?: string;
  /** Hetzner location or DigitalOcean region. Default: nbg1 / fra1. */
  location?: string;
  /** The server's machine name on the tailnet, a DNS label. Default: openclaw. */
  hostname?: string;
  /** The cloud provider's automatic server backups. Default: true. */
  backups?: boolean;
  /** Protect the server from deletion and replacement. Default: false. */
  protect?: boolean;
  /** ACL tags the server joins the tailnet with. Default: ["tag:openclaw"]. */
  tailscaleTags?: string[];
  /** The exact OpenClaw release to install; it must have a lock in gateway/locks. Default: 2026.9.6. */
  openclawVersion?: string;
  /** Your numeric Telegram user id, pre-approved. Required with telegramDmPolicy allowlist. */
  telegramOwnerId?: string;
  /** Who may message the bot: pairing (default) or allowlist. open is refused. */
  telegramDmPolicy?: string;
  /** The agents' Docker sandbox network: none (default) or bridge. */
  sandboxNetwork?: string;
  /** Extra OpenSSH public keys for the people who administer the server (tailnet only). */
  operatorSshKeys?: string[];
  /** Bump to rotate the gateway token. Default: 1. */
  gatewayTokenVersion?: number;
  /** Bump to rebuild the server from scratch. Default: 1. */
  serverGeneration?: number;
  /** Carry the newest state over to a rebuilt or moved server. Default: false. */
  restoreOnRebuild?: boolean;
  /** unmanaged (default), managed or managed-with-ci: the stack adds what the server needs to the tailnet policy. */
  tailnetPolicy?: string;
  /** Where restoreOnRebuild restores from: carried (default) or offsite (the newest off-site backup). */
  restoreFrom?: string;
  /** Off-site backups: the object store's S3 endpoint (https://...). Unset: none. */
  offsiteBackupEndpoint?: string;
  /** Off-site backups: the bucket. */
  offsiteBackupBucket?: string;
  /** Off-site backups: the folder in the bucket. Default: <project>-<stack>. */
  offsiteBackupPrefix?: string;
  /** Off-site backups kept, the newest (1-365). Default: 14. */
  offsiteBackupKeep?: number;
  /** Off-site backups: the object store's access key. */
  offsiteBackupAccessKey?: pulumi.Input<string>;
  /** Off-site backups: the object store's secret key. */
  offsiteBackupSecretKey?: pulumi.Input<string>;
  /** Off-site backups: the age identity (AGE-SECRET-KEY-1...) they are encrypted for; the server gets only its public half. */
  offsiteBackupAgeIdentity?: pulumi.Input<string>;
  /** The coder agent: coding from Telegram, every write to a remote approved there (docs/coding.md). Default: false. */
  coding?: boolean;
  /** The name on the coder's commits. Required with coding. */
  gitAuthorName?: string;
  /** The email address on the coder's commits. Required with coding. */
  gitAuthorEmail?: string;
  /** The repositories the coder may clone and push to, as owner/name. Default: any the token reaches. */
  codingRepositories?: string[];
  /** Seconds an approval request waits for the owner's answer (60-600). Default: 600. */
  codingApprovalTimeout?: number;
  /** A fine-grained GitHub token (github_pat_...) for the coder, limited to its repositories. */
  githubToken?: pulumi.Input<string>;
  /** A second fine-grained token, read-only, for the coder's sandbox (private repositories). */
  githubReadToken?: pulumi.Input<string>;
  /** The coder's own bot token (a second bot from BotFather). Required with coding. */
  telegramCoderBotToken?: pulumi.Input<string>;
  /** The dead-man's switch: an https heartbeat URL the server calls after every clean health check. */
  heartbeatUrl?: pulumi.Input<string>;
  /** A single-use, pre-approved, tagged Tailscale auth key; used only without Tailscale API credentials. */
  tailscaleAuthKey?: pulumi.Input<string>;
  /** The Telegram bot token from BotFather (Telegram's bot for making bots). Unset: Telegram is off. */
  telegramBotToken?: pulumi.Input<string>;
  /** Anthropic API key for the gateway's models. */
  anthropicApiKey?: pulumi.Input<string>;
  /** OpenAI API key for the gateway's models. */
  openaiApiKey?: pulumi.Input<string>;
  /** Hetzner Cloud API token. Unset: HCLOUD_TOKEN. */
  hcloudToken?: pulumi.Input<string>;
  /** DigitalOcean API token. Unset: DIGITALOCEAN_TOKEN. */
  digitaloceanToken?: pulumi.Input<string>;
  /** Tailscale API access token: a single-use auth key is minted per server. Unset: TAILSCALE_API_KEY. */
  tailscaleApiKey?: pulumi.Input<string>;
  /** Tailscale OAuth client id (with tailscaleOauthClientSecret). Unset: TAILSCALE_OAUTH_CLIENT_ID. */
  tailscaleOauthClientId?: pulumi.Input<string>;
  /** Tailscale OAuth client secret. Unset: TAILSCALE_OAUTH_CLIENT_SECRET. */
  tailscaleOauthClientSecret?: pulumi.Input<string>;
  /** The tailnet the Tailscale API calls act on. Unset: the credentials' own tailnet. */
  tailscaleTailnet?: string;
}

/**
 * Every stack key is a setting by the same name (the compiler checks it): a program derives
 * its settings from its stack config key by key (program.ts stackSettings).
 */
type KeysWithoutSetting = Exclude<KeyName, keyof OpenClawGatewayArgs>;
export const EVERY_KEY_IS_A_SETTING: [KeysWithoutSetting] extends [never] ? true : KeysWithoutSetting = true;

/** The settings keys that are stack config keys, and the provider credentials with their config keys. */
export const PLAIN_SETTING_KEYS = (Object.keys(KEYS) as KeyName[]).filter((k) => !(KEYS[k] as KeySpec).secret);
export const PROVIDER_SETTINGS = {
  hcloudToken: "hcloud:token",
  digitaloceanToken: "digitalocean:token",
  tailscaleApiKey: "tailscale:apiKey",
  tailscaleOauthClientId: "tailscale:oauthClientId",
  tailscaleOauthClientSecret: "tailscale:oauthClientSecret",
} as const;
type ProviderSetting = keyof typeof PROVIDER_SETTINGS;

/** Validated settings: what the component builds from. */
export interface GatewayConfig extends ValidConfig {
  readonly project: string;
  readonly stack: string;
  /** The secret settings that are set, as secret outputs. */
  readonly secrets: Readonly<Partial<Record<SecretKeyName, pulumi.Output<string>>>>;
  readonly providerCredentials: ProviderCredentials;
}

/** Raised for invalid settings; Pulumi prints a RunError's message without a stack trace. */
export class ConfigError extends pulumi.RunError {
  constructor(
    readonly issues: readonly ConfigIssue[],
    what = "stack configuration",
  ) {
    super(`invalid ${what} (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${formatIssues(issues)}`);
    this.name = "ConfigError";
  }
}

/** A value that is not given: left out, undefined or empty. */
const absent = (v: unknown): boolean => v === undefined || v === null || v === "";

/** The settings' name for a key in an issue: `hostname`, `hcloudToken`. */
function settingName(key: string): string {
  if (key.startsWith(`${PROJECT_NAME}:`)) return key.slice(PROJECT_NAME.length + 1);
  const provider = (Object.keys(PROVIDER_SETTINGS) as ProviderSetting[]).find((k) => key.startsWith(PROVIDER_SETTINGS[k]));
  return provider ? provider + key.slice(PROVIDER_SETTINGS[provider].length) : key;
}

/**
 * Validates the settings with the stack config's rules and returns what the component
 * builds from, or throws ConfigError naming every problem by its setting. Secrets given as
 * plain strings are checked here; secrets given as outputs are checked when their values
 * are known (`checkedSecret`), before the server is created.
 */
export function gatewayConfig(
  args: OpenClawGatewayArgs,
  env: Readonly<Record<string, string | undefined>> = process.env,
): GatewayConfig {
  const issues: ConfigIssue[] = [];
  if (typeof args !== "object" || args === null) {
    throw new ConfigError([{ key: "args", given: String(args), expected: "the gateway's settings, with at least tailnet" }], "OpenClawGateway settings");
  }
  const given = args as unknown as Record<string, unknown>;
  const known = new Set<string>([...Object.keys(KEYS), ...Object.keys(PROVIDER_SETTINGS), "tailscaleTailnet"]);
  for (const key of Object.keys(given).sort()) {
    if (!known.has(key)) issues.push({ key, given: "an unknown setting", expected: "one of the settings of OpenClawGatewayArgs (docs/package.md)" });
  }

  // The settings in the form the stack config arrives in: text, lists as JSON.
  const values: Record<string, string> = {};
  const secretKeys = new Set<string>();
  const pending = new Set<string>();
  for (const key of PLAIN_SETTING_KEYS) {
    const v = given[key];
    if (v === undefined || v === null) continue;
    const type = KEYS[key].type;
    const ok =
      (type === "string" && typeof v === "string") ||
      (type === "boolean" && typeof v === "boolean") ||
      (type === "integer" && typeof v === "number") ||
      (type === "array" && Array.isArray(v) && v.every((x) => typeof x === "string"));
    if (!ok) {
      const expected = { string: "a string", boolean: "true or false", integer: "a whole number", array: "a list of strings" }[type];
      issues.push({ key, given: pulumi.Output.isInstance(v) ? "an output (settings must be plain values)" : `a ${Array.isArray(v) ? "list" : typeof v}`, expected });
      continue;
    }
    values[fullKey(key)] = type === "array" ? JSON.stringify(v) : String(v);
  }
  const secretInputs: Partial<Record<string, pulumi.Input<string>>> = {};
  const note = (full: string, v: unknown): void => {
    if (absent(v)) return;
    secretKeys.add(full);
    if (typeof v === "string") values[full] = v;
    else pending.add(full);
  };
  for (const key of SECRET_KEYS) {
    note(fullKey(key), given[key]);
    secretInputs[key] = given[key] as pulumi.Input<string> | undefined;
  }
  for (const key of Object.keys(PROVIDER_SETTINGS) as ProviderSetting[]) note(PROVIDER_SETTINGS[key], given[key]);
  const tailnetOfApi = given.tailscaleTailnet;
  if (tailnetOfApi !== undefined && typeof tailnetOfApi !== "string") {
    issues.push({ key: "tailscaleTailnet", given: `a ${typeof tailnetOfApi}`, expected: "a tailnet name" });
  }

  const result = validateConfig({ values, secretKeys, pending, env });
  if (!result.ok) issues.push(...result.issues.map((i) => ({ ...i, key: settingName(i.key) })));
  if (issues.length > 0 || !result.ok) throw new ConfigError(issues, "OpenClawGateway settings");
  if (result.config.tailscaleAuth.kind === "mint" && result.config.secretsSet.has("tailscaleAuthKey")) {
    void pulumi.log.warn(
      "OpenClawGateway: tailscaleAuthKey is not used: Tailscale API credentials are set (in the settings or the environment), so a single-use key is minted for the server instead.",
    );
  }

  const secret = (full: string, name: string, v: pulumi.Input<string> | undefined): pulumi.Output<string> | undefined =>
    absent(v) ? undefined : checkedSecret(full, name, pulumi.secret(v as pulumi.Input<string>));
  const secrets: Partial<Record<SecretKeyName, pulumi.Output<string>>> = {};
  for (const key of SECRET_KEYS) {
    if (result.config.secretsSet.has(key)) secrets[key] = secret(fullKey(key), key, secretInputs[key]);
  }
  const provider = (key: ProviderSetting) => secret(PROVIDER_SETTINGS[key], key, given[key] as pulumi.Input<string> | undefined);
  return {
    ...result.config,
    project: pulumi.getProject(),
    stack: pulumi.getStack(),
    secrets,
    providerCredentials: {
      hcloudToken: provider("hcloudToken"),
      digitaloceanToken: provider("digitaloceanToken"),
      tailscaleApiKey: provider("tailscaleApiKey"),
      tailscaleOauthClientId: provider("tailscaleOauthClientId"),
      tailscaleOauthClientSecret: provider("tailscaleOauthClientSecret"),
      tailscaleTailnet: typeof tailnetOfApi === "string" && tailnetOfApi !== "" ? tailnetOfApi : undefined,
    },
  };
}

/**
 * A secret whose value the rules check once it is known: a credential that arrives as an
 * output (another resource's, a secret store's) fails the deployment with the setting's
 * name, never its value, when it resolves.
 */
function checkedSecret(full: string, name: string, value: pulumi.Output<string>): pulumi.Output<string> {
  return value.apply((v) => {
    const problem = secretProblem(full, v);
    if (problem) throw new ConfigError([{ key: name, given: "(secret, not shown)", expected: problem }], "OpenClawGateway settings");
    return v;
  });
}
