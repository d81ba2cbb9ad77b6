#!/usr/bin/env bash
# sshd-listen.sh SCRIPT: the rendered openclaw-vps-sshd-listen with the real sshd, ss and
# sysctl, as root in a private mount and network namespace laid out as the server (a
# tailscale0 with the node's tailnet addresses, an eth0 with a public one) and a copy of this
# machine's /etc. Stand-ins only for tailscale (status: the addresses in $TS_IPS) and
# systemctl (records; "restart ssh.service" restarts the real sshd, as a daemon, unless
# $SSHD_STUCK is set). Runs:
#   before:   sshd as the image starts it (every address);
#   join:     the script after the join: sshd on the tailnet addresses only;
#   again:    the script a second time: nothing changes, nothing restarts;
#   reboot:   sshd started while tailscale0 has no address yet (as at boot, before
#             tailscaled): it binds, and answers once the address arrives;
#   control:  the same without ip_nonlocal_bind: sshd cannot bind at all (the lockout);
#   foreign:  Tailscale reporting an address outside the tailnet's ranges: refused, nothing
#             written;
#   invalid:  a setting sshd -t refuses elsewhere in sshd_config.d: nothing restarted, the
#             previous settings back;
#   stuck:    sshd not picking the new settings up: the previous settings are put back.
# Prints RESULT lines (multi-line values joined with "|").
set -euo pipefail
# shellcheck source=tests/conformance/lib.sh
source "$(dirname "$0")/lib.sh"

script=$(realpath "${1:?usage: sshd-listen.sh SCRIPT}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
private_etc "$work/etc"
rm -f "$work"/etc/ssh/sshd_config.d/*
mkdir -p "$work/stubs"

cat >"$work/stubs/tailscale" <<'STUB'
#!/bin/bash
[ "$*" = "status --json --peers=false" ] || exit 1
printf '{"BackendState":"Running","Self":{"HostName":"openclaw","TailscaleIPs":[%s]}}\n' "$TS_IPS"
STUB
cat >"$work/stubs/systemctl" <<'STUB'
#!/bin/bash
echo "systemctl $*" >>"$W/systemctl.log"
case "$*" in
  "is-enabled -q ssh.socket" | "is-active -q ssh.socket") exit 1 ;;
  "restart ssh.service")
    [ -n "${SSHD_STUCK:-}" ] && exit 0
    exec "$W/restart-sshd" ;;
esac
exit 0
STUB
# The real sshd as a daemon, with whatever the configuration now says.
cat >"$work/restart-sshd" <<'STUB'
#!/bin/bash
pid=$(cat /run/sshd.pid 2>/dev/null || true)
if [ -n "$pid" ]; then
  kill "$pid" 2>/dev/null
  for _ in $(seq 1 "$(limit 50)"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f /run/sshd.pid
fi
/usr/sbin/sshd -E "$W/sshd.log"
STUB
chmod +x "$work/stubs/"* "$work/restart-sshd"

cat >"$work/runs.sh" <<'RUNS'
#!/bin/bash
set -uo pipefail
script=$1
# However this ends, no sshd outlives it.
trap 'pid=$(cat /run/sshd.pid 2>/dev/null) && kill "$pid"' EXIT
readonly V4=100.100.1.2 V6=fd7a:115c:a1e0::2
readonly TAILNET_IPS="\"$V4\",\"$V6\""
readonly FILES="/etc/ssh/sshd_config.d/02-openclaw-vps-listen.conf /etc/systemd/system/ssh.socket.d/openclaw-vps-listen.conf /etc/sysctl.d/60-openclaw-vps-nonlocal-bind.conf"
result() { echo "RESULT $1=$(printf '%s' "$2" | paste -sd'|' -)"; }
listening() { ss -Hltn 'sport = :22' | awk '{ print $4 }' | sort; }
# banner ADDRESS: the first bytes SSH sends on ADDRESS port 22, or why there are none.
banner() {
  python3 -c 'import socket, sys
try:
    s = socket.create_connection((sys.argv[1], 22), timeout=3); print(s.recv(7).decode())
except OSError as e:
    print(type(e).__name__)' "$1"
}
run() { # run LABEL: the script; its exit code and output
  bash "$script" >"$W/out-$1" 2>&1
  result "$1_exit" "$?"
  result "$1_out" "$(cat "$W/out-$1")"
}
files_hash() { cat $FILES 2>/dev/null | sha256sum | cut -c1-16; }
restarts() { grep -c '^systemctl restart' "$W/systemctl.log"; }
addresses() { # addresses add|del
  ip addr "$1" "$V4/32" dev tailscale0
  ip addr "$1" "$V6/128" dev tailscale0 nodad
}
export TS_IPS=$TAILNET_IPS

# before: as the image starts sshd, and the node joined (tailscale0 has its addresses).
sysctl -q -w net.ipv4.ip_nonlocal_bind=0 net.ipv6.ip_nonlocal_bind=0
addresses add
"$W/restart-sshd"
result before_listening "$(listening)"
result before_ss "$(ss -Hltnp)"

# join
: >"$W/systemctl.log"
run join
result join_listening "$(listening)"
result join_ss "$(ss -Hltnp)"
result join_ip "$(ip -o addr show dev tailscale0)"
result join_banner_v4 "$(banner "$V4")"
result join_banner_v6 "$(banner "$V6")"
result join_banner_public "$(banner 203.0.113.10)"
result join_sshd_conf "$(cat /etc/ssh/sshd_config.d/02-openclaw-vps-listen.conf)"
result join_socket_conf "$(cat /etc/systemd/system/ssh.socket.d/openclaw-vps-listen.conf)"
result join_sysctl_conf "$(cat /etc/sysctl.d/60-openclaw-vps-nonlocal-bind.conf)"
result join_nonlocal "$(cat /proc/sys/net/ipv4/ip_nonlocal_bind)$(cat /proc/sys/net/ipv6/ip_nonlocal_bind)"
result join_calls "$(cat "$W/systemctl.log")"

# again
: >"$W/systemctl.log"
run again
result again_restarts "$(restarts)"

# reboot: sshd starts before tailscaled has given tailscale0 its addresses.
addresses del
"$W/restart-sshd"
result reboot_listening "$(listening)"
addresses add
result reboot_banner_v4 "$(banner "$V4")"

# control: the same without ip_nonlocal_bind.
addresses del
sysctl -q -w net.ipv4.ip_nonlocal_bind=0 net.ipv6.ip_nonlocal_bind=0
"$W/restart-sshd"
result control_listening "$(listening)"
result control_sshd_log "$(tail -n 2 "$W/sshd.log")"
sysctl -q -w net.ipv4.ip_nonlocal_bind=1 net.ipv6.ip_nonlocal_bind=1
addresses add
"$W/restart-sshd"

# foreign
before=$(files_hash)
: >"$W/systemctl.log"
TS_IPS="\"203.0.113.10\",\"$V6\"" run foreign
result foreign_unchanged "$([ "$(files_hash)" = "$before" ] && echo yes || echo no)"
result foreign_restarts "$(restarts)"

# invalid: from the image's settings (no drop-ins of ours, sshd on every address).
rm -f $FILES
"$W/restart-sshd"
echo "NoSuchSetting yes" >/etc/ssh/sshd_config.d/99-broken.conf
: >"$W/systemctl.log"
run invalid
result invalid_restarts "$(restarts)"
result invalid_left "$(ls /etc/ssh/sshd_config.d/)"
rm -f /etc/ssh/sshd_config.d/99-broken.conf

# stuck
: >"$W/systemctl.log"
SSHD_STUCK=1 run stuck
result stuck_left "$(ls /etc/ssh/sshd_config.d/ /etc/systemd/system/ssh.socket.d/ 2>/dev/null)"
result stuck_restarts "$(restarts)"

RUNS

export W=$work PATH="$work/stubs:$PATH"
# shellcheck disable=SC2016 # expanded by the inner shell
unshare -m --net --propagation private bash -c '
  set -e
  # tailscale0 gets its addresses in the runs themselves, as when the node joins.
  server_links
  mount --bind "$W/etc" /etc
  mount -t tmpfs tmpfs /run && mkdir -m 0755 /run/sshd
  exec bash "$W/runs.sh" "$1"' run "$script"
