#!/usr/bin/env bash
# Golden tests, in the style of jq's .test files: saved snapshots in, expected output out.
#   findings.test  blocks of: a snapshot file, then the expected "severity rule subject"
#                  lines of `check` (or "(none)"), a blank line between blocks; a block
#                  that starts with %%FAIL is a hostile file: `check` must exit 2 with the
#                  block's last line in its error (in the style of jq's tests/*.test)
#   *.expected     `otp-advisor ARGS` output, ARGS on the file's first line after "# args: ";
#                  the exit status must be 0
# Every case checks the program's exit status and its own output, so a binary that crashes
# fails every case: `make golden` runs this once more with tests/golden/crash.sh as the
# binary and requires that (CRASH_CHECK=1: every case must fail).
# Refresh them from live fixtures with scripts/update-golden.sh (then read the diff).
set -uo pipefail
cd "$(dirname "$0")"
OA=${OA:-../../build/otp-advisor-san}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
pass=0 fail=0
check_block() {
  local file=$1 want=$2 got json rc
  json=$("$OA" check --json --from "$file"); rc=$?
  # check exits 0, or 1 for findings at --fail-on; anything else is an error or a crash
  if [ $rc -gt 1 ]; then fail=$((fail + 1)); echo "  FAIL  findings of $file: exit $rc"; return; fi
  got=$(jq -r '.findings[] | "\(.severity) \(.rule) \(.subject.name)"' <<<"$json") || got="(no JSON)"
  [ -n "$got" ] || got="(none)"
  if [ "$got" == "$want" ]; then pass=$((pass + 1)); echo "  ok    findings of $file"
  else fail=$((fail + 1)); echo "  FAIL  findings of $file"; diff <(echo "$want") <(echo "$got") | sed 's/^/        /'; fi
}
check_fail() {
  local file=$1 want=$2 err rc
  err=$("$OA" check --from "$file" 2>&1 >/dev/null); rc=$?
  if [ $rc -eq 2 ] && grep -qF -- "$want" <<<"$err"; then pass=$((pass + 1)); echo "  ok    $file is refused: $want"
  else fail=$((fail + 1)); echo "  FAIL  $file: exit $rc, expected 2 and: $want"; echo "$err" | head -5 | sed 's/^/        /'; fi
}
run_block() {
  if [ "$failing" = 1 ]; then check_fail "$file" "$want"; else check_block "$file" "$want"; fi
}
file="" want="" failing=0
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in
    "#"*) continue ;;
    "%%FAIL") failing=1 ;;
    "") [ -n "$file" ] && run_block; file="" want="" failing=0 ;;
    *) if [ -z "$file" ]; then file=$line; else want=${want:+$want$'\n'}$line; fi ;;
  esac
done < findings.test
[ -n "$file" ] && run_block
for exp in *.expected; do
  [ -e "$exp" ] || continue
  args=$(head -1 "$exp" | sed -n 's/^# args: //p')
  # shellcheck disable=SC2086
  "$OA" $args >/tmp/oa-golden.out 2>&1; rc=$?
  if [ $rc -ne 0 ]; then fail=$((fail + 1)); echo "  FAIL  $exp: exit $rc"
  elif diff <(tail -n +2 "$exp") /tmp/oa-golden.out >/tmp/oa-golden.diff; then pass=$((pass + 1)); echo "  ok    $exp"
  else fail=$((fail + 1)); echo "  FAIL  $exp"; head -40 /tmp/oa-golden.diff | sed 's/^/        /'; fi
done
# the reports the program writes now render as GitHub does (cmark-gfm, GitHub's parser):
# tables are tables, code is fenced, and no markdown syntax leaks into the text
for exp in *.report.expected; do
  [ -e "$exp" ] || continue
  args=$(head -1 "$exp" | sed -n 's/^# args: //p')
  # shellcheck disable=SC2086
  md=$("$OA" $args 2>/dev/null); rc=$?
  html=$(cmark-gfm -e table -e autolink -e strikethrough <<<"$md")
  problems=""
  [ $rc -eq 0 ] || problems+="exit $rc; "
  grep -q "<table>" <<<"$html" || grep -q "None: nothing in this target" <<<"$html" || problems+="no findings table; "
  grep -q "<h2>BEAM Architecture Context</h2>" <<<"$html" || problems+="no context heading; "
  grep -q '<pre><code class="language-text">' <<<"$html" || problems+="tree not fenced; "
  grep -qE '\|---|```|\*\*' <<<"$(sed 's/<[^>]*>//g' <<<"$html")" && problems+="raw markdown in the rendered text; "
  if [ -z "$problems" ]; then pass=$((pass + 1)); echo "  ok    $exp renders cleanly"
  else fail=$((fail + 1)); echo "  FAIL  $exp: $problems"; fi
done
# every code block that a finding or a report prints parses, and names real things
# (tests/codecheck): the fixtures' findings and their reports, each application's
blocks=$(mktemp /tmp/oa-golden-blocks.XXXXXX)
for snapf in zoo.etf clean.etf erlbasic.etf; do
  j=$(mktemp /tmp/oa-golden-check.XXXXXX) m=$(mktemp /tmp/oa-golden-report.XXXXXX)
  "$OA" check --json --from "$snapf" > "$j"; rc1=$?
  "$OA" report --from "$snapf" > "$m"; rc2=$?
  if [ $rc1 -ne 0 ] || [ $rc2 -ne 0 ]; then fail=$((fail + 1)); echo "  FAIL  check/report of $snapf exit $rc1/$rc2"; fi
  ../codecheck/blocks.sh check "$j" "${snapf%.etf}" >> "$blocks"
  ../codecheck/blocks.sh report "$m" "${snapf%.etf}-report" >> "$blocks"
  rm -f "$j" "$m"
done
nblocks=$(grep -c '^%%%%BLOCK ' "$blocks")
if out=$(elixir ../codecheck/codecheck.exs "$blocks" 2>&1) && [ "$nblocks" -ge 20 ]; then
  pass=$((pass + 1)); echo "  ok    printed code parses ($(tail -1 <<<"$out"))"
else fail=$((fail + 1)); echo "  FAIL  printed code ($nblocks blocks)"; sed 's/^/        /' <<<"$out" | head -60; fi
rm -f "$blocks"
# and the checker itself rejects what the first version printed (not a case of the program)
if [ -z "${CRASH_CHECK:-}" ]; then
printf '%%%%%%%%BLOCK elixir a\ndefmodule gen.Worker do\nend\n%%%%%%%%BLOCK erlang b\n#{id => {<0.686.0>, I}}\n%%%%%%%%BLOCK elixir c\n{PartitionSupervisor, child_spec: supervisor, name: supervisor.Partitions}\n%%%%%%%%BLOCK elixir d\nstart_supervised!(<0.153.0>)\n%%%%%%%%BLOCK erlang e\nhandle_continue(connect, State) -> ...\n' > "$blocks"
out=$(elixir ../codecheck/codecheck.exs "$blocks" 2>&1)
if [ $? -ne 0 ] && [ "$(grep -c '^FAIL' <<<"$out")" -eq 5 ]; then pass=$((pass + 1)); echo "  ok    the code checker rejects the first version's code"
else fail=$((fail + 1)); echo "  FAIL  the code checker let bad code through"; sed 's/^/        /' <<<"$out" | head -20; fi
rm -f "$blocks"
fi
if [ -n "${CRASH_CHECK:-}" ]; then # the harness itself: with a crashing binary, nothing passes
  echo "golden with a crashing stand-in: $pass passed, $fail failed (every case must fail)"
  [ $pass -eq 0 ] && [ $fail -gt 0 ]
  exit
fi
echo "golden: $pass passed, $fail failed"
[ $fail -eq 0 ]
