#!/usr/bin/env bash
# verify-refused.sh ARTIFACT_DIR NODE24 GOOD_PACKAGE REFUSING_PACKAGE: the rendered verify.sh
# after a switch to a real OpenClaw release that refuses the state the running one wrote
# (its `security audit --json` exits 1 and prints {"ok":false,"error":...}). As root, in a
# private mount namespace: both real packages under /opt/openclaw, the state written by the
# good one, `current` on the refusing one and the upgrade marker naming the good one; stand-ins
# only for systemctl (records), ss, ufw and tailscale. verify.sh must roll back and fail with
# the reason. Prints RESULT lines.
set -euo pipefail
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "$0")/lib.sh"

artifacts=$(realpath "${1:?usage: verify-refused.sh ARTIFACT_DIR NODE24 GOOD_PACKAGE REFUSING_PACKAGE}")
node24=$(realpath "${2:?node 24}")
good=$(realpath "${3:?the configured OpenClaw package directory}")
refusing=$(realpath "${4:?the refusing OpenClaw package directory}")
good_version=$(package_version "$good")
refusing_version=$(package_version "$refusing")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
recording_stubs "$work"
chmod +x "$work/stubs/"*
private_etc "$work/etc"

cat >"$work/steps.sh" <<'STEPS'
#!/bin/bash
set -uo pipefail
a=$1 good_version=$2 refusing_version=$3
install -d -m 0700 -o openclaw -g openclaw /home/openclaw/.openclaw
install -m 0600 -o openclaw -g openclaw "$a/openclaw.json" /home/openclaw/.openclaw/openclaw.json
printf 'OPENCLAW_GATEWAY_TOKEN=%s\n' cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd >/home/openclaw/.openclaw/.env
chown openclaw:openclaw /home/openclaw/.openclaw/.env
chmod 0600 /home/openclaw/.openclaw/.env
# The running version writes its state (as the gateway's first start would).
ln -sfn "/opt/openclaw/$good_version" /opt/openclaw/current
runuser -u openclaw -- env HOME=/home/openclaw /usr/bin/node /opt/openclaw/current/node_modules/openclaw/openclaw.mjs security audit --json >"$W/audit-good.json" 2>/dev/null
echo $? >"$W/audit-good.rc"
# install.sh's switch to the new version: current moved, the old one named in the marker.
mkdir -p /var/lib/openclaw-vps
echo "/opt/openclaw/$good_version" >/var/lib/openclaw-vps/upgrade-from
ln -sfn "/opt/openclaw/$refusing_version" /opt/openclaw/current
bash "$a/scripts/gateway-verify.sh" "$refusing_version" >"$W/out" 2>"$W/err"
echo $? >"$W/rc"
basename "$(readlink /opt/openclaw/current)" >"$W/current"
if [ -e /var/lib/openclaw-vps/upgrade-from ]; then echo present >"$W/marker"; else echo gone >"$W/marker"; fi
STEPS

export W=$work PATH="$work/stubs:$PATH"
# shellcheck disable=SC2016 # expanded by the inner shell
unshare -m --net --propagation private bash -c '
  set -e
  ip link set lo up
  mount --bind "$W/etc" /etc
  mount -t tmpfs tmpfs /home && mkdir -m 0755 /home/openclaw && chown openclaw:openclaw /home/openclaw
  mount -t tmpfs tmpfs /opt && mkdir -p "/opt/openclaw/$5/node_modules" "/opt/openclaw/$6/node_modules"
  mount --bind "$(dirname "$3")" "/opt/openclaw/$5/node_modules"
  mount --bind "$(dirname "$4")" "/opt/openclaw/$6/node_modules"
  mount -t tmpfs tmpfs /var/lib
  mkdir -p /usr/local/lib/openclaw-vps && mount -t tmpfs tmpfs /usr/local/lib/openclaw-vps
  install -m 0755 "$1/scripts/gateway-judge.js" /usr/local/lib/openclaw-vps/judge.js
  install -m 0755 "$1/scripts/gateway-rollback.sh" /usr/local/lib/openclaw-vps/rollback.sh
  touch /usr/bin/node && mount --bind "$2" /usr/bin/node
  exec bash "$W/steps.sh" "$1" "$5" "$6"' run "$artifacts" "$node24" "$good" "$refusing" "$good_version" "$refusing_version"

echo "RESULT audit_by_good=$(cat "$work/audit-good.rc")"
echo "RESULT exit=$(cat "$work/rc")"
echo "RESULT current=$(cat "$work/current")"
echo "RESULT marker=$(cat "$work/marker")"
echo "RESULT restarts=$(grep -c 'systemctl restart' "$work/systemctl.log" 2>/dev/null || true)"
echo "RESULT summary=$(tail -n 1 "$work/out")"
echo "RESULT reason=$(tail -n 1 "$work/err")"
