%% the traffic: every 5 ms a command (add 1) through the cluster, waiting for its result
-module(corpus_ra_driver).
-behaviour(gen_server).
-export([start_link/0, init/1, handle_call/3, handle_cast/2, handle_info/2]).

start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).
init([]) -> self() ! tick, {ok, hd(corpus_ra:members())}.
handle_call(_, _, S) -> {reply, ok, S}.
handle_cast(_, S) -> {noreply, S}.
handle_info(tick, Server) ->
    Leader = case ra:process_command(Server, 1, 5000) of
                 {ok, _, L} -> L;
                 {timeout, _} -> Server
             end,
    erlang:send_after(5, self(), tick),
    {noreply, Leader}.
