%% a session: answers calls, writes its counter to the store, ends normally after 500 ms
-module(corpus_sup2_session).
-behaviour(gen_server).
-export([start_link/1, init/1, handle_call/3, handle_cast/2, handle_info/2]).

start_link(N) -> gen_server:start_link(?MODULE, N, []).
init(N) -> erlang:send_after(500, self(), done), {ok, {N, 0}}.
handle_call(ping, _, {N, C}) -> true = ets:insert(corpus_sup2_store, {N, C + 1}), {reply, pong, {N, C + 1}}.
handle_cast(_, St) -> {noreply, St}.
handle_info(done, St) -> {stop, normal, St}.
