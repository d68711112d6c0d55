%% One keep-alive HTTP/1.1 client: a gen_server holding one connection, sending GET /slow
%% (and now and then GET /) and reading each response before the next, 20 ms apart.
-module(corpus_cowboy_client).
-behaviour(gen_server).
-export([start_link/1, init/1, handle_call/3, handle_cast/2, handle_info/2]).

start_link(Port) -> gen_server:start_link(?MODULE, Port, []).

init(Port) ->
    {ok, S} = gen_tcp:connect({127, 0, 0, 1}, Port, [binary, {active, false}, {packet, raw}]),
    self() ! go,
    {ok, {S, 0}}.

handle_call(_, _, St) -> {reply, ok, St}.
handle_cast(_, St) -> {noreply, St}.

handle_info(go, {S, N}) ->
    Path = case N rem 10 of 0 -> "/"; _ -> "/slow" end,
    ok = gen_tcp:send(S, ["GET ", Path, " HTTP/1.1\r\nhost: localhost\r\nconnection: keep-alive\r\n\r\n"]),
    ok = read_response(S, <<>>),
    erlang:send_after(20, self(), go),
    {noreply, {S, N + 1}}.

%% headers, then exactly content-length bytes of body
read_response(S, Buf) ->
    case binary:split(Buf, <<"\r\n\r\n">>) of
        [Head, Body] ->
            {match, [Len]} = re:run(Head, "(?i)content-length: *([0-9]+)", [{capture, all_but_first, list}]),
            read_body(S, list_to_integer(Len) - byte_size(Body));
        [_] ->
            {ok, More} = gen_tcp:recv(S, 0, 5000),
            read_response(S, <<Buf/binary, More/binary>>)
    end.

read_body(_, N) when N =< 0 -> ok;
read_body(S, N) -> {ok, B} = gen_tcp:recv(S, 0, 5000), read_body(S, N - byte_size(B)).
