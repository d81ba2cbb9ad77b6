#!/bin/bash
# Checks the running deployment and fails if it is not secure: OpenClaw's own config
# validation and security audit (any critical or warn finding fails), the gateway on
# loopback only, UFW active, the Serve route present, and file modes. Prints one JSON
# summary line on stdout; explanations go to stderr. After an upgrade that fails here, the
# previous version is put back and restarted, and the run still fails, with the reasons.
# Usage: verify.sh <expected OpenClaw version>
set -euo pipefail

readonly USER_NAME=openclaw
readonly STATE_DIR=/home/openclaw/.openclaw
readonly ENTRY=/opt/openclaw/current/node_modules/openclaw/openclaw.mjs
readonly PORT=18789
readonly ROOT=/opt/openclaw
readonly UPGRADE_MARKER=/var/lib/openclaw-vps/upgrade-from
readonly UNIT=openclaw-gateway.service

problems=()
fail() { problems+=("$1"); echo "verify: FAIL $1" >&2; }

# OpenClaw as the gateway's account, with its secrets resolvable from the state directory.
oc() { runuser -u "$USER_NAME" -- env HOME=/home/openclaw /usr/bin/node "$ENTRY" "$@" </dev/null; }

mode_of() { stat -c '%a %U' "$1" 2>/dev/null || echo "missing"; }

# Puts the version named by the upgrade marker back in place and restarts the gateway.
roll_back() {
  local previous
  previous=$(cat "$UPGRADE_MARKER")
  if [ ! -d "$previous" ]; then
    echo "verify: cannot roll back: $previous is gone" >&2
    return
  fi
  ln -sfn "$previous" "$ROOT/current.new"
  mv -T "$ROOT/current.new" "$ROOT/current"
  rm -f "$UPGRADE_MARKER"
  systemctl restart "$UNIT"
  echo "verify: rolled back to $(basename "$previous") and restarted the gateway" >&2
  problems+=("the upgrade was rolled back to $(basename "$previous"); set openclawVersion to $(basename "$previous") or fix the problems above")
}

main() {
  if [ "$#" -ne 1 ]; then
    echo "usage: $0 <expected OpenClaw version>" >&2
    exit 2
  fi
  local expected=$1 version validate audit listeners ufw_state serve modes
  version=$(oc --version | head -n 1)
  # An earlier rollback leaves an older version running than the one configured.
  if [ "$(basename "$(readlink "$ROOT/current")")" != "$expected" ]; then
    fail "OpenClaw $expected is configured but $(basename "$(readlink "$ROOT/current")") is installed as current"
  fi

  validate=$(oc config validate --json || true)
  if ! node -e 'const v = JSON.parse(process.argv[1]); process.exit(v.valid === true && (v.warnings ?? []).length === 0 ? 0 : 1)' "$validate"; then
    fail "openclaw config validate: $validate"
  fi

  # The audit's exit code is 0 even with critical findings: judge its summary.
  audit=$(oc security audit --json)
  local findings
  # shellcheck disable=SC2016 # JavaScript template literals, not shell expansions
  findings=$(node -e '
    const a = JSON.parse(process.argv[1]);
    const bad = (a.findings ?? []).filter((f) => f.severity === "critical" || f.severity === "warn");
    console.log(bad.map((f) => `${f.severity} ${f.checkId}: ${f.title}`).join("; "));
  ' "$audit")
  if [ -n "$findings" ]; then fail "openclaw security audit: $findings"; fi

  # Telegram policy is not audited by the CLI: check the keys directly.
  local telegram
  # shellcheck disable=SC2016 # JavaScript template literals, not shell expansions
  telegram=$(node -e '
    const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const t = c.channels && c.channels.telegram;
    if (!t) { console.log("off"); process.exit(0); }
    const bad = [];
    if (!["pairing", "allowlist"].includes(t.dmPolicy)) bad.push(`dmPolicy ${t.dmPolicy}`);
    if ((t.allowFrom ?? []).some((x) => String(x).includes("*"))) bad.push("allowFrom has a wildcard");
    if (t.groupPolicy !== "disabled") bad.push(`groupPolicy ${t.groupPolicy}`);
    if (t.configWrites !== false) bad.push("configWrites on");
    console.log(bad.length ? `BAD ${bad.join(", ")}` : `${t.dmPolicy}, groups disabled`);
  ' "$STATE_DIR/openclaw.json")
  if [[ $telegram == BAD* ]]; then fail "telegram: ${telegram#BAD }"; fi

  listeners=$(ss -Hltn "sport = :$PORT" | awk '{ print $4 }' | sort | paste -sd, -)
  if [ -z "$listeners" ]; then fail "nothing listens on port $PORT"; fi
  local addr
  for addr in ${listeners//,/ }; do
    case "$addr" in
      127.0.0.1:"$PORT" | "[::1]:$PORT") ;;
      *) fail "the gateway listens on $addr, not only on loopback" ;;
    esac
  done

  ufw_state=$(ufw status | head -n 1)
  if [ "$ufw_state" != "Status: active" ]; then fail "ufw: $ufw_state"; fi

  if tailscale serve status --json 2>/dev/null | grep -q "\"http://127.0.0.1:$PORT\""; then
    serve="https:443 -> http://127.0.0.1:$PORT"
  else
    serve="missing"
    fail "no Tailscale Serve route to 127.0.0.1:$PORT"
  fi

  local dir_mode config_mode env_mode
  dir_mode=$(mode_of "$STATE_DIR")
  config_mode=$(mode_of "$STATE_DIR/openclaw.json")
  env_mode=$(mode_of "$STATE_DIR/.env")
  [ "$dir_mode" = "700 $USER_NAME" ] || fail "$STATE_DIR is $dir_mode, expected 700 $USER_NAME"
  [ "$config_mode" = "600 $USER_NAME" ] || fail "openclaw.json is $config_mode, expected 600 $USER_NAME"
  [ "$env_mode" = "600 $USER_NAME" ] || fail ".env is $env_mode, expected 600 $USER_NAME"
  modes="stateDir $dir_mode, config $config_mode, env $env_mode"

  node -e '
    const [version, audit, listeners, ufw, serve, modes, telegram, problems] = process.argv.slice(1);
    const summary = JSON.parse(audit).summary ?? {};
    console.log(JSON.stringify({
      ok: problems === "",
      openclaw: version,
      audit: { critical: summary.critical, warn: summary.warn, info: summary.info },
      listeners: listeners.split(",").filter(Boolean),
      ufw, serve, modes, telegram,
      problems: problems === "" ? [] : problems.split("\n"),
    }));
  ' "$version" "$audit" "$listeners" "$ufw_state" "$serve" "$modes" "$telegram" "$(printf '%s\n' "${problems[@]}" | sed '/^$/d')"

  if [ "${#problems[@]}" -gt 0 ]; then
    if [ -f "$UPGRADE_MARKER" ]; then roll_back; fi
    echo "verify: the deployment is not secure (${#problems[@]} problems): ${problems[*]}" >&2
    exit 1
  fi
  # Verified: the upgrade, if there was one, is accepted.
  rm -f "$UPGRADE_MARKER"
}

main "$@"
