#!/usr/bin/env bash
# Installs, from Debian's archive, the real tools the conformance checks run. Nothing they
# install may start or change this machine: cloud-init is disabled before it is installed
# and package scripts may not start services.
set -euo pipefail

mkdir -p /etc/cloud
touch /etc/cloud/cloud-init.disabled
created_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 0755 /usr/sbin/policy-rc.d
  created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  cloud-init shellcheck openssh-server openssh-client ufw iptables iproute2 nmap tinyproxy \
  python3 systemd util-linux curl ca-certificates \
  mmdebstrap systemd-container apt-utils gnupg dpkg openssl \
  age rclone python3-venv >/dev/null
echo "host tools: cloud-init $(dpkg-query -W -f='${Version}' cloud-init), shellcheck $(dpkg-query -W -f='${Version}' shellcheck), ufw $(dpkg-query -W -f='${Version}' ufw), nmap $(dpkg-query -W -f='${Version}' nmap)"
