%% ra 2.2 (RabbitMQ's Raft library) as its README shows: the default ra system, and one
%% cluster of three members on this node running ra's simple machine (a counter). Under
%% traffic a supervised driver sends commands through the cluster, each replicated to the
%% three members and applied once a quorum has written it.
-module(corpus_ra).
-behaviour(application).
-behaviour(supervisor).
-export([start/2, stop/1, init/1, members/0]).

members() -> [{corpus_ra_1, node()}, {corpus_ra_2, node()}, {corpus_ra_3, node()}].

start(_, _) ->
    {ok, _} = ra_system:start_default(),
    {ok, Started, []} = ra:start_cluster(default, corpus_ra_counter, {simple, fun erlang:'+'/2, 0}, members()),
    3 = length(Started),
    supervisor:start_link({local, corpus_ra_sup}, ?MODULE, []).
stop(_) -> ok.

init([]) ->
    Driver = [#{id => corpus_ra_driver, start => {corpus_ra_driver, start_link, []}}
              || os:getenv("CORPUS_TRAFFIC") =/= "off"],
    {ok, {#{strategy => one_for_one, intensity => 5, period => 10}, Driver}}.
