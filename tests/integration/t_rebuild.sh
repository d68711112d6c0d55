#!/usr/bin/env bash
# The report's rebuilt tree is code that starts, for every corpus system and fixture that has
# a dynamic supervisor or a pool (issue 19): each printed tree (the `children = [...]` of an
# Elixir section, the `init/1` of an Erlang one, compiled into a supervisor module) is run in
# a fresh node that has the system's code on its path but not its application, and comes up
# with every child it lists running. Every system is rebuilt twice: each application section
# of its report (OTP's own applications judged as ours, --judge-otp, for the corpus systems
# made of them), and each supervisor whose children are started at run time (DynamicSupervisor,
# Task.Supervisor, simple_one_for_one, a special process, a PartitionSupervisor) reported as
# the target: rebuilt as itself, one child, never as the children it has now, and its Testing
# Approach starts it once, not child by child. Every printed block parses (tests/codecheck).
#
# Then what the zoo's rebuilt tree must hold (the changes applied: a PartitionSupervisor for
# Zoo.Sessions, a partitioned Zoo.Registry, children in start order), the same children in the
# same start order for elixir_script's tree, and corpus_pool's pool up with its five workers.
#
# Each fresh node is a plain `elixir`/`erl` child of this test, stopped by its pid.
. "$(dirname "$0")/lib.sh"
BLOCKS=$(tmpfile blocks)

# the systems, and what each needs to start as the test wants it (the zoo is the golden
# snapshot: its live load is not needed to read its tree)
SYSTEMS=${REBUILD:-zoo basic clean erlbasic realshapes overload supbusy staged pools dbpool busynames elixir_script corpus_pool corpus_cowboy corpus_sup2 corpus_folsom corpus_ra corpus_cache yaws inets mnesia ssh}
sys_env() {
  case $1 in
    staged) echo STAGE=3 ;;                       # the stage with a Registry and a DynamicSupervisor
    overload | realshapes | erlbasic) echo FIXTURE_N=2000 ;;
    *) echo OA_REBUILD=1 ;;
  esac
}
# Application sections that cannot be rebuilt from their child specs, and why (their
# dynamic parts are rebuilt as targets all the same):
#   cache_tab  its ets_cache children are added at run time by ets_cache:new/2, and need the
#              options table cache_tab_app:start/2 creates after its supervisor starts
#   ra         ra_sup:init/1 creates the metrics tables its children write to
#   ranch      ranch_sup:init/1 creates the ranch_server table (no dynamic part of its own)
not_rebuildable() { case "$1" in cache_tab | ra | ranch) return 0 ;; *) return 1 ;; esac; }
# the OTP applications a corpus system is made of: judged as ours
judge() { case "$1" in inets | mnesia | ssh | yaws) echo --judge-otp ;; esac; }

# code_path SYS: -pa flags for a fresh node with the system's code (as scripts/fixture.sh)
code_path() {
  local sys=$1 conf=$TOP/tests/fixtures/$1/fixture.conf ebin=$TOP/build/fixtures/$1/ebin
  [ -f "$conf" ] || { conf=$TOP/tests/corpus/$sys/fixture.conf; ebin=$TOP/build/fixtures/corpus-$sys/ebin; }
  local RABBIT_LIBS="" FIXTURE_ERL_FLAGS="" l
  # shellcheck disable=SC1090
  . "$conf"
  printf -- '-pa %s ' "$ebin"
  if [ -n "$RABBIT_LIBS" ]; then
    local plugins; plugins=$("$TOP/scripts/rabbit-plugins.sh")
    for l in $RABBIT_LIBS; do printf -- '-pa %s ' "$plugins/$l/ebin"; done
  fi
  printf '%s' "$FIXTURE_ERL_FLAGS"
}

# fresh OUT CMD...: a fresh node as our child, at most 60 s; its exit code; killed by its pid
fresh() {
  local out=$1; shift
  timeout -k 5 60 "$@" >"$out" 2>&1 &
  local pid=$! rc
  wait "$pid"; rc=$?
  kill -9 "$pid" 2>/dev/null || true
  return "$rc"
}

# sections MD DIR: split a report into DIR/N.label, DIR/N.lang, DIR/N.code (each section's
# first code block: its rebuilt tree) and DIR/N.tests (its Testing Approach)
sections() {
  awk -v dir="$2" '
    /^#+ OTP Analysis: / { n++; b = 0; t = 0; sub(/^#+ OTP Analysis: /, ""); print > (dir "/" n ".label"); next }
    /^#+ Testing Approach/ { t = 1 }
    /^```(elixir|erlang)$/ && n && !b++ { print substr($0, 4) > (dir "/" n ".lang"); on = 1; next }
    /^```/ { on = 0; next }
    on { print > (dir "/" n ".code") }
    t && n { print > (dir "/" n ".tests") }' "$1"
}

# rebuild SYS LABEL LANG CODE OUT [EXTRA]: run the printed tree in a fresh node; OUT gets
# "TREE-UP N" (its running children) and whatever EXTRA (Elixir code, or an Erlang expression
# list using Sup) prints; returns 0 when the node ran to the end
rebuild() {
  local sys=$1 label=$2 lang=$3 code=$4 out=$5 extra=${6:-} pa
  pa=$(code_path "$sys")
  if [ "$lang" = elixir ]; then
    {
      cat "$code"
      printf '%s\n' '|> case do' '  {:ok, sup} ->' \
        '    IO.puts("TREE-UP #{length(Supervisor.which_children(sup))}")' "$extra" \
        '  other ->' '    IO.puts("TREE-FAILED #{inspect(other)}")' 'end' 'System.halt(0)'
    } >"$out.exs"
    # shellcheck disable=SC2086
    ZOO_LOAD=0 fresh "$out" elixir $pa "$out.exs"
  else
    local m; m=$(mktemp -d "$_TMP/erl.XXXXXX")
    {
      printf -- '-module(rebuilt_sup).\n-behaviour(supervisor).\n-export([start_link/0, init/1]).\n'
      printf 'start_link() -> supervisor:start_link(?MODULE, []).\n'
      cat "$code"
    } >"$m/rebuilt_sup.erl"
    if ! erlc -o "$m" "$m/rebuilt_sup.erl" >"$out" 2>&1; then
      cat "$m/rebuilt_sup.erl" >>"$out"
      return 1
    fi
    # shellcheck disable=SC2086
    fresh "$out" erl -noshell $pa -pa "$m" -eval "
      case catch rebuilt_sup:start_link() of
        {ok, Sup} -> unlink(Sup), io:format(\"TREE-UP ~b~n\", [length(supervisor:which_children(Sup))]), ${extra:-ok};
        Other -> io:format(\"TREE-FAILED ~p~n\", [Other])
      end, halt()."
  fi
}

# the children a printed tree lists: Elixir lines at depth one, Erlang child maps; a
# simple_one_for_one's init lists its template, and starts with no child
listed() {
  if [ "$1" = elixir ]; then grep -cE '^  [A-Z%{]' "$2"
  elif grep -q 'strategy => simple_one_for_one' "$2"; then echo 0
  else grep -cE '^        #\{id' "$2"; fi
}

# check_report SYS KIND MD: every section of the report rebuilt and started; KIND target:
# one child at most, started once in its test
check_report() {
  local sys=$1 kind=$2 md=$3 dir i label lang want got
  dir=$(mktemp -d "$_TMP/sec.XXXXXX")
  sections "$md" "$dir"
  "$TOP/tests/codecheck/blocks.sh" report "$md" "$sys-$(basename "$md")" >>"$BLOCKS"
  # a report with no section would rebuild nothing, and pass
  local n; n=$(find "$dir" -name '*.label' | wc -l)
  check "[$sys] the report ($kind) has sections to rebuild ($n)" test "$n" -ge 1
  for lf in "$dir"/*.label; do
    [ -e "$lf" ] || continue
    i=$(basename "$lf" .label); label=$(cat "$lf")
    [ -f "$dir/$i.code" ] || continue
    if [ "$kind" = section ] && not_rebuildable "$label"; then continue; fi
    lang=$(cat "$dir/$i.lang"); want=$(listed "$lang" "$dir/$i.code")
    if [ "$kind" = target ]; then
      [ "$want" -le 1 ] || not_ok "[$sys] $label: rebuilt as itself, one child" "$(cat "$dir/$i.code")"
      local starts; starts=$(grep -c 'start_supervised!' "$dir/$i.tests" 2>/dev/null)
      [ "${starts:-0}" -le 1 ] || not_ok "[$sys] $label: its test starts it once ($starts start_supervised!)"
    fi
    rebuild "$sys" "$label" "$lang" "$dir/$i.code" "$dir/$i.out"
    got=$(sed -n 's/^TREE-UP //p' "$dir/$i.out")
    if [ "$got" = "$want" ]; then ok "[$sys] $label ($kind, $lang): the printed tree starts, every child it lists running ($want)"
    else not_ok "[$sys] $label ($kind, $lang): the printed tree starts, every child it lists running ($want)" "$(head -30 "$dir/$i.out")"; fi
  done
}

for sys in $SYSTEMS; do
  S=$(tmpfile "$sys.etf")
  if [ "$sys" = zoo ]; then
    cp "$TOP/tests/golden/zoo.etf" "$S"
  else
    # shellcheck disable=SC2046
    export $(sys_env "$sys")
    start_fixture "$sys" X
    sleep 1
    "$OA" snapshot "$X_NODE" --cookie-file "$X_COOKIE" -o "$S" >/dev/null 2>"$S.err"
    honest check_eq "[$sys] snapshot exits 0" 0 $?
    stop_fixture "$X_DIR"
    unset STAGE FIXTURE_N OA_REBUILD
  fi
  J=$(judge "$sys")
  M=$(tmpfile "$sys.md")
  # shellcheck disable=SC2086
  "$OA" report $J --from "$S" >"$M" 2>"$M.err"
  honest check_eq "[$sys] report exits 0" 0 $?
  check_report "$sys" section "$M"
  # the supervisors whose children are started at run time, in the system's own applications
  # (the runtime's, kernel's dets_sup and the like, left out), by name or pid: six at most
  # shellcheck disable=SC2086
  runtime=" $("$OA" dump --json $J --from "$S" 2>/dev/null | jq -r '[.apps[] | select(.runtime) | .name] | join(" ")') "
  # shellcheck disable=SC2086
  targets=$("$OA" dump --json --from "$S" | jq -r --arg rt "$runtime" '.supervisors[] | . as $x
      | select(($rt | contains(" " + $x.app + " ")) | not)
      | select(.kind == "DynamicSupervisor" or .kind == "Task.Supervisor" or .kind == "special"
               or .kind == "PartitionSupervisor" or .strategy == "simple_one_for_one")
      | .name // .pid' | head -6)
  for t in $targets; do
    T=$(tmpfile "$sys-target.md")
    # shellcheck disable=SC2086
    "$OA" report $J --from "$S" "$t" >"$T" 2>"$T.err"
    honest check_eq "[$sys] report $t exits 0" 0 $?
    check_report "$sys" target "$T"
  done
done

# ---- what the trees hold ---------------------------------------------------------------

first_block() { awk -v f='```'"$1" '$0 == f { n++; if (n == 1) { on = 1; next } } /^```$/ { on = 0 } on' "$2"; }

# the zoo: the changes applied, children in start order
M=$(tmpfile zoo)
"$OA" report --from "$TOP/tests/golden/zoo.etf" Zoo.Supervisor >"$M" 2>"$M.err"
honest check_eq "[zoo] report Zoo.Supervisor exits 0" 0 $?
first_block elixir "$M" >"$M.code"
OUT=$(tmpfile out)
rebuild zoo Zoo.Supervisor elixir "$M.code" "$OUT" '
    IO.puts("SESSIONS #{Supervisor.count_children(Zoo.Sessions)[:specs]}")
    IO.puts("REGISTRY-PARTITIONS #{length(Supervisor.which_children(Zoo.Registry))}")
    IO.puts("ORDER #{Supervisor.which_children(sup) |> Enum.reverse() |> Enum.map(&inspect(elem(&1, 0))) |> Enum.join(" ")}")'
check_eq "[zoo] the printed children start in a fresh node (exit)" 0 $?
check_eq "[zoo] every listed child is running" "$(listed elixir "$M.code")" "$(sed -n 's/^TREE-UP //p' "$OUT")"
sched=$(erl -noshell -eval 'io:format("~b", [erlang:system_info(schedulers_online)]), halt().')
check_eq "[zoo] Zoo.Sessions is now a PartitionSupervisor, one partition per scheduler" "$sched" "$(sed -n 's/^SESSIONS //p' "$OUT")"
check_eq "[zoo] Zoo.Registry now has one partition per scheduler" "$sched" "$(sed -n 's/^REGISTRY-PARTITIONS //p' "$OUT")"
order=$(sed -n 's/^ORDER //p' "$OUT")
case "$order" in
  Zoo.Registry*) ok "[zoo] children in start order: the Registry first, before its users" ;;
  *) not_ok "[zoo] children in start order" "$order" ;;
esac
# Zoo.Sessions alone: itself, partitioned, its 3,077 sessions not listed, started once
"$OA" report --from "$TOP/tests/golden/zoo.etf" Zoo.Sessions >"$M.s" 2>&1
honest check_eq "[zoo] report Zoo.Sessions exits 0" 0 $?
first_block elixir "$M.s" >"$M.s.code"
check_eq "[zoo] Zoo.Sessions rebuilt as itself: one child, the PartitionSupervisor" \
  "  {PartitionSupervisor, child_spec: DynamicSupervisor, name: Zoo.Sessions}" "$(grep -E '^  [A-Z%{]' "$M.s.code")"
check_eq "[zoo] ... its test starts it once" 1 "$(grep -c 'start_supervised!' "$M.s")"
# (a session registers itself in Zoo.Registry: the test starts one first)
rebuild zoo Zoo.Sessions elixir "$M.s.code" "$OUT" '
    {:ok, _} = Registry.start_link(keys: :unique, name: Zoo.Registry)
    IO.puts("STARTED #{inspect(DynamicSupervisor.start_child({:via, PartitionSupervisor, {Zoo.Sessions, self()}}, {Zoo.Session, {1, nil}}) |> elem(0))}")'
check_eq "[zoo] ... and a session starts under it as its callers start one" ":ok" "$(sed -n 's/^STARTED //p' "$OUT")"

# pools: three connections of one module, each its own id, under the unnamed Pools.System
start_fixture pools P
"$OA" report "$P_NODE" --cookie-file "$P_COOKIE" Pools.System >"$M.p" 2>"$M.p.err"
honest check_eq "[pools] report Pools.System (an unnamed supervisor, by its module) exits 0" 0 $?
orig=$(node_eval P "[element(1, C) || C <- lists:reverse(supervisor:which_children(element(2, lists:keyfind('Elixir.Pools.System', 1, supervisor:which_children('Elixir.Pools.Supervisor')))))].")
stop_fixture "$P_DIR"
first_block elixir "$M.p" >"$M.p.code"
rebuild pools Pools.System elixir "$M.p.code" "$OUT" '
    IO.puts("IDS #{Supervisor.which_children(sup) |> Enum.reverse() |> Enum.map(&inspect(elem(&1, 0))) |> Enum.join(" ")}")'
check_eq "[pools] the three connections are up" 3 "$(sed -n 's/^TREE-UP //p' "$OUT")"
check_eq "[pools] ... each with its own id, in start order, as on the node" \
  "$(tr -d '[]' <<<"$orig" | sed 's/{db, *\([0-9]\)}/{:db, \1}/g; s/}, */} /g')" "$(sed -n 's/^IDS //p' "$OUT")"

# a corpus system: the tree elixir_script starts from a script, the same children in the
# same start order
start_fixture elixir_script E
"$OA" report "$E_NODE" --cookie-file "$E_COOKIE" CorpusScript.Sup >"$M.e" 2>"$M.e.err"
honest check_eq "[elixir_script] report exits 0" 0 $?
orig=$(node_eval E "[element(1, C) || C <- lists:reverse(supervisor:which_children('Elixir.CorpusScript.Sup'))].")
stop_fixture "$E_DIR"
first_block elixir "$M.e" >"$M.e.code"
rebuild elixir_script CorpusScript.Sup elixir "$M.e.code" "$OUT" '
    IO.puts("ORDER #{Supervisor.which_children(sup) |> Enum.reverse() |> Enum.map(&inspect(elem(&1, 0))) |> Enum.join(" ")}")'
check_eq "[elixir_script] the tree comes up with its 5 children" 5 "$(sed -n 's/^TREE-UP //p' "$OUT")"
want_order=$(tr -d '[]' <<<"$orig" | sed "s/'Elixir\.\([A-Za-z.]*\)'/\1/g; s/, */ /g; s/\bcounter\b/:counter/")
check_eq "[elixir_script] the same children in the same start order" "$want_order" "$(sed -n 's/^ORDER //p' "$OUT")"

# an Erlang corpus system: corpus_pool's supervisor, its printed init/1 (poolboy's real start
# arguments) compiled into a supervisor module and started: the pool has its five workers
start_fixture corpus_pool C
"$OA" report "$C_NODE" --cookie-file "$C_COOKIE" corpus_pool_sup >"$M.c" 2>"$M.c.err"
honest check_eq "[corpus_pool] report exits 0" 0 $?
stop_fixture "$C_DIR"
first_block erlang "$M.c" >"$M.c.code"
rebuild corpus_pool corpus_pool_sup erlang "$M.c.code" "$OUT" 'io:format("POOL ~p~n", [poolboy:status(corpus_pool_workers)])'
check_eq "[corpus_pool] its one child, the pool, is up" 1 "$(sed -n 's/^TREE-UP //p' "$OUT")"
check_eq "[corpus_pool] the pool has its five workers ready" "{ready,5,0,0}" "$(sed -n 's/^POOL //p' "$OUT")"

check_code_parses "every printed block parses" "$BLOCKS"
finish
