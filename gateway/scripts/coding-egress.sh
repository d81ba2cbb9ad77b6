#!/bin/bash
# The coder's way out (docs/coding.md): an internal Docker network whose only reachable
# address is the allowlisting proxy on its bridge. Safe to run again.
#   coding-egress.sh on           set it up (packages, network, workspace, rules, proxy)
#   coding-egress.sh off          take it down; the workspace and the mirrors are kept
#   coding-egress.sh rules        the firewall rules (its unit runs this after every Docker start)
#   coding-egress.sh wait-bridge  wait (bounded) for the bridge's address, for the proxy's unit
#   coding-egress.sh workspace    the workspace's owner and access lists, on all of it (after a restore)
set -euo pipefail

readonly NETWORK=openclaw-coder BRIDGE=br-oc-coder SUBNET=172.31.240.0/24 GATEWAY=172.31.240.1 PORT=3128
readonly WORKSPACE=/home/openclaw/coder-workspace MIRRORS=/home/openclaw/.openclaw/coder-mirrors
readonly PROXY_UNIT=openclaw-vps-coder-proxy.service EGRESS_UNIT=openclaw-vps-coder-egress.service
# The sandbox's user (the image's uid 1000) owns the workspace it writes.
readonly SANDBOX_UID=1000
# From the distribution, installed on first use, with the command that shows each is there.
readonly PACKAGES="tinyproxy git acl"

log() { echo "coding: $*"; }

# Rules at the top of their chains, in this order: the proxy's port, then nothing else.
rules() {
  local ipt
  for ipt in iptables ip6tables; do
    command -v "$ipt" >/dev/null || continue
    "$ipt" -N DOCKER-USER 2>/dev/null || true
    # Nothing from the coder's network is forwarded anywhere (Docker's internal network
    # already routes nowhere; this holds even if the network were recreated without it).
    "$ipt" -C DOCKER-USER -i "$BRIDGE" -j REJECT 2>/dev/null || "$ipt" -I DOCKER-USER -i "$BRIDGE" -j REJECT
    # To the host itself: the proxy's port on the bridge address, nothing else.
    "$ipt" -C INPUT -i "$BRIDGE" -j REJECT 2>/dev/null || "$ipt" -I INPUT -i "$BRIDGE" -j REJECT
  done
  while iptables -D INPUT -i "$BRIDGE" -d "$GATEWAY" -p tcp --dport "$PORT" -j ACCEPT 2>/dev/null; do :; done
  iptables -I INPUT -i "$BRIDGE" -d "$GATEWAY" -p tcp --dport "$PORT" -j ACCEPT
  log "rules: $BRIDGE reaches $GATEWAY:$PORT only"
}

unrules() {
  local ipt
  for ipt in iptables ip6tables; do
    command -v "$ipt" >/dev/null || continue
    while "$ipt" -D DOCKER-USER -i "$BRIDGE" -j REJECT 2>/dev/null; do :; done
    while "$ipt" -D INPUT -i "$BRIDGE" -j REJECT 2>/dev/null; do :; done
  done
  while iptables -D INPUT -i "$BRIDGE" -d "$GATEWAY" -p tcp --dport "$PORT" -j ACCEPT 2>/dev/null; do :; done
}

# The workspace belongs to the sandbox's user and to the gateway's account alike: OpenClaw
# writes its bootstrap files there, the sandbox everything else, and the gate reads the
# branches it pushes. Access lists give both read and write on all of it, and on whatever
# either creates later (a default list is not narrowed by the gateway's umask); nobody else
# gets anything. `workspace -R` applies them to what is there, after a restore.
workspace() {
  install -d -m 0770 -o "$SANDBOX_UID" -g "$SANDBOX_UID" "$WORKSPACE"
  local recurse=()
  [ "${1:-}" != -R ] || recurse=(-R)
  chown "${recurse[@]}" "$SANDBOX_UID:$SANDBOX_UID" "$WORKSPACE"
  setfacl "${recurse[@]}" -m "u:$SANDBOX_UID:rwX,u:openclaw:rwX,m::rwX,o::---" "$WORKSPACE"
  find "$WORKSPACE" -maxdepth "$([ "${1:-}" = -R ] && echo 1000 || echo 0)" -type d \
    -exec setfacl -d -m "u::rwX,u:$SANDBOX_UID:rwX,u:openclaw:rwX,g::---,m::rwX,o::---" {} +
}

wait_bridge() {
  local _
  for _ in $(seq 1 60); do
    if ip -4 -o addr show dev "$BRIDGE" 2>/dev/null | grep -q " $GATEWAY/"; then return 0; fi
    sleep 0.5
  done
  echo "coding: $BRIDGE has no address $GATEWAY after 30 s (docker network inspect $NETWORK)" >&2
  return 1
}

# The network, exactly as described above, or an error saying what differs.
network() {
  local shape
  if shape=$(docker network inspect "$NETWORK" --format '{{.Internal}} {{(index .IPAM.Config 0).Subnet}} {{index .Options "com.docker.network.bridge.name"}}' 2>/dev/null); then
    if [ "$shape" != "true $SUBNET $BRIDGE" ]; then
      echo "coding: the Docker network $NETWORK exists as '$shape', expected 'true $SUBNET $BRIDGE': remove it (docker network rm $NETWORK) and run the step again" >&2
      return 1
    fi
    return 0
  fi
  docker network create --driver bridge --internal --subnet "$SUBNET" --gateway "$GATEWAY" \
    --opt "com.docker.network.bridge.name=$BRIDGE" "$NETWORK" >/dev/null
  log "network $NETWORK created (internal, $SUBNET)"
}

on() {
  local missing=() package
  for package in $PACKAGES; do
    case $package in acl) command -v setfacl >/dev/null ;; *) command -v "$package" >/dev/null ;; esac || missing+=("$package")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" </dev/null >/dev/null
    log "installed ${missing[*]}"
  fi
  # The distribution's own instance listens on every address: ours replaces it.
  systemctl disable --now tinyproxy.service >/dev/null 2>&1 || true
  systemctl mask tinyproxy.service >/dev/null 2>&1 || true
  network
  workspace
  install -d -m 0700 -o openclaw -g openclaw "$MIRRORS"
  systemctl daemon-reload
  systemctl enable --quiet "$EGRESS_UNIT" "$PROXY_UNIT"
  systemctl restart "$EGRESS_UNIT"
  systemctl restart "$PROXY_UNIT"
  log "on: the coder's sandbox reaches the allowlist through $GATEWAY:$PORT"
}

off() {
  local ids
  if systemctl list-unit-files "$PROXY_UNIT" >/dev/null 2>&1; then
    systemctl disable --now --quiet "$PROXY_UNIT" "$EGRESS_UNIT" 2>/dev/null || true
  fi
  if docker network inspect "$NETWORK" >/dev/null 2>&1; then
    ids=$(docker ps -aq --filter "network=$NETWORK")
    # shellcheck disable=SC2086 # one id per word
    [ -z "$ids" ] || docker rm -f $ids >/dev/null
    docker network rm "$NETWORK" >/dev/null
    log "off: network $NETWORK removed; $WORKSPACE is kept"
  fi
  unrules
}

case "${1:-}" in
  on) on ;;
  off) off ;;
  rules) rules ;;
  wait-bridge) wait_bridge ;;
  workspace) workspace -R ;;
  *) echo "usage: $0 on|off|rules|wait-bridge|workspace" >&2; exit 2 ;;
esac
