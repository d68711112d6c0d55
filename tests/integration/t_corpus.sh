#!/usr/bin/env bash
# Real OTP software nobody here wrote (tests/corpus): the tool's trees equal an independent
# ground truth exactly (tests/corpus/truth.escript), with both collectors; nothing is logged,
# left queued or left loaded on the target; and the time each takes.
. "$(dirname "$0")/lib.sh"
TRUTH=$TOP/tests/corpus/truth.escript
SYSTEMS=${CORPUS:-ssh inets mnesia os_mon yaws corpus_pool elixir_script}
printf '%-14s %9s %6s %7s %-7s %9s %9s\n' system processes sups orphans trees probe_ms noload_ms > "$_TMP/table"
for sys in $SYSTEMS; do
  start_fixture "$sys" C
  sleep 1 # the traffic is running
  logged0=$(harness_report "$C_DIR" | sed -n 's/^logged=\([0-9]*\).*/\1/p')
  B=$(tmpfile before); A=$(tmpfile after); J=$(tmpfile dump); JN=$(tmpfile noload)
  "$TRUTH" walk "$C_NODE" "$C_COOKIE" >"$B" 2>&1 || { not_ok "[$sys] truth walk before" "$(cat "$B")"; continue; }
  t0=$(date +%s%N)
  "$OA" dump --json "$C_NODE" --cookie-file "$C_COOKIE" >"$J" 2>"$J.err"
  check_eq "[$sys] dump exits 0" 0 $?
  t1=$(date +%s%N)
  "$OA" dump --json --no-load "$C_NODE" --cookie-file "$C_COOKIE" >"$JN" 2>"$JN.err"
  check_eq "[$sys] dump --no-load exits 0" 0 $?
  t2=$(date +%s%N)
  "$TRUTH" walk "$C_NODE" "$C_COOKIE" >"$A" 2>&1 || { not_ok "[$sys] truth walk after" "$(cat "$A")"; continue; }
  for pair in "probe:$J" "no-load:$JN"; do
    jq -r -f "$TOP/tests/corpus/tool-lines.jq" "${pair#*:}" >"${pair#*:}.lines"
    out=$("$TRUTH" compare "$B" "$A" "${pair#*:}.lines" 2>&1)
    if [ $? -eq 0 ]; then ok "[$sys] ${pair%%:*}: $out"; else not_ok "[$sys] ${pair%%:*}: trees differ from the ground truth" "$out"; fi
  done
  match=$([ "$FAIL" -eq 0 ] && echo yes || echo NO)
  logged1=$(harness_report "$C_DIR" | sed -n 's/^logged=\([0-9]*\).*/\1/p')
  check_eq "[$sys] nothing logged on the target during the snapshots" "$logged0" "$logged1"
  printf '%-14s %9s %6s %7s %-7s %9s %9s\n' "$sys" "$(jq .processes "$J")" "$(jq '.supervisors | length' "$J")" \
    "$(jq '[.supervisors[] | select(.root == "orphan")] | length' "$J")" "$match" \
    $(( (t1 - t0) / 1000000 )) $(( (t2 - t1) / 1000000 )) >> "$_TMP/table"
  stop_fixture "$C_DIR"
done
cat "$_TMP/table"
finish
