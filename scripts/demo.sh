#!/usr/bin/env bash
# make demo: start the bundled demo node (the zoo: every anti-pattern planted, with load),
# open the otp-advisor shell on it, stop the node when the shell exits. Without a
# terminal, print summary, tree and findings instead.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
fixture=${DEMO_FIXTURE:-basic}
[ -f "$top/tests/fixtures/zoo/fixture.conf" ] && fixture=${DEMO_FIXTURE:-zoo}
echo "starting the demo node (fixture '$fixture')…"
out=$("$top/scripts/fixture.sh" start "$fixture")
dir=$(sed -n 's/^DIR=//p' <<<"$out")
node=$(sed -n 's/^NODE=//p' <<<"$out")
trap '"$top/scripts/fixture.sh" stop "$dir"' EXIT
echo "demo node $node is up; its cookie is in $dir/.erlang.cookie"
sleep 1 # let the load generators reach their stride
if [ -t 0 ]; then
  "$top/build/otp-advisor" "$node" --cookie-file "$dir/.erlang.cookie" || true
else
  printf 'summary\ntree\nfindings\n' | "$top/build/otp-advisor" "$node" --cookie-file "$dir/.erlang.cookie" || true
fi
