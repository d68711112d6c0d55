#!/usr/bin/env bash
# A node its own work keeps at 100 % (tests/fixtures/overload): 100,000 idle processes,
# 16 busy loops on every scheduler, a mailbox growing by ~100k messages a second.
# snapshot, check and report finish within a few times the idle time, the stretched
# window is said, and the probe is removed every time.
# timings: the release build (under ASan the 100,000-process save alone takes a minute)
OA=${OA_RELEASE:-$(cd "$(dirname "$0")/../.." && pwd)/build/otp-advisor}
. "$(dirname "$0")/lib.sh"

FIXTURE_N=${OVERLOAD_N:-100000} start_fixture overload O
ms() { echo $(( ($2 - $1) / 1000000 )); }
probes_left() { harness_report "$O_DIR" | sed -n 's/.* probes=\([0-9]*\) .*/\1/p'; }

t0=$(date +%s%N)
"$OA" snapshot "$O_NODE" --cookie-file "$O_COOKIE" -o "$_TMP/idle.etf" 2>"$_TMP/idle.err"
check_eq "idle snapshot exits 0" 0 $?
idle=$(ms "$t0" "$(date +%s%N)")
budget=$(( idle * 4 + 3000 ))
echo "  idle snapshot: $idle ms; budget on the busy node: $budget ms"

node_eval O 'overload_app:load().' >/dev/null
sleep 2
check_eq "the node is saturated (run queues non-empty)" "true" "$(node_eval O 'erlang:statistics(total_run_queue_lengths) > 4.')"

t0=$(date +%s%N)
"$OA" snapshot "$O_NODE" --cookie-file "$O_COOKIE" -o "$_TMP/busy.etf" 2>"$_TMP/busy.err"
rc=$?; took=$(ms "$t0" "$(date +%s%N)")
check_eq "snapshot of the saturated node exits 0" 0 $rc
if [ "$took" -le "$budget" ]; then ok "snapshot within the budget ($took ms, idle $idle ms)"; else not_ok "snapshot took $took ms (idle $idle ms)" "$(cat "$_TMP/busy.err")"; fi
check_eq "the probe is removed after the snapshot" "0" "$(probes_left)"

t0=$(date +%s%N)
out=$("$OA" check "$O_NODE" --cookie-file "$O_COOKIE" 2>&1)
rc=$?; took=$(ms "$t0" "$(date +%s%N)")
check "check of the saturated node exits 0 or 1 (findings)" test "$rc" -le 1
if [ "$took" -le "$budget" ]; then ok "check within the budget ($took ms)"; else not_ok "check took $took ms (idle $idle ms)" "$out"; fi
check_contains "check says the window was stretched" "the window was stretched" "$out"
check_contains "the growing mailbox is found" "mailbox-buildup" "$out"
check_eq "the probe is removed after check" "0" "$(probes_left)"

t0=$(date +%s%N)
"$OA" report "$O_NODE" --cookie-file "$O_COOKIE" -o "$_TMP/r.md" 2>"$_TMP/r.err"
rc=$?; took=$(ms "$t0" "$(date +%s%N)")
check_eq "report of the saturated node exits 0" 0 $rc
if [ "$took" -le "$budget" ]; then ok "report within the budget ($took ms)"; else not_ok "report took $took ms (idle $idle ms)" "$(cat "$_TMP/r.err")"; fi
check_eq "the probe is removed after report" "0" "$(probes_left)"
finish
