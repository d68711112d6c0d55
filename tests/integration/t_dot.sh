#!/usr/bin/env bash
# The trees as pictures: `dump --dot` (the whole node) and the shell's `tree --dot` give
# Graphviz DOT that Debian's graphviz renders (dot -Tsvg fails on a syntax error), with
# every supervisor, dynamic children collapsed, and findings coloured.
. "$(dirname "$0")/lib.sh"
Z=$TOP/tests/golden/zoo.etf
"$OA" dump --dot --from "$Z" >"$_TMP/zoo.dot" 2>"$_TMP/dot.err"
honest check_eq "dump --dot exits 0" 0 $?
dot -Tsvg "$_TMP/zoo.dot" >"$_TMP/zoo.svg" 2>"$_TMP/render.err"
# (dot renders an empty input without a word: the graph must be there)
check_eq "dot -Tsvg renders it (no syntax error)" "0 digraph" "$? $(grep -o -m1 '^digraph' "$_TMP/zoo.dot")"
check "... into an SVG" grep -q "<svg" "$_TMP/zoo.svg"
check_contains "the zoo's top supervisor is a node" "Zoo.Supervisor" "$(cat "$_TMP/zoo.dot")"
check_contains "dynamic children collapsed into one node" "shape=box3d" "$(cat "$_TMP/zoo.dot")"
check_eq "as many supervisor nodes as supervisors in the snapshot" \
  "$("$OA" dump --json --from "$Z" | jq '.supervisors | length')" "$(grep -c 'style=bold' "$_TMP/zoo.dot")"
printf 'tree Zoo.Supervisor --dot\nquit\n' | "$OA" shell --from "$Z" >"$_TMP/tree.out" 2>&1
honest check_eq "the shell exits 0" 0 $?
sed -n '/^digraph/,/^}/p' "$_TMP/tree.out" >"$_TMP/tree.dot"
dot -Tsvg "$_TMP/tree.dot" >/dev/null 2>"$_TMP/render2.err"
check_eq "the shell's tree --dot renders too" "0 digraph" "$? $(grep -o -m1 '^digraph' "$_TMP/tree.dot")"
check_contains "... with findings coloured" "color=\"red\"" "$(cat "$_TMP/tree.dot")"
check_eq "tree --dot is a dot graph, nothing else" 1 "$(grep -c '^digraph' "$_TMP/tree.dot")"
finish
