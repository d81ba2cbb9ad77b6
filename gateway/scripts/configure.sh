#!/bin/bash
# Applies the gateway's configuration: the secrets arrive on stdin and go to the 0600 .env
# (never argv, never the environment), the rendered openclaw.json goes to the 0700 state
# directory. The gateway restarts only when something it reads changed, or it is not
# running; then Tailscale Serve is put in front of it and checked.
#
# This script is the one owner of the Serve route: a background route, which tailscaled
# keeps across gateway restarts and reboots, set here as root. The gateway runs with
# `gateway.tailscale.mode: off` and never touches Serve, so its account needs no Tailscale
# operator right (an operator may also turn on Funnel).
# Usage: configure.sh <tailnet hostname> < .env
set -euo pipefail

readonly USER_NAME=openclaw
readonly STATE_DIR=/home/openclaw/.openclaw
readonly RENDERED=/etc/openclaw-vps/openclaw.json
readonly UNIT=openclaw-gateway.service
readonly PORT=18789
readonly BACKEND=http://127.0.0.1:18789
readonly LIB=/usr/local/lib/openclaw-vps
readonly RESTART_STAMP=/var/lib/openclaw-vps/restart-needed
readonly BACKUP_DIR=/var/backups/openclaw
readonly BACKUP_TIMER=openclaw-backup.timer
readonly SELFCHECK_TIMER=openclaw-selfcheck.timer
readonly HEALTH_TIMER=openclaw-health.timer
readonly HEARTBEAT_FILE=/etc/openclaw-vps/heartbeat.env
readonly OFFSITE_FILE=/etc/openclaw-vps/offsite.env
# What the drift check compares the host with (gateway/manifest.ts), and the .env key names
# this step put there (names only: the check compares them, never the values).
readonly MANIFEST=/etc/openclaw-vps/manifest.json
readonly ENV_KEYS=/etc/openclaw-vps/env-keys

changed=0

# put <source> <mode> <path>: install the file for the gateway's account unless it is already so.
put() {
  local src=$1 mode=$2 path=$3
  if [ -f "$path" ] && cmp -s "$src" "$path" && [ "$(stat -c '%a %U' "$path")" = "${mode#0} $USER_NAME" ]; then
    echo "configure: $path unchanged"
    return
  fi
  install -m "$mode" -o "$USER_NAME" -g "$USER_NAME" "$src" "$path.new"
  mv -f "$path.new" "$path"
  changed=$((changed + 1))
  echo "configure: wrote $path"
}

# One field of `tailscale status --json --peers=false` (a key of Self), or of the prefs.
status_field() {
  tailscale status --json --peers=false | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).Self[process.argv[1]] ?? ""))' "$1"
}

# wait_for_gateway <NRestarts before>: waits for the listener; gives up at once when systemd
# has had to restart the gateway since (it exited), or after 90 s.
wait_for_gateway() {
  local i restarts_before=$1
  for i in $(seq 1 90); do
    if ss -Hltn "sport = :$PORT" | grep -q '127.0.0.1:'; then
      echo "configure: gateway listening on 127.0.0.1:$PORT after ${i}s"
      return 0
    fi
    if [ "$(systemctl show -p NRestarts --value "$UNIT")" != "$restarts_before" ]; then
      echo "configure: the gateway exited after ${i}s; last log lines:" >&2
      journalctl -u "$UNIT" -n 30 --no-pager >&2 || true
      return 1
    fi
    sleep 1
  done
  echo "configure: the gateway is not listening on 127.0.0.1:$PORT after 90 s; last log lines:" >&2
  journalctl -u "$UNIT" -n 30 --no-pager >&2 || true
  return 1
}

# Restarts the gateway and waits for it. A new OpenClaw version that does not come up is
# rolled back (see rollback.sh), and the step fails with the reason either way.
restart_gateway() {
  local restarts rc=0
  restarts=$(systemctl show -p NRestarts --value "$UNIT")
  systemctl restart "$UNIT"
  rm -f "$RESTART_STAMP"
  echo "configure: gateway restarted"
  if wait_for_gateway "$restarts"; then return; fi
  "$LIB/rollback.sh" || rc=$?
  if [ "$rc" = 0 ]; then
    echo "configure: the new OpenClaw version did not start and was rolled back to $(basename "$(readlink /opt/openclaw/current)"); set openclawVersion to that version, or fix the problem above" >&2
  fi
  exit 1
}

# The tailnet name follows the `hostname` setting, which first boot alone would never update.
sync_hostname() {
  local want=$1 have
  have=$(status_field HostName)
  if [ "$have" = "$want" ]; then
    echo "configure: tailnet name is $want"
    return
  fi
  tailscale set --hostname="$want"
  echo "configure: tailnet name changed from $have to $want"
}

# Servers set up when the gateway managed Serve itself granted its account operator rights.
# Nothing needs them now, and an operator may turn on Funnel: take them away.
ensure_no_operator() {
  local operator
  operator=$(tailscale debug prefs | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).OperatorUser ?? ""))')
  if [ -n "$operator" ]; then
    tailscale set --operator=
    echo "configure: removed the Tailscale operator right of $operator"
  fi
}

# Exactly one route: https://<this node>:443 -> the gateway. Whatever else Serve holds (an old
# gateway's foreground session, a stale name, another port, Funnel) is cleared first:
# Tailscale refuses a background route on a port that a foreground session holds.
ensure_serve() {
  local dns
  dns=$(status_field DNSName)
  dns=${dns%.}
  if tailscale serve status --json | node "$LIB/judge.js" serve "$dns" >/dev/null; then
    echo "configure: Tailscale Serve already fronts $BACKEND as https://$dns/"
    return
  fi
  tailscale serve reset </dev/null
  tailscale serve --bg --https=443 "$BACKEND" </dev/null >/dev/null
  # One release printed success and created no route: believe only the status.
  if ! tailscale serve status --json | node "$LIB/judge.js" serve "$dns" >&2; then
    echo "configure: tailscale serve reported success but the route is not the one set (above)" >&2
    echo "configure: check that MagicDNS and HTTPS certificates are on for the tailnet" >&2
    exit 1
  fi
  echo "configure: Tailscale Serve now fronts $BACKEND as https://$dns/"
}

# Daily state backups into a directory only the gateway's account can read.
ensure_backups() {
  if [ "$(stat -c '%a %U' "$BACKUP_DIR" 2>/dev/null)" != "700 $USER_NAME" ]; then
    install -d -m 0700 -o "$USER_NAME" -g "$USER_NAME" "$BACKUP_DIR"
    echo "configure: backup directory $BACKUP_DIR ready"
  fi
  if ! systemctl is-enabled --quiet "$BACKUP_TIMER"; then
    systemctl enable --now "$BACKUP_TIMER"
    echo "configure: daily backups on"
  fi
}

# The daily self-check (selfcheck.sh): the deployment keeps proving itself between runs; and
# the light health check every five minutes (health.js).
ensure_selfcheck() {
  if ! systemctl is-enabled --quiet "$SELFCHECK_TIMER"; then
    systemctl enable --now "$SELFCHECK_TIMER"
    echo "configure: daily self-check on"
  fi
  if ! systemctl is-enabled --quiet "$HEALTH_TIMER"; then
    systemctl enable --now "$HEALTH_TIMER"
    echo "configure: health check every five minutes on"
  fi
}

# Settings that are root's, not the gateway's, leave the .env for root-only files, and each
# file goes when its keys do; changing them restarts nothing:
#   heartbeatUrl (the health check's dead-man's switch)      -> HEARTBEAT_FILE
#   off-site backups' settings and S3 credentials (offsite.sh) -> OFFSITE_FILE
# put_root_env <secrets file> <key prefix> <file>
put_root_env() {
  local secrets=$1 prefix=$2 file=$3 tmp
  tmp=$(mktemp)
  chmod 0600 "$tmp"
  grep "^$prefix" "$secrets" >"$tmp" || true
  sed -i "/^$prefix/d" "$secrets"
  if [ ! -s "$tmp" ]; then
    rm -f "$tmp"
    if [ -e "$file" ]; then
      rm -f "$file"
      echo "configure: not configured: removed $file"
    fi
    return
  fi
  if [ -f "$file" ] && cmp -s "$tmp" "$file" && [ "$(stat -c '%a %U' "$file")" = "600 root" ]; then
    echo "configure: $file unchanged"
  else
    install -m 0600 -o root -g root "$tmp" "$file.new"
    mv -f "$file.new" "$file"
    echo "configure: wrote $file"
  fi
  rm -f "$tmp"
}

# The names of the keys the gateway's .env holds, root's, for the drift check.
put_env_keys() {
  local tmp
  tmp=$(mktemp)
  grep -o '^[A-Za-z_][A-Za-z0-9_]*=' "$1" | tr -d = | sort -u >"$tmp"
  if [ -f "$ENV_KEYS" ] && cmp -s "$tmp" "$ENV_KEYS"; then
    rm -f "$tmp"
    return
  fi
  install -m 0644 -o root -g root "$tmp" "$ENV_KEYS"
  rm -f "$tmp"
  echo "configure: wrote $ENV_KEYS"
}

main() {
  if [ "$#" -ne 1 ]; then
    echo "usage: $0 <tailnet hostname> < .env" >&2
    exit 2
  fi
  sync_hostname "$1"
  # Global, not local: the EXIT trap runs after main has returned.
  secrets=$(mktemp)
  trap 'rm -f "$secrets"' EXIT
  chmod 0600 "$secrets"
  cat >"$secrets"
  if ! grep -q '^OPENCLAW_GATEWAY_TOKEN=' "$secrets"; then
    echo "configure: no gateway token on stdin" >&2
    exit 2
  fi

  put_root_env "$secrets" OPENCLAW_VPS_HEARTBEAT_URL= "$HEARTBEAT_FILE"
  put_root_env "$secrets" OPENCLAW_VPS_OFFSITE_ "$OFFSITE_FILE"
  # Off-site backups encrypt with age and upload with rclone (Debian's).
  if [ -f "$OFFSITE_FILE" ]; then "$LIB/offsite.sh" tools; fi
  install -d -m 0700 -o "$USER_NAME" -g "$USER_NAME" "$STATE_DIR"
  put "$secrets" 0600 "$STATE_DIR/.env"
  put_env_keys "$secrets"
  # The rendered config, with the keys OpenClaw writes itself carried over from the live one
  # (the command owner a pairing approval set): writing the rendered text alone dropped them.
  config=$(mktemp)
  trap 'rm -f "$secrets" "$config"' EXIT
  node "$LIB/drift.js" carry "$RENDERED" "$STATE_DIR/openclaw.json" "$MANIFEST" >"$config"
  put "$config" 0600 "$STATE_DIR/openclaw.json"

  systemctl daemon-reload
  systemctl enable --quiet "$UNIT"
  if [ "$changed" -gt 0 ] || [ -e "$RESTART_STAMP" ] || ! systemctl is-active --quiet "$UNIT"; then
    restart_gateway
  else
    echo "configure: nothing changed; gateway left running"
    wait_for_gateway "$(systemctl show -p NRestarts --value "$UNIT")"
  fi
  ensure_no_operator
  ensure_serve
  ensure_backups
  ensure_selfcheck
}

main "$@"
