%% oa_bench — the bench target's helpers: idle proc_lib processes, the in-node floor
%% (the target walking its own processes with process_info for the same items as the
%% probe, each 1000-pid slice built then dropped), and a memory sampler.
-module(oa_bench).
-export([spawn_idle/1, floor/0, processes_only/0, sampler_start/0, sampler_stop/0]).

spawn_idle(N) ->
    Parent = self(),
    [proc_lib:spawn(fun() -> receive stop -> Parent end end) || _ <- lists:seq(1, N)],
    erlang:system_info(process_count).

items() ->
    [memory, total_heap_size, registered_name, initial_call, current_function, status, reductions,
     links, monitors, monitored_by, trap_exit, group_leader, dictionary].

%% microseconds for one walk
floor() ->
    {Us, _} = timer:tc(fun() -> walk(erlang:processes(), [], 0) end),
    Us.

walk([], _Acc, _N) -> ok;
walk(Ps, _Acc, 1000) -> walk(Ps, [], 0);
walk([P | Ps], Acc, N) ->
    case erlang:process_info(P, message_queue_len) of
        undefined -> walk(Ps, Acc, N);
        _ -> walk(Ps, [erlang:process_info(P, items()) | Acc], N + 1)
    end.

%% peak growth of erlang:memory(total) while erlang:processes() is held
processes_only() ->
    sampler_start(),
    L = erlang:processes(),
    timer:sleep(50),
    _ = length(L),
    sampler_stop().

sampler_start() ->
    catch sampler_stop(),
    Base = erlang:memory(total),
    P = spawn(fun() -> process_flag(priority, high), sample(Base, Base) end),
    register(oa_bench_sampler, P),
    ok.

sample(Base, Peak) ->
    receive
        {stop, From} -> From ! {peak, max(Peak, erlang:memory(total)) - Base}
    after 2 ->
        sample(Base, max(Peak, erlang:memory(total)))
    end.

sampler_stop() ->
    oa_bench_sampler ! {stop, self()},
    receive {peak, Growth} -> Growth
    after 5000 -> timeout
    end.
