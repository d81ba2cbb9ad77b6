#!/bin/bash
# Shared by the conformance scripts that run rendered server scripts in a private mount
# namespace. Source it; it defines functions only.

# private_etc DEST: a copy of /etc to bind-mount over /etc, with the gateway's account in it.
private_etc() {
  local dest=$1
  cp -a /etc "$dest"
  grep -q '^openclaw:' "$dest/passwd" || echo 'openclaw:x:1500:1500:OpenClaw gateway:/home/openclaw:/bin/bash' >>"$dest/passwd"
  grep -q '^openclaw:' "$dest/group" || echo 'openclaw:x:1500:' >>"$dest/group"
}
