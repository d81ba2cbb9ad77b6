#!/usr/bin/env bash
# docker-guard-netns.sh ARTIFACT_DIR: the rendered docker-guard.sh, proven by routing a
# "container" through it. Namespaces (all created and removed here):
#   dg-ctr  172.17.0.2 ── docker0 172.17.0.1 [dg-vps] eth0 198.51.100.2 ── 198.51.100.1 [dg-net]
# dg-net also answers as the metadata service (169.254.169.254) and as a tailnet peer
# (100.100.0.2). dg-vps forwards and masquerades like Docker's default bridge, with
# Docker's own FORWARD rules and the DOCKER-USER jump. Traffic stays inside these namespaces.
# Prints RESULT lines: what the container reaches before and after the guard.
set -euo pipefail
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "$0")/lib.sh"

artifacts=$(realpath "${1:?usage: docker-guard-netns.sh ARTIFACT_DIR}")
guard=$artifacts/scripts/docker-guard.sh
ctr=dg-ctr$$ vps=dg-vps$$ net=dg-net$$
work=$(mktemp -d)
pids=()
cleanup() {
  set +e
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for ns in "$ctr" "$vps" "$net"; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

for ns in "$ctr" "$vps" "$net"; do
  ip netns add "$ns" || { echo "FATAL: cannot create network namespace $ns" >&2; exit 2; }
  ip -n "$ns" link set lo up
done
ip -n "$vps" link add docker0 type veth peer name eth0 netns "$ctr"
ip -n "$vps" link add eth0 type veth peer name eth0 netns "$net"
ip -n "$vps" addr add 172.17.0.1/16 dev docker0
ip -n "$vps" addr add 198.51.100.2/24 dev eth0
ip -n "$ctr" addr add 172.17.0.2/16 dev eth0
ip -n "$net" addr add 198.51.100.1/24 dev eth0
ip -n "$net" addr add 169.254.169.254/32 dev lo
ip -n "$net" addr add 100.100.0.2/32 dev lo
for ns in "$ctr" "$vps" "$net"; do ip -n "$ns" link set eth0 up 2>/dev/null || true; done
ip -n "$vps" link set docker0 up
ip -n "$ctr" route add default via 172.17.0.1
ip -n "$vps" route add 169.254.169.254/32 via 198.51.100.1
ip -n "$vps" route add 100.64.0.0/10 via 198.51.100.1
ip netns exec "$vps" sysctl -qw net.ipv4.ip_forward=1

# Docker's rules for its default bridge, as dockerd installs them.
in_vps() { ip netns exec "$vps" "$@"; }
in_vps iptables -N DOCKER-USER
in_vps iptables -A FORWARD -j DOCKER-USER
in_vps iptables -A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
in_vps iptables -A FORWARD -i docker0 ! -o docker0 -j ACCEPT
in_vps iptables -t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE

# Listeners: the far side on port 80 (internet, metadata, tailnet peer), the host on 22.
listen "$net" 198.51.100.1 80
listen "$net" 169.254.169.254 80
listen "$net" 100.100.0.2 80
listen "$vps" 0.0.0.0 22

# From the container: open | blocked | undecided (lib.sh probe).
report() { # label
  echo "RESULT $1_internet=$(probe "$ctr" 198.51.100.1 80)"
  echo "RESULT $1_metadata=$(probe "$ctr" 169.254.169.254 80)"
  echo "RESULT $1_tailnet=$(probe "$ctr" 100.100.0.2 80)"
  echo "RESULT $1_host_bridge=$(probe "$ctr" 172.17.0.1 22)"
  echo "RESULT $1_host_public=$(probe "$ctr" 198.51.100.2 22)"
}

report before
in_vps bash "$guard" >"$work/guard.out"
in_vps bash "$guard" >>"$work/guard.out"   # run twice: rules are added once
report after
echo "RESULT docker_user_rules=$(in_vps iptables -S DOCKER-USER | grep -c -- '-A DOCKER-USER')"

# A published port (docker run -p 8080:80), with the rules dockerd installs for it when the
# userland proxy is off: DNAT for local destinations, restricted to the daemon's default
# binding address ("ip" in daemon.json; 0.0.0.0, every address, when it is not set), and the
# FORWARD accept to the container. Probed from the internet side at the host's public
# address: once with Docker's default binding (the control), once with the rendered one.
listen "$ctr" 172.17.0.2 80
rendered_ip=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("ip", "0.0.0.0"))' "$artifacts/etc/docker-daemon.json")
in_vps iptables -t nat -N DOCKER
in_vps iptables -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
in_vps iptables -N DOCKER
in_vps iptables -I FORWARD 2 -o docker0 -j DOCKER
in_vps iptables -A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp --dport 80 -j ACCEPT
publish() { # binding address
  in_vps iptables -t nat -F DOCKER
  if [ "$1" = 0.0.0.0 ]; then
    in_vps iptables -t nat -A DOCKER ! -i docker0 -p tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
  else
    in_vps iptables -t nat -A DOCKER -d "$1/32" ! -i docker0 -p tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
  fi
}
publish 0.0.0.0
echo "RESULT published_default_binding=$(probe "$net" 198.51.100.2 8080)"
publish "$rendered_ip"
echo "RESULT published_rendered_binding=$(probe "$net" 198.51.100.2 8080)"
echo "RESULT rendered_ip=$rendered_ip"
