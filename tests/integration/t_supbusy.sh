#!/usr/bin/env bash
# Supervisors out of their receive loop at every look (tests/fixtures/supbusy): one
# starting children back to back is seen serving its queue and asked (its children are
# read, its start pressure reported); one blocked in a child's init is never asked,
# however often it is looked at (each look costs it a reduction: that is not progress),
# and nothing of ours is left in its mailbox. Both collectors.
. "$(dirname "$0")/lib.sh"

start_fixture supbusy B
sleep 1 # the starters are running
sup() { jq -r --arg n "$2" '.supervisors[] | select(.name == $n) | '"$3" "$1"; }
for mode in probe no-load; do
  flag=; [ $mode = no-load ] && flag=--no-load
  J=$(tmpfile "dump-$mode")
  # the blocked supervisor costs one deadline, not a hang: the dump ends by itself (124 at
  # the bound); how long is not judged here (a busy machine stretches it)
  bounded 120 "$OA" dump --json $flag "$B_NODE" --cookie-file "$B_COOKIE" >"$J" 2>"$J.err"
  honest check_eq "[$mode] dump exits 0" 0 $?
  check_eq "[$mode] sb_starting, busy starting children, was asked and answered" "ok" \
    "$(sup "$J" sb_starting '"\(.status)\(if .error then ": " + .error else "" end)"')"
  kids=$(sup "$J" sb_starting .children)
  if [ "${kids:-0}" -ge 1 ]; then ok "[$mode] ... its children read ($kids)"; else not_ok "[$mode] sb_starting children: '$kids'"; fi
  check_eq "[$mode] sb_stuck, blocked in a child's init, recorded as busy and not asked" "busy" "$(sup "$J" sb_stuck .status)"
  check_contains "[$mode] ... where it waits" "sync_start_link" "$(sup "$J" sb_stuck .error)"
  honest check_eq "[$mode] nothing of ours in sb_stuck's mailbox" "0" \
    "$(node_eval B "element(2, process_info(whereis(sb_stuck), message_queue_len)).")"
done
# sb_slow serves its queue of starters (40 ms a start, ~300 ms behind 8 starters): asked
# with a deadline shorter than its queue, it is slow, not blocked, and a warning
S=$(tmpfile slow)
"$OA" dump --json --sup-timeout 150 "$B_NODE" --cookie-file "$B_COOKIE" >"$S" 2>"$S.err"
honest check_eq "[150 ms] dump exits 0" 0 $?
check_eq "[150 ms] sb_slow, serving a queue longer than the deadline, is slow" "slow" "$(sup "$S" sb_slow .status)"
check_contains "[150 ms] ... behind its queue" "serving its queue:" "$(sup "$S" sb_slow .error)"
check_eq "[150 ms] sb_stuck is still busy" "busy" "$(sup "$S" sb_stuck .status)"
S2=$(tmpfile slowcheck)
"$OA" check --json --sup-timeout 150 "$B_NODE" --cookie-file "$B_COOKIE" >"$S2" 2>"$S2.err"
honest check_eq "[150 ms] check exits 0" 0 $?
check_eq "[150 ms] sb_slow: a warning that it is slow, not a blocked supervisor" "warning serving its queue" \
  "$(jq -r '.findings[] | select(.rule == "unresponsive-supervisor" and .subject.name == "sb_slow") | "\(.severity) \(.summary | capture("(?<w>serving its queue)").w)"' "$S2")"
check_eq "[150 ms] sb_stuck: critical" "critical" \
  "$(jq -r '.findings[] | select(.rule == "unresponsive-supervisor" and .subject.name == "sb_stuck") | .severity' "$S2")"
check_eq "[default] sb_slow answered" "ok" "$(sup "$J" sb_slow .status)"
J=$(tmpfile check)
"$OA" check --json "$B_NODE" --cookie-file "$B_COOKIE" >"$J" 2>"$J.err"
honest check_eq "check exits 0" 0 $?
check_eq "sb_stuck: unresponsive, critical" "critical" \
  "$(jq -r '.findings[] | select(.rule == "unresponsive-supervisor" and .subject.name == "sb_stuck") | .severity' "$J")"
check_silent "sb_starting: not called unresponsive (sb_stuck is)" "sb_stuck" \
  "$(jq -r '.findings[] | select(.rule == "unresponsive-supervisor") | .subject.name' "$J")" \
  "$(jq -r '.findings[] | select(.rule == "unresponsive-supervisor" and .subject.name == "sb_starting") | .severity' "$J")"
ev=$(jq -c '.findings[] | select(.rule == "missing-partition-supervisor" and .subject.name == "sb_starting") | .evidence' "$J")
if [ -n "$ev" ] && [ "$(jq '.callers_in_call >= 5 and .callers_waiting >= 5' <<<"$ev")" = true ]; then
  ok "sb_starting: start pressure, its callers seen waiting ($ev)"
else not_ok "sb_starting: no missing-partition-supervisor with callers waiting" "$(jq -c '.findings[] | [.rule, .subject.name, .evidence]' "$J")"; fi
# the report on the supervisor that did not answer counts its child from its ancestry
# ('$ancestors' and a link), and says so
RJ=$(tmpfile report)
"$OA" snapshot "$B_NODE" --cookie-file "$B_COOKIE" -o "$J.etf" 2>"$RJ.err"
honest check_eq "snapshot exits 0" 0 $?
"$OA" report --json --from "$J.etf" sb_stuck >"$RJ" 2>"$RJ.err"
honest check_eq "report on sb_stuck exits 0" 0 $?
check_eq "... one supervisor unread, its child in init counted from its ancestry" "1 1 2" \
  "$(jq -r '.sections[0].numbers | "\(.supervisors_unread) \(.children_by_ancestry) \(.processes)"' "$RJ")"
check_contains "... and said" "1 process under 1 supervisor whose children could not be read, counted from their ancestry" \
  "$("$OA" report --from "$J.etf" sb_stuck 2>&1)"
check_contains "the Erlang advice: hash over N supervisors" "erlang:phash2(Key, N)" \
  "$(jq -r '.findings[] | select(.rule == "missing-partition-supervisor") | .recommendation' "$J")"
check_contains "... and the slow init named" "handle_continue" \
  "$(jq -r '.findings[] | select(.rule == "missing-partition-supervisor") | .recommendation' "$J")"
honest check_eq "the node is still healthy" "true" "$(node_eval B "is_process_alive(whereis(sb_sup)).")"
finish
