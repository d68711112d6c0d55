#!/usr/bin/env bash
# Sessions side by side: 30 pairs of `check` started together on one node all exit 0 and
# leave no probe code behind (current or old: erlang:loaded/0 lists both), and nothing is
# logged. Before, each saw the other attached and neither removed the shared probe (13 of
# 30 pairs left it). A SIGKILLed session's probe is removed by the next session.
. "$(dirname "$0")/lib.sh"
start_fixture basic B
left() { node_eval B "length([M || M <- erlang:loaded(), lists:prefix(\"otp_advisor_probe\", atom_to_list(M))])."; }
PAIRS=${PAIRS:-30}
bad_rc=0 leftovers=0 unread=0
for i in $(seq 1 "$PAIRS"); do
  "$OA" check --window 0.2 "$B_NODE" --cookie-file "$B_COOKIE" >"$_TMP/a.out" 2>"$_TMP/a.err" &
  p1=$!
  "$OA" check --window 0.2 "$B_NODE" --cookie-file "$B_COOKIE" >"$_TMP/b.out" 2>"$_TMP/b.err" &
  p2=$!
  wait_bounded $p1 120; r1=$?
  wait_bounded $p2 120; r2=$?
  [ $r1 -le 1 ] && [ $r2 -le 1 ] || { bad_rc=$((bad_rc + 1)); cat "$_TMP/a.err" "$_TMP/b.err"; }
  grep -qF "on $B_NODE" "$_TMP/a.out" && grep -qF "on $B_NODE" "$_TMP/b.out" || unread=$((unread + 1))
  n=$(left)
  [ "$n" = 0 ] || { leftovers=$((leftovers + 1)); node_eval B "[code:soft_purge(M) andalso code:delete(M) andalso code:soft_purge(M) || M <- erlang:loaded(), lists:prefix(\"otp_advisor_probe\", atom_to_list(M))]." >/dev/null; }
done
honest check_eq "$PAIRS concurrent pairs: every check exits 0 or 1" 0 "$bad_rc"
check_eq "$PAIRS concurrent pairs: every check reports on the node" "$PAIRS pairs read" "$((PAIRS - unread)) pairs read"
honest check_eq "$PAIRS concurrent pairs: no probe code left after any pair" 0 "$leftovers"

# a session killed with SIGKILL leaves its probe; the next session removes it
"$OA" snapshot --window 3 "$B_NODE" --cookie-file "$B_COOKIE" -o "$_TMP/s.etf" >/dev/null 2>&1 &
kp=$!
for _ in $(seq 1 50); do [ "$(left)" != 0 ] && break; sleep 0.1; done
check "the killed session's probe is loaded" test "$(left)" != 0
kill -9 $kp; wait $kp 2>/dev/null
"$OA" check --window 0 "$B_NODE" --cookie-file "$B_COOKIE" >/dev/null 2>&1; rc=$?
honest check "the next session runs (exit $rc)" test $rc -le 1
honest check_eq "the next session removes it" 0 "$(left)"
finish
