#!/usr/bin/env bash
# A real Elixir node (tests/fixtures/basic): both collection paths, save/load, counts
# checked against what the node itself reports, the probe gone afterwards.
. "$(dirname "$0")/lib.sh"

start_fixture basic B
J1=$(tmpfile probe); J2=$(tmpfile noload); J3=$(tmpfile fromfile); SNAP=$(tmpfile snap)

"$OA" dump --json "$B_NODE" --cookie-file "$B_COOKIE" --window 0.5 >"$J1" 2>"$J1.err"
honest check_eq "probe path exits 0" 0 $?
"$OA" dump --json "$B_NODE" --cookie-file "$B_COOKIE" --window 0.5 --no-load >"$J2" 2>"$J2.err"
honest check_eq "no-load path exits 0" 0 $?
"$OA" snapshot "$B_NODE" --cookie-file "$B_COOKIE" --window 0.5 -o "$SNAP.etf" 2>"$SNAP.err"
honest check_eq "snapshot -o exits 0" 0 $?
"$OA" dump --json --from "$SNAP.etf" >"$J3" 2>&1
honest check_eq "dump --from exits 0" 0 $?

check_eq "probe path says probe" '"probe"' "$(jq .method "$J1")"
check_eq "no-load path says no-load" '"no-load"' "$(jq .method "$J2")"

# process count within churn of what the node reports
node_pc=$(node_eval B 'erlang:system_info(process_count).')
snap_pc=$(jq .processes "$J1")
diff=$((node_pc - snap_pc)); diff=${diff#-}
if [ "$diff" -le 10 ]; then ok "process count $snap_pc ~ node's $node_pc"; else not_ok "process count $snap_pc vs node's $node_pc"; fi

# every supervisor of the app, and their shapes
sup() { jq -r --arg n "$2" '.supervisors[] | select(.name == $n) | '"$3" "$1"; }
for J in "$J1" "$J2"; do
  m=$(jq -r .method "$J")
  check_eq "[$m] Basic.Supervisor one_for_one" "supervisor one_for_one 3/5" "$(sup "$J" Basic.Supervisor '"\(.kind) \(.strategy) \(.intensity)/\(.period)"')"
  check_eq "[$m] Basic.Workers is a DynamicSupervisor with 1000 children" "DynamicSupervisor 1000" "$(sup "$J" Basic.Workers '"\(.kind) \(.children)"')"
  check_eq "[$m] Basic.Partitions is a PartitionSupervisor with 2 partitions" "PartitionSupervisor 2" "$(sup "$J" Basic.Partitions '"\(.kind) \(.children)"')"
  check_eq "[$m] Basic.TaskSup is a Task.Supervisor with 3 tasks" "Task.Supervisor 3" "$(sup "$J" Basic.TaskSup '"\(.kind) \(.children)"')"
  check_eq "[$m] Basic.InnerSup rest_for_one 7/11" "supervisor rest_for_one 7/11" "$(sup "$J" Basic.InnerSup '"\(.kind) \(.strategy) \(.intensity)/\(.period)"')"
  check_eq "[$m] both registries are Registry supervisors" "Registry Registry" "$(sup "$J" Basic.Registry .kind) $(sup "$J" Basic.PubSub .kind)"
  parts=$(jq '[.supervisors[] | select(.kind == "DynamicSupervisor" and (.name|test("^<")) )] | map(.children) | add' "$J")
  check_eq "[$m] the partitions' DynamicSupervisors hold the 8 agents" 8 "$parts"
done

# supervisor count of the app against the node's own recursive walk
node_sups=$(node_eval B "W = fun W(S) -> 1 + lists:sum([W(P) || {_, P, supervisor, _} <- supervisor:which_children(S), is_pid(P)]) end, W(whereis('Elixir.Basic.Supervisor')).")
check_eq "supervisors in basic's tree = node's own walk" "$node_sups" "$(jq '[.supervisors[] | select(.app == "basic")] | length' "$J1")"

# registries: key counts exact
reg_count=$(node_eval B "'Elixir.Registry':count('Elixir.Basic.Registry').")
check_eq "Basic.Registry key count = Registry.count" "$reg_count" "$(jq '.registries[] | select(.name=="Basic.Registry") | .keys' "$J1")"
check_eq "Basic.Registry: unique, 1 partition" '"unique" 1' "$(jq -c '.registries[] | select(.name=="Basic.Registry") | .keys_kind, .partitions' "$J1" | tr '\n' ' ' | sed 's/ $//')"
check_eq "Basic.PubSub: duplicate, 2 partitions, 1 key" '"duplicate" 2 1' "$(jq -c '.registries[] | select(.name=="Basic.PubSub") | .keys_kind, .partitions, .keys' "$J1" | tr '\n' ' ' | sed 's/ $//')"

# unsupervised: exactly the planted ones, with the right sub-classes
expected='Basic.LooseAgent:foreign-orphan
planted_global:foreign-orphan
planted_linked_helper:linked-helper
planted_lonely:foreign-orphan
planted_registered:foreign-orphan
planted_spawned_unlinked:spawned-unlinked
planted_task:foreign-orphan'
for J in "$J1" "$J2"; do
  check_eq "[$(jq -r .method "$J")] unsupervised = exactly the planted processes" "$expected" \
    "$(jq -r '.unsupervised[] | "\(.name):\(.class)"' "$J" | sort)"
done
check_eq ":global name mapped" '"Basic.Global"' "$(jq '.globals[0].name' "$J1")"
check_eq "pg scope: groups and members as the node counts them" \
  "$(node_eval B "{length(pg:which_groups(basic_pg)), length(pg:get_members(basic_pg, group_a)) + length(pg:get_members(basic_pg, group_b))}.")" \
  "$(jq -r '.pg[] | select(.scope=="basic_pg") | "{\(.groups), \(.members)}"' "$J1")"
check "the collector's own processes are recognised" test "$(jq '.classes.advisor' "$J1")" -ge 1

# the two paths agree on the shape of the node
shape() { jq -S '{s: [.supervisors[] | "\(.name // "")|\(.kind)|\(.strategy)|\(.children)|\(.app)"] | map(select(test("^<")|not)) | sort,
                   r: .registries, u: [.unsupervised[] | .name] | sort, a: [.apps[].name] | sort}' "$1"; }
n_sups=$(jq ".supervisors | length" "$J1")
check "the snapshot holds the node's supervisors ($n_sups)" test "${n_sups:-0}" -gt 10
check_same "probe and no-load snapshots are equivalent" "$(shape "$J1")" "$(shape "$J2")"

# the saved file reads back, and Erlang can read it too
check_same "a saved snapshot loads back with the node's shape" "$(shape "$J1")" "$(shape "$J3")"
p1=$(jq .processes "$J1") p3=$(jq .processes "$J3")
d=$(( ${p1:-0} - ${p3:-0} )); d=${d#-}
if [ "${p3:-0}" -gt 0 ] && [ "$d" -le 5 ]; then ok "a loaded snapshot keeps every process"; else not_ok "a loaded snapshot keeps every process ($d apart)"; fi
erl_read=$(erl -noshell -eval "{ok, B} = file:read_file(\"$SNAP.etf\"), {otp_advisor_snapshot, 2, [{node_snapshot, _, ok, L}]} = binary_to_term(B), io:format(\"~p\", [length(L) > 5]), halt().")
check_eq "binary_to_term reads the snapshot in Erlang" true "$erl_read"

# nothing left behind on the target
loaded=$(node_eval B "[M || {M, _} <- code:all_loaded(), lists:prefix(\"otp_advisor_probe\", atom_to_list(M))].")
honest check_eq "probe module purged after the session" "[]" "$loaded"
hidden=$(node_eval B "[N || N <- nodes(hidden), lists:prefix(\"otp-advisor\", atom_to_list(N))].")
honest check_eq "no otp-advisor node left connected" "[]" "$hidden"
check_absent "the cookie is never printed (in the outputs that name the node)" "$B_NODE" "$(cat "$B_COOKIE")" "$(cat "$J1" "$J1.err" "$J2" "$J2.err" "$SNAP.err")"
finish
