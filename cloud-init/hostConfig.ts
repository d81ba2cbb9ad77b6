/**
 * The host's configuration files, rendered from data: logs, time, name resolution,
 * automatic security updates, fail2ban, Docker and the unit that guards Docker's network.
 */
import { renderIni } from "./ini";

/** The tailnet's address ranges (IPv4 CGNAT and Tailscale's IPv6 ULA). */
export const TAILNET_RANGES = ["100.64.0.0/10", "fd7a:115c:a1e0::/48"] as const;

export const DOCKER_GUARD_UNIT = "openclaw-vps-docker-guard.service";

/** Persistent journal with a size cap, so logs survive reboots without filling the disk. */
export function renderJournaldDropIn(): string {
  return renderIni(
    { Journal: { Storage: "persistent", SystemMaxUse: "500M", SystemKeepFree: "1G", MaxRetentionSec: "3month" } },
    "Managed by openclaw-vps: keep logs across reboots, within 500 MB.",
  );
}

/** No multicast name resolution: the server announces nothing on any network. */
export function renderResolvedDropIn(): string {
  return renderIni(
    { Resolve: { MulticastDNS: "no", LLMNR: "no" } },
    "Managed by openclaw-vps: no multicast DNS or LLMNR.",
  );
}

/** Daily package lists and unattended security upgrades, rebooting at night when required. */
export function renderAutoUpgrades(): string {
  return [
    "// Managed by openclaw-vps: security updates every day, a reboot at 04:30 when one needs it.",
    'APT::Periodic::Update-Package-Lists "1";',
    'APT::Periodic::Unattended-Upgrade "1";',
    'APT::Periodic::AutocleanInterval "7";',
    'Unattended-Upgrade::Automatic-Reboot "true";',
    'Unattended-Upgrade::Automatic-Reboot-Time "04:30";',
    'Unattended-Upgrade::Remove-Unused-Kernel-Packages "true";',
    "",
  ].join("\n");
}

/** fail2ban for sshd: a second line if the firewalls failed; the tailnet is never banned. */
export function renderFail2banJail(): string {
  return renderIni(
    {
      DEFAULT: { ignoreip: ["127.0.0.1/8", "::1", ...TAILNET_RANGES].join(" "), bantime: "1h", findtime: "10m", maxretry: 5 },
      sshd: { enabled: true, backend: "systemd", port: "ssh", mode: "aggressive" },
    },
    "Managed by openclaw-vps: ban SSH brute force from anywhere but the tailnet.",
  );
}

/** Docker daemon defaults: no container-to-container traffic, no privilege gain, logs in the journal. */
export function renderDockerDaemonJson(): string {
  const settings = {
    icc: false,
    // A published port binds the host's loopback only, never the public interface, even if
    // a container is ever run with -p (UFW is not consulted for Docker's DNAT rules).
    ip: "127.0.0.1",
    "live-restore": true,
    "log-driver": "journald",
    "no-new-privileges": true,
    "userland-proxy": false,
  };
  return `${JSON.stringify(settings, Object.keys(settings).sort(), 2)}\n`;
}

/** Re-applies the container network guard each time Docker starts, so it survives reboots. */
export function renderDockerGuardUnit(scriptPath: string): string {
  return renderIni(
    {
      Unit: {
        Description: "Keep containers away from the metadata service, the tailnet and the host",
        After: "docker.service",
        Requires: "docker.service",
        PartOf: "docker.service",
      },
      Service: { Type: "oneshot", RemainAfterExit: "yes", ExecStart: scriptPath },
      Install: { WantedBy: "docker.service multi-user.target" },
    },
    "Managed by openclaw-vps.",
  );
}
