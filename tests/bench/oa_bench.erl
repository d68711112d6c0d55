%% oa_bench — the bench target's helpers: idle proc_lib processes, the in-node floor
%% (the target walking its own processes with process_info for the same items as the
%% probe, each 1000-pid slice built then dropped), and a memory sampler.
-module(oa_bench).
-export([spawn_idle/1, floor/0, floor_bounded/0, floor_sample/0, floor_par/1, floor_bounded_par/1,
         cpu_ms/0, processes_only/0, purge_only/0, sampler_start/0, sampler_start/1,
         sampler_stop/0]).

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

%% microseconds for one walk that never copies an unbounded dictionary, the cheapest known on
%% OTP 25: a first request for what is read under the process's lock, without a signal it
%% must be scheduled to answer (queue length, initial call, the heap's blocks), then the
%% same items as the floor, the dictionary among them only for a proc_lib process whose
%% heap blocks add up to at most 1,000,000 words. Before OTP 26.2 (no {dictionary, Key})
%% a bounded collector must know the heap before it asks for the dictionary, and only
%% garbage_collection_info tells the old heap without a signal (heap_size is the young
%% heap alone; total_heap_size and memory are signals).
floor_bounded() ->
    Items = items() -- [dictionary],
    {Us, _} = timer:tc(fun() -> walkb(erlang:processes(), Items, items(), [], 0) end),
    Us.

walkb([], _, _, _Acc, _N) -> ok;
walkb(Ps, Items, ItemsD, _Acc, 1000) -> walkb(Ps, Items, ItemsD, [], 0);
walkb([P | Ps], Items, ItemsD, Acc, N) ->
    case erlang:process_info(P, [message_queue_len, initial_call, garbage_collection_info]) of
        undefined -> walkb(Ps, Items, ItemsD, Acc, N);
        [_, {initial_call, {proc_lib, init_p, _}}, {garbage_collection_info, G}] ->
            case heap_blocks(G, 0) =< 1000000 of
                true -> walkb(Ps, Items, ItemsD, [erlang:process_info(P, ItemsD) | Acc], N + 1);
                false -> walkb(Ps, Items, ItemsD, [erlang:process_info(P, Items) | Acc], N + 1)
            end;
        _ -> walkb(Ps, Items, ItemsD, [erlang:process_info(P, Items) | Acc], N + 1)
    end.

%% microseconds for one walk of what the second walk and a watch's sample read: the queue
%% length, then reductions, monitored_by and memory (memory left out above the probe's
%% queue threshold, as the probe does)
floor_sample() ->
    {Us, _} = timer:tc(fun() -> walks(erlang:processes(), [], 0) end),
    Us.

walks([], _Acc, _N) -> ok;
walks(Ps, _Acc, 1000) -> walks(Ps, [], 0);
walks([P | Ps], Acc, N) ->
    case erlang:process_info(P, message_queue_len) of
        undefined -> walks(Ps, Acc, N);
        {message_queue_len, Q} when Q > 100000 ->
            walks(Ps, [erlang:process_info(P, [reductions, monitored_by]) | Acc], N + 1);
        _ -> walks(Ps, [erlang:process_info(P, [reductions, monitored_by, memory]) | Acc], N + 1)
    end.

%% microseconds for the floor and the bounded floor walked by K processes at once, each a
%% K-th of erlang:processes(): the probe walks with min(4, 2 x schedulers) walkers, so one
%% waits for a process's answer while another reads; these are the floors with as many
floor_par(K) ->
    par(K, fun(Part) -> walk(Part, [], 0) end).

floor_bounded_par(K) ->
    Items = items() -- [dictionary],
    par(K, fun(Part) -> walkb(Part, Items, items(), [], 0) end).

par(K, Walk) ->
    Self = self(),
    {Us, _} = timer:tc(fun() ->
                               Ps = erlang:processes(),
                               Parts = split(Ps, (length(Ps) + K - 1) div K, []),
                               Ws = [spawn(fun() -> Walk(Part), Self ! {walked, self()} end) || Part <- Parts],
                               [receive {walked, W} -> ok end || W <- Ws]
                       end),
    Us.

split([], _, Acc) -> Acc;
split(Ps, N, Acc) when length(Ps) =< N -> [Ps | Acc];
split(Ps, N, Acc) -> {A, B} = lists:split(N, Ps), split(B, N, [A | Acc]).

%% the CPU time the node's schedulers have used, in milliseconds: all of the node's work
cpu_ms() ->
    {Ms, _} = erlang:statistics(runtime),
    Ms.

heap_blocks([], N) -> N;
heap_blocks([{K, W} | T], N) when K =:= heap_block_size; K =:= old_heap_block_size; K =:= mbuf_size ->
    heap_blocks(T, N + W);
heap_blocks([_ | T], N) -> heap_blocks(T, N).

%% peak growth while a module is loaded, deleted and soft-purged: what removing any module
%% costs the node, whatever loaded it (erts_code_purger asks every process whether it runs
%% the old code, holding erlang:processes() meanwhile)
purge_only() ->
    M = oa_bench_purge_probe,
    {ok, M, Bin} = compile:forms([{attribute, 1, module, M}, {attribute, 1, export, [{f, 0}]},
                                   {function, 1, f, 0, [{clause, 1, [], [], [{atom, 1, ok}]}]}]),
    {module, M} = code:load_binary(M, "oa_bench_purge_probe.erl", Bin),
    sampler_start(),
    true = code:soft_purge(M),
    true = code:delete(M),
    true = code:soft_purge(M),
    sampler_stop().

%% peak growth of erlang:memory(total) while erlang:processes() is held
processes_only() ->
    sampler_start(),
    L = erlang:processes(),
    timer:sleep(50),
    _ = length(L),
    sampler_stop().

sampler_start() -> sampler_start(none).

%% Probe: the module otp-advisor loads (none when nothing is loaded). While it is loaded the
%% snapshot collects; once it is gone (code:delete) the rest is its removal, OTP's purge,
%% which asks every process whether it runs the old code whatever loaded the module. Its
%% peak is kept apart: the same as removing any module on this node (purge_only).
sampler_start(Probe) ->
    catch sampler_stop(),
    Base = erlang:memory(total),
    P = spawn(fun() -> process_flag(priority, high), sample(Base, Probe, before, 0, 0, 0) end),
    register(oa_bench_sampler, P),
    ok.

%% the peak of erlang:memory(total) above its start; the same until the probe was deleted
%% (before it was loaded, and while it was: the collection); and after (its removal)
sample(Base, Probe, Phase, Peak, PeakCollect, PeakRemove) ->
    receive
        {stop, From} -> From ! {peak, Peak, PeakCollect, PeakRemove}
    after 2 ->
        M = erlang:memory(total) - Base,
        Loaded = Probe =/= none andalso erlang:module_loaded(Probe),
        Ph = case {Phase, Loaded} of
                 {before, true} -> loaded;
                 {loaded, false} -> removal;
                 _ -> Phase
             end,
        case Ph of
            removal -> sample(Base, Probe, Ph, max(Peak, M), PeakCollect, max(PeakRemove, M));
            _ -> sample(Base, Probe, Ph, max(Peak, M), max(PeakCollect, M), PeakRemove)
        end
    end.

%% "Peak PeakCollection PeakRemoval" in bytes
sampler_stop() ->
    oa_bench_sampler ! {stop, self()},
    receive {peak, Growth, Collect, Remove} -> lists:concat([Growth, " ", Collect, " ", Remove])
    after 5000 -> timeout
    end.
