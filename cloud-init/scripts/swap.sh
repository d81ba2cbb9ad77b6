#!/bin/bash
# Adds a 2 GiB swap file on servers with 8 GiB of memory or less, once.
set -euo pipefail
readonly SWAPFILE=/swapfile
readonly SIZE=2G

if [ -n "$(swapon --show=NAME --noheadings)" ]; then
  echo "swap: already present"
  exit 0
fi
mem_kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
if [ "$mem_kib" -gt $((8 * 1024 * 1024)) ]; then
  echo "swap: ${mem_kib} KiB of memory, none needed"
  exit 0
fi
if [ ! -f "$SWAPFILE" ]; then
  fallocate -l "$SIZE" "$SWAPFILE"
  chmod 0600 "$SWAPFILE"
  mkswap "$SWAPFILE"
fi
swapon "$SWAPFILE"
grep -q "^$SWAPFILE " /etc/fstab || echo "$SWAPFILE none swap sw 0 0" >>/etc/fstab
echo "swap: $SIZE at $SWAPFILE"
