#!/bin/bash
# Applies the gateway's configuration: the secrets arrive on stdin and go to the 0600 .env
# (never argv, never the environment), the rendered openclaw.json goes to the 0700 state
# directory. The gateway restarts only when something it reads changed, or it is not
# running; then Tailscale Serve is put in front of it and checked.
# Usage: configure.sh <tailnet hostname> < .env
set -euo pipefail

readonly USER_NAME=openclaw
readonly STATE_DIR=/home/openclaw/.openclaw
readonly RENDERED=/etc/openclaw-vps/openclaw.json
readonly UNIT=openclaw-gateway.service
readonly PORT=18789
readonly RESTART_STAMP=/var/lib/openclaw-vps/restart-needed
readonly BACKUP_DIR=/var/backups/openclaw
readonly BACKUP_TIMER=openclaw-backup.timer

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

wait_for_gateway() {
  local i
  for i in $(seq 1 90); do
    if ss -Hltn "sport = :$PORT" | grep -q '127.0.0.1:'; then
      echo "configure: gateway listening on 127.0.0.1:$PORT after ${i}s"
      return
    fi
    sleep 1
  done
  echo "configure: the gateway is not listening on 127.0.0.1:$PORT after 90 s; last log lines:" >&2
  journalctl -u "$UNIT" -n 30 --no-pager >&2 || true
  exit 1
}

ensure_serve() {
  if tailscale serve status --json 2>/dev/null | grep -q "\"http://127.0.0.1:$PORT\""; then
    echo "configure: Tailscale Serve already fronts 127.0.0.1:$PORT"
    return
  fi
  tailscale serve --bg --https=443 "http://127.0.0.1:$PORT" </dev/null
  # One release printed success and created no route: believe only the status.
  if ! tailscale serve status --json 2>/dev/null | grep -q "\"http://127.0.0.1:$PORT\""; then
    echo "configure: tailscale serve reported success but no route to 127.0.0.1:$PORT exists" >&2
    echo "configure: check that MagicDNS and HTTPS certificates are on for the tailnet" >&2
    exit 1
  fi
  echo "configure: Tailscale Serve now fronts 127.0.0.1:$PORT"
}

# The tailnet name follows the `hostname` setting, which first boot alone would never update.
sync_hostname() {
  local want=$1 have
  have=$(tailscale status --json --peers=false 2>/dev/null | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).Self.HostName))')
  if [ "$have" = "$want" ]; then
    echo "configure: tailnet name is $want"
    return
  fi
  tailscale set --hostname="$want"
  echo "configure: tailnet name changed from $have to $want"
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

  install -d -m 0700 -o "$USER_NAME" -g "$USER_NAME" "$STATE_DIR"
  put "$secrets" 0600 "$STATE_DIR/.env"
  put "$RENDERED" 0600 "$STATE_DIR/openclaw.json"

  systemctl daemon-reload
  systemctl enable --quiet "$UNIT"
  if [ "$changed" -gt 0 ] || [ -e "$RESTART_STAMP" ] || ! systemctl is-active --quiet "$UNIT"; then
    systemctl restart "$UNIT"
    rm -f "$RESTART_STAMP"
    echo "configure: gateway restarted"
  else
    echo "configure: nothing changed; gateway left running"
  fi
  wait_for_gateway
  ensure_serve
  ensure_backups
}

main "$@"
