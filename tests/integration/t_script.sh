#!/usr/bin/env bash
# A service started from a script (tests/fixtures/script_svc, issue 19 part 3): the process
# that runs `mix run -e` or `elixir FILE` code is the script, not an application's process,
# and names in advice come from code, never from where a process waits.
#   mix run -e    the idle service's tree started from the script's own process: exactly one
#                 finding, the tree's root (it names the script's process); nothing of the
#                 script's process itself
#   elixir FILE   the script's tree, and a bare spawned fun now in Process.sleep/1: its advice
#                 uses a placeholder (MyApp.Worker), never "Process.Worker"
#   the app       SCRIPT_SVC_APP=1 mix run --no-halt: the same tree under its application:
#                 nothing at all
# Each node is stopped by its own OS pid (written by the node), also when a check fails.
. "$(dirname "$0")/lib.sh"
SRC=$TOP/tests/fixtures/script_svc
BLOCKS=$(tmpfile blocks)
# start_script PREFIX ENV... -- ARGS...: a fresh folder and cookie, the project compiled, the
# node started with `elixir --sname NODE ARGS` in it; sets ${PREFIX}_NODE, _COOKIE, _DIR
start_script() {
  local prefix=$1; shift
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  local dir node
  dir=$(mktemp -d "${TMPDIR:-/tmp}/oa-fixture-script.XXXXXX")
  _FIXTURE_DIRS+=("$dir")
  node=script-$$-$RANDOM
  echo "$node" > "$dir/node"
  ( umask 077; head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n' | cut -c1-32 > "$dir/.erlang.cookie" )
  chmod 400 "$dir/.erlang.cookie"
  cp -r "$SRC" "$dir/proj"
  ( cd "$dir/proj" && HOME=$dir MIX_ENV=dev bounded 300 env "${envs[@]}" mix compile >"$dir/compile.log" 2>&1 ) ||
    { not_ok "$prefix: the project compiles" "$(tail -20 "$dir/compile.log")"; return 1; }
  # the tests' harness (lib.sh's safety checks), installed before Elixir's CLI runs the script
  # (ERL_AFLAGS come first on erl's command line; --erl's would come after the CLI, which never
  # returns here)
  ( cd "$dir/proj" && HOME=$dir SCRIPT_SVC_DIR=$dir ERL_AFLAGS="-pa $TOP/build/harness/ebin -s oa_harness install" \
      env "${envs[@]}" elixir --sname "$node" "$@" >"$dir/node.log" 2>&1 & )
  local i
  for ((i = 0; i < 600; i++)); do [ -f "$dir/ready" ] && break; sleep 0.1; done
  [ -f "$dir/ready" ] || { not_ok "$prefix: the service started" "$(tail -20 "$dir/node.log")"; return 1; }
  printf -v "${prefix}_NODE" '%s' "$node@$(hostname -s)"
  printf -v "${prefix}_COOKIE" '%s' "$dir/.erlang.cookie"
  printf -v "${prefix}_DIR" '%s' "$dir"
}
lines() {
  jq -r '.findings[] | "\(.severity) \(.rule) \(.subject.name)"' "$1" | sed -E 's/<[0-9]+\.[0-9]+\.[0-9]+>/<pid>/g' | sort
}

# mix run -e: the script's own process starts the tree and sleeps
if start_script M -- -S mix run -e 'ScriptSvc.start(); Process.sleep(:infinity)'; then
  J=$(tmpfile mixrun)
  "$OA" check --json "$M_NODE" --cookie-file "$M_COOKIE" >"$J" 2>"$J.err"
  honest check_eq "mix run -e: check exits 0" 0 $?
  check_eq "mix run -e: the one finding a reviewer signs, the tree started from the script" \
    "warning unsupervised-process ScriptSvc.Supervisor" "$(lines "$J")"
  check_contains "mix run -e: it names the script's process" "from the script's process <" \
    "$(jq -r '.findings[].summary' "$J")"
  "$TOP/tests/codecheck/blocks.sh" check "$J" "script-mixrun" >> "$BLOCKS"
  stop_fixture "$M_DIR"
fi

# elixir FILE: its tree, and a bare spawned fun that sleeps
if start_script E -- script.exs; then
  J=$(tmpfile file)
  "$OA" check --json "$E_NODE" --cookie-file "$E_COOKIE" >"$J" 2>"$J.err"
  honest check_eq "elixir FILE: check exits 0" 0 $?
  check_eq "elixir FILE: the script's tree and its bare spawn, nothing of the script's own process" \
    "$(printf '%s\n' "warning unsupervised-process ScriptFile.Supervisor" "warning unsupervised-process a spawned fun" | sort)" \
    "$(lines "$J")"
  R=$(jq -r '.findings[] | select(.subject.name == "a spawned fun") | "\(.summary)\n\(.recommendation)"' "$J")
  check_contains "elixir FILE: where the spawned fun waits is evidence, spelled as Elixir" "is now in Process.sleep/1" "$R"
  check_contains "elixir FILE: its advice uses a placeholder" "defmodule MyApp.Worker do" "$R"
  check_absent "elixir FILE: never a module named after where it waits" "defmodule MyApp.Worker do" "Process.Worker" "$R"
  check_absent "elixir FILE: nor the module's atom text" "defmodule MyApp.Worker do" "Process:sleep" "$R"
  "$TOP/tests/codecheck/blocks.sh" check "$J" "script-file" >> "$BLOCKS"
  stop_fixture "$E_DIR"
fi

# the clean counterpart: the application starts the same tree
if start_script A SCRIPT_SVC_APP=1 -- -S mix run --no-halt; then
  J=$(tmpfile app)
  "$OA" check --json "$A_NODE" --cookie-file "$A_COOKIE" >"$J" 2>"$J.err"
  honest check_eq "the app: check exits 0" 0 $?
  check_silent "the app: the same service under its application gives nothing" "$A_NODE" "$(jq -r .node "$J")" "$(lines "$J")"
  check_eq "the app: its tree is the application's" '"app"' \
    "$("$OA" dump --json "$A_NODE" --cookie-file "$A_COOKIE" --window 0 2>/dev/null |
       jq '.supervisors[] | select(.name == "ScriptSvc.Supervisor") | .root')"
  stop_fixture "$A_DIR"
fi
check_code_parses "printed code parses" "$BLOCKS"
finish
