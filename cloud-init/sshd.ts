/**
 * The sshd drop-in: key-only logins for the admin user alone. It is named to sort first
 * in sshd_config.d, because sshd keeps the first value it reads for each keyword.
 */
export const SSHD_DROP_IN = "/etc/ssh/sshd_config.d/01-openclaw-vps.conf";

/** The only host key sshd offers: the one cloud-init installs and every deploy step pins. */
export const HOST_KEY_FILE = "/etc/ssh/ssh_host_ed25519_key";

export function sshdSettings(adminUser: string): ReadonlyArray<readonly [string, string]> {
  return [
    // Naming a HostKey replaces sshd's default list: no other key type is ever offered.
    ["HostKey", HOST_KEY_FILE],
    ["PermitRootLogin", "no"],
    ["PasswordAuthentication", "no"],
    ["KbdInteractiveAuthentication", "no"],
    ["PermitEmptyPasswords", "no"],
    ["PubkeyAuthentication", "yes"],
    ["AuthenticationMethods", "publickey"],
    ["AllowUsers", adminUser],
    ["MaxAuthTries", "3"],
    ["LoginGraceTime", "20"],
    ["MaxStartups", "10:30:60"],
    ["X11Forwarding", "no"],
    ["AllowAgentForwarding", "no"],
    ["AllowTcpForwarding", "no"],
    ["PermitTunnel", "no"],
    ["ClientAliveInterval", "300"],
    ["ClientAliveCountMax", "2"],
  ];
}

export function renderSshdDropIn(adminUser: string): string {
  const lines = sshdSettings(adminUser).map(([k, v]) => `${k} ${v}`);
  return ["# Managed by openclaw-vps: key-only SSH for the admin user, reachable over the tailnet only.", ...lines, ""].join("\n");
}
