#!/usr/bin/env bash
# Terms written by the tool, not by the target (src/termtext.c): child ids and start
# arguments of every shape (tests/termtext/terms.eterm) are started on a real Erlang and a
# real Elixir node, collected, saved, and read back by Erlang and Elixir: each must be the
# same term. And a snapshot loads no stock module into the target but `sys` (which a
# supervisor loads to answer sys:get_state): no io_lib_format, io_lib_pretty or Inspect.
. "$(dirname "$0")/lib.sh"
TERMS=$TOP/tests/termtext/terms.eterm

loaded() { node_eval "$1" "lists:sort([M || {M, _} <- code:all_loaded()])." | tr -d ' \n' | tr ',' '\n' | tr -d '[]' | sort; }
new_modules() { # PREFIX BEFORE: modules loaded since BEFORE, the probe's own left out
  comm -13 "$2" <(loaded "$1") | grep -v '^otp_advisor_probe' | tr '\n' ' ' | sed 's/ $//'
}

start_fixture erlbasic E
honest check_eq "Erlang: the tree of terms started" "ok" "$(node_eval E "{ok, [Ts, Cs]} = file:consult(\"$TERMS\"), erlbasic_app:start_ids(Ts ++ Cs).")"
B0=$(tmpfile before); loaded E >/dev/null; loaded E >"$B0"
S=$(tmpfile erl.etf)
"$OA" snapshot "$E_NODE" --cookie-file "$E_COOKIE" --window 0 -o "$S" >/dev/null 2>"$S.err"
honest check_eq "Erlang: snapshot exits 0" 0 $?
honest check_eq "Erlang: stock modules the snapshot loaded (sys: the supervisors' own)" "$(comm -13 "$B0" <(echo sys) | tr -d '\n')" "$(new_modules E "$B0")"
out=$(escript "$TOP/tests/termtext/check.escript" "$TERMS" "$S" erlbasic_ids 2>&1)
check_eq "Erlang: every id and start read back as the same term" 0 $? 
check_contains "Erlang: all children checked" "0 failed" "$out"
[ -n "$(grep FAIL <<<"$out")" ] && echo "$out" | head -20
R=$(tmpfile erl.md)
"$OA" report "$E_NODE" --cookie-file "$E_COOKIE" --window 0 --judge-otp >"$R" 2>&1
honest check_eq "Erlang: report exits 0 (findings or not)" 1 "$(( $? <= 1 ))"

start_fixture basic B
ex="{ok, [Ts, Cs]} = file:consult(\"$TERMS\"), Self = self(),
    spawn(fun() -> {ok, _} = 'Elixir.Supervisor':start_link(
                     [#{id => T, start => {'Elixir.Agent', start_link, [erlang, element, [1, {T}]]}} || T <- Ts ++ Cs],
                     [{strategy, one_for_one}, {name, oa_tt_sup}]),
                   Self ! started, receive stop -> ok end end),
    receive started -> ok after 5000 -> timeout end."
honest check_eq "Elixir: the tree of terms started" "ok" "$(node_eval B "$ex")"
B1=$(tmpfile before); loaded B >/dev/null; loaded B >"$B1"
S2=$(tmpfile ex.etf)
"$OA" snapshot "$B_NODE" --cookie-file "$B_COOKIE" --window 0 -o "$S2" >/dev/null 2>"$S2.err"
honest check_eq "Elixir: snapshot exits 0" 0 $?
honest check_eq "Elixir: stock modules the snapshot loaded (sys: the supervisors' own)" "$(comm -13 "$B1" <(echo sys) | tr -d '\n')" "$(new_modules B "$B1")"
out=$(cd "$_TMP" && elixir "$TOP/tests/termtext/check.exs" "$TERMS" "$S2" oa_tt_sup 2>&1)
check_eq "Elixir: every id and start read back as the same term" 0 $?
check_contains "Elixir: all children checked" "0 failed" "$out"
[ -n "$(grep FAIL <<<"$out")" ] && echo "$out" | head -20
finish
