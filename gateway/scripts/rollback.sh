#!/bin/bash
# Puts back the OpenClaw version that ran before an upgrade, when the upgrade has not been
# accepted yet (install.sh leaves a marker naming it; verify.sh removes the marker once the
# new version passes), and the state from just before the switch: the new version may have
# migrated the database, which the old one then refuses to open. The migrated state is kept
# aside by restore.sh. Run by configure.sh when the new version does not come up, and by
# verify.sh when it does not pass. Prints what it did on stderr.
# Exit codes: 0 rolled back, 3 nothing to roll back (no upgrade pending), 1 could not.
set -euo pipefail

readonly ROOT=/opt/openclaw
readonly UPGRADE_MARKER=/var/lib/openclaw-vps/upgrade-from
readonly UNIT=openclaw-gateway.service
readonly UPGRADE_BACKUP=/var/lib/openclaw-vps/upgrade-backup
readonly LIB=/usr/local/lib/openclaw-vps

main() {
  local previous
  if [ ! -f "$UPGRADE_MARKER" ]; then
    exit 3
  fi
  previous=$(cat "$UPGRADE_MARKER")
  if [ ! -f "$previous/node_modules/openclaw/package.json" ]; then
    echo "rollback: cannot roll back: $previous is gone" >&2
    exit 1
  fi
  ln -sfn "$previous" "$ROOT/current.new"
  mv -T "$ROOT/current.new" "$ROOT/current"
  rm -f "$UPGRADE_MARKER"
  if [ -f "$UPGRADE_BACKUP" ]; then
    local archive
    archive=$(cat "$UPGRADE_BACKUP")
    if ! "$LIB/restore.sh" "$archive" >&2; then
      echo "rollback: rolled back to $(basename "$previous"), but restoring the state from before the upgrade ($archive) failed" >&2
      exit 1
    fi
    rm -f "$UPGRADE_BACKUP"
    echo "rollback: rolled back to $(basename "$previous") with the state from before the upgrade, and restarted the gateway" >&2
    return
  fi
  systemctl restart "$UNIT"
  echo "rollback: rolled back to $(basename "$previous") and restarted the gateway" >&2
}

main "$@"
