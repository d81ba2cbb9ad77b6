#!/usr/bin/env bash
# verify-refused.sh ARTIFACT_DIR NODE24 GOOD_PACKAGE REFUSING_PACKAGE WEAKENED_CONFIG: the
# rendered verify.sh refusing what it must refuse, with the real OpenClaw and the real `ss` and
# `ip`. As root, in
# a private mount and network namespace laid out as the server: both real packages under
# /opt/openclaw, the state and the secrets (.env) the server has, a `tailscale0` holding the
# node's tailnet addresses and an `eth0` holding public ones, and real listeners (Python
# sockets) where the gateway and sshd listen; stand-ins only for systemctl (records), ufw
# and tailscale. Five runs:
#   refused:   `current` switched to a real release that refuses the state the running one
#              wrote (its audits exit 1 and 2 with {"ok":false,"error":...}): verify.sh must
#              roll back and fail with the reason;
#   clean:     the running release, the gateway on loopback, sshd on the tailnet addresses,
#              a socket bound to tailscale0: verify.sh passes;
#   exposed:   the same plus listeners on 0.0.0.0, [::], * (dual stack), a public IPv4 and a
#              public IPv6 address, held by a process called rogue-listener: each one fails,
#              naming the address and the process;
#   plaintext: the Telegram token written into openclaw.json: the secrets audit fails it (the
#              security audit does not);
#   weakened:  WEAKENED_CONFIG (the rendered config with issue 22's held variants applied) as
#              openclaw.json: OpenClaw's checks pass it; the posture check fails it, by key;
#   drifted:   each deployed file changed on its own (the gateway's unit, a drop-in on it, the
#              sshd drop-in, a UFW rule, daemon.json): verify.sh and selfcheck.sh fail naming it;
#   clean-after: every file put back, verify.sh passes again.
# Every file the deploy writes is installed from the plan's artifacts (lib.sh deployed_files).
# Prints RESULT lines.
set -euo pipefail
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "$0")/lib.sh"

artifacts=$(realpath "${1:?usage: verify-refused.sh ARTIFACT_DIR NODE24 GOOD_PACKAGE REFUSING_PACKAGE WEAKENED_CONFIG}")
node24=$(realpath "${2:?node 24}")
good=$(realpath "${3:?the configured OpenClaw package directory}")
refusing=$(realpath "${4:?the refusing OpenClaw package directory}")
weakened=$(realpath "${5:?a weakened openclaw.json}")
good_version=$(package_version "$good")
refusing_version=$(package_version "$refusing")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
recording_stubs "$work"
# The real ss, in the namespace below, sees the real listeners.
rm "$work/stubs/ss"
private_etc "$work/etc"
# What the deployed host's ufw and iptables list (lib.sh host_facts).
W=$work host_facts "$artifacts"

# listen.py NAME SPEC...: holds a TCP listener for each SPEC (ADDRESS,PORT[,DEVICE]; an
# IPv6 ADDRESS in brackets, "*" for dual stack) under the process name NAME, then waits.
cat >"$work/listen.py" <<'PY'
import ctypes, socket, sys, time
ctypes.CDLL(None).prctl(15, sys.argv[1].encode(), 0, 0, 0)  # PR_SET_NAME: what ss shows
held = []
for spec in sys.argv[2:]:
    addr, port, *dev = spec.split(",")
    v6 = addr.startswith("[") or addr == "*"
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if v6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0 if addr == "*" else 1)
    if dev:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev[0].encode())
    s.bind(("::" if addr == "*" else addr.strip("[]"), int(port)))
    s.listen()
    held.append(s)
print("ready", flush=True)
time.sleep(3600)
PY

cat >"$work/steps.sh" <<'STEPS'
#!/bin/bash
set -uo pipefail
a=$1 good_version=$2 refusing_version=$3 weakened=$4
pids=()
trap 'kill "${pids[@]}" 2>/dev/null' EXIT
# listen NAME SPEC...: starts listen.py and waits until its sockets are bound.
listen() {
  local out=$W/listen-$1.out
  python3 "$W/listen.py" "$@" >"$out" 2>&1 &
  pids+=($!)
  echo $! >"$W/pid-$1"
  for _ in $(seq 1 "$(limit 50)"); do grep -q ready "$out" && return 0; sleep 0.1; done
  echo "listen.py $1 did not start: $(cat "$out")" >&2
  exit 1
}
# run_verify LABEL VERSION: verify.sh as the deploy runs it; its exit code and summary.
run_verify() {
  bash "$a/scripts/gateway-verify.sh" "$2" >"$W/out-$1" 2>"$W/err-$1"
  echo $? >"$W/rc-$1"
}

install -d -m 0700 -o openclaw -g openclaw /home/openclaw/.openclaw
install -m 0600 -o openclaw -g openclaw "$a/openclaw.json" /home/openclaw/.openclaw/openclaw.json
# The secrets the server's .env holds for this configuration (Telegram, an Anthropic key).
printf 'OPENCLAW_GATEWAY_TOKEN=%s\nTELEGRAM_BOT_TOKEN=%s\nANTHROPIC_API_KEY=%s\n' \
  cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd 123456789:AAHfakeConformanceToken_abcdefghijk sk-ant-fake-conformance-key \
  >/home/openclaw/.openclaw/.env
chown openclaw:openclaw /home/openclaw/.openclaw/.env
chmod 0600 /home/openclaw/.openclaw/.env
record_env_keys
# Where the server listens: the gateway on loopback, sshd on the node's tailnet addresses.
listen openclaw-gatewa 127.0.0.1,18789 '[::1],18789'
listen sshd 100.100.1.2,22 '[fd7a:115c:a1e0::2],22' 0.0.0.0,8443,tailscale0

# refused: the running version writes its state (as the gateway's first start would), then
# install.sh's switch to the refusing one: current moved, the old one named in the marker.
ln -sfn "/opt/openclaw/$good_version" /opt/openclaw/current
runuser -u openclaw -- env HOME=/home/openclaw /usr/bin/node /opt/openclaw/current/node_modules/openclaw/openclaw.mjs security audit --json >"$W/audit-good.json" 2>/dev/null
echo $? >"$W/audit-good.rc"
mkdir -p /var/lib/openclaw-vps
echo "/opt/openclaw/$good_version" >/var/lib/openclaw-vps/upgrade-from
ln -sfn "/opt/openclaw/$refusing_version" /opt/openclaw/current
run_verify refused "$refusing_version"
basename "$(readlink /opt/openclaw/current)" >"$W/current"
if [ -e /var/lib/openclaw-vps/upgrade-from ]; then echo present >"$W/marker"; else echo gone >"$W/marker"; fi

# clean: the rolled-back, running version, as the server runs it.
run_verify clean "$good_version"

# exposed: what a second service, or sshd as it was, would add.
listen rogue-listener 0.0.0.0,8080 '[::],8081' '*,8082' 203.0.113.10,8083 '[2001:db8::10],8084'
run_verify exposed "$good_version"
kill "$(cat "$W/pid-rogue-listener")"

# plaintext: the bot token written into openclaw.json instead of its SecretRef.
/usr/bin/node -e '
  const fs = require("fs"), p = "/home/openclaw/.openclaw/openclaw.json", c = JSON.parse(fs.readFileSync(p, "utf8"));
  c.channels.telegram.botToken = "123456789:AAHfakeConformanceToken_abcdefghijk";
  fs.writeFileSync(p, JSON.stringify(c, null, 2));'
run_verify plaintext "$good_version"

# weakened: the config changed after the deploy in ways OpenClaw's own checks accept.
install -m 0600 -o openclaw -g openclaw "$weakened" /home/openclaw/.openclaw/openclaw.json
run_verify weakened "$good_version"
install -m 0600 -o openclaw -g openclaw "$a/openclaw.json" /home/openclaw/.openclaw/openclaw.json

# drifted: one host file changed after the deploy at a time, then put back. verify.sh (the
# deploy gate) and selfcheck.sh (the daily check) must each fail, naming the file.
# drift NAME COMMAND: runs COMMAND (which changes the host), both checks, then restores.
drift() {
  local name=$1
  cp -a /etc "$W/etc-before-$name"
  cp "$W/host/ufw-added" "$W/ufw-before"
  bash -c "$2"
  run_verify "drift-$name" "$good_version"
  # The alert goes nowhere here: a closed port on loopback stands for the Bot API.
  OPENCLAW_VPS_TELEGRAM_API=http://127.0.0.1:9 bash "$a/scripts/gateway-selfcheck.sh" >"$W/out-selfcheck-$name" 2>"$W/err-selfcheck-$name"
  echo $? >"$W/rc-selfcheck-$name"
  cp /var/lib/openclaw-vps/selfcheck.json "$W/status-selfcheck-$name" 2>/dev/null
  rm -rf /etc/systemd/system/openclaw-gateway.service.d
  cp -a "$W/etc-before-$name/." /etc/
  rm -rf "$W/etc-before-$name"
  cp "$W/ufw-before" "$W/host/ufw-added"
}
echo "$good_version" >/var/lib/openclaw-vps/configured-version
drift unit 'echo "Environment=NODE_OPTIONS=--inspect=0.0.0.0:9229" >>/etc/systemd/system/openclaw-gateway.service'
drift unit-drop-in 'mkdir -p /etc/systemd/system/openclaw-gateway.service.d && printf "[Service]\nUser=root\n" >/etc/systemd/system/openclaw-gateway.service.d/override.conf'
drift sshd 'echo "PermitRootLogin yes" >>/etc/ssh/sshd_config.d/01-openclaw-vps.conf'
drift ufw 'echo "ufw allow 22/tcp" >>"$W/host/ufw-added"'
drift daemon-json 'sed -i "s/\"icc\": false/\"icc\": true/" /etc/docker/daemon.json'
# And clean again after every file was put back.
run_verify clean-after "$good_version"
STEPS

export W=$work PATH="$work/stubs:$PATH"
# shellcheck disable=SC2016 # expanded by the inner shell
unshare -m --net --propagation private bash -c '
  set -e
  # As on the server: tailscale0 holds the tailnet addresses, eth0 public ones.
  server_links tailnet
  mount --bind "$W/etc" /etc
  mount -t tmpfs tmpfs /home && mkdir -m 0755 /home/openclaw && chown openclaw:openclaw /home/openclaw
  mount -t tmpfs tmpfs /opt && mkdir -p "/opt/openclaw/$5/node_modules" "/opt/openclaw/$6/node_modules"
  mount --bind "$(dirname "$3")" "/opt/openclaw/$5/node_modules"
  mount --bind "$(dirname "$4")" "/opt/openclaw/$6/node_modules"
  mount -t tmpfs tmpfs /var/lib
  mkdir -p /usr/local/lib/openclaw-vps && mount -t tmpfs tmpfs /usr/local/lib/openclaw-vps
  deployed_files "$1"
  touch /usr/bin/node && mount --bind "$2" /usr/bin/node
  exec bash "$W/steps.sh" "$1" "$5" "$6" "$7"' run "$artifacts" "$node24" "$good" "$refusing" "$good_version" "$refusing_version" "$weakened"

echo "RESULT audit_by_good=$(cat "$work/audit-good.rc")"
echo "RESULT exit=$(cat "$work/rc-refused")"
echo "RESULT current=$(cat "$work/current")"
echo "RESULT marker=$(cat "$work/marker")"
echo "RESULT restarts=$(grep -c 'systemctl restart' "$work/systemctl.log" 2>/dev/null || true)"
echo "RESULT summary=$(tail -n 1 "$work/out-refused")"
echo "RESULT reason=$(tail -n 1 "$work/err-refused")"
for run in clean exposed plaintext weakened drift-unit drift-unit-drop-in drift-sshd drift-ufw drift-daemon-json clean-after; do
  echo "RESULT ${run}_exit=$(cat "$work/rc-$run")"
  echo "RESULT ${run}_summary=$(tail -n 1 "$work/out-$run")"
done
for name in unit unit-drop-in sshd ufw daemon-json; do
  echo "RESULT selfcheck_${name}_exit=$(cat "$work/rc-selfcheck-$name")"
  echo "RESULT selfcheck_${name}_status=$(cat "$work/status-selfcheck-$name" 2>/dev/null)"
done
echo "RESULT rogue_pid=$(cat "$work/pid-rogue-listener")"
echo "RESULT sshd_pid=$(cat "$work/pid-sshd")"
