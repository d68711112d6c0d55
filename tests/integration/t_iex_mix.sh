#!/usr/bin/env bash
# A fresh `mix new --sup` application under `iex -S mix`, in a real pseudo-terminal: the
# runtime's own processes (Elixir, Mix, IEx and its input reader, OTP) give no finding.
# The node is stopped by its own pid (written by the node itself), also when a check fails.
. "$(dirname "$0")/lib.sh"

dir=$(mktemp -d "${TMPDIR:-/tmp}/oa-fixture-iexmix.XXXXXX")
_FIXTURE_DIRS+=("$dir")
node=iexmix-$$-$RANDOM
echo "$node" > "$dir/node"
( umask 077; head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n' | cut -c1-32 > "$dir/.erlang.cookie" )
chmod 400 "$dir/.erlang.cookie"
( cd "$dir" && HOME=$dir mix new demo_app --sup >/dev/null 2>&1 )
honest check_eq "mix new --sup" 0 $?
J=$(tmpfile check.json)
D=$(tmpfile dump.json)
LOG=$(tmpfile expect)
export TERM=xterm
bounded 240 expect >"$LOG" 2>&1 <<EOX
set timeout 120
spawn env HOME=$dir sh -c "cd $dir/demo_app && exec iex --sname $node -S mix"
expect {
  -re "iex\\\\(\[^)]*\\\\)1> " {}
  timeout { puts "\nSTEP-FAIL prompt"; exit 1 }
  eof { puts "\nSTEP-FAIL prompt (eof)"; exit 1 }
}
send "File.write!(\"$dir/pid\", System.pid())\r"
expect -re "iex\\\\(\[^)]*\\\\)2> "
if {[catch {exec timeout -k 5 120 $OA check --json $node@[exec hostname -s] --cookie-file $dir/.erlang.cookie --window 0.5 > $J} err]} {
  puts "\nCHECK-ERR \$err"
}
catch {exec timeout -k 5 120 $OA dump --json $node@[exec hostname -s] --cookie-file $dir/.erlang.cookie --window 0 > $D}
puts "\nSTEP-OK check"
send "System.halt()\r"
expect eof
EOX
rc=$?
honest check_eq "iex -S mix session ran (expect exit)" 0 "$rc"
grep -q "STEP-OK check" "$LOG" || not_ok "check ran inside the session" "$(tail -20 "$LOG")"
if [ "$(jq 'type' "$J" 2>/dev/null)" = '"object"' ]; then   # (jq -e passes an empty file)
  check_eq "no findings on a fresh mix new --sup app under iex -S mix" 0 "$(jq '.findings | length' "$J")"
  [ "$(jq '.findings | length' "$J")" = 0 ] || echo "$(jq -c '.findings[] | {rule, severity, subject}' "$J")"
  check_eq "the app's own tree is seen" '"app"' "$(jq '.supervisors[] | select(.name == "DemoApp.Supervisor") | .root' "$D" 2>/dev/null)"
else
  not_ok "check --json gave JSON" "$(cat "$J" "$LOG" | tail -20)"
fi
finish
