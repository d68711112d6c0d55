#!/usr/bin/env bash
# Compile the fixture applications under tests/fixtures/ into build/fixtures/NAME/ebin.
# Elixir fixtures: lib/*.ex with elixirc, NAME.app copied; Erlang: src/*.erl with erlc.
set -euo pipefail
cd "$(dirname "$0")/.."
# the tests' own instrumentation, loaded into every node they start (tests/harness)
mkdir -p build/harness/ebin
for f in tests/harness/*.erl; do
  b=build/harness/ebin/$(basename "$f" .erl).beam
  [ "$b" -nt "$f" ] || erlc -o build/harness/ebin "$f"
done
for dir in tests/fixtures/*/ tests/corpus/*/; do
  name=$(basename "$dir")
  [ -f "$dir/fixture.conf" ] || continue
  # corpus systems are named after the OTP application they run (ssh, os_mon): their code
  # goes under corpus-NAME, or the code path would make build/fixtures/os_mon the real
  # application's lib dir (and its priv programs, memsup's port, would not be found)
  base=build/fixtures/$name
  case "$dir" in tests/corpus/*) base=build/fixtures/corpus-$name ;; esac
  out=$base/ebin
  stamp=$base/.stamp
  if [ -f "$stamp" ] && [ -z "$(find "$dir" -newer "$stamp" -type f | head -1)" ]; then
    continue
  fi
  rm -rf "$out"; mkdir -p "$out"
  if ls "$dir"lib/*.ex >/dev/null 2>&1; then
    elixirc --ignore-module-conflict -o "$out" "$dir"lib/*.ex >/dev/null
    cp "$dir$name.app" "$out/$name.app"
  fi
  if ls "$dir"src/*.erl >/dev/null 2>&1; then
    # a corpus system on Debian's rabbitmq-server libraries compiles against them (behaviours)
    pa=()
    libs=$(sed -n 's/^RABBIT_LIBS="\(.*\)"$/\1/p' "$dir/fixture.conf")
    if [ -n "$libs" ]; then
      plugins=$(scripts/rabbit-plugins.sh)
      for lib in $libs; do pa+=(-pa "$plugins/$lib/ebin"); done
    fi
    erlc "${pa[@]}" -o "$out" "$dir"src/*.erl
    for a in "$dir"src/*.app.src; do [ -f "$a" ] && cp "$a" "$out/$(basename "$a" .src)"; done
  fi
  touch "$stamp"
  echo "fixture $name built" >&2
done
