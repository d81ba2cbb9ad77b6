#!/bin/bash
# Keeps containers (the agents' sandbox) away from the cloud metadata service, which serves
# the server's user data, and from the host's own services and the tailnet. Run by
# openclaw-vps-docker-guard.service after every start of Docker; safe to run again.
set -euo pipefail

# Add a rule at the top of a chain unless it is already there.
ensure() {
  local chain=$1
  shift
  iptables -C "$chain" "$@" 2>/dev/null || iptables -I "$chain" "$@"
}

# dockerd creates DOCKER-USER and jumps to it from FORWARD; create it first if needed.
iptables -N DOCKER-USER 2>/dev/null || true

for bridge in docker0 br-+; do
  # Forwarded traffic from containers: no metadata service, no tailnet, no link-local.
  ensure DOCKER-USER -i "$bridge" -d 169.254.0.0/16 -j REJECT --reject-with icmp-admin-prohibited
  ensure DOCKER-USER -i "$bridge" -d 100.64.0.0/10 -j REJECT --reject-with icmp-admin-prohibited
  # New connections from containers to the host itself (any of its addresses).
  ensure INPUT -i "$bridge" -m conntrack --ctstate NEW -j REJECT --reject-with icmp-admin-prohibited
done
echo "docker-guard: containers cannot reach 169.254.0.0/16, the tailnet, or the host"
