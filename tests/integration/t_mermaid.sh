#!/usr/bin/env bash
# The report draws its target's tree as a Mermaid flowchart: every diagram the reports of
# the golden snapshots print is rendered to SVG by Mermaid's own CLI (tests/mermaid, in
# Debian's chromium) and a parse error fails; findings are marked on their nodes and a
# dynamic supervisor's children collapse as in `tree`.
. "$(dirname "$0")/lib.sh"
M=$TOP/tests/mermaid
G=$TOP/tests/golden
export PUPPETEER_SKIP_DOWNLOAD=1
n=0
for spec in "zoo.etf zoo" "zoo.etf Zoo.Supervisor" "zoo.etf Zoo.GlobalBottleneck" "clean.etf clean" "erlbasic.etf erlbasic" "zoo.etf"; do
  set -- $spec
  md=$_TMP/r$n.md
  "$OA" report --from "$G/$1" ${2:-} >"$md"; rc=$?
  honest check_eq "report --from $1 ${2:-(whole node)} exits 0" 0 $rc
  k=0
  while IFS= read -r line; do
    if [ "$line" = '```mermaid' ]; then k=$((k + 1)); : >"$_TMP/d$n.$k.mmd"; inside=1; continue; fi
    [ "$line" = '```' ] && inside=0
    [ "${inside:-0}" = 1 ] && echo "$line" >>"$_TMP/d$n.$k.mmd"
  done <"$md"
  inside=0
  check "... draws at least one diagram ($k)" test "$k" -ge 1
  for d in "$_TMP"/d$n.*.mmd; do
    [ -e "$d" ] || continue
    if out=$(cd "$M" && timeout -k 5 120 ./node_modules/.bin/mmdc -q -p puppeteer.json -i "$d" -o "${d%.mmd}.svg" 2>&1) &&
       grep -q "<svg" "${d%.mmd}.svg"; then ok "mermaid renders $(basename "$d") of ${2:-the node}"
    else not_ok "mermaid renders $(basename "$d") of ${2:-the node}" "$out
$(head -20 "$d")"; fi
  done
  n=$((n + 1))
done
z=$(cat "$_TMP"/d0.*.mmd)
# the node drawn for Zoo.GlobalBottleneck (its id follows the children's order) carries its critical finding
gb_id=$(sed -n 's/^ *\([a-z0-9_]*\)\["Zoo\.GlobalBottleneck<br\/>.*/\1/p' <<<"$z" | head -1)
check "the zoo's diagram draws Zoo.GlobalBottleneck" test -n "$gb_id"
check_contains "findings are marked on their nodes: Zoo.GlobalBottleneck is critical" "class $gb_id critical" "$(grep -F 'class' <<<"$z")"
check_contains "... with the finding's rule" "global-bottleneck" "$z"
check_contains "a dynamic supervisor's children are collapsed" "× Task.Supervised" "$z"
check_absent "a collapsed node per child module, never one per child" "× Task.Supervised" "Task.Supervised <0." "$z"
finish
