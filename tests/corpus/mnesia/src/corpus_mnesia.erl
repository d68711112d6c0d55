%% mnesia with a disc_copies table, and a transaction loop.
-module(corpus_mnesia).
-export([setup/1, start/0]).

setup(Dir) ->
    ok = application:set_env(mnesia, dir, filename:join(Dir, "mnesia")),
    ok = mnesia:create_schema([node()]).

start() ->
    {atomic, ok} = mnesia:create_table(corpus_kv, [{disc_copies, [node()]}, {attributes, [k, v]}]),
    ok = mnesia:wait_for_tables([corpus_kv], 10000),
    [spawn(fun() -> tx_loop(0) end) || os:getenv("CORPUS_TRAFFIC") =/= "off"],
    ok.

tx_loop(N) ->
    {atomic, _} = mnesia:transaction(fun() ->
                                             mnesia:write({corpus_kv, N rem 100, N}),
                                             mnesia:read(corpus_kv, (N + 7) rem 100)
                                     end),
    timer:sleep(20),
    tx_loop(N + 1).
