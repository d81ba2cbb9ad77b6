#!/usr/bin/env bash
# Asks the Go module proxy, one `go mod download -json` each, which of the modules a real
# Pulumi toolchain for this project needs it serves, at the versions package.json pins (or
# the commit pseudo-version of that release). Prints a Markdown table: docs/toolchain.md
# keeps the one it printed. Reads only module metadata and zips into a scratch module cache.
set -euo pipefail
cd "$(dirname "$0")"

scratch=$(mktemp -d)
trap 'chmod -R u+w "$scratch"; rm -rf "$scratch"' EXIT
export GOMODCACHE="$scratch/mod" GOFLAGS=""

# What a release's root-module tag says of its commit: "<time> <hash>" for a pseudo-version.
commit_of() {
  go mod download -json "$1" 2>/dev/null | node -e '
    const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
    if (!m.Origin || !m.Origin.Hash || !m.Info) process.exit(0);
    const info = JSON.parse(require("fs").readFileSync(m.Info, "utf8"));
    const t = info.Time.replace(/[-:TZ]/g, "").slice(0, 14);
    console.log(`${t}-${m.Origin.Hash.slice(0, 12)}`);' || true
}

probe() {
  local module=$1 version=$2 why=$3 out verdict
  out=$(timeout 120 go mod download -json "$module@$version" 2>&1 || true)
  if grep -q '"Error"' <<<"$out"; then
    verdict="refused: $(grep -o '[0-9][0-9][0-9] [A-Za-z ]*' <<<"$out" | head -n1 || echo 'not found')"
    [ "$verdict" = "refused: " ] && verdict="refused (not found, no other source)"
  elif grep -q '"Zip"' <<<"$out"; then
    verdict="served"
  else
    verdict="refused: $(head -c 120 <<<"$out" | tr '\n' ' ')"
  fi
  printf '| `%s` | `%s` | %s | %s |\n' "$module" "$version" "$verdict" "$why"
}

sdk=$(node -p 'require("../node_modules/@pulumi/pulumi/package.json").version')
pulumi_commit=$(commit_of "github.com/pulumi/pulumi@v$sdk+incompatible")

echo "| module | version | the proxy | needed for |"
echo "| --- | --- | --- | --- |"
probe github.com/pulumi/pulumi/pkg/v3 "v$sdk" "the CLI (cmd/pulumi)"
probe github.com/pulumi/pulumi/sdk/v3 "v$sdk" "the CLI, the language host's protocol"
for lang in nodejs python; do
  probe "github.com/pulumi/pulumi/sdk/$lang/cmd/pulumi-language-$lang/v3" "v$sdk" "the real $lang language host (tag)"
  [ -n "$pulumi_commit" ] && probe "github.com/pulumi/pulumi/sdk/$lang/cmd/pulumi-language-$lang/v3" "v3.0.0-$pulumi_commit" "the real $lang language host (the release's commit)"
done
for entry in "command:1.2.1:" "hcloud:1.41.0:" "tailscale:0.29.1:" "random:4.21.2:/v4" "tls:5.6.1:/v5" "digitalocean:4.80.1:/v4"; do
  IFS=: read -r name version major <<<"$entry"
  v=$(node -p "require('../node_modules/@pulumi/$name/package.json').pulumi.version")
  [ "$v" = "$version" ] || version=$v
  suffix=""
  [ -n "$major" ] && suffix="+incompatible"
  commit=$(commit_of "github.com/pulumi/pulumi-$name@v$version$suffix")
  probe "github.com/pulumi/pulumi-$name/provider$major" "v$version" "the $name provider plugin (tag)"
  if [ -n "$commit" ]; then
    base="v0.0.0"
    [ -n "$major" ] && base="v${major#/v}.0.0"
    probe "github.com/pulumi/pulumi-$name/provider$major" "$base-$commit" "the $name provider plugin (the release's commit)"
  else
    printf '| `github.com/pulumi/pulumi-%s` | `v%s` | refused (no commit to derive a pseudo-version from) | the %s provider plugin |\n' "$name" "$version$suffix" "$name"
  fi
done
probe github.com/pulumi/pulumi-terraform-bridge/v3 v3.120.0 "the bridged providers (newest listed)"
probe github.com/hetznercloud/terraform-provider-hcloud v1.52.0 "the upstream of the hcloud provider"
probe github.com/pulumi/pulumi-yaml v1.25.0 "(not needed: the YAML language host)"
