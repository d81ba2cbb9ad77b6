#!/bin/bash
# Adds a signed apt repository whose key must be the pinned one, once.
# Usage: apt-repo.sh <name> <key url> <key fingerprint> <suite line after the URL>
#   e.g. apt-repo.sh tailscale https://…/noble.noarmor.gpg 2596… "https://pkgs.tailscale.com/stable/ubuntu noble main"
# The key is downloaded over HTTPS and used only if every primary key in it has the pinned
# fingerprint; apt then checks every package against it.
set -euo pipefail

if [ "$#" -ne 4 ]; then
  echo "usage: $0 <name> <key url> <fingerprint> <repository line>" >&2
  exit 2
fi
name=$1
key_url=$2
pinned=$3
repo=$4
keyring=/usr/share/keyrings/$name-archive-keyring.gpg
list=/etc/apt/sources.list.d/$name.list
line="deb [signed-by=$keyring] $repo"

if [ -s "$keyring" ] && [ -f "$list" ] && [ "$(cat "$list")" = "$line" ]; then
  echo "apt-repo: $name already configured"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
curl -fsS --proto '=https' --tlsv1.2 --retry 5 --retry-all-errors -o "$tmp/key" "$key_url"
# Armored or binary, gpg lists the primary keys' fingerprints.
fprs=$(gpg --show-keys --with-colons "$tmp/key" | awk -F: '$1 == "pub" { want = 1; next } $1 == "fpr" && want { print $10; want = 0 }')
if [ "$fprs" != "$pinned" ]; then
  echo "apt-repo: the $name repository key is not the pinned one (got: ${fprs:-none})" >&2
  exit 1
fi
gpg --dearmor <"$tmp/key" >"$tmp/keyring" 2>/dev/null || cp "$tmp/key" "$tmp/keyring"
install -m 0644 "$tmp/keyring" "$keyring"
echo "$line" >"$list"
apt-get update -q
echo "apt-repo: $name added"
