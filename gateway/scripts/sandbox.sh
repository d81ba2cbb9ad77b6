#!/bin/bash
# Builds the agents' sandbox image from the rendered Dockerfile, once per content: the tag
# carries the Dockerfile's hash, so an unchanged image is never rebuilt.
# Usage: sandbox.sh <image tag>
set -euo pipefail

readonly CONTEXT=/etc/openclaw-vps/sandbox

main() {
  if [ "$#" -ne 1 ]; then
    echo "usage: $0 <image tag>" >&2
    exit 2
  fi
  local tag=$1
  if docker image inspect "$tag" >/dev/null 2>&1; then
    echo "sandbox: $tag present"
    return
  fi
  docker build --tag "$tag" --file "$CONTEXT/Dockerfile" "$CONTEXT" </dev/null
  echo "sandbox: built $tag"
}

main "$@"
