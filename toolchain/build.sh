#!/usr/bin/env bash
# npm run toolchain: builds the Pulumi CLI and the Node.js and Python language hosts from Go
# modules (toolchain/go.mod pins them; docs/toolchain.md says what is built and why), into
#   ${OPENCLAW_VPS_TOOLCHAIN_CACHE:-~/.cache/openclaw-vps/toolchain}/<key>/bin
# where <key> is a digest of every file the build reads, so a change rebuilds and nothing
# stale is used. A build that exists is reused. Prints the bin directory on its last line.
set -euo pipefail
cd "$(dirname "$0")"

cache=${OPENCLAW_VPS_TOOLCHAIN_CACHE:-$HOME/.cache/openclaw-vps/toolchain}
# The build's inputs: go.mod, go.sum, build.sh and every .go file, in byte order of their
# paths (tools/lib/realEngine.ts computes the same key).
mapfile -t inputs < <(find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum -o -name build.sh \) -printf '%P\n' | LC_ALL=C sort)
key=$(cat "${inputs[@]}" | sha256sum | cut -c1-16)
bin="$cache/$key/bin"

command -v go >/dev/null || { echo "toolchain: Go is not installed (docs/toolchain.md)" >&2; exit 1; }
command -v node >/dev/null || { echo "toolchain: Node.js is not installed" >&2; exit 1; }
[ -f ../node_modules/@pulumi/pulumi/package.json ] || { echo "toolchain: run npm ci first (the CLI's version is @pulumi/pulumi's)" >&2; exit 1; }

# The CLI's version is the @pulumi/pulumi SDK's: go.mod requires pkg/v3 at the same version.
version=$(go mod edit -json | node -e 'const m = JSON.parse(require("fs").readFileSync(0, "utf8")); const r = (m.Require || []).find((x) => x.Path === "github.com/pulumi/pulumi/pkg/v3"); process.stdout.write(r ? r.Version.replace(/^v/, "") : "")')
sdk_version=$(node -p 'require("../node_modules/@pulumi/pulumi/package.json").version')
if [ -z "$version" ]; then
  echo "toolchain: go.mod does not require github.com/pulumi/pulumi/pkg/v3" >&2
  exit 1
fi
if [ "$sdk_version" != "$version" ]; then
  echo "toolchain: the CLI is pinned at $version but @pulumi/pulumi is $sdk_version: move them together" >&2
  exit 1
fi

if [ -x "$bin/pulumi" ] && [ -x "$bin/pulumi-language-nodejs" ] && [ -x "$bin/pulumi-language-python" ] && [ -x "$bin/pulumi-language-python-exec" ] && [ -x "$bin/pulumi-resource-pulumi-nodejs" ]; then
  echo "toolchain: cached ($("$bin/pulumi" version))" >&2
  echo "$bin"
  exit 0
fi

# go.sum is committed: the build fails rather than resolve anything anew.
export GOFLAGS="-mod=readonly -buildvcs=false"
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version"
tmp="$cache/$key/bin.tmp"
rm -rf "$tmp" && mkdir -p "$tmp"
start=$SECONDS
echo "toolchain: building pulumi v$version ($(go version | cut -d' ' -f3))" >&2
go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" -o "$tmp/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$tmp/pulumi-language-nodejs" ./cmd/pulumi-language-nodejs
go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$tmp/pulumi-language-python" ./cmd/pulumi-language-python
# The Python SDK's executor ships in the sdk/v3 module; Pulumi's releases put it beside the host.
sdk_dir=$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
install -m 755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$tmp/"
# The dynamic provider's shim ships in @pulumi/pulumi; Pulumi's releases put it beside the CLI.
cp ../node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs "$tmp/"
chmod 755 "$tmp/pulumi-resource-pulumi-nodejs"
rm -rf "$bin" && mv "$tmp" "$bin"
echo "toolchain: built in $((SECONDS - start)) s: $("$bin/pulumi" version)" >&2
echo "$bin"
