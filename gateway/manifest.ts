/**
 * The deployment's manifest: what it rendered onto the host, so the host can be checked
 * against it (gateway/scripts/drift.js). It ships with the gateway's files as
 * /etc/openclaw-vps/manifest.json (root's); verify.sh checks it, so the deploy gate and the
 * daily self-check fail on drift, and `pulumi up` checks it over SSH before it plans
 * (components/driftCheck.ts) and re-runs the steps that re-assert the rendered state.
 *
 * Every value comes from the renderer of the thing it describes (no expected value is written
 * twice): the files' hashes from their rendered text, the UFW rules from the host firewall's
 * commands, the DOCKER-USER rules from the guard's and the coder's rules, the timers and units
 * from the rendered units. What no hash can describe is compared as facts: the live
 * openclaw.json against the rendered one (but for the keys OpenClaw itself writes), the names
 * (never the values) of the .env keys, drop-ins on our units, UFW's and iptables' live rules.
 */
import { createHash } from "crypto";
import { hostFiles } from "../cloud-init";
import { hostFirewallCommands } from "../cloud-init/hostFirewall";
import { BACKUP_TIMER, CONFIG_FILE, ENV_FILE, HEALTH_TIMER, RENDERED_DIR, SELFCHECK_TIMER } from "./paths";

/** manifest.json's format; drift.js refuses any other. */
export const MANIFEST_VERSION = 1;
export const MANIFEST_FILE = `${RENDERED_DIR}/manifest.json`;
/** The names of the .env keys the configure step put there (configure.sh writes it; names only). */
export const ENV_KEYS_FILE = `${RENDERED_DIR}/env-keys`;

/**
 * Keys OpenClaw writes into the live openclaw.json while it runs: the first pairing approval
 * makes that sender the command owner (`commands.ownerAllowFrom`, docs/channels/pairing.md),
 * and `meta`/`wizard` are its bookkeeping. configure.sh carries them over when it installs the
 * rendered config, and the drift check leaves them out. The posture check (gateway/posture.ts)
 * asserts none of them either.
 */
export const CARRIED_CONFIG_KEYS: readonly (readonly string[])[] = [["commands", "ownerAllowFrom"], ["meta"], ["wizard"]];

/** A file as rendered: where, its mode and the SHA-256 of its content. */
export interface ManifestFile {
  readonly path: string;
  readonly mode: string;
  readonly sha256: string;
}

export interface Manifest {
  readonly version: typeof MANIFEST_VERSION;
  /** Every file the deploy writes with fixed content: the gateway's and the host's. */
  readonly files: readonly ManifestFile[];
  /** The live config against the rendered copy, but for the carried keys. */
  readonly config: { readonly live: string; readonly rendered: string; readonly carried: readonly (readonly string[])[] };
  /** .env's key names against the list the configure step wrote. */
  readonly env: { readonly file: string; readonly names: string };
  /** Units that must have no drop-in and no runtime copy. */
  readonly units: readonly string[];
  /** UFW: on, its defaults, exactly its rules as `ufw show added` prints them. */
  readonly ufw: {
    readonly status: "active";
    readonly defaultsFile: string;
    readonly defaults: Readonly<Record<string, string>>;
    readonly rulesFile: string;
    readonly rules: readonly string[];
  };
  /** DOCKER-USER exactly, as `iptables -S DOCKER-USER` prints it (Docker's own RETURN aside). */
  readonly dockerUser: readonly string[];
  /** Timers that must be enabled and running. */
  readonly timers: readonly string[];
}

/** The file shape both renderers share. */
interface RenderedFile {
  readonly path: string;
  readonly content: string;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** `ufw show added`'s line for a `ufw allow|deny|reject|limit ...` command: a comment in single quotes. */
export function ufwRuleLine(argv: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    out.push(argv[i - 1] === "comment" ? `'${argv[i]}'` : argv[i]);
  }
  return out.join(" ");
}

/** The rules the host firewall adds, as UFW lists them. */
export function ufwRules(): string[] {
  return hostFirewallCommands()
    .filter((argv) => argv[0] === "ufw" && ["allow", "deny", "reject", "limit"].includes(argv[1]))
    .map(ufwRuleLine);
}

/** The bridges the Docker guard covers (cloud-init/scripts/docker-guard.sh). */
const GUARDED_BRIDGES = ["docker0", "br-+"] as const;
/** The coder's network's bridge (gateway/scripts/coding-egress.sh). */
const CODER_BRIDGE = "br-oc-coder";

/**
 * DOCKER-USER as the guard leaves it (docker-guard.sh: no metadata service, no tailnet from any
 * container) and, with coding, the coder's network rejected outright (coding-egress.sh).
 * tests/conformance/manifestRules.test.ts runs both scripts with the real iptables and
 * compares what they leave with this list.
 */
export function dockerUserRules(coding: boolean): string[] {
  const guard = GUARDED_BRIDGES.flatMap((bridge) =>
    ["169.254.0.0/16", "100.64.0.0/10"].map((net) => `-A DOCKER-USER -d ${net} -i ${bridge} -j REJECT --reject-with icmp-admin-prohibited`),
  );
  return [...(coding ? [`-A DOCKER-USER -i ${CODER_BRIDGE} -j REJECT --reject-with icmp-port-unreachable`] : []), ...guard];
}

/** /etc/default/ufw as the host firewall sets it: IPv6 filtered too, the three default policies. */
export function ufwDefaults(): Record<string, string> {
  const policy = { incoming: ["DEFAULT_INPUT_POLICY", "DROP"], outgoing: ["DEFAULT_OUTPUT_POLICY", "ACCEPT"], routed: ["DEFAULT_FORWARD_POLICY", "DROP"] } as const;
  const out: Record<string, string> = {};
  for (const argv of hostFirewallCommands()) {
    if (argv[0] === "sed" && argv[2] === "s/^IPV6=.*/IPV6=yes/") out.IPV6 = "yes";
    if (argv[0] === "ufw" && argv[1] === "default") {
      const [key, denied] = policy[argv[3] as keyof typeof policy];
      out[key] = argv[2] === "allow" ? "ACCEPT" : denied;
    }
  }
  return out;
}

/**
 * The manifest for a deployment whose gateway files are `gatewayFiles` (gateway/index.ts,
 * without the manifest itself). The host's files are the same for every server.
 */
export function renderManifest(gatewayFiles: readonly (RenderedFile & { readonly mode: string })[], coding: boolean): Manifest {
  const host = hostFiles().map((f) => ({ path: f.path, mode: f.permissions, content: f.content }));
  const all = [...gatewayFiles, ...host];
  const units = all.map((f) => /^\/etc\/systemd\/system\/([^/]+\.(service|timer|socket))$/.exec(f.path)?.[1]).filter((u): u is string => u !== undefined);
  return {
    version: MANIFEST_VERSION,
    files: all.map((f) => ({ path: f.path, mode: f.mode, sha256: sha256(f.content) })),
    config: { live: CONFIG_FILE, rendered: `${RENDERED_DIR}/openclaw.json`, carried: CARRIED_CONFIG_KEYS },
    env: { file: ENV_FILE, names: ENV_KEYS_FILE },
    units: [...new Set(units)].sort(),
    ufw: { status: "active", defaultsFile: "/etc/default/ufw", defaults: ufwDefaults(), rulesFile: "/etc/ufw/user.rules", rules: ufwRules() },
    dockerUser: dockerUserRules(coding),
    timers: [BACKUP_TIMER, SELFCHECK_TIMER, HEALTH_TIMER],
  };
}

export function renderManifestJson(gatewayFiles: readonly (RenderedFile & { readonly mode: string })[], coding: boolean): string {
  return `${JSON.stringify(renderManifest(gatewayFiles, coding), null, 2)}\n`;
}
