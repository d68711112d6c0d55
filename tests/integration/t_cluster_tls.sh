#!/usr/bin/env bash
# A TLS cluster in one command: three nodes of tests/fixtures/cluster started with
# -proto_dist inet_tls (mutual TLS: each asks for the other's certificate; the certificates
# are made here with openssl, tls_certs.sh), connected to each other over TLS; a holds the
# :global singleton b and c call under load, c runs the application one version ahead.
# check --cluster --tls attaches to all three over TLS from the entry node and gives the
# cluster findings; snapshot --cluster --tls saves every node; a plain --cluster attach is
# refused with the one line that says to use --tls. ASan build.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_certs.sh"
C=$_TMP/certs
make_certs "$C"
tls_optfile "$C/dist.conf" node client "{verify, verify_peer}, {fail_if_no_peer_cert, true}"
TLS="-proto_dist inet_tls -ssl_dist_optfile $C/dist.conf"
COOKIE=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | cut -c1-24)

start_tls() { # PREFIX ENV...: a cluster node over TLS, with the safety check's flags
  local prefix=$1 dir_var
  shift
  start_fixture_env "$prefix" "$@"
  dir_var="${prefix}_DIR"
  echo "-sname oa-check-$$-$prefix $TLS" >"${!dir_var}/check_flags"
}
# start_fixture with extra environment for this one node
start_fixture_env() {
  local prefix=$1
  shift
  local out node cookie pid dir
  out=$(env FIXTURE_COOKIE="$COOKIE" FIXTURE_ERL_FLAGS="$TLS" "$@" "$TOP/scripts/fixture.sh" start cluster) ||
    { echo "FATAL: fixture cluster did not start"; exit 1; }
  node=$(sed -n 's/^NODE=//p' <<<"$out"); cookie=$(sed -n 's/^COOKIE_FILE=//p' <<<"$out")
  pid=$(sed -n 's/^PID=//p' <<<"$out"); dir=$(sed -n 's/^DIR=//p' <<<"$out")
  _FIXTURE_DIRS+=("$dir")
  printf -v "${prefix}_NODE" '%s' "$node"
  printf -v "${prefix}_COOKIE" '%s' "$cookie"
  printf -v "${prefix}_DIR" '%s' "$dir"
}
start_tls A CLUSTER_SINGLETON=1 CLUSTER_EXTRA=1
start_tls B CLUSTER_PEER="$A_NODE" CLUSTER_CALLERS=20 CLUSTER_EXTRA=1
start_tls C CLUSTER_PEER="$A_NODE" CLUSTER_CALLERS=20 CLUSTER_VSN=1.1.0 CLUSTER_EXTRA=1
sleep 1
T=(--cookie-file "$A_COOKIE" --tls "$C/dist.conf")

json=$(bounded 180 "$OA" check --cluster --json "${T[@]}" "$A_NODE" 2>"$_TMP/err"); rc=$?
honest check "check --cluster --tls: exit 0 or 1 (findings), not $rc" test "$rc" -le 1
check "check --cluster --tls: the JSON is otp-advisor/cluster/1" test "$(jq -r .schema <<<"$json")" = otp-advisor/cluster/1
check_eq "three nodes over TLS, each collected" "3 3" \
  "$(jq -r '[(.nodes | length), ([.nodes[] | select(.status == "ok")] | length)] | "\(.[0]) \(.[1])"' <<<"$json")"
check_eq "the nodes are a, b and c" "$(printf '%s\n' "$A_NODE" "$B_NODE" "$C_NODE" | sort | tr '\n' ' ')" \
  "$(jq -r '.nodes[].node' <<<"$json" | sort | tr '\n' ' ')"
g=$(jq -c '[.findings[] | select(.rule == "global-name-callers")]' <<<"$json")
check_contains "over TLS: the :global singleton and its callers on other nodes" "cl_singleton" "$(jq -r '.[].subject.name' <<<"$g")"
check_eq "over TLS: callers wait from both other nodes" 2 "$(jq -r '.[0].evidence.nodes_waiting' <<<"$g")"
check_contains "over TLS: the application at another version on c" "app-version-skew" "$(jq -r '.findings[].rule' <<<"$json")"

snapf=$_TMP/tls-cluster.etf
bounded 180 "$OA" snapshot --cluster "${T[@]}" "$A_NODE" -o "$snapf" 2>/dev/null
honest check_eq "snapshot --cluster --tls exits 0" 0 $?
check_eq "snapshot --cluster --tls: the file holds the three nodes" "3" \
  "$(bounded 60 "$OA" check --cluster --from "$snapf" --json 2>/dev/null | jq -r '[.nodes[] | select(.status == "ok")] | length')"

err=$(bounded 60 "$OA" check --cluster --cookie-file "$A_COOKIE" "$A_NODE" 2>&1 >/dev/null); rc=$?
check_eq "a plain --cluster attach to a TLS cluster: exit 2" 2 "$rc"
check_contains "... says to attach with --tls" "attach with --tls" "$err"
finish
