/**
 * Where the gateway lives on the server. One place, so scripts, units and checks agree.
 */
export const GATEWAY_PORT = 18789;
export const GATEWAY_USER = "openclaw";
export const GATEWAY_HOME = `/home/${GATEWAY_USER}`;
/** OpenClaw's state directory: 0700, owned by the gateway's account. */
export const STATE_DIR = `${GATEWAY_HOME}/.openclaw`;
export const CONFIG_FILE = `${STATE_DIR}/openclaw.json`;
/** Secrets, read by OpenClaw from its state directory: 0600, never in the config or the unit. */
export const ENV_FILE = `${STATE_DIR}/.env`;
/** Root-owned copies of everything rendered by Pulumi, and the scripts that apply them. */
export const LIB_DIR = "/usr/local/lib/openclaw-vps";
export const RENDERED_DIR = "/etc/openclaw-vps";
/** The posture verify.sh asserts on the live config (gateway/posture.ts), root's like the rest. */
export const POSTURE_FILE = `${RENDERED_DIR}/posture.json`;
/** The lock of each OpenClaw version (package.json, package-lock.json): what install.sh runs `npm ci` from. */
export const LOCKS_DIR = `${RENDERED_DIR}/locks`;
/** Each OpenClaw version in its own root-owned directory; `current` points at the one running. */
export const OPENCLAW_ROOT = "/opt/openclaw";
export const OPENCLAW_CURRENT = `${OPENCLAW_ROOT}/current`;
export const GATEWAY_UNIT = "openclaw-gateway.service";
/** The Node.js major OpenClaw needs, from NodeSource's signed repository. */
export const NODE_MAJOR = 24;
/** Daily state backups: 0700, owned by the gateway's account; archives are 0600. */
export const BACKUP_DIR = "/var/backups/openclaw";
export const BACKUP_KEEP_DAYS = 14;
export const BACKUP_UNIT = "openclaw-backup.service";
export const BACKUP_TIMER = "openclaw-backup.timer";
/** Off-site backups (offsite.sh): after each daily backup, encrypted to the object store. */
export const OFFSITE_UNIT = "openclaw-offsite-backup.service";
/** Its settings and S3 credentials, root's only (configure.sh writes it from stdin). */
export const OFFSITE_ENV = "/etc/openclaw-vps/offsite.env";
/** The daily self-check (selfcheck.sh): verify.sh's checks, a status file, a Telegram alert. */
export const SELFCHECK_UNIT = "openclaw-selfcheck.service";
export const SELFCHECK_TIMER = "openclaw-selfcheck.timer";
export const SELFCHECK_STATUS = "/var/lib/openclaw-vps/selfcheck.json";
/** The light health check every few minutes (health.js): alerts on new and cleared problems. */
export const HEALTH_UNIT = "openclaw-health.service";
export const HEALTH_TIMER = "openclaw-health.timer";
/** The coder (docs/coding.md): its workspace, mounted read-write in its sandbox, in the backups. */
export const CODER_WORKSPACE = `${GATEWAY_HOME}/coder-workspace`;
/** Bare mirrors the coder gate pushes from: the gateway's own, never mounted in a sandbox. */
export const CODER_MIRRORS = `${STATE_DIR}/coder-mirrors`;
/** The coder gate plugin, root-owned. */
export const CODER_PLUGIN_ID = "openclaw-vps-coder-gate";
export const CODER_PLUGIN_DIR = `${LIB_DIR}/plugins/coder-gate`;
