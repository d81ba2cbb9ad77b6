/**
 * The files step's wait for first boot (components/gateway.ts): the start of its command, in
 * the same SSH session as the bundle it then installs.
 *
 * While cloud-init runs, the step prints a progress line on stderr at once and then every
 * FIRST_BOOT_PROGRESS_SECONDS: how long it has waited, and cloud-init's status with the detail
 * of `cloud-init status --long` (on Debian 12's cloud-init 22.4 the line after `detail:`, e.g.
 * `Running in stage: modules-final`; later releases print it on the same line). pulumi-command
 * shows each line of a remote command's output as it arrives, so a user watching `pulumi up`
 * sees that the step is alive; stdout keeps only the bundle's report (`files: N changed`).
 *
 * It polls `cloud-init status --long` (no `--wait`) for as long as cloud-init is in a state
 * that `--wait` waits through: `running` or `not run` on 22.4; `running` or `not started` on
 * later releases, which print that in `extended_status` (`error - running`, `degraded
 * running`) while `status` may already say `error`. Then the unchanged check decides, as it
 * always has: `cloud-init status --wait` (at once by then) must exit 0 (22.4: 1 is an error;
 * later releases: 2 is a recoverable error), and the bootstrap's marker must exist. Should the
 * status read as anything else (no cloud-init, sudo refused), the loop ends at once and that
 * check decides alone, as before.
 *
 * `date` and `sleep` are the only clock, so a test can stand in for them.
 */
import { READY_MARKER } from "../cloud-init";

/** Seconds between polls of cloud-init's status. */
export const FIRST_BOOT_POLL_SECONDS = 5;

/**
 * Seconds between progress lines. A line is due this long after the last one and printed at
 * the next poll, so lines are at most this plus one poll (and its status query) apart: under
 * 30 s.
 */
export const FIRST_BOOT_PROGRESS_SECONDS = 20;

/** The detail line of `cloud-init status --long`, as ` (detail)`, or nothing. */
const DETAIL = `awk '/^detail:/ { d = substr($0, 8); sub(/^ +/, "", d); if (d == "" && (getline line) > 0) d = line; if (d != "") print " (" d ")"; exit }'`;

/** The command text that waits for first boot, reports progress, and fails as it always has. */
export function firstBootWait(): string {
  return [
    "started=$(date +%s); next=$started;",
    "while :; do",
    `  out=$(sudo cloud-init status --long 2>/dev/null </dev/null); state=$(printf '%s\\n' "$out" | sed -n 's/^status: //p'); ext=$(printf '%s\\n' "$out" | sed -n 's/^extended_status: //p');`,
    `  case "\${ext:-$state}" in *running | *"not started" | "not run") ;; *) break ;; esac;`,
    "  now=$(date +%s);",
    `  if [ "$now" -ge "$next" ]; then next=$((now + ${FIRST_BOOT_PROGRESS_SECONDS})); printf 'waiting for first boot to finish (cloud-init): %s s so far; status: %s%s\\n' "$((now - started))" "\${ext:-$state}" "$(printf '%s\\n' "$out" | ${DETAIL})" >&2; fi;`,
    `  sleep ${FIRST_BOOT_POLL_SECONDS};`,
    "done;",
    "if ! sudo cloud-init status --wait --long >/dev/null; then",
    "  echo 'first boot failed: see sudo cloud-init status --long and /var/log/cloud-init-output.log on the server' >&2; exit 1;",
    "fi;",
    `test -f ${READY_MARKER} || { echo 'bootstrap did not finish: see /var/log/cloud-init-output.log' >&2; exit 1; };`,
  ].join(" ");
}
