%% Debian's p1_cache_tab the way ejabberd uses it: named caches (ets_cache:new/2 with a
%% size bound and a life time), read through with a fallback fun that computes a missing
%% value, invalidated on writes; two request loops.
-module(corpus_cache).
-export([traffic/0]).

traffic() ->
    ok = ets_cache:new(corpus_users, [{max_size, 1000}, {life_time, 60}]),
    ok = ets_cache:new(corpus_rosters, [{max_size, 200}, {life_time, 5}]),
    [spawn(fun() -> loop(0) end) || os:getenv("CORPUS_TRAFFIC") =/= "off", _ <- [1, 2]],
    ok.

loop(N) ->
    User = rand:uniform(1500),
    {ok, _} = ets_cache:lookup(corpus_users, User, fun() -> {ok, {user, User, N}} end),
    _ = ets_cache:lookup(corpus_rosters, User rem 300, fun() -> {ok, lists:seq(1, 20)} end),
    case N rem 10 of
        0 -> ets_cache:delete(corpus_users, User);
        _ -> ok
    end,
    timer:sleep(5),
    loop(N + 1).
