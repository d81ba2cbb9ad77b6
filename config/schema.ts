/**
 * Validation of the whole stack configuration, as pure functions over the raw strings
 * Pulumi hands a program. No Pulumi import: this is tested directly, one message at a time.
 */
import { z } from "zod";
import { KEYS, KEY_NAMES, KeyName, PROJECT_NAME, PROVIDER_SECRET_KEYS, fullKey } from "./keys";
import { suggestKey } from "./suggest";
import { sshPublicKeyProblem } from "./sshKey";
import { credentialShape } from "./credentials";
import { USER_DATA_LIMIT_BYTES, largestUserDataSize } from "../cloud-init";
import { OPENCLAW_VERSIONS } from "../gateway/locks";
import { ageRecipient } from "./age";

export type Cloud = "hetzner" | "digitalocean";
export const CLOUDS: readonly Cloud[] = ["hetzner", "digitalocean"];

/** The defaults that depend on the cloud, chosen as the smallest size meeting 2 vCPU / 4 GB / 40 GB. */
export const CLOUD_DEFAULTS: Readonly<Record<Cloud, { serverType: string; location: string }>> = {
  hetzner: { serverType: "cx23", location: "nbg1" },
  digitalocean: { serverType: "s-2vcpu-4gb", location: "fra1" },
};

/** One problem with one key: printed as one line. */
export interface ConfigIssue {
  readonly key: string;
  readonly given: string;
  readonly expected: string;
}

/** The validated, typed values of the plain keys; secrets appear only as "is it set". */
export interface ValidConfig {
  readonly cloud: Cloud;
  readonly serverType: string;
  readonly location: string;
  readonly hostname: string;
  readonly tailnet: string;
  readonly backups: boolean;
  readonly protect: boolean;
  readonly tailscaleTags: readonly string[];
  readonly openclawVersion: string;
  readonly telegramOwnerId?: string;
  readonly telegramDmPolicy: "pairing" | "allowlist";
  readonly sandboxNetwork: "none" | "bridge";
  readonly operatorSshKeys: readonly string[];
  readonly gatewayTokenVersion: number;
  readonly serverGeneration: number;
  readonly restoreOnRebuild: boolean;
  /** Whether the stack adds what the server needs to the tailnet policy (components/tailnetPolicy.ts). */
  readonly tailnetPolicy: "unmanaged" | "managed" | "managed-with-ci";
  /** Where restoreOnRebuild restores from: the old server's carried state, or the newest off-site backup. */
  readonly restoreFrom: "carried" | "offsite";
  /** Off-site backups, when configured: where they go and how many are kept (the credentials are secrets). */
  readonly offsite?: OffsiteConfig;
  /** The coder agent, when coding is on (docs/coding.md). */
  readonly coding?: CodingConfig;
  /**
   * The plain keys the configuration sets (defaults left out), typed as the settings take
   * them: what a program hands the component to build the same gateway (program.ts).
   */
  readonly given: Readonly<Partial<Record<PlainKeyName, unknown>>>;
  /** Which secret keys hold a value. */
  readonly secretsSet: ReadonlySet<SecretKeyName>;
  /** How the server gets its Tailscale auth key. */
  readonly tailscaleAuth: TailscaleAuthSource;
}

/** Off-site backups (gateway/scripts/offsite.sh): the object store and how many are kept. */
export interface OffsiteConfig {
  readonly endpoint: string;
  readonly bucket: string;
  /** The folder in the bucket; empty: the deployment's name (<project>-<stack>). */
  readonly prefix: string;
  readonly keep: number;
}

/** What the coder agent is given: plain values (its GitHub token is a secret, kept apart). */
export interface CodingConfig {
  readonly gitAuthorName: string;
  readonly gitAuthorEmail: string;
  /** owner/name; empty: whatever the token reaches. */
  readonly repositories: readonly string[];
  /** How long an approval request waits for the owner's answer. */
  readonly approvalTimeoutSeconds: number;
}

export type SecretKeyName =
  | "tailscaleAuthKey"
  | "telegramBotToken"
  | "anthropicApiKey"
  | "openaiApiKey"
  | "githubToken"
  | "githubReadToken"
  | "telegramCoderBotToken"
  | "heartbeatUrl"
  | "offsiteBackupAccessKey"
  | "offsiteBackupSecretKey"
  | "offsiteBackupAgeIdentity";
export const SECRET_KEYS: readonly SecretKeyName[] = [
  "tailscaleAuthKey",
  "telegramBotToken",
  "anthropicApiKey",
  "openaiApiKey",
  "githubToken",
  "githubReadToken",
  "telegramCoderBotToken",
  "heartbeatUrl",
  "offsiteBackupAccessKey",
  "offsiteBackupSecretKey",
  "offsiteBackupAgeIdentity",
];

/** `mint`: a TailnetKey is created with the provider's credentials; `supplied`: tailscaleAuthKey is used. */
export type TailscaleAuthSource =
  | { readonly kind: "mint"; readonly credentials: "apiKey" | "oauth" }
  | { readonly kind: "supplied" };

/** Everything the validator reads: the raw config map (all namespaces) and its secret keys. */
export interface RawConfig {
  /** Config values as Pulumi passes them: strings, arrays as JSON. Keys are `namespace:key`. */
  readonly values: Readonly<Record<string, string>>;
  /** Keys whose values are encrypted in the stack file. */
  readonly secretKeys: ReadonlySet<string>;
  /** Environment variables the providers read credentials from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Secret keys that are set to a value not known yet (an output handed to the package's
   * component): they count as set, and `secretProblem` checks the value once it is known.
   */
  readonly pending?: ReadonlySet<string>;
}

export type ValidationResult =
  | { readonly ok: true; readonly config: ValidConfig }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

// ---------------------------------------------------------------------------------------------
// One schema per key, over the raw string. The message of every failure is "what is expected".

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const EXACT_VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const TAG = /^tag:[a-zA-Z0-9][a-zA-Z0-9-]*$/;

const boolean = z
  .enum(["true", "false"], { error: "true or false" })
  .transform((v) => v === "true");

function stringArray(item: z.ZodType<string>, what: string) {
  return z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text);
      } catch {
        ctx.addIssue({ code: "custom", message: `a list of ${what}` });
        return z.NEVER;
      }
    })
    .pipe(z.array(item, { error: `a list of ${what}` }));
}

/** A whole number from 1 (config strings arrive as text). */
function wholeNumber() {
  return z
    .string()
    .regex(/^\d+$/, "a whole number, 1 or more")
    .transform(Number)
    .pipe(z.number().int().min(1, "a whole number, 1 or more").max(1_000_000, "a whole number up to 1000000"));
}

const plainSchemas = {
  cloud: z.enum(CLOUDS, { error: `one of ${CLOUDS.join(", ")}` }),
  serverType: z.string().regex(/^[a-z0-9-]*$/, "a server type name such as cx23 or s-2vcpu-4gb"),
  location: z.string().regex(/^[a-z0-9-]*$/, "a location name such as nbg1 or fra1"),
  hostname: z
    .string()
    .regex(DNS_LABEL, "a DNS label: 1-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen"),
  // The server is reached as <hostname>.<tailnet> when no Tailscale API credentials are set:
  // only a name under ts.net resolves inside the tailnet (MagicDNS) and nowhere else, so any
  // other domain could send the deploy's secrets to a host its owner controls.
  tailnet: z
    .string()
    .min(1, "your tailnet's DNS name, e.g. tail1234.ts.net (Tailscale admin console, DNS page)")
    .regex(
      /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.ts\.net$/,
      "your tailnet's DNS name, e.g. tail1234.ts.net (Tailscale admin console, DNS page): a name under ts.net, which only MagicDNS answers",
    ),
  backups: boolean,
  protect: boolean,
  restoreOnRebuild: boolean,
  tailscaleTags: stringArray(
    z.string().regex(TAG, "tags that start with tag: followed by letters, digits and hyphens"),
    'ACL tags such as ["tag:openclaw"]',
  ).refine((tags) => tags.length > 0, "at least one ACL tag such as tag:openclaw: the server is not a person's device"),
  // The server installs exactly the tree of a lock shipped with this program (gateway/locks):
  // a release without one has no tree to install.
  openclawVersion: z.string().superRefine((v, ctx) => {
    if (!EXACT_VERSION.test(v)) {
      ctx.addIssue({ code: "custom", message: "an exact OpenClaw version such as 2026.9.6 (latest, tags and ranges are refused: pin it)" });
    } else if (!OPENCLAW_VERSIONS.includes(v)) {
      ctx.addIssue({
        code: "custom",
        message: `a release with a lock in gateway/locks: ${OPENCLAW_VERSIONS.join(", ")} (to add one, see docs/gateway.md: npm run lock:openclaw)`,
      });
    }
  }),
  telegramOwnerId: z.string().regex(/^(?:[1-9]\d{0,19})?$/, "your numeric Telegram user id, e.g. 123456789"),
  telegramDmPolicy: z.string().superRefine((v, ctx) => {
    if (v === "open") {
      ctx.addIssue({
        code: "custom",
        message: "pairing or allowlist (open is refused: anyone who finds the bot could command the gateway)",
      });
    } else if (v !== "pairing" && v !== "allowlist") {
      ctx.addIssue({ code: "custom", message: "pairing or allowlist" });
    }
  }),
  sandboxNetwork: z.enum(["none", "bridge"], { error: "none or bridge (host is refused)" }),
  operatorSshKeys: stringArray(
    z.string().superRefine((key, ctx) => {
      const problem = sshPublicKeyProblem(key);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
    "OpenSSH public keys",
  ),
  gatewayTokenVersion: wholeNumber(),
  serverGeneration: wholeNumber(),
  coding: boolean,
  // Both end up in the coder's git config and in every commit it makes: one line of text,
  // no characters a config file or a shell would read as syntax.
  // eslint-disable-next-line no-control-regex -- control characters are what it refuses
  gitAuthorName: z.string().regex(/^(?:[^\x00-\x1f\x7f"\\<>]{1,100})?$/, "a name of 1-100 characters, without quotes, backslashes, angle brackets or control characters"),
  gitAuthorEmail: z.string().regex(/^(?:[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?$/, "an email address such as you@example.com"),
  codingApprovalTimeout: z
    .string()
    .regex(/^\d+$/, "a whole number of seconds from 60 to 600")
    .transform(Number)
    .pipe(z.number().int().min(60, "a whole number of seconds from 60 to 600").max(600, "a whole number of seconds from 60 to 600 (OpenClaw's longest approval wait)")),
  tailnetPolicy: z.enum(["unmanaged", "managed", "managed-with-ci"], { error: "unmanaged, managed or managed-with-ci" }),
  restoreFrom: z.enum(["carried", "offsite"], { error: "carried (the old server's state, fetched before it is deleted) or offsite (the newest off-site backup)" }),
  offsiteBackupEndpoint: z
    .string()
    .regex(/^(?:https:\/\/[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::\d{1,5})?)?$/, "an https:// S3 endpoint without a path, such as https://fsn1.your-objectstorage.com or https://fra1.digitaloceanspaces.com"),
  offsiteBackupBucket: z.string().regex(/^(?:[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])?$/, "a bucket name: 3-63 lowercase letters, digits, dots and hyphens"),
  offsiteBackupPrefix: z.string().regex(/^(?:[A-Za-z0-9][A-Za-z0-9._-]{0,62})?$/, "one folder name: letters, digits, dots, underscores and hyphens, up to 63"),
  offsiteBackupKeep: z
    .string()
    .regex(/^\d+$/, "a whole number of backups from 1 to 365")
    .transform(Number)
    .pipe(z.number().int().min(1, "a whole number of backups from 1 to 365").max(365, "a whole number of backups from 1 to 365")),
  codingRepositories: stringArray(
    z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/, "GitHub repositories as owner/name, such as octo-org/app"),
    'GitHub repositories such as ["octo-org/app"]',
  ).refine((repos) => new Set(repos.map((r) => r.toLowerCase())).size === repos.length, "each repository once"),
} as const;

/** What each secret must look like. Messages never include the value. */
const secretSchemas: Readonly<Record<SecretKeyName, z.ZodType<string>>> = {
  tailscaleAuthKey: z.string().superRefine((v, ctx) => {
    if (v.startsWith("tskey-api-")) {
      ctx.addIssue({
        code: "custom",
        message: "an auth key (tskey-auth-...); this is an API access token: set it as tailscale:apiKey instead",
      });
    } else if (v.startsWith("tskey-client-")) {
      ctx.addIssue({
        code: "custom",
        message: "an auth key (tskey-auth-...); this is an OAuth client secret: set it as tailscale:oauthClientSecret",
      });
    } else if (!/^[A-Za-z0-9_-]{16,}$/.test(v)) {
      ctx.addIssue({ code: "custom", message: "a Tailscale auth key such as tskey-auth-k123...-abc..." });
    }
  }),
  telegramBotToken: z.string().regex(/^\d{5,}:[A-Za-z0-9_-]{30,}$/, "a bot token from @BotFather: <digits>:<35 characters>"),
  anthropicApiKey: z.string().regex(/^sk-ant-[A-Za-z0-9_-]{10,}$/, "an Anthropic API key (sk-ant-...)"),
  openaiApiKey: z.string().regex(/^sk-[A-Za-z0-9_-]{10,}$/, "an OpenAI API key (sk-...)"),
  // Fine-grained tokens name the repositories they reach; a classic token (ghp_) reaches
  // every repository its owner can, so a prompt-injected push could land anywhere.
  githubToken: fineGrainedToken(),
  githubReadToken: fineGrainedToken(),
  telegramCoderBotToken: z.string().regex(/^\d{5,}:[A-Za-z0-9_-]{30,}$/, "a bot token from @BotFather: <digits>:<35 characters>"),
  // Called with a plain GET by the server; the characters are those the server's secrets
  // file carries (no query string: Healthchecks' and Uptime Kuma's push URLs need none).
  offsiteBackupAccessKey: z.string().regex(/^[A-Za-z0-9]{16,128}$/, "an S3 access key: 16-128 letters and digits"),
  offsiteBackupSecretKey: z.string().regex(/^[A-Za-z0-9/+=]{20,128}$/, "an S3 secret key: 20-128 letters, digits, /, + and ="),
  offsiteBackupAgeIdentity: z.string().refine((v) => ageRecipient(v) !== undefined, {
    message: "an age identity from age-keygen: AGE-SECRET-KEY-1 followed by 58 characters (the secret key line, not the age1... public key)",
  }),
  heartbeatUrl: z
    .string()
    .max(512)
    .regex(/^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9_.\-+/=:]*)?$/, "an https:// heartbeat URL without a query string, such as https://hc-ping.com/<uuid>"),
};

function fineGrainedToken(): z.ZodType<string> {
  return z.string().superRefine((v, ctx) => {
    if (/^gh[opsur]_/.test(v)) {
      ctx.addIssue({
        code: "custom",
        message: "a fine-grained personal access token (github_pat_...), limited to the coder's repositories: a classic or app token reaches every repository its owner can (docs/coding.md)",
      });
    } else if (!/^github_pat_[A-Za-z0-9_]{40,}$/.test(v)) {
      ctx.addIssue({ code: "custom", message: "a fine-grained GitHub personal access token (github_pat_...)" });
    }
  });
}

const PLAIN_KEYS = Object.keys(plainSchemas) as PlainKeyName[];

/** The keys that hold plain values (every key but the secrets). */
export type PlainKeyName = keyof typeof plainSchemas;

// ---------------------------------------------------------------------------------------------

/** The value a key has once Pulumi.yaml's default is applied, as the CLI would pass it. */
export function rawValue(values: Readonly<Record<string, string>>, key: KeyName): string | undefined {
  const given = values[fullKey(key)];
  if (given !== undefined) return given;
  const spec = KEYS[key];
  if (!("default" in spec)) return undefined;
  const d: unknown = spec.default;
  return typeof d === "string" ? d : JSON.stringify(d);
}

function shown(value: string | undefined, secret: boolean): string {
  if (value === undefined) return "(not set)";
  if (secret) return "(secret, not shown)";
  // A credential in the wrong key: say what it looks like, never print it.
  const looksLike = credentialShape(value);
  if (looksLike) return `a value that looks like ${looksLike} (not shown)`;
  // Lists arrive as JSON text: show them as written rather than quoted twice.
  return value.startsWith("[") ? value : JSON.stringify(value);
}

/** The keys of the providers' namespaces the program reads (config/index.ts), by namespace. */
export const PROVIDER_KEYS_READ: Readonly<Record<string, readonly string[]>> = {
  hcloud: ["hcloud:token"],
  digitalocean: ["digitalocean:token"],
  tailscale: ["tailscale:apiKey", "tailscale:oauthClientId", "tailscale:oauthClientSecret", "tailscale:tailnet"],
};

/** Validates every key at once. Nothing here throws: every problem becomes one issue. */
export function validateConfig(raw: RawConfig): ValidationResult {
  const issues: ConfigIssue[] = [];
  const add = (key: string, given: string, expected: string) => issues.push({ key, given, expected });

  // Unknown keys in our namespace: typos must not silently fall back to defaults.
  for (const full of Object.keys(raw.values).sort()) {
    if (!full.startsWith(`${PROJECT_NAME}:`)) continue;
    const name = full.slice(PROJECT_NAME.length + 1);
    if (!(KEY_NAMES as string[]).includes(name)) {
      const hint = suggestKey(name, KEY_NAMES);
      add(full, "an unknown key", hint ? `a known key: did you mean ${fullKey(hint)}?` : `one of the keys in Pulumi.yaml`);
    }
  }

  // The providers' own keys: the program builds each provider explicitly from the keys below
  // (components/providers.ts), so any other key in their namespaces (an endpoint, a poll
  // interval) would be ignored without a word. Refused instead.
  for (const full of Object.keys(raw.values).sort()) {
    const namespace = full.split(":")[0];
    const read = PROVIDER_KEYS_READ[namespace];
    if (read && !read.includes(full)) {
      add(full, "a value", `the key removed: the program builds its ${namespace} provider explicitly from ${read.join(", ")} alone, so ${full} would be ignored (the provider talks to its default API)`);
    }
  }

  const parsed: Partial<Record<KeyName, unknown>> = {};
  for (const key of PLAIN_KEYS) {
    const value = rawValue(raw.values, key);
    if (value === undefined) {
      add(fullKey(key), "(not set)", KEYS[key].description);
      continue;
    }
    const result = plainSchemas[key].safeParse(value);
    if (result.success) {
      parsed[key] = result.data;
    } else {
      for (const issue of result.error.issues) {
        const index = issue.path.find((p): p is number => typeof p === "number");
        const where = index === undefined ? "" : ` (item ${index + 1})`;
        add(fullKey(key) + where, shown(value, false), issue.message);
      }
    }
  }

  const secretsSet = new Set<SecretKeyName>();
  for (const key of SECRET_KEYS) {
    const full = fullKey(key);
    if (raw.pending?.has(full)) {
      secretsSet.add(key);
      continue;
    }
    const value = rawValue(raw.values, key) ?? "";
    if (value === "") continue;
    if (!raw.secretKeys.has(full)) {
      add(full, "a value stored in plain text", `an encrypted value: pulumi config set --secret ${full} <value>`);
      continue;
    }
    const result = secretSchemas[key].safeParse(value);
    if (result.success) secretsSet.add(key);
    else add(full, shown(value, true), result.error.issues[0]?.message ?? "a valid value");
  }

  // Provider credentials are refused in plain text the same way: state and CLI output would
  // show them otherwise.
  for (const full of PROVIDER_SECRET_KEYS) {
    const value = raw.values[full];
    if (value !== undefined && value !== "" && !raw.secretKeys.has(full)) {
      add(full, "a value stored in plain text", `an encrypted value: pulumi config set --secret ${full} <value>`);
    }
  }

  checkProviderShapes(raw, add);

  const cloud = parsed.cloud as Cloud | undefined;
  if (cloud) crossCheckSizes(cloud, parsed, add);
  crossCheckTelegram(parsed, raw, add);
  crossCheckCoding(parsed, raw, secretsSet, add);
  crossCheckOffsite(parsed, raw, add);
  crossCheckUserDataSize(parsed, add);
  const tailscaleAuth = chooseTailscaleAuth(raw, secretsSet, add);
  if (tailscaleAuth?.kind === "supplied" && parsed.tailnetPolicy !== undefined && parsed.tailnetPolicy !== "unmanaged") {
    add(
      fullKey("tailnetPolicy"),
      JSON.stringify(parsed.tailnetPolicy),
      "unmanaged, or Tailscale API credentials with the policy_file scope (tailscale:oauthClientId and tailscale:oauthClientSecret, or tailscale:apiKey): the policy is changed through the API",
    );
  }

  if (issues.length > 0 || !cloud || !tailscaleAuth) return { ok: false, issues };
  const p = parsed as Record<string, unknown>;
  const defaults = CLOUD_DEFAULTS[cloud];
  return {
    ok: true,
    config: {
      cloud,
      serverType: (p.serverType as string) || defaults.serverType,
      location: (p.location as string) || defaults.location,
      hostname: p.hostname as string,
      tailnet: p.tailnet as string,
      backups: p.backups as boolean,
      protect: p.protect as boolean,
      tailscaleTags: p.tailscaleTags as string[],
      openclawVersion: p.openclawVersion as string,
      telegramOwnerId: (p.telegramOwnerId as string) || undefined,
      telegramDmPolicy: p.telegramDmPolicy as "pairing" | "allowlist",
      sandboxNetwork: p.sandboxNetwork as "none" | "bridge",
      operatorSshKeys: p.operatorSshKeys as string[],
      gatewayTokenVersion: p.gatewayTokenVersion as number,
      serverGeneration: p.serverGeneration as number,
      restoreOnRebuild: p.restoreOnRebuild as boolean,
      restoreFrom: p.restoreFrom as "carried" | "offsite",
      tailnetPolicy: p.tailnetPolicy as "unmanaged" | "managed" | "managed-with-ci",
      ...(p.offsiteBackupEndpoint
        ? {
            offsite: {
              endpoint: p.offsiteBackupEndpoint as string,
              bucket: p.offsiteBackupBucket as string,
              prefix: p.offsiteBackupPrefix as string,
              keep: p.offsiteBackupKeep as number,
            },
          }
        : {}),
      ...(p.coding
        ? {
            coding: {
              gitAuthorName: p.gitAuthorName as string,
              gitAuthorEmail: p.gitAuthorEmail as string,
              repositories: p.codingRepositories as string[],
              approvalTimeoutSeconds: p.codingApprovalTimeout as number,
            },
          }
        : {}),
      given: Object.fromEntries(PLAIN_KEYS.filter((key) => raw.values[fullKey(key)] !== undefined).map((key) => [key, parsed[key]])),
      secretsSet,
      tailscaleAuth,
    },
  };
}

type Add = (key: string, given: string, expected: string) => void;

/**
 * The user data must fit the clouds' limit (Hetzner: 32 KiB), and what grows it is the
 * operator keys: checked here, before anything is registered, not when the document is
 * rendered inside the deployment.
 */
function crossCheckUserDataSize(parsed: Partial<Record<KeyName, unknown>>, add: Add): void {
  const keys = parsed.operatorSshKeys as string[] | undefined;
  const hostname = parsed.hostname as string | undefined;
  const tags = parsed.tailscaleTags as string[] | undefined;
  if (!keys || hostname === undefined || !tags) return;
  const size = largestUserDataSize({ hostname, operatorKeys: keys, tags });
  if (size > USER_DATA_LIMIT_BYTES) {
    add(
      fullKey("operatorSshKeys"),
      `${keys.length} keys, making the user data up to ${size} bytes`,
      `keys that keep the user data within ${USER_DATA_LIMIT_BYTES} bytes (the clouds' limit): fewer keys, or ed25519 keys, which are a tenth of the size of RSA-4096 ones`,
    );
  }
}

/**
 * Locations known on each cloud, used to catch one cloud's name given for the other.
 * Names outside both lists are accepted when they have the right form: clouds add regions.
 */
const HETZNER_LOCATIONS = ["fsn1", "nbg1", "hel1", "ash", "hil", "sin"];
const DIGITALOCEAN_REGIONS = ["nyc1", "nyc2", "nyc3", "sfo2", "sfo3", "ams3", "sgp1", "lon1", "fra1", "tor1", "blr1", "syd1", "atl1"];

/** Server type and location names differ between the clouds: catch one cloud's name on the other. */
function crossCheckSizes(cloud: Cloud, parsed: Partial<Record<KeyName, unknown>>, add: Add): void {
  const serverType = parsed.serverType as string | undefined;
  const location = parsed.location as string | undefined;
  if (cloud === "hetzner") {
    if (serverType && !/^(?:cx|cpx|cax|ccx)\d+$/.test(serverType)) {
      add(fullKey("serverType"), JSON.stringify(serverType), "a Hetzner server type such as cx23, cpx22 or cax11 (cloud is hetzner)");
    }
    if (location && (!/^[a-z]{3}\d?$/.test(location) || DIGITALOCEAN_REGIONS.includes(location))) {
      add(fullKey("location"), JSON.stringify(location), "a Hetzner location such as nbg1, fsn1, hel1, ash, hil or sin (cloud is hetzner)");
    }
    return;
  }
  if (serverType) {
    const m = /^s-(\d+)vcpu-(\d+)gb(?:-[a-z0-9-]+)?$/.exec(serverType);
    if (!/^[a-z]+(?:-[a-z0-9]+)+$/.test(serverType)) {
      add(fullKey("serverType"), JSON.stringify(serverType), "a DigitalOcean droplet size such as s-2vcpu-4gb (cloud is digitalocean)");
    } else if (m && (Number(m[1]) < 2 || Number(m[2]) < 4)) {
      add(fullKey("serverType"), JSON.stringify(serverType), "a droplet size with at least 2 vCPU and 4 GB RAM, such as s-2vcpu-4gb");
    }
  }
  if (location && (!/^[a-z]{3}\d$/.test(location) || HETZNER_LOCATIONS.includes(location))) {
    add(fullKey("location"), JSON.stringify(location), "a DigitalOcean region such as fra1, ams3 or nyc3 (cloud is digitalocean)");
  }
}

function crossCheckTelegram(parsed: Partial<Record<KeyName, unknown>>, raw: RawConfig, add: Add): void {
  const tokenGiven = (rawValue(raw.values, "telegramBotToken") ?? "") !== "" || (raw.pending?.has(fullKey("telegramBotToken")) ?? false);
  const ownerId = parsed.telegramOwnerId as string | undefined;
  if (ownerId && !tokenGiven) {
    add(fullKey("telegramOwnerId"), JSON.stringify(ownerId), `set together with ${fullKey("telegramBotToken")} (Telegram is off without a bot token)`);
  }
  if (parsed.telegramDmPolicy === "allowlist" && !ownerId && tokenGiven) {
    add(fullKey("telegramDmPolicy"), '"allowlist"', `${fullKey("telegramOwnerId")} set as well: an allowlist with nobody on it locks everyone out`);
  }
}

/**
 * Off-site backups need all of it: the endpoint, the bucket, both S3 keys and the age identity
 * (each missing one named); their keys without the endpoint are refused as unused; restoring
 * from off-site needs them and restoreOnRebuild.
 */
function crossCheckOffsite(parsed: Partial<Record<KeyName, unknown>>, raw: RawConfig, add: Add): void {
  const given = (key: KeyName): boolean => (rawValue(raw.values, key) ?? "") !== "" || (raw.pending?.has(fullKey(key)) ?? false);
  const parts = ["offsiteBackupBucket", "offsiteBackupAccessKey", "offsiteBackupSecretKey", "offsiteBackupAgeIdentity"] as const;
  const on = given("offsiteBackupEndpoint");
  if (on) {
    const what: Record<(typeof parts)[number], string> = {
      offsiteBackupBucket: "the bucket the backups go to",
      offsiteBackupAccessKey: `the object store's access key (pulumi config set --secret ${fullKey("offsiteBackupAccessKey")} ...)`,
      offsiteBackupSecretKey: `the object store's secret key (pulumi config set --secret ${fullKey("offsiteBackupSecretKey")} ...)`,
      offsiteBackupAgeIdentity: `an age identity from age-keygen, to encrypt the backups (pulumi config set --secret ${fullKey("offsiteBackupAgeIdentity")} AGE-SECRET-KEY-1...)`,
    };
    for (const key of parts) if (!given(key)) add(fullKey(key), "(not set)", `${what[key]} (${fullKey("offsiteBackupEndpoint")} is set)`);
  } else {
    for (const key of [...parts, "offsiteBackupPrefix"] as const) {
      if (given(key)) add(fullKey(key), "secret" in KEYS[key] ? "(secret, set)" : "a value", `${fullKey("offsiteBackupEndpoint")} set as well, or the key removed: it is used only by off-site backups`);
    }
  }
  if (parsed.restoreFrom === "offsite") {
    if (!on) add(fullKey("restoreFrom"), '"offsite"', `off-site backups configured (${fullKey("offsiteBackupEndpoint")} and the keys that go with it)`);
    if (parsed.restoreOnRebuild === false) add(fullKey("restoreFrom"), '"offsite"', `${fullKey("restoreOnRebuild")} true as well: restoreFrom says where a rebuild restores from`);
  }
}

/**
 * Coding needs everything its workflow uses: a GitHub token and an identity for the commits,
 * Telegram with a known owner (the approvals go to that account alone) and a model. The
 * coding keys without coding on are refused too: a token that is set but never used is a
 * credential stored for nothing, and the user meant something by it.
 */
function crossCheckCoding(parsed: Partial<Record<KeyName, unknown>>, raw: RawConfig, secretsSet: ReadonlySet<SecretKeyName>, add: Add): void {
  const given = (key: KeyName): boolean => (rawValue(raw.values, key) ?? "") !== "" || (raw.pending?.has(fullKey(key)) ?? false);
  const repos = parsed.codingRepositories as string[] | undefined;
  if (parsed.coding !== true) {
    if (parsed.coding === false) {
      for (const key of ["githubToken", "githubReadToken", "telegramCoderBotToken", "gitAuthorName", "gitAuthorEmail"] as const) {
        if (given(key)) add(fullKey(key), KEYS[key].type === "string" && "secret" in KEYS[key] ? "(secret, set)" : "a value", `${fullKey("coding")} true as well, or the key removed: it is used only by the coder`);
      }
      if (repos && repos.length > 0) add(fullKey("codingRepositories"), JSON.stringify(repos), `${fullKey("coding")} true as well, or the key removed: it is used only by the coder`);
      // The plan and the CLI hand on Pulumi.yaml's default: only another value was meant for the coder.
      const timeout = raw.values[fullKey("codingApprovalTimeout")];
      if (timeout !== undefined && timeout !== String(KEYS.codingApprovalTimeout.default)) add(fullKey("codingApprovalTimeout"), timeout, `${fullKey("coding")} true as well, or the key removed: it is used only by the coder`);
    }
    return;
  }
  const need = (key: KeyName, why: string): void => {
    if (!given(key)) add(fullKey(key), "(not set)", `${why} (${fullKey("coding")} is true)`);
  };
  need("githubToken", `a fine-grained GitHub token for the coder: pulumi config set --secret ${fullKey("githubToken")} github_pat_...`);
  need("gitAuthorName", "the name on the coder's commits");
  need("gitAuthorEmail", "the email address on the coder's commits");
  need("telegramBotToken", "the chat bot: coding adds a second bot beside it");
  need("telegramCoderBotToken", `the coder's own bot from @BotFather: its chat is where you give tasks and answer approvals (pulumi config set --secret ${fullKey("telegramCoderBotToken")} ...)`);
  if (parsed.telegramOwnerId === undefined || parsed.telegramOwnerId === "") {
    if (given("telegramBotToken")) add(fullKey("telegramOwnerId"), "(not set)", `your numeric Telegram user id: the approvals go to that account alone (${fullKey("coding")} is true)`);
  }
  const value = (key: KeyName) => rawValue(raw.values, key) ?? "";
  if (value("telegramCoderBotToken") !== "" && value("telegramCoderBotToken") === value("telegramBotToken")) {
    add(fullKey("telegramCoderBotToken"), "(secret, the chat bot's token)", "a second bot's token: one bot cannot be both chats");
  }
  if (value("githubReadToken") !== "" && value("githubReadToken") === value("githubToken")) {
    add(fullKey("githubReadToken"), "(secret, the write token)", "a read-only token of its own: the sandbox must never hold the token that writes");
  }
  if (!secretsSet.has("anthropicApiKey") && !secretsSet.has("openaiApiKey") && !given("anthropicApiKey") && !given("openaiApiKey")) {
    add(fullKey("anthropicApiKey"), "(not set)", `a model key for the coder: ${fullKey("anthropicApiKey")} or ${fullKey("openaiApiKey")} (${fullKey("coding")} is true)`);
  }
}

/**
 * What each provider credential looks like, from config or its environment variable: a
 * credential given in the wrong key (an auth key as tailscale:apiKey) or with characters no
 * credential has (quotes, spaces, shell syntax) is refused, saying what was found, never the
 * value.
 */
const PROVIDER_SHAPES: readonly { key: string; env: string; pattern: RegExp; expected: string }[] = [
  { key: "hcloud:token", env: "HCLOUD_TOKEN", pattern: /^[A-Za-z0-9]{64}$/, expected: "a Hetzner Cloud API token: 64 letters and digits (Console → Security → API tokens)" },
  { key: "digitalocean:token", env: "DIGITALOCEAN_TOKEN", pattern: /^(dop_v1_)?[0-9a-f]{64}$/, expected: "a DigitalOcean personal access token (dop_v1_ and 64 hex digits)" },
  { key: "tailscale:apiKey", env: "TAILSCALE_API_KEY", pattern: /^tskey-api-[A-Za-z0-9-]+$/, expected: "a Tailscale API access token (tskey-api-...)" },
  { key: "tailscale:oauthClientSecret", env: "TAILSCALE_OAUTH_CLIENT_SECRET", pattern: /^tskey-client-[A-Za-z0-9-]+$/, expected: "a Tailscale OAuth client secret (tskey-client-...)" },
  { key: "tailscale:oauthClientId", env: "TAILSCALE_OAUTH_CLIENT_ID", pattern: /^[A-Za-z0-9]+$/, expected: "a Tailscale OAuth client id (letters and digits)" },
];

function checkProviderShapes(raw: RawConfig, add: Add): void {
  for (const shape of PROVIDER_SHAPES) {
    for (const [where, value] of [[shape.key, raw.values[shape.key]], [`${shape.env} (environment)`, raw.env[shape.env]]] as const) {
      if (value === undefined || value === "" || shape.pattern.test(value)) continue;
      const looksLike = credentialShape(value);
      add(where, looksLike ? `a value that looks like ${looksLike} (not shown)` : "a value of another form (not shown)", shape.expected);
    }
  }
}

/**
 * What is wrong with a secret's value (one of ours, `openclaw-vps:telegramBotToken`, or a
 * provider credential, `hcloud:token`), or undefined when it has the right form. For values
 * that become known only during the deployment. The message never includes the value.
 */
export function secretProblem(full: string, value: string): string | undefined {
  if (value === "") return "a value (it is empty: leave the setting out instead)";
  const ours = SECRET_KEYS.find((k) => fullKey(k) === full);
  if (ours) {
    const result = secretSchemas[ours].safeParse(value);
    return result.success ? undefined : (result.error.issues[0]?.message ?? "a valid value");
  }
  const shape = PROVIDER_SHAPES.find((s) => s.key === full);
  if (!shape) throw new Error(`internal: ${full} is not a secret key`);
  if (shape.pattern.test(value)) return undefined;
  const looksLike = credentialShape(value);
  return looksLike ? `${shape.expected} (this looks like ${looksLike})` : shape.expected;
}

/** Tailscale API credentials mint a fresh key; without them the stack must supply one. */
function chooseTailscaleAuth(
  raw: RawConfig,
  secretsSet: ReadonlySet<SecretKeyName>,
  add: Add,
): TailscaleAuthSource | undefined {
  const has = (key: string, envName: string) =>
    (raw.values[key] ?? "") !== "" || (raw.pending?.has(key) ?? false) || (raw.env[envName] ?? "") !== "";
  const apiKey = has("tailscale:apiKey", "TAILSCALE_API_KEY");
  const clientId = has("tailscale:oauthClientId", "TAILSCALE_OAUTH_CLIENT_ID");
  const clientSecret = has("tailscale:oauthClientSecret", "TAILSCALE_OAUTH_CLIENT_SECRET");
  if (clientId !== clientSecret) {
    const missing = clientId ? "tailscale:oauthClientSecret" : "tailscale:oauthClientId";
    add(missing, "(not set)", "both tailscale:oauthClientId and tailscale:oauthClientSecret, or neither");
    return undefined;
  }
  if (apiKey) return { kind: "mint", credentials: "apiKey" };
  if (clientId && clientSecret) return { kind: "mint", credentials: "oauth" };
  if (secretsSet.has("tailscaleAuthKey")) return { kind: "supplied" };
  if ((rawValue(raw.values, "tailscaleAuthKey") ?? "") !== "") return undefined; // already reported
  add(
    fullKey("tailscaleAuthKey"),
    "(not set)",
    "a way to join the tailnet: either Tailscale API credentials, so a single-use key is minted per server " +
      "(pulumi config set tailscale:oauthClientId ... and pulumi config set --secret tailscale:oauthClientSecret ..., " +
      "or pulumi config set --secret tailscale:apiKey ...), or a single-use, pre-approved, tagged auth key " +
      `(pulumi config set --secret ${fullKey("tailscaleAuthKey")} tskey-auth-...)`,
  );
  return undefined;
}

/** One line per problem: the key, what was given, what is expected. */
export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((i) => `${i.key}: given ${i.given}; expected ${i.expected}`).join("\n");
}
