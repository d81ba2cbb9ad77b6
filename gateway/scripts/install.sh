#!/bin/bash
# Installs Node.js 24 from NodeSource's signed repository, then OpenClaw <version> into its
# own root-owned directory under /opt/openclaw, which the gateway's account can read and run
# but not write: exactly the tree of the version's lock, shipped by the files step (npm ci,
# every tarball checked against its integrity), so every server on a version runs the same
# dependencies. `current` moves to it only once it is fully installed, so a failed install
# or upgrade leaves the running version untouched. Before a switch from one version to
# another, the running version takes a verified backup of the state: OpenClaw migrates its
# database forward only, so going back after a failed upgrade needs the state from before
# (rollback.sh restores it).
# Usage: install.sh <exact OpenClaw version>
set -euo pipefail

readonly NODESOURCE_FPR=6F71F525282841EEDAF851B42F59B5F99B1BE0B4
readonly NODE_MAJOR=24
readonly ROOT=/opt/openclaw
# <version>/package.json and package-lock.json for each release (gateway/locks in the program).
readonly LOCKS=/etc/openclaw-vps/locks
readonly RESTART_STAMP=/var/lib/openclaw-vps/restart-needed
# Names the version to go back to until verification accepts the new one.
readonly UPGRADE_MARKER=/var/lib/openclaw-vps/upgrade-from
# Names the verified backup taken just before the switch (what rollback.sh restores).
readonly UPGRADE_BACKUP=/var/lib/openclaw-vps/upgrade-backup
# The version the deployment is configured for: the daily self-check compares against it.
readonly CONFIGURED_VERSION=/var/lib/openclaw-vps/configured-version
readonly USER_NAME=openclaw
readonly STATE_DIR=/home/openclaw/.openclaw
readonly PRE_UPGRADE_DIR=/var/backups/openclaw/pre-upgrade

node_major() {
  if command -v node >/dev/null 2>&1; then node -p 'process.versions.node.split(".")[0]'; else echo none; fi
}

installed_version() {
  node -p "require('$1/node_modules/openclaw/package.json').version" 2>/dev/null || echo none
}

# A tree that still carries OpenClaw's install markers (one installed before its install
# scripts were run here) cannot start as the gateway's account: it counts as not installed.
lifecycle_pending() {
  [ -e "$1/node_modules/openclaw/.openclaw-lifecycle-pending" ] || [ -e "$1/node_modules/openclaw/dist/openclaw-install-guard" ]
}

ensure_node() {
  if [ "$(node_major)" = "$NODE_MAJOR" ]; then
    echo "install: node $(node --version) present"
    return
  fi
  /usr/local/sbin/openclaw-vps-apt-repo nodesource \
    https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key "$NODESOURCE_FPR" \
    "https://deb.nodesource.com/node_${NODE_MAJOR}.x nodistro main"
  # NodeSource's nodejs, never Ubuntu's older one.
  printf 'Package: nodejs\nPin: origin deb.nodesource.com\nPin-Priority: 1001\n' >/etc/apt/preferences.d/nodesource
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs </dev/null
  if [ "$(node_major)" != "$NODE_MAJOR" ]; then
    echo "install: expected Node.js $NODE_MAJOR, found $(node --version)" >&2
    exit 1
  fi
}

# OpenClaw's package ships a marker that its own install scripts remove; while it exists,
# every run tries to finish the install itself and, as the gateway's account on a tree it
# cannot write, fails (EACCES). So OpenClaw's own two scripts (and only its: no dependency's)
# run here, as root, on the staging tree, before the tree is locked and put in place.
complete_lifecycle() {
  local tree=$1 version=$2
  if ! npm rebuild --prefix "$tree" --no-audit --no-fund --foreground-scripts openclaw </dev/null; then
    rm -rf "$tree"
    echo "install: the install scripts of openclaw@$version failed; the running version is unchanged" >&2
    exit 1
  fi
  if lifecycle_pending "$tree"; then
    rm -rf "$tree"
    echo "install: openclaw@$version is still marked incomplete after its install scripts ran; the running version is unchanged" >&2
    exit 1
  fi
}

# The versions whose lock the files step shipped, for the error that names none.
shipped_locks() {
  local names
  names=$(find "$LOCKS" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -V | paste -sd' ' -)
  echo "${names:-none}"
}

ensure_openclaw() {
  local version=$1 target=$ROOT/$1 tmp
  if [ "$(installed_version "$target")" = "$version" ] && ! lifecycle_pending "$target"; then
    echo "install: openclaw $version present"
    return
  fi
  local lock=$LOCKS/$version
  if [ ! -f "$lock/package.json" ] || [ ! -f "$lock/package-lock.json" ]; then
    echo "install: no lock was shipped for openclaw@$version (none in $lock; shipped: $(shipped_locks)): add one with npm run lock:openclaw (docs/gateway.md); the running version is unchanged" >&2
    exit 1
  fi
  install -d -m 0755 "$ROOT"
  tmp=$(mktemp -d "$ROOT/.install-XXXXXX")
  cp "$lock/package.json" "$lock/package-lock.json" "$tmp/"
  # Exactly the lock's tree, nothing resolved here; the dependencies' install scripts never run.
  if ! npm ci --prefix "$tmp" --omit=dev --ignore-scripts --no-audit --no-fund </dev/null; then
    rm -rf "$tmp"
    echo "install: npm could not install openclaw@$version from its lock ($lock); the running version is unchanged" >&2
    exit 1
  fi
  if [ "$(installed_version "$tmp")" != "$version" ]; then
    rm -rf "$tmp"
    echo "install: openclaw@$version did not install as that version" >&2
    exit 1
  fi
  complete_lifecycle "$tmp" "$version"
  chmod -R go-w "$tmp"
  chmod 0755 "$tmp"
  rm -rf "$target"
  mv -T "$tmp" "$target"
  echo "install: openclaw $version installed in $target"
}

# pre_upgrade_backup <running version's directory>: a verified archive of the state, taken
# by the running version (as the daily backup is, with the gateway running), named in
# UPGRADE_BACKUP. No state yet (a server that never started a gateway): nothing to keep.
pre_upgrade_backup() {
  local running=$1 archive
  rm -f "$UPGRADE_BACKUP"
  if [ ! -f "$STATE_DIR/openclaw.json" ]; then
    echo "install: no state yet; no pre-upgrade backup needed"
    return
  fi
  install -d -m 0700 -o "$USER_NAME" -g "$USER_NAME" "$(dirname "$PRE_UPGRADE_DIR")" "$PRE_UPGRADE_DIR"
  if ! runuser -u "$USER_NAME" -- env HOME=/home/openclaw /usr/bin/node "$running/node_modules/openclaw/openclaw.mjs" \
    backup create --output "$PRE_UPGRADE_DIR" --verify </dev/null; then
    echo "install: the backup before the version switch failed; the running version is unchanged" >&2
    exit 1
  fi
  archive=$(find "$PRE_UPGRADE_DIR" -maxdepth 1 -name '*-openclaw-backup.tar.gz' -type f -printf '%T@ %p\n' | sort -n | tail -n 1 | cut -d' ' -f2-)
  if [ -z "$archive" ]; then
    echo "install: the backup before the version switch left no archive; the running version is unchanged" >&2
    exit 1
  fi
  chmod 0600 "$archive"
  echo "$archive" >"$UPGRADE_BACKUP"
  echo "install: state backed up before the switch: $archive"
}

switch_current() {
  local target=$ROOT/$1 current
  current=$(readlink "$ROOT/current" 2>/dev/null || true)
  install -d -m 0755 "$(dirname "$RESTART_STAMP")"
  echo "$1" >"$CONFIGURED_VERSION"
  if [ "$current" = "$target" ]; then
    echo "install: current is already $1"
    return
  fi
  if [ -n "$current" ]; then
    pre_upgrade_backup "$current"
    ln -sfn "$current" "$ROOT/previous"
    echo "$current" >"$UPGRADE_MARKER"
  fi
  ln -sfn "$target" "$ROOT/current.new"
  mv -T "$ROOT/current.new" "$ROOT/current"
  touch "$RESTART_STAMP"
  echo "install: current is now $1 (was ${current:-none})"
}

main() {
  if [ "$#" -ne 1 ] || ! [[ $1 =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
    echo "usage: $0 <exact OpenClaw version, e.g. 2026.9.6>" >&2
    exit 2
  fi
  ensure_node
  ensure_openclaw "$1"
  switch_current "$1"
}

main "$@"
