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

# In the shell, Ctrl-C ends the command that runs (loading a file here) and the shell goes
# on, within 0.5 s; before, it waited for the whole load. A line holding the cookie's value
# is refused and never reaches the history.
SMALL=$_TMP/small.etf
"$TOP/tests/craft/craft.escript" 1000 "$SMALL"
SECRET=oa$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
HIST=$_TMP/history LOG=$_TMP/shell.log
OTP_ADVISOR_COOKIE=$SECRET OTP_ADVISOR_HISTORY=$HIST TERM=xterm NO_COLOR=1 timeout 120 expect >"$LOG" 2>&1 <<EOX
set timeout 30
spawn $OA shell --from $SMALL
proc step {what pattern} {
  expect {
    -re \$pattern { puts "\nSTEP-OK \$what" }
    timeout { puts "\nSTEP-FAIL \$what"; exit 1 }
    eof { puts "\nSTEP-FAIL \$what (eof)"; exit 1 }
  }
}
step "prompt" "> "
puts "\\nLIMITS [exec grep {core file} /proc/[exp_pid]/limits]"
send "load $BIG\r"
sleep 0.5
set t0 [clock milliseconds]
send "\003"
step "Ctrl-C stops the load" "interrupted: nothing loaded"
puts "\nELAPSED [expr {[clock milliseconds] - \$t0}]"
send "summary\r"
step "the shell goes on with the snapshot it had" "1,001 in snapshot"
send "save /tmp/$SECRET.etf\r"
step "a line with the cookie is refused" "holds the node's cookie"
send "\004"
expect eof
catch wait result
puts "\nEXIT [lindex \$result 3]"
EOX
for s in "prompt" "Ctrl-C stops the load" "the shell goes on with the snapshot it had" "a line with the cookie is refused"; do
  if grep -q "STEP-OK $s\$" "$LOG"; then ok "shell: $s"; else not_ok "shell: $s" "$(tail -c 2000 "$LOG")"; fi
done
el=$(sed -n 's/^ELAPSED //p' "$LOG" | tr -d '\r')
check "shell: ... within 0.5 s (${el:-?} ms)" test "${el:-9999}" -le 500
check_contains "shell: exit 0 after Ctrl-D" "EXIT 0" "$(cat "$LOG")"
check "shell: no core can be written (it would hold the cookie)" grep -Eq "^LIMITS Max core file size +0 +0" "$LOG"
check "shell: history written" test -s "$HIST"
check_not_contains "shell: the cookie's value is not in the history" "$SECRET" "$(cat "$HIST")"
check_not_contains "shell: no file named after the cookie" "$SECRET" "$(ls /tmp)"
check_not_contains "shell: no sanitizer report" "Sanitizer" "$(cat "$LOG")"
finish
