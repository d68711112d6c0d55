#!/usr/bin/env bash
# Connection errors name their real cause, from the handshake's status: a peer that closes
# at once, one that speaks HTTP, a node that refuses our name (net_kernel:allow/1), and
# only after the peer accepted our name, a cookie rejected. The fake peers are plain
# (non-distributed) Erlang processes registered in epmd, stopped by their pids.
. "$(dirname "$0")/lib.sh"
FAKE_PIDS=()
stop_fakes() { for p in "${FAKE_PIDS[@]}"; do kill "$p" 2>/dev/null; done; }
trap 'stop_fakes; _cleanup' EXIT
fake() { # fake NAME MODE: a peer on a port epmd gives for NAME
  local name=$1 mode=$2 ready=$_TMP/$1.ready
  erl -noshell -eval "
    {ok, L} = gen_tcp:listen(0, [binary, {active, false}, {reuseaddr, true}, {ip, {127,0,0,1}}]),
    {ok, Port} = inet:port(L),
    {ok, _} = erl_epmd:start_link(),
    {ok, _} = erl_epmd:register_node(\"$name\", Port, inet_tcp),
    ok = file:write_file(\"$ready\", <<\"ok\">>),
    Loop = fun Loop() ->
             {ok, S} = gen_tcp:accept(L),
             case $mode of
               close -> gen_tcp:close(S);
               http -> _ = gen_tcp:recv(S, 0, 2000),
                       gen_tcp:send(S, <<\"HTTP/1.1 400 Bad Request\\r\\n\\r\\n\">>), gen_tcp:close(S)
             end,
             Loop()
           end,
    Loop()." >/dev/null 2>&1 &
  FAKE_PIDS+=($!)
  for _ in $(seq 1 100); do [ -f "$ready" ] && return 0; sleep 0.1; done
  return 1
}
COOKIE=$_TMP/cookie; ( umask 077; echo somecookie > "$COOKIE" )
host=$(hostname -s)
fake "oaclose$$" close && fake "oahttp$$" http
honest check "the fake peers are registered" test -f "$_TMP/oaclose$$.ready"
"$OA" check "oaclose$$@$host" --cookie-file "$COOKIE" --timeout 2000 2>"$_TMP/e"
check_eq "a peer that closes: exit 2" 2 $?
check_contains "... said to close, not a cookie" "closed the connection during the handshake" "$(cat "$_TMP/e")"
check_absent "... the cookie is not blamed" "closed the connection" "cookie" "$(cat "$_TMP/e")"
"$OA" check "oahttp$$@$host" --cookie-file "$COOKIE" --timeout 2000 2>"$_TMP/e"
check_eq "an HTTP server: exit 2" 2 $?
check_contains "... said not to speak the protocol" "does not speak the Erlang distribution protocol" "$(cat "$_TMP/e")"
check_contains "... with what it answered" "HTTP/1.1 400" "$(cat "$_TMP/e")"
stop_fakes

start_fixture basic B
"$OA" check "$B_NODE" --cookie-file "$COOKIE" 2>"$_TMP/e"
check_eq "a wrong cookie: exit 2" 2 $?
check_contains "... cookie rejected, after the name was accepted" "it accepted our name, so the challenge failed" "$(cat "$_TMP/e")"
# the node now accepts only a name that is not ours: the safety check first, as nothing
# can connect afterwards (and the refusal it logs is the test's doing); stopped by its pid
safety_one "$B_DIR"
node_eval B "net_kernel:allow(['somebody-else@nowhere'])." >/dev/null
"$OA" check "$B_NODE" --cookie-file "$B_COOKIE" 2>"$_TMP/e"
check_eq "a node that refuses our name: exit 2" 2 $?
check_contains "... said to refuse the name" "refused our node name" "$(cat "$_TMP/e")"
check_absent "... the cookie is not blamed" "refused our node name" "cookie rejected" "$(cat "$_TMP/e")"
"$TOP/scripts/fixture.sh" stop "$B_DIR"
_FIXTURE_DIRS=()
finish
