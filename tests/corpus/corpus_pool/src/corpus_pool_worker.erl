-module(corpus_pool_worker).
-behaviour(gen_server).
-export([start_link/1, init/1, handle_call/3, handle_cast/2]).

start_link(Args) -> gen_server:start_link(?MODULE, Args, []).
init(_) -> {ok, 0}.
handle_call(work, _From, N) ->
    %% lager:debug/2 exists only through lager's parse transform: lager:log/4 is its API
    N rem 1000 =:= 0 andalso lager:log(debug, self(), "worker ~p did ~b jobs", [self(), N]),
    {reply, ok, N + 1}.
handle_cast(_, N) -> {noreply, N}.
