#!/usr/bin/env bash
# Start or stop a fixture application as a real node on loopback.
#
#   scripts/fixture.sh start NAME [NODE_NAME]   prints NODE=… COOKIE_FILE=… PID=… DIR=…
#   scripts/fixture.sh stop DIR                  halts that node (by its pid), removes DIR
#
# Each start gets a fresh directory with a generated cookie in DIR/.erlang.cookie (the
# node reads it through HOME=DIR, so the cookie never appears in ps), waits until the
# application reports ready, and records the node's OS pid. Extra environment for the
# fixture (e.g. FIXTURE_N, ZOO_LOAD) is passed through.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

elixir_ebins() {
  local lib
  lib=$(dirname "$(readlink -f "$(command -v elixir)")")/../lib
  for a in elixir logger; do printf -- '-pa %s ' "$(cd "$lib/$a/ebin" && pwd)"; done
}

start() {
  local name=$1 node=${2:-}
  local conf=$top/tests/fixtures/$name/fixture.conf ebin=$top/build/fixtures/$name/ebin
  [ -f "$conf" ] || { conf=$top/tests/corpus/$name/fixture.conf; ebin=$top/build/fixtures/corpus-$name/ebin; }
  [ -f "$conf" ] || { echo "fixture.sh: no fixture named $name" >&2; exit 2; }
  # shellcheck disable=SC1090
  . "$conf"
  "$top/scripts/build-fixtures.sh"
  local dir; dir=$(mktemp -d "${TMPDIR:-/tmp}/oa-fixture-$name.XXXXXX")
  [ -n "$node" ] || node="$name-$$-$RANDOM"
  if [ -n "${FIXTURE_COOKIE:-}" ]; then   # tests that restart "the same" node
    ( umask 077; printf '%s' "$FIXTURE_COOKIE" > "$dir/.erlang.cookie" )
  else
    ( umask 077; head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n' | cut -c1-32 > "$dir/.erlang.cookie" )
  fi
  chmod 400 "$dir/.erlang.cookie"
  local pa="-pa $ebin -pa $top/build/harness/ebin"
  # libraries from Debian's rabbitmq-server plugins folder (ranch, cowboy, ra…), on the path
  if [ -n "${RABBIT_LIBS:-}" ]; then
    local plugins lib; plugins=$("$top/scripts/rabbit-plugins.sh")
    for lib in $RABBIT_LIBS; do pa="$pa -pa $plugins/$lib/ebin"; done
  fi
  [ "$KIND" = elixir ] && pa="$pa $(elixir_ebins)"
  local eval="ok = oa_harness:install(), ${SETUP:-ok}, {ok, _} = application:ensure_all_started($APP), $PLANT, ok = file:write_file(\"$dir/ready\", <<\"ready\">>)."
  # shellcheck disable=SC2086
  export FIXTURE_DIR=$dir
  # FIXTURE_HOST: a long name (-name NODE@HOST: a dotted name or an IP address, ::1 included)
  local naming="-sname $node" shown="$node@$(hostname -s)"
  [ -n "${FIXTURE_HOST:-}" ] && { naming="-name $node@$FIXTURE_HOST"; shown="$node@$FIXTURE_HOST"; }
  # shellcheck disable=SC2086
  HOME=$dir ERL_CRASH_DUMP=$dir/erl_crash.dump erl $naming -noshell -noinput $pa ${FIXTURE_ERL_FLAGS:-} -eval "$eval" >"$dir/node.log" 2>&1 &
  local pid=$!
  echo "$pid" > "$dir/pid"
  echo "$node" > "$dir/node"
  echo "$shown" > "$dir/fullnode"
  local i=0
  while [ ! -f "$dir/ready" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "fixture.sh: node $node died while starting:" >&2; cat "$dir/node.log" >&2; rm -rf "$dir"; exit 2
    fi
    i=$((i + 1))
    if [ $i -gt 600 ]; then
      echo "fixture.sh: node $node not ready after 60 s" >&2; kill "$pid" 2>/dev/null || true; rm -rf "$dir"; exit 2
    fi
    sleep 0.1
  done
  echo "NODE=$shown"
  echo "COOKIE_FILE=$dir/.erlang.cookie"
  echo "PID=$pid"
  echo "DIR=$dir"
}

stop() {
  local dir=$1
  [ -d "$dir" ] || exit 0   # already stopped
  [ -f "$dir/pid" ] || { echo "fixture.sh: $dir is not a fixture directory" >&2; exit 2; }
  local pid; pid=$(cat "$dir/pid")
  # only the node we started: its command line carries its own node name
  if kill -0 "$pid" 2>/dev/null && grep -qa -- "$(cat "$dir/node")" "/proc/$pid/cmdline" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true   # SIGTERM: init:stop(), a clean halt
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: $0 start NAME [NODE] | stop DIR" >&2; exit 2 ;;
esac
