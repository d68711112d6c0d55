#!/usr/bin/env bash
# Rule cases as data, in the manner of jq's tests/*.test: each *.test file here holds
# paragraphs (a blank line between them) of
#   a snapshot in the text form (src/snap_text.c: node, runtime, app, proc, sup, …; # comments)
#   %%ARGS …         optional: more arguments for `check` (--set NAME=VALUE, --judge-otp, …)
#   the findings `check` must print, one "severity rule subject" line each, or (none);
#     under a finding, indented lines check more of it:
#       pid <0.200.0>   path zoo › Zoo.Supervisor › Zoo.Counter   count 3
#       evidence queue_first 40          (a number, to a millionth; none: absent)
#       summary has TEXT   summary lacks TEXT   advice has TEXT   advice lacks TEXT
#       examples has TEXT
#     and "not-evaluated RULE" lines, when a case lists any, must be the rules `check`
#     could not judge (after the findings)
# and %%FAIL paragraphs: a snapshot text that must be refused (exit 2), its last line the
# error expected. Every case checks the exit status and the output, so a binary that crashes
# or prints nothing fails every case: `make golden` runs this again with tests/golden/crash.sh
# as the binary (CRASH_CHECK=1: every case must fail).
set -uo pipefail
cd "$(dirname "$0")"
OA=${OA:-../../build/otp-advisor-san}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
tmp=$(mktemp /tmp/oa-rules.XXXXXX)
trap 'rm -f "$tmp"' EXIT
pass=0 fail=0
run_case() {
  local where=$1 title=$2 failing=$3 args=$4 text=$5 want=$6 got json err rc
  if [ -z "$text" ]; then fail=$((fail + 1)); echo "  FAIL  $where: no snapshot text"; return; fi
  printf '%%%% otp-advisor snapshot text 1\n%s\n' "$text" > "$tmp"
  if [ "$failing" = 1 ]; then
    # shellcheck disable=SC2086
    err=$("$OA" check --from "$tmp" $args 2>&1 >/dev/null); rc=$?
    if [ $rc -eq 2 ] && [ -n "$want" ] && grep -qF -- "$want" <<<"$err"; then pass=$((pass + 1)); echo "  ok    $where refused: $want"
    else fail=$((fail + 1)); echo "  FAIL  $where ($title): exit $rc, expected 2 and: $want"; echo "$err" | head -5 | sed 's/^/        /'; fi
    return
  fi
  # shellcheck disable=SC2086
  json=$("$OA" check --json --from "$tmp" $args 2>"$tmp.err"); rc=$?
  # check exits 0, or 1 for findings at --fail-on; anything else is an error or a crash
  if [ $rc -gt 1 ] || [ -z "$json" ]; then
    fail=$((fail + 1)); echo "  FAIL  $where ($title): exit $rc"; head -5 "$tmp.err" | sed 's/^/        /'; rm -f "$tmp.err"; return
  fi
  rm -f "$tmp.err"
  local lines details="" i=-1 problems="" l
  lines=$(grep -v '^  ' <<<"$want")
  got=$(jq -r '.findings[] | "\(.severity) \(.rule) \(.subject.name)"' <<<"$json") || got="(no JSON)"
  if grep -q '^not-evaluated ' <<<"$want"; then
    got=$(printf '%s\n%s' "$got" "$(jq -r '.not_evaluated[]? | "not-evaluated \(.rule)"' <<<"$json")" | sed '/^$/d')
  fi
  [ -n "$got" ] || got="(none)"
  if [ "$got" != "$lines" ]; then
    fail=$((fail + 1)); echo "  FAIL  $where $title"; diff <(echo "$lines") <(echo "$got") | sed 's/^/        /'; return
  fi
  # the indented lines: each about the finding above it
  while IFS= read -r l; do
    case "$l" in
      "  "*) l=$(detail "$json" "$i" "${l#  }"); [ -z "$l" ] || problems+="$l"$'\n' ;;
      *) i=$((i + 1)) ;;
    esac
  done <<<"$want"
  if [ -z "$problems" ]; then pass=$((pass + 1)); echo "  ok    $where $title"
  else fail=$((fail + 1)); echo "  FAIL  $where $title"; echo -n "$problems" | sed 's/^/        /'; fi
}
# one indented line about finding i: prints what is wrong, nothing when it holds
detail() {
  local json=$1 i=$2 what=$3 key rest val
  key=${what%% *} rest=${what#* }
  case "$key" in
    pid | path) val=$(jq -r ".findings[$i].subject.$key" <<<"$json"); [ "$val" == "$rest" ] || echo "finding $((i + 1)): $key is '$val', not '$rest'" ;;
    count) val=$(jq -r ".findings[$i].count" <<<"$json"); [ "$val" == "$rest" ] || echo "finding $((i + 1)): count is $val, not $rest" ;;
    evidence)
      val=$(jq -r --arg k "${rest%% *}" ".findings[$i].evidence[\$k] // \"none\"" <<<"$json")
      [ "$val" == "none" ] && [ "${rest#* }" == "none" ] ||
      awk -v a="$val" -v b="${rest#* }" 'BEGIN { d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b; if (m < 1) m = 1; exit !(a != "none" && d <= 1e-6 * m) }' ||
        echo "finding $((i + 1)): evidence ${rest%% *} is $val, not ${rest#* }" ;;
    summary | advice | examples)
      local field=$key op=${rest%% *} text=${rest#* }
      [ "$key" = advice ] && field=recommendation
      val=$(jq -r ".findings[$i].$field" <<<"$json")
      case "$op" in
        has) grep -qF -- "$text" <<<"$val" || echo "finding $((i + 1)): $key lacks '$text': $val" ;;
        lacks) grep -qF -- "$text" <<<"$val" && echo "finding $((i + 1)): $key has '$text'" ;;
        *) echo "unknown check: $what" ;;
      esac ;;
    *) echo "unknown check: $what" ;;
  esac
  [ "$i" -ge 0 ] || echo "a check before any finding: $what"
}
for f in *.test; do
  n=0 start=0 title="" failing=0 args="" text="" want="" in_want=0
  flush() {
    # a paragraph of comments alone (a file's header) is no case
    if [ -n "$want" ] || [ "$failing" = 1 ] || grep -qv '^#' <<<"$text"; then
      if [ "$failing" = 1 ]; then want=${text##*$'\n'}; text=${text%$'\n'*}; [ "$want" = "$text" ] && text=""; fi
      run_case "$f:$start" "$title" "$failing" "$args" "$text" "$want"
    fi
    start=0 title="" failing=0 args="" text="" want="" in_want=0
  }
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    if [ -z "$line" ]; then flush; continue; fi
    [ $start -eq 0 ] && start=$n
    case "$line" in
      "%%FAIL"*) failing=1 ;;
      "%%ARGS "*) args=${line#%%ARGS } ;;
      "#"*) [ -z "$title" ] && title=${line#\# }; text=${text:+$text$'\n'}$line ;;
      "info "* | "warning "* | "critical "* | "(none)" | "not-evaluated "* | "  "*)
        if [ "$failing" = 1 ]; then text=${text:+$text$'\n'}$line; else in_want=1; want=${want:+$want$'\n'}$line; fi ;;
      *)
        if [ $in_want = 1 ]; then fail=$((fail + 1)); echo "  FAIL  $f:$n: snapshot text after the expected findings"; fi
        text=${text:+$text$'\n'}$line ;;
    esac
  done < "$f"
  flush
done
if [ -n "${CRASH_CHECK:-}" ]; then # the harness itself: with a crashing binary, nothing passes
  echo "rule cases with a crashing stand-in: $pass passed, $fail failed (every case must fail)"
  [ $pass -eq 0 ] && [ $fail -gt 0 ]
  exit
fi
echo "rule cases: $pass passed, $fail failed"
[ $fail -eq 0 ]
