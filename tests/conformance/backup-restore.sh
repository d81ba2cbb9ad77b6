#!/usr/bin/env bash
# backup-restore.sh ARTIFACT_DIR NODE24 OPENCLAW_ENTRY: the rendered backup.sh and restore.sh
# with the real OpenClaw, as root in a private mount namespace (copies of /etc, fresh /home,
# /var/backups, /var/tmp) and a network namespace with only loopback. A backup is taken,
# the state is damaged, and restore.sh brings it back. Prints RESULT lines.
set -euo pipefail
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "$0")/lib.sh"

artifacts=$(realpath "${1:?usage: backup-restore.sh ARTIFACT_DIR NODE24 OPENCLAW_ENTRY}")
node24=$(realpath "${2:?node 24}")
entry=$(realpath "${3:?openclaw.mjs}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
mkdir -p "$work/stubs"
# shellcheck disable=SC2016 # the stand-in's own variables, expanded when it runs
printf '#!/bin/bash\necho "systemctl $*" >>%s\n' "$work/systemctl.log" >"$work/stubs/systemctl"
chmod +x "$work/stubs/systemctl"
private_etc "$work/etc"

cat >"$work/steps.sh" <<'STEPS'
#!/bin/bash
set -euo pipefail
a=$1
# The server's wrapper, pointing at the OpenClaw under test (mounted where openclaw may read it).
printf '#!/bin/sh\nexec /opt/octools/node /opt/octools/node_modules/openclaw/openclaw.mjs "$@"\n' >/opt/octools/bin/openclaw
chmod 0755 /opt/octools/bin/openclaw
install -d -m 0700 -o openclaw -g openclaw /home/openclaw/.openclaw /var/backups/openclaw
install -m 0600 -o openclaw -g openclaw "$a/openclaw.json" /home/openclaw/.openclaw/openclaw.json
printf 'OPENCLAW_GATEWAY_TOKEN=%s\n' cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd >/home/openclaw/.openclaw/.env
chown openclaw:openclaw /home/openclaw/.openclaw/.env
chmod 0600 /home/openclaw/.openclaw/.env
# As the timer runs it: the gateway's account.
install -m 0755 "$a/scripts/gateway-backup.sh" /opt/octools/backup.sh   # artifacts are root-only
runuser -u openclaw -- env HOME=/home/openclaw PATH="$PATH" /opt/octools/backup.sh /var/backups/openclaw 14 >"$W/backup.out" 2>&1
archive=$(find /var/backups/openclaw -name '*-openclaw-backup.tar.gz' | head -n 1)
stat -c '%a %U' "$archive" >"$W/archive-mode"
stat -c '%a %U' /var/backups/openclaw >"$W/dir-mode"
# Damage the state, then restore.
echo '{"broken": true}' >/home/openclaw/.openclaw/openclaw.json
rm -f /home/openclaw/.openclaw/.env
bash "$a/scripts/gateway-restore.sh" "$archive" >"$W/restore.out" 2>&1
cmp -s "$a/openclaw.json" /home/openclaw/.openclaw/openclaw.json && echo same >"$W/config" || echo different >"$W/config"
grep -c '^OPENCLAW_GATEWAY_TOKEN=cdcd' /home/openclaw/.openclaw/.env >"$W/env" || true
stat -c '%a %U' /home/openclaw/.openclaw /home/openclaw/.openclaw/.env /home/openclaw/.openclaw/openclaw.json | paste -sd, >"$W/modes"
ls -d /home/openclaw/.openclaw.before-restore-* | wc -l >"$W/aside"
STEPS

export W=$work PATH="/opt/octools/bin:$work/stubs:$PATH"
on_private_host "$node24" "$entry" "$work/steps.sh" "$artifacts" || { cat "$work"/*.out >&2; exit 1; }

echo "RESULT backup=$(tail -n 1 "$work/backup.out")"
echo "RESULT archive_mode=$(cat "$work/archive-mode")"
echo "RESULT dir_mode=$(cat "$work/dir-mode")"
echo "RESULT restored_config=$(cat "$work/config")"
echo "RESULT restored_env_lines=$(cat "$work/env")"
echo "RESULT restored_modes=$(cat "$work/modes")"
echo "RESULT state_kept_aside=$(cat "$work/aside")"
echo "RESULT restore=$(tail -n 1 "$work/restore.out")"
echo "RESULT gateway_calls=$(paste -sd, "$work/systemctl.log")"
