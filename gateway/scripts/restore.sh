#!/bin/bash
# Restores the gateway's state from a backup archive: verified and unpacked by OpenClaw into
# a fresh staging directory, then put in place of the current state (which is kept aside),
# with the state directory 0700 and every file 0600, and the gateway restarted. OpenClaw
# runs here with an empty home of its own: it refuses to start on a state directory that is
# damaged or newer than it is, which is exactly when a restore is needed.
# Usage: sudo /usr/local/lib/openclaw-vps/restore.sh <archive>
set -euo pipefail

readonly USER_NAME=openclaw
readonly STATE_DIR=/home/openclaw/.openclaw
readonly UNIT=openclaw-gateway.service
# With coding on, the coder's workspace is in the archive too (docs/coding.md).
readonly WORKSPACE=/home/openclaw/coder-workspace

main() {
  if [ "$#" -ne 1 ] || [ ! -f "$1" ]; then
    echo "usage: $0 <backup archive>" >&2
    exit 2
  fi
  local archive stamp staging restored workspace
  archive=$(realpath "$1")
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  staging=$(mktemp -d /var/tmp/openclaw-restore-XXXXXX)
  chown "$USER_NAME:$USER_NAME" "$staging"
  install -d -m 0700 -o "$USER_NAME" -g "$USER_NAME" "$staging/home" "$staging/out"
  runuser -u "$USER_NAME" -- env HOME="$staging/home" openclaw backup verify "$archive" </dev/null
  runuser -u "$USER_NAME" -- env HOME="$staging/home" openclaw backup restore "$archive" --target "$staging/out" </dev/null
  restored=$(find "$staging/out" -type d -path '*/payload/*' -name .openclaw | head -n 1)
  if [ -z "$restored" ] || [ ! -f "$restored/openclaw.json" ]; then
    echo "restore: no state directory with openclaw.json in the archive" >&2
    exit 1
  fi
  systemctl stop "$UNIT"
  if [ -d "$STATE_DIR" ]; then mv "$STATE_DIR" "$STATE_DIR.before-restore-$stamp"; fi
  cp -a "$restored" "$STATE_DIR"
  chown -R "$USER_NAME:$USER_NAME" "$STATE_DIR"
  chmod 0700 "$STATE_DIR"
  find "$STATE_DIR" -type f -exec chmod 0600 {} +
  workspace=$(find "$staging/out" -type d -path '*/payload/*' -name "$(basename "$WORKSPACE")" -prune | head -n 1)
  if [ -n "$workspace" ] && [ -x "$(dirname "$0")/coding-egress.sh" ]; then
    if [ -d "$WORKSPACE" ]; then mv "$WORKSPACE" "$WORKSPACE.before-restore-$stamp"; fi
    cp -a "$workspace" "$WORKSPACE"
    "$(dirname "$0")/coding-egress.sh" workspace
    echo "restore: the coder's workspace restored; the previous one is in $WORKSPACE.before-restore-$stamp"
  fi
  # The agents' sandbox containers still hold the folders that were moved aside: OpenClaw
  # creates them again, on the restored ones, when they are next used.
  local sandboxes
  sandboxes=$(docker ps -aq --filter label=openclaw.sandbox=1 2>/dev/null || true)
  # shellcheck disable=SC2086 # one id per word
  if [ -n "$sandboxes" ]; then docker rm -f $sandboxes >/dev/null && echo "restore: the sandbox containers removed (OpenClaw recreates them)"; fi
  rm -rf "$staging"
  systemctl start "$UNIT"
  echo "restore: state restored from $archive; the previous state is in $STATE_DIR.before-restore-$stamp"
}

main "$@"
