%% An application whose supervisor runs a poolboy pool (Debian's erlang-poolboy) of
%% workers that log through lager (erlang-lager); a loop of poolboy transactions.
-module(corpus_pool).
-behaviour(application).
-behaviour(supervisor).
-export([start/0, start/2, stop/1, init/1]).

start() ->
    [spawn(fun Loop() ->
                   poolboy:transaction(corpus_pool_workers, fun(W) -> gen_server:call(W, work) end),
                   timer:sleep(20),
                   Loop()
           end) || os:getenv("CORPUS_TRAFFIC") =/= "off", _ <- [1, 2, 3]],
    ok.

start(_, _) -> supervisor:start_link({local, corpus_pool_sup}, ?MODULE, []).
stop(_) -> ok.

init([]) ->
    Pool = poolboy:child_spec(corpus_pool_workers,
                              [{name, {local, corpus_pool_workers}}, {worker_module, corpus_pool_worker},
                               {size, 5}, {max_overflow, 3}], []),
    {ok, {#{strategy => one_for_one, intensity => 5, period => 10}, [Pool]}}.
