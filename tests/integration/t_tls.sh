#!/usr/bin/env bash
# TLS distribution: nodes started with -proto_dist inet_tls and certificates this test makes
# with openssl (tls_certs.sh). The TLS node asks for a client certificate (verify_peer and
# fail_if_no_peer_cert on its side), so every attach here is mutual TLS. snapshot, check,
# the shell and the MCP server attach over TLS with the node's own ssl_dist_optfile, and with
# --tls-cert/--tls-key/--tls-cacert; each failure is one line and exit 2: an untrusted
# certificate, a host name the certificate does not carry, an expired certificate, a node
# not on TLS, a plain attach to a TLS node, no client certificate, one the node does not
# trust. ASan build.
. "$(dirname "$0")/lib.sh"
export FIXTURE_N=50   # a small erlbasic: what is tested here is the way in, not the size
. "$(dirname "$0")/tls_certs.sh"
C=$_TMP/certs
make_certs "$C"
honest check "openssl made the certificates" test -s "$C/node.pem" -a -s "$C/client.pem" -a -s "$C/expired.pem"
tls_optfile "$C/mtls.conf" node client "{verify, verify_peer}, {fail_if_no_peer_cert, true}"
# the expired node's own client side (the safety check's) must not refuse its certificate
tls_optfile "$C/expired.conf" expired client
sed -i 's/{verify, verify_peer}, {secure_renegotiate, true}]}]/{verify, verify_none}]}]/' "$C/expired.conf"

FIXTURE_ERL_FLAGS="-proto_dist inet_tls -ssl_dist_optfile $C/mtls.conf" start_fixture erlbasic TLS
echo "-sname oa-check-$$-a -proto_dist inet_tls -ssl_dist_optfile $C/mtls.conf" >"$TLS_DIR/check_flags"
FIXTURE_ERL_FLAGS="-proto_dist inet_tls -ssl_dist_optfile $C/expired.conf" start_fixture erlbasic EXP
echo "-sname oa-check-$$-b -proto_dist inet_tls -ssl_dist_optfile $C/expired.conf" >"$EXP_DIR/check_flags"
start_fixture erlbasic PLAIN
T=(--cookie-file "$TLS_COOKIE")

# one line on stderr, exit 2, naming the reason
fails_with() { # DESC NEEDLE CMD...
  local d=$1 needle=$2 err rc
  shift 2
  err=$(bounded 60 "$@" 2>&1 >/dev/null); rc=$?
  check_eq "$d: exit 2" 2 "$rc"
  check_contains "$d: says why" "$needle" "$err"
  check_eq "$d: in one line" 1 "$(grep -c . <<<"$err")"
}

# ---- attach over TLS --------------------------------------------------------------------
snap=$(tmpfile tls-snap).etf
out=$(bounded 120 "$OA" snapshot "${T[@]}" --tls "$C/mtls.conf" "$TLS_NODE" -o "$snap" 2>&1); rc=$?
honest check_eq "snapshot over TLS (the node's optfile): exit 0" 0 "$rc"
json=$(bounded 60 "$OA" check --from "$snap" --json 2>/dev/null)
check_contains "the TLS snapshot names its node" "\"node\":\"$TLS_NODE\"" "$(tr -d ' \n' <<<"$json")"
check_contains "the TLS snapshot holds the fixture's processes" "erlbasic_sup" "$json"

json=$(bounded 120 "$OA" check "${T[@]}" --tls "$C/mtls.conf" --json "$TLS_NODE" 2>/dev/null); rc=$?
honest check "check over TLS: exit 0 or 1" test "$rc" -le 1
check_contains "check --json over TLS names the node" "\"node\":\"$TLS_NODE\"" "$(tr -d ' \n' <<<"$json")"
check_contains "check --json over TLS read the tree" "erlbasic_sup" "$json"

out=$(bounded 120 "$OA" check "${T[@]}" --tls-cert "$C/client.pem" --tls-key "$C/client.key" \
  --tls-cacert "$C/ca.pem" "$TLS_NODE" 2>&1); rc=$?
honest check "mutual TLS from --tls-cert/--tls-key/--tls-cacert: exit 0 or 1" test "$rc" -le 1
check_contains "mutual TLS from the options: a full check" "on $TLS_NODE" "$out"

out=$(printf 'summary\nconnect %s\ntree erlbasic_sup -d 1\nquit\n' "$PLAIN_NODE" |
  bounded 120 "$OA" "${T[@]}" --tls "$C/mtls.conf" "$TLS_NODE" 2>&1); rc=$?
check_contains "the shell attaches over TLS" "connected to $TLS_NODE" "$out"
check_contains "the shell's summary over TLS" "node      $TLS_NODE" "$out"
check_contains "the shell: a failed TLS connect is said" "inet_tls" "$out"
check_contains "the shell stays up after it (the snapshot stays loaded)" "erlbasic_sup" "$out"
check_eq "the piped shell leaves with 2: one of its commands failed" 2 "$rc"

req() { printf '%s\n' \
  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t_tls","version":"0"}}}' \
  '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
  '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"summary","arguments":{}}}'; }
out=$(req | bounded 120 "$OA" mcp "${T[@]}" --tls "$C/mtls.conf" "$TLS_NODE" 2>/dev/null)
r2=$(grep '"id":2' <<<"$out")
check_contains "mcp over TLS: summary answers" "node      $TLS_NODE" "$r2"
check_absent "mcp over TLS: not an error" "node      $TLS_NODE" '"isError":true' "$r2"

# ---- each failure: one line, exit 2 ------------------------------------------------------
fails_with "no client certificate for a node that requires one" "requires a client certificate" \
  "$OA" check "${T[@]}" --tls-cacert "$C/ca.pem" "$TLS_NODE"
fails_with "a client certificate the node does not trust" "refused our client certificate" \
  "$OA" check "${T[@]}" --tls-cert "$C/stranger.pem" --tls-key "$C/stranger.key" --tls-cacert "$C/ca.pem" "$TLS_NODE"
fails_with "the node's certificate from a CA we do not trust" "not trusted" \
  "$OA" check "${T[@]}" --tls-cert "$C/client.pem" --tls-key "$C/client.key" --tls-cacert "$C/other-ca.pem" "$TLS_NODE"
port=$(epmd -names | sed -n "s/^name ${TLS_NODE%@*} at port //p")
honest check "epmd gives the TLS node's port" test -n "$port"
fails_with "a host name the certificate does not carry" "does not name elsewhere.example" \
  "$OA" check "${T[@]}" --tls "$C/mtls.conf" --address "127.0.0.1:$port" "${TLS_NODE%@*}@elsewhere.example"
fails_with "an expired certificate" "expired" \
  "$OA" check --cookie-file "$EXP_COOKIE" --tls "$C/mtls.conf" "$EXP_NODE"
fails_with "TLS to a node without TLS" "inet_tls" \
  "$OA" check --cookie-file "$PLAIN_COOKIE" --tls "$C/mtls.conf" --timeout 2000 "$PLAIN_NODE"
fails_with "a plain attach to a TLS node" "attach with --tls" "$OA" check "${T[@]}" "$TLS_NODE"
fails_with "a CA file that does not exist (said before any network)" "/nonexistent/ca.pem" \
  "$OA" check "${T[@]}" --tls-cacert /nonexistent/ca.pem "$TLS_NODE"
fails_with "an optfile that does not parse" "full stop" \
  "$OA" check "${T[@]}" --tls <(echo '[{client, []}]') "$TLS_NODE"
fails_with "a wrong cookie over TLS is the cookie's fault" "cookie rejected" \
  "$OA" check --cookie-file "$PLAIN_COOKIE" --tls "$C/mtls.conf" "$TLS_NODE"

# opting out of verification works, and says what it costs
out=$(bounded 120 "$OA" check --cookie-file "$EXP_COOKIE" --tls "$C/mtls.conf" --tls-verify none "$EXP_NODE" 2>&1); rc=$?
honest check "--tls-verify none attaches to the expired node: exit 0 or 1" test "$rc" -le 1
check_contains "--tls-verify none warns" "without peer verification" "$out"
check_contains "--tls-verify none: a full check" "on $EXP_NODE" "$out"
finish
