%% the intrinsic child: owns a named table the sessions write and read
-module(corpus_sup2_store).
-behaviour(gen_server).
-export([start_link/0, init/1, handle_call/3, handle_cast/2]).

start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).
init([]) -> ets:new(corpus_sup2_store, [named_table, public, set, {read_concurrency, true}]), {ok, #{}}.
handle_call(_, _, St) -> {reply, ok, St}.
handle_cast(_, St) -> {noreply, St}.
