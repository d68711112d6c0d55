%% A tree of rabbit_common's supervisor2 (a gen_server fork of OTP's supervisor that keeps
%% its protocol and adds intrinsic children and delayed restarts), the way RabbitMQ builds
%% its own: a one_for_one top with an intrinsic store, a simple_one_for_one supervisor of
%% transient sessions, and a supervisor whose child, restarted with a delay ({transient, 2}),
%% exits 5 ms after each start under traffic, so that it waits for its delayed
%% restart. Under traffic a driver starts sessions that end normally.
-module(corpus_sup2).
-behaviour(application).
-behaviour(supervisor2).
-export([start/2, stop/1, init/1, flaky_start/0, flaky/1]).

start(_, _) -> supervisor2:start_link({local, corpus_sup2_sup}, ?MODULE, top).
stop(_) -> ok.

traffic() -> os:getenv("CORPUS_TRAFFIC") =/= "off".

init(top) ->
    Driver = [{driver, {corpus_sup2_driver, start_link, []}, permanent, 5000, worker, [corpus_sup2_driver]}
              || traffic()],
    {ok, {{one_for_one, 5, 10},
          [{store, {corpus_sup2_store, start_link, []}, intrinsic, 5000, worker, [corpus_sup2_store]},
           {sessions, {supervisor2, start_link, [{local, corpus_sup2_sessions}, ?MODULE, sessions]},
            permanent, infinity, supervisor, [?MODULE]},
           {flaky_sup, {supervisor2, start_link, [{local, corpus_sup2_flaky_sup}, ?MODULE, flaky]},
            permanent, infinity, supervisor, [?MODULE]}
           | Driver]}};
init(sessions) ->
    {ok, {{simple_one_for_one, 10, 10},
          [{session, {corpus_sup2_session, start_link, []}, transient, 5000, worker, [corpus_sup2_session]}]}};
init(flaky) ->
    {ok, {{one_for_one, 1, 5},
          [{flaky, {?MODULE, flaky_start, []}, {transient, 2}, 1000, worker, [?MODULE]}]}}.

%% a plain linked process: under traffic it asks for a restart 5 ms after it starts
flaky_start() -> {ok, proc_lib:spawn_link(?MODULE, flaky, [traffic()])}.

flaky(true) -> receive after 5 -> exit({shutdown, restart}) end;
flaky(false) -> receive stop -> ok end.
