#!/bin/bash
# Off-site backups (docs/operations.md, "Off-site backups"): the daily archive, encrypted on
# the server with age to the stack's recipient, kept in the object store the stack names
# (Hetzner Object Storage, DigitalOcean Spaces: the S3 API), newest first, the rest pruned.
# The object store only ever sees ciphertext; the server holds only the recipient (the public
# half): it cannot read what it stored. The identity arrives on stdin, and only to restore.
#
#   offsite.sh tools      installs age and rclone from Debian when missing (configure.sh)
#   offsite.sh push       the newest archive in BACKUP_DIR, encrypted, uploaded, its size
#                         checked, then all but the newest KEEP objects deleted; the result
#                         in STATUS (openclaw-offsite-backup.service, after each daily backup)
#   offsite.sh restore    on a server that has no state yet: the newest object, downloaded,
#                         decrypted and handed to restore.sh. Stdin: the settings' lines and
#                         OPENCLAW_VPS_OFFSITE_IDENTITY=AGE-SECRET-KEY-1... A server that has
#                         state is left as it is. No object: nothing to restore.
#
# Settings: OPENCLAW_VPS_OFFSITE_{ENDPOINT,BUCKET,PREFIX,KEEP,RECIPIENT,ACCESS_KEY,SECRET_KEY},
# from ENV_FILE (root's, 0600) for push, from stdin for restore. The credentials reach rclone
# in its environment, never in a command line.
set -euo pipefail

readonly ENV_FILE=${OPENCLAW_VPS_OFFSITE_ENV:-/etc/openclaw-vps/offsite.env}
readonly BACKUP_DIR=${OPENCLAW_VPS_BACKUP_DIR:-/var/backups/openclaw}
readonly STATUS=${OPENCLAW_VPS_OFFSITE_STATUS:-/var/lib/openclaw-vps/offsite.json}
readonly STATE_DIR=/home/openclaw/.openclaw
readonly SUFFIX=-openclaw-backup.tar.gz.age
readonly PACKAGES="age rclone"
here=$(cd "$(dirname "$0")" && pwd)
# The working directory (ciphertext, or the decrypted archive while it is restored), root's only.
tmp=""
trap '[ -z "$tmp" ] || rm -rf "$tmp"' EXIT
umask 077

# settings <file>: reads the settings' lines (and only those) into variables.
settings() {
  local line key value
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in OPENCLAW_VPS_OFFSITE_*=*) ;; *) continue ;; esac
    key=${line%%=*}
    value=${line#*=}
    case $key in
      OPENCLAW_VPS_OFFSITE_ENDPOINT) endpoint=$value ;;
      OPENCLAW_VPS_OFFSITE_BUCKET) bucket=$value ;;
      OPENCLAW_VPS_OFFSITE_PREFIX) prefix=$value ;;
      OPENCLAW_VPS_OFFSITE_KEEP) keep=$value ;;
      OPENCLAW_VPS_OFFSITE_RECIPIENT) recipient=$value ;;
      OPENCLAW_VPS_OFFSITE_ACCESS_KEY) access_key=$value ;;
      OPENCLAW_VPS_OFFSITE_SECRET_KEY) secret_key=$value ;;
      OPENCLAW_VPS_OFFSITE_IDENTITY) identity=$value ;;
    esac
  done <"$1"
  for v in endpoint bucket prefix keep recipient access_key secret_key; do
    if [ -z "${!v:-}" ]; then
      echo "offsite: the setting ${v} is missing" >&2
      exit 2
    fi
  done
  # rclone's remote "offsite", from its environment. The region is the endpoint's first label
  # (fsn1.your-objectstorage.com, fra1.digitaloceanspaces.com), as both clouds sign with it.
  local host=${endpoint#https://}
  host=${host#http://}
  export RCLONE_CONFIG_OFFSITE_TYPE=s3 RCLONE_CONFIG_OFFSITE_PROVIDER=Other RCLONE_CONFIG_OFFSITE_ENV_AUTH=false
  export RCLONE_CONFIG_OFFSITE_ENDPOINT=$endpoint RCLONE_CONFIG_OFFSITE_REGION=${host%%.*}
  export RCLONE_CONFIG_OFFSITE_ACCESS_KEY_ID=$access_key RCLONE_CONFIG_OFFSITE_SECRET_ACCESS_KEY=$secret_key
  export RCLONE_CONFIG_OFFSITE_FORCE_PATH_STYLE=true RCLONE_CONFIG_OFFSITE_NO_CHECK_BUCKET=true
  export RCLONE_CONFIG_OFFSITE_ACL=private
  # Nothing of the AWS SDK's own environment (a CA bundle, a profile) changes how it talks.
  unset AWS_CA_BUNDLE AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
  # No rclone.conf is read or written; no retries hide a refusal for minutes.
  export RCLONE_CONFIG=/dev/null RCLONE_RETRIES=3 RCLONE_LOW_LEVEL_RETRIES=3 RCLONE_CONTIMEOUT=20s RCLONE_TIMEOUT=5m
  remote="offsite:$bucket/$prefix"
}

tools() {
  local missing=() package
  for package in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    apt-get update -qq </dev/null >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" </dev/null >/dev/null
    echo "offsite: installed ${missing[*]}"
  fi
}

# The objects under the prefix, oldest first (their names start with the archive's time).
objects() {
  rclone lsf --files-only "$remote/" </dev/null | grep -e "$SUFFIX\$" | LC_ALL=C sort || true
}

status() { # status <json>
  install -d -m 0755 "$(dirname "$STATUS")"
  printf '%s\n' "$1" >"$STATUS.new"
  mv -f "$STATUS.new" "$STATUS"
}

push() {
  settings "$ENV_FILE"
  local archive name size stored started removed=0
  started=$(date +%s)
  archive=$(find "$BACKUP_DIR" -maxdepth 1 -name '*-openclaw-backup.tar.gz' -type f -printf '%T@ %p\n' | sort -n | tail -n 1 | cut -d' ' -f2-)
  if [ -z "$archive" ]; then
    echo "offsite: no archive in $BACKUP_DIR" >&2
    status "{\"ok\":false,\"at\":\"$(date -u +%FT%TZ)\",\"error\":\"no archive\"}"
    exit 1
  fi
  name="$(basename "$archive").age"
  tmp=$(mktemp -d)
  age -r "$recipient" -o "$tmp/$name" "$archive"
  size=$(stat -c %s "$tmp/$name")
  if ! rclone copyto "$tmp/$name" "$remote/$name" </dev/null; then
    status "{\"ok\":false,\"at\":\"$(date -u +%FT%TZ)\",\"error\":\"upload refused\"}"
    echo "offsite: the upload of $name failed" >&2
    exit 1
  fi
  stored=$(rclone lsf --format s --files-only "$remote/$name" </dev/null || true)
  if [ "$stored" != "$size" ]; then
    status "{\"ok\":false,\"at\":\"$(date -u +%FT%TZ)\",\"error\":\"stored size ${stored:-none}, sent $size\"}"
    echo "offsite: $name is stored with ${stored:-no} bytes, $size were sent" >&2
    exit 1
  fi
  local all count
  mapfile -t all < <(objects)
  count=${#all[@]}
  while [ "$count" -gt "$keep" ]; do
    rclone deletefile "$remote/${all[$removed]}" </dev/null
    echo "offsite: pruned ${all[$removed]}"
    removed=$((removed + 1))
    count=$((count - 1))
  done
  status "{\"ok\":true,\"at\":\"$(date -u +%FT%TZ)\",\"object\":\"$name\",\"bytes\":$size,\"kept\":$count,\"pruned\":$removed,\"seconds\":$(($(date +%s) - started))}"
  echo "offsite: $name stored encrypted ($size bytes); $count kept, $removed pruned"
}

restore() {
  local input
  input=$(mktemp)
  chmod 0600 "$input"
  cat >"$input"
  identity=""
  settings "$input"
  rm -f "$input"
  if [ -z "$identity" ]; then
    echo "offsite: no identity on stdin (OPENCLAW_VPS_OFFSITE_IDENTITY)" >&2
    exit 2
  fi
  if [ -f "$STATE_DIR/openclaw.json" ]; then
    echo "offsite: this server has its state already: nothing restored (to restore anyway, see docs/operations.md)"
    return 0
  fi
  tools
  local newest started
  started=$(date +%s)
  newest=$(objects | tail -n 1)
  if [ -z "$newest" ]; then
    echo "offsite: no backup under $bucket/$prefix: nothing to restore"
    return 0
  fi
  # The gateway's account verifies and unpacks the archive (restore.sh): the directory is its.
  tmp=$(mktemp -d /var/tmp/openclaw-offsite-XXXXXX)
  chown openclaw:openclaw "$tmp"
  rclone copyto "$remote/$newest" "$tmp/$newest" </dev/null
  printf '%s\n' "$identity" | age -d -i - -o "$tmp/${newest%.age}" "$tmp/$newest"
  chown openclaw:openclaw "$tmp/${newest%.age}"
  "$here/restore.sh" "$tmp/${newest%.age}"
  echo "offsite: restored $newest in $(($(date +%s) - started)) s"
}

case "${1:-}" in
  tools) tools ;;
  push) push ;;
  restore) restore ;;
  *)
    echo "usage: $0 tools|push|restore" >&2
    exit 2
    ;;
esac
