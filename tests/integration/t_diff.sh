#!/usr/bin/env bash
# otp-advisor diff on a live node: snapshot it, change it (start a pool under its top
# supervisor, hot-load a new version of a module, kill an unsupervised named process and a
# supervised one, which is restarted under its name), snapshot again, and diff. Processes are
# matched by name and tree path, never by pid: the restarted one is no change. Then a planted
# regression (a new unsupervised process) fails `--fail-on new-warning` and a clean diff
# passes it. ASan build.
. "$(dirname "$0")/lib.sh"
export FIXTURE_N=50   # a small erlbasic: what is tested here is the way in, not the size
start_fixture erlbasic E
A=(--cookie-file "$E_COOKIE" --window 0)
snap() { bounded 120 "$OA" snapshot "${A[@]}" "$E_NODE" -o "$1" 2>/dev/null; check "snapshot $(basename "$1")" test -s "$1"; }
before=$_TMP/before.etf after=$_TMP/after.etf later=$_TMP/later.etf
snap "$before"

# the change: a pool of 20 workers under erlbasic_sup, a new erlbasic_server, two kills
node_eval E '{ok, _} = supervisor:start_child(erlbasic_sup, #{id => diff_pool, type => supervisor,
  start => {supervisor, start_link, [{local, diff_pool}, erlbasic_app, pool]}}),
  [{ok, _} = supervisor:start_child(diff_pool, []) || _ <- lists:seq(1, 20)], ok.' >/dev/null
mkdir -p "$_TMP/v2"
{ sed 's/^-module(erlbasic_server)\./-module(erlbasic_server).\n-export([diff_version\/0])./' \
    "$TOP/tests/fixtures/erlbasic/src/erlbasic_server.erl"; echo 'diff_version() -> 2.'; } >"$_TMP/v2/erlbasic_server.erl"
erlc -o "$_TMP/v2" "$_TMP/v2/erlbasic_server.erl" >"$_TMP/v2/erlc.log" 2>&1
honest check "the new version compiles" test -s "$_TMP/v2/erlbasic_server.beam"
honest check_contains "a new version of erlbasic_server is loaded" "{module,erlbasic_server}" \
  "$(node_eval E "code:load_abs(\"$_TMP/v2/erlbasic_server\")." | tr -d ' ')"
fsm_before=$(node_eval E 'whereis(erlbasic_fsm).')
node_eval E 'exit(whereis(planted_lonely), kill), exit(whereis(erlbasic_fsm), kill), timer:sleep(300), ok.' >/dev/null
honest check "erlbasic_fsm is back under a new pid" test "$(node_eval E 'whereis(erlbasic_fsm).')" != "$fsm_before"
snap "$after"

out=$(bounded 60 "$OA" diff "$before" "$after" 2>&1); rc=$?
honest check_eq "diff: exit 0 without --fail-on" 0 "$rc"
check_contains "diff names both files and the node" "before  $before: $E_NODE" "$out"
check_contains "the pool's supervisor is added, under its parent" "+ diff_pool (under erlbasic_sup), 20 children" "$out"
check_contains "erlbasic_sup has one more child" "~ erlbasic_sup: children 5 → 6 (+1)" "$out"
check_contains "the application has 21 more processes" "erlbasic" "$(grep -F '(+21)' <<<"$out")"
check_contains "the hot-loaded module is new code" "~ erlbasic_server: new code" "$out"
check_contains "the killed unsupervised process vanished" "- planted_lonely (a spawned fun, no application)" "$out"
check_absent "the restarted erlbasic_fsm is no change (matched by name, not pid)" "before  $before: $E_NODE" "erlbasic_fsm" "$out"
check_contains "its finding is resolved" "resolved  warning  unsupervised-process  planted_lonely" "$out"
check_contains "the summary line" "0 new findings (0 critical, 0 warning, 0 info), 1 resolved" "$out"

json=$(bounded 60 "$OA" diff --json "$before" "$after" 2>/dev/null)
check_eq "diff --json: its schema" "otp-advisor/diff/1" "$(jq -r .schema <<<"$json")"
check_eq "diff --json: the node" "$E_NODE" "$(jq -r .after.node <<<"$json")"
check_eq "diff --json: the supervisor added" "diff_pool added 20" \
  "$(jq -r '.supervisors[] | select(.name == "diff_pool") | "\(.name) \(.change) \(.children)"' <<<"$json")"
check_eq "diff --json: the new code" "erlbasic_server" "$(jq -r '.modules[] | select(.change == "code") | .module' <<<"$json")"
check_eq "diff --json: resolved findings" "1" "$(jq -r .summary.resolved <<<"$json")"

out=$(printf 'diff %s\n' "$before" | bounded 60 "$OA" --from "$after" 2>&1)
check_contains "the shell's diff FILE: against the loaded snapshot" "after   the current snapshot ($after)" "$out"
check_contains "the shell's diff FILE: the pool" "+ diff_pool (under erlbasic_sup), 20 children" "$out"

out=$(bounded 60 "$OA" diff --fail-on new-warning "$before" "$after" 2>&1); rc=$?
honest check_eq "--fail-on new-warning passes a change with no new warning" 0 "$rc"

# the regression: an unsupervised process, started by hand
node_eval E 'spawn(fun() -> register(diff_regression, self()), receive stop -> ok end end), timer:sleep(100), ok.' >/dev/null
snap "$later"
out=$(bounded 60 "$OA" diff --fail-on new-warning "$after" "$later" 2>&1); rc=$?
check_eq "--fail-on new-warning fails on the planted regression: exit 1" 1 "$rc"
check_contains "... and names it" "new       warning  unsupervised-process  diff_regression" "$out"
out=$(bounded 60 "$OA" diff --fail-on new-critical "$after" "$later" 2>&1); rc=$?
honest check_eq "--fail-on new-critical lets a new warning pass" 0 "$rc"
check_contains "... still listing it" "diff_regression" "$out"
node_eval E 'diff_regression ! stop, ok.' >/dev/null

err=$(bounded 60 "$OA" diff "$before" 2>&1); rc=$?
check_eq "diff with one file: exit 2" 2 "$rc"
check_contains "... says what it takes" "two snapshot files" "$err"
err=$(bounded 60 "$OA" diff --fail-on maybe "$before" "$after" 2>&1); rc=$?
check_eq "diff --fail-on maybe: exit 2" 2 "$rc"
err=$(bounded 60 "$OA" diff "$before" /nonexistent.etf 2>&1); rc=$?
check_eq "diff with a missing file: exit 2" 2 "$rc"
check_contains "... names it" "/nonexistent.etf" "$err"
finish
