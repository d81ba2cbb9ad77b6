#!/usr/bin/env bash
# Installs actionlint, the GitHub workflow linter, built from its Go module at a pinned
# release (checked against the Go checksum database), for tests/conformance/actionlint.test.ts.
# Cached under OPENCLAW_TOOLS_DIR: a second run builds nothing.
set -euo pipefail

readonly VERSION=v1.7.12
dir=${OPENCLAW_TOOLS_DIR:-$HOME/.cache/openclaw-vps/tools}/actionlint-$VERSION
if [ ! -x "$dir/actionlint" ]; then
  command -v go >/dev/null || { echo "install-actionlint: Go is not installed" >&2; exit 1; }
  GOBIN=$dir go install "github.com/rhysd/actionlint/cmd/actionlint@$VERSION"
fi
echo "actionlint: $("$dir/actionlint" -version | head -n 1) at $dir/actionlint"
