/**
 * The host step: the host's own settings, re-asserted over SSH as rendered today. First boot
 * writes them from the user data (cloud-init/index.ts hostFiles), which a running server never
 * reads again; this step puts them back whenever the drift check found the host changed
 * (components/driftCheck.ts), on every new server, and when what it applies changes:
 *
 * - each host file (the sshd drop-in, daemon.json, the Docker guard and its unit, journald,
 *   resolved, fail2ban, unattended-upgrades, the first-boot scripts) written only when it
 *   differs, and the service that reads it reloaded only then;
 * - the host firewall's commands run again (defaults, the tailnet rule, UFW on), and every
 *   UFW rule it does not add deleted;
 * - the Docker guard run again, and every DOCKER-USER rule the manifest does not list deleted;
 * - drop-ins and runtime copies of this deployment's units removed (the gateway restarts in
 *   the configure step then).
 *
 * Safe to run again: a second run changes nothing and prints `host: 0 changed`.
 */
import { hostFiles, SCRIPT_PATHS } from "../cloud-init";
import { shellArg, shellCommand } from "../cloud-init/shell";
import { SSHD_DROP_IN } from "../cloud-init/sshd";
import { EGRESS_UNIT } from "./coding";
import { Manifest } from "./manifest";
import { hereDocument, putFunction } from "./bundle";


/** What reads each host file: the command that makes a changed file take effect. */
const RELOAD: Readonly<Record<string, string>> = {
  [SSHD_DROP_IN]: "sshd -t && systemctl try-reload-or-restart ssh.service",
  "/etc/systemd/journald.conf.d/openclaw-vps.conf": "systemctl restart systemd-journald.service",
  "/etc/systemd/resolved.conf.d/openclaw-vps.conf": "systemctl try-restart systemd-resolved.service",
  "/etc/fail2ban/jail.d/openclaw-vps.local": "systemctl try-reload-or-restart fail2ban.service",
  // live-restore is on (daemon.json): running containers survive Docker's restart.
  "/etc/docker/daemon.json": "systemctl try-restart docker.service",
};

/** The bash array of a list of lines, one quoted element per line. */
const bashArray = (name: string, lines: readonly string[]) => [`${name}=(`, ...lines.map((l) => `  ${shellArg(l)}`), ")"];

export function renderHostStep(manifest: Manifest, coding: boolean): string {
  const files = hostFiles();
  const out = [
    "#!/bin/bash",
    "# Re-asserts the host's settings as rendered (gateway/hostStep.ts). Safe to run again.",
    "set -euo pipefail",
    "",
    "changed=0",
    "reloads=()",
    "# The third argument is the command that makes a changed file take effect.",
    ...putFunction("host", 'reloads+=("$3")'),
    "",
    ...bashArray("ufw_rules", manifest.ufw.rules),
    ...bashArray("docker_user", manifest.dockerUser),
    ...bashArray("units", manifest.units),
    "",
    "# listed <line> <array element>...: whether the line is one of them.",
    "listed() {",
    "  local line=$1 x",
    "  shift",
    '  for x in "$@"; do [ "$x" = "$line" ] && return 0; done',
    "  return 1",
    "}",
    "",
    "# UFW: every rule the host firewall does not add goes (both families: ufw delete does both).",
    "prune_ufw() {",
    "  local line rule argv",
    "  while IFS= read -r line; do",
    '    case "$line" in "ufw "*) ;; *) continue ;; esac',
    '    if listed "$line" "${ufw_rules[@]}"; then continue; fi',
    "    rule=${line#ufw }",
    "    rule=$(printf '%s' \"$rule\" | sed -E \"s/ comment '.*'\\$//\")",
    '    read -ra argv <<<"$rule"',
    '    ufw delete "${argv[@]}" >/dev/null',
    "    changed=$((changed + 1))",
    '    echo "host: removed the UFW rule: $line"',
    "  done < <(ufw show added)",
    "}",
    "",
    "# DOCKER-USER: every rule the manifest does not list goes (Docker's own RETURN stays). By",
    "# number, highest first: a rule's text (a quoted comment) need not survive word splitting.",
    "prune_docker_user() {",
    "  local line rules n=0 i",
    "  local -a doomed=()",
    "  rules=$(iptables -S DOCKER-USER 2>/dev/null) || return 0",
    "  while IFS= read -r line; do",
    '    case "$line" in "-A DOCKER-USER "*) ;; *) continue ;; esac',
    "    n=$((n + 1))",
    '    if [ "$line" = "-A DOCKER-USER -j RETURN" ] || listed "$line" "${docker_user[@]}"; then continue; fi',
    '    doomed=("$n" "${doomed[@]}")',
    '    echo "host: removed the DOCKER-USER rule: $line"',
    '  done <<<"$rules"',
    '  for i in "${doomed[@]}"; do',
    '    iptables -D DOCKER-USER "$i"',
    "    changed=$((changed + 1))",
    "  done",
    "}",
    "",
    "# Drop-ins and runtime copies override the units the deploy wrote: they go.",
    "prune_unit_overrides() {",
    "  local unit path removed=0",
    '  for unit in "${units[@]}"; do',
    '    for path in "/etc/systemd/system/$unit.d" "/run/systemd/system/$unit.d" "/etc/systemd/system.control/$unit.d" "/run/systemd/system.control/$unit.d" "/run/systemd/system/$unit"; do',
    '      if [ -e "$path" ]; then',
    '        rm -rf "$path"',
    "        removed=$((removed + 1))",
    '        echo "host: removed $path"',
    '        if [ "$unit" = openclaw-gateway.service ]; then',
    "          install -d -m 0755 /var/lib/openclaw-vps",
    "          touch /var/lib/openclaw-vps/restart-needed",
    "        fi",
    "      fi",
    "    done",
    "  done",
    '  if [ "$removed" -gt 0 ]; then systemctl daemon-reload; changed=$((changed + removed)); fi',
    "}",
    "",
    "main() {",
  ];
  for (const f of files) {
    const reload = RELOAD[f.path];
    out.push(...hereDocument(`put ${f.permissions} ${f.path}${reload ? ` ${shellArg(reload)}` : ""}`, f.path, f.content));
  }
  out.push(
    "  systemctl daemon-reload",
    "  local reload",
    '  for reload in "${reloads[@]}"; do bash -c "$reload"; done',
    "  # The host firewall's own commands again: defaults, the tailnet rule, UFW on.",
    `  ${shellCommand([SCRIPT_PATHS.hostFirewall])} >/dev/null`,
    "  prune_ufw",
    "  # The Docker guard again (it adds only the rules that are missing), then nothing else.",
    "  if systemctl is-active --quiet docker.service; then",
    `    ${shellCommand([SCRIPT_PATHS.dockerGuard])} >/dev/null`,
    ...(coding ? [`    systemctl try-restart ${EGRESS_UNIT}`] : []),
    "    prune_docker_user",
    "  fi",
    "  prune_unit_overrides",
    '  echo "host: $changed changed"',
    "}",
    "",
    'main "$@"',
    "",
  );
  return out.join("\n");
}
