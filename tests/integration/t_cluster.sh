#!/usr/bin/env bash
# --cluster on real clusters (tests/fixtures/cluster):
#   three nodes a, b, c connected through a: a holds the :global singleton cl_singleton that
#   b and c call under load (and cl_quiet, which nobody calls), and blasts large binaries at
#   b, which reads its link from a a quarter of the time (a peer that does not keep up: a busy
#   distribution link); b runs the same version as a with one more child; c runs
#   the application one version ahead, lacks cluster_extra (and its pg scope cl_scope_part)
#   that a and b run; cluster_role runs on a alone (a role: no finding);
#   a clean two-node cluster (d, e) where every cluster rule stays silent;
#   a node killed by its pid midway through a collection: the others still report, the dead
#   one is named (text, JSON, the saved file);
#   the shell's nodes, connect NODE, --node and --all; snapshot files holding every node.
. "$(dirname "$0")/lib.sh"

# start_named NAME PREFIX [ENV...]: a fixture node, recorded for the EXIT trap like start_fixture
start_named() {
  local name=$1 prefix=$2 out node cookie pid dir
  shift 2
  out=$(env "$@" "$TOP/scripts/fixture.sh" start "$name") || { echo "FATAL: fixture $name did not start"; exit 1; }
  node=$(sed -n 's/^NODE=//p' <<<"$out"); cookie=$(sed -n 's/^COOKIE_FILE=//p' <<<"$out")
  pid=$(sed -n 's/^PID=//p' <<<"$out"); dir=$(sed -n 's/^DIR=//p' <<<"$out")
  _FIXTURE_DIRS+=("$dir")
  printf -v "${prefix}_NODE" '%s' "$node"
  printf -v "${prefix}_COOKIE" '%s' "$cookie"
  printf -v "${prefix}_PID" '%s' "$pid"
  printf -v "${prefix}_DIR" '%s' "$dir"
}

COOKIE1=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | cut -c1-24)
COOKIE2=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | cut -c1-24)
start_named cluster A FIXTURE_COOKIE="$COOKIE1" CLUSTER_SINGLETON=1 CLUSTER_EXTRA=1 CLUSTER_ROLE_APP=1
start_named cluster B FIXTURE_COOKIE="$COOKIE1" CLUSTER_PEER="$A_NODE" CLUSTER_CALLERS=20 CLUSTER_EXTRA=1 \
  CLUSTER_EXTRA_CHILD=1
start_named cluster C FIXTURE_COOKIE="$COOKIE1" CLUSTER_PEER="$A_NODE" CLUSTER_CALLERS=20 CLUSTER_VSN=1.1.0
node_eval A "cluster_fixture:blast('$B_NODE')." >/dev/null
node_eval B "cluster_fixture:stall('$A_NODE')." >/dev/null
sleep 1

ck=(--cookie-file "$A_COOKIE")
json=$(bounded 120 "$OA" check --cluster --json "${ck[@]}" "$A_NODE"); rc=$?
honest check "check --cluster --json exits 0 or 1 (findings), not $rc" test $rc -le 1
check "the JSON is otp-advisor/cluster/1" test "$(jq -r .schema <<<"$json")" = otp-advisor/cluster/1
check_eq "three nodes, each collected" "3 3" \
  "$(jq -r '[(.nodes | length), ([.nodes[] | select(.status == "ok")] | length)] | "\(.[0]) \(.[1])"' <<<"$json")"
nodes=$(jq -r '.nodes[].node' <<<"$json" | sort | tr '\n' ' ')
check_eq "the nodes are a, b and c" "$(printf '%s\n' "$A_NODE" "$B_NODE" "$C_NODE" | sort | tr '\n' ' ')" "$nodes"
check_eq "the entry node is a" "$A_NODE" "$(jq -r .entry <<<"$json")"
check "each node carries its own findings/2 object naming it" \
  test "$(jq -r '[.nodes[] | select(.check.schema == "otp-advisor/findings/2" and .check.node == .node)] | length' <<<"$json")" = 3

cf() { jq -c --arg r "$1" '[.findings[] | select(.rule == $r)]' <<<"$json"; }
# global-name-callers: planted (cl_singleton) and its clean counterpart (cl_quiet)
g=$(cf global-name-callers)
check_eq "global-name-callers: one finding" 1 "$(jq length <<<"$g")"
check_contains "global-name-callers names cl_singleton" "cl_singleton" "$(jq -r '.[0].subject.name' <<<"$g")"
check_eq "global-name-callers: it lives on a" "$A_NODE" "$(jq -r '.[0].subject.node' <<<"$g")"
check_eq "global-name-callers: a warning" warning "$(jq -r '.[0].severity' <<<"$g")"
check "global-name-callers: callers wait from both other nodes" \
  test "$(jq -r '.[0].evidence.nodes_waiting' <<<"$g")" = 2
check "global-name-callers: many callers on other nodes (>= 10 of 40)" \
  test "$(jq -r '.[0].evidence.callers_other_nodes' <<<"$g")" -ge 10
check_absent "cl_quiet (no caller) gives no finding" "cl_singleton" "cl_quiet" "$(jq -r '.findings[].subject.name' <<<"$json")"
# app-version-skew: c runs cluster 1.1.0
v=$(cf app-version-skew)
check_eq "app-version-skew: one finding, on application cluster" "application cluster" "$(jq -r '.[] | .subject.name' <<<"$v")"
check_contains "app-version-skew names c's version" "$C_NODE 1.1.0" "$(jq -r '.[0].summary' <<<"$v")"
check_absent "no version skew on cluster_extra (same version where it runs)" "application cluster" "cluster_extra" \
  "$(jq -r '.[].subject.name' <<<"$v")"
check_absent "no OTP release skew (one OTP)" "application cluster" "OTP release" "$(jq -r '.[].subject.name' <<<"$v")"
# app-tree-differs: b has cl_extra_worker; c (another version) is not compared
t=$(cf app-tree-differs)
check_eq "app-tree-differs: one finding, on b" "$B_NODE" "$(jq -r '.[] | .subject.node' <<<"$t")"
check_contains "app-tree-differs names the extra child" "cl_extra_worker" "$(jq -r '.[0].summary' <<<"$t")"
# app-missing-on-node: c lacks cluster_extra (a warning); cluster_role on a alone: silent
m=$(cf app-missing-on-node)
check_eq "app-missing-on-node: cluster_extra on c, a warning" "application cluster_extra $C_NODE warning" \
  "$(jq -r '.[] | "\(.subject.name) \(.subject.node) \(.severity)"' <<<"$m")"
check_absent "cluster_role (one node's role) gives no finding" "cl_singleton" "cluster_role" "$(jq -r '.findings[].subject.name' <<<"$json")"
# pg-scope-missing: cl_scope_part on a and b, not c; cl_scope_all everywhere: silent
p=$(cf pg-scope-missing)
check_eq "pg-scope-missing: cl_scope_part on c" "pg scope cl_scope_part $C_NODE" \
  "$(jq -r '.[] | "\(.subject.name) \(.subject.node)"' <<<"$p")"
# busy-dist-link: a → b (planted) on a's own findings; no other link
bl=$(jq -c '[.nodes[] | .check.findings[]? | select(.rule == "busy-dist-link")]' <<<"$json")
check_eq "busy-dist-link: one finding, a → b" "$A_NODE → $B_NODE" "$(jq -r '.[] | .subject.name' <<<"$bl")"
# the slow peer itself, not only senders caught suspended: bytes waited in most looks
check "busy-dist-link: bytes waited in at least half the looks (b reads a quarter of the time)" \
  test "$(jq -r '.[0].evidence | (.looks >= 3 and .looks_pending * 2 >= .looks and .max_pending_bytes > 0 and .busy_limit_bytes > 0)' <<<"$bl")" = true

# --hidden: the hidden nodes too, never this tool's own connection (hidden, on a)
hj=$(bounded 120 "$OA" check --cluster --hidden --json "${ck[@]}" "$A_NODE")
check_eq "--hidden: no otp-advisor node among the nodes" 0 "$(jq '[.nodes[] | select(.node | startswith("otp-advisor"))] | length' <<<"$hj")"
check "--hidden: a, b and c collected" \
  test "$(jq --arg a "$A_NODE" --arg b "$B_NODE" --arg c "$C_NODE" '[.nodes[] | select(.status == "ok" and (.node == $a or .node == $b or .node == $c))] | length' <<<"$hj")" = 3

# --address: the entry node at its port (no epmd for it), the others by name, the entry named
a_port=$(epmd -names | awk -v n="${A_NODE%@*}" '$2 == n { print $5 }')
aj=$(bounded 120 "$OA" check --cluster --json --address "127.0.0.1:$a_port" "${ck[@]}")
check_eq "--address: the entry named by its node name" "$A_NODE" "$(jq -r .entry <<<"$aj")"
check_eq "--address: three nodes collected" 3 "$(jq '[.nodes[] | select(.status == "ok")] | length' <<<"$aj")"

# text: every node under its name, then the cluster
txt=$(bounded 120 "$OA" check --cluster --no-color "${ck[@]}" "$A_NODE")
for n in "$A_NODE" "$B_NODE" "$C_NODE"; do check_contains "check --cluster text has a section for $n" "== $n" "$txt"; done
check_contains "check --cluster text ends with the cluster's count" "across the cluster (3 of 3 nodes collected)" "$txt"
check_contains "check --cluster text shows the :global finding" "global-name-callers" "$txt"

# the snapshot file holds every node; every command reads it back; version 2
snapf=$(tmpfile snap)
bounded 120 "$OA" snapshot --cluster "${ck[@]}" "$A_NODE" -o "$snapf" 2>/dev/null
honest check_eq "snapshot --cluster exits 0" 0 $?
check "snapshot --cluster writes a file" test -s "$snapf"
check_eq "the file is version 2 with three node entries" "2 3" \
  "$(erl -noshell -eval "{ok, B} = file:read_file(\"$snapf\"), {otp_advisor_snapshot, V, L} = binary_to_term(B), io:format(\"~p ~p\", [V, length([N || {node_snapshot, N, ok, _} <- L])]), halt().")"
off=$(bounded 60 "$OA" check --cluster --json --from "$snapf")
check_eq "check --cluster --from the file: three nodes" 3 "$(jq '[.nodes[] | select(.status == "ok")] | length' <<<"$off")"
check "check --from the cluster file without --cluster: the entry node" \
  test "$(bounded 60 "$OA" check --json --from "$snapf" | jq -r .node)" = "$A_NODE"
rep=$(bounded 60 "$OA" report --cluster --from "$snapf")
check_contains "report --cluster has a cluster section" "## Cluster" "$rep"
check_contains "the cluster section lists the :global names" "cl_singleton" "$rep"
check_contains "the cluster section lists pg groups per node" "cl_scope_all" "$rep"
check_contains "the cluster section lists the distribution links, a → b among them" "$A_NODE → $B_NODE: bytes waiting" "$rep"
check_contains "report --cluster has each node's analysis" "## Node $C_NODE" "$rep"
check_contains "the report's cluster findings" "app-version-skew" "$rep"

# the shell: nodes, connect NODE (switch), --node, --all
sh_out=$(printf 'nodes\nconnect %s\nsummary\nsummary --node %s\nfindings --cluster\ntree --all -d 1\nquit\n' \
  "$B_NODE" "$C_NODE" | bounded 120 "$OA" shell --cluster --no-color --from "$snapf" 2>&1)
check_contains "shell nodes lists c" "$C_NODE" "$sh_out"
check_contains "shell nodes lists the :global names" ":global names" "$sh_out"
check_contains "shell connect NODE switches to a node of the cluster" "switched to $B_NODE" "$sh_out"
check_contains "summary after the switch is b's" "node      $B_NODE" "$sh_out"
check_contains "summary --node c is c's" "node      $C_NODE" "$sh_out"
check_contains "findings --cluster lists the cluster findings" "app-missing-on-node" "$sh_out"
check_contains "tree --all has a section per node" "== $C_NODE" "$sh_out"

# the MCP server on the cluster file: the nodes tool, and another node read with `node`
mcp_in='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}
{"jsonrpc":"2.0","method":"notifications/initialized"}
{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"nodes","arguments":{}}}
{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"summary","arguments":{"node":"'"$C_NODE"'"}}}
{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"summary","arguments":{"node":"nosuch@nowhere"}}}'
mcp_out=$(bounded 60 "$OA" mcp --from "$snapf" <<<"$mcp_in" 2>/dev/null)
r2=$(jq -c 'select(.id == 2) | .result.structuredContent' <<<"$mcp_out")
check_eq "mcp nodes: three nodes, a cluster" "true 3" "$(jq -r '"\(.cluster) \(.nodes | length)"' <<<"$r2")"
check "mcp nodes: the cluster findings (app-version-skew among them)" \
  test "$(jq '[.cluster_findings[] | select(.rule == "app-version-skew")] | length' <<<"$r2")" = 1
check_eq "mcp summary with node: c's summary" "$C_NODE" \
  "$(jq -r 'select(.id == 3) | .result.structuredContent.node.name' <<<"$mcp_out")"
check_eq "mcp summary with an unknown node: a tool error" true \
  "$(jq -r 'select(.id == 4) | .result.isError' <<<"$mcp_out")"

# the clean cluster: two nodes alike, a :global name nobody calls, no bulk traffic
start_named cluster D FIXTURE_COOKIE="$COOKIE2" CLUSTER_SINGLETON=1 CLUSTER_EXTRA=1
start_named cluster E FIXTURE_COOKIE="$COOKIE2" CLUSTER_PEER="$D_NODE" CLUSTER_EXTRA=1
cj=$(bounded 120 "$OA" check --cluster --json --cookie-file "$D_COOKIE" "$D_NODE")
check_eq "clean cluster: two nodes collected" 2 "$(jq '[.nodes[] | select(.status == "ok")] | length' <<<"$cj")"
check_eq "clean cluster: no cluster finding" 0 "$(jq '.findings | length' <<<"$cj")"
check_eq "clean cluster: no busy-dist-link" 0 \
  "$(jq '[.nodes[] | .check.findings[]? | select(.rule == "busy-dist-link")] | length' <<<"$cj")"

# one attach against three, plain (--window 0), for the README's numbers
TIMEFORMAT=%R
t1=$( { time bounded 60 "$OA" check --window 0 --json --cookie-file "$D_COOKIE" "$D_NODE" >/dev/null 2>&1; } 2>&1 )
t3=$( { time bounded 120 "$OA" check --cluster --window 0 --json "${ck[@]}" "$A_NODE" >/dev/null 2>&1; } 2>&1 )
echo "  note  attach + check --window 0: one node ${t1} s, the three-node cluster ${t3} s ($(basename "$OA"))"

# a node killed by its pid midway through a collection: the others report, it is named
killed=$(tmpfile killed)
bounded 120 "$OA" check --cluster --json --window 4 "${ck[@]}" "$A_NODE" >"$killed" 2>"$killed.err" &
bg=$!
sleep 1.5
kill -9 "$C_PID"
wait_bounded "$bg" 120; rc=$?
honest check "check --cluster with a node killed midway exits 0 or 1, not $rc" test $rc -le 1
kj=$(cat "$killed")
check_eq "the two live nodes still report" 2 "$(jq '[.nodes[] | select(.status == "ok")] | length' <<<"$kj")"
check_eq "the dead node is named, not collected" "not_collected" \
  "$(jq -r --arg n "$C_NODE" '.nodes[] | select(.node == $n) | .status' <<<"$kj")"
check "its error says why" test -n "$(jq -r --arg n "$C_NODE" '.nodes[] | select(.node == $n) | .error' <<<"$kj")"
check_contains "stderr names the dead node" "$C_NODE was not collected" "$(cat "$killed.err")"
check "the :global finding still stands on the live nodes" \
  test "$(jq '[.findings[] | select(.rule == "global-name-callers")] | length' <<<"$kj")" = 1

# TLS cluster: the hook for the TLS transport (three nodes with -proto_dist inet_tls, --tls);
# enabled once `--tls` is an option of check
if "$OA" help check | grep -q -- '--tls '; then
  echo "  note  TLS cluster: to be added with the TLS transport (t_tls.sh has the certificates)"
fi

finish
