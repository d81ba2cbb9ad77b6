/**
 * The posture this deployment asserts on the live openclaw.json, rendered from the same
 * settings as the config itself (openclawConfig), so the expected values are written in one
 * place. It ships beside the rendered files as /etc/openclaw-vps/posture.json (root's,
 * read-only to everyone else) and verify.sh, which the daily self-check runs, compares the
 * gateway's config to it with `judge.js posture`.
 *
 * Why: OpenClaw's own checks (`config validate`, `security audit`, `secrets audit`) pass a
 * config whose sandbox has been opened (network, capabilities, user, limits, binds), whose
 * chat agent runs unsandboxed with the coding tools, or whose Telegram owner set has grown.
 * Those keys are ours: each is asserted here, exactly as rendered.
 *
 * Only keys this project owns, and that OpenClaw itself does not write while it runs, are
 * asserted. Left out on purpose: `commands.ownerAllowFrom` (a pairing approval sets the first
 * command owner there), `meta` and `wizard` (OpenClaw's bookkeeping), and everything that
 * does not decide what the gateway or its agents may do.
 */
import { GatewaySettings, renderOpenclawJson } from "./openclawConfig";

/** posture.json's format; judge.js refuses any other. */
export const POSTURE_VERSION = 1;

/**
 * One assertion on the config, at a key path (each element one key, so no key needs escaping):
 * - `equals`: the value there is exactly this (objects key by key, arrays in order);
 * - neither `equals` nor `keys`: nothing is set there;
 * - `keys`: an object with exactly these keys (the agents, the Telegram accounts).
 */
export type PostureRule =
  | { readonly path: readonly string[]; readonly equals: unknown }
  | { readonly path: readonly string[]; readonly absent: true }
  | { readonly path: readonly string[]; readonly keys: readonly string[] };

export interface Posture {
  readonly version: typeof POSTURE_VERSION;
  readonly rules: readonly PostureRule[];
}

/** Global keys: the gateway's exposure and auth, the tool policy for every agent, chat commands, plugins. */
const GLOBAL_KEYS: readonly (readonly string[])[] = [
  ["gateway", "mode"],
  ["gateway", "bind"],
  ["gateway", "port"],
  ["gateway", "auth", "mode"],
  ["gateway", "auth", "token"],
  ["gateway", "auth", "allowTailscale"],
  ["gateway", "auth", "rateLimit"],
  ["gateway", "tailscale", "mode"],
  ["gateway", "trustedProxies"],
  ["gateway", "controlUi", "allowedOrigins"],
  ["gateway", "terminal", "enabled"],
  ["discovery", "mdns", "mode"],
  ["browser", "enabled"],
  ["plugins", "allow"],
  ["plugins", "load", "paths"],
  ["tools", "profile"],
  ["tools", "allow"],
  ["tools", "alsoAllow"],
  ["tools", "deny"],
  ["tools", "byProvider"],
  ["tools", "toolsBySender"],
  ["tools", "elevated"],
  ["tools", "codeMode"],
  ["tools", "exec", "host"],
  ["tools", "exec", "security"],
  ["tools", "fs"],
  ["tools", "sessions", "visibility"],
  ["tools", "agentToAgent"],
  ["tools", "sandbox"],
  ["commands", "config"],
  ["commands", "bash"],
  ["bindings"],
  // Every agent's sandbox unless it overrides it: mode, scope, workspace access, and the
  // whole Docker block (network, capabilities, user, limits, binds, ...).
  ["agents", "defaults", "sandbox"],
  ["agents", "defaults", "tools"],
];

/** Per agent: its own sandbox and tool overrides, and the workspace its sandbox mounts. */
const AGENT_KEYS: readonly (readonly string[])[] = [["sandbox"], ["tools"], ["workspace"]];

/** Who may talk to the bot and what groups may do; also per account, where an account may override them. */
const TELEGRAM_KEYS: readonly (readonly string[])[] = [["dmPolicy"], ["allowFrom"], ["groupPolicy"], ["groupAllowFrom"], ["groups"], ["configWrites"], ["execApprovals"]];

type Tree = Readonly<Record<string, unknown>>;

const isTree = (v: unknown): v is Tree => v !== null && typeof v === "object" && !Array.isArray(v);

function at(value: unknown, path: readonly string[]): unknown {
  let v = value;
  for (const key of path) {
    if (!isTree(v)) return undefined;
    v = v[key];
  }
  return v;
}

function rule(config: Tree, path: readonly string[]): PostureRule {
  const value = at(config, path);
  return value === undefined ? { path, absent: true } : { path, equals: value };
}

/** The posture of the config these settings render. */
export function posture(s: GatewaySettings): Posture {
  // From the very text that ships as openclaw.json (its keys sorted).
  const config = JSON.parse(renderOpenclawJson(s)) as Tree;
  const rules: PostureRule[] = GLOBAL_KEYS.map((path) => rule(config, path));
  const agents = at(config, ["agents", "entries"]);
  const agentIds = isTree(agents) ? Object.keys(agents).sort() : [];
  rules.push({ path: ["agents", "entries"], keys: agentIds });
  for (const id of agentIds) for (const key of AGENT_KEYS) rules.push(rule(config, ["agents", "entries", id, ...key]));
  const telegram = at(config, ["channels", "telegram"]);
  if (!isTree(telegram)) {
    rules.push({ path: ["channels", "telegram"], absent: true });
  } else {
    for (const key of TELEGRAM_KEYS) rules.push(rule(config, ["channels", "telegram", ...key]));
    const accounts = telegram.accounts;
    if (!isTree(accounts)) {
      rules.push({ path: ["channels", "telegram", "accounts"], absent: true });
    } else {
      const ids = Object.keys(accounts).sort();
      rules.push({ path: ["channels", "telegram", "accounts"], keys: ids });
      for (const id of ids) for (const key of TELEGRAM_KEYS) rules.push(rule(config, ["channels", "telegram", "accounts", id, ...key]));
    }
  }
  return { version: POSTURE_VERSION, rules };
}

/** posture.json as shipped: one rule a line, so a diff of two deployments reads rule by rule. */
export function renderPostureJson(s: GatewaySettings): string {
  const p = posture(s);
  return `{\n  "version": ${p.version},\n  "rules": [\n${p.rules.map((r) => `    ${JSON.stringify(r)}`).join(",\n")}\n  ]\n}\n`;
}
