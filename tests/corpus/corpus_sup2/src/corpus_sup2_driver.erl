%% the traffic: every 50 ms a session is started through supervisor2:start_child and the live
%% ones are pinged
-module(corpus_sup2_driver).
-behaviour(gen_server).
-export([start_link/0, init/1, handle_call/3, handle_cast/2, handle_info/2]).

start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).
init([]) -> self() ! tick, {ok, 0}.
handle_call(_, _, N) -> {reply, ok, N}.
handle_cast(_, N) -> {noreply, N}.
handle_info(tick, N) ->
    {ok, _} = supervisor2:start_child(corpus_sup2_sessions, [N]),
    [catch gen_server:call(P, ping, 1000) || {_, P, _, _} <- supervisor2:which_children(corpus_sup2_sessions), is_pid(P)],
    erlang:send_after(50, self(), tick),
    {noreply, N + 1}.
