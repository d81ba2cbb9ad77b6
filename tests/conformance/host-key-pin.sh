#!/usr/bin/env bash
# host-key-pin.sh ARTIFACT_DIR REPO: the deploy talks only to the server it created.
#
# A real sshd runs with the rendered drop-in (ARTIFACT_DIR/sshd/01-openclaw-vps.conf) in a
# network namespace of its own, with a private /etc holding the admin account and, at
# /etc/ssh/ssh_host_ed25519_key, the host key, as cloud-init's ssh_keys puts it there. The
# private /etc also keeps RSA and ECDSA host keys, as an image has them. The real OpenSSH
# client then connects with the options every local step uses (components/local/ssh-pin.js; the
# rehearsal runs remote steps with the same options), and components/local/wait-for-host.js checks
# the key as the deployment's wait step does. Three servers answer in turn at the same
# address: the one with the stack's key, an impostor with another ED25519 key, and an
# impostor with only an ECDSA key. Only the first receives the canary sent on stdin.
#
# Safety: all traffic stays on the namespace's loopback; sshd is bounded by `timeout`; the
# EXIT trap stops it and deletes the namespace and the work directory.
# Prints "RESULT name=value" lines; exit 0 only if the run completed.
set -Eeuo pipefail
# shellcheck source=tests/conformance/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # limit: tests/limits.json
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C

ARTIFACTS=$(realpath "${1:?usage: host-key-pin.sh ARTIFACT_DIR REPO}")
REPO=$(realpath "${2:?usage: host-key-pin.sh ARTIFACT_DIR REPO}")
DROP_IN=$ARTIFACTS/sshd/01-openclaw-vps.conf
[[ -f $DROP_IN ]] || { echo "FATAL: $DROP_IN is missing" >&2; exit 2; }
NODE=${NODE:-node}

NS="ocv-hostkey-$$"
WORK=$(mktemp -d /tmp/openclaw-vps-hostkey-XXXXXX)
SSHD_PID=""

cleanup() {
  [[ -n $SSHD_PID ]] && kill "$SSHD_PID" 2>/dev/null && wait "$SSHD_PID" 2>/dev/null
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

ip netns add "$NS"
ip netns exec "$NS" ip link set lo up

# Keys: the stack's (what Pulumi generates and pins), two impostors', and the deploy key.
keygen() { ssh-keygen -q -t "$1" -N '' -C "$2" -f "$WORK/$2"; }
keygen ed25519 stack
keygen ed25519 impostor
keygen ecdsa impostor-ecdsa
keygen ed25519 deploy
STACK_KEY=$(cut -d' ' -f1,2 "$WORK/stack.pub")

# The private /etc: the machine's, plus the admin account, the drop-in, the image's other
# host keys, and an empty sshd_config.d apart from ours.
cp -a /etc "$WORK/etc"
OPS_UID=1601
echo "ops:x:$OPS_UID:$OPS_UID:openclaw-vps automation:$WORK/home/ops:/bin/bash" >>"$WORK/etc/passwd"
echo "ops:x:$OPS_UID:" >>"$WORK/etc/group"
echo "ops:*:20000:0:99999:7:::" >>"$WORK/etc/shadow"
rm -f "$WORK/etc/ssh/sshd_config.d/"*
cp "$DROP_IN" "$WORK/etc/ssh/sshd_config.d/01-openclaw-vps.conf"
ssh-keygen -q -t rsa -b 2048 -N '' -f "$WORK/etc/ssh/ssh_host_rsa_key" <<<y >/dev/null
ssh-keygen -q -t ecdsa -N '' -f "$WORK/etc/ssh/ssh_host_ecdsa_key" <<<y >/dev/null
install -d -m 0755 "$WORK/home"
install -d -m 0700 -o "$OPS_UID" -g "$OPS_UID" "$WORK/home/ops" "$WORK/home/ops/.ssh"
install -m 0600 -o "$OPS_UID" -g "$OPS_UID" "$WORK/deploy.pub" "$WORK/home/ops/.ssh/authorized_keys"
chmod 0755 "$WORK"

# The private /etc and /run, for sshd only. Every step execs the next, so the background
# job's pid is timeout's, which passes a kill on to sshd.
# shellcheck disable=SC2016 # the inner shell expands its own arguments
MOUNTS=(unshare -m bash -c 'mount --bind "$1/etc" /etc; mount -t tmpfs tmpfs /run; mkdir -m 0755 /run/sshd; shift; exec "$@"' _ "$WORK")
in_server_mounts() { ip netns exec "$NS" "${MOUNTS[@]}" "$@"; }

# serve KEYFILE: sshd answering on port 22 with KEYFILE installed as the ED25519 host key
# (cloud-init's place for it), or, with "ecdsa-only", with the ED25519 key removed.
serve() {
  if [[ -n $SSHD_PID ]]; then kill "$SSHD_PID" 2>/dev/null; wait "$SSHD_PID" 2>/dev/null || true; SSHD_PID=""; fi
  rm -f "$WORK/etc/ssh/ssh_host_ed25519_key"*
  if [[ $1 == ecdsa-only ]]; then
    # The only key this impostor offers; its HostKey is set on the command line.
    ip netns exec "$NS" "${MOUNTS[@]}" timeout "$(limit 30)" /usr/sbin/sshd -D -e -o "HostKey=$WORK/impostor-ecdsa" 2>>"$WORK/sshd.log" &
  else
    install -m 0600 "$WORK/$1" "$WORK/etc/ssh/ssh_host_ed25519_key"
    install -m 0644 "$WORK/$1.pub" "$WORK/etc/ssh/ssh_host_ed25519_key.pub"
    ip netns exec "$NS" "${MOUNTS[@]}" timeout "$(limit 30)" /usr/sbin/sshd -D -e 2>>"$WORK/sshd.log" &
  fi
  SSHD_PID=$!
  local _
  for _ in $(seq 1 "$(limit 50)"); do
    ip netns exec "$NS" bash -c 'exec 3<>/dev/tcp/127.0.0.1/22' 2>/dev/null && return 0
    sleep 0.1
  done
  echo "FATAL: sshd did not start" >&2; cat "$WORK/sshd.log" >&2; exit 1
}

# The options components/local/ssh-pin.js gives for the stack's key.
mapfile -t PIN < <("$NODE" -e 'const { pinnedSshOptions } = require(process.argv[1]); console.log(pinnedSshOptions(process.argv[2], "127.0.0.1", process.argv[3]).join("\n"))' "$REPO/components/local/ssh-pin.js" "$WORK" "$STACK_KEY")

# deliver NAME: sends a canary on stdin, as the configure step sends the secrets; records
# ssh's exit code and whether the server received it.
deliver() {
  local name=$1 rc=0
  rm -f "$WORK/home/ops/received"
  printf 'CANARY-%s\n' "$name" | ip netns exec "$NS" timeout "$(limit 8)" ssh -F /dev/null -T -i "$WORK/deploy" \
    -o BatchMode=yes -o IdentitiesOnly=yes -o ConnectTimeout=5 "${PIN[@]}" \
    ops@127.0.0.1 "cat > $WORK/home/ops/received" 2>"$WORK/ssh-$name.err" || rc=$?
  echo "RESULT ${name}_ssh_exit=$rc"
  echo "RESULT ${name}_received=$(cat "$WORK/home/ops/received" 2>/dev/null || echo none)"
  echo "RESULT ${name}_ssh_error=$(tr '\n' ' ' <"$WORK/ssh-$name.err" | sed 's/ *$//')"
}

# wait_check NAME: the deployment's wait step, with the stack's key.
wait_check() {
  local name=$1 rc=0 out
  out=$(ip netns exec "$NS" timeout "$(limit 15)" "$NODE" "$REPO/components/local/wait-for-host.js" 127.0.0.1 22 20 "$STACK_KEY" 2>&1) || rc=$?
  echo "RESULT ${name}_wait_exit=$rc"
  echo "RESULT ${name}_wait_output=$(tr '\n' ' ' <<<"$out" | sed 's/ *$//')"
}

# What the drop-in makes sshd offer, with the image's RSA and ECDSA keys present.
echo "RESULT effective_hostkeys=$(in_server_mounts /usr/sbin/sshd -T | awk '$1 == "hostkey" { print $2 }' | paste -sd, -)"

serve stack
echo "RESULT offered_types=$(ip netns exec "$NS" ssh-keyscan -T 5 127.0.0.1 2>/dev/null | awk '{ print $2 }' | sort -u | paste -sd, -)"
wait_check genuine
deliver genuine

serve impostor
wait_check impostor
deliver impostor

serve ecdsa-only
wait_check ecdsa
deliver ecdsa

echo "RESULT stack_fingerprint=$(ssh-keygen -lf "$WORK/stack.pub" | awk '{ print $2 }')"
echo "RESULT impostor_fingerprint=$(ssh-keygen -lf "$WORK/impostor.pub" | awk '{ print $2 }')"
