#!/bin/bash
# The gateway checking itself between deployments: run daily by openclaw-selfcheck.timer and
# on demand by `npm run verify`. The same checks as the deployment's verify step, by running
# verify.sh itself (OpenClaw's config validation, security audit and secrets audit, our
# posture on the live config, every TCP listener, UFW, Serve, modes, the version the
# deployment is configured for), so the two can never disagree. The result goes to the journal and to a status file; when anything is not
# clean, one message goes to the owner on Telegram (alert.js), if Telegram and an owner id
# are configured. Prints verify.sh's JSON summary as its last line.
# Usage: selfcheck.sh
set -uo pipefail

readonly LIB=/usr/local/lib/openclaw-vps
readonly STATUS=/var/lib/openclaw-vps/selfcheck.json
readonly CONFIGURED_VERSION=/var/lib/openclaw-vps/configured-version

main() {
  local version out err rc=0 summary
  # The version install.sh last put in place for this deployment (older servers: current).
  version=$(cat "$CONFIGURED_VERSION" 2>/dev/null || basename "$(readlink /opt/openclaw/current 2>/dev/null || echo unknown)")
  out=$(mktemp)
  err=$(mktemp)
  trap 'rm -f "$out" "$err"' EXIT
  "$LIB/verify.sh" "$version" >"$out" 2>"$err" || rc=$?
  cat "$err" >&2
  summary=$(tail -n 1 "$out")
  install -d -m 0755 "$(dirname "$STATUS")"
  /usr/bin/node -e '
    const [summary, rc, status] = process.argv.slice(1);
    let parsed = null;
    try { parsed = JSON.parse(summary); } catch { parsed = null; }
    const doc = { checkedAt: new Date().toISOString(), ok: rc === "0" && parsed !== null && parsed.ok === true, exit: Number(rc), summary: parsed };
    require("fs").writeFileSync(status + ".new", JSON.stringify(doc) + "\n", { mode: 0o640 });
    require("fs").renameSync(status + ".new", status);
  ' "$summary" "$rc" "$STATUS"
  echo "$summary"
  if [ "$rc" -ne 0 ]; then
    {
      echo "openclaw-vps: the check of $(hostname) found the deployment not clean:"
      grep -o 'not secure .*' "$err" | head -n 1 || tail -n 3 "$err"
      echo "Details: sudo journalctl -u openclaw-selfcheck.service, or npm run verify."
    } | /usr/bin/node "$LIB/alert.js" >&2 || echo "selfcheck: the Telegram alert could not be sent" >&2
  fi
  exit "$rc"
}

main "$@"
