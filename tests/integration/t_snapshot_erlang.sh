#!/usr/bin/env bash
# A real plain-Erlang node (tests/fixtures/erlbasic): gen_server, gen_statem,
# simple_one_for_one, a :global name, and a supervisor that stays blocked.
. "$(dirname "$0")/lib.sh"

start_fixture erlbasic E
J1=$(tmpfile probe); J2=$(tmpfile noload)
# a blocked supervisor costs one deadline, not a hang: each dump ends by itself (a hang would
# end at the bound with 124); how long is not judged here (a busy machine stretches it)
bounded 120 "$OA" dump --json "$E_NODE" --cookie-file "$E_COOKIE" --window 0 --sup-timeout 500 >"$J1" 2>"$J1.err"
honest check_eq "probe path exits 0 although a supervisor blocks" 0 $?
bounded 120 "$OA" dump --json "$E_NODE" --cookie-file "$E_COOKIE" --window 0 --sup-timeout 500 --no-load >"$J2" 2>"$J2.err"
honest check_eq "no-load path exits 0" 0 $?
# the loaded probe walks with several processes by default; one walker must see the same
J3=$(tmpfile onewalker)
OTP_ADVISOR_WALKERS=1 bounded 120 "$OA" dump --json "$E_NODE" --cookie-file "$E_COOKIE" --window 0 --sup-timeout 500 >"$J3" 2>"$J3.err"
honest check_eq "probe path with one walker exits 0" 0 $?

sup() { jq -r --arg n "$2" '.supervisors[] | select(.name == $n) | '"$3" "$1"; }
for J in "$J1" "$J2" "$J3"; do
  m=$(jq -r .method "$J"); [ "$J" = "$J3" ] && m="$m, one walker"
  check_eq "[$m] erlbasic_sup one_for_one 4/30" "supervisor one_for_one 4/30 5" "$(sup "$J" erlbasic_sup '"\(.kind) \(.strategy) \(.intensity)/\(.period) \(.children)"')"
  check_eq "[$m] erlbasic_pool simple_one_for_one with 1200 workers" "simple_one_for_one 1200" "$(sup "$J" erlbasic_pool '"\(.strategy) \(.children)"')"
  check_eq "[$m] erlbasic_load holds the 40 callers" "40" "$(sup "$J" erlbasic_load .children)"
  check_eq "[$m] erlbasic_slow, blocked in a start_child, recorded as busy and not asked" "busy" "$(sup "$J" erlbasic_slow .status)"
  check_eq "[$m] unsupervised = exactly the planted processes" "planted_blocked_caller:foreign-orphan
planted_lonely:foreign-orphan" "$(jq -r '.unsupervised[] | "\(.name):\(.class)"' "$J" | sort)"
  check_eq "[$m] global name mapped" '"erlbasic_global"' "$(jq '.globals[0].name' "$J")"
  check_eq "[$m] no Elixir on this node" null "$(jq .node.elixir_version "$J")"
done
sups() { jq -c '[.supervisors[] | [.name, .strategy, .children, .status]] | sort' "$1"; }
s1=$(sups "$J1"); s3=$(sups "$J3")
# (what both read must exist and name the pool: two empty outputs are not the same tree)
check "the supervisors seen by the default walkers and by one are the same, erlbasic_pool among them" \
  test -n "$s1" -a "$s1" = "$s3" -a "${s1/erlbasic_pool/}" != "$s1"
check_eq "the default walkers saw the 1200 pool workers as supervised" "1" "$(jq '[.supervisors[] | select(.name == "erlbasic_pool" and .children == 1200)] | length' "$J1")"
node_pool=$(node_eval E "proplists:get_value(active, supervisor:count_children(erlbasic_pool)).")
check_eq "pool size = count_children on the node" "$node_pool" "$(sup "$J1" erlbasic_pool .children)"
honest check_eq "nothing of ours waits in the blocked supervisor's mailbox" "0" "$(node_eval E "element(2, process_info(whereis(erlbasic_slow), message_queue_len)).")"
honest check_eq "the node is still healthy after the timeouts" "true" "$(node_eval E "is_process_alive(whereis(erlbasic_sup)).")"
finish
