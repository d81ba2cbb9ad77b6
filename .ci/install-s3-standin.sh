#!/usr/bin/env bash
# Installs the S3 stand-in for the off-site backup checks: moto's server (a pinned release
# from PyPI, which keeps the S3 API's rules), in a virtual environment of its own under
# OPENCLAW_TOOLS_DIR, cached: a second run installs nothing.
set -euo pipefail

readonly MOTO="moto[server]==5.2.5"
dir=${OPENCLAW_TOOLS_DIR:-$HOME/.cache/openclaw-vps/tools}/moto
if [ ! -x "$dir/bin/moto_server" ] || ! "$dir/bin/pip" show moto 2>/dev/null | grep -qx 'Version: 5.2.5'; then
  rm -rf "$dir"
  python3 -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check "$MOTO"
fi
echo "s3 stand-in: moto $("$dir/bin/pip" show moto | sed -n 's/^Version: //p') at $dir/bin/moto_server"
