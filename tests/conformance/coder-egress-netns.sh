#!/usr/bin/env bash
# coder-egress-netns.sh ARTIFACT_DIR: the coder's way out (gateway/coding.ts), proven with the
# real tinyproxy running the rendered proxy.conf and allowlist, and the rendered Docker guard
# and coding-egress.sh rules. Namespaces (all created and removed here):
#   ce-ctr 172.31.240.2 ── br-oc-coder 172.31.240.1 [ce-vps] eth0 198.51.100.2 ── 198.51.100.1 [ce-net]
# ce-net is "the internet": github.com and evil.example (by the proxy's hosts file) on 443,
# also the metadata service (169.254.169.254) and a tailnet peer (100.100.0.2). ce-vps forwards
# and masquerades as if the network were NOT internal, the worst case: the rules alone must
# hold. Traffic stays inside these namespaces. Prints RESULT lines.
set -euo pipefail
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "$0")/lib.sh"

artifacts=$(realpath "${1:?usage: coder-egress-netns.sh ARTIFACT_DIR}")
ctr=ce-ctr$$ vps=ce-vps$$ net=ce-net$$
work=$(mktemp -d)
chmod 0755 "$work"
pids=()
cleanup() {
  set +e
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for ns in "$ctr" "$vps" "$net"; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$work" "/etc/netns/$vps"
}
trap cleanup EXIT

for ns in "$ctr" "$vps" "$net"; do
  ip netns add "$ns" || { echo "FATAL: cannot create network namespace $ns" >&2; exit 2; }
  ip -n "$ns" link set lo up
done
ip -n "$vps" link add br-oc-coder type veth peer name eth0 netns "$ctr"
ip -n "$vps" link add eth0 type veth peer name eth0 netns "$net"
ip -n "$vps" addr add 172.31.240.1/24 dev br-oc-coder
ip -n "$vps" addr add 198.51.100.2/24 dev eth0
ip -n "$ctr" addr add 172.31.240.2/24 dev eth0
ip -n "$net" addr add 198.51.100.1/24 dev eth0
ip -n "$net" addr add 169.254.169.254/32 dev lo
ip -n "$net" addr add 100.100.0.2/32 dev lo
for ns in "$ctr" "$vps" "$net"; do ip -n "$ns" link set eth0 up; done
ip -n "$vps" link set br-oc-coder up
ip -n "$ctr" route add default via 172.31.240.1
ip -n "$vps" route add 169.254.169.254/32 via 198.51.100.1
ip -n "$vps" route add 100.64.0.0/10 via 198.51.100.1
ip -n "$net" route add default via 198.51.100.2
in_vps() { ip netns exec "$vps" "$@"; }
in_vps sysctl -qw net.ipv4.ip_forward=1
# Docker's rules for a bridge network that is not internal: forwarded out, masqueraded.
in_vps iptables -N DOCKER-USER
in_vps iptables -A FORWARD -j DOCKER-USER
in_vps iptables -A FORWARD -o br-oc-coder -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
in_vps iptables -A FORWARD -i br-oc-coder ! -o br-oc-coder -j ACCEPT
in_vps iptables -t nat -A POSTROUTING -s 172.31.240.0/24 ! -o br-oc-coder -j MASQUERADE

listen "$net" 198.51.100.1 443
listen "$net" 198.51.100.1 22
listen "$net" 169.254.169.254 80
listen "$net" 100.100.0.2 80
listen "$vps" 0.0.0.0 22

# The real tinyproxy with the rendered settings; only the allowlist's path is this run's.
# `ip netns exec` mounts /etc/netns/<ns>/hosts over /etc/hosts: the proxy's name lookups.
mkdir -p "/etc/netns/$vps"
printf '198.51.100.1 github.com api.github.com evil.example\n' >"/etc/netns/$vps/hosts"
cp "$artifacts/coding/proxy-allow" "$work/proxy-allow"
sed "s|^Filter .*|Filter \"$work/proxy-allow\"|" "$artifacts/coding/proxy.conf" >"$work/proxy.conf"
chmod 0644 "$work/proxy-allow" "$work/proxy.conf"
in_vps timeout "$(limit 45)" tinyproxy -d -c "$work/proxy.conf" >"$work/proxy.log" 2>&1 &
pids+=("$!")
deadline=$((SECONDS + $(limit 8)))
until in_vps python3 -c 'import socket; socket.create_connection(("172.31.240.1", 3128), timeout=1)' 2>/dev/null; do
  [ "$SECONDS" -lt "$deadline" ] || { echo "tinyproxy did not start:" >&2; cat "$work/proxy.log" >&2; exit 1; }
  sleep 0.2
done

# A direct connection from the coder's container: open | blocked | undecided (lib.sh probe).
direct() { probe "$ctr" "$1" "$2"; }
# Through the proxy: the CONNECT's status code, and whether the far side answered in the tunnel.
via_proxy() { # host:port
  ip netns exec "$ctr" timeout "$(limit 10)" python3 -c '
import socket, sys
s = socket.create_connection(("172.31.240.1", 3128), timeout=5)
s.sendall(("CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (sys.argv[1], sys.argv[1])).encode())
head = b""
while b"\r\n\r\n" not in head:
    chunk = s.recv(4096)
    if not chunk: break
    head += chunk
code = head.split(b" ", 2)[1].decode() if head.startswith(b"HTTP/") else "none"
rest = head.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in head else b""
if code == "200" and b"hello" not in rest:
    rest += s.recv(16)
print(code + ("+answered" if b"hello" in rest else ""))' "$1" 2>/dev/null || echo "error"
}
report() { # label
  echo "RESULT $1_internet=$(direct 198.51.100.1 443)"
  echo "RESULT $1_metadata=$(direct 169.254.169.254 80)"
  echo "RESULT $1_tailnet=$(direct 100.100.0.2 80)"
  echo "RESULT $1_host_service=$(direct 172.31.240.1 22)"
  echo "RESULT $1_host_public=$(direct 198.51.100.2 22)"
}

report before
in_vps bash "$artifacts/scripts/docker-guard.sh" >"$work/guard.out"
in_vps bash "$artifacts/scripts/coding-egress.sh" rules >"$work/rules.out"
in_vps bash "$artifacts/scripts/coding-egress.sh" rules >>"$work/rules.out"   # again: no duplicates
report after
echo "RESULT proxy_github=$(via_proxy github.com:443)"
echo "RESULT proxy_api_github=$(via_proxy api.github.com:443)"
echo "RESULT proxy_other_host=$(via_proxy evil.example:443)"
echo "RESULT proxy_github_other_port=$(via_proxy github.com:22)"
echo "RESULT proxy_by_address=$(via_proxy 198.51.100.1:443)"
echo "RESULT proxy_metadata=$(via_proxy 169.254.169.254:80)"
echo "RESULT input_accept_rules=$(in_vps iptables -S INPUT | grep -c -- '-A INPUT -d 172.31.240.1/32 -i br-oc-coder -p tcp -m tcp --dport 3128 -j ACCEPT')"
echo "RESULT docker_user_coder_rules=$(in_vps iptables -S DOCKER-USER | grep -c -- '-A DOCKER-USER -i br-oc-coder -j REJECT')"
