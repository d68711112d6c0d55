#!/usr/bin/env bash
# watch on real software nobody here wrote (tests/corpus), under its traffic: the systems
# whose one-window check says "watch longer" (ra's idle servers, yaws' RSS store, mnesia's
# remote-call server under --judge-otp). Over a window longer than idle.window_s those
# processes are library code: one info that says whose and why, never a warning; no
# watch-only rule cries wolf (no queue grows, nothing is saturated, nothing restarts); every
# warning active at the end is one the system's expected-findings already signs for its
# traffic; and the watch leaves nothing on the target (the safety checks).
# WATCH_FOR=600 makes it the ten-minute watch of the closing notes (WATCH_EVERY, default 2).
. "$(dirname "$0")/lib.sh"
FOR=${WATCH_FOR:-16}
EVERY=${WATCH_EVERY:-2}
IDLE=$((FOR * 3 / 4))
SYSTEMS=${CORPUS:-corpus_ra yaws mnesia}
# the library processes each system's long watch must name, and why
declare -A LIB_WHO=([corpus_ra]="ra_machine_ets" [yaws]="yaws_rss" [mnesia]="mnesia_rpc")
declare -A LIB_WHY=([corpus_ra]="deps/ra/src/ra_machine_ets.erl" [yaws]="yaws is installed system-wide"
  [mnesia]="mnesia is OTP's")
# a finding as check's corpus lines: "SEVERITY RULE SUBJECT", pids and counts blanked
norm() { sed -E 's/<[0-9]+\.[0-9]+\.[0-9]+>/<pid>/g; s/#Ref<[0-9.]+>/#Ref<ref>/g; s/ [0-9]+ \xc3\x97 / N \xc3\x97 /; s/ [0-9]+ static workers$/ N static workers/'; }
for sys in $SYSTEMS; do
  start_fixture "$sys" C
  sleep 1 # the traffic is running
  logged0=$(harness_report "$C_DIR" | sed -n 's/^logged=\([0-9]*\).*/\1/p')
  out=$(bounded $((FOR + 120)) "$OA" watch --json --judge-otp --every "$EVERY" --for "$FOR" \
    --set idle.window_s="$IDLE" --cookie-file "$C_COOKIE" "$C_NODE" 2>"$_TMP/err"); rc=$?
  honest check_eq "[$sys] watch --for $FOR: exit 0" 0 "$rc"
  sum=$(grep '"type":"summary"' <<<"$out")
  # the output exists and names its subject before anything is said to be absent from it
  # (not jq -e: jq 1.6 reads an empty input as no value, and -e then exits 0)
  if [ "$(jq --arg n "$C_NODE" '.node == $n and .samples >= 3 and (.findings | type) == "array"' <<<"$sum" 2>/dev/null)" != true ]; then
    not_ok "[$sys] the watch's summary names $C_NODE, its samples and its findings" "$(head -c 400 <<<"$out"; cat "$_TMP/err")"
    stop_fixture "$C_DIR"; continue
  fi
  samples=$(jq -r .samples <<<"$sum")
  ok "[$sys] the watch's summary names $C_NODE ($samples samples over $(jq -r .duration_s <<<"$sum") s)"
  active=$(jq -r '.findings[] | select(.active) | "\(.severity) \(.rule) \(.subject)"' <<<"$sum" | norm | sort -u)
  idle=$(jq -r '.findings[] | select(.active and .rule == "process-without-runtime-reason") | "\(.severity) \(.summary)"' <<<"$sum")
  check_contains "[$sys] over the long window, ${LIB_WHO[$sys]} is named idle library code" "${LIB_WHO[$sys]} <" "$idle"
  check_contains "[$sys] ... and says why (${LIB_WHY[$sys]})" "${LIB_WHY[$sys]}" "$idle"
  check_eq "[$sys] ... in an info, never a warning (the idle finding's severities)" "info" \
    "$(jq -r '[.findings[] | select(.active and .rule == "process-without-runtime-reason") | .severity] | unique | join(" ")' <<<"$sum")"
  check_eq "[$sys] no watch-only rule fires on a healthy system ($samples samples)" "" \
    "$(jq -r 'select(.type == "finding") | select(.rule | test("mailbox-growing|saturated-over-time|restarts-over-time")) | "\(.rule) \(.subject)"' <<<"$out")"
  # every warning left at the end is one the corpus already signs under traffic
  signed=$(grep -v '^#' "$TOP/tests/corpus/$sys/expected-findings" | sed 's/^? //' |
    awk '$1 == "traffic" || $1 == "traffic+otp"' | sed 's/ | .*//' | cut -d' ' -f2- | sort -u)
  warn=$(grep -E '^(warning|critical) ' <<<"$active")
  unsigned=$(comm -23 <(sed '/^$/d' <<<"$warn") <(sed '/^$/d' <<<"$signed"))
  check_eq "[$sys] every warning at the end is one its expected-findings signs ($(sed '/^$/d' <<<"$warn" | wc -l) warnings)" "" "$unsigned"
  logged1=$(harness_report "$C_DIR" | sed -n 's/^logged=\([0-9]*\).*/\1/p')
  honest check_eq "[$sys] nothing logged on the target during the watch" "$logged0" "$logged1"
  printf '[%s] %s samples, a sample %s ms in the node (max %s), %s ms end to end; series %s KB for %s processes; C node max RSS %s KB\n' \
    "$sys" "$samples" "$(jq -r "(.sample_in_node_ms_mean*100|round)/100" <<<"$sum")" "$(jq -r .sample_in_node_ms_max <<<"$sum")" \
    "$(jq -r "(.sample_end_to_end_ms_mean*100|round)/100" <<<"$sum")" "$(jq -r "(.series_kb*10|round)/10" <<<"$sum")" "$(jq -r .series <<<"$sum")" \
    "$(jq -r .maxrss_kb <<<"$sum")"
  stop_fixture "$C_DIR"
done
finish
