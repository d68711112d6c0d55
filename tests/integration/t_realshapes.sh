#!/usr/bin/env bash
# Shapes of real systems (tests/fixtures/realshapes): the top an application master names,
# a gen_server declared a supervisor, an idle simple_one_for_one of 10,000, a supervisor
# blocked in a start_child snapshotted 50 times. Nothing crashes, nothing is logged, no
# message of ours is left behind (safety checks in finish).
. "$(dirname "$0")/lib.sh"

start_fixture realshapes R
J=$(tmpfile dump)
"$OA" dump --json "$R_NODE" --cookie-file "$R_COOKIE" --sup-timeout 300 >"$J" 2>"$J.err"
honest check_eq "dump exits 0" 0 $?
sup() { jq -r --arg n "$1" '.supervisors[] | select(.name == $n) | '"$2" "$J"; }
pid_of() { node_eval R "pid_to_list(whereis($1))." | tr -d '"'; }

check_eq "the application's top is rs_sup (what get_child answers), not the config server started first" \
  "$(pid_of rs_sup)" "$(jq -r '.apps[] | select(.name == "realshapes") | .top' "$J")"
check_eq "rs_fake_sup (a gen_server declared supervisor) is recorded and not asked" \
  "declared supervisor not_asked" "$(sup rs_fake_sup '"\(.kind) \(.status)"')"
check_eq "rs_fake_sup is alive, the same process, after the snapshot" "$(jq -r '.supervisors[] | select(.name == "rs_fake_sup") | .pid' "$J")" "$(pid_of rs_fake_sup)"
check_eq "its two linked workers are not reported unsupervised" "0" \
  "$(jq '[.unsupervised[] | select(.initial_call | test("realshapes_server:worker"))] | length' "$J")"
"$OA" dump "$R_NODE" --cookie-file "$R_COOKIE" --window 0 --sup-timeout 300 >"$_TMP/dump.txt" 2>&1
honest check_eq "dump (text) exits 0" 0 $?
check_eq "the tree shows rs_fake_sup's two workers as probably supervised" "2" \
  "$(sed -n '/rs_fake_sup/,/rs_idle_pool/p' "$_TMP/dump.txt" | grep -c 'probably supervised')"
check_eq "rs_idle_pool holds its 10,000 children" "10000" "$(sup rs_idle_pool .children)"
rate=$(sup rs_idle_pool .reds_per_s)
if [[ "$rate" =~ ^[0-9.e+-]+$ ]] && awk -v r="$rate" 'BEGIN { exit !(r < 5) }'; then ok "the idle rs_idle_pool shows ~0 reds/s ($rate): our requests are outside the window"
else not_ok "the idle rs_idle_pool shows $rate reds/s"; fi
check_eq "rs_blocked, blocked in a start_child, is busy and not asked" "busy" "$(sup rs_blocked .status)"
check_contains "its error names where it is stuck" "not waiting in its receive loop" "$(sup rs_blocked .error)"

C=$(tmpfile check)
"$OA" check --json "$R_NODE" --cookie-file "$R_COOKIE" --sup-timeout 300 >"$C" 2>&1
honest check "check exits 0 or 1 (findings)" test $? -le 1
check_eq "no missing-partition-supervisor for the idle pool" "0" \
  "$(jq '[.findings[] | select(.rule == "missing-partition-supervisor")] | length' "$C")"
check_eq "unresponsive-supervisor on rs_blocked (critical)" "critical" \
  "$(jq -r '.findings[] | select(.rule == "unresponsive-supervisor") | .severity' "$C")"

# the blocked supervisor, snapshotted 50 times: nothing queued, nothing crashes
fails=0
for _ in $(seq 1 50); do
  "$OA" dump --json "$R_NODE" --cookie-file "$R_COOKIE" --window 0 --sup-timeout 100 >/dev/null 2>&1 || fails=$((fails + 1))
done
honest check_eq "50 snapshots of the blocked supervisor all succeed" 0 "$fails"
honest check_eq "rs_blocked's mailbox holds nothing of ours" "0" "$(node_eval R "element(2, process_info(whereis(rs_blocked), message_queue_len)).")"
check_eq "rs_fake_sup never crashed (same pid)" "$(jq -r '.supervisors[] | select(.name == "rs_fake_sup") | .pid' "$J")" "$(pid_of rs_fake_sup)"
finish
