#!/bin/bash
# Daily OpenClaw state backup, run by openclaw-backup.timer as the gateway's account:
# `openclaw backup create` (a 0600 archive that includes the .env secrets) into a 0700
# directory, verified, then archives older than the retention are deleted.
# Usage: backup.sh <directory> <days to keep>
set -euo pipefail

main() {
  if [ "$#" -ne 2 ] || ! [[ $2 =~ ^[0-9]+$ ]]; then
    echo "usage: $0 <directory> <days to keep>" >&2
    exit 2
  fi
  local dir=$1 keep=$2
  umask 077
  openclaw backup create --output "$dir" --verify </dev/null
  find "$dir" -maxdepth 1 -name '*-openclaw-backup.tar.gz' -type f -mtime "+$keep" -print -delete
  chmod 0600 "$dir"/*-openclaw-backup.tar.gz
  echo "backup: $(find "$dir" -maxdepth 1 -name '*-openclaw-backup.tar.gz' -type f | wc -l) archives kept in $dir"
}

main "$@"
