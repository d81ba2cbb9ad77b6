#!/usr/bin/env bash
# install-lifecycle.sh ARTIFACT_DIR NODE24 VERSION OTHER_VERSION: the rendered install.sh, run
# as root in a private mount namespace (fresh /opt, /var/lib, /var/backups; a copy of /etc
# with the gateway's account and the rendered locks where the files step puts them), with the real npm and
# Node.js 24 as /usr/bin/node (so it installs no Node.js), installing the real openclaw@VERSION
# from its lock with the npm registry. The installed tree must be the lock's, package for
# package. Then, as the gateway's account, on the root-owned tree it cannot write: OpenClaw
# must run (the package's install must be complete), and nothing in the tree may be writable.
# A second run must change nothing. Then three installs that must fail, each leaving VERSION
# running: a release with no lock shipped, OTHER_VERSION's lock with one package's integrity
# changed, and its lock out of step with its package.json. Prints RESULT lines.
set -euo pipefail
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "$0")/lib.sh"

usage="usage: install-lifecycle.sh ARTIFACT_DIR NODE24 VERSION OTHER_VERSION"
artifacts=$(realpath "${1:?$usage}")
node24=$(realpath "${2:?$usage}")
version=${3:?$usage}
other=${4:?$usage}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
private_etc "$work/etc"
# Where the files step puts the locks (gateway/paths.ts LOCKS_DIR), as the bundle writes them.
install -d -m 0755 "$work/etc/openclaw-vps"
cp -r "$artifacts/locks" "$work/etc/openclaw-vps/locks"

cat >"$work/steps.sh" <<'STEPS'
#!/bin/bash
set -uo pipefail
a=$1 version=$2 other=$3
locks=/etc/openclaw-vps/locks
bash "$a/scripts/gateway-install.sh" "$version" >"$W/install1.out" 2>&1
echo $? >"$W/install1.rc"
tree=/opt/openclaw/$version/node_modules/openclaw
stat -c '%U' "$tree" >"$W/owner"
if [ -e "$tree/.openclaw-lifecycle-pending" ]; then echo present >"$W/marker"; else echo gone >"$W/marker"; fi
runuser -u openclaw -- find /opt/openclaw -writable -print 2>/dev/null | wc -l >"$W/writable"
# The tree is the shipped lock's: every package npm recorded (node_modules/.package-lock.json)
# and every package.json on disk has the lock's version and integrity, and every package the
# lock names is there unless it is optional (other platforms' builds).
/usr/bin/node - "$locks/$version/package-lock.json" "/opt/openclaw/$version" >"$W/lock.out" 2>&1 <<'JS'
const fs = require("fs");
const [lockFile, dir] = process.argv.slice(2);
const shipped = JSON.parse(fs.readFileSync(lockFile, "utf8")).packages;
const recorded = JSON.parse(fs.readFileSync(`${dir}/node_modules/.package-lock.json`, "utf8")).packages;
const names = Object.keys(shipped).filter((p) => p !== "");
const differ = Object.entries(recorded).filter(([p, e]) => !shipped[p] || shipped[p].version !== e.version || shipped[p].integrity !== e.integrity).map(([p]) => p);
const onDisk = Object.keys(recorded).filter((p) => JSON.parse(fs.readFileSync(`${dir}/${p}/package.json`, "utf8")).version !== shipped[p]?.version);
const missing = names.filter((p) => !recorded[p] && !shipped[p].optional);
const none = (list) => (list.length ? list.slice(0, 5).join(",") : "none");
console.log(`packages=${names.length}`);
console.log(`installed=${Object.keys(recorded).length}`);
console.log(`differ=${none(differ)}`);
console.log(`disk_differ=${none(onDisk)}`);
console.log(`missing=${none(missing)}`);
JS
# As the service runs it: the gateway's account, the tree it cannot write.
mkdir -m 0700 /home/openclaw/.openclaw && chown openclaw:openclaw /home/openclaw/.openclaw
runuser -u openclaw -- env HOME=/home/openclaw /usr/bin/node /opt/openclaw/current/node_modules/openclaw/openclaw.mjs --version >"$W/version.out" 2>&1
echo $? >"$W/version.rc"
install -m 0600 -o openclaw -g openclaw "$a/openclaw.json" /home/openclaw/.openclaw/openclaw.json
runuser -u openclaw -- env HOME=/home/openclaw /usr/bin/node /opt/openclaw/current/node_modules/openclaw/openclaw.mjs config validate --json >"$W/validate.out" 2>"$W/validate.err"
echo $? >"$W/validate.rc"
bash "$a/scripts/gateway-install.sh" "$version" >"$W/install2.out" 2>&1
echo $? >"$W/install2.rc"
# A release for which no lock was shipped.
bash "$a/scripts/gateway-install.sh" 2026.9.4 >"$W/nolock.out" 2>&1
echo $? >"$W/nolock.rc"
# OTHER_VERSION's lock with one package's integrity changed, as a swapped tarball would be.
cp "$locks/$other/package-lock.json" "$W/other-lock.json"
/usr/bin/node - "$locks/$other/package-lock.json" >"$W/tampered" <<'JS'
const fs = require("fs");
const file = process.argv[2];
const lock = JSON.parse(fs.readFileSync(file, "utf8"));
const [name, entry] = Object.entries(lock.packages).find(([p, e]) => p !== "" && p !== "node_modules/openclaw" && e.integrity && !e.optional);
entry.integrity = "sha512-" + require("crypto").createHash("sha512").update("tampered").digest("base64");
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");
console.log(name);
JS
bash "$a/scripts/gateway-install.sh" "$other" >"$W/tampered.out" 2>&1
echo $? >"$W/tampered.rc"
# The untampered lock out of step with its package.json (it names another openclaw): npm ci
# refuses it rather than resolving a tree of its own.
cp "$W/other-lock.json" "$locks/$other/package-lock.json"
/usr/bin/node -e '
const fs = require("fs"), [file, v] = process.argv.slice(1);
const lock = JSON.parse(fs.readFileSync(file, "utf8"));
lock.packages["node_modules/openclaw"].version = v;
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");' "$locks/$other/package-lock.json" "$version"
bash "$a/scripts/gateway-install.sh" "$other" >"$W/unsynced.out" 2>&1
echo $? >"$W/unsynced.rc"
basename "$(readlink /opt/openclaw/current)" >"$W/current"
cat /var/lib/openclaw-vps/configured-version >"$W/configured"
ls -A /opt/openclaw | paste -sd' ' - >"$W/trees"
STEPS

export W=$work
# shellcheck disable=SC2016 # expanded by the inner shell
unshare -m --propagation private bash -c '
  set -e
  mount --bind "$W/etc" /etc
  mount -t tmpfs tmpfs /home && mkdir -m 0755 /home/openclaw && chown openclaw:openclaw /home/openclaw
  mount -t tmpfs tmpfs /opt
  mount -t tmpfs tmpfs /var/lib
  # A version switch takes its pre-upgrade backup here, never among the host backups.
  mount -t tmpfs tmpfs /var/backups
  touch /usr/bin/node && mount --bind "$3" /usr/bin/node
  exec bash "$W/steps.sh" "$1" "$2" "$4"' run "$artifacts" "$version" "$node24" "$other"

echo "RESULT install_exit=$(cat "$work/install1.rc")"
echo "RESULT install=$(grep '^install: ' "$work/install1.out" | paste -sd'|' -)"
echo "RESULT owner=$(cat "$work/owner")"
echo "RESULT marker=$(cat "$work/marker")"
echo "RESULT writable_by_openclaw=$(cat "$work/writable")"
echo "RESULT version_exit=$(cat "$work/version.rc")"
echo "RESULT version=$(tail -n 1 "$work/version.out")"
echo "RESULT validate_exit=$(cat "$work/validate.rc")"
echo "RESULT validate=$(tail -n 1 "$work/validate.out")"
echo "RESULT second_install_exit=$(cat "$work/install2.rc")"
echo "RESULT second_install=$(grep '^install: ' "$work/install2.out" | paste -sd'|' -)"
while IFS= read -r line; do echo "RESULT lock_$line"; done <"$work/lock.out"
echo "RESULT nolock_exit=$(cat "$work/nolock.rc")"
echo "RESULT nolock=$(grep '^install: ' "$work/nolock.out" | paste -sd'|' -)"
echo "RESULT tampered_package=$(cat "$work/tampered")"
echo "RESULT tampered_exit=$(cat "$work/tampered.rc")"
echo "RESULT tampered=$(grep '^install: ' "$work/tampered.out" | paste -sd'|' -)"
echo "RESULT tampered_integrity_error=$(grep -c 'EINTEGRITY' "$work/tampered.out" || true)"
echo "RESULT unsynced_exit=$(cat "$work/unsynced.rc")"
echo "RESULT unsynced=$(grep '^install: ' "$work/unsynced.out" | paste -sd'|' -)"
echo "RESULT unsynced_npm_ci=$(grep -c 'npm ci.* can only install packages when your package.json and package-lock.json' "$work/unsynced.out" || true)"
echo "RESULT current_after=$(cat "$work/current")"
echo "RESULT configured_after=$(cat "$work/configured")"
echo "RESULT trees=$(cat "$work/trees")"
