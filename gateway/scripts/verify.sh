#!/bin/bash
# Checks the running deployment and fails if it is not secure: OpenClaw's own config
# validation, security audit and secrets audit (judged by judge.js: any critical or warn
# finding, a plaintext secret or unresolved ref, a CLI error or an unknown shape fails), our
# posture on the live config (posture.json: the sandbox, tools, Telegram owners and gateway
# keys this deployment rendered), the gateway on loopback only, no TCP listener reachable
# beyond loopback and tailscale0, UFW active, exactly the one Serve route this deployment
# owns, file modes, and no drift from what this deployment rendered (manifest.json). Prints one JSON summary line on stdout; explanations go to stderr.
# After an upgrade that fails here, the previous version is put back and restarted, and the
# run still fails, with the reasons.
# Usage: verify.sh <expected OpenClaw version>
#
# No `set -e`: every check records its problem and the script always reaches its verdict
# (and the rollback). The EXIT trap rolls back on any other way out, too.
set -uo pipefail

readonly USER_NAME=openclaw
readonly STATE_DIR=/home/openclaw/.openclaw
readonly ENTRY=/opt/openclaw/current/node_modules/openclaw/openclaw.mjs
readonly LIB=/usr/local/lib/openclaw-vps
readonly PORT=18789
readonly ROOT=/opt/openclaw
# The posture this deployment rendered (gateway/posture.ts), root's like the rest.
readonly POSTURE=/etc/openclaw-vps/posture.json
# Everything else this deployment rendered onto the host (gateway/manifest.ts).
readonly MANIFEST=/etc/openclaw-vps/manifest.json

problems=()
fail() { problems+=("$1"); echo "verify: FAIL $1" >&2; }

# OpenClaw as the gateway's account, with its secrets resolvable from the state directory.
oc() { runuser -u "$USER_NAME" -- env HOME=/home/openclaw /usr/bin/node "$ENTRY" "$@" </dev/null; }

mode_of() { stat -c '%a %U' "$1" 2>/dev/null || echo "missing"; }

# check <judge arguments> < input: records each problem judge.js finds; fails if any.
check() {
  local out line rc=0
  out=$(/usr/bin/node "$LIB/judge.js" "$@") || rc=$?
  while IFS= read -r line; do
    if [ -n "$line" ]; then fail "$line"; fi
  done <<<"$out"
  if [ "$rc" -ne 0 ] && [ -z "$out" ]; then fail "judge.js $1 exited $rc"; fi
  return "$rc"
}

rolled_back=0
roll_back_if_upgrading() {
  local rc=0 previous
  previous=$(cat /var/lib/openclaw-vps/upgrade-from 2>/dev/null || true)
  "$LIB/rollback.sh" || rc=$?
  case "$rc" in
    0) rolled_back=1; problems+=("the upgrade was rolled back to $(basename "$previous"); set openclawVersion to $(basename "$previous") or fix the problems above") ;;
    3) ;;
    *) problems+=("the upgrade could not be rolled back (rollback.sh exited $rc)") ;;
  esac
}

on_exit() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ "$rolled_back" = 0 ]; then
    roll_back_if_upgrading
  fi
  exit "$rc"
}

main() {
  if [ "$#" -ne 1 ]; then
    echo "usage: $0 <expected OpenClaw version>" >&2
    exit 2
  fi
  trap on_exit EXIT
  local expected=$1 version current validate audit listeners ufw_state serve modes telegram dns errors
  errors=$(mktemp)
  version=$(oc --version 2>"$errors" | head -n 1)
  if [ -z "$version" ]; then fail "openclaw --version failed: $(tail -n 3 "$errors" | tr '\n' ' ')"; fi
  # An earlier rollback leaves an older version running than the one configured.
  current=$(basename "$(readlink "$ROOT/current" 2>/dev/null || echo none)")
  if [ "$current" != "$expected" ]; then
    fail "OpenClaw $expected is configured but $current is installed as current"
  fi

  validate=$(oc config validate --json 2>"$errors")
  check validate <<<"$validate"

  # The audit's exit code is 0 even with critical findings, and 1 with an error document:
  # neither is the verdict. judge.js reads the document itself.
  audit=$(oc security audit --json 2>"$errors")
  check audit <<<"$audit"

  # The security audit does not look for plaintext secrets (a token written into
  # openclaw.json passes it): the secrets audit does, and for refs that do not resolve. Its
  # exit code is 1 with findings, 2 with unresolved refs or an error document: judge.js reads
  # the report instead, and accepts only the model keys .env holds on purpose.
  local secrets_report
  secrets_report=$(oc secrets audit --json 2>"$errors")
  check secrets "$STATE_DIR" <<<"$secrets_report"

  # Telegram policy is not audited by the CLI: check the keys directly.
  if [ -r "$STATE_DIR/openclaw.json" ]; then
    check telegram <"$STATE_DIR/openclaw.json"
  else
    fail "$STATE_DIR/openclaw.json is missing"
  fi
  telegram=$(/usr/bin/node "$LIB/judge.js" describe-telegram <"$STATE_DIR/openclaw.json" 2>/dev/null || echo unknown)

  # Coding (docs/coding.md): its settings in the config, and its way out on the host.
  if [ -r "$STATE_DIR/openclaw.json" ]; then check coding <"$STATE_DIR/openclaw.json"; fi
  if [ -n "$(coder_proxy)" ]; then coding_host; fi

  # Our posture, which OpenClaw's checks do not judge (they pass an opened sandbox, an
  # unsandboxed chat agent, a second Telegram owner): the keys this deployment rendered,
  # asserted on the live config, one problem per key that differs.
  if [ -r "$STATE_DIR/openclaw.json" ]; then check posture "$POSTURE" <"$STATE_DIR/openclaw.json"; fi

  # Drift: the host against the manifest of what this deployment rendered (drift.js): every
  # file's content, mode and owner, the live config, .env's key names, overrides of our units,
  # UFW, DOCKER-USER, the timers. One problem per difference, named by file; `pulumi up`
  # re-asserts the rendered state (docs/security-model.md, "Drift").
  local drift drift_rc=0 line
  drift=$(/usr/bin/node "$LIB/drift.js" check "$MANIFEST") || drift_rc=$?
  while IFS= read -r line; do
    if [ -n "$line" ]; then fail "$line"; fi
  done <<<"$drift"
  if [ "$drift_rc" -ne 0 ] && [ -z "$drift" ]; then fail "drift.js exited $drift_rc"; fi

  listeners=$(ss -Hltn "sport = :$PORT" | awk '{ print $4 }' | sort | paste -sd, -)
  if [ -z "$listeners" ]; then fail "nothing listens on port $PORT"; fi
  local addr
  for addr in ${listeners//,/ }; do
    case "$addr" in
      127.0.0.1:"$PORT" | "[::1]:$PORT") ;;
      *) fail "the gateway listens on $addr, not only on loopback" ;;
    esac
  done

  # Every TCP listener, whatever its port or owner: on loopback, on an address tailscale0
  # holds, or bound to the device; anything else (a wildcard, a public address) fails,
  # naming the process. UDP is not judged (judge.js says why).
  local tcp tailnet ss_rc=0
  tcp=$(ss -Hltnp 2>"$errors") || ss_rc=$?
  if [ "$ss_rc" -ne 0 ]; then
    fail "ss -Hltnp failed (exit $ss_rc): $(tail -n 3 "$errors" | tr '\n' ' ')"
  else
    tailnet=$(ip -o addr show dev tailscale0 2>/dev/null || true)
    check listeners "$tailnet" "$(coder_proxy)" <<<"$tcp"
  fi

  ufw_state=$(ufw status 2>&1 | head -n 1)
  if [ "$ufw_state" != "Status: active" ]; then fail "ufw: $ufw_state"; fi

  # The route this deployment owns (configure.sh sets it; the gateway does not touch Serve).
  dns=$(tailscale status --json --peers=false 2>/dev/null | /usr/bin/node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).Self.DNSName.replace(/\.$/, "")))' 2>/dev/null)
  if [ -z "$dns" ]; then fail "tailscale status gives no DNS name for this node"; fi
  local status
  status=$(tailscale serve status --json 2>"$errors")
  if check serve "$dns" <<<"$status"; then
    serve="https://$dns:443 -> http://127.0.0.1:$PORT"
  else
    serve="missing"
  fi

  local dir_mode config_mode env_mode
  dir_mode=$(mode_of "$STATE_DIR")
  config_mode=$(mode_of "$STATE_DIR/openclaw.json")
  env_mode=$(mode_of "$STATE_DIR/.env")
  [ "$dir_mode" = "700 $USER_NAME" ] || fail "$STATE_DIR is $dir_mode, expected 700 $USER_NAME"
  [ "$config_mode" = "600 $USER_NAME" ] || fail "openclaw.json is $config_mode, expected 600 $USER_NAME"
  [ "$env_mode" = "600 $USER_NAME" ] || fail ".env is $env_mode, expected 600 $USER_NAME"
  modes="stateDir $dir_mode, config $config_mode, env $env_mode"
  rm -f "$errors"

  if [ "${#problems[@]}" -gt 0 ]; then roll_back_if_upgrading; fi
  summary "$version" "$audit" "$listeners" "$ufw_state" "$serve" "$modes" "$telegram"

  if [ "${#problems[@]}" -gt 0 ]; then
    local word=problems
    [ "${#problems[@]}" = 1 ] && word=problem
    echo "verify: the deployment is not secure (${#problems[@]} $word): ${problems[*]}" >&2
    exit 1
  fi
  # Verified: the upgrade, if there was one, is accepted (its backup stays in the backups).
  rm -f /var/lib/openclaw-vps/upgrade-from /var/lib/openclaw-vps/upgrade-backup
}

# With coding on, the one listener beyond loopback and the tailnet it adds: the coder's proxy
# on its network's bridge address (only that network reaches it: coding-egress.sh's rules).
coder_proxy() {
  if [ -x "$LIB/coding-egress.sh" ] && grep -q '"openclaw-vps-coder-gate"' "$STATE_DIR/openclaw.json" 2>/dev/null; then
    echo "172.31.240.1:3128 tinyproxy"
  fi
}

# The coder's way out as coding-egress.sh set it up: the proxy running on the bridge address
# alone, the network internal, the rules in place, the workspace the sandbox's and the
# gateway's only.
coding_host() {
  local shape listens workspace
  [ "$(systemctl is-active openclaw-vps-coder-proxy.service 2>&1)" = active ] || fail "coding: the proxy (openclaw-vps-coder-proxy.service) is not active"
  listens=$(ss -Hltn 'sport = :3128' | awk '{ print $4 }' | sort -u | paste -sd, -)
  [ "$listens" = "172.31.240.1:3128" ] || fail "coding: the proxy listens on '$listens', expected 172.31.240.1:3128"
  shape=$(docker network inspect openclaw-coder --format '{{.Internal}} {{(index .IPAM.Config 0).Subnet}}' 2>&1)
  [ "$shape" = "true 172.31.240.0/24" ] || fail "coding: the coder's network is '$shape', expected 'true 172.31.240.0/24'"
  iptables -C DOCKER-USER -i br-oc-coder -j REJECT 2>/dev/null || fail "coding: DOCKER-USER does not reject the coder's network"
  iptables -C INPUT -i br-oc-coder -j REJECT 2>/dev/null || fail "coding: INPUT does not reject the coder's network"
  iptables -C INPUT -i br-oc-coder -d 172.31.240.1 -p tcp --dport 3128 -j ACCEPT 2>/dev/null || fail "coding: INPUT does not let the coder's network reach the proxy"
  workspace=$(stat -c '%u %a' /home/openclaw/coder-workspace 2>&1)
  [ "$workspace" = "1000 770" ] || fail "coding: the workspace is '$workspace', expected '1000 770'"
}

summary() {
  local counts
  counts=$(/usr/bin/node "$LIB/judge.js" counts <<<"$2")
  /usr/bin/node -e '
    const [version, counts, listeners, ufw, serve, modes, telegram, problems] = process.argv.slice(1);
    console.log(JSON.stringify({
      ok: problems === "",
      openclaw: version,
      audit: JSON.parse(counts),
      listeners: listeners.split(",").filter(Boolean),
      ufw, serve, modes, telegram,
      problems: problems === "" ? [] : problems.split("\n"),
    }));
  ' "$1" "$counts" "$3" "$4" "$5" "$6" "$7" "$(printf '%s\n' "${problems[@]}" | sed '/^$/d')"
}

main "$@"
