/**
 * openclaw.json, rendered from typed settings by a pure function. The types mirror the
 * part of OpenClaw 2026.9.6's schema this project sets; the schema is strict, so a key it
 * does not know would fail `openclaw config validate` (checked with the real CLI in CI).
 * Secrets never appear here: each is an env SecretRef resolved from the 0600 .env file.
 */
import { CODER_MIRRORS, CODER_PLUGIN_DIR, CODER_PLUGIN_ID, CODER_WORKSPACE, GATEWAY_PORT } from "./paths";
import { CODER_NETWORK, PROXY_URL } from "./coding";

/** A reference to an environment variable, resolved by OpenClaw at run time. */
export interface EnvSecretRef {
  readonly source: "env";
  readonly provider: "default";
  readonly id: string;
}

export const envRef = (id: string): EnvSecretRef => ({ source: "env", provider: "default", id });

/** The variables the .env file holds; the config refers to them by name only. */
export const ENV_NAMES = {
  gatewayToken: "OPENCLAW_GATEWAY_TOKEN",
  telegramBotToken: "TELEGRAM_BOT_TOKEN",
  anthropicApiKey: "ANTHROPIC_API_KEY",
  openaiApiKey: "OPENAI_API_KEY",
  /** The coder's own bot: its chat is where tasks go and approvals arrive. */
  telegramCoderBotToken: "TELEGRAM_CODER_BOT_TOKEN",
  /** The write token: read by the coder gate on the host, never given to the sandbox. */
  githubToken: "CODER_GITHUB_TOKEN",
  /** The read-only token the sandbox clones and fetches with. */
  githubReadToken: "CODER_GITHUB_READ_TOKEN",
  /** The heartbeat URL: configure.sh takes it out of the gateway's .env into a root-only file. */
  heartbeatUrl: "OPENCLAW_VPS_HEARTBEAT_URL",
  /** Off-site backups' settings and credentials: out of the .env too, into another root-only file. */
  offsiteEndpoint: "OPENCLAW_VPS_OFFSITE_ENDPOINT",
  offsiteBucket: "OPENCLAW_VPS_OFFSITE_BUCKET",
  offsitePrefix: "OPENCLAW_VPS_OFFSITE_PREFIX",
  offsiteKeep: "OPENCLAW_VPS_OFFSITE_KEEP",
  /** The public half of the age identity: the server encrypts to it and cannot decrypt. */
  offsiteRecipient: "OPENCLAW_VPS_OFFSITE_RECIPIENT",
  offsiteAccessKey: "OPENCLAW_VPS_OFFSITE_ACCESS_KEY",
  offsiteSecretKey: "OPENCLAW_VPS_OFFSITE_SECRET_KEY",
} as const;

type ToolProfile = "minimal" | "coding" | "messaging" | "full";

interface ToolPolicy {
  readonly profile: ToolProfile;
  readonly deny?: readonly string[];
}

interface DockerSandbox {
  readonly image: string;
  readonly network: "none" | "bridge" | typeof CODER_NETWORK.name;
  readonly readOnlyRoot: boolean;
  readonly capDrop: readonly string[];
  readonly pidsLimit: number;
  readonly memory: string;
  readonly user: string;
}

interface TelegramAccount {
  readonly name: string;
  readonly botToken: EnvSecretRef;
}

interface TelegramChannel {
  readonly enabled: true;
  /** One bot (coding off); with coding, each bot is an account. */
  readonly botToken?: EnvSecretRef;
  readonly defaultAccount?: "default";
  readonly accounts?: Readonly<Record<"default" | "coder", TelegramAccount>>;
  readonly execApprovals?: { readonly enabled: true; readonly approvers: readonly string[]; readonly target: "dm" };
  readonly dmPolicy: "pairing" | "allowlist";
  readonly allowFrom?: readonly string[];
  readonly groupPolicy: "disabled";
  readonly configWrites: false;
}

interface AgentEntry {
  readonly name: string;
  readonly workspace?: string;
  readonly sandbox?: {
    readonly mode: "all";
    readonly scope?: "agent";
    readonly workspaceAccess?: "rw";
    readonly docker?: Partial<DockerSandbox> & { readonly env: Readonly<Record<string, string>>; readonly tmpfs: readonly string[] };
  };
  readonly tools: ToolPolicy & {
    readonly alsoAllow?: readonly string[];
    readonly elevated?: { readonly enabled: false };
    readonly sandbox?: { readonly tools: { readonly alsoAllow: readonly string[] } };
  };
}

/** The coder gate's settings (gateway/plugins/coder-gate): where the writes come from, and the token's name. */
interface CoderGateConfig {
  readonly agentId: string;
  readonly workspace: string;
  readonly mirrors: string;
  readonly repositories: readonly string[];
  readonly tokenEnv: string;
  readonly approvalTimeoutSeconds: number;
}

/** The subset of OpenClaw's configuration this project writes. */
export interface OpenClawConfig {
  readonly gateway: {
    readonly mode: "local";
    readonly bind: "loopback";
    readonly port: number;
    readonly auth: {
      readonly mode: "token";
      readonly token: EnvSecretRef;
      readonly allowTailscale: false;
      readonly rateLimit: { readonly maxAttempts: number; readonly windowMs: number; readonly lockoutMs: number; readonly exemptLoopback: boolean };
    };
    readonly tailscale: { readonly mode: "off" };
    readonly trustedProxies: readonly string[];
    readonly controlUi: { readonly enabled: boolean; readonly allowedOrigins: readonly string[] };
    readonly terminal: { readonly enabled: boolean };
  };
  readonly discovery: { readonly mdns: { readonly mode: "off" } };
  readonly browser: { readonly enabled: false };
  readonly plugins: {
    readonly allow: readonly string[];
    readonly load?: { readonly paths: readonly string[] };
    readonly entries?: Readonly<Record<string, { readonly enabled: true; readonly config: CoderGateConfig }>>;
  };
  readonly tools: {
    readonly profile: ToolProfile;
    readonly elevated: { readonly enabled: false };
    readonly codeMode: false;
    readonly exec: { readonly host: "sandbox" };
    readonly fs: { readonly workspaceOnly: true };
    readonly sessions: { readonly visibility: "agent" };
    readonly agentToAgent: { readonly enabled: false };
  };
  readonly commands: { readonly config: false; readonly bash: false };
  readonly session: { readonly dmScope: "per-channel-peer" };
  readonly agents: {
    readonly ownership: "explicit";
    readonly defaults: {
      readonly model?: { readonly primary: string };
      readonly systemAgent: { readonly agentId: string };
      readonly sandbox: {
        readonly mode: "all";
        readonly scope: "agent";
        readonly workspaceAccess: "none";
        readonly docker: DockerSandbox;
      };
    };
    readonly entries: Readonly<Record<string, AgentEntry>>;
  };
  readonly channels?: { readonly telegram: TelegramChannel };
  readonly bindings?: readonly { readonly agentId: string; readonly comment: string; readonly match: { readonly channel: string; readonly accountId: string } }[];
}

/** What decides the gateway's configuration, all plain values. */
export interface GatewaySettings {
  /** `<hostname>.<tailnet>`: the only origin the Control UI accepts. */
  readonly tailnetHost: string;
  /** Telegram, when a bot token is configured. */
  readonly telegram?: { readonly dmPolicy: "pairing" | "allowlist"; readonly ownerId?: string };
  /** Which model keys exist (the keys themselves live in .env). */
  readonly models: { readonly anthropic: boolean; readonly openai: boolean };
  /** The sandbox image tag, built on the server. */
  readonly sandboxImage: string;
  readonly sandboxNetwork: "none" | "bridge";
  /** The coder agent (docs/coding.md); absent: the chat gateway alone. */
  readonly coding?: CodingSettings;
  /** Off-site backups are configured (gateway/scripts/offsite.sh); the gateway's own config is the same either way. */
  readonly offsite?: boolean;
}

export interface CodingSettings {
  /** The one Telegram account that may give tasks and answer approvals. */
  readonly ownerId: string;
  readonly gitAuthorName: string;
  readonly gitAuthorEmail: string;
  /** owner/name; empty: any the token reaches. */
  readonly repositories: readonly string[];
  /** Whether the sandbox has a read-only GitHub token (private repositories). */
  readonly readToken: boolean;
  /** How long an approval request waits for the owner's answer (OpenClaw allows up to 600 s). */
  readonly approvalTimeoutSeconds: number;
}

/** The coder gate's tools: the only way the coder writes to GitHub. */
export const CODER_TOOLS = ["coder_push", "coder_pr_create", "coder_pr_merge"] as const;

/** The chat-facing agent: it talks, and may not run code, touch files or automate. */
export const CHAT_AGENT = "main";
/** The coding agent: the coding tool profile, always inside the Docker sandbox. */
export const CODER_AGENT = "coder";

export function openclawConfig(s: GatewaySettings): OpenClawConfig {
  const coding = s.telegram ? s.coding : undefined;
  const telegram: TelegramChannel | undefined = s.telegram && {
    enabled: true,
    ...(coding
      ? {
          // Two bots, two chats: the owner picks the agent by picking the chat. Each named
          // account needs its own token reference (the env fallback covers only the default).
          defaultAccount: "default",
          accounts: {
            default: { name: "Chat", botToken: envRef(ENV_NAMES.telegramBotToken) },
            coder: { name: "Coder", botToken: envRef(ENV_NAMES.telegramCoderBotToken) },
          },
          // With an allowlist nobody pairs, so nobody becomes the owner by pairing: the
          // approvals would fail closed. The owner is named as the one approver.
          execApprovals: { enabled: true, approvers: [coding.ownerId], target: "dm" },
        }
      : { botToken: envRef(ENV_NAMES.telegramBotToken) }),
    dmPolicy: s.telegram.dmPolicy,
    // The owner is pre-approved; everyone else still needs a pairing code (or is refused).
    // Never "*": a wildcard silently bypasses pairing.
    ...(s.telegram.ownerId ? { allowFrom: [s.telegram.ownerId] } : {}),
    groupPolicy: "disabled",
    configWrites: false,
  };
  return {
    gateway: {
      mode: "local",
      bind: "loopback",
      port: GATEWAY_PORT,
      auth: {
        mode: "token",
        token: envRef(ENV_NAMES.gatewayToken),
        // Tailscale identity headers count only on the listener OpenClaw creates when it
        // manages Serve itself, which it does not here (below): the token is always required.
        allowTailscale: false,
        rateLimit: { maxAttempts: 10, windowMs: 60_000, lockoutMs: 300_000, exemptLoopback: false },
      },
      // Serve has one owner: the configure step sets a background route that tailscaled
      // keeps across restarts and reboots. With "serve" here the gateway would also claim
      // 443 with a foreground session of its own, and the two would refuse each other.
      tailscale: { mode: "off" },
      // Tailscale Serve is the only proxy, on the same host.
      trustedProxies: ["127.0.0.1"],
      controlUi: { enabled: true, allowedOrigins: [`https://${s.tailnetHost}`] },
      // No operator shell on the host from the Control UI.
      terminal: { enabled: false },
    },
    discovery: { mdns: { mode: "off" } },
    browser: { enabled: false },
    // An empty allowlist means "load every bundled plugin": always name what is wanted.
    plugins: coding
      ? {
          allow: ["telegram", CODER_PLUGIN_ID],
          // Root-owned, beside the other rendered files: the gateway's account cannot change it.
          load: { paths: [CODER_PLUGIN_DIR] },
          entries: {
            [CODER_PLUGIN_ID]: {
              enabled: true,
              config: {
                agentId: CODER_AGENT,
                workspace: CODER_WORKSPACE,
                mirrors: CODER_MIRRORS,
                repositories: coding.repositories,
                tokenEnv: ENV_NAMES.githubToken,
                approvalTimeoutSeconds: coding.approvalTimeoutSeconds,
              },
            },
          },
        }
      : { allow: telegram ? ["telegram"] : ["memory-core"] },
    tools: {
      profile: "messaging",
      elevated: { enabled: false },
      // Code Mode (on by default for the Claude and GPT models OpenClaw rates for it) runs the
      // model's JavaScript in node:vm inside the gateway's own process, on the host: not a
      // security boundary, and outside the Docker sandbox. Off: every tool call is the tool.
      codeMode: false,
      exec: { host: "sandbox" },
      fs: { workspaceOnly: true },
      sessions: { visibility: "agent" },
      agentToAgent: { enabled: false },
    },
    commands: { config: false, bash: false },
    session: { dmScope: "per-channel-peer" },
    agents: {
      ownership: "explicit",
      defaults: {
        ...(s.models.anthropic ? { model: { primary: "anthropic/claude-sonnet-5" } } : {}),
        systemAgent: { agentId: CHAT_AGENT },
        sandbox: {
          mode: "all",
          scope: "agent",
          workspaceAccess: "none",
          docker: {
            image: s.sandboxImage,
            network: s.sandboxNetwork,
            readOnlyRoot: true,
            capDrop: ["ALL"],
            pidsLimit: 256,
            memory: "1g",
            // Not root: a root sandbox with every capability dropped cannot write its workspace.
            user: "1000:1000",
          },
        },
      },
      entries: {
        [CHAT_AGENT]: {
          name: "Chat",
          tools: { profile: "messaging", deny: ["group:automation", "group:runtime", "group:fs", "sessions_spawn", "sessions_send"] },
        },
        [CODER_AGENT]: coding ? coderAgent(coding) : { name: "Coder", sandbox: { mode: "all" }, tools: { profile: "coding" } },
      },
    },
    ...(telegram
      ? {
          channels: { telegram },
          // With more than one agent, a message no binding matches is refused.
          bindings: coding
            ? [
                { agentId: CODER_AGENT, comment: "The coder bot's chat goes to the coding agent", match: { channel: "telegram", accountId: "coder" } },
                { agentId: CHAT_AGENT, comment: "The chat bot's chat goes to the chat agent", match: { channel: "telegram", accountId: "default" } },
              ]
            : [{ agentId: CHAT_AGENT, comment: "Telegram DMs go to the chat agent", match: { channel: "telegram", accountId: "*" } }],
        }
      : {}),
  };
}

/**
 * The coder: the coding tools in its own sandbox, on the network whose only way out is the
 * allowlisting proxy, with its workspace mounted read-write and nothing else of the host.
 * It writes to GitHub only through the gate's tools, which the owner approves.
 */
function coderAgent(c: CodingSettings): AgentEntry {
  const identity = { GIT_AUTHOR_NAME: c.gitAuthorName, GIT_AUTHOR_EMAIL: c.gitAuthorEmail, GIT_COMMITTER_NAME: c.gitAuthorName, GIT_COMMITTER_EMAIL: c.gitAuthorEmail };
  // The proxy variables are a convenience for the tools: the network, not these, is what
  // keeps the sandbox from going anywhere else (a command may unset them).
  const proxy = { HTTPS_PROXY: PROXY_URL, HTTP_PROXY: PROXY_URL, https_proxy: PROXY_URL, http_proxy: PROXY_URL, NO_PROXY: "localhost,127.0.0.1", no_proxy: "localhost,127.0.0.1" };
  // The read token, substituted from .env into the container's env file (never its command
  // line); git asks gh for it.
  const github: Record<string, string> = c.readToken
    ? {
        GH_TOKEN: `\${${ENV_NAMES.githubReadToken}}`,
        GIT_CONFIG_COUNT: "1",
        GIT_CONFIG_KEY_0: "credential.https://github.com.helper",
        GIT_CONFIG_VALUE_0: "!gh auth git-credential",
      }
    : {};
  return {
    name: "Coder",
    workspace: CODER_WORKSPACE,
    sandbox: {
      mode: "all",
      scope: "agent",
      workspaceAccess: "rw",
      docker: {
        network: CODER_NETWORK.name,
        memory: "2g",
        pidsLimit: 512,
        // The root stays read-only; builds and tests write here and in the workspace.
        tmpfs: ["/tmp", "/var/tmp", "/run"],
        env: { ...identity, ...proxy, ...github },
      },
    },
    tools: {
      profile: "coding",
      alsoAllow: [...CODER_TOOLS],
      deny: ["sessions_spawn", "sessions_send", "subagents"],
      elevated: { enabled: false },
      // The gate's tools are the plugin's; the sandbox lets them through by the plugin's id.
      sandbox: { tools: { alsoAllow: [CODER_PLUGIN_ID] } },
    },
  };
}

/** JSON with sorted keys, so the same settings always give the same bytes (and diffs are real). */
export function renderOpenclawJson(s: GatewaySettings): string {
  return `${JSON.stringify(sortKeys(openclawConfig(s)), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** The secrets file: one KEY=value line per secret that is set. */
export function renderEnvFile(secrets: Readonly<Partial<Record<keyof typeof ENV_NAMES, string>>>): string {
  const lines: string[] = [];
  for (const key of Object.keys(ENV_NAMES) as (keyof typeof ENV_NAMES)[]) {
    const value = secrets[key];
    if (value === undefined || value === "") continue;
    // Values are tokens and keys; anything that could break the line format is refused.
    if (!/^[A-Za-z0-9_:.\-+/=]+$/.test(value)) throw new Error(`${ENV_NAMES[key]}: unexpected characters in the value`);
    lines.push(`${ENV_NAMES[key]}=${value}`);
  }
  if (!lines[0]?.startsWith(`${ENV_NAMES.gatewayToken}=`)) throw new Error("the gateway token is required");
  return `${lines.join("\n")}\n`;
}
