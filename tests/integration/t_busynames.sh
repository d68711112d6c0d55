#!/usr/bin/env bash
# Busy processes keep their names (tests/fixtures/busynames): six processes whose heaps are
# over the cap under which dictionaries are read are named from their code all the same,
# with both collectors, and `info` says where each name came from; a saved snapshot keeps it.
. "$(dirname "$0")/lib.sh"

start_fixture busynames N
pid_of() { node_eval N "pid_to_list($1)." | tr -d '"'; }
for mode in probe no-load; do
  flag=(); [ "$mode" = no-load ] && flag=(--no-load)
  T=$(tmpfile "tree-$mode"); J=$(tmpfile "json-$mode"); S=$(tmpfile "snap-$mode")
  "$OA" dump "${flag[@]}" "$N_NODE" --cookie-file "$N_COOKIE" --no-color >"$T" 2>&1
  honest check_eq "[$mode] dump exits 0" 0 $?
  "$OA" dump --json "${flag[@]}" "$N_NODE" --cookie-file "$N_COOKIE" >"$J" 2>"$J.err"
  honest check_eq "[$mode] dump --json exits 0" 0 $?
  check_eq "[$mode] the nine large processes' dictionaries were not read" 9 "$(jq .dictionaries_skipped "$J")"
  check_eq "[$mode] the pool's three workers are named by their code" 3 "$(grep -c '{db,[123]}  bn_db_worker:init/1' "$T")"
  check_eq "[$mode] the idle server and the three dynamic children are named by their code" 4 \
    "$(grep -cE '(bn_idle_big|<[0-9.]+>)  bn_server:init/1' "$T")"
  check_absent "[$mode] nothing in the tree is named proc_lib" "[busynames]" "proc_lib" "$(sed -n '/^\[busynames\]/,/^$/p' "$T")"
  check_eq "[$mode] the unsupervised busy server is named by its code" "bn_server:init/1" \
    "$(jq -r '.unsupervised[] | select(.name == "bn_orphan") | .initial_call' "$J")"
  check_eq "[$mode] bn_big_sup (a supervisor over the cap) is read" "supervisor ok 1" \
    "$(jq -r '.supervisors[] | select(.name == "bn_big_sup") | "\(.kind) \(.status) \(.children)"' "$J")"
  check_eq "[$mode] bn_fake_sup (a large gen_server declared a supervisor) is not asked" "declared supervisor not_asked" \
    "$(jq -r '.supervisors[] | select(.name == "bn_fake_sup") | "\(.kind) \(.status)"' "$J")"
  check_eq "[$mode] bn_fake_sup2 (the same, trapping exits, its spec naming a supervisor's module) is not asked" \
    "declared supervisor not_asked" \
    "$(jq -r '.supervisors[] | select(.name == "bn_fake_sup2") | "\(.kind) \(.status)"' "$J")"
  check_contains "[$mode] ... because its state is not a supervisor's" "its state does not read as a supervisor's" \
    "$(jq -r '.supervisors[] | select(.name == "bn_fake_sup2") | .error' "$J")"
  "$OA" snapshot "${flag[@]}" "$N_NODE" --cookie-file "$N_COOKIE" -o "$S" >/dev/null 2>&1
  honest check_eq "[$mode] snapshot exits 0" 0 $?
  db1=$(node_eval N "pid_to_list(hd([C || {{db, 1}, C, _, _} <- supervisor:which_children(bn_pool_sup)]))." | tr -d '"')
  out=$(printf 'info bn_orphan\ninfo bn_idle_big\ninfo %s\n' "$db1" | "$OA" shell --from "$S" --no-color 2>&1)
  check_contains "[$mode] info: bn_orphan's name is from the callback on its stack" \
    "(\$initial_call bn_server:init/1, from the gen_server callback on its stack" "$out"
  check_contains "[$mode] info: bn_idle_big's name is from its supervisor's child spec" \
    "(\$initial_call bn_server:init/1, from its supervisor's child spec" "$out"
  check_contains "[$mode] info: a pool worker's name is from the callback on its stack" \
    "(\$initial_call bn_db_worker:init/1, from the gen_server callback on its stack" "$out"
done
honest check_eq "bn_fake_sup got no request" "[]" "$(node_eval N 'bn_server:asked(whereis(bn_fake_sup)).')"
honest check_eq "bn_fake_sup2 got no request" "[]" "$(node_eval N 'bn_server:asked(whereis(bn_fake_sup2)).')"
# the dynamic child with a large heap: which of the three it is, asked of the node itself
dyn=$(node_eval N "hd([pid_to_list(C) || {_, C, _, _} <- supervisor:which_children(bn_dyn_sup), element(2, process_info(C, total_heap_size)) > 1000000])." | tr -d '"')
out=$(printf 'info %s\n' "$dyn" | "$OA" shell --from "$S" --no-color 2>&1)
check_contains "info: the large dynamic child's name is from the code its siblings run" \
  "(\$initial_call bn_server:init/1, from the code its siblings run" "$out"
finish
