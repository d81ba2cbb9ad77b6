import { shellCommand } from "./shell";

/**
 * The host firewall, as UFW commands: deny everything inbound and routed, allow outbound,
 * and accept inbound only on the tailnet interface. This is the second wall: it holds even
 * if the cloud firewall were gone. Enabled only after the defaults are in place.
 */
export const TAILNET_INTERFACE = "tailscale0";

/** Each command as argv, in order. */
export function hostFirewallCommands(): ReadonlyArray<readonly string[]> {
  return [
    // With IPV6=no UFW drops all IPv6, the tailnet's included: make sure it filters both.
    ["sed", "-i", "s/^IPV6=.*/IPV6=yes/", "/etc/default/ufw"],
    ["ufw", "default", "deny", "incoming"],
    ["ufw", "default", "deny", "routed"],
    ["ufw", "default", "allow", "outgoing"],
    ["ufw", "allow", "in", "on", TAILNET_INTERFACE, "comment", "tailnet only"],
    ["ufw", "--force", "enable"],
  ];
}

/** The same commands as a script, for inspection and for the port-scan test. */
export function renderHostFirewallScript(): string {
  return [
    "#!/bin/bash",
    "# Host firewall: nothing inbound except on the tailnet interface. Safe to run again.",
    "set -euo pipefail",
    ...hostFirewallCommands().map((argv) => shellCommand(argv)),
    "",
  ].join("\n");
}
