#!/usr/bin/env bash
# Real OTP software nobody here wrote (tests/corpus): the tool's trees equal an independent
# ground truth exactly (tests/corpus/truth.escript), with both collectors; nothing is logged,
# left queued or left loaded on the target; and the time each takes.
. "$(dirname "$0")/lib.sh"
TRUTH=$TOP/tests/corpus/truth.escript
SYSTEMS=${CORPUS:-ssh inets mnesia os_mon yaws corpus_pool corpus_mochi corpus_folsom corpus_cache elixir_script corpus_cowboy corpus_sup2 corpus_ra}
BLOCKS=$(tmpfile blocks)
# a finding as "MODE SEVERITY RULE SUBJECT", pids, references and counts blanked
finding_lines() {
  jq -r --arg m "$1" '.findings[] | "\($m) \(.severity) \(.rule) \(.subject.name)"' "$2" |
    sed -E 's/<[0-9]+\.[0-9]+\.[0-9]+>/<pid>/g; s/#Ref<[0-9.]+>/#Ref<ref>/g; s/ [0-9]+ \xc3\x97 / N \xc3\x97 /; s/ [0-9]+ static workers$/ N static workers/' | sort
}
# The findings are exactly the system's expected set (each line with its reviewer's
# justification): a finding not listed fails, and so does a listed one not seen (a rule that
# stopped firing). Lines marked "? " may come and go with the moment of the snapshot; each
# says why. The output must exist and name its node and processes first: a program that
# prints nothing fails here (jq -e is no test of that: jq 1.6 reads an empty file as no
# value, and -e then exits 0).
expect_findings() {
  local sys=$1 mode=$2 json=$3 node=$4 exp=$TOP/tests/corpus/$1/expected-findings got
  if [ "$(jq --arg n "$node" '.node == $n and .processes > 0 and (.findings | type) == "array"' "$json" 2>/dev/null)" != true ]; then
    not_ok "[$sys] $mode: check --json names $node, its processes and its findings" "$(head -c 300 "$json")"
    return
  fi
  local all; all=$(finding_lines "$mode" "$json" | sed '/^$/d')
  got=$(sort -u <<<"$all" | sed '/^$/d')
  local want maybe
  want=$(grep -v '^#' "$exp" 2>/dev/null | awk -v m="$mode" '$1 == m' | sed 's/ | .*//' | sort -u | sed '/^$/d')
  maybe=$(grep -v '^#' "$exp" 2>/dev/null | awk -v m="$mode" '$1 == "?" && $2 == m' | sed 's/^? //; s/ | .*//' | sort -u | sed '/^$/d')
  # the same finding line more often than the file lists it (required and optional lines):
  # siblings that should be one grouped finding
  local twice; twice=$(comm -23 <(sort <<<"$all" | uniq -c | sed -E 's/^ *//' | sort) \
    <(grep -v '^#' "$exp" 2>/dev/null | sed 's/^? //' | awk -v m="$mode" '$1 == m' | sed 's/ | .*//' | sort | uniq -c | sed -E 's/^ *//' | sort) |
    awk '$1 > 1' | sed '/^$/d')
  local new; new=$(comm -23 <(echo "$got") <(printf '%s\n%s\n' "$want" "$maybe" | sed '/^$/d' | sort -u) | sed '/^$/d')
  local gone; gone=$(comm -13 <(echo "$got") <(echo "$want") | sed '/^$/d')
  [ -z "$twice" ] || not_ok "[$sys] $mode: the same finding more often than expected (siblings not grouped?)" "$twice"
  if [ -z "$new" ] && [ -z "$gone" ]; then
    ok "[$sys] $mode: the findings are the expected set ($(echo "$got" | sed '/^$/d' | wc -l), of which $(comm -12 <(echo "$got") <(echo "$maybe") | sed '/^$/d' | wc -l) optional)"
  else
    [ -z "$new" ] || not_ok "[$sys] $mode: findings not in tests/corpus/$sys/expected-findings" "$new"
    [ -z "$gone" ] || not_ok "[$sys] $mode: expected findings not seen (a rule stopped firing?)" "$gone"
  fi
  ! grep -q '"severity": "critical"' "$json" || not_ok "[$sys] $mode: no critical on a healthy system"
}
printf '%-14s %9s %6s %7s %-7s %6s %6s %9s %9s\n' system processes sups orphans trees w_idle w_traf probe_ms noload_ms > "$_TMP/table"
# check_modes SYS MODE NODE COOKIE JSON: check, plain and with --judge-otp (OTP's own
# applications, ssh, inets, mnesia, os_mon, judged as if ours), against the expected file
check_modes() {
  local sys=$1 mode=$2 node=$3 cookie=$4 json=$5
  "$OA" check --json "$node" --cookie-file "$cookie" >"$json" 2>"$json.err"
  honest check_eq "[$sys] $mode check exits 0" 0 $?
  expect_findings "$sys" "$mode" "$json" "$node"
  "$OA" check --json --judge-otp "$node" --cookie-file "$cookie" >"$json.otp" 2>"$json.err"
  honest check_eq "[$sys] $mode check --judge-otp exits 0" 0 $?
  expect_findings "$sys" "$mode+otp" "$json.otp" "$node"
}
for sys in $SYSTEMS; do
  # idle: the same system without its traffic
  CORPUS_TRAFFIC=off start_fixture "$sys" I
  sleep 1
  JI=$(tmpfile idle)
  check_modes "$sys" idle "$I_NODE" "$I_COOKIE" "$JI"
  stop_fixture "$I_DIR"
  start_fixture "$sys" C
  sleep 1 # the traffic is running
  logged0=$(harness_report "$C_DIR" | sed -n 's/^logged=\([0-9]*\).*/\1/p')
  B=$(tmpfile before); A=$(tmpfile after); J=$(tmpfile dump); JN=$(tmpfile noload)
  "$TRUTH" walk "$C_NODE" "$C_COOKIE" >"$B" 2>&1 || { not_ok "[$sys] truth walk before" "$(cat "$B")"; continue; }
  t0=$(date +%s%N)
  "$OA" dump --json "$C_NODE" --cookie-file "$C_COOKIE" >"$J" 2>"$J.err"
  honest check_eq "[$sys] dump exits 0" 0 $?
  t1=$(date +%s%N)
  "$OA" dump --json --no-load "$C_NODE" --cookie-file "$C_COOKIE" >"$JN" 2>"$JN.err"
  honest check_eq "[$sys] dump --no-load exits 0" 0 $?
  t2=$(date +%s%N)
  "$TRUTH" walk "$C_NODE" "$C_COOKIE" >"$A" 2>&1 || { not_ok "[$sys] truth walk after" "$(cat "$A")"; continue; }
  match=yes
  for pair in "probe:$J" "no-load:$JN"; do
    jq -r -f "$TOP/tests/corpus/tool-lines.jq" "${pair#*:}" >"${pair#*:}.lines"
    out=$("$TRUTH" compare "$B" "$A" "${pair#*:}.lines" 2>&1)
    if [ $? -eq 0 ]; then ok "[$sys] ${pair%%:*}: $out"; else match=NO; not_ok "[$sys] ${pair%%:*}: trees differ from the ground truth" "$out"; fi
  done
  JC=$(tmpfile check); MR=$(tmpfile report)
  check_modes "$sys" traffic "$C_NODE" "$C_COOKIE" "$JC"
  "$OA" report "$C_NODE" --cookie-file "$C_COOKIE" >"$MR" 2>"$MR.err"
  honest check_eq "[$sys] report exits 0" 0 $?
  "$TOP/tests/codecheck/blocks.sh" check "$JC" "$sys" >> "$BLOCKS"
  "$TOP/tests/codecheck/blocks.sh" report "$MR" "$sys-report" >> "$BLOCKS"
  logged1=$(harness_report "$C_DIR" | sed -n 's/^logged=\([0-9]*\).*/\1/p')
  honest check_eq "[$sys] nothing logged on the target during the snapshots" "$logged0" "$logged1"
  # printed child specs must start: each start_link/0 (Erlang) or child_spec/1 (Elixir) a
  # printed spec calls exists in the module running on the node (a module the printed code
  # itself defines, or my_worker for code that cannot be seen, aside)
  for m in $(jq -r '.findings[].recommendation' "$JC" | sed -n 's/.*start => {\([a-z][a-z_0-9]*\), start_link, \[\]}.*/\1/p' |
             grep -vx my_worker | sort -u); do
    check_eq "[$sys] printed child spec starts: $m:start_link/0 exists" true \
      "$(node_eval C "erlang:function_exported($m, start_link, 0).")"
  done
  for m in $(jq -r '.findings[] | select(.recommendation | test("defmodule") | not) | .recommendation' "$JC" |
             sed -n 's/^ *children = \[{\([A-Z][A-Za-z0-9_.]*\), \[\]}\].*/\1/p' | sort -u); do
    check_eq "[$sys] printed child spec starts: $m.child_spec/1 exists" true \
      "$(node_eval C "erlang:function_exported('Elixir.$m', child_spec, 1).")"
  done
  printf '%-14s %9s %6s %7s %-7s %6s %6s %9s %9s\n' "$sys" "$(jq .processes "$J")" "$(jq '.supervisors | length' "$J")" \
    "$(jq '[.supervisors[] | select(.root == "orphan")] | length' "$J")" "$match" \
    "$(jq '.counts.warning' "$JI" 2>/dev/null)" "$(jq '.counts.warning' "$JC" 2>/dev/null)" \
    $(( (t1 - t0) / 1000000 )) $(( (t2 - t1) / 1000000 )) >> "$_TMP/table"
  # the system and its traffic really ran: no crash in its own log
  crashes=$(grep -cE "CRASH REPORT|ERROR REPORT" "$C_DIR/node.log")
  honest check_eq "[$sys] the system ran its traffic without a crash" 0 "$crashes"
  stop_fixture "$C_DIR"
done
cat "$_TMP/table"
# every code block the findings and reports printed parses
check_code_parses "printed code parses" "$BLOCKS"
finish
