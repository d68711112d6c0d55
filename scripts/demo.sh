#!/usr/bin/env bash
# make demo: start the bundled demo node, attach otp-advisor to it, stop the node after.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
fixture=${DEMO_FIXTURE:-basic}
[ -d "$top/tests/fixtures/zoo" ] && fixture=${DEMO_FIXTURE:-zoo}
out=$("$top/scripts/fixture.sh" start "$fixture")
dir=$(sed -n 's/^DIR=//p' <<<"$out")
node=$(sed -n 's/^NODE=//p' <<<"$out")
trap '"$top/scripts/fixture.sh" stop "$dir"' EXIT
echo "demo node $node is up (fixture '$fixture'); attaching otp-advisor"
echo
"$top/build/otp-advisor" dump "$node" --cookie-file "$dir/.erlang.cookie"
