/**
 * The coder's way out (docs/coding.md): a Docker network with no route anywhere (`--internal`)
 * and an allowlisting forward proxy on the host, listening on that network's bridge address
 * alone. The sandbox reaches the hosts on the allowlist through the proxy, and nothing else:
 * not the internet, not the cloud's metadata service, not the tailnet, not the host's other
 * services. Rendered here, applied by coding-egress.sh (run by its unit after Docker and the
 * Docker guard, and by the sandbox step).
 */
import { LIB_DIR, RENDERED_DIR } from "./paths";

export const CODER_NETWORK = {
  name: "openclaw-coder",
  /** Matches the Docker guard's `br-+`, so its rules hold here too. */
  bridge: "br-oc-coder",
  subnet: "172.31.240.0/24",
  gateway: "172.31.240.1",
} as const;

export const PROXY_PORT = 3128;
export const PROXY_URL = `http://${CODER_NETWORK.gateway}:${PROXY_PORT}`;

/** Git over HTTPS, the REST API and the hosts GitHub serves archives and release files from. */
export const GITHUB_HOSTS = ["github.com", "api.github.com", "codeload.github.com", "objects.githubusercontent.com", "raw.githubusercontent.com"] as const;

export const PROXY_UNIT = "openclaw-vps-coder-proxy.service";
export const EGRESS_UNIT = "openclaw-vps-coder-egress.service";
export const PROXY_CONF = `${RENDERED_DIR}/coding/proxy.conf`;
export const PROXY_ALLOW = `${RENDERED_DIR}/coding/proxy-allow`;
export const EGRESS_SCRIPT = `${LIB_DIR}/coding-egress.sh`;

/** One anchored extended regular expression per host: a name is allowed exactly, never as a suffix. */
export function renderProxyAllow(hosts: readonly string[]): string {
  const lines = ["# Managed by openclaw-vps: the only hosts the coder's sandbox reaches (through the proxy)."];
  for (const host of [...new Set(hosts.map((h) => h.toLowerCase()))].sort()) {
    if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/.test(host)) {
      throw new Error(`not a host name: ${JSON.stringify(host)}`);
    }
    lines.push(`^${host.replace(/\./g, "\\.")}$`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * tinyproxy 1.11: on the bridge address only, for the coder's network only, CONNECT to 443
 * only, every host not on the list refused. It keeps no cache and adds no headers.
 */
export function renderProxyConf(): string {
  return [
    "# Managed by openclaw-vps: the coder's allowlisting proxy (docs/coding.md).",
    "User tinyproxy",
    "Group tinyproxy",
    `Port ${PROXY_PORT}`,
    `Listen ${CODER_NETWORK.gateway}`,
    "Timeout 600",
    "MaxClients 64",
    "LogLevel Notice",
    `Allow ${CODER_NETWORK.subnet}`,
    "ConnectPort 443",
    `Filter "${PROXY_ALLOW}"`,
    "FilterType ere",
    "FilterURLs Off",
    "FilterDefaultDeny Yes",
    "DisableViaHeader Yes",
    "",
  ].join("\n");
}

/** The proxy, as a hardened unit of its own; the distribution's default instance stays off. */
export function renderProxyUnit(): string {
  return [
    "# Managed by openclaw-vps: the coder's allowlisting proxy.",
    "[Unit]",
    "Description=openclaw-vps: allowlisting proxy for the coder's sandbox",
    `After=docker.service ${EGRESS_UNIT}`,
    `Requires=${EGRESS_UNIT}`,
    "",
    "[Service]",
    // The bridge's address exists once Docker has brought the network up.
    // "+": without the sandboxing below, which keeps netlink (and so `ip addr`) from tinyproxy.
    `ExecStartPre=+${EGRESS_SCRIPT} wait-bridge`,
    `ExecStart=/usr/bin/tinyproxy -d -c ${PROXY_CONF}`,
    "Restart=on-failure",
    "RestartSec=5",
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectControlGroups=yes",
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
    "CapabilityBoundingSet=CAP_SETUID CAP_SETGID",
    "MemoryMax=128M",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

/** The firewall rules for the coder's network, applied after every start of Docker. */
export function renderEgressUnit(): string {
  return [
    "# Managed by openclaw-vps: the coder's network may reach the proxy and nothing else.",
    "[Unit]",
    "Description=openclaw-vps: firewall rules for the coder's sandbox network",
    "After=docker.service openclaw-vps-docker-guard.service",
    "Requires=docker.service",
    "PartOf=docker.service",
    "",
    "[Service]",
    "Type=oneshot",
    "RemainAfterExit=yes",
    `ExecStart=${EGRESS_SCRIPT} rules`,
    "",
    "[Install]",
    "WantedBy=docker.service multi-user.target",
    "",
  ].join("\n");
}
