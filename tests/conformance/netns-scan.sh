#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2015,SC2086 # inner shells expand their own variables; A && B || die is meant; route args split on purpose
# netns-scan.sh ARTIFACT_DIR: proof by attack that the RENDERED host firewall hides the
# server from the internet while leaving SSH reachable over the tailnet.
#
# ARTIFACT_DIR is what `npm run plan -- --out DIR` wrote: scripts/host-firewall.sh is applied
# as is, and sshd runs with sshd/01-openclaw-vps.conf.
#
#   [internet] eth0 198.51.100.1/24 ---- eth0 198.51.100.2/24 [vps] tailscale0 100.100.0.1/30 ---- ts-peer 100.100.0.2/30 [tailnet]
#              2001:db8:100::1/64         2001:db8:100::2/64        fd7a:115c:a1e0::1/64            fd7a:115c:a1e0::2/64
#
# UFW runs inside vps in a private mount namespace: copies of /etc/ufw and /etc/default/ufw
# are bind-mounted over the real paths and a tmpfs over /run (ufw writes /run/ufw.lock), so
# the machine's own /etc/ufw, /run and netfilter tables are never touched (checked at exit).
#
# Safety: scanners run only via `ip netns exec` in namespaces with no default route, checked
# to reach the target through their veth; every wait is bounded; a watchdog ends the run
# after MAX_RUNTIME seconds; the EXIT trap kills our processes and deletes our namespaces.
# Needs root and: ufw iptables iproute2 openssh-server openssh-client nmap python3 util-linux.
# Prints "RESULT name=value" lines for the test that runs it; exit 0 only if every check passed.
set -Eeuo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C

ARTIFACTS=$(realpath "${1:?usage: netns-scan.sh ARTIFACT_DIR}")
[[ -f $ARTIFACTS/scripts/host-firewall.sh && -f $ARTIFACTS/sshd/01-openclaw-vps.conf ]] \
  || { echo "FATAL: $ARTIFACTS lacks scripts/host-firewall.sh or sshd/01-openclaw-vps.conf" >&2; exit 2; }
BASE=${NETNS_SCAN_BASE:-/tmp/openclaw-vps-netns}
NS_VPS="${NS_PREFIX:-}vps"
NS_INET="${NS_PREFIX:-}internet"
NS_TS="${NS_PREFIX:-}tailnet"
VPS4=198.51.100.2   INET4=198.51.100.1              # TEST-NET-2 (host itself sits on 192.0.2.0/24)
VPS6=2001:db8:100::2 INET6=2001:db8:100::1          # documentation prefix
TS_VPS4=100.100.0.1 TS_PEER4=100.100.0.2            # CGNAT range, as Tailscale uses
TS_VPS6=fd7a:115c:a1e0::1 TS_PEER6=fd7a:115c:a1e0::2
IPT_BACKEND="${IPT_BACKEND:-nft}"
SCAN_RATE="${SCAN_RATE:-10000}"
SCAN_RETRIES="${SCAN_RETRIES:-1}"
# shellcheck source=tests/conformance/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # limit (tests/limits.json) and probe.py
MAX_RUNTIME="${MAX_RUNTIME:-$(limit 225)}"
SVC_LIFETIME=$(( MAX_RUNTIME + 60 ))                 # listeners/sshd die by themselves anyway

T_START=$EPOCHREALTIME
exec 8>&1 9>&2   # original stdout/stderr: traps may fire while a function's output is redirected
RUN="$BASE/runs/$(date +%Y%m%d-%H%M%S)-$$"
CREATED_NS=() BG_PIDS=() FG_PID="" WATCHDOG_PID="" MADE_RUN_NETNS=0
PASS=0 FAIL=0 FAILED_CHECKS=() CLEANED=0 HOST_STATE_OK=unknown

log()  { printf '[%6.1fs] %s\n' "$(elapsed)" "$*"; }
elapsed() { awk -v a="$T_START" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}'; }
die()  { printf '\nFATAL: %s\n' "$*" >&9; exit 2; }
fg_wait() { # run a long command so that a signal (watchdog, ^C) interrupts `wait` at once
  local rc=0; "$@" 8>&- 9>&- & FG_PID=$!; wait "$FG_PID" || rc=$?; FG_PID=""; return "$rc"
}
check() { # check "description" command...   (command's exit status decides)
  local desc=$1; shift
  if "$@"; then PASS=$((PASS+1)); log "PASS  $desc"
  else FAIL=$((FAIL+1)); FAILED_CHECKS+=("$desc"); log "FAIL  $desc"; fi
}
trap 'die "command failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR
trap 'die "interrupted/timed out (signal)"' INT TERM HUP

[[ $EUID -eq 0 ]] || die "must run as root (needs netns, iptables, mount)"
[[ $IPT_BACKEND == nft || $IPT_BACKEND == legacy ]] || die "IPT_BACKEND must be nft or legacy"
mkdir -p "$RUN/tmp" && chmod 700 "$RUN"

# ----------------------------------------------------------------------------- cleanup
cleanup() {
  (( CLEANED )) && return 0; CLEANED=1
  set +e; trap - ERR
  local p ns n
  [[ -n $FG_PID ]] && BG_PIDS+=("$FG_PID")
  for p in "${BG_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for n in $(seq 1 30); do                                  # <= 3 s grace
    local alive=0; for p in "${BG_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    (( alive )) || break; sleep 0.1
  done
  for p in "${BG_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  for ns in "${CREATED_NS[@]}"; do                          # anything still inside OUR namespaces
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
  done
  for ns in "${CREATED_NS[@]}"; do ip netns del "$ns" 2>/dev/null || echo "WARN: could not delete netns $ns" >&2; done
  if (( MADE_RUN_NETNS )) && [[ -d /run/netns && -z $(ls -A /run/netns) ]]; then
    umount /run/netns 2>/dev/null; rmdir /run/netns 2>/dev/null
  fi
  if [[ -n $WATCHDOG_PID ]]; then kill -TERM "$WATCHDOG_PID" 2>/dev/null; wait "$WATCHDOG_PID" 2>/dev/null; fi
}
finish() {
  local rc=$?
  trap - ERR INT TERM HUP
  exec 1>&8 2>&9
  cleanup
  if [[ -s $RUN/host-state.before ]]; then
    snapshot_host > "$RUN/host-state.after" 2>&1
    if diff -u "$RUN/host-state.before" "$RUN/host-state.after" > "$RUN/host-state.diff"; then
      HOST_STATE_OK=yes
      log "host state (iptables/ip6tables/nft/legacy, /etc/ufw, /etc/default/ufw, /lib/ufw, /run/ufw.lock, sysctls, netns, links): UNCHANGED ($(wc -l < "$RUN/host-state.before") lines compared, sha256 $(sha256sum < "$RUN/host-state.before" | cut -c1-16))"
    else
      HOST_STATE_OK=no; echo "HOST STATE CHANGED:"; cat "$RUN/host-state.diff"
      (( rc == 0 )) && rc=3
    fi
  fi
  local left; left=$(ip netns list 2>/dev/null | grep -Ec "^(${NS_VPS}|${NS_INET}|${NS_TS})( |\$)" || true)
  log "cleanup: our namespaces left=${left}; run dir $RUN"
  printf '\n%d passed, %d failed\n' "$PASS" "$FAIL"
  (( FAIL > 0 )) && { printf 'failed check: %s\n' "${FAILED_CHECKS[@]}"; (( rc == 0 )) && rc=1; }
  [[ $HOST_STATE_OK == no ]] && echo "FAILED: host firewall/ufw state differs (see $RUN/host-state.diff)"
  log "total runtime $(elapsed)s, exit $rc"
  exit "$rc"
}
trap finish EXIT

# watchdog: bound the whole run in time
( trap 'kill "$sp" 2>/dev/null; exit 0' TERM; sleep "$MAX_RUNTIME" & sp=$!; wait "$sp"
  echo "WATCHDOG: run exceeded ${MAX_RUNTIME}s, aborting" >&2; kill -TERM $$ ) 8>&- 9>&- &
WATCHDOG_PID=$!

# ----------------------------------------------------------------------------- 1. tools
missing=()
for b in ufw:ufw iptables:iptables ip6tables:iptables ip:iproute2 ss:iproute2 sshd:openssh-server \
         ssh-keygen:openssh-client nmap:nmap python3:python3 unshare:util-linux; do
  command -v "${b%%:*}" >/dev/null 2>&1 || missing+=("${b#*:}")
done
(( ${#missing[@]} == 0 )) || die "missing tools (install them: apt-get install -y ${missing[*]})"
log "tools: ufw $(dpkg-query -W -f='${Version}' ufw 2>/dev/null), nmap $(dpkg-query -W -f='${Version}' nmap 2>/dev/null), openssh-server $(dpkg-query -W -f='${Version}' openssh-server 2>/dev/null)"
PY=/usr/bin/python3; [[ -x $PY ]] || die "/usr/bin/python3 missing"

# ----------------------------------------------------------------------------- host snapshot
snapshot_host() (   # read-only views only (*-save never instantiates tables; counters stripped)
  set +eE +o pipefail; trap - ERR
  echo "## iptables -S";            iptables -S 2>&1
  echo "## ip6tables -S";           ip6tables -S 2>&1
  echo "## iptables-nft-save";      iptables-nft-save 2>&1   | grep -v '^#' | sed -E 's/\[[0-9]+:[0-9]+\]//'
  echo "## ip6tables-nft-save";     ip6tables-nft-save 2>&1  | grep -v '^#' | sed -E 's/\[[0-9]+:[0-9]+\]//'
  echo "## iptables-legacy-save";   iptables-legacy-save 2>&1 | grep -v '^#' | sed -E 's/\[[0-9]+:[0-9]+\]//'
  echo "## ip6tables-legacy-save";  ip6tables-legacy-save 2>&1 | grep -v '^#' | sed -E 's/\[[0-9]+:[0-9]+\]//'
  echo "## nft list ruleset";       if command -v nft >/dev/null; then nft list ruleset 2>&1; else echo "(nft not installed)"; fi
  echo "## files";  find /etc/ufw /etc/default/ufw /lib/ufw -printf '%p %M %u:%g %s %T@\n' 2>&1 | sort
  find /etc/ufw /etc/default/ufw /lib/ufw -type f -exec sha256sum {} + 2>&1 | sort -k2
  echo "## /run/ufw.lock: $( [[ -e /run/ufw.lock ]] && stat -c '%s %Y' /run/ufw.lock || echo absent)"
  echo "## sysctl"; sysctl net.ipv4.ip_forward net.ipv6.conf.all.forwarding net.ipv4.conf.all.rp_filter \
     net.ipv4.conf.default.rp_filter net.ipv4.conf.all.accept_redirects net.ipv4.conf.default.accept_redirects \
     net.ipv6.conf.all.accept_redirects net.ipv6.conf.default.accept_redirects net.ipv4.icmp_echo_ignore_broadcasts \
     net.ipv4.icmp_ignore_bogus_error_responses net.ipv4.icmp_echo_ignore_all net.ipv4.conf.all.log_martians \
     net.ipv4.conf.default.log_martians 2>&1
  echo "## our netns names"; ip netns list 2>&1 | grep -E "^(${NS_VPS}|${NS_INET}|${NS_TS})( |\$)"
  echo "## links"; ip -o link show 2>&1 | awk '{print $2}'
)
snapshot_host > "$RUN/host-state.before" 2>&1
log "host state snapshot taken ($(wc -l < "$RUN/host-state.before") lines); host iptables -V: $(iptables -V)"

# ----------------------------------------------------------------------------- 2. namespaces
for ns in "$NS_VPS" "$NS_INET" "$NS_TS"; do
  ip netns list | grep -Eq "^${ns}( |\$)" && die "network namespace '$ns' already exists (stale run? delete it with 'ip netns del $ns' or set NS_PREFIX)"
done
[[ -d /run/netns ]] || MADE_RUN_NETNS=1
for ns in "$NS_VPS" "$NS_INET" "$NS_TS"; do
  ip netns add "$ns" 2>"$RUN/netns-err.log" || die "cannot create network namespace '$ns': $(cat "$RUN/netns-err.log") (need root + CAP_SYS_ADMIN, CONFIG_NET_NS)"
  CREATED_NS+=("$ns")
done
{ ip -n "$NS_VPS" link add eth0 type veth peer name eth0 netns "$NS_INET" &&
  ip -n "$NS_VPS" link add tailscale0 type veth peer name ts-peer netns "$NS_TS"; } 2>"$RUN/veth-err.log" \
  || die "cannot create veth pairs: $(cat "$RUN/veth-err.log") (CONFIG_VETH?)"
ip -n "$NS_VPS"  addr add $VPS4/24 dev eth0;         ip -n "$NS_VPS"  addr add $VPS6/64 dev eth0 nodad
ip -n "$NS_INET" addr add $INET4/24 dev eth0;        ip -n "$NS_INET" addr add $INET6/64 dev eth0 nodad
ip -n "$NS_VPS"  addr add $TS_VPS4/30 dev tailscale0; ip -n "$NS_VPS" addr add $TS_VPS6/64 dev tailscale0 nodad
ip -n "$NS_TS"   addr add $TS_PEER4/30 dev ts-peer;   ip -n "$NS_TS"  addr add $TS_PEER6/64 dev ts-peer nodad
for ns in "$NS_VPS" "$NS_INET" "$NS_TS"; do ip -n "$ns" link set lo up; done
ip -n "$NS_VPS" link set eth0 up; ip -n "$NS_VPS" link set tailscale0 up
ip -n "$NS_INET" link set eth0 up; ip -n "$NS_TS" link set ts-peer up

# safety: prove each client namespace is isolated (no default route) and reaches targets via its veth
root_netns=$(readlink /proc/self/ns/net)
route_ok() { # ns dev target
  local out; [[ $(ip netns exec "$1" readlink /proc/self/ns/net) != "$root_netns" ]] || return 1
  ip -n "$1" route show default | grep -q . && return 1
  ip -n "$1" -6 route show default | grep -q . && return 1
  out=$(ip -n "$1" route get "$3" 2>/dev/null) || return 1
  [[ $out == *" dev $2 "* ]]
}
for t in "$NS_INET eth0 $VPS4" "$NS_INET eth0 $VPS6" "$NS_TS ts-peer $TS_VPS4" "$NS_TS ts-peer $TS_VPS6"; do
  route_ok $t || die "safety check failed: route for '$t' is not an isolated veth route"
done
log "namespaces $NS_VPS/$NS_INET/$NS_TS up; vps links: $(ip -n "$NS_VPS" -br addr | awk '{printf "%s[%s %s] ", $1, $3, $4}')"
log "vps sysctls: ip_forward=$(ip netns exec "$NS_VPS" sysctl -n net.ipv4.ip_forward) rp_filter(all/default)=$(ip netns exec "$NS_VPS" sysctl -n net.ipv4.conf.all.rp_filter)/$(ip netns exec "$NS_VPS" sysctl -n net.ipv4.conf.default.rp_filter)"

# ----------------------------------------------------------------------------- 3. private ufw
cp -a /etc/ufw "$RUN/etc-ufw"
cp -a /etc/default "$RUN/etc-default"   # a directory: sed -i renames files inside it
set_ipv6() { sed -i -E "s/^IPV6=.*/IPV6=$1/" "$RUN/etc-default/ufw"; }
set_ipv6 no   # the rendered script must turn IPv6 filtering on itself
if [[ $IPT_BACKEND == legacy ]]; then BIND_SRC=/usr/sbin/xtables-legacy-multi BIND_DST=/usr/sbin/xtables-nft-multi
else BIND_SRC=/usr/sbin/xtables-nft-multi BIND_DST=/usr/sbin/xtables-legacy-multi; fi
vps_priv() {  # run "$@" inside vps netns + private mount ns with private ufw config and /run
  ip netns exec "$NS_VPS" unshare -m --propagation private env TMPDIR="$RUN/tmp" bash -c '
    set -e
    mount -t tmpfs -o mode=0755,size=8m netns-proto-run /run
    mount --bind "$1" /etc/ufw
    mount --bind "$2" /etc/default
    mount --bind "$3" "$4"          # pin iptables backend regardless of update-alternatives
    shift 4; exec timeout "$@"' vps-priv "$RUN/etc-ufw" "$RUN/etc-default" "$BIND_SRC" "$BIND_DST" "$(limit 30)" "$@"
}
ufw_v() { vps_priv ufw "$@" >> "$RUN/ufw.log" 2>&1 || die "ufw $* failed in $NS_VPS (see $RUN/ufw.log)"; }
apply_hardening() {
  # Start from UFW's pristine rules, then apply exactly what the server runs at boot.
  ufw_v --force reset
  vps_priv bash "$ARTIFACTS/scripts/host-firewall.sh" >> "$RUN/ufw.log" 2>&1 \
    || die "the rendered host-firewall.sh failed in $NS_VPS (see $RUN/ufw.log)"
}
apply_hardening
vps_priv ufw status verbose > "$RUN/ufw-status.txt" 2>&1
log "ufw in $NS_VPS ($(vps_priv iptables -V)): $(grep -E '^(Status|Default)' "$RUN/ufw-status.txt" | paste -sd';')"
log "   ip4 rules: $(vps_priv iptables -S | wc -l), ip6 rules: $(vps_priv ip6tables -S | wc -l), user rules: $(vps_priv iptables -S ufw-user-input | grep -c -- '-A' || true) v4 / $(vps_priv ip6tables -S ufw6-user-input | grep -c -- '-A' || true) v6"
policy_is() { vps_priv "$1" -S INPUT | grep -qx -- "-P INPUT $2"; }
check "ufw active in $NS_VPS; INPUT policy DROP for iptables and ip6tables" \
  eval 'grep -q "^Status: active" "$RUN/ufw-status.txt" && policy_is iptables DROP && policy_is ip6tables DROP'

# ----------------------------------------------------------------------------- helpers: services, probes, scans
cat > "$RUN/listener.py" <<'EOF'
"""Bounded TCP listener: listener.py HOST PORT BANNER LIFETIME_S (IPv6 host => V6ONLY socket)."""
import socket, sys, time
host, port, banner, life = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
fam = socket.AF_INET6 if ':' in host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if fam == socket.AF_INET6:
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.bind((host, port)); s.listen(512); s.settimeout(0.5)
deadline = time.monotonic() + life
while time.monotonic() < deadline:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    try:
        c.settimeout(1); c.sendall((banner + "\n").encode())
    except OSError:
        pass
    finally:
        c.close()
EOF
# ns host port -> open:<line> | refused | timeout | unreachable | mixed:<kinds> | undecided:<why>
# (tests/conformance/probe.py: bounded tries, open at the first connection; a probe that did
# not finish in its limit is undecided, never a firewall's answer).
probe() {
  ip netns exec "$1" timeout "$(limit $((PROBE_ATTEMPTS * (PROBE_CONNECT + 1) + 2)))" "$PY" "$LIB_DIR/probe.py" "$2" "$3" \
    --attempts "$PROBE_ATTEMPTS" --timeout "$PROBE_CONNECT" || echo "undecided:the probe did not finish"
}
start_bg() { # logname cmd... (inside vps); records pid for cleanup
  local name=$1; shift
  "$@" > "$RUN/$name.log" 2>&1 8>&- 9>&- &
  BG_PIDS+=("$!")
}
wait_listen() { # port addr-substring : bounded wait for a listener inside vps
  local deadline=$((SECONDS + $(limit 5)))
  until ip netns exec "$NS_VPS" ss -Hltn "sport = :$1" | grep -qF "$2"; do
    [[ $SECONDS -lt $deadline ]] || return 1; sleep 0.1
  done
}

ssh-keygen -q -t ed25519 -N '' -C netns-proto-throwaway -f "$RUN/ssh_host_ed25519_key"
# The rendered drop-in first, as on the server (sshd keeps the first value of each keyword),
# then what a throwaway sshd in a namespace needs.
cat > "$RUN/sshd_config" <<EOF
Include $ARTIFACTS/sshd/01-openclaw-vps.conf
Port 22
ListenAddress 0.0.0.0
ListenAddress ::
HostKey $RUN/ssh_host_ed25519_key
PidFile none
UsePAM no
AuthorizedKeysFile none
LogLevel VERBOSE
EOF
# sshd needs /run/sshd (privsep dir) even for -t: give it a private tmpfs /run inside vps
SSHD_PRIV='mount -t tmpfs -o mode=0755,size=4m netns-proto-sshd /run && mkdir -m 0755 /run/sshd && exec "$@"'
ip netns exec "$NS_VPS" unshare -m --propagation private bash -c "$SSHD_PRIV" sshd /usr/sbin/sshd -t -f "$RUN/sshd_config" \
  > "$RUN/sshd-t.log" 2>&1 || die "sshd -t rejected the config with the rendered drop-in: $(cat "$RUN/sshd-t.log")"
start_bg sshd ip netns exec "$NS_VPS" unshare -m --propagation private bash -c "$SSHD_PRIV" sshd \
  timeout "$SVC_LIFETIME" /usr/sbin/sshd -D -e -f "$RUN/sshd_config"
start_bg gw18789  ip netns exec "$NS_VPS" timeout "$SVC_LIFETIME" "$PY" "$RUN/listener.py" 127.0.0.1 18789 GATEWAY-18789 "$SVC_LIFETIME"
start_bg ctl8080  ip netns exec "$NS_VPS" timeout "$SVC_LIFETIME" "$PY" "$RUN/listener.py" 0.0.0.0 8080 CONTROL-8080 "$SVC_LIFETIME"
start_bg ctl8080v6 ip netns exec "$NS_VPS" timeout "$SVC_LIFETIME" "$PY" "$RUN/listener.py" :: 8080 CONTROL-8080 "$SVC_LIFETIME"
wait_listen 22 "0.0.0.0:22" && wait_listen 22 "[::]:22" || die "sshd did not start in $NS_VPS: $(cat "$RUN/sshd.log")"
wait_listen 18789 "127.0.0.1:18789" || die "18789 listener did not start: $(cat "$RUN/gw18789.log")"
wait_listen 8080 "0.0.0.0:8080" && wait_listen 8080 "[::]:8080" || die "8080 listener did not start"
log "listeners in $NS_VPS: $(ip netns exec "$NS_VPS" ss -Hltn | awk '{print $4}' | sort | paste -sd' ')"

# full 65535-port TCP SYN scan from the internet namespace
declare -A RESULT
full_scan() { # label fam target  -> RESULT[label.open], RESULT[label.secs], RESULT[label.total]
  local label=$1 fam=$2 tgt=$3 out="$RUN/scan-$1" t0 f=(); [[ $fam == 6 ]] && f=(-6)
  t0=$EPOCHREALTIME
  fg_wait ip netns exec "$NS_INET" timeout "$(limit 75)" nmap "${f[@]}" -n -Pn -sS -p 1-65535 -T4 --max-retries "$SCAN_RETRIES" \
    --min-rate "$SCAN_RATE" --max-rtt-timeout 100ms --initial-rtt-timeout 50ms --host-timeout 240s \
    -oG "$out.gnmap" "$tgt" > "$out.txt" 2>&1 || die "nmap $label failed: $(tail -3 "$out.txt")"
  RESULT[$label.secs]=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}')
  grep -q 'host timeout' "$out.txt" && die "nmap $label hit its host timeout (incomplete scan)"
  RESULT[$label.open]=$(grep -oE '[0-9]+/open/' "$out.gnmap" | cut -d/ -f1 | sort -n | paste -sd, - || true)
  local listed ignored
  listed=$(grep -oE '[0-9]+/[a-z|]+/tcp' "$out.gnmap" | wc -l || true)
  ignored=$(grep -oE 'Ignored State: [a-z|]+ \([0-9]+\)' "$out.gnmap" | grep -oE '[0-9]+' || echo 0)
  RESULT[$label.total]=$(( listed + ignored ))
  RESULT[$label.summary]=$(grep -E '^(Not shown|All [0-9]+ scanned)' "$out.txt" | head -1 || true)
  local n=0; [[ -n ${RESULT[$label.open]} ]] && n=$(tr ',' '\n' <<<"${RESULT[$label.open]}" | wc -l)
  RESULT[$label.nopen]=$n
  log "scan $label: $n open [${RESULT[$label.open]:-none}] of ${RESULT[$label.total]} ports in ${RESULT[$label.secs]}s (${RESULT[$label.summary]})"
}
port_states() { # ns fam target ports -> "22=filtered 8080=filtered ..." (nmap, 3 retries)
  local out="$RUN/ports-$RANDOM.gnmap" f=() p st r=(); [[ $2 == 6 ]] && f=(-6)
  fg_wait ip netns exec "$1" timeout "$(limit 15)" nmap "${f[@]}" -n -Pn -sS -T4 -p "$4" --max-retries 3 -oG "$out" "$3" > /dev/null 2>&1 || die "nmap port check failed"
  for p in ${4//,/ }; do
    st=$(grep -oE "(^|[ ,])$p/[a-z|]+/tcp" "$out" | cut -d/ -f2 | head -1 || true)
    [[ -z $st ]] && st=$(grep -oE 'Ignored State: [a-z|]+' "$out" | awk '{print $3}' || true)
    r+=("$p=$st")
  done; echo "${r[*]}"
}
eq()  { [[ $1 == "$2" ]]; }
starts() { [[ $1 == "$2"* ]]; }

# ----------------------------------------------------------------------------- 4-6. hardened ruleset
log "=== stage A: hardened ruleset (deny in, deny routed, allow out, allow in on tailscale0; IPV6=yes)"
full_scan A-inet-v4 4 "$VPS4"
full_scan A-inet-v6 6 "$VPS6"
check "A: full v4 scan from internet covered 65535 ports" eq "${RESULT[A-inet-v4.total]}" 65535
check "A: full v4 scan from internet finds 0 open ports" eq "${RESULT[A-inet-v4.nopen]}" 0
check "A: full v6 scan from internet covered 65535 ports" eq "${RESULT[A-inet-v6.total]}" 65535
check "A: full v6 scan from internet finds 0 open ports" eq "${RESULT[A-inet-v6.nopen]}" 0
I18789=$(probe "$NS_INET" $VPS4 18789)
S4=$(port_states "$NS_INET" 4 "$VPS4" 22,8080,18789); S6=$(port_states "$NS_INET" 6 "$VPS6" 22,8080,18789)
log "internet -> $VPS4 nmap: $S4 | connect: 22=$(probe "$NS_INET" $VPS4 22) 8080=$(probe "$NS_INET" $VPS4 8080) 18789=$(probe "$NS_INET" $VPS4 18789)"
log "internet -> $VPS6 nmap: $S6 | connect: 22=$(probe "$NS_INET" $VPS6 22) 8080=$(probe "$NS_INET" $VPS6 8080)"
check "A: internet sees 22/8080/18789 filtered (v4)" eq "$S4" "22=filtered 8080=filtered 18789=filtered"
check "A: internet sees 22/8080/18789 filtered (v6)" eq "$S6" "22=filtered 8080=filtered 18789=filtered"
check "A: internet connect to $VPS4:22 times out"   eq "$(probe "$NS_INET" $VPS4 22)" timeout
G=$(probe "$NS_VPS" 127.0.0.1 18789)
check "A: gateway 127.0.0.1:18789 answers inside vps ($G)" eq "$G" "open:GATEWAY-18789"
T22=$(probe "$NS_TS" $TS_VPS4 22); T8080=$(probe "$NS_TS" $TS_VPS4 8080); T18789=$(probe "$NS_TS" $TS_VPS4 18789)
T22v6=$(probe "$NS_TS" $TS_VPS6 22); TS_NMAP=$(port_states "$NS_TS" 4 "$TS_VPS4" 22,8080,18789)
log "tailnet -> $TS_VPS4: 22=$T22 8080=$T8080 18789=$T18789 | v6 22=$T22v6 | nmap: $TS_NMAP"
check "A: tailnet reads SSH banner on $TS_VPS4:22" starts "$T22" "open:SSH-2.0-"
check "A: tailnet reads SSH banner on [$TS_VPS6]:22" starts "$T22v6" "open:SSH-2.0-"
check "A: tailnet reaches $TS_VPS4:8080" eq "$T8080" "open:CONTROL-8080"
check "A: tailnet cannot reach 18789 (loopback-only => refused)" eq "$T18789" refused

# ----------------------------------------------------------------------------- 7. controls
log "=== stage B (control): same ruleset + 'ufw allow 8080/tcp' -> scanner must find exactly 8080 through the DROP policy"
ufw_v allow 8080/tcp
full_scan B-inet-v4 4 "$VPS4"
check "B: full v4 scan through ufw finds exactly 8080" eq "${RESULT[B-inet-v4.open]}" 8080

log "=== stage C (control): 'ufw disable' (no filtering) -> scanner must find 22 and 8080"
ufw_v disable
check "C: INPUT policy ACCEPT after ufw disable" eval 'policy_is iptables ACCEPT && policy_is ip6tables ACCEPT'
full_scan C-inet-v4 4 "$VPS4"
full_scan C-inet-v6 6 "$VPS6"
check "C: full v4 scan finds exactly 22,8080" eq "${RESULT[C-inet-v4.open]}" "22,8080"
check "C: full v6 scan finds exactly 22,8080" eq "${RESULT[C-inet-v6.open]}" "22,8080"
check "C: 18789 (127.0.0.1 only) is closed, not open, from internet" eq "$(probe "$NS_INET" $VPS4 18789)" refused

# ----------------------------------------------------------------------------- 8. summary
log "=== measured counts"
printf '  %-44s %6s %8s  %s\n' "scan (from $NS_INET, nmap -sS, all TCP ports)" open secs "open ports"
for l in A-inet-v4 A-inet-v6 B-inet-v4 C-inet-v4 C-inet-v6; do
  printf '  %-44s %6s %8s  %s\n' "$l" "${RESULT[$l.nopen]}" "${RESULT[$l.secs]}" "${RESULT[$l.open]:--}"
done
for l in A-inet-v4 A-inet-v6 B-inet-v4 C-inet-v4 C-inet-v6; do
  echo "RESULT scan_${l//-/_}_open=${RESULT[$l.nopen]}"
  echo "RESULT scan_${l//-/_}_ports=${RESULT[$l.total]}"
done
echo "RESULT tailnet_ssh_v4=${T22%%:*}"
echo "RESULT tailnet_ssh_v6=${T22v6%%:*}"
echo "RESULT tailnet_gateway_18789=${T18789}"
echo "RESULT internet_gateway_18789=${I18789}"
