/**
 * The server's first-boot document: a cloud-config rendered from data by pure functions.
 * Secrets are placed by the YAML library as values, never spliced into text, and the only
 * one here is the single-use, short-lived Tailscale auth key.
 */
import { stringify } from "yaml";
import { readScript } from "./scripts";

/** The automation account: key-only, passwordless sudo, the only SSH login allowed. */
export const ADMIN_USER = "ops";
/** The unprivileged account the gateway runs as. */
export const GATEWAY_USER = "openclaw";
/** Where the auth key waits for `tailscale up`: tmpfs, root-only, removed after use. */
export const AUTH_KEY_FILE = "/run/openclaw-vps/tailscale-authkey";
/** Hetzner refuses larger user data. */
export const USER_DATA_LIMIT_BYTES = 32 * 1024;

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
}

/** A script installed on the server, and how it is installed. */
interface InstalledFile {
  readonly path: string;
  readonly permissions: string;
  readonly content: string;
}

/** Files the document installs, keyed by the artifact name `npm run plan -- --out` uses. */
export function installedScripts(): Readonly<Record<string, InstalledFile>> {
  return {
    "scripts/tailscale-join.sh": {
      path: "/usr/local/sbin/openclaw-vps-tailscale-join",
      permissions: "0755",
      content: readScript("tailscale-join.sh"),
    },
  };
}

/** The cloud-config as data, before rendering. */
export function cloudConfig(input: CloudInitInput): Record<string, unknown> {
  const scripts = installedScripts();
  return {
    hostname: input.hostname,
    // No password logins at any stage, no root logins, no default "ubuntu" user.
    ssh_pwauth: false,
    disable_root: true,
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
      {
        path: AUTH_KEY_FILE,
        owner: "root:root",
        permissions: "0600",
        content: input.tailscale.authKey,
      },
      ...Object.values(scripts).map((s) => ({
        path: s.path,
        owner: "root:root",
        permissions: s.permissions,
        content: s.content,
      })),
    ],
    runcmd: [[scripts["scripts/tailscale-join.sh"].path, AUTH_KEY_FILE, input.hostname, input.tailscale.tags.join(",")]],
  };
}

/** The user data: `#cloud-config` and the document, deterministic for the same input. */
export function renderCloudInit(input: CloudInitInput): string {
  const text = `#cloud-config\n${stringify(cloudConfig(input), { lineWidth: 0 })}`;
  const size = Buffer.byteLength(text, "utf8");
  if (size > USER_DATA_LIMIT_BYTES) {
    throw new Error(`cloud-init user data is ${size} bytes; Hetzner accepts at most ${USER_DATA_LIMIT_BYTES}`);
  }
  return text;
}

/** Every artifact rendered for the host, by file name, for inspection and the conformance checks. */
export function cloudInitArtifacts(input: CloudInitInput): Record<string, string> {
  const files: Record<string, string> = { "cloud-init.yaml": renderCloudInit(input) };
  for (const [name, file] of Object.entries(installedScripts())) files[name] = file.content;
  return files;
}
