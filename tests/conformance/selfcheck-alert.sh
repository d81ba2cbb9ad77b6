#!/usr/bin/env bash
# selfcheck-alert.sh ARTIFACT_DIR NODE24 PACKAGE: the rendered selfcheck.sh (the daily timer's
# check) with the real OpenClaw, twice: on a clean deployment, then with a second listener on
# 0.0.0.0 (from the ss stand-in). A stand-in for the Telegram Bot API listens on loopback in
# the namespace's own network and records every request. Stand-ins otherwise only for
# systemctl, ss, ufw and tailscale, as in the other checks. Prints RESULT lines.
set -euo pipefail
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "$0")/lib.sh"

artifacts=$(realpath "${1:?usage: selfcheck-alert.sh ARTIFACT_DIR NODE24 PACKAGE}")
node24=$(realpath "${2:?node 24}")
package=$(realpath "${3:?the OpenClaw package directory}")
version=$(package_version "$package")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
mkdir -p "$work/stubs" "$work/dirty"
systemctl_stub "$work/stubs/systemctl" /dev/null
verify_stubs "$work/stubs"
cp "$work/stubs/"* "$work/dirty/"
printf '#!/bin/bash\necho "LISTEN 0 511 127.0.0.1:18789 0.0.0.0:*"\necho "LISTEN 0 511 0.0.0.0:18789 0.0.0.0:*"\n' >"$work/dirty/ss"
chmod +x "$work/stubs/"* "$work/dirty/"*
private_etc "$work/etc"
# What the deployed host's ufw and iptables list (lib.sh host_facts).
W=$work host_facts "$artifacts"

# The Telegram Bot API stand-in: records method, path and body of each request; answers ok.
cat >"$work/telegram.js" <<'JS'
const http = require("http");
const fs = require("fs");
const [log, portFile] = process.argv.slice(2);
const server = http.createServer((req, res) => {
  let body = "";
  req.on("data", (d) => (body += d));
  req.on("end", () => {
    fs.appendFileSync(log, JSON.stringify({ method: req.method, path: req.url, body }) + "\n");
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true,"result":{}}');
  });
});
server.listen(0, "127.0.0.1", () => fs.writeFileSync(portFile, String(server.address().port)));
JS

cat >"$work/steps.sh" <<'STEPS'
#!/bin/bash
set -uo pipefail
a=$1 version=$2
install -d -m 0700 -o openclaw -g openclaw /home/openclaw/.openclaw
install -m 0600 -o openclaw -g openclaw "$a/openclaw.json" /home/openclaw/.openclaw/openclaw.json
printf 'OPENCLAW_GATEWAY_TOKEN=%s\nTELEGRAM_BOT_TOKEN=%s\n' cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd 123456789:STANDIN-bot-token_abcdefghijklmnopqrs >/home/openclaw/.openclaw/.env
chown openclaw:openclaw /home/openclaw/.openclaw/.env
chmod 0600 /home/openclaw/.openclaw/.env
record_env_keys
ln -sfn "/opt/openclaw/$version" /opt/openclaw/current
mkdir -p /var/lib/openclaw-vps && echo "$version" >/var/lib/openclaw-vps/configured-version
/usr/bin/node "$W/telegram.js" "$W/requests" "$W/port" &
for _ in $(seq 1 "$(limit 50)"); do [ -s "$W/port" ] && break; sleep 0.1; done
export OPENCLAW_VPS_TELEGRAM_API="http://127.0.0.1:$(cat "$W/port")"
touch "$W/requests"
PATH="$W/stubs:$PATH" bash "$a/scripts/gateway-selfcheck.sh" >"$W/clean.out" 2>"$W/clean.err"
echo $? >"$W/clean.rc"
cp /var/lib/openclaw-vps/selfcheck.json "$W/clean.status"
wc -l <"$W/requests" >"$W/clean.requests"
PATH="$W/dirty:$PATH" bash "$a/scripts/gateway-selfcheck.sh" >"$W/dirty.out" 2>"$W/dirty.err"
echo $? >"$W/dirty.rc"
cp /var/lib/openclaw-vps/selfcheck.json "$W/dirty.status"
stat -c %a /var/lib/openclaw-vps/selfcheck.json >"$W/status.mode"
kill %1
STEPS

export W=$work
# shellcheck disable=SC2016 # expanded by the inner shell
unshare -m --net --propagation private bash -c '
  set -e
  ip link set lo up
  mount --bind "$W/etc" /etc
  mount -t tmpfs tmpfs /home && mkdir -m 0755 /home/openclaw && chown openclaw:openclaw /home/openclaw
  mount -t tmpfs tmpfs /opt && mkdir -p "/opt/openclaw/$4/node_modules"
  mount --bind "$(dirname "$3")" "/opt/openclaw/$4/node_modules"
  mount -t tmpfs tmpfs /var/lib
  mkdir -p /usr/local/lib/openclaw-vps && mount -t tmpfs tmpfs /usr/local/lib/openclaw-vps
  deployed_files "$1"
  touch /usr/bin/node && mount --bind "$2" /usr/bin/node
  exec bash "$W/steps.sh" "$1" "$4"' run "$artifacts" "$node24" "$package" "$version"

echo "RESULT clean_exit=$(cat "$work/clean.rc")"
echo "RESULT clean_requests=$(cat "$work/clean.requests")"
echo "RESULT clean_status=$(cat "$work/clean.status")"
echo "RESULT clean_summary=$(tail -n 1 "$work/clean.out")"
echo "RESULT clean_alert=$(grep -c '^alert:' "$work/clean.err" || true)"
echo "RESULT dirty_exit=$(cat "$work/dirty.rc")"
echo "RESULT dirty_requests=$(wc -l <"$work/requests")"
echo "RESULT dirty_request=$(head -n 1 "$work/requests")"
echo "RESULT dirty_status=$(cat "$work/dirty.status")"
echo "RESULT dirty_alert=$(grep '^alert:' "$work/dirty.err" | tr '\n' ' ')"
echo "RESULT token_in_output=$(cat "$work/clean.out" "$work/clean.err" "$work/dirty.out" "$work/dirty.err" | grep -c 'STANDIN-bot-token' || true)"
echo "RESULT status_mode=$(cat "$work/status.mode")"
