#!/bin/bash
# Builds the agents' sandbox image from the rendered Dockerfile, once per content: the tag
# carries the Dockerfile's hash, so an unchanged image is never rebuilt.
# With coding on, it also sets up the coder's network and proxy (coding-egress.sh); with it
# off, it takes them down if they were there.
# Usage: sandbox.sh <image tag> [coding]
set -euo pipefail

readonly CONTEXT=/etc/openclaw-vps/sandbox

main() {
  if [ "$#" -lt 1 ] || [ "$#" -gt 2 ] || { [ "$#" = 2 ] && [ "$2" != coding ]; }; then
    echo "usage: $0 <image tag> [coding]" >&2
    exit 2
  fi
  local tag=$1
  if docker image inspect "$tag" >/dev/null 2>&1; then
    echo "sandbox: $tag present"
  else
    docker build --tag "$tag" --file "$CONTEXT/Dockerfile" "$CONTEXT" </dev/null
    echo "sandbox: built $tag"
  fi
  if [ "${2:-}" = coding ]; then
    "$(dirname "$0")/coding-egress.sh" on
  elif [ -x "$(dirname "$0")/coding-egress.sh" ]; then
    # Coding was on once: take its network and proxy down (the workspace stays).
    "$(dirname "$0")/coding-egress.sh" off
  fi
}

main "$@"
