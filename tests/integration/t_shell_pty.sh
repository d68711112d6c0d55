#!/usr/bin/env bash
# The shell in a real pseudo-terminal (expect): prompt, commands, tab completion,
# Ctrl-C during refresh, losing the node (the prompt changes, offline commands still
# work), reconnecting, Ctrl-D; history without cookies; the probe gone at the end.
. "$(dirname "$0")/lib.sh"

start_fixture erlbasic E
COOKIE=$(cat "$E_COOKIE")
SHORT=${E_NODE%@*}
HIST=$(tmpfile history)
LOG=$(tmpfile expect)
loaded() { node_eval E "length([M || {M, _} <- code:all_loaded(), lists:prefix(\"otp_advisor_probe\", atom_to_list(M))])."; }

cat >"$_TMP/kill.sh" <<EOS
#!/usr/bin/env bash
kill -9 $E_PID; sleep 1   # the node we started, by its pid
EOS
cat >"$_TMP/restart.sh" <<EOS
#!/usr/bin/env bash
# start it again under the same name and cookie
FIXTURE_COOKIE=$COOKIE "$TOP/scripts/fixture.sh" start erlbasic $SHORT > "$_TMP/restarted.env"
EOS
chmod +x "$_TMP/kill.sh" "$_TMP/restart.sh"

export OTP_ADVISOR_HISTORY=$HIST TERM=xterm NO_COLOR=1
bounded 240 expect >"$LOG" 2>&1 <<EOX
set timeout 20
log_user 1
spawn $OA $E_NODE --cookie-file $E_COOKIE --sup-timeout 300 --window 0.5
$EXPECT_PROCS
step "prompt" "$SHORT@\[a-z0-9-]+> "
send "summ\t"
step "command completion" "ary "
send "\r"
step "summary output" "processes .*findings .*critical"
step "prompt again" "> "
send "info erlbasic_serv\t"
step "name completion" "er "
send "\r"
step "info output" "monitored by +4\[0-9\] processes"
send "findings -s critical\r"
step "findings output" "unresponsive-supervisor"
send "nosuchcmd\r"
step "a failed command is one line" "error: unknown command 'nosuchcmd'"
send "refresh 15\r"
sleep 1.5
send "\003"
step "Ctrl-C stops the collection" "interrupted: collection stopped, probe removed"
step "and the shell goes on" "> "
send "help tree\r"
step "help for one command" "tree \\\\\[APP"
exec $_TMP/kill.sh
step "the lost node is reported at the prompt" "connection to $SHORT@\[a-z0-9-]+ lost"
send "refresh 0\r"
step "refresh says it is unreachable" "unreachable"
send "summary\r"
step "offline commands still work" "processes"
step "the prompt says disconnected" "disconnected\\\\)> "
exec $_TMP/restart.sh
send "connect\r"
step "reconnect" "connected to $SHORT"
step "collected again" "collected \[0-9,\]+ processes"
step "prompt before quitting" "$SHORT@\[a-z0-9-]+> \$"
# Ctrl-D typed while a command runs, i.e. between two lines. libedit keeps the terminal in
# its execute mode there, which was the canonical mode: the line discipline took the ^D as
# an end-of-file mark, the shell read a NUL (bound to ed-quoted-insert) and the ^D was lost.
# A script answering the prompt on a busy machine hit the same window (libedit draws the
# prompt before it sets its editing mode); here a 1 s refresh holds it open every time.
send "refresh 1\r"
step "a refresh runs" "refresh 1\r\n"
sleep 0.3
send "\004"
step "it completes" "collected \[0-9,\]+ processes"
set timeout 10
expect {
  eof { puts "\nSTEP-OK Ctrl-D typed during a command quits" }
  timeout { puts "\nSTEP-FAIL Ctrl-D typed during a command quits" }
}
puts "\nEXIT [reap 20]"
EOX
rc=$?
. "$_TMP/restarted.env" 2>/dev/null && _FIXTURE_DIRS+=("$DIR") && E_DIR=$DIR && E_NODE=$NODE
for s in "prompt" "command completion" "summary output" "name completion" "info output" "findings output" \
         "a failed command is one line" "Ctrl-C stops the collection" "and the shell goes on" \
         "help for one command" "the lost node is reported at the prompt" "refresh says it is unreachable" \
         "offline commands still work" "the prompt says disconnected" "reconnect" "collected again" \
         "Ctrl-D typed during a command quits"; do
  if grep -q "STEP-OK $s\$" "$LOG"; then ok "$s"; else not_ok "$s" "$(tail -c 3000 "$LOG")"; fi
done
check_eq "expect script completed" 0 $rc
check_contains "Ctrl-D quits with exit 0" "EXIT 0" "$(cat "$LOG")"
left=$(loaded)
if [ "$left" = 0 ]; then honest ok "the probe is gone from the reconnected node"; else
  not_ok "the probe is gone from the reconnected node ($left left)" "$(tail -c 2000 "$LOG")"; fi
# SIGTERM (a closing terminal sends SIGHUP) leaves the shell cleanly: the probe is removed
bounded 60 expect >"$LOG.term" 2>&1 <<EOX
set timeout 20
spawn $OA $E_NODE --cookie-file $E_DIR/.erlang.cookie --sup-timeout 300 --window 0
$EXPECT_PROCS
step "prompt" "> "
exec kill -TERM [exp_pid]
expect {
  eof { puts "\nTERM-EOF" }
  timeout { puts "\nTERM-TIMEOUT" }
}
puts "\nEXIT [reap 10]"
EOX
check_contains "SIGTERM ends the shell" "TERM-EOF" "$(cat "$LOG.term")"
honest check_eq "... and the probe is removed" 0 "$(loaded)"
# Ctrl-D on an empty line: the key map cannot stop it (^D bound as a quoted insert through
# EDITRC), nor the way it arrives: typed at the prompt, or in one write with the line before
# it (the shell reads a line, runs it, and finds the ^D waiting)
printf 'bind ^D ed-quoted-insert\n' >"$_TMP/editrc"
eof_case() { # NAME SEND-AFTER-PROMPT: the shell on zoo.etf ends with exit 0, within 10 s
  EDITRC=$_TMP/editrc bounded 60 expect >"$LOG.$1" 2>&1 <<EOX
set timeout 20
spawn $OA --from $TOP/tests/golden/zoo.etf
$EXPECT_PROCS
step "prompt" "offline.> "
send "$2"
set timeout 10
expect {
  eof { puts "\nEOF-OK" }
  timeout { puts "\nEOF-TIMEOUT" }
}
puts "\nEXIT [reap 10]"
EOX
  if grep -q "^EOF-OK" "$LOG.$1" && grep -q "^EXIT 0" "$LOG.$1"; then ok "Ctrl-D quits: $1"
  else not_ok "Ctrl-D quits: $1" "$(tail -c 1500 "$LOG.$1")"; fi
}
eof_case "even when libedit binds it otherwise" '\004'
eof_case "in one write with the line before it" 'summary\r\004'
check "history was written" test -s "$HIST"
check_absent "no cookie in the history (of the commands typed)" "nosuchcmd" "$COOKIE" "$(cat "$HIST")"
check_absent "no sanitizer report (in a session that ran)" "STEP-OK prompt" "Sanitizer" "$(cat "$LOG")"
finish
