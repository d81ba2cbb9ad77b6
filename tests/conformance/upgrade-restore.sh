#!/usr/bin/env bash
# upgrade-restore.sh ARTIFACT_DIR NODE24 OLD_PACKAGE NEW_PACKAGE: an upgrade across a state
# migration that fails its verification, with the real OpenClaw. The old release writes the
# state; the rendered install.sh switches to the new one (taking the pre-upgrade backup with
# the old one); the new one opens the state, migrating its database forward (as its first
# start would); verify.sh then fails (a second listener on 0.0.0.0, from the ss stand-in),
# and the rollback must put back both the old version and the state from before, so the old
# release can open it again. As root, in a private mount namespace; stand-ins only for
# systemctl (records), ss, ufw and tailscale. Prints RESULT lines.
set -euo pipefail
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "$0")/lib.sh"

artifacts=$(realpath "${1:?usage: upgrade-restore.sh ARTIFACT_DIR NODE24 OLD_PACKAGE NEW_PACKAGE}")
node24=$(realpath "${2:?node 24}")
old=$(realpath "${3:?the old OpenClaw package directory}")
new=$(realpath "${4:?the new OpenClaw package directory}")
old_version=$(package_version "$old")
new_version=$(package_version "$new")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
recording_stubs "$work"
# A second listener on every address: verification must fail.
printf '#!/bin/bash\necho "LISTEN 0 511 127.0.0.1:18789 0.0.0.0:*"\necho "LISTEN 0 511 0.0.0.0:18789 0.0.0.0:*"\n' >"$work/stubs/ss"
chmod +x "$work/stubs/"*
private_etc "$work/etc"
# What the deployed host's ufw and iptables list (lib.sh host_facts).
W=$work host_facts "$artifacts"

cat >"$work/steps.sh" <<'STEPS'
#!/bin/bash
set -uo pipefail
a=$1 old_version=$2 new_version=$3
oc_as() { local entry=$1; shift; runuser -u openclaw -- env HOME=/home/openclaw /usr/bin/node "$entry" "$@" </dev/null; }
entry() { echo "/opt/openclaw/$1/node_modules/openclaw/openclaw.mjs"; }
install -d -m 0700 -o openclaw -g openclaw /home/openclaw/.openclaw
install -m 0600 -o openclaw -g openclaw "$a/openclaw.json" /home/openclaw/.openclaw/openclaw.json
printf 'OPENCLAW_GATEWAY_TOKEN=%s\n' cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd >/home/openclaw/.openclaw/.env
chown openclaw:openclaw /home/openclaw/.openclaw/.env
chmod 0600 /home/openclaw/.openclaw/.env
record_env_keys
# The old version runs and writes its state.
ln -sfn "/opt/openclaw/$old_version" /opt/openclaw/current
oc_as "$(entry "$old_version")" security audit --json >/dev/null 2>&1
echo $? >"$W/old_before.rc"
# pulumi up with the new version: install.sh (both trees are in place: it only switches).
bash "$a/scripts/gateway-install.sh" "$new_version" >"$W/install.out" 2>&1
echo $? >"$W/install.rc"
basename "$(readlink /opt/openclaw/current)" >"$W/switched"
# The new version starts: it opens the state and migrates it.
oc_as "$(entry "$new_version")" security audit --json >/dev/null 2>&1
echo $? >"$W/new.rc"
oc_as "$(entry "$old_version")" security audit --json >"$W/old_migrated.json" 2>/dev/null
echo $? >"$W/old_migrated.rc"
# Verification fails; the rollback runs.
bash "$a/scripts/gateway-verify.sh" "$new_version" >"$W/out" 2>"$W/err"
echo $? >"$W/rc"
basename "$(readlink /opt/openclaw/current)" >"$W/current"
oc_as "$(entry "$old_version")" security audit --json >"$W/old_after.json" 2>"$W/old_after.err"
echo $? >"$W/old_after.rc"
ls -d /home/openclaw/.openclaw.before-restore-* 2>/dev/null | wc -l >"$W/aside"
for f in upgrade-from upgrade-backup; do
  if [ -e "/var/lib/openclaw-vps/$f" ]; then echo present; else echo gone; fi >"$W/$f"
done
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
  mount -t tmpfs tmpfs /var/backups
  mount -t tmpfs tmpfs /var/tmp
  mkdir -p /usr/local/lib/openclaw-vps && mount -t tmpfs tmpfs /usr/local/lib/openclaw-vps
  deployed_files "$1"
  touch /usr/bin/node && mount --bind "$2" /usr/bin/node
  exec bash "$W/steps.sh" "$1" "$5" "$6"' run "$artifacts" "$node24" "$old" "$new" "$old_version" "$new_version"

echo "RESULT old_before=$(cat "$work/old_before.rc")"
echo "RESULT install=$(cat "$work/install.rc")"
echo "RESULT backup_line=$(grep -c 'install: state backed up before the switch' "$work/install.out" || true)"
echo "RESULT switched=$(cat "$work/switched")"
echo "RESULT new=$(cat "$work/new.rc")"
echo "RESULT old_on_migrated=$(cat "$work/old_migrated.rc")"
echo "RESULT verify=$(cat "$work/rc")"
echo "RESULT current=$(cat "$work/current")"
echo "RESULT old_after=$(cat "$work/old_after.rc")"
echo "RESULT old_after_error=$(tr '\n' ' ' <"$work/old_after.err" | cut -c1-300)"
echo "RESULT aside=$(cat "$work/aside")"
echo "RESULT marker=$(cat "$work/upgrade-from")"
echo "RESULT backup_pointer=$(cat "$work/upgrade-backup")"
echo "RESULT systemctl=$(grep -o 'systemctl \(stop\|start\|restart\) [a-z-]*' "$work/systemctl.log" | tr '\n' ',' || true)"
echo "RESULT reason=$(tail -n 1 "$work/err")"
