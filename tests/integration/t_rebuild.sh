#!/usr/bin/env bash
# The report's `children = [...]` is code that starts: the zoo's report (golden snapshot),
# with the recommended changes applied, is run as printed in a fresh node that has the
# zoo's modules but not its application, and the tree comes up with every child, in start
# order, the changes in place (a PartitionSupervisor for Zoo.Sessions, a partitioned
# Zoo.Registry). The same for a corpus system nobody here wrote: the tree elixir_script
# starts from a script, rebuilt from its live node's report, comes up with the same
# children in the same order; and an Erlang one, corpus_pool's supervisor, whose printed
# init/1 (poolboy's real start arguments) is compiled into a supervisor module and started:
# the pool comes up with its five workers. Each node is a plain `elixir` child of this test, stopped by
# its pid.
. "$(dirname "$0")/lib.sh"
# first_block LANG FILE: the first ```LANG block of a report
first_block() { awk -v f='```'"$1" '$0 == f { n++; if (n == 1) { on = 1; next } } /^```$/ { on = 0 } on' "$2"; }
# bounded OUT CMD...: run a fresh node as our child, at most 60 s; its exit code; killed by pid
bounded() {
  local out=$1; shift
  timeout 60 "$@" >"$out" 2>&1 &
  local pid=$! rc
  wait "$pid"; rc=$?
  kill -9 "$pid" 2>/dev/null || true
  return "$rc"
}
M=$(tmpfile report)
"$OA" report --from "$TOP/tests/golden/zoo.etf" Zoo.Supervisor >"$M" 2>"$M.err"
check_eq "report exits 0" 0 $?
CODE=$(first_block elixir "$M")
check_contains "the report prints a children list" "children = [" "$CODE"
want=$(grep -cE '^  [A-Z%{]' <<<"$CODE")   # the listed children: one line each at depth 1
OUT=$(tmpfile out)
{
  echo "$CODE"
  cat <<'EXS'
|> case do
  {:ok, sup} ->
    kids = Supervisor.which_children(sup)
    IO.puts("TREE-UP #{length(kids)}")
    IO.puts("SESSIONS #{Supervisor.count_children(Zoo.Sessions)[:specs]}")
    IO.puts("REGISTRY-PARTITIONS #{length(Supervisor.which_children(Zoo.Registry))}")
    IO.puts("ORDER #{kids |> Enum.reverse() |> Enum.map(&inspect(elem(&1, 0))) |> Enum.join(" ")}")
  other ->
    IO.puts("TREE-FAILED #{inspect(other)}")
end
System.halt(0)
EXS
} >"$_TMP/run.exs"
ZOO_LOAD=0 bounded "$OUT" elixir -pa "$TOP/build/fixtures/zoo/ebin" "$_TMP/run.exs"
check_eq "the printed children start in a fresh node (exit)" 0 $?
grep -q "^TREE-UP" "$OUT" || not_ok "the tree comes up" "$(head -30 "$OUT")"
check_eq "every listed child is running" "$want" "$(sed -n 's/^TREE-UP //p' "$OUT")"
sched=$(erl -noshell -eval 'io:format("~b", [erlang:system_info(schedulers_online)]), halt().')
check_eq "Zoo.Sessions is now a PartitionSupervisor, one partition per scheduler" "$sched" "$(sed -n 's/^SESSIONS //p' "$OUT")"
check_eq "Zoo.Registry now has one partition per scheduler" "$sched" "$(sed -n 's/^REGISTRY-PARTITIONS //p' "$OUT")"
order=$(sed -n 's/^ORDER //p' "$OUT")
case "$order" in
  Zoo.Registry*) ok "children in start order: the Registry first, before its users" ;;
  *) not_ok "children in start order" "$order" ;;
esac

# a corpus system: the report of a live node, the tree rebuilt as printed
start_fixture elixir_script E
M2=$(tmpfile report2)
"$OA" report "$E_NODE" --cookie-file "$E_COOKIE" CorpusScript.Sup >"$M2" 2>"$M2.err"
check_eq "[elixir_script] report exits 0" 0 $?
orig=$(node_eval E "[element(1, C) || C <- lists:reverse(supervisor:which_children('Elixir.CorpusScript.Sup'))].")
stop_fixture "$E_DIR"
CODE2=$(first_block elixir "$M2")
{
  echo "$CODE2"
  cat <<'EXS'
|> case do
  {:ok, sup} ->
    kids = Supervisor.which_children(sup)
    IO.puts("TREE-UP #{length(kids)}")
    IO.puts("ORDER #{kids |> Enum.reverse() |> Enum.map(&inspect(elem(&1, 0))) |> Enum.join(" ")}")
  other ->
    IO.puts("TREE-FAILED #{inspect(other)}")
end
System.halt(0)
EXS
} >"$_TMP/run2.exs"
OUT2=$(tmpfile out2)
bounded "$OUT2" elixir "$_TMP/run2.exs"
check_eq "[elixir_script] the printed children start in a fresh node (exit)" 0 $?
check_eq "[elixir_script] the tree comes up with its 5 children" 5 "$(sed -n 's/^TREE-UP //p' "$OUT2")"
# the original's ids, in start order, as Elixir prints them
want_order=$(tr -d '[]' <<<"$orig" | sed "s/'Elixir\.\([A-Za-z.]*\)'/\1/g; s/, */ /g; s/\bcounter\b/:counter/")
check_eq "[elixir_script] the same children in the same start order" "$want_order" "$(sed -n 's/^ORDER //p' "$OUT2")"

# an Erlang corpus system: the printed init/1 in a supervisor module, compiled and started
start_fixture corpus_pool P
M3=$(tmpfile report3)
"$OA" report "$P_NODE" --cookie-file "$P_COOKIE" corpus_pool_sup >"$M3" 2>"$M3.err"
check_eq "[corpus_pool] report exits 0" 0 $?
stop_fixture "$P_DIR"
mkdir -p "$_TMP/rebuilt"
{
  printf -- '-module(rebuilt_sup).\n-behaviour(supervisor).\n-export([start_link/0, init/1]).\n'
  printf 'start_link() -> supervisor:start_link(?MODULE, []).\n'
  first_block erlang "$M3"
} >"$_TMP/rebuilt/rebuilt_sup.erl"
if erlc -o "$_TMP/rebuilt" "$_TMP/rebuilt/rebuilt_sup.erl" 2>"$_TMP/rebuilt/erlc.err"; then ok "[corpus_pool] the printed init/1 compiles"
else not_ok "[corpus_pool] the printed init/1 compiles" "$(cat "$_TMP/rebuilt/erlc.err" "$_TMP/rebuilt/rebuilt_sup.erl")"; fi
OUT3=$(tmpfile out3)
bounded "$OUT3" erl -noshell -pa "$_TMP/rebuilt" -pa "$TOP/build/fixtures/corpus-corpus_pool/ebin" -eval '
  {ok, Sup} = rebuilt_sup:start_link(), unlink(Sup),
  io:format("TREE-UP ~b~n", [length(supervisor:which_children(Sup))]),
  io:format("POOL ~p~n", [poolboy:status(corpus_pool_workers)]),
  halt().'
check_eq "[corpus_pool] the rebuilt supervisor starts in a fresh node (exit)" 0 $?
check_eq "[corpus_pool] its one child, the pool, is up" 1 "$(sed -n 's/^TREE-UP //p' "$OUT3")"
check_eq "[corpus_pool] the pool has its five workers ready" "{ready,5,0,0}" "$(sed -n 's/^POOL //p' "$OUT3")"
finish
