/**
 * The gateway's systemd unit: OpenClaw as the unprivileged `openclaw` account, with the
 * Docker group for the sandbox and systemd's hardening. No secret in it: OpenClaw reads
 * them from the 0600 .env in its state directory.
 */
import { renderIni } from "../cloud-init/ini";
import { DOCKER_GUARD_UNIT } from "../cloud-init/hostConfig";
import { BACKUP_DIR, BACKUP_KEEP_DAYS, GATEWAY_HOME, GATEWAY_UNIT, GATEWAY_USER, LIB_DIR, OFFSITE_ENV, OFFSITE_UNIT, OPENCLAW_CURRENT } from "./paths";

export const OPENCLAW_ENTRY = `${OPENCLAW_CURRENT}/node_modules/openclaw/openclaw.mjs`;

export function renderGatewayUnit(): string {
  return renderIni(
    {
      Unit: {
        Description: "OpenClaw gateway (loopback only, behind Tailscale Serve)",
        Wants: "network-online.target tailscaled.service docker.service",
        After: `network-online.target tailscaled.service docker.service ${DOCKER_GUARD_UNIT}`,
      },
      Service: {
        Type: "simple",
        User: GATEWAY_USER,
        Group: GATEWAY_USER,
        // Set here, not only in /etc/group: a running process never picks up a new group.
        SupplementaryGroups: "docker",
        WorkingDirectory: GATEWAY_HOME,
        Environment: [`HOME=${GATEWAY_HOME}`, "NODE_ENV=production", "OPENCLAW_DISABLE_BONJOUR=1"],
        ExecStart: `/usr/bin/node ${OPENCLAW_ENTRY} gateway run`,
        Restart: "always",
        RestartSec: 5,
        KillMode: "mixed",
        TimeoutStopSec: 30,
        UMask: "0077",
        NoNewPrivileges: "yes",
        ProtectSystem: "strict",
        ProtectHome: "read-only",
        ReadWritePaths: GATEWAY_HOME,
        PrivateTmp: "yes",
        PrivateDevices: "yes",
        ProtectKernelTunables: "yes",
        ProtectKernelModules: "yes",
        ProtectKernelLogs: "yes",
        ProtectControlGroups: "yes",
        ProtectClock: "yes",
        ProtectHostname: "yes",
        // Not RestrictSUIDSGID: systemd enforces it by refusing openat2() (ENOSYS), whose
        // mode it cannot inspect, and OpenClaw's state locks are taken with openat2(): the
        // gateway then reports its own state directory as "owned" and exits (status 78).
        // Seen on a booted systemd host by `npm run rehearse`. Nothing setuid can give this
        // account more than it has: the only other accounts are root and the admin.
        RestrictRealtime: "yes",
        RestrictNamespaces: "yes",
        LockPersonality: "yes",
        SystemCallArchitectures: "native",
        CapabilityBoundingSet: "",
        AmbientCapabilities: "",
        RestrictAddressFamilies: "AF_UNIX AF_INET AF_INET6 AF_NETLINK",
        // Sized from the server's memory: reclaimed hard above MemoryHigh, ended at MemoryMax;
        // the health check (health.js) alerts at 80% of MemoryMax. The rest is for the host
        // and the sandboxes (each with its own Docker limit).
        MemoryHigh: "50%",
        MemoryMax: "60%",
        TasksMax: 512,
        LimitNOFILE: 65536,
      },
      Install: { WantedBy: "multi-user.target" },
    },
    "Managed by openclaw-vps.",
  );
}

/**
 * The daily backup, as the gateway's account, writing only to the backup directory. With
 * off-site backups, each success starts the upload (as root, which the gateway's account is not).
 */
export function renderBackupService(offsite = false): string {
  return renderIni(
    {
      Unit: { Description: "OpenClaw state backup", After: "network-online.target", ...(offsite ? { OnSuccess: OFFSITE_UNIT } : {}) },
      Service: {
        Type: "oneshot",
        User: GATEWAY_USER,
        Group: GATEWAY_USER,
        Environment: `HOME=${GATEWAY_HOME}`,
        ExecStart: `${LIB_DIR}/backup.sh ${BACKUP_DIR} ${BACKUP_KEEP_DAYS}`,
        UMask: "0077",
        NoNewPrivileges: "yes",
        ProtectSystem: "strict",
        ProtectHome: "read-only",
        ReadWritePaths: `${BACKUP_DIR} ${GATEWAY_HOME}`,
        PrivateTmp: "yes",
      },
    },
    "Managed by openclaw-vps.",
  );
}

/** A daily timer for a unit of the same name: spread over an hour, caught up after downtime. */
function renderDailyTimer(description: string): string {
  return renderIni(
    {
      Unit: { Description: description },
      Timer: { OnCalendar: "daily", RandomizedDelaySec: "1h", Persistent: "true" },
      Install: { WantedBy: "timers.target" },
    },
    "Managed by openclaw-vps.",
  );
}

/**
 * The off-site upload (offsite.sh push) as root: it reads the backups and its root-only
 * settings, and writes only its status; the ciphertext lives in its private /tmp.
 */
export function renderOffsiteService(): string {
  return renderIni(
    {
      Unit: {
        Description: "OpenClaw off-site backup (encrypted with age, to the object store)",
        After: "network-online.target",
        Wants: "network-online.target",
        ConditionPathExists: OFFSITE_ENV,
      },
      Service: {
        Type: "oneshot",
        ExecStart: `${LIB_DIR}/offsite.sh push`,
        TimeoutStartSec: 3600,
        UMask: "0077",
        PrivateTmp: "yes",
        NoNewPrivileges: "yes",
        ProtectSystem: "strict",
        ProtectHome: "yes",
        ReadWritePaths: "/var/lib/openclaw-vps",
        Nice: 10,
        IOSchedulingClass: "idle",
      },
    },
    "Managed by openclaw-vps.",
  );
}

export function renderBackupTimer(): string {
  return renderDailyTimer("Daily OpenClaw state backup");
}

/**
 * The daily self-check, as root: verify.sh needs ufw, ss, tailscale and the gateway's files.
 * It only reads, apart from its status file and a rollback of an upgrade left unverified.
 */
export function renderSelfcheckService(): string {
  return renderIni(
    {
      Unit: { Description: "OpenClaw deployment self-check", After: `network-online.target ${GATEWAY_UNIT}` },
      Service: {
        Type: "oneshot",
        ExecStart: `${LIB_DIR}/selfcheck.sh`,
        UMask: "0027",
        PrivateTmp: "yes",
        NoNewPrivileges: "yes",
      },
    },
    "Managed by openclaw-vps.",
  );
}

export function renderSelfcheckTimer(): string {
  return renderDailyTimer("Daily OpenClaw deployment self-check");
}

/**
 * The light health check (health.js) as root, read-only but for its status file: every five
 * minutes, a few seconds of CPU at most.
 */
export function renderHealthService(): string {
  return renderIni(
    {
      Unit: { Description: "OpenClaw health check (light; alerts on Telegram)", After: `network-online.target ${GATEWAY_UNIT}` },
      Service: {
        Type: "oneshot",
        ExecStart: `/usr/bin/node ${LIB_DIR}/health.js`,
        TimeoutStartSec: 120,
        UMask: "0027",
        PrivateTmp: "yes",
        NoNewPrivileges: "yes",
        ProtectSystem: "strict",
        ReadWritePaths: "/var/lib/openclaw-vps",
        CPUQuota: "50%",
        MemoryMax: "256M",
      },
    },
    "Managed by openclaw-vps.",
  );
}

export function renderHealthTimer(): string {
  return renderIni(
    {
      Unit: { Description: "OpenClaw health check every five minutes" },
      Timer: { OnBootSec: "3min", OnUnitActiveSec: "5min", AccuracySec: "30s" },
      Install: { WantedBy: "timers.target" },
    },
    "Managed by openclaw-vps.",
  );
}
