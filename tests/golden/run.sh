#!/usr/bin/env bash
# Golden tests, in the style of jq's .test files: saved snapshots in, expected output out.
#   findings.test  blocks of: a snapshot file, then the expected "severity rule subject"
#                  lines of `check` (or "(none)"), a blank line between blocks
#   *.expected     `otp-advisor ARGS` output, ARGS on the file's first line after "# args: "
# Refresh them from live fixtures with scripts/update-golden.sh (then read the diff).
set -uo pipefail
cd "$(dirname "$0")"
OA=${OA:-../../build/otp-advisor-san}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
pass=0 fail=0
check_block() {
  local file=$1 want=$2 got
  got=$("$OA" check --json --from "$file" | jq -r '.findings[] | "\(.severity) \(.rule) \(.subject.name)"')
  [ -n "$got" ] || got="(none)"
  if [ "$got" == "$want" ]; then pass=$((pass + 1)); echo "  ok    findings of $file"
  else fail=$((fail + 1)); echo "  FAIL  findings of $file"; diff <(echo "$want") <(echo "$got") | sed 's/^/        /'; fi
}
file="" want=""
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in
    "#"*) continue ;;
    "") [ -n "$file" ] && check_block "$file" "$want"; file="" want="" ;;
    *) if [ -z "$file" ]; then file=$line; else want=${want:+$want$'\n'}$line; fi ;;
  esac
done < findings.test
[ -n "$file" ] && check_block "$file" "$want"
for exp in *.expected; do
  [ -e "$exp" ] || continue
  args=$(head -1 "$exp" | sed -n 's/^# args: //p')
  # shellcheck disable=SC2086
  if diff <(tail -n +2 "$exp") <("$OA" $args 2>&1) >/tmp/oa-golden.diff; then pass=$((pass + 1)); echo "  ok    $exp"
  else fail=$((fail + 1)); echo "  FAIL  $exp"; head -40 /tmp/oa-golden.diff | sed 's/^/        /'; fi
done
# the reports render as GitHub does (cmark-gfm, GitHub's parser): tables are tables, code
# is fenced, and no markdown syntax leaks into the text
for exp in *.report.expected; do
  [ -e "$exp" ] || continue
  html=$(tail -n +2 "$exp" | cmark-gfm -e table -e autolink -e strikethrough)
  problems=""
  grep -q "<table>" <<<"$html" || grep -q "None: nothing in this target" <<<"$html" || problems+="no findings table; "
  grep -q "<h2>BEAM Architecture Context</h2>" <<<"$html" || problems+="no context heading; "
  grep -q '<pre><code class="language-text">' <<<"$html" || problems+="tree not fenced; "
  grep -qE '\|---|```|\*\*' <<<"$(sed 's/<[^>]*>//g' <<<"$html")" && problems+="raw markdown in the rendered text; "
  if [ -z "$problems" ]; then pass=$((pass + 1)); echo "  ok    $exp renders cleanly"
  else fail=$((fail + 1)); echo "  FAIL  $exp: $problems"; fi
done
echo "golden: $pass passed, $fail failed"
[ $fail -eq 0 ]
