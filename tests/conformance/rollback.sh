#!/usr/bin/env bash
# rollback.sh ARTIFACT_DIR: the upgrade paths of the rendered verify.sh, run as root in a
# private mount namespace with stand-ins for OpenClaw, systemctl, ss, ufw and tailscale.
#   bad:      a new version whose audit warns -> rolled back to the previous one, restarted, failed
#   good:     a new version that audits clean -> kept, upgrade accepted, nothing restarted
#   stale:    configured version differs from the one running -> failed with the reason
# Prints RESULT lines.
set -euo pipefail
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "$0")/lib.sh"

artifacts=$(realpath "${1:?usage: rollback.sh ARTIFACT_DIR}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/stubs"

# OpenClaw as verify.sh runs it (runuser -u openclaw -- env HOME=... node ENTRY args...).
cat >"$work/stubs/runuser" <<'STUB'
#!/bin/bash
running=$(basename "$(readlink /opt/openclaw/current)")
args="$*"
case "$args" in
  *--version*) echo "OpenClaw $running" ;;
  *"config validate"*) echo '{"valid":true,"warnings":[]}' ;;
  *"security audit"*)
    if [ "$running" = "$BAD_VERSION" ]; then
      echo '{"summary":{"critical":0,"warn":1,"info":2},"findings":[{"checkId":"gateway.trusted_proxies_missing","severity":"warn","title":"Reverse proxy headers are not trusted"}]}'
    else
      echo '{"summary":{"critical":0,"warn":0,"info":2},"findings":[]}'
    fi ;;
  *"secrets audit"*) echo '{"version":1,"status":"clean","resolution":{"refsChecked":1,"skippedExecRefs":0,"resolvabilityComplete":true},"summary":{"plaintextCount":0,"unresolvedRefCount":0,"shadowedRefCount":0,"storeResidueCount":0,"legacyResidueCount":0},"findings":[]}' ;;
esac
STUB
# shellcheck disable=SC2016 # the stand-in's own variable, expanded when it runs
systemctl_stub "$work/stubs/systemctl" '$STUB_LOG'
verify_stubs "$work/stubs"
chmod +x "$work/stubs/"*
private_etc "$work/etc"
# What the deployed host's ufw and iptables list (lib.sh host_facts).
W=$work host_facts "$artifacts"
# The rendered config, so that only the stand-in OpenClaw's answers differ between the cases.
cp "$artifacts/openclaw.json" "$work/openclaw.json"

cat >"$work/cases.sh" <<'CASES'
#!/bin/bash
set -uo pipefail
verify=$1
setup() { # setup <current> <marker: previous or none>
  rm -rf /opt/openclaw/* /var/lib/openclaw-vps
  for v in 2026.9.6 2026.10.1; do
    mkdir -p "/opt/openclaw/$v/node_modules/openclaw" && echo "{\"version\":\"$v\"}" >"/opt/openclaw/$v/node_modules/openclaw/package.json"
  done
  mkdir -p /var/lib/openclaw-vps
  ln -sfn "/opt/openclaw/$1" /opt/openclaw/current
  if [ "$2" != none ]; then echo "/opt/openclaw/$2" >/var/lib/openclaw-vps/upgrade-from; fi
}
run_case() { # run_case <label> <expected version>
  export STUB_LOG="$W/log-$1"
  : >"$STUB_LOG"
  bash "$verify" "$2" >"$W/out-$1" 2>"$W/err-$1"
  echo $? >"$W/rc-$1"
  basename "$(readlink /opt/openclaw/current)" >"$W/current-$1"
  if [ -e /var/lib/openclaw-vps/upgrade-from ]; then echo present >"$W/marker-$1"; else echo gone >"$W/marker-$1"; fi
}
install -d -m 0700 -o openclaw -g openclaw /home/openclaw/.openclaw
cp "$W/openclaw.json" /home/openclaw/.openclaw/openclaw.json
echo 'OPENCLAW_GATEWAY_TOKEN=x' >/home/openclaw/.openclaw/.env
chown openclaw:openclaw /home/openclaw/.openclaw/openclaw.json /home/openclaw/.openclaw/.env
chmod 0600 /home/openclaw/.openclaw/openclaw.json /home/openclaw/.openclaw/.env
record_env_keys
export BAD_VERSION=2026.10.1
setup 2026.10.1 2026.9.6; run_case bad 2026.10.1
export BAD_VERSION=none
setup 2026.10.1 2026.9.6; run_case good 2026.10.1
setup 2026.9.6 none; run_case stale 2026.10.1
CASES

export W=$work PATH="$work/stubs:$PATH"
# shellcheck disable=SC2016 # expanded by the inner shell
unshare -m --propagation private bash -c '
  set -e
  mount --bind "$W/etc" /etc
  mount -t tmpfs tmpfs /home && mkdir -m 0755 /home/openclaw && chown openclaw:openclaw /home/openclaw
  mount -t tmpfs tmpfs /opt
  mkdir -p /opt/openclaw
  mount -t tmpfs tmpfs /var/lib
  mkdir -p /usr/local/lib/openclaw-vps && mount -t tmpfs tmpfs /usr/local/lib/openclaw-vps
  deployed_files "$2"
  exec bash "$W/cases.sh" "$1"' run "$artifacts/scripts/gateway-verify.sh" "$artifacts"

for c in bad good stale; do
  echo "RESULT ${c}_exit=$(cat "$work/rc-$c")"
  echo "RESULT ${c}_current=$(cat "$work/current-$c")"
  echo "RESULT ${c}_marker=$(cat "$work/marker-$c")"
  echo "RESULT ${c}_restarts=$(grep -c 'systemctl restart' "$work/log-$c" || true)"
  echo "RESULT ${c}_reason=$(tail -n 1 "$work/err-$c")"
done
