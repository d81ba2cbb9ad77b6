#!/bin/bash
# Installs Tailscale from its signed apt repository and joins the tailnet, once.
# Usage: tailscale-join.sh <auth key file> <hostname> <comma-separated tags>
# The auth key is read from a 0600 file under /run (never from argv or the environment)
# and that file is removed when this script ends, whether it succeeded or not.
set -euo pipefail

# Tailscale's package signing key. The downloaded key is used only if it is this one.
readonly PINNED_FPR=2596A99EAAB33821893C0A79458CA832957F5868

if [ "$#" -ne 3 ]; then
  echo "usage: $0 <auth key file> <hostname> <tags>" >&2
  exit 2
fi
key_file=$1
ts_hostname=$2
ts_tags=$3
trap 'rm -f "$key_file"' EXIT

if ! command -v tailscale >/dev/null 2>&1; then
  /usr/local/sbin/openclaw-vps-apt-repo tailscale \
    https://pkgs.tailscale.com/stable/ubuntu/noble.noarmor.gpg "$PINNED_FPR" \
    "https://pkgs.tailscale.com/stable/ubuntu noble main"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q tailscale
fi
systemctl enable --now tailscaled

if tailscale status --json --peers=false 2>/dev/null | grep -q '"BackendState": *"Running"'; then
  echo "tailscale-join: already on the tailnet; nothing to do"
  exit 0
fi

if [ ! -s "$key_file" ]; then
  echo "tailscale-join: no auth key at $key_file and not joined" >&2
  exit 1
fi

tailscale up \
  --auth-key="file:$key_file" \
  --hostname="$ts_hostname" \
  --advertise-tags="$ts_tags" \
  --accept-dns=false \
  --ssh=false \
  --timeout=5m
echo "tailscale-join: joined as $ts_hostname"
