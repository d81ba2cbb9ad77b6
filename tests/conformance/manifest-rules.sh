#!/usr/bin/env bash
# manifest-rules.sh ARTIFACT_DIR: the manifest's firewall facts against the real UFW and
# iptables, and the drift check and the host step with them. As root, in a private mount and
# network namespace (a private copy of /etc, so UFW's files are the namespace's own):
#   1. the rendered host firewall (host-firewall.sh), the Docker guard (docker-guard.sh) and,
#      when the artifacts have coding, the coder's rules (coding-egress.sh rules), as the
#      server runs them; then what `ufw show added`, `iptables -S DOCKER-USER` and
#      /etc/default/ufw hold: the manifest must list exactly that;
#   2. drift.js on those facts alone (the manifest with its files, config, env, units and
#      timers left out: tests/conformance/verify-refused.sh proves those): clean;
#   3. a UFW rule and a DOCKER-USER rule (with a quoted comment) added by hand: drift.js names
#      both; the host step's prune functions (the rendered host-step.sh without its main)
#      delete them; drift.js is clean again; a second prune changes nothing.
# Prints RESULT lines.
set -euo pipefail
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "$0")/lib.sh"

artifacts=$(realpath "${1:?usage: manifest-rules.sh ARTIFACT_DIR}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
private_etc "$work/etc"
# The firewall facts alone.
python3 -c 'import json, sys
m = json.load(open(sys.argv[1]))
m.update(files=[], units=[], timers=[])
for k in ("config", "env"): m.pop(k, None)
json.dump(m, open(sys.argv[2], "w"))' "$artifacts/manifest.json" "$work/facts.json"
# The host step's functions, without its main.
grep -v '^main "\$@"$' "$artifacts/scripts/host-step.sh" >"$work/host-step-functions.sh"

cat >"$work/steps.sh" <<'STEPS'
#!/bin/bash
set -uo pipefail
a=$1
ip link set lo up
bash "$a/scripts/host-firewall.sh" >/dev/null
bash "$a/scripts/docker-guard.sh" >/dev/null
if [ -f "$a/scripts/coding-egress.sh" ]; then bash "$a/scripts/coding-egress.sh" rules >/dev/null; fi
ufw show added | grep '^ufw ' >"$W/ufw-added"
iptables -S DOCKER-USER | grep '^-A ' >"$W/docker-user"
grep -E '^(IPV6|DEFAULT_INPUT_POLICY|DEFAULT_OUTPUT_POLICY|DEFAULT_FORWARD_POLICY)=' /etc/default/ufw >"$W/defaults"
ufw status | head -n 1 >"$W/ufw-status"

check() { node "$a/scripts/gateway-drift.js" check "$W/facts.json" >"$W/drift-$1" 2>&1; echo $? >"$W/drift-$1.rc"; }
check clean
ufw allow 2222/tcp >/dev/null
iptables -I DOCKER-USER -s 10.0.0.0/8 -m comment --comment "temp access" -j ACCEPT
check drifted
# shellcheck disable=SC1091
source "$W/host-step-functions.sh"
changed=0
{ prune_ufw; prune_docker_user; echo "changed=$changed"; } >"$W/prune" 2>&1
check repaired
changed=0
{ prune_ufw; prune_docker_user; echo "changed=$changed"; } >"$W/prune-again" 2>&1
STEPS

export W=$work
# shellcheck disable=SC2016 # expanded by the inner shell
unshare -m --net --propagation private bash -c '
  set -e
  mount --bind "$W/etc" /etc
  exec bash "$W/steps.sh" "$1"' run "$artifacts"

joined() { paste -sd'|' "$1"; }
echo "RESULT ufw_status=$(cat "$work/ufw-status")"
echo "RESULT ufw_added=$(joined "$work/ufw-added")"
echo "RESULT docker_user=$(joined "$work/docker-user")"
echo "RESULT defaults=$(joined "$work/defaults")"
for c in clean drifted repaired; do
  echo "RESULT drift_${c}_exit=$(cat "$work/drift-$c.rc")"
  echo "RESULT drift_${c}=$(joined "$work/drift-$c")"
done
echo "RESULT prune=$(joined "$work/prune")"
echo "RESULT prune_again=$(joined "$work/prune-again")"
