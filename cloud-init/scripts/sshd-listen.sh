#!/bin/bash
# sshd on the tailnet addresses only, from the join on, at boot too (docs/host.md, "sshd on
# the tailnet addresses"). sshd -t before any restart; put back if sshd is not there after.
set -euo pipefail
D=/etc/ssh/sshd_config.d/02-openclaw-vps-listen.conf
S=/etc/systemd/system/ssh.socket.d/openclaw-vps-listen.conf
M="# Managed by openclaw-vps: the tailnet addresses only."
# One IPv4 in 100.64.0.0/10, at most one IPv6 in fd7a:115c:a1e0::/48 (if the kernel has it).
list=$(tailscale status --json --peers=false | python3 -c '
import ipaddress as i, json, os, sys
a = [i.ip_address(x) for x in (json.load(sys.stdin).get("Self") or {}).get("TailscaleIPs") or []]
v4 = [x for x in a if x in i.ip_network("100.64.0.0/10")]
v6 = [x for x in a if x in i.ip_network("fd7a:115c:a1e0::/48")]
if len(v4) != 1 or len(v6) > 1 or len(v4) + len(v6) != len(a):
    sys.exit("sshd-listen: unexpected tailnet addresses %s" % [str(x) for x in a])
print("\n".join(map(str, v4 + v6 * os.path.exists("/proc/net/if_inet6"))))')
mapfile -t ips <<<"$list"
at() { case "$1" in *:*) echo "[$1]:22" ;; *) echo "$1:22" ;; esac; }
want=$(for a in "${ips[@]}"; do at "$a"; done | sort)
now() { ss -Hltn 'sport = :22' | awk '{ print $4 }' | sort | paste -sd' ' -; }
restart() {
  if systemctl is-enabled -q ssh.socket 2>/dev/null || systemctl is-active -q ssh.socket; then systemctl stop ssh.service; systemctl restart ssh.socket; else systemctl restart ssh.service; fi
}
# put FILE TEXT: 1 if FILE has TEXT already.
put() {
  if [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; then return 1; fi
  mkdir -p "${1%/*}" && printf '%s\n' "$2" >"$1" || exit 1
}
put /etc/sysctl.d/60-openclaw-vps-nonlocal-bind.conf "$M"$'\nnet.ipv4.ip_nonlocal_bind = 1\n-net.ipv6.ip_nonlocal_bind = 1' || true
sysctl -qw net.ipv4.ip_nonlocal_bind=1
if [ -e /proc/sys/net/ipv6 ]; then sysctl -qw net.ipv6.ip_nonlocal_bind=1; fi

old=$(mktemp -d)
trap 'rm -rf "$old"' EXIT
for f in "$D" "$S"; do if [ -f "$f" ]; then cp "$f" "$old/"; fi; done
back() { for f in "$D" "$S"; do if [ -f "$old/${f##*/}" ]; then cp "$old/${f##*/}" "$f"; else rm -f "$f"; fi; done; }
n=0
put "$D" "$(echo "$M"; printf 'ListenAddress %s\n' "${ips[@]}")" && n=1
put "$S" "$(printf '%s\n[Socket]\nListenStream=\n' "$M"; for a in "${ips[@]}"; do echo "ListenStream=$(at "$a")"; done; echo FreeBind=yes)" && n=1
if [ "$n" = 0 ] && [ "$(now)" = "${want//$'\n'/ }" ]; then echo "sshd-listen: on $(now); nothing to do"; exit 0; fi

mkdir -p /run/sshd
if ! sshd -t; then back; echo "sshd-listen: sshd -t refused the new settings; nothing was restarted" >&2; exit 1; fi
systemctl daemon-reload
restart
for _ in $(seq 20); do
  if [ "$(now)" = "${want//$'\n'/ }" ]; then echo "sshd-listen: listening on $(now) only"; exit 0; fi
  sleep 0.5
done
got=$(now)
back
systemctl daemon-reload
restart || true
echo "sshd-listen: sshd listened on [$got], not on [${want//$'\n'/ }]; the previous settings are back" >&2
exit 1
