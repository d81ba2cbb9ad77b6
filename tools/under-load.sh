#!/bin/bash
# Usage: tools/under-load.sh COMMAND [ARG...]
# Runs COMMAND with a CPU hog (`yes > /dev/null`) on every core, as a busy machine would have
# them, and ends the hogs however COMMAND ends. Its exit status is COMMAND's. The tests and
# conformance checks must pass like this: their time limits come from tests/limits.json, and
# their network probes say "could not decide" rather than guess (docs/architecture.md).
#   tools/under-load.sh npm test
#   tools/under-load.sh npm run test:conformance
#   tools/under-load.sh bash .ci/run
set -uo pipefail
[ $# -gt 0 ] || { echo "usage: tools/under-load.sh COMMAND [ARG...]" >&2; exit 2; }
hogs=()
# shellcheck disable=SC2317 # called by the EXIT trap
stop() { [ ${#hogs[@]} -eq 0 ] || kill "${hogs[@]}" 2>/dev/null; }
trap stop EXIT
trap 'exit 130' INT TERM
for _ in $(seq 1 "$(nproc)"); do
  yes >/dev/null &
  hogs+=("$!")
done
echo "under-load: ${#hogs[@]} CPU hog(s) running" >&2
start=$SECONDS
"$@"
rc=$?
echo "under-load: $* exited $rc after $((SECONDS - start)) s" >&2
exit "$rc"
