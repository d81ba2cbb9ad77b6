/**
 * The server's first-boot document: a cloud-config rendered from data by pure functions.
 * It turns a bare Ubuntu 24.04 into a host that trusts only the tailnet. Secrets are placed
 * by the YAML library as values, never spliced into text, and the only one is the
 * single-use, short-lived Tailscale auth key.
 */
import { shellCommand } from "./shell";
import { stringify } from "yaml";
import {
  DOCKER_GUARD_UNIT,
  renderAutoUpgrades,
  renderDockerDaemonJson,
  renderDockerGuardUnit,
  renderFail2banJail,
  renderJournaldDropIn,
  renderResolvedDropIn,
} from "./hostConfig";
import { hostFirewallCommands, renderHostFirewallScript } from "./hostFirewall";
import { readScript } from "./scripts";
import { SSHD_DROP_IN, renderSshdDropIn } from "./sshd";

/** The automation account: key-only, passwordless sudo, the only SSH login allowed. */
export const ADMIN_USER = "ops";
/** The unprivileged account the gateway runs as. */
export const GATEWAY_USER = "openclaw";
/** Where the auth key waits for `tailscale up`: tmpfs, root-only, removed after use. */
export const AUTH_KEY_FILE = "/run/openclaw-vps/tailscale-authkey";
/** Written last by the bootstrap: the host is ready for the gateway. */
export const READY_MARKER = "/var/lib/openclaw-vps/bootstrap-complete";
/** Hetzner refuses larger user data. */
export const USER_DATA_LIMIT_BYTES = 32 * 1024;

/** Packages from Ubuntu's archive; Tailscale comes from its own signed repository. */
export const PACKAGES = [
  "ca-certificates",
  "curl",
  "docker.io",
  "fail2ban",
  "gnupg",
  "python3-systemd",
  "ufw",
  "unattended-upgrades",
] as const;

export interface CloudInitInput {
  /** The machine name, on the host and on the tailnet. */
  readonly hostname: string;
  /** Public keys for the admin user: the deploy key first, then operators'. */
  readonly adminKeys: readonly string[];
  /** How the server joins the tailnet. */
  readonly tailscale: {
    /** Single-use auth key; secret. */
    readonly authKey: string;
    /** ACL tags to advertise. */
    readonly tags: readonly string[];
  };
  /**
   * The server generation this document is for (components/firstBoot.ts): a new one makes
   * a new document, so a rebuild with the same inputs still gets a new server.
   */
  readonly generation?: string;
}

/** A file the document installs, and the artifact name `npm run plan -- --out` gives it. */
export interface HostFile {
  readonly artifact: string;
  readonly path: string;
  readonly permissions: string;
  readonly content: string;
}

const sbin = (name: string) => `/usr/local/sbin/openclaw-vps-${name}`;

export const SCRIPT_PATHS = {
  bootstrap: sbin("bootstrap"),
  tailscaleJoin: sbin("tailscale-join"),
  hostFirewall: sbin("host-firewall"),
  dockerGuard: sbin("docker-guard"),
  swap: sbin("swap"),
  aptRepo: sbin("apt-repo"),
} as const;

/** Every file except the auth key: the same for every server, so no secret among them. */
export function hostFiles(): readonly HostFile[] {
  const script = (artifact: string, path: string, content: string): HostFile => ({
    artifact: `scripts/${artifact}`,
    path,
    permissions: "0755",
    content,
  });
  const config = (artifact: string, path: string, content: string): HostFile => ({
    artifact,
    path,
    permissions: "0644",
    content,
  });
  return [
    script("bootstrap.sh", SCRIPT_PATHS.bootstrap, readScript("bootstrap.sh")),
    script("tailscale-join.sh", SCRIPT_PATHS.tailscaleJoin, readScript("tailscale-join.sh")),
    script("host-firewall.sh", SCRIPT_PATHS.hostFirewall, renderHostFirewallScript()),
    script("docker-guard.sh", SCRIPT_PATHS.dockerGuard, readScript("docker-guard.sh")),
    script("swap.sh", SCRIPT_PATHS.swap, readScript("swap.sh")),
    script("apt-repo.sh", SCRIPT_PATHS.aptRepo, readScript("apt-repo.sh")),
    config("sshd/01-openclaw-vps.conf", SSHD_DROP_IN, renderSshdDropIn(ADMIN_USER)),
    config(`systemd/${DOCKER_GUARD_UNIT}`, `/etc/systemd/system/${DOCKER_GUARD_UNIT}`, renderDockerGuardUnit(SCRIPT_PATHS.dockerGuard)),
    config("etc/journald-openclaw-vps.conf", "/etc/systemd/journald.conf.d/openclaw-vps.conf", renderJournaldDropIn()),
    config("etc/resolved-openclaw-vps.conf", "/etc/systemd/resolved.conf.d/openclaw-vps.conf", renderResolvedDropIn()),
    config("etc/52openclaw-vps-upgrades", "/etc/apt/apt.conf.d/52openclaw-vps-upgrades", renderAutoUpgrades()),
    config("etc/fail2ban-openclaw-vps.local", "/etc/fail2ban/jail.d/openclaw-vps.local", renderFail2banJail()),
    config("etc/docker-daemon.json", "/etc/docker/daemon.json", renderDockerDaemonJson()),
  ];
}

/** The cloud-config as data, before rendering. */
export function cloudConfig(input: CloudInitInput): Record<string, unknown> {
  return {
    hostname: input.hostname,
    // No password logins at any stage, no root logins, no default "ubuntu" user.
    ssh_pwauth: false,
    disable_root: true,
    // The host firewall goes up at the start of every boot, before any package is installed:
    // the second wall holds even while the first boot is still running.
    bootcmd: [["sh", "-c", `if command -v ufw >/dev/null; then ${hostFirewallCommands().map((c) => shellCommand(c)).join(" && ")}; fi`]],
    users: [
      {
        name: ADMIN_USER,
        gecos: "openclaw-vps automation",
        shell: "/bin/bash",
        lock_passwd: true,
        sudo: "ALL=(ALL) NOPASSWD:ALL",
        ssh_authorized_keys: [...input.adminKeys],
      },
      {
        name: GATEWAY_USER,
        gecos: "OpenClaw gateway",
        shell: "/bin/bash",
        lock_passwd: true,
      },
    ],
    write_files: [
      { path: AUTH_KEY_FILE, owner: "root:root", permissions: "0600", content: input.tailscale.authKey },
      ...hostFiles().map((f) => ({ path: f.path, owner: "root:root", permissions: f.permissions, content: f.content })),
    ],
    package_update: true,
    package_upgrade: true,
    packages: [...PACKAGES],
    // One checked script rather than a list of commands: cloud-init runs runcmd as a plain
    // shell script that carries on after a failure, and a half-configured host must not pass.
    runcmd: [[SCRIPT_PATHS.bootstrap, AUTH_KEY_FILE, input.hostname, input.tailscale.tags.join(","), GATEWAY_USER]],
  };
}

/** The user data: `#cloud-config` and the document, deterministic for the same input. */
/** The document's text, whatever its size. */
function cloudInitText(input: CloudInitInput): string {
  const header = input.generation ? `#cloud-config\n# openclaw-vps server generation ${input.generation}\n` : "#cloud-config\n";
  return `${header}${stringify(cloudConfig(input), { lineWidth: 0 })}`;
}

export function renderCloudInit(input: CloudInitInput): string {
  const text = cloudInitText(input);
  const size = Buffer.byteLength(text, "utf8");
  if (size > USER_DATA_LIMIT_BYTES) {
    throw new Error(`cloud-init user data is ${size} bytes; Hetzner accepts at most ${USER_DATA_LIMIT_BYTES}`);
  }
  return text;
}

/**
 * The largest the document can be for these settings, before any key exists: the deploy
 * key, the auth key and the generation stood in for by values longer than any real one.
 * Config validation compares it with the limit, so nothing is created for a document the
 * cloud would refuse.
 */
export function largestUserDataSize(settings: { hostname: string; operatorKeys: readonly string[]; tags: readonly string[] }): number {
  return Buffer.byteLength(
    cloudInitText({
      hostname: settings.hostname,
      adminKeys: [`ssh-ed25519 ${"A".repeat(68)} deploy`, ...settings.operatorKeys],
      tailscale: { authKey: `tskey-auth-${"x".repeat(100)}`, tags: settings.tags },
      generation: "0".repeat(16),
    }),
    "utf8",
  );
}

/** Every artifact rendered for the host, by name, for inspection and the conformance checks. */
export function cloudInitArtifacts(input: CloudInitInput): Record<string, string> {
  const files: Record<string, string> = { "cloud-init.yaml": renderCloudInit(input) };
  for (const f of hostFiles()) files[f.artifact] = f.content;
  return files;
}
