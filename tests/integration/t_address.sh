#!/usr/bin/env bash
# Long names, IPv6 and --address on loopback: nodes started with -name a@127.0.0.1 and
# -name a@::1 (-proto_dist inet6_tcp) are attached by their names; a node named
# a@host.example, a host this machine cannot resolve (a node in a container, behind a
# port-forward), is attached with --address 127.0.0.1:PORT and with no name at all, while
# otp-advisor's own epmd lookups point at a closed port (ERL_EPMD_PORT=1), as erl_call
# -address does; [::1]:PORT reaches the IPv6 node the same way. ASan build.
. "$(dirname "$0")/lib.sh"
export FIXTURE_N=50   # a small erlbasic: what is tested here is the way in, not the size

FIXTURE_HOST=127.0.0.1 start_fixture erlbasic V4
honest check_eq "the IPv4 node has a long name" "@127.0.0.1" "@${V4_NODE#*@}"
echo "-name oa-check-$$-a@127.0.0.1" >"$V4_DIR/check_flags"
FIXTURE_HOST=::1 FIXTURE_ERL_FLAGS="-proto_dist inet6_tcp" start_fixture erlbasic V6
honest check_eq "the IPv6 node is named on ::1" "@::1" "@${V6_NODE#*@}"
echo "-name oa-check-$$-b@::1 -proto_dist inet6_tcp" >"$V6_DIR/check_flags"
FIXTURE_HOST=host.example FIXTURE_ERL_FLAGS="-kernel inet_dist_use_interface {127,0,0,1}" start_fixture erlbasic FAR
# the safety check's node learns host.example (no blanks: the flags are split on them)
echo '-name oa-check-'$$'-c@127.0.0.1 -eval inet_db:set_lookup([file,native]),inet_db:add_host({127,0,0,1},["host.example"])' >"$FAR_DIR/check_flags"

for v in V4 V6; do
  node_var=${v}_NODE cookie_var=${v}_COOKIE
  json=$(bounded 120 "$OA" check --cookie-file "${!cookie_var}" --json "${!node_var}" 2>"$_TMP/err"); rc=$?
  honest check "check ${!node_var}: exit 0 or 1" test "$rc" -le 1
  check_contains "check ${!node_var} names it" "\"node\":\"${!node_var}\"" "$(tr -d ' \n' <<<"$json")"
  check_contains "check ${!node_var} read its tree" "erlbasic_sup" "$json"
  check_silent "check ${!node_var}: its JSON on stdout, nothing on stderr" "\"node\":\"${!node_var}\"" \
    "$(tr -d ' \n' <<<"$json")" "$(cat "$_TMP/err")"
done
out=$(printf 'summary\nquit\n' | bounded 120 "$OA" --cookie-file "$V6_COOKIE" "$V6_NODE" 2>&1)
check_contains "the shell on the IPv6 node" "node      $V6_NODE" "$out"

port_of() { epmd -names | sed -n "s/^name ${1%@*} at port //p"; }
FAR_PORT=$(port_of "$FAR_NODE")
V6_PORT=$(port_of "$V6_NODE")
honest check "epmd gives both ports" test -n "$FAR_PORT" -a -n "$V6_PORT"
export ERL_EPMD_PORT=1   # from here, any epmd lookup of ours fails
out=$(bounded 60 "$OA" check --cookie-file "$FAR_COOKIE" "$FAR_NODE" 2>&1); rc=$?
check_eq "by name alone, host.example is out of reach: exit 2" 2 "$rc"
out=$(bounded 120 "$OA" check --cookie-file "$FAR_COOKIE" --address "127.0.0.1:$FAR_PORT" "$FAR_NODE" 2>&1); rc=$?
honest check "--address with its name: exit 0 or 1" test "$rc" -le 1
check_contains "--address with its name: a full check" "on $FAR_NODE" "$out"
out=$(bounded 120 "$OA" check --cookie-file "$FAR_COOKIE" --address "127.0.0.1:$FAR_PORT" 2>&1); rc=$?
honest check "--address without a name: exit 0 or 1" test "$rc" -le 1
check_contains "--address without a name: the node says its name" "on $FAR_NODE" "$out"
out=$(printf 'summary\nquit\n' | bounded 120 "$OA" --cookie-file "$FAR_COOKIE" --address "127.0.0.1:$FAR_PORT" 2>&1)
check_contains "the shell with --address and no name" "node      $FAR_NODE" "$out"
out=$(bounded 120 "$OA" check --cookie-file "$V6_COOKIE" --address "[::1]:$V6_PORT" 2>&1); rc=$?
honest check "--address [::1]:PORT: exit 0 or 1" test "$rc" -le 1
check_contains "--address [::1]:PORT reaches the IPv6 node" "on $V6_NODE" "$out"
err=$(bounded 60 "$OA" check --cookie-file "$FAR_COOKIE" --address "127.0.0.1" 2>&1); rc=$?
check_eq "--address without a port: exit 2" 2 "$rc"
check_contains "--address without a port: says the form" "HOST:PORT" "$err"
err=$(bounded 60 "$OA" check --cookie-file "$FAR_COOKIE" --address "127.0.0.1:1" 2>&1); rc=$?
check_eq "--address where nothing listens: exit 2" 2 "$rc"
check_contains "--address where nothing listens: says so" "127.0.0.1:1 does not answer" "$err"
unset ERL_EPMD_PORT
finish
