#!/bin/bash
# Shared by the conformance scripts that run rendered server scripts in a private mount
# namespace. Source it; it defines functions (and the time limits they use) only.

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LIB_DIR
# The one place for time limits is tests/limits.json: `limit SECONDS` prints what a step that
# takes SECONDS on a quiet machine may take here (times the factor, OPENCLAW_VPS_TIME_FACTOR
# when set, as for the jest tests).
limits_value() { python3 -c 'import json, sys; v = json.load(open(sys.argv[1]))
for k in sys.argv[2:]: v = v[k]
print(v)' "$LIB_DIR/../limits.json" "$@"; }
TIME_FACTOR=${OPENCLAW_VPS_TIME_FACTOR:-$(limits_value timeFactor)}
PROBE_ATTEMPTS=$(limits_value probe attempts)
PROBE_CONNECT=$(limits_value probe connectSeconds)
limit() { awk -v s="$1" -v f="$TIME_FACTOR" 'BEGIN { v = s * f; printf "%d\n", (v == int(v)) ? v : int(v) + 1 }'; }
# Exported: the scripts a check writes and runs (a steps.sh in a private namespace) use it too.
export TIME_FACTOR
export -f limit

# probe NS ADDR PORT: open | blocked | undecided:<why>, decided from inside NS by probe.py's
# bounded tries (open at the first connection greeted "hello", as `listen` greets: another
# greeting, a proxy's say, is open:<line>; blocked only when every try was refused, went
# unanswered or unreachable, in any mix). The connect limit is a kernel handshake's, not scaled; the
# probe's whole run is (a busy machine starts Python slowly), and a probe that did not finish
# is undecided, never blocked.
probe() {
  local out
  out=$(ip netns exec "$1" timeout "$(limit $((PROBE_ATTEMPTS * (PROBE_CONNECT + 1) + 2)))" \
    python3 "$LIB_DIR/probe.py" "$2" "$3" --attempts "$PROBE_ATTEMPTS" --timeout "$PROBE_CONNECT" 2>/dev/null) || true
  case "$out" in
    open:hello) echo open ;;
    open:*) echo "$out" ;;
    refused | timeout | unreachable | mixed:*) echo blocked ;;
    "") echo "undecided:the probe did not finish" ;;
    *) echo "$out" ;;
  esac
}

# private_etc DEST: a copy of /etc to bind-mount over /etc, with the gateway's account in it.
private_etc() {
  local dest=$1
  cp -a /etc "$dest"
  grep -q '^openclaw:' "$dest/passwd" || echo 'openclaw:x:1500:1500:OpenClaw gateway:/home/openclaw:/bin/bash' >>"$dest/passwd"
  grep -q '^openclaw:' "$dest/group" || echo 'openclaw:x:1500:' >>"$dest/group"
}

# verify_stubs DIR: stand-ins for what verify.sh asks the host besides OpenClaw: ss (the
# gateway on loopback), ufw, iptables and tailscale (this node, and exactly the one Serve
# route configure.sh sets, in Tailscale's shapes). ufw and iptables print what the real tools
# print on a deployed host (tests/conformance/manifestRules.test.ts runs the real ones on the
# rendered firewall and guard): `ufw status`, `ufw show added` with the rules in
# $W/host/ufw-added, `iptables -S DOCKER-USER` with the rules in $W/host/docker-user
# (host_facts writes both from the manifest; a check changes them to drift the host).
verify_stubs() {
  local dir=$1
  printf '#!/bin/bash\necho "LISTEN 0 511 127.0.0.1:18789 0.0.0.0:*"\n' >"$dir/ss"
  cat >"$dir/ufw" <<'STUB'
#!/bin/bash
case "$*" in
  status | "status verbose") echo "Status: active" ;;
  "show added") echo "Added user rules (see 'ufw status' for running firewall):"; cat "$W/host/ufw-added" ;;
  *) echo "ufw stand-in: $* is not served" >&2; exit 1 ;;
esac
STUB
  cat >"$dir/iptables" <<'STUB'
#!/bin/bash
if [ "$*" = "-S DOCKER-USER" ]; then echo "-N DOCKER-USER"; cat "$W/host/docker-user"; exit 0; fi
echo "iptables stand-in: $* is not served" >&2
exit 1
STUB
  cat >"$dir/tailscale" <<'STUB'
#!/bin/bash
case "$*" in
  "status --json --peers=false") echo '{"BackendState":"Running","Self":{"HostName":"openclaw","DNSName":"openclaw.tail1234.ts.net."}}' ;;
  "serve status --json") echo '{"TCP":{"443":{"HTTPS":true}},"Web":{"openclaw.tail1234.ts.net:443":{"Handlers":{"/":{"Proxy":"http://127.0.0.1:18789"}}}}}' ;;
  *) exit 1 ;;
esac
STUB
  chmod +x "$dir/ss" "$dir/ufw" "$dir/iptables" "$dir/tailscale"
}

# systemctl_stub PATH LOG: a systemctl that records each call in LOG (a path, or '$VAR' for
# one the stand-in reads when it runs) and answers what the drift check asks as systemd does
# for enabled, running units: is-enabled -> enabled, is-active -> active; a unit listed in
# $W/host/units-off is disabled and inactive (exit 1 and 3, as systemctl's).
systemctl_stub() {
  cat >"$1" <<STUB
#!/bin/bash
echo "systemctl \$*" >>"$2"
if [ "\$1" = is-enabled ] || [ "\$1" = is-active ]; then
  if grep -qxF "\$2" "\$W/host/units-off" 2>/dev/null; then
    [ "\$1" = is-enabled ] && { echo disabled; exit 1; }
    echo inactive; exit 3
  fi
  [ "\$1" = is-enabled ] && echo enabled || echo active
fi
exit 0
STUB
  chmod +x "$1"
}

# host_facts ARTIFACT_DIR: $W/host/ufw-added and $W/host/docker-user as a deployed host's
# ufw and iptables list them: the manifest's rules (manifest.json among the artifacts).
host_facts() {
  mkdir -p "$W/host"
  python3 -c 'import json, sys
m = json.load(open(sys.argv[1]))
open(sys.argv[2], "w").write("".join(r + "\n" for r in m["ufw"]["rules"]))
open(sys.argv[3], "w").write("".join(r + "\n" for r in m["dockerUser"]))' "$1/manifest.json" "$W/host/ufw-added" "$W/host/docker-user"
  touch "$W/host/units-off"
}

# deployed_files ARTIFACT_DIR: inside the private namespace, after /etc is the private copy
# and /usr/local/lib/openclaw-vps a tmpfs: every file the deploy writes (the manifest's list:
# the files step's and first boot's), at its path with its mode, root's. /usr/local/bin and
# /usr/local/sbin become tmpfs first (the wrapper and the first-boot scripts go there).
deployed_files() {
  mount -t tmpfs tmpfs /usr/local/bin
  mount -t tmpfs tmpfs /usr/local/sbin
  python3 "$LIB_DIR/install-deployed.py" "$1"
}
export -f deployed_files

# record_env_keys: the names of the keys in the gateway's .env, where configure.sh writes them.
record_env_keys() {
  mkdir -p /etc/openclaw-vps
  grep -o '^[A-Za-z_][A-Za-z0-9_]*=' /home/openclaw/.openclaw/.env | tr -d = | sort -u >/etc/openclaw-vps/env-keys
}
export -f record_env_keys

# package_version DIR: the OpenClaw version of a package directory the tools cache holds
# (…/openclaw-<version>/node_modules/openclaw).
package_version() {
  basename "$(dirname "$(dirname "$1")")" | sed 's/^openclaw-//'
}

# recording_stubs WORK: WORK/stubs with verify_stubs and a systemctl that records each call
# in WORK/systemctl.log.
recording_stubs() {
  local work=$1
  mkdir -p "$work/stubs"
  systemctl_stub "$work/stubs/systemctl" "$work/systemctl.log"
  verify_stubs "$work/stubs"
  chmod +x "$work/stubs/"*
  touch "$work/systemctl.log"
}

# server_links [tailnet]: run inside a new network namespace (unshare --net): the server's
# interfaces, as the checks lay them out. eth0 (a veth to inet0) holds the public addresses
# 203.0.113.10 and 2001:db8::10; tailscale0 (a veth to tailnet0) holds, with "tailnet", the
# node's tailnet addresses 100.100.1.2 and fd7a:115c:a1e0::2 (without, it has none yet, as
# at boot before the node has joined). Exported, so the namespace's own shell can call it.
server_links() {
  ip link set lo up
  ip link add tailscale0 type veth peer name tailnet0
  ip link add eth0 type veth peer name inet0
  local dev
  for dev in tailscale0 tailnet0 eth0 inet0; do ip link set "$dev" up; done
  if [ "${1:-}" = tailnet ]; then
    ip addr add 100.100.1.2/32 dev tailscale0
    ip addr add fd7a:115c:a1e0::2/128 dev tailscale0 nodad
  fi
  ip addr add 203.0.113.10/24 dev eth0
  ip addr add 2001:db8::10/64 dev eth0 nodad
}
export -f server_links

# listen NS ADDR PORT: a TCP listener inside a network namespace that greets every connection
# with "hello" and closes it; bounded; its PID joins the caller's pids array. Returns once it
# is listening (it says so in a file), so a probe never meets a listener still starting.
listen() {
  local ready
  ready=$(mktemp -u /tmp/openclaw-vps-listen.XXXXXX)
  ip netns exec "$1" timeout "$(limit 45)" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(16)
open(sys.argv[3], "w").close()
while True:
    c, _ = s.accept(); c.sendall(b"hello\n"); c.close()' "$2" "$3" "$ready" &
  pids+=("$!")
  local deadline=$((SECONDS + $(limit 5)))
  until [ -e "$ready" ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then echo "listener $2:$3 in $1 did not start" >&2; return 1; fi
    sleep 0.1
  done
  rm -f "$ready"
}

# on_private_host NODE24 OPENCLAW_ENTRY STEPS [ARGS...]: runs the script STEPS as root in a
# private mount namespace and a network namespace with only loopback, shaped as the server:
# the private copy of /etc at $W/etc, fresh /home/openclaw, /var/backups and /var/tmp, and
# the OpenClaw under test at /opt/octools (node, node_modules; bin/ for a wrapper). $W must be
# exported.
on_private_host() {
  local node24=$1 entry=$2
  shift 2
  # shellcheck disable=SC2016 # expanded by the inner shell
  unshare -m --net --propagation private bash -c '
    set -e
    ip link set lo up
    mount --bind "$W/etc" /etc
    mkdir -p /etc/openclaw-vps
    mount -t tmpfs tmpfs /home && mkdir -m 0755 /home/openclaw && chown openclaw:openclaw /home/openclaw
    mount -t tmpfs tmpfs /var/backups
    mount -t tmpfs tmpfs /var/tmp && chmod 1777 /var/tmp
    mount -t tmpfs tmpfs /opt && mkdir -p /opt/octools/bin /opt/octools/node_modules
    cp "$1" /opt/octools/node
    mount --bind "$(dirname "$(dirname "$2")")" /opt/octools/node_modules
    shift 2
    exec bash "$@"' run "$node24" "$entry" "$@"
}
