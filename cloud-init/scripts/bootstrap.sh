#!/bin/bash
# First-boot bootstrap, run once by cloud-init. Every step is checked: a failure stops the
# script, cloud-init reports an error, and the readiness marker is never written.
# Usage: bootstrap.sh <auth key file> <hostname> <tags> <gateway user>
set -euo pipefail

if [ "$#" -ne 4 ]; then
  echo "usage: $0 <auth key file> <hostname> <tags> <gateway user>" >&2
  exit 2
fi
key_file=$1
ts_hostname=$2
ts_tags=$3
gateway_user=$4
readonly MARKER=/var/lib/openclaw-vps/bootstrap-complete

# The auth key must not outlive this script, whatever happens.
trap 'rm -f "$key_file"' EXIT

step() { echo "bootstrap: $*"; }

step "host firewall"
/usr/local/sbin/openclaw-vps-host-firewall

step "sshd: validate, then reload"
# Ubuntu 24.04 starts sshd from ssh.socket, so at first boot nothing may have created sshd's
# privilege separation directory yet, and `sshd -t` refuses to run without it.
install -d -m 0755 /run/sshd
sshd -t
# With socket activation ssh.service may not be running: then the next connection starts it
# with the new settings, and there is nothing to reload.
systemctl try-reload-or-restart ssh.service

step "tailnet"
/usr/local/sbin/openclaw-vps-tailscale-join "$key_file" "$ts_hostname" "$ts_tags"

step "sshd: on the tailnet addresses only"
/usr/local/sbin/openclaw-vps-sshd-listen
# No Tailscale operator right for the gateway's account: Serve is set up as root by the
# gateway's configure step, and an operator could also turn on Funnel.

# Whether systemd knows a unit (an image may lack systemd-resolved or avahi).
has_unit() { [ -n "$(systemctl list-unit-files --no-legend "$1" 2>/dev/null)" ]; }

step "journald, time sync, no multicast DNS"
systemctl restart systemd-journald.service
timedatectl set-ntp true
if has_unit systemd-resolved.service; then
  systemctl try-restart systemd-resolved.service
fi
for unit in avahi-daemon.service avahi-daemon.socket; do
  if has_unit "$unit"; then
    systemctl mask --now "$unit"
  fi
done

step "swap"
/usr/local/sbin/openclaw-vps-swap

step "unattended security upgrades"
systemctl enable --now unattended-upgrades.service

step "docker, kept away from the metadata service and the host"
systemctl enable --now docker.service
systemctl daemon-reload
systemctl enable --now openclaw-vps-docker-guard.service
usermod -aG docker "$gateway_user"

step "fail2ban"
systemctl enable fail2ban.service
systemctl restart fail2ban.service

install -d -m 0755 "$(dirname "$MARKER")"
date -u +%Y-%m-%dT%H:%M:%SZ >"$MARKER"
step "complete"
