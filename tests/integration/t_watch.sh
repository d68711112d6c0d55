#!/usr/bin/env bash
# otp-advisor watch on a node whose behaviour changes while it is watched (tests/fixtures/
# watchy, its minutes run in seconds): a burst at start that drains, a queue that starts
# growing after 8 s, a process kept saturated, a 3 s timer, an idle worker, a child crashing
# every 3 s. Over 30 s of light samples (JSON lines): the growing queue, the saturated process
# and the spread-out restarts appear; the idle worker becomes a warning once the watch is
# longer than idle.window_s; the burst, the timer and a plain check stay silent on the
# watch-only rules. Then the live view on a terminal, and Ctrl-C: a summary, the probe
# removed (the safety checks). ASan build.
. "$(dirname "$0")/lib.sh"
WATCHY_GROW_AFTER=8 WATCHY_TIMER_S=3 WATCHY_CRASH_S=3 start_fixture watchy W
A=(--cookie-file "$W_COOKIE" --set watch.grow_s=8 --set watch.grow_msgs=50 --set idle.window_s=12)
out=$(bounded 120 "$OA" watch "${A[@]}" --every 1 --for 30 --save "$_TMP/w.etf" "$W_NODE" 2>"$_TMP/err"); rc=$?
honest check_eq "watch --for 30: exit 0" 0 "$rc"
check_contains "watch --save says where" "saved to $_TMP/w.etf" "$(cat "$_TMP/err")"
check_silent "watch: nothing else on stderr" "saved to $_TMP/w.etf" "$(cat "$_TMP/err")" "$(grep -v 'saved to' "$_TMP/err")"
samples=$(grep -c '"type":"sample"' <<<"$out")
check "watch: a JSON line a sample (got $samples in 30 s, every 1 s)" test "$samples" -ge 20 -a "$samples" -le 32
sum=$(grep '"type":"summary"' <<<"$out")
check_eq "watch: the summary names the node" "$W_NODE" "$(jq -r .node <<<"$sum")"
check "watch: the summary gives the cost of a sample" test "$(jq -r '.sample_in_node_ms_mean > 0' <<<"$sum")" = true
# the trees are read again after a restart, not after every sample: a read's own calls to
# the supervisors must not count as their work (they did: a read on every sample)
reads=$(jq -r .tree_reads <<<"$sum")
check "watch: the trees read again only after work ($reads reads in $samples samples, a crash every 3 s)" \
  test "$reads" -ge 3 -a "$reads" -le $((samples / 2))
appeared() { jq -r 'select(.type == "finding" and .event == "appeared") | "\(.rule) \(.subject)"' <<<"$out"; }
check_contains "a queue growing for seconds appears" "mailbox-growing watchy_grow" "$(appeared)"
check_contains "a process saturated most of the time appears" "saturated-over-time watchy_hot" "$(appeared)"
check_contains "restarts spread over the watch appear" "restarts-over-time watchy_crash_sup" "$(appeared)"
active() { jq -r '.findings[] | select(.active) | "\(.severity) \(.rule) \(.subject)"' <<<"$sum"; }
check_contains "the idle worker is a warning over the long watch" "warning process-without-runtime-reason watchy_idle" "$(active)"
check_not_contains "the burst is not saturated" "saturated-over-time watchy_burst" "$(appeared)"
check_not_contains "the burst is no growing queue" "mailbox-growing watchy_burst" "$(appeared)"
check_not_contains "the hot process's bounded queue is no growing queue" "mailbox-growing watchy_hot" "$(appeared)"
check_not_contains "the 3 s timer is a runtime reason: not idle at the end" "watchy_timer" \
  "$(jq -r '.findings[] | select(.active and .rule == "process-without-runtime-reason") | .summary' <<<"$sum")"
burst=$(jq -r 'select(.type == "finding" and .subject == "watchy_burst") | .event' <<<"$out" | sort -u | tr '\n' ' ')
check "the burst's queue, if seen at all, cleared (in the watch of $W_NODE)" \
  test "$(jq -r .node <<<"$sum")" = "$W_NODE" -a \( -z "$burst" -o "$burst" = "appeared cleared " \)
check "each finding says when it appeared" test "$(jq -r '[.findings[] | has("since_s")] | all' <<<"$sum")" = true

# the saved watch: format 3, its series read back by check (and so by report, the shell, mcp)
check_eq "the saved watch is format 3" "3" \
  "$(erl -noshell -eval "{ok, B} = file:read_file(\"$_TMP/w.etf\"), io:format(\"~p\", [element(2, binary_to_term(B))]), halt().")"
saved=$(bounded 60 "$OA" check --from "$_TMP/w.etf" --json --set watch.grow_s=8 --set watch.grow_msgs=50 --set idle.window_s=12 |
  jq -r '.findings[] | "\(.severity) \(.rule) \(.subject.name)"')
check_contains "check --from the saved watch: the growing queue" "mailbox-growing watchy_grow" "$saved"
check_contains "check --from the saved watch: the saturated process" "saturated-over-time watchy_hot" "$saved"
check_contains "check --from the saved watch: the restarts" "restarts-over-time watchy_crash_sup" "$saved"
check_contains "check --from the saved watch: the idle worker, a warning" "warning process-without-runtime-reason watchy_idle" "$saved"
out2=$(printf 'findings saturated-over-time\n' | bounded 60 "$OA" --from "$_TMP/w.etf")
check_contains "the shell reads the saved watch's series" "watchy_hot" "$out2"

json=$(bounded 120 "$OA" check --cookie-file "$W_COOKIE" --json "$W_NODE" 2>/dev/null)
check_contains "a plain check of the same node reads it" "\"node\":\"$W_NODE\"" "$(tr -d ' \n' <<<"$json")"
check_silent "a plain check (one window) fires none of the watch-only rules" "$W_NODE" "$(jq -r .node <<<"$json")" \
  "$(jq -r '.findings[] | select(.rule | test("growing|saturated-over|restarts-over")) | .rule' <<<"$json")"

# the live view, on a terminal
script -qfc "$OA watch ${A[*]} --every 1 --for 3 $W_NODE" /dev/null >"$_TMP/tty" 2>&1 </dev/null
view=$(sed 's/\x1b\[[0-9;]*[HJ]//g' "$_TMP/tty")
check_contains "live view: the header names the node" "watch $W_NODE" "$view"
check_contains "live view: the busiest processes" "watchy_grow" "$view"
check_contains "live view: the keys" "q quit" "$view"
check_contains "live view: the summary at the end" "watched $W_NODE for" "$view"

# Ctrl-C: a summary, then the probe removed (the safety checks below)
"$OA" watch "${A[@]}" --every 1 "$W_NODE" >"$_TMP/int" 2>&1 &
P=$!
sleep 4
kill -INT "$P"
wait_bounded "$P" 60; rc=$?
check_eq "Ctrl-C ends the watch: exit 130" 130 "$rc"
check_contains "... with its summary" '"type":"summary"' "$(cat "$_TMP/int")"
finish
