#!/usr/bin/env bash
# Findings point at code (issue 20): a finding on the zoo's own code names its source file,
# read from the node's compile info (nothing loaded), in check's text and JSON, the shell's
# info and the report, relative to --source-root; the runtime's code gets none.
. "$(dirname "$0")/lib.sh"

start_fixture zoo Z
ROOT=$TOP/tests/fixtures/zoo
S=$(tmpfile snap)
"$OA" snapshot "$Z_NODE" --cookie-file "$Z_COOKIE" -o "$S" >/dev/null 2>&1
honest check_eq "snapshot exits 0" 0 $?
J=$("$OA" check --json --from "$S" --source-root "$ROOT")
check_eq "check --json: Zoo.GlobalBottleneck's finding names its file, relative to the root" \
  "lib/global_bottleneck.ex" \
  "$(jq -r '.findings[] | select(.subject.name == "Zoo.GlobalBottleneck") | .subject.source' <<<"$J")"
check_eq "without --source-root: the path the node's compile info has" "$ROOT/lib/global_bottleneck.ex" \
  "$("$OA" check --json --from "$S" | jq -r '.findings[] | select(.subject.name == "Zoo.GlobalBottleneck") | .subject.source')"
check_silent "no finding points at the runtime's code (OTP's, Elixir's)" "lib/global_bottleneck.ex" \
  "$(jq -r '.findings[].subject.source // empty' <<<"$J")" \
  "$(jq -r '.findings[].subject.source // empty' <<<"$J" | grep -E '/build/|lib/(elixir|stdlib|kernel)/' | head -1)"
check_contains "check's text: a code: line under the subject" "    code: lib/global_bottleneck.ex" \
  "$("$OA" check --from "$S" --source-root "$ROOT" --no-color)"
check_contains "info: a source line" "source         lib/global_bottleneck.ex" \
  "$(printf 'info Zoo.GlobalBottleneck\n' | "$OA" shell --from "$S" --source-root "$ROOT" --no-color 2>&1)"
check_contains "the report: the finding's code" "Zoo.GlobalBottleneck — code: \`lib/global_bottleneck.ex\`" \
  "$("$OA" report --from "$S" --source-root "$ROOT" 2>&1 | grep 'global-bottleneck')"
finish
