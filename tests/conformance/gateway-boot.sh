#!/usr/bin/env bash
# gateway-boot.sh OPENCLAW_JSON NODE24 OPENCLAW_ENTRY: starts the real gateway with the
# rendered config, as the service does (no --tailscale override, and no tailscale binary on
# PATH: the rendered config leaves Serve to the configure step), in a network namespace that
# has only loopback, and checks it from there:
# it listens on 127.0.0.1/::1 only, /readyz gives a local caller its details, /api and /tools/invoke refuse a request without the
# token (401), the WebSocket closes on a wrong token and accepts the right one. Stops the
# gateway by its PID and removes the namespace, always. Prints "RESULT name=value" lines.
set -euo pipefail
# shellcheck source=tests/conformance/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # limit: tests/limits.json

config=$(realpath "${1:?usage: gateway-boot.sh OPENCLAW_JSON NODE24 OPENCLAW_ENTRY}")
node24=${2:?node 24 binary}
entry=${3:?openclaw.mjs}
here=$(cd "$(dirname "$0")" && pwd)
readonly PORT=38789
readonly TOKEN=cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd
ns=ocgw$$
work=$(mktemp -d)
pid=""

cleanup() {
  set +e
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 "$(limit 30)"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null
  fi
  for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
  ip netns del "$ns" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$ns" || { echo "FATAL: cannot create network namespace $ns" >&2; exit 2; }
ip -n "$ns" link set lo up
in_ns() { ip netns exec "$ns" "$@"; }

# The server's layout: 0700 state directory, 0600 config and .env. No Telegram token: with
# one, the gateway would start polling Telegram.
home=$work/home
mkdir -p "$home"
mkdir -m 0700 "$home/.openclaw"
install -m 0600 "$config" "$home/.openclaw/openclaw.json"
printf 'OPENCLAW_GATEWAY_TOKEN=%s\n' "$TOKEN" >"$home/.openclaw/.env"
chmod 0600 "$home/.openclaw/.env"

in_ns env -i PATH="$(dirname "$node24"):/usr/bin:/bin" HOME="$home" OPENCLAW_DISABLE_BONJOUR=1 \
  "$node24" "$entry" gateway run --port "$PORT" >"$work/gateway.log" 2>&1 &
pid=$!

ready=""
for i in $(seq 1 "$(limit 120)"); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "FATAL: the gateway exited; its log:" >&2
    cat "$work/gateway.log" >&2
    exit 1
  fi
  if [ "$(in_ns curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/readyz" || true)" = 200 ]; then
    ready=$i
    break
  fi
  sleep 1
done
[ -n "$ready" ] || { echo "FATAL: not ready after 120 s" >&2; tail -40 "$work/gateway.log" >&2; exit 1; }
echo "RESULT ready_after_s=$ready"

listeners=$(in_ns ss -Hltn "sport = :$PORT" | awk '{ print $4 }' | sort | paste -sd, -)
echo "RESULT listeners=$listeners"

code() { in_ns curl -s -o /dev/null -w '%{http_code}' --max-time "$(limit 2)" "$@" || true; }
echo "RESULT health=$(code "http://127.0.0.1:$PORT/health")"
# The readiness the health check (health.js) reads: a local caller gets the details.
echo "RESULT readyz=$(in_ns curl -s --max-time "$(limit 2)" "http://127.0.0.1:$PORT/readyz" | tr -d '\n' || true)"
echo "RESULT api_without_token=$(code "http://127.0.0.1:$PORT/api/channels")"
echo "RESULT invoke_without_token=$(code -X POST -H 'content-type: application/json' -d '{"tool":"session_status"}' "http://127.0.0.1:$PORT/tools/invoke")"
echo "RESULT invoke_with_token=$(code -X POST -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" -d '{"tool":"session_status"}' "http://127.0.0.1:$PORT/tools/invoke")"

wrong=$(in_ns "$node24" "$here/ws-auth-check.mjs" "ws://127.0.0.1:$PORT/" "wrong-token-$$" || true)
right=$(in_ns "$node24" "$here/ws-auth-check.mjs" "ws://127.0.0.1:$PORT/" "$TOKEN" || true)
echo "RESULT ws_wrong_token=$wrong"
echo "RESULT ws_right_token=$right"
