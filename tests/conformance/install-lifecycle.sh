#!/usr/bin/env bash
# install-lifecycle.sh ARTIFACT_DIR NODE24 VERSION: the rendered install.sh, run as root in a
# private mount namespace (fresh /opt, /var/lib; a copy of /etc with the gateway's account),
# with the real npm and Node.js 24 as /usr/bin/node (so it installs no Node.js), installing the real
# openclaw@VERSION from the npm registry. Then, as the gateway's account, on the root-owned
# tree it cannot write: OpenClaw must run (the package's install must be complete), and
# nothing in the tree may be writable. A second run must change nothing. Prints RESULT lines.
set -euo pipefail
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "$0")/lib.sh"

artifacts=$(realpath "${1:?usage: install-lifecycle.sh ARTIFACT_DIR NODE24 VERSION}")
node24=$(realpath "${2:?node 24}")
version=${3:?openclaw version}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
private_etc "$work/etc"

cat >"$work/steps.sh" <<'STEPS'
#!/bin/bash
set -uo pipefail
a=$1 version=$2
bash "$a/scripts/gateway-install.sh" "$version" >"$W/install1.out" 2>&1
echo $? >"$W/install1.rc"
tree=/opt/openclaw/$version/node_modules/openclaw
stat -c '%U' "$tree" >"$W/owner"
if [ -e "$tree/.openclaw-lifecycle-pending" ]; then echo present >"$W/marker"; else echo gone >"$W/marker"; fi
runuser -u openclaw -- find /opt/openclaw -writable -print 2>/dev/null | wc -l >"$W/writable"
# As the service runs it: the gateway's account, the tree it cannot write.
mkdir -m 0700 /home/openclaw/.openclaw && chown openclaw:openclaw /home/openclaw/.openclaw
runuser -u openclaw -- env HOME=/home/openclaw /usr/bin/node /opt/openclaw/current/node_modules/openclaw/openclaw.mjs --version >"$W/version.out" 2>&1
echo $? >"$W/version.rc"
install -m 0600 -o openclaw -g openclaw "$a/openclaw.json" /home/openclaw/.openclaw/openclaw.json
runuser -u openclaw -- env HOME=/home/openclaw /usr/bin/node /opt/openclaw/current/node_modules/openclaw/openclaw.mjs config validate --json >"$W/validate.out" 2>"$W/validate.err"
echo $? >"$W/validate.rc"
bash "$a/scripts/gateway-install.sh" "$version" >"$W/install2.out" 2>&1
echo $? >"$W/install2.rc"
STEPS

export W=$work
# shellcheck disable=SC2016 # expanded by the inner shell
unshare -m --propagation private bash -c '
  set -e
  mount --bind "$W/etc" /etc
  mount -t tmpfs tmpfs /home && mkdir -m 0755 /home/openclaw && chown openclaw:openclaw /home/openclaw
  mount -t tmpfs tmpfs /opt
  mount -t tmpfs tmpfs /var/lib
  touch /usr/bin/node && mount --bind "$3" /usr/bin/node
  exec bash "$W/steps.sh" "$1" "$2"' run "$artifacts" "$version" "$node24"

echo "RESULT install_exit=$(cat "$work/install1.rc")"
echo "RESULT install=$(grep '^install: ' "$work/install1.out" | paste -sd'|' -)"
echo "RESULT owner=$(cat "$work/owner")"
echo "RESULT marker=$(cat "$work/marker")"
echo "RESULT writable_by_openclaw=$(cat "$work/writable")"
echo "RESULT version_exit=$(cat "$work/version.rc")"
echo "RESULT version=$(tail -n 1 "$work/version.out")"
echo "RESULT validate_exit=$(cat "$work/validate.rc")"
echo "RESULT validate=$(tail -n 1 "$work/validate.out")"
echo "RESULT second_install_exit=$(cat "$work/install2.rc")"
echo "RESULT second_install=$(grep '^install: ' "$work/install2.out" | paste -sd'|' -)"
