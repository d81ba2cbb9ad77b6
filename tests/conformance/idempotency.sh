#!/usr/bin/env bash
# idempotency.sh ARTIFACT_DIR: runs the rendered gateway scripts twice, as root, in a private
# mount namespace (copies of /etc, fresh /home, /usr/local, /var/lib), with stand-ins for
# systemctl, tailscale, ss, journalctl and docker that record every call. The second run
# must change nothing; a rotated secret must restart the gateway. Prints RESULT lines.
set -euo pipefail
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "$0")/lib.sh"

artifacts=$(realpath "${1:?usage: idempotency.sh ARTIFACT_DIR}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/stubs" "$work/state"
# Each stand-in logs its arguments and keeps the little state the scripts query.
cat >"$work/stubs/systemctl" <<'STUB'
#!/bin/bash
echo "systemctl $*" >>"$STUB_LOG"
case "$1" in
  is-active) [ -e "$STUB_STATE/active" ] ;;
  restart) touch "$STUB_STATE/active" ;;
  is-enabled) [ -e "$STUB_STATE/enabled-$3" ] ;;
  enable) [ "$2" = --now ] && touch "$STUB_STATE/enabled-$3"; exit 0 ;;
  *) exit 0 ;;
esac
STUB
# tailscale: the calls configure.sh makes, with the shapes Tailscale prints (a server set up
# earlier gave the gateway's account operator rights, and has no Serve route yet).
cat >"$work/stubs/tailscale" <<'STUB'
#!/bin/bash
echo "tailscale $*" >>"$STUB_LOG"
name=$(cat "$STUB_STATE/hostname" 2>/dev/null || echo old-name)
case "$*" in
  "status --json --peers=false") printf '{"BackendState":"Running","Self":{"HostName":"%s","DNSName":"%s.tail1234.ts.net."}}' "$name" "$name" ;;
  "set --hostname="*) echo "${2#--hostname=}" >"$STUB_STATE/hostname" ;;
  "debug prefs") printf '{"OperatorUser":"%s"}\n' "$(cat "$STUB_STATE/operator" 2>/dev/null || echo openclaw)" ;;
  "set --operator=") : >"$STUB_STATE/operator" ;;
  "serve status --json") cat "$STUB_STATE/serve" 2>/dev/null || echo '{}' ;;
  "serve reset") rm -f "$STUB_STATE/serve" ;;
  "serve --bg --https=443 http://127.0.0.1:18789")
    printf '{"TCP":{"443":{"HTTPS":true}},"Web":{"%s.tail1234.ts.net:443":{"Handlers":{"/":{"Proxy":"http://127.0.0.1:18789"}}}}}\n' "$name" >"$STUB_STATE/serve" ;;
  *) echo "tailscale stand-in: unexpected call: $*" >&2; exit 1 ;;
esac
STUB
cat >"$work/stubs/ss" <<'STUB'
#!/bin/bash
echo "LISTEN 0 511 127.0.0.1:18789 0.0.0.0:*"
STUB
# shellcheck disable=SC2016 # the stand-in's own variables, expanded when it runs
printf '#!/bin/bash\necho "journalctl $*" >>"$STUB_LOG"\n' >"$work/stubs/journalctl"
cat >"$work/stubs/docker" <<'STUB'
#!/bin/bash
echo "docker $*" >>"$STUB_LOG"
case "$1 $2" in
  "image inspect") [ -e "$STUB_STATE/image-$3" ] ;;
  "build --tag") touch "$STUB_STATE/image-$3" ;;
esac
STUB
chmod +x "$work/stubs/"*

private_etc "$work/etc"

run() { # run <label> <stdin file> <command...>: one step in the private namespace
  local label=$1 input=$2
  shift 2
  : >"$work/log-$label"
  # shellcheck disable=SC2016 # expanded by the inner shell
  unshare -m --propagation private bash -c '
    set -e
    mount --bind "$W/etc" /etc
    mount -t tmpfs tmpfs /home && mkdir -m 0755 /home/openclaw && chown openclaw:openclaw /home/openclaw
    mount -t tmpfs tmpfs /usr/local
    mount -t tmpfs tmpfs /var/lib
    mount -t tmpfs tmpfs /var/backups
    exec "$@"' run "$@" <"$input" >"$work/out-$label" 2>&1 \
    || { echo "FATAL: $label failed:" >&2; tail -n 20 "$work"/out-* >&2; exit 1; }
}
export W=$work STUB_LOG STUB_STATE=$work/state PATH="$work/stubs:$PATH"

# All steps share one namespace run so the files persist between them.
cat >"$work/steps.sh" <<'STEPS'
#!/bin/bash
set -euo pipefail
a=$1
step() { local label=$1; shift; export STUB_LOG="$W/log-$label"; : >"$STUB_LOG"; "$@" >"$W/out-$label" 2>&1; }
step files1 bash "$a/scripts/gateway-files.sh"
step files2 bash "$a/scripts/gateway-files.sh"
printf 'OPENCLAW_GATEWAY_TOKEN=%s\n' aaaa >"$W/env1"
printf 'OPENCLAW_GATEWAY_TOKEN=%s\n' bbbb >"$W/env2"
step configure1 /usr/local/lib/openclaw-vps/configure.sh claw <"$W/env1"
step configure2 /usr/local/lib/openclaw-vps/configure.sh claw <"$W/env1"
step rotate /usr/local/lib/openclaw-vps/configure.sh claw <"$W/env2"
# The heartbeat URL: to a root-only file, out of the .env, restarting nothing; then removed.
{ cat "$W/env2"; echo "OPENCLAW_VPS_HEARTBEAT_URL=https://hc-ping.com/5f0c1d2e-3a4b-4c5d-8e6f-708192a3b4c5"; } >"$W/env3"
step heartbeat1 /usr/local/lib/openclaw-vps/configure.sh claw <"$W/env3"
stat -c '%a %U' /etc/openclaw-vps/heartbeat.env >"$W/heartbeat-mode"
grep -c HEARTBEAT /home/openclaw/.openclaw/.env >"$W/heartbeat-in-env" || true
step heartbeat2 /usr/local/lib/openclaw-vps/configure.sh claw <"$W/env3"
step heartbeat3 /usr/local/lib/openclaw-vps/configure.sh claw <"$W/env2"
if [ -e /etc/openclaw-vps/heartbeat.env ]; then echo present; else echo absent; fi >"$W/heartbeat-after"
step sandbox1 /usr/local/lib/openclaw-vps/sandbox.sh openclaw-sandbox:test
step sandbox2 /usr/local/lib/openclaw-vps/sandbox.sh openclaw-sandbox:test
stat -c '%a %U %n' /home/openclaw/.openclaw /home/openclaw/.openclaw/.env /home/openclaw/.openclaw/openclaw.json >"$W/modes"
STEPS
chmod +x "$work/steps.sh"
STUB_LOG=$work/log-setup run all /dev/null "$work/steps.sh" "$artifacts"

count() { grep -c -- "$2" "$work/$1" || true; }
echo "RESULT files1_changed=$(grep -o '[0-9]* changed' "$work/out-files1")"
echo "RESULT files2_changed=$(grep -o '[0-9]* changed' "$work/out-files2")"
echo "RESULT configure1_restarts=$(count log-configure1 'systemctl restart')"
echo "RESULT configure1_serve_set=$(count log-configure1 'tailscale serve --bg')"
echo "RESULT configure1_hostname_set=$(count log-configure1 'tailscale set --hostname=claw')"
echo "RESULT configure2_restarts=$(count log-configure2 'systemctl restart')"
echo "RESULT configure2_serve_set=$(count log-configure2 'tailscale serve --bg')"
echo "RESULT configure2_hostname_set=$(count log-configure2 'tailscale set --hostname')"
echo "RESULT configure1_operator_removed=$(count log-configure1 'tailscale set --operator=')"
echo "RESULT configure2_operator_removed=$(count log-configure2 'tailscale set --operator=')"
echo "RESULT configure2_serve_reset=$(count log-configure2 'tailscale serve reset')"
echo "RESULT configure2_writes=$(count out-configure2 'configure: wrote')"
echo "RESULT rotate_restarts=$(count log-rotate 'systemctl restart')"
echo "RESULT rotate_writes=$(grep 'configure: wrote' "$work/out-rotate" | sed 's/.*wrote //' | paste -sd, -)"
echo "RESULT heartbeat1_writes=$(grep 'configure: wrote' "$work/out-heartbeat1" | sed 's/.*wrote //' | paste -sd, -)"
echo "RESULT heartbeat1_restarts=$(count log-heartbeat1 'systemctl restart')"
echo "RESULT heartbeat_mode=$(cat "$work/heartbeat-mode")"
echo "RESULT heartbeat_in_env=$(cat "$work/heartbeat-in-env")"
echo "RESULT heartbeat2_writes=$(count out-heartbeat2 'configure: wrote')"
echo "RESULT heartbeat3_restarts=$(count log-heartbeat3 'systemctl restart')"
echo "RESULT heartbeat_after_removal=$(cat "$work/heartbeat-after")"
echo "RESULT sandbox1_builds=$(count log-sandbox1 'docker build')"
echo "RESULT sandbox2_builds=$(count log-sandbox2 'docker build')"
echo "RESULT modes=$(paste -sd, "$work/modes")"
echo "RESULT configure1_backup_timer=$(count log-configure1 'systemctl enable --now openclaw-backup.timer')"
echo "RESULT configure2_backup_timer=$(count log-configure2 'systemctl enable --now openclaw-backup.timer')"
