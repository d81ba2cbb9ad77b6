#!/bin/bash
# The rehearsal's machines and networks, all inside network namespaces this script makes:
#   <run>-inet   "the internet": 203.0.113.1 (and 2001:db8::1), the DNS and web stand-in
#   <run>-host   the server: eth0 = 203.0.113.10 (public), tailscale0 (given its tailnet
#                address by the Tailscale stand-in when the server joins); its systemd-nspawn
#                container (the booted Debian 12 root) shares this namespace
#   <run>-tail   the tailnet as the operator's machine sees it: 100.100.1.1, the side Pulumi
#                connects from; /etc/netns/<run>-tail/hosts resolves the server's tailnet name;
#                the tailnet's API on 127.0.0.1:8780 (standins/tailnet.py)
# Traffic only ever goes between these namespaces. Every wait is bounded.
#
# Usage:
#   machine.sh up WORK RUN BUILD TAILNET_HOST NAMES [CODING]
#                                                   namespaces, links, the internet stand-in
#                                                   (NAMES: the host names it answers for;
#                                                   CODING: the coder's far ends' settings;
#                                                   $S3_STANDIN: moto's server, the object store)
#   machine.sh boot WORK RUN ROOT NPM_CACHE         boot the host (in the background)
#   machine.sh exec WORK CMD...                     run CMD inside the booted host
#   machine.sh stop WORK                            power the host off (bounded), or kill it
#   machine.sh down WORK RUN                        stop everything and remove it all
set -euo pipefail

readonly INET_ADDR=203.0.113.1 HOST_ADDR=203.0.113.10 INET6_ADDR=2001:db8::1 HOST6_ADDR=2001:db8::10
readonly TAILNET_ADDR=100.100.1.2 PEER_ADDR=100.100.1.1 TAILNET_API_PORT=8780
# The internet's second address, outside every special-use range as the real hosts' are
# (OpenClaw refuses to call a model API that resolves to a documentation or private address):
# the coder's far ends answer there. Like the others it exists only inside these namespaces.
# CODING_CONTROL_PORT: their control port on the internet namespace's loopback (standins/coding.py).
# shellcheck disable=SC2034 # CODING_CONTROL_PORT: defined here for rehearsal/lib/rehearsalSpec.ts
readonly PUBLIC_ADDR=11.0.0.1 CODING_CONTROL_PORT=8790
here=$(cd "$(dirname "$0")" && pwd)

cmd=${1:?usage: machine.sh up|boot|exec|stop|down WORK ...}
work=${2:?WORK}
shift 2

init_pid() {
  local nspawn
  nspawn=$(cat "$work/nspawn.pid" 2>/dev/null) || return 1
  pgrep -P "$nspawn" | head -n 1
}

up() {
  local run=$1 build=$2 tailnet_host=$3 names=$4 coding=${5:-}
  ip netns add "$run-inet"
  ip netns add "$run-host"
  ip netns add "$run-tail"
  local ns
  for ns in inet host tail; do ip -n "$run-$ns" link set lo up; done
  ip link add eth0 netns "$run-host" type veth peer name inet0 netns "$run-inet"
  ip -n "$run-inet" addr add "$INET_ADDR/24" dev inet0
  ip -n "$run-inet" addr add "$INET6_ADDR/64" dev inet0 nodad
  ip -n "$run-inet" addr add "$PUBLIC_ADDR/32" dev inet0
  ip -n "$run-inet" link set inet0 up
  ip -n "$run-host" addr add "$HOST_ADDR/24" dev eth0
  ip -n "$run-host" addr add "$HOST6_ADDR/64" dev eth0 nodad
  ip -n "$run-host" link set eth0 up
  ip -n "$run-host" route add default via "$INET_ADDR"
  ip -n "$run-host" -6 route add default via "$INET6_ADDR"
  # The tailnet side stays down, with no address, until the server joins.
  ip link add tailscale0 netns "$run-host" type veth peer name tailnet0 netns "$run-tail"
  ip -n "$run-tail" addr add "$PEER_ADDR/32" dev tailnet0
  ip -n "$run-tail" link set tailnet0 up
  ip -n "$run-tail" route add 100.64.0.0/10 dev tailnet0
  mkdir -p "/etc/netns/$run-tail"
  printf '127.0.0.1 localhost\n%s %s\n' "$TAILNET_ADDR" "$tailnet_host" >"/etc/netns/$run-tail/hosts"
  echo "$run" >"$work/run"
  # The tailnet's coordination server and API (standins/tailnet.py): its state in the work
  # directory, bound into every host it boots; the API on the operator's side.
  mkdir -p "$work/tailnet"
  cp "$here/standins/tailnet.py" "$work/tailnet/"
  ip netns exec "$run-tail" python3 "$here/standins/tailnet.py" serve "$work/tailnet/tailnet.json" \
    --listen "127.0.0.1:$TAILNET_API_PORT" --log "$work/tailnet-api.log" >"$work/tailnet-api.out" 2>&1 &
  echo $! >"$work/tailnet-api.pid"
  # The internet stand-in, with the coder's far ends when CODING is given.
  local extra=()
  [ -z "$coding" ] || extra=(--public-address "$PUBLIC_ADDR" --coding "$coding")
  # S3_STANDIN: the object store's stand-in (moto's server) for off-site backups.
  [ -z "${S3_STANDIN:-}" ] || extra+=(--s3 "$S3_STANDIN")
  ip netns exec "$run-inet" python3 "$here/standins/internet.py" --address "$INET_ADDR" \
    --docroot "$build/docroot" --cert "$build/ca/server.pem" --key "$build/ca/server.key" \
    --names "$names" --log "$work/internet.log" "${extra[@]}" >"$work/internet.out" 2>&1 &
  echo $! >"$work/internet.pid"
  for _ in $(seq 1 50); do
    if grep -q "internet stand-in on" "$work/internet.log" 2>/dev/null; then return; fi
    sleep 0.1
  done
  echo "machine: the internet stand-in did not start:" >&2
  cat "$work/internet.out" >&2
  exit 1
}

boot() {
  local run=$1 root=$2 npm_cache=$3
  # CAP_NET_ADMIN: UFW, Docker's rules and the tailnet address, all in the host's own
  # namespace. @keyring: runc gives each container a session keyring. swapon/swapoff are
  # refused: swap is machine-wide, not the container's.
  # --resolv-conf=off: the image's own resolver (the internet stand-in), not this machine's.
  systemd-nspawn -q -D "$root" --boot --register=no --keep-unit --resolv-conf=off \
    --network-namespace-path="/run/netns/$run-host" \
    --capability=CAP_NET_ADMIN \
    --system-call-filter='@keyring' --system-call-filter='~swapon swapoff' \
    --bind="$npm_cache:/var/cache/rehearsal-npm" \
    --bind="$work/tailnet:/var/lib/rehearsal-tailnet" \
    </dev/null >>"$work/console.log" 2>&1 &
  echo $! >"$work/nspawn.pid"
  for _ in $(seq 1 100); do
    if init_pid >/dev/null && [ -n "$(init_pid)" ]; then return; fi
    sleep 0.1
  done
  echo "machine: the host did not start; console:" >&2
  tail -n 30 "$work/console.log" >&2
  exit 1
}

in_host() {
  local pid
  pid=$(init_pid) || { echo "machine: the host is not running" >&2; exit 1; }
  nsenter -t "$pid" -m -u -i -n -p -C -- "$@"
}

stop() {
  local nspawn pid
  nspawn=$(cat "$work/nspawn.pid" 2>/dev/null) || return 0
  kill -0 "$nspawn" 2>/dev/null || return 0
  pid=$(init_pid || true)
  # systemd powers off on SIGRTMIN+4.
  if [ -n "$pid" ]; then kill -s SIGRTMIN+4 "$pid" 2>/dev/null || true; fi
  for _ in $(seq 1 600); do
    kill -0 "$nspawn" 2>/dev/null || { rm -f "$work/nspawn.pid"; return 0; }
    sleep 0.1
  done
  echo "machine: the host did not power off within 60 s; killing it" >&2
  kill -KILL "$nspawn" 2>/dev/null || true
  sleep 1
  rm -f "$work/nspawn.pid"
}

down() {
  local run=$1 ns p
  set +e
  stop
  if [ -f "$work/internet.pid" ]; then kill "$(cat "$work/internet.pid")" 2>/dev/null; fi
  if [ -f "$work/tailnet-api.pid" ]; then kill "$(cat "$work/tailnet-api.pid")" 2>/dev/null; fi
  for ns in inet host tail; do
    for p in $(ip netns pids "$run-$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    ip netns del "$run-$ns" 2>/dev/null
  done
  rm -rf "/etc/netns/$run-tail"
  # Anything a killed container left mounted under the work directory.
  grep " $work/" /proc/self/mounts | awk '{ print $2 }' | sort -r | while read -r m; do umount -l "$m"; done
  return 0
}

case "$cmd" in
  up) up "$@" ;;
  boot) boot "$@" ;;
  exec) in_host "$@" ;;
  stop) stop ;;
  down) down "$@" ;;
  *) echo "usage: machine.sh up|boot|exec|stop|down WORK ..." >&2; exit 2 ;;
esac
