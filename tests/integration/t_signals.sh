#!/usr/bin/env bash
# Signals outside a collection: nothing of ours is on a target, so Ctrl-C and SIGTERM end
# any long local step (loading, rules, rendering) at once with 130. Before, `check --from`
# a large file ran 25 s past Ctrl-C and exited 0. The input is a crafted 300,000-process
# snapshot (tests/craft), which `check` needs seconds for in this build. How soon it ends,
# against the whole check, is measured by `make bench` (scripts/bench.sh), not here: a
# test that gates CI holds no wall-clock limit.
. "$(dirname "$0")/lib.sh"
BIG=$_TMP/big.etf
"$TOP/tests/craft/craft.escript" 300000 "$BIG"
bounded 300 "$OA" check --from "$BIG" >"$_TMP/full.out" 2>&1
honest check_eq "check --from the crafted file exits 0" 0 $?
check "check --from the crafted file prints its findings uninterrupted" test -s "$_TMP/full.out"
# handlers PID: wait (at most 10 s) until the process catches SIGINT and SIGTERM
handlers() {
  local i m
  for ((i = 0; i < 100; i++)); do
    m=$(sed -n 's/^SigCgt:\s*//p' "/proc/$1/status" 2>/dev/null)
    [ -n "$m" ] && (( (16#$m & 0x4002) == 0x4002 )) && return 0
    sleep 0.1
  done
  return 1
}
for sig in INT TERM; do
  "$OA" check --from "$BIG" >"$_TMP/$sig.out" 2>&1 &
  pid=$!
  handlers $pid || echo "  note  no handlers seen on the check"
  sleep 0.3
  kill -s $sig $pid
  wait_bounded $pid 30; rc=$?
  check_eq "SIG$sig during check --from: exit 130" 130 "$rc"
  # (what the whole check prints, beside: a program that prints nothing would pass alone)
  check "... before it printed anything (it stopped, not finished)" test -s "$_TMP/full.out" -a ! -s "$_TMP/$sig.out"
done

# In the shell, Ctrl-C ends the command that runs (loading a file here) and the shell goes
# on; before, it waited for the whole load. A line holding the cookie's value is refused
# and never reaches the history.
SMALL=$_TMP/small.etf
"$TOP/tests/craft/craft.escript" 1000 "$SMALL"
SECRET=oa$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
HIST=$_TMP/history LOG=$_TMP/shell.log
OTP_ADVISOR_COOKIE=$SECRET OTP_ADVISOR_HISTORY=$HIST TERM=xterm NO_COLOR=1 bounded 180 expect >"$LOG" 2>&1 <<EOX
set timeout 30
set stty_init "rows 40 columns 250"
spawn $OA shell --from $SMALL
$EXPECT_PROCS
step "prompt" "> "
puts "\\nLIMITS [exec grep {core file} /proc/[exp_pid]/limits]"
send "load $BIG\r"
step "a load runs" "load \[^\r]*\r\n"
sleep 0.5
send "\003"
step "Ctrl-C stops the load" "interrupted: nothing loaded"
send "summary\r"
step "the shell goes on with the snapshot it had" "1,001 in snapshot"
send "save /tmp/$SECRET.etf\r"
step "a line with the cookie is refused" "holds the node's cookie"
# sent as soon as the error shows, before the prompt: the ^D the shell lost under load
send "\004"
set timeout 10
expect {
  eof { puts "\nSTEP-OK Ctrl-D quits" }
  timeout { puts "\nSTEP-FAIL Ctrl-D quits" }
}
puts "\nEXIT [reap 10]"
EOX
for s in "prompt" "Ctrl-C stops the load" "the shell goes on with the snapshot it had" "a line with the cookie is refused" \
         "Ctrl-D quits"; do
  if grep -q "STEP-OK $s\$" "$LOG"; then ok "shell: $s"; else not_ok "shell: $s" "$(tail -c 2000 "$LOG")"; fi
done
check_contains "shell: exit 0 after Ctrl-D" "EXIT 0" "$(cat "$LOG")"
check "shell: no core can be written (it would hold the cookie)" grep -Eq "^LIMITS Max core file size +0 +0" "$LOG"
check "shell: history written" test -s "$HIST"
check_absent "shell: the cookie's value is not in the history (of the commands typed)" "summary" "$SECRET" "$(cat "$HIST")"
honest check_not_contains "shell: no file named after the cookie" "$SECRET" "$(ls /tmp)"
check_absent "shell: no sanitizer report (in a session that ran)" "STEP-OK prompt" "Sanitizer" "$(cat "$LOG")"
finish
