#!/usr/bin/env bash
# Signals outside a collection: nothing of ours is on a target, so Ctrl-C and SIGTERM end
# any long local step (loading, rules, rendering) at once with 130. Before, `check --from`
# a large file ran 25 s past Ctrl-C and exited 0. The input is a crafted 300,000-process
# snapshot (tests/craft), which `check` needs seconds for in this build.
. "$(dirname "$0")/lib.sh"
BIG=$_TMP/big.etf
"$TOP/tests/craft/craft.escript" 300000 "$BIG"
t0=$(date +%s%N); "$OA" check --from "$BIG" >/dev/null 2>&1; full=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "  info  check --from the crafted file takes $full ms uninterrupted"
for sig in INT TERM; do
  "$OA" check --from "$BIG" >/dev/null 2>&1 &
  pid=$!
  sleep 0.3
  t0=$(date +%s%N); kill -s $sig $pid; wait $pid; rc=$?
  took=$(( ($(date +%s%N) - t0) / 1000000 ))
  check_eq "SIG$sig during check --from: exit 130" 130 "$rc"
  check "... within 0.5 s ($took ms; the whole check takes $full ms)" test "$took" -le 500
done
finish
