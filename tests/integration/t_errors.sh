#!/usr/bin/env bash
# Each failure is one clear line and exit code 2; nothing crashes (sanitizer build);
# Ctrl-C and a killed session leave no probe behind.
. "$(dirname "$0")/lib.sh"

start_fixture basic B
BAD=$(tmpfile badcookie); echo "not-the-cookie" > "$BAD"
host=$(hostname -s)

out=$("$OA" dump "$B_NODE" --cookie-file "$BAD" 2>&1); rc=$?
check_eq "wrong cookie: exit 2" 2 $rc
check_contains "wrong cookie: says cookie rejected" "cookie rejected" "$out"

out=$("$OA" dump "nosuchnode@$host" --cookie-file "$B_COOKIE" 2>&1); rc=$?
check_eq "unknown node: exit 2" 2 $rc
check_contains "unknown node: says not registered" "not registered" "$out"
check_contains "unknown node: lists the names epmd knows" "${B_NODE%@*}" "$out"

out=$("$OA" dump "x@no-such-host.invalid" --cookie-file "$B_COOKIE" 2>&1); rc=$?
check_eq "unknown host: exit 2" 2 $rc
check_contains "unknown host: says host unknown" "host unknown" "$out"

out=$(ERL_EPMD_PORT=9 "$OA" dump "$B_NODE" --cookie-file "$B_COOKIE" 2>&1); rc=$?
check_eq "epmd unreachable: exit 2" 2 $rc
check_contains "epmd unreachable: says so" "epmd not reachable" "$out"

out=$(OTP_ADVISOR_COOKIE=$(cat "$B_COOKIE") "$OA" dump --json "$B_NODE" --window 0 2>&1); rc=$?
honest check_eq "cookie from \$OTP_ADVISOR_COOKIE: exit 0" 0 $rc
check_contains "cookie from \$OTP_ADVISOR_COOKIE works: the dump names the node" "$B_NODE" "$(jq -r .node.name <<<"$out")"
out=$("$OA" dump "$B_NODE" --cookie-file /nonexistent 2>&1); rc=$?
check_eq "missing cookie file: exit 2" 2 $rc
check_contains "missing cookie file: says which" "/nonexistent" "$out"

for f in empty garbage truncated; do
  F=$(tmpfile "$f")
  case $f in
    empty) : > "$F" ;;
    garbage) head -c 4096 /dev/urandom > "$F" ;;
    truncated) "$OA" snapshot "$B_NODE" --cookie-file "$B_COOKIE" --window 0 -o "$F.full" 2>/dev/null
               honest check_eq "the snapshot to truncate: exit 0" 0 $?
               check "... a whole file" test "$(stat -c %s "$F.full")" -gt 1000
               head -c $(( $(stat -c %s "$F.full") / 2 )) "$F.full" > "$F" ;;
  esac
  out=$("$OA" dump --from "$F" 2>&1); rc=$?
  check_eq "$f snapshot file: exit 2, no crash" 2 $rc
  check "$f snapshot file: one line, the error" test "$(wc -l <<<"$out")" -eq 1 -a "$(grep -c '^otp-advisor: ' <<<"$out")" -eq 1
done

# when loading is refused, the same snapshot comes through stock calls, and it says so
out=$(OTP_ADVISOR_TEST_REFUSE_LOAD=1 "$OA" dump --json "$B_NODE" --cookie-file "$B_COOKIE" --window 0 2>"$_TMP/refused.err"); rc=$?
honest check_eq "load refused: still exit 0" 0 $rc
check_contains "load refused: says it falls back" "loading the probe was refused" "$(cat "$_TMP/refused.err")"
check_eq "load refused: collected with stock calls" '"no-load"' "$(jq .method <<<"$out")"
probe=$("$OA" dump --json "$B_NODE" --cookie-file "$B_COOKIE" --window 0 2>/dev/null)
check_same "load refused: the same supervisors as the probe path" \
  "$(jq -c '[.supervisors[] | select(.app=="basic") | .name] | sort' <<<"$probe")" \
  "$(jq -c '[.supervisors[] | select(.app=="basic") | .name] | sort' <<<"$out")"

# Ctrl-C during collection: exit 130, probe purged
loaded() { node_eval B "length([M || {M, _} <- code:all_loaded(), lists:prefix(\"otp_advisor_probe\", atom_to_list(M))])."; }
"$OA" dump "$B_NODE" --cookie-file "$B_COOKIE" --window 20 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 50); do [ "$(loaded)" = 1 ] && break; sleep 0.1; done
check_eq "probe loaded while collecting" 1 "$(loaded)"
kill -INT $pid; wait_bounded $pid 30; rc=$?
check_eq "Ctrl-C: exit 130" 130 $rc
honest check_eq "Ctrl-C: probe purged" 0 "$(loaded)"

# a session that dies (kill -9) leaves the probe; the next attach removes it
"$OA" dump "$B_NODE" --cookie-file "$B_COOKIE" --window 20 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 50); do [ "$(loaded)" = 1 ] && break; sleep 0.1; done
kill -9 $pid; wait $pid 2>/dev/null
check_eq "a killed session leaves the probe loaded" 1 "$(loaded)"
"$OA" dump "$B_NODE" --cookie-file "$B_COOKIE" --window 0 >/dev/null 2>&1
honest check_eq "the next session runs (exit 0)" 0 $?
honest check_eq "the next session cleans it up" 0 "$(loaded)"

# the node dies mid-snapshot
start_fixture basic D
"$OA" dump "$D_NODE" --cookie-file "$D_COOKIE" --window 20 >/dev/null 2>"$_TMP/died.err" &
pid=$!
sleep 1.5
kill -9 "$D_PID"
wait_bounded $pid 60; rc=$?
check_eq "node killed mid-snapshot: exit 2" 2 $rc
check_contains "node killed mid-snapshot: says the connection was lost" "lost" "$(cat "$_TMP/died.err")"
check_absent "node killed mid-snapshot: no sanitizer report" "lost" "Sanitizer" "$(cat "$_TMP/died.err")"
finish
