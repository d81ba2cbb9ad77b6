#!/usr/bin/env bash
# offsite-backup.sh ARTIFACT_DIR NODE24 OPENCLAW_ENTRY MOTO_SERVER IDENTITY_FILE RECIPIENT:
# the rendered backup.sh, offsite.sh and restore.sh with the real OpenClaw, the real age and
# rclone, and an S3 stand-in (moto's server, which keeps the S3 API's rules), as root in a
# private mount namespace and a network namespace with only loopback. The state holds a
# plain-text canary. A daily backup is pushed off-site three times with KEEP=2; what the
# store holds is read back raw; then a server with state refuses to be restored over, and a
# fresh one (no state) restores the newest object with the identity on stdin; a wrong
# identity restores nothing. Prints RESULT lines.
set -euo pipefail
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "$0")/lib.sh"

artifacts=$(realpath "${1:?usage: offsite-backup.sh ARTIFACT_DIR NODE24 OPENCLAW_ENTRY MOTO_SERVER IDENTITY_FILE RECIPIENT}")
node24=$(realpath "${2:?node 24}")
entry=$(realpath "${3:?openclaw.mjs}")
moto=$(realpath "${4:?moto_server}")
identity_file=$(realpath "${5:?identity file}")
recipient=${6:?recipient}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
mkdir -p "$work/stubs"
# shellcheck disable=SC2016 # the stand-in's own variables, expanded when it runs
printf '#!/bin/bash\necho "systemctl $*" >>%s\n' "$work/systemctl.log" >"$work/stubs/systemctl"
printf '#!/bin/bash\nexit 0\n' >"$work/stubs/docker"
chmod +x "$work/stubs/systemctl" "$work/stubs/docker"
private_etc "$work/etc"
cp "$identity_file" "$work/identity"

cat >"$work/steps.sh" <<'STEPS'
#!/bin/bash
set -euo pipefail
a=$1 moto=$2 recipient=$3
readonly CANARY=offsite-plain-text-canary-7f3c9a
readonly PORT=39100
# The S3 stand-in, on this namespace's loopback; bounded wait until it answers.
"$moto" -H 127.0.0.1 -p "$PORT" >"$W/moto.log" 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 "$(limit 60)"); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.5; done
# The server's wrapper, pointing at the OpenClaw under test.
printf '#!/bin/sh\nexec /opt/octools/node /opt/octools/node_modules/openclaw/openclaw.mjs "$@"\n' >/opt/octools/bin/openclaw
chmod 0755 /opt/octools/bin/openclaw
install -d -m 0755 /opt/octools/lib
install -m 0755 "$a/scripts/gateway-offsite.sh" /opt/octools/lib/offsite.sh
install -m 0755 "$a/scripts/gateway-restore.sh" /opt/octools/lib/restore.sh
install -m 0755 "$a/scripts/gateway-backup.sh" /opt/octools/backup.sh
state() {
  install -d -m 0700 -o openclaw -g openclaw /home/openclaw/.openclaw /var/backups/openclaw
  install -m 0600 -o openclaw -g openclaw "$a/openclaw.json" /home/openclaw/.openclaw/openclaw.json
  printf 'OPENCLAW_GATEWAY_TOKEN=%s\nOFFSITE_CANARY=%s\n' cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd "$CANARY" >/home/openclaw/.openclaw/.env
  chown openclaw:openclaw /home/openclaw/.openclaw/.env
  chmod 0600 /home/openclaw/.openclaw/.env
}
backup() { runuser -u openclaw -- env HOME=/home/openclaw PATH="$PATH" /opt/octools/backup.sh /var/backups/openclaw 14 >>"$W/backup.out" 2>&1; }
settings() {
  printf 'OPENCLAW_VPS_OFFSITE_%s\n' "ENDPOINT=http://127.0.0.1:$PORT" BUCKET=claw-backups PREFIX=openclaw-vps-conformance KEEP=2 \
    "RECIPIENT=$recipient" ACCESS_KEY=CONFORMANCEACCESS00 SECRET_KEY=conformanceSecretKey0000
}
settings >/etc/openclaw-vps/offsite.env
chmod 0600 /etc/openclaw-vps/offsite.env
# The store's own view, for the checks: the same remote rclone builds from the settings.
store() {
  env -u AWS_CA_BUNDLE RCLONE_CONFIG=/dev/null RCLONE_CONFIG_S_TYPE=s3 RCLONE_CONFIG_S_PROVIDER=Other \
    RCLONE_CONFIG_S_ENDPOINT="http://127.0.0.1:$PORT" RCLONE_CONFIG_S_ACCESS_KEY_ID=CONFORMANCEACCESS00 \
    RCLONE_CONFIG_S_SECRET_ACCESS_KEY=conformanceSecretKey0000 RCLONE_CONFIG_S_FORCE_PATH_STYLE=true rclone "$@"
}
store mkdir s:claw-backups

state
backup
archive=$(find /var/backups/openclaw -name '*-openclaw-backup.tar.gz' | head -n 1)
# The canary is in the plain archive (so finding none below means something).
zcat "$archive" | grep -a -c "$CANARY" >"$W/canary-plain" || true
start=$(date +%s%N)
/opt/octools/lib/offsite.sh push >"$W/push1.out" 2>&1
echo $((($(date +%s%N) - start) / 1000000)) >"$W/push-ms"
first=$(store lsf --files-only s:claw-backups/openclaw-vps-conformance/ | head -n 1)
store cat "s:claw-backups/openclaw-vps-conformance/$first" >"$W/stored"
head -c 21 "$W/stored" >"$W/stored-header"
grep -a -c "$CANARY" "$W/stored" >"$W/canary-stored" || true
cp "$OPENCLAW_VPS_OFFSITE_STATUS" "$W/status1"
# Two more days: with KEEP=2 the first object is pruned.
for day in 2 3; do
  sleep 1.1
  backup
  /opt/octools/lib/offsite.sh push >"$W/push$day.out" 2>&1
done
store lsf --files-only s:claw-backups/openclaw-vps-conformance/ >"$W/objects"
newest=$(sort "$W/objects" | tail -n 1)
echo "$first" >"$W/first"
echo "$newest" >"$W/newest"
# Restore on a server that has state: refused.
{ settings; echo "OPENCLAW_VPS_OFFSITE_IDENTITY=$(grep '^AGE-SECRET-KEY-1' "$W/identity")"; } >"$W/restore-input"
/opt/octools/lib/offsite.sh restore <"$W/restore-input" >"$W/restore-kept.out" 2>&1
# A fresh server: no state at all. First with a wrong identity, then the right one.
rm -rf /home/openclaw/.openclaw /var/backups/openclaw/*
{ settings; echo "OPENCLAW_VPS_OFFSITE_IDENTITY=$(age-keygen 2>/dev/null | grep '^AGE-SECRET-KEY-1')"; } >"$W/wrong-input"
if /opt/octools/lib/offsite.sh restore <"$W/wrong-input" >"$W/restore-wrong.out" 2>&1; then echo 0 >"$W/wrong-rc"; else echo $? >"$W/wrong-rc"; fi
[ -e /home/openclaw/.openclaw ] && echo present >"$W/after-wrong" || echo absent >"$W/after-wrong"
start=$(date +%s%N)
/opt/octools/lib/offsite.sh restore <"$W/restore-input" >"$W/restore.out" 2>&1
echo $((($(date +%s%N) - start) / 1000000)) >"$W/restore-ms"
grep -c "^OFFSITE_CANARY=$CANARY$" /home/openclaw/.openclaw/.env >"$W/canary-restored" || true
cmp -s "$a/openclaw.json" /home/openclaw/.openclaw/openclaw.json && echo same >"$W/config" || echo different >"$W/config"
stat -c '%a %U' /home/openclaw/.openclaw /home/openclaw/.openclaw/.env | paste -sd, >"$W/modes"
STEPS

# The status file where the test keeps it (the server's is /var/lib/openclaw-vps/offsite.json).
export W=$work PATH="/opt/octools/bin:$work/stubs:$PATH" OPENCLAW_VPS_OFFSITE_STATUS=$work/offsite.json
on_private_host "$node24" "$entry" "$work/steps.sh" "$artifacts" "$moto" "$recipient" || { tail -n 30 "$work"/*.out "$work/moto.log" >&2; exit 1; }

echo "RESULT canary_in_plain_archive=$(cat "$work/canary-plain")"
echo "RESULT push=$(tail -n 1 "$work/push1.out")"
echo "RESULT push_ms=$(cat "$work/push-ms")"
echo "RESULT stored_header=$(cat "$work/stored-header")"
echo "RESULT canary_in_stored_object=$(cat "$work/canary-stored")"
echo "RESULT status=$(cat "$work/status1")"
echo "RESULT push3=$(tail -n 1 "$work/push3.out")"
echo "RESULT objects=$(sort "$work/objects" | paste -sd, -)"
echo "RESULT first_object=$(cat "$work/first")"
echo "RESULT newest_object=$(cat "$work/newest")"
echo "RESULT restore_over_state=$(tail -n 1 "$work/restore-kept.out")"
echo "RESULT wrong_identity_rc=$(cat "$work/wrong-rc")"
echo "RESULT wrong_identity=$(grep -m1 -i 'age' "$work/restore-wrong.out" || true)"
echo "RESULT state_after_wrong_identity=$(cat "$work/after-wrong")"
echo "RESULT restore=$(tail -n 1 "$work/restore.out")"
echo "RESULT restore_ms=$(cat "$work/restore-ms")"
echo "RESULT canary_restored=$(cat "$work/canary-restored")"
echo "RESULT restored_config=$(cat "$work/config")"
echo "RESULT restored_modes=$(cat "$work/modes")"
echo "RESULT gateway_calls=$(paste -sd, "$work/systemctl.log")"
