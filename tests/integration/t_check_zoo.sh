#!/usr/bin/env bash
# `check` on the live zoo (every anti-pattern planted, with load) and on its clean twin:
# per-rule precision and recall on the zoo must be 1, the clean app must have nothing
# above info.
. "$(dirname "$0")/lib.sh"

start_fixture zoo Z
# rate rules need the load in stride and the crashing child to have restarted a few times
for _ in $(seq 1 40); do
  n=$("$OA" check --json "$Z_NODE" --cookie-file "$Z_COOKIE" --window 0 --rule restart-churn 2>/dev/null | jq '.findings | length')
  [ "${n:-0}" -ge 1 ] && break
  sleep 0.5
done
J=$(tmpfile zoo)
"$OA" check --json "$Z_NODE" --cookie-file "$Z_COOKIE" --sup-timeout 1500 >"$J" 2>"$J.err"
honest check_eq "check on the zoo exits 0" 0 $?

expected='agent-under-load|Zoo.AgentUnderLoad
atom-named-dynamic-processes|session_
genserver-as-cache|Zoo.GenServerAsCache
global-bottleneck|Zoo.GlobalBottleneck
mailbox-buildup|Zoo.MailboxBuildup
missing-partition-supervisor|Zoo.Sessions
process-without-runtime-reason|Zoo.ProcessWithoutRuntimeReason
registry-single-partition|Zoo.Registry
restart-churn|Zoo.RestartChurn.Sup
unresponsive-supervisor|Zoo.UnresponsiveSupervisor
unsupervised-process|zoo_blocked_caller
unsupervised-process|zoo_lonely
unsupervised-process|zoo_table_owner
unsupervised-task|zoo_loose_task'
found=$(jq -r '.findings[] | "\(.rule)|\(.subject.name)"' "$J")

echo "  per-rule precision / recall on the zoo:"
all_rules=$(printf '%s\n%s\n' "$expected" "$found" | cut -d'|' -f1 | sort -u)
for r in $all_rules; do
  tp=0; fn=0; fp=0
  while IFS='|' read -r er es; do
    [ "$er" = "$r" ] || continue
    if grep -qF -- "$r|" <<<"$found" && grep -F -- "$r|" <<<"$found" | grep -qF -- "$es"; then tp=$((tp + 1)); else fn=$((fn + 1)); fi
  done <<<"$expected"
  while IFS='|' read -r fr fs; do
    [ "$fr" = "$r" ] || continue
    matched=0
    while IFS='|' read -r er es; do [ "$er" = "$r" ] && [[ "$fs" == *"$es"* ]] && matched=1; done <<<"$expected"
    [ $matched -eq 1 ] || fp=$((fp + 1))
  done <<<"$found"
  p=$(awk -v t=$tp -v f=$fp 'BEGIN { printf "%.2f", (t + f) ? t / (t + f) : 1 }')
  rc=$(awk -v t=$tp -v f=$fn 'BEGIN { printf "%.2f", (t + f) ? t / (t + f) : 1 }')
  printf '    %-32s precision %s  recall %s  (tp %d, fp %d, fn %d)\n' "$r" "$p" "$rc" $tp $fp $fn
  if [ "$p" = "1.00" ] && [ "$rc" = "1.00" ]; then ok "$r: precision and recall 1"; else
    not_ok "$r: precision $p recall $rc" "$(grep -F -- "$r|" <<<"$found")"; fi
done
# zoo_table_owner is unsupervised and owns :zoo_orphan_table: one finding for the one subject,
# unsupervised-process's, with the table's evidence and advice; ets-owner-at-risk alone still says it
check_eq "every rule of the catalogue but ets-owner-at-risk (merged into its owner's) gives a finding on the zoo" 12 \
  "$(jq -r '[.findings[].rule] | unique | length' "$J")"
check_eq "the table owner's one finding carries its table's evidence" "1 3000" \
  "$(jq -r '.findings[] | select(.subject.name == "zoo_table_owner") | "\(.evidence.tables) \(.evidence.rows)"' "$J")"
check_contains "and its table's advice" ":ets.new(:zoo_orphan_table," \
  "$(jq -r '.findings[] | select(.subject.name == "zoo_table_owner") | .recommendation' "$J")"
check_eq "ets-owner-at-risk alone still names the table" ":zoo_orphan_table" \
  "$("$OA" check --json "$Z_NODE" --cookie-file "$Z_COOKIE" --window 0 --sup-timeout 1500 --rule ets-owner-at-risk 2>/dev/null | jq -r '.findings[].subject.name')"
check_contains "the bottleneck's evidence names its callers" "callers_waiting" "$(jq -c '.findings[] | select(.rule=="global-bottleneck") | .evidence' "$J")"
check_contains "the partition advice uses the real name" "{PartitionSupervisor, child_spec: DynamicSupervisor, name: Zoo.Sessions}" \
  "$(jq -r '.findings[] | select(.rule=="missing-partition-supervisor") | .recommendation' "$J")"
check_contains "the churn finding names the crashing child" "Zoo.RestartChurn" \
  "$(jq -r '.findings[] | select(.rule=="restart-churn") | .summary' "$J")"
"$OA" check "$Z_NODE" --cookie-file "$Z_COOKIE" --sup-timeout 1500 --fail-on warning >/dev/null 2>&1
check_eq "--fail-on warning on the zoo: exit 1" 1 $?

start_fixture clean C
sleep 1
C1=$(tmpfile clean)
"$OA" check --json "$C_NODE" --cookie-file "$C_COOKIE" --sup-timeout 500 >"$C1" 2>"$C1.err"
honest check_eq "check on the clean app exits 0" 0 $?
check_eq "the clean app: no finding above info" "[]" "$(jq -c '[.findings[] | select(.severity != "info") | "\(.rule) \(.subject.name)"]' "$C1")"
check "the clean app was really looked at (sessions, registry, cache)" \
  test "$(jq '.processes' "$C1")" -gt 3000
"$OA" check "$C_NODE" --cookie-file "$C_COOKIE" --sup-timeout 500 --fail-on warning >/dev/null 2>&1
honest check_eq "--fail-on warning on the clean app: exit 0" 0 $?
finish
