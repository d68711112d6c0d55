%% otp_advisor_probe — the collector otp-advisor runs on the target node.
%%
%% One source, two transports. The body between BODY-BEGIN and BODY-END is a single fun
%% expression. The build (a) compiles this module under a versioned name and embeds the
%% .beam in the C binary, and (b) parses the same body into an abstract expression that
%% the --no-load path hands to stock erl_eval:exprs/2, so no code is loaded at all. Both
%% paths therefore stream exactly the same canonical messages:
%%
%%   {node, #{...}}                     node facts and counters
%%   {procs, [Proc]} / {procs2, [S2]}   first / second sample, at most `chunk` processes a
%%     message (a walker's slice: the chunk over the walkers); {procs, []}: walk 1 has ended
%%     (Proc's last element: where '$initial_call' came from, dictionary | stack | undefined)
%%   {app, Name, Desc, Vsn, Master, Top, Mod}
%%   {sup, Pid, Name, Kind, Strategy, Intensity, Period, RestartsAgo, Status, Error, NChildren, Callback}
%%   {sup_children, Pid, [{Id, Pid|undefined|restarting, Type, Restart, Modules, Start}]}
%%     Start: {M, F, Args} from the child spec when the arguments are plain data
%%     (atoms, numbers, short binaries, lists, tuples and maps of them, 64 terms at most);
%%     otherwise undefined
%%   {ets, [Table]}  {registry, ...}  {registry_keys, Name, [{Key, Pid}]}
%%   {global, [{Name, Pid}]}  {pg, [{Scope, Groups, Members}]}
%%   {pg_groups, [{Scope, Group, LocalMembers, AllMembers}]} (1,000 groups at most)
%%   {dist, #{busy_limit}, [{Node, port | process, Looks, LooksPending, MaxPending, BytesSent, Us}]}
%%     each distribution link but ours, looked at through the window (see DistLook)
%%   {start_links, [{Module, [Arity], Source, Md5}]} (which start_link/0..3 the processes' modules
%%     export, the source file their compile info names, or undefined, and the loaded code's MD5)
%%   {done, #{...}}
%%   {error, {oa_text, Parts}}         the collector crashed
%% Ids, keys, names and reasons are terms cut to a bounded size (Cut, below); the C node
%% writes them as text in the node's language (src/termtext.c), so nothing here prints.
%%
%% Rules it keeps, because the target must not notice it:
%% - it holds at most half a scheduler under load (Burst); it monitors the C node and
%%   exits when it goes away, and its walkers and listers exit with it;
%% - every message waits for credit granted by the C node ({oa_credit, N}), so at most
%%   `credit` chunks are ever in flight and the target's extra memory stays bounded; its
%%   walkers (Walk) copy a large dictionary one at a time;
%% - it never reads messages of other processes; memory is skipped for huge queues;
%% - supervisors only get the requests OTP documents (which_children via gen_server:call
%%   with a timeout): an OTP supervisor has no catch-all handle_call and crashes on
%%   anything else; sys:get_state only goes to processes marked OTP by '$initial_call'.
-module(otp_advisor_probe).
-export([start/2, body/0]).

start(CPid, Opts) ->
    Run = body(),
    Run(CPid, Opts).

body() ->
%% BODY-BEGIN
fun(CPid, Opts) ->
  %% Under erl_eval (--no-load) a fun carries every binding in scope when it is made, each
  %% fun bound before it included, and spawn copies it whole, sharing lost: spawning the
  %% collector once everything below was bound copied 350 MB into it, and each walk's
  %% lister as much again (the target grew by 1.1 GB at 1,000 processes, 2.1 GB at 20,000;
  %% measured). So the collector is spawned first, while only CPid and Opts are bound, and
  %% binds everything in its own process; the lister is made by SpawnLister, bound before
  %% anything else. Compiled, this changes nothing.
  Pid = spawn(fun() ->
  try
  %% the first N of a list, reversed, and the rest: the lister's slices, the tables' below
  Take = fun Take(L, 0, Acc) -> {Acc, L};
             Take([], _, Acc) -> {Acc, []};
             Take([H | T], N, Acc) -> Take(T, N - 1, [H | Acc]) end,
  %% It answers whoever asks ({next, From}: the prober, or each of its walkers) and stops
  %% once each of its Takers has been told the list is done.
  SpawnLister = fun(Prober, ChunkN, LPrio, Takers) ->
    spawn(fun() ->
            %% the lister does little, and is waited for: it never yields to the load
            process_flag(priority, LPrio),
            PRef = erlang:monitor(process, Prober),
            Serve = fun Serve(_, 0) -> ok;
                        Serve(L, Left) ->
                      receive
                        {next, To} -> {Sl, Rest} = Take(L, ChunkN, []),
                                      To ! {slice, self(), Sl},
                                      Serve(Rest, case Sl of [] -> Left - 1; _ -> Left end);
                        {'DOWN', PRef, _, _, _} -> ok
                      end
                    end,
            Serve(erlang:processes(), Takers)
          end)
  end,
  %% Every loop over processes, children or keys runs in one of these three, made while
  %% almost nothing is bound: under erl_eval a call made from a scope with many bindings
  %% merges all of them, per call (compiled, this changes nothing).
  Collect = fun(F, Sl, R1) -> [I || P <- Sl, I <- [F(P, erlang:process_info(P, R1))], I =/= undefined] end,
  RowsOut0 = fun(Rows, RFun, IdT, ModsF) -> [{IdT(Id), Ch, Ty, R, ModsF(Mods), St} || {Id, Ch, Ty, Mods} <- Rows, {R, St} <- [RFun(Id, Ch)]] end,
  TextPairs0 = fun(Got, TextF) -> [{TextF(K), Pd} || {K, Pd} <- Got] end,
  Get = fun(K, D) -> case Opts of #{K := V} -> V; _ -> D end end,
  MqMax = Get(mq_threshold, 100000),
  %% The per-process code comes first and uses fun clauses, not case: under erl_eval
  %% (--no-load) a fun captures every binding made before it, and each case merges the
  %% bindings of its clause into all of them, which made the walk cost 300 us a process
  %% when this code sat below 40 other bindings (measured with eprof). Compiled, it is
  %% the same code either way.
  Mfa = fun({M, F, A}) when is_integer(A) -> {M, F, A};
           ({M, F, A}) when is_list(A) -> {M, F, length(A)};
           (_) -> undefined end,
  Mon = fun({process, P}) when is_pid(P) -> [P];
           ({process, {N, _}}) when is_atom(N) -> [N];
           (_) -> [] end,
  DictMfa = fun({_, X}) -> Mfa(X); (false) -> undefined end,
  DictList = fun({_, X}) when is_list(X) -> X; (_) -> [] end,
  DictCallers = fun({_, X}) when is_list(X) -> X; (_) -> undefined end,
  %% The dictionary ('$initial_call', '$ancestors', '$callers') is copied whole to be read:
  %% a process holding 200 MB there would grow the node by as much. Only proc_lib
  %% processes have those keys, so only theirs is read, and only when the whole heap is at
  %% most 1,000,000 words (a process over it, or with a queue over the threshold, is counted
  %% as skipped). The heap's blocks come in the walk's first request (ByQueue, below), so the
  %% dictionary is asked for with the other items; DictOf reads it apart only where that
  %% bound said no and the heap has since been measured under it. A large copy is garbage
  %% once its keys are read: dropped (Drop) when our heap has
  %% grown by 2 MB since the last collection (1,000 dictionaries of 1 MB grew the node by
  %% 24 MB without it; one collection per row made the erl_eval path crawl). One named fun:
  %% under erl_eval every fun bound here is compared, environment and all, at each later
  %% call, and five more of them made --no-load six times slower.
  %% Where the node has process_info(P, {dictionary, Key}) (OTP 26.2 and later) the three
  %% keys are read one by one, whatever the heap: nothing else is copied.
  %% A skipped process still gets a name where its code shows without copying anything: a
  %% gen_server busy in a callback has that callback's frame right above gen_server's on its
  %% stack (where a busy worker spends its time), and its '$initial_call' is {Callback, init, 1}.
  %% Only a gen_server callback's own name and arity counts: a frame the callback tail-called
  %% is never taken for it. The C node fills the rest from the supervisor's child spec.
  %% Each result ends with where the name came from: dictionary | stack | undefined.
  %% A walker among several (oa_token: the prober, see Walk) reads a heap over 65,536 words
  %% only while it holds the prober's one token, and collects right after: K walkers copying
  %% at once would hold K dictionaries of up to 8 MB (1,000 dictionaries of 1 MB grew the
  %% node by 20.8-29.9 MB with four walkers and the allowance below, 7.2 MB with one).
  Drop = fun(H) -> H > 65536 andalso get(oa_token) =:= undefined
                     andalso element(2, erlang:process_info(self(), total_heap_size)) > get(oa_heap_mark) + 262144
                     andalso erlang:garbage_collect()
                     andalso put(oa_heap_mark, element(2, erlang:process_info(self(), total_heap_size))) end,
  DictKeys = try is_list(erlang:process_info(self(), [{dictionary, '$initial_call'}])) catch _:_ -> false end,
  DictOf = fun DictOf({dictionary, D}, _, _) -> {DictMfa(lists:keyfind('$initial_call', 1, D)),
                                                 DictList(lists:keyfind('$ancestors', 1, D)),
                                                 DictCallers(lists:keyfind('$callers', 1, D)), dictionary};
               DictOf({current_stacktrace, [{M, F, A, _}, {gen_server, GF, _, _} | _]}, stack, _)
                   when is_atom(M), M =/= gen_server, is_integer(A),
                        GF =:= try_handle_call orelse GF =:= try_dispatch orelse GF =:= try_handle_continue
                          orelse GF =:= init_it orelse GF =:= try_terminate,
                        {F, A} =:= {handle_call, 3} orelse {F, A} =:= {handle_cast, 2} orelse {F, A} =:= {handle_info, 2}
                          orelse {F, A} =:= {handle_continue, 2} orelse {F, A} =:= {init, 1} orelse {F, A} =:= {terminate, 2} ->
                 {{M, init, 1}, [], undefined, stack};
               DictOf({current_stacktrace, [_ | T]}, stack, _) -> DictOf({current_stacktrace, T}, stack, x);
               DictOf(P, {proc_lib, init_p, A}, _) when DictKeys, A =:= 3 orelse A =:= 5 ->
                 case erlang:process_info(P, [{dictionary, '$initial_call'}, {dictionary, '$ancestors'}, {dictionary, '$callers'}]) of
                   [{_, IC0}, {_, An0}, {_, Ca0}] -> {DictMfa({x, IC0}), DictList({x, An0}), DictCallers({x, Ca0}), dictionary};
                   _ -> {undefined, [], undefined, undefined}
                 end;
               DictOf(P, {proc_lib, init_p, A}, H) when is_integer(H), H =< 1000000, A =:= 3 orelse A =:= 5 ->
                 Tok = get(oa_token),
                 Hold = is_pid(Tok) andalso begin
                                              Tok ! {token, dict, self()},
                                              receive {token, dict, Tok} -> true; {'DOWN', _, process, Tok, _} -> exit(normal) end
                                            end,
                 Keys = DictOf(erlang:process_info(P, dictionary), x, x),
                 _ = Hold andalso begin erlang:garbage_collect(), Tok ! {token_back, dict, self()}, true end,
                 _ = Drop(H),
                 Keys;
               DictOf(P, {proc_lib, init_p, A}, _) when A =:= 3; A =:= 5 ->
                 put(oa_dict_skipped, get(oa_dict_skipped) + 1),
                 DictOf(erlang:process_info(P, current_stacktrace), stack, x);
               DictOf(_, _, _) -> {undefined, [], undefined, undefined} end,
  %% the dictionary came with the other items (its heap bounded first), or is read apart
  DictIn = fun([{dictionary, _} = D], _, _, H) ->
                 Keys = DictOf(D, x, x),
                 _ = Drop(H),
                 Keys;
              ([], P, IC, H) -> DictOf(P, IC, H) end,
  Row = fun(P, Q, Mem, Heap, [{registered_name, RN}, {initial_call, IC}, {current_function, CF}, {status, St},
                              {reductions, Reds}, {links, Links}, {monitors, Mons}, {monitored_by, MB},
                              {trap_exit, TE}, {group_leader, GL} | DictR]) ->
              {DIC, Anc, Callers, Src} = DictIn(DictR, P, IC, Heap),
              {P, RN, Mfa(IC), DIC, Anc, Mfa(CF), St, Q, Reds, Mem, Heap,
               [Lk || Lk <- Links, is_pid(Lk) orelse is_port(Lk)],
               lists:append([Mon(Mo) || Mo <- Mons]), length(MB), TE, GL, Callers, Src};
           (_, _, _, _, undefined) -> undefined end,
  Items0 = [registered_name, initial_call, current_function, status, reductions,
            links, monitors, monitored_by, trap_exit, group_leader],
  ItemsMem = [memory, total_heap_size | Items0],
  Full = fun(P, Q, [{memory, M}, {total_heap_size, H} | R]) -> Row(P, Q, M, H, R);
            (_, _, undefined) -> undefined end,
  %% memory is O(queue) to compute: skipped above the queue threshold
  ItemsDict = ItemsMem ++ [dictionary],
  %% The first request reads what OTP 25 reads under the process's lock, without a signal
  %% the process must be scheduled to answer: its queue length, its initial call and its
  %% heap's blocks (young, old and fragments). A proc_lib process whose blocks add up to at
  %% most 1,000,000 words then gets its dictionary in the same request as the other items:
  %% one signal a process, as for the floor, instead of a second request for the dictionary
  %% alone (measured at 1,000,000 processes: the heap's blocks cost 0.9-1.5 us a process
  %% under the lock, a request of its own 2.1-3.3 us).
  Req1 = case DictKeys of true -> [message_queue_len, initial_call];
                           false -> [message_queue_len, initial_call, garbage_collection_info] end,
  HeapOf = fun HeapOf([], N) -> N;
               HeapOf([{K, W} | T], N) when K =:= heap_block_size; K =:= old_heap_block_size; K =:= mbuf_size -> HeapOf(T, N + W);
               HeapOf([_ | T], N) -> HeapOf(T, N) end,
  %% a heap over 65,536 words is read under the token (see Drop), given back by Held once
  %% the row is made and the copy collected
  ItemsFor = fun(W) when W =< 65536 -> ItemsDict;
                (W) when W =< 1000000 ->
                  case get(oa_token) of
                    undefined -> ok;
                    Tok -> Tok ! {token, dict, self()},
                           receive {token, dict, Tok} -> put(oa_holding, Tok); {'DOWN', _, process, Tok, _} -> exit(normal) end
                  end,
                  ItemsDict;
                (_) -> ItemsMem end,
  Held = fun(R) ->
           case get(oa_holding) of
             undefined -> R;
             Tok -> erlang:garbage_collect(), erase(oa_holding), Tok ! {token_back, dict, self()}, R
           end
         end,
  ByQueue = fun(_, undefined) -> undefined;
               (P, [{message_queue_len, Q} | _]) when Q > MqMax -> Row(P, Q, undefined, undefined, erlang:process_info(P, Items0));
               (P, [{message_queue_len, Q}, {initial_call, {proc_lib, init_p, A}}, {garbage_collection_info, G}])
                   when A =:= 3; A =:= 5 ->
                 Held(Full(P, Q, erlang:process_info(P, ItemsFor(HeapOf(G, 0)))));
               (P, [{message_queue_len, Q} | _]) -> Full(P, Q, erlang:process_info(P, ItemsMem)) end,
  %% the same care for the per-child work of a supervisor with 100,000 children
  %% supervisor2's delayed restarts ({permanent, Delay}) restart as their type; its intrinsic
  %% children as transient ones (a normal exit also stops the supervisor: said nowhere else)
  RestartOf = fun(permanent) -> permanent; (transient) -> transient; (temporary) -> temporary;
                 ({permanent, D}) when is_number(D) -> permanent; ({transient, D}) when is_number(D) -> transient;
                 (intrinsic) -> transient; (_) -> undefined end,
  %% a child's start, as code, only when its arguments are plain data (no pid, ref, fun)
  Lit = fun Lit(_, N) when N =< 0 -> -1;
            Lit(T, N) when is_atom(T); is_number(T) -> N - 1;
            Lit(T, N) when is_binary(T), byte_size(T) =< 256 -> N - 1;
            Lit([], N) -> N - 1;
            Lit([H | T], N) -> case Lit(H, N - 1) of M when M > 0 -> Lit(T, M); _ -> -1 end;
            Lit(T, N) when is_tuple(T) -> Lit(tuple_to_list(T), N);
            Lit(T, N) when is_map(T) -> Lit(maps:to_list(T), N);
            Lit(_, _) -> -1 end,
  %% Ids, keys, names and reasons travel as terms, cut to at most 40 parts and binaries
  %% to 80 bytes, and the C node writes them in the target's language: printing them here
  %% (io_lib:format, Kernel.inspect) loaded io_lib_format, io_lib_pretty and a dozen
  %% Inspect modules into a node that had never used them. Containers are sent as
  %% {'$oa_tuple', Elements} and {'$oa_map', [K, V, ...]}, a list whose rest was left out
  %% ends in the tail '$oa_cut', a long binary is {'$oa_cut', FirstBytes}, and a local fun
  %% is {'$oa_fun', M, Name, Arity}, without its environment (see termtext.h).
  Cut = fun Cut([], N) -> {[], N};
            Cut(_, N) when N =< 0 -> {'$oa_cut', -1};
            Cut(T, N) when is_binary(T), byte_size(T) > 80 -> {{'$oa_cut', binary_part(T, 0, 80)}, N - 1};
            Cut(T, N) when is_bitstring(T), bit_size(T) > 640 -> {'$oa_cut', N - 1};
            Cut([H | T], N) -> {H2, N2} = Cut(H, N - 1), {T2, N3} = Cut(T, N2), {[H2 | T2], N3};
            Cut(T, N) when is_tuple(T) -> {L, N2} = Cut(tuple_to_list(T), N), {{'$oa_tuple', L}, N2};
            Cut(T, N) when is_map(T) -> {L, N2} = Cut(lists:append([[K, V] || {K, V} <- maps:to_list(T)]), N), {{'$oa_map', L}, N2};
            Cut(T, N) when is_function(T) -> {{'$oa_fun', element(2, erlang:fun_info(T, module)),
                                               element(2, erlang:fun_info(T, name)), element(2, erlang:fun_info(T, arity))}, N - 1};
            Cut(T, N) when is_integer(T), T > 1 bsl 256; is_integer(T), T < -(1 bsl 256) -> {'$oa_cut', N - 1};
            Cut(T, N) -> {T, N - 1} end,
  Show = fun(T) -> element(1, Cut(T, 40)) end,
  StartOf = fun({M, F, A}) when is_atom(M), is_atom(F), is_list(A) ->
                  case Lit(A, 64) >= 0 of true -> {M, F, A}; false -> undefined end;
               (_) -> undefined end,
  SpecRestart = fun({ok, Spec}, N) when is_tuple(Spec), tuple_size(Spec) >= N ->
                      {RestartOf(element(N, Spec)), case N of 5 -> StartOf(element(4, Spec)); _ -> StartOf(element(1, Spec)) end};
                   (_, _) -> {undefined, undefined} end,
  DynRestart = fun(ChMap) -> fun(_Id, Pid) -> SpecRestart(maps:find(Pid, ChMap), 2) end end,
  StaticRestart = fun(simple_one_for_one, _ChMap, Sofo) -> fun(_Id, _Pid) -> {Sofo, undefined} end;
                     (_, ChMap, _) -> fun(Id, _Pid) -> SpecRestart(maps:find(Id, ChMap), 5) end end,
  ModsOf = fun(dynamic) -> dynamic; (M) when is_list(M) -> M; (_) -> [] end,
  RowsOut = fun(Rows, RFun) -> RowsOut0(Rows, RFun, Show, ModsOf) end,
  TextPairs = fun(Got) -> TextPairs0(Got, Show) end,
  S2Row = fun(P, Q, [{reductions, R}, {monitored_by, MB}]) -> {P, Q, R, undefined, length(MB)};
             (P, Q, [{reductions, R}, {monitored_by, MB}, {memory, M}]) -> {P, Q, R, M, length(MB)};
             (_, _, undefined) -> undefined end,
  S2 = fun(_, undefined) -> undefined;
          (P, {message_queue_len, Q}) when Q > MqMax -> S2Row(P, Q, erlang:process_info(P, [reductions, monitored_by]));
          (P, {message_queue_len, Q}) -> S2Row(P, Q, erlang:process_info(P, [reductions, monitored_by, memory])) end,
  Chunk = Get(chunk, 1000),
  Sess = Get(session, 0),
  Credit0 = Get(credit, 16),
  WindowMs = Get(window_ms, 1000),
  SupTmo = Get(sup_timeout_ms, 2000),
  KeyCap = Get(registry_keys, 10000),
  %% Priority and bursts, decided from measurements on 100,000 processes:
  %% - at low priority the probe starved on a node whose own processes saturate its 2
  %%   schedulers (108.7 s; normal 19.6 s);
  %% - at high priority it walks a saturated node in 4.9 s, but an idle one in 1.2 s
  %%   instead of 0.6 s at normal (high-priority processes hold back the port that carries
  %%   our chunks).
  %% So it runs at normal priority while the run queues are short, and when others are
  %% waiting (more than our own two tasks: the lister, the distribution port) it goes
  %% high for its bursts of one chunk and sleeps as long as each burst took, so it never
  %% holds more than half a scheduler. OTP_ADVISOR_PRIORITY pins one priority.
  Prio = Get(priority, adaptive),
  %% how many processes walk (see Walk): one under erl_eval, whose funs carry every binding
  Walkers = case erlang:fun_info(Get, module) of
              {module, erl_eval} -> 1;
              _ -> max(1, min(8, Get(walkers, min(4, 2 * erlang:system_info(schedulers_online)))))
            end,
  Prio0 = case Prio of adaptive -> normal; _ -> Prio end,
  %% Ours: the tasks of ours that may be runnable (two for one walker: the lister, the
  %% distribution port; see Walk for several). True when others wait, after the sleep.
  Burst = fun(B0, Ours) ->
            case erlang:statistics(total_run_queue_lengths) > Ours of
              false -> Prio =:= adaptive andalso process_flag(priority, normal), false;
              true -> Prio =:= adaptive andalso process_flag(priority, high),
                      %% at most 10 ms: where the host itself is short of CPU, a burst is
                      %% stretched by the OS, and sleeping as long again made a walk of
                      %% 100,000 processes take 77 s instead of 16 s (measured)
                      Ms = min(10, (erlang:monotonic_time(microsecond) - B0 + 999) div 1000),
                      receive after Ms -> ok end,
                      true
            end
          end,
  %% a supervisor waiting for requests: in gen_server's loop, or hibernating in it
  SupLoop = fun({gen_server, loop, _}) -> true; ({erlang, hibernate, 3}) -> true; (_) -> false end,
  SupIc = fun({supervisor, _, 1}) -> true; ({supervisor_bridge, _, 1}) -> true; (_) -> false end,
  %% Forks of supervisor that keep its protocol under their own module (rabbit_common's
  %% supervisor2): a gen_server whose callback module, named by '$initial_call' {M, init, 1},
  %% declares the gen_server behaviour and exports the supervisor API (which_children/1 and
  %% count_children/1), read from the loaded module without asking the process anything. It
  %% is asked only in gen_server's loop, like a supervisor. A gen_server whose module lacks
  %% the API is still never asked.
  Behaviours = fun(M) -> [B || {K, Bs} <- erlang:get_module_info(M, attributes),
                               K =:= behaviour orelse K =:= behavior, is_list(Bs), B <- Bs] end,
  IsFork = fun({M, init, 1}) when is_atom(M) ->
                 erlang:module_loaded(M) andalso erlang:function_exported(M, which_children, 1)
                   andalso erlang:function_exported(M, count_children, 1)
                   andalso lists:member(gen_server, Behaviours(M));
              (_) -> false end,
  %% supervisor candidates, and the modules the processes run (their start_link arities are
  %% read after the walks: what a child spec printed for them can call); at most 10,000
  ModOf = fun({M, _, _}) when is_atom(M) -> M; (_) -> undefined end,
  %% A fork is a candidate root too: whether a module is one is decided once per module, its
  %% answer kept in the same map (fork | nofork; true: a module seen, not yet decided, so the
  %% answer never depends on which process showed the module first, nor on which walker)
  ForkMod = fun({M, init, 1}, Ms) when is_atom(M) ->
                  case Ms of
                    #{M := F} when F =/= true -> {F =:= fork, Ms};
                    _ when map_size(Ms) < 10000; is_map_key(M, Ms) ->
                      F = IsFork({M, init, 1}), {F, Ms#{M => case F of true -> fork; false -> nofork end}};
                    _ -> {IsFork({M, init, 1}), Ms}
                  end;
               (_, Ms) -> {false, Ms} end,
  PickSups = fun(Infos, {Cs, Ms}) ->
               {Forks, Ms1} = lists:foldl(fun(R, {Fs, M0}) ->
                                            case ForkMod(element(4, R), M0) of
                                              {true, M1} -> {[{length(element(5, R)), element(1, R)} | Fs], M1};
                                              {false, M1} -> {Fs, M1}
                                            end
                                          end, {[], Ms}, Infos),
               {[{length(element(5, R)), element(1, R)} || R <- Infos, SupIc(element(4, R))] ++ Forks ++ Cs,
                case map_size(Ms1) < 10000 of
                  true -> lists:foldl(fun(R, M) ->
                                        case ModOf(element(4, R)) of
                                          undefined -> case ModOf(element(3, R)) of undefined -> M; M3 -> M#{M3 => maps:get(M3, M, true)} end;
                                          M4 -> M#{M4 => maps:get(M4, M, true)}
                                        end
                                      end, Ms1, Infos);
                  false -> Ms1
                end}
             end,
  %% two walkers' candidates and modules (at most 10,000 modules, as PickSups keeps)
  MergeSups = fun({Cs1, Ms1}, {Cs2, Ms2}) ->
                Ms = maps:merge(Ms2, Ms1),
                {Cs1 ++ Cs2, case map_size(Ms) > 10000 of
                               true -> maps:from_list(lists:sublist(maps:to_list(Ms), 10000));
                               false -> Ms
                             end}
              end,
  Main = fun() ->
    process_flag(priority, Prio0),
    %% A young heap that holds a chunk of rows with room to spare: grown from the default
    %% one collection at a time, the collector spent a fifth of the walk copying the rows
    %% it was building (in-node at 1,000,000 processes: 5.6 s with 318,187 words against
    %% 6.9 s without, medians of 5 interleaved runs). 121,536 words (0.9 MB; fewer on a node with few processes): at 196,650 and
    %% 318,187 the collection's peak rose by 2 to 7 MB and left the 16 MB budget in 2 of 5
    %% and 1 of 5 bench runs; at 121,536 it stayed within in 5 of 5.
    MinHeap = min(121536, 32 * erlang:system_info(process_count)),
    process_flag(min_heap_size, MinHeap),
    MRef = erlang:monitor(process, CPid),
    T0 = erlang:monotonic_time(microsecond),
    %% Send with credit: block (bounded) until the C node grants more.
    Send = fun Send(Msg, C) when C > 0 -> CPid ! {oa, Sess, Msg}, C - 1;
               Send(Msg, _) ->
                 receive
                   {oa_credit, N} -> Send(Msg, N);
                   oa_stop -> exit(normal);
                   {'DOWN', MRef, _, _, _} -> exit(normal)
                 after 60000 -> exit(normal)
                 end
           end,
    %% Walk every process, a chunk at a time. The pid list (16 bytes a process) lives in a
    %% separate lister process that hands out slices: kept in the prober's heap, every
    %% chunk of results became old-heap garbage next to it, and at 100k processes the
    %% prober grew by 17 MB before a full sweep (measured); this way it stays small.
    Prober = self(),
    ListerPrio = case Prio of adaptive -> high; _ -> Prio end,
    %% Walkers: the loaded probe walks with several processes, each asking the lister for
    %% slices, so that one waits for a process's answer while another reads: one walker
    %% spends most of a walk waiting for the process it asked to be scheduled and answer
    %% (at 1,000,000 processes, 3 interleaved runs through the C node: one walker 6.1-8.0 s,
    %% two 4.6-4.9 s, three 3.4-3.9 s, four 3.1-4.0 s, six and eight no better than four;
    %% the floor 3.1-3.8 s). Each collects a slice and sends it straight to the C node once
    %% the prober grants it one credit (the credit still bounds the chunks in flight),
    %% keeps its own accumulator and hands it back at the end. Each walker's slice is the
    %% chunk over the walkers, its heap an eighth of the prober's and every collection a
    %% full sweep, so the rows of the chunk just sent leave with the next collection
    %% instead of waiting in an old heap: four walkers of 1,000-process slices held
    %% 11.9 MB between them at the end of their chunks, one prober 2.8-3.7 MB, four of
    %% 250-process slices swept each time 1.1 MB, and no slower (3.3-3.6 s). Under erl_eval
    %% (--no-load) there is one walker, the prober itself: spawning a fun there copies
    %% every binding it captured.
    Walk = fun(Tag, F, R1, C0, Pick, Acc0, _Merge) when Walkers =:= 1 ->
      Lister = SpawnLister(Prober, Chunk, ListerPrio, 1),
      Lister ! {next, Prober},
      Loop = fun Loop(C, Acc) ->
               receive
                 {slice, Lister, []} -> {C, Acc};
                 {slice, Lister, Sl} ->
                   Lister ! {next, Prober},
                   B0 = erlang:monotonic_time(microsecond),
                   Infos = Collect(F, Sl, R1),
                   Burst(B0, 2),
                   Loop(case Infos of [] -> C; _ -> Send({Tag, Infos}, C) end, Pick(Infos, Acc));
                 oa_stop -> exit(normal);
                 {'DOWN', MRef, _, _, _} -> exit(normal)
               end
             end,
      {C1_, Acc1} = Loop(C0, Acc0),
      {C1_, [Lister], Acc1};
              (Tag, F, R1, C0, Pick, Acc0, Merge) ->
      Lister = SpawnLister(Prober, max(100, Chunk div Walkers), ListerPrio, Walkers),
      %% Under load the walkers take turns (the load token): while others wait, one walker
      %% bursts and sleeps as long as its burst, holding the token, so together they hold half
      %% a scheduler at most, as one walker did. Idle, each asks Burst with 2K of our tasks
      %% runnable (a walker and the process answering it, each) before others count as waiting.
      Walker = fun() ->
        try
          process_flag(priority, Prio0),
          PRef = erlang:monitor(process, Prober),
          put(oa_dict_skipped, 0),
          put(oa_heap_mark, element(2, erlang:process_info(self(), total_heap_size))),
          put(oa_token, Prober),
          Token = fun(Kind) ->
                    Prober ! {token, Kind, self()},
                    receive {token, Kind, Prober} -> true; {'DOWN', PRef, _, _, _} -> exit(normal) end
                  end,
          Lister ! {next, self()},
          WLoop = fun WLoop(Acc, Loaded) ->
                    receive
                      {slice, Lister, []} -> Prober ! {walked, self(), Acc, get(oa_dict_skipped)};
                      {slice, Lister, Sl} ->
                        Lister ! {next, self()},
                        _ = Loaded andalso Token(load),
                        B0 = erlang:monotonic_time(microsecond),
                        Infos = Collect(F, Sl, R1),
                        Loaded1 = Burst(B0, case Loaded of true -> 2; false -> 2 * Walkers end),
                        _ = Loaded andalso begin Prober ! {token_back, load, self()}, true end,
                        case Infos of
                          [] -> ok;
                          _ -> Prober ! {want, self()},
                               receive
                                 {go, Prober} -> CPid ! {oa, Sess, {Tag, Infos}};
                                 {'DOWN', PRef, _, _, _} -> exit(normal)
                               end
                        end,
                        WLoop(Pick(Infos, Acc), Loaded1);
                      {'DOWN', PRef, _, _, _} -> exit(normal)
                    end
                  end,
          WLoop(Acc0, false)
        catch exit:normal -> ok;
              %% an exit, not an error: a spawned process's error is logged on the node
              Class:Reason:Stack -> exit({walker, Class, Reason, Stack})
        end
      end,
      Live0 = maps:from_list([{W, erlang:monitor(process, W)} || W <- [spawn_opt(Walker, [{min_heap_size, MinHeap div 8}, {fullsweep_after, 0}])
                                                                        || _ <- lists:seq(1, Walkers)]]),
      %% one credit for one chunk, as Send spends them
      Grant = fun Grant(C) when C > 0 -> C - 1;
                  Grant(_) ->
                    receive
                      {oa_credit, N} -> Grant(N);
                      oa_stop -> exit(normal);
                      {'DOWN', MRef, _, _, _} -> exit(normal)
                    after 60000 -> exit(normal)
                    end
              end,
      %% Tk: each token (dict: a large dictionary's copy, see Drop; load: a burst under load)
      %% and who holds it (none) with those waiting for it
      Coord = fun Coord(C, Live, Acc, Sk, _) when map_size(Live) =:= 0 -> {C, Acc, Sk};
                  Coord(C, Live, Acc, Sk, Tk) ->
                    receive
                      {want, W} -> C1 = Grant(C), W ! {go, Prober}, Coord(C1, Live, Acc, Sk, Tk);
                      {token, K, W} ->
                        case Tk of
                          #{K := {none, []}} -> W ! {token, K, Prober}, Coord(C, Live, Acc, Sk, Tk#{K := {W, []}});
                          #{K := {H, Q}} -> Coord(C, Live, Acc, Sk, Tk#{K := {H, Q ++ [W]}})
                        end;
                      {token_back, K, W} ->
                        case Tk of
                          #{K := {W, []}} -> Coord(C, Live, Acc, Sk, Tk#{K := {none, []}});
                          #{K := {W, [N | Q]}} -> N ! {token, K, Prober}, Coord(C, Live, Acc, Sk, Tk#{K := {N, Q}});
                          _ -> Coord(C, Live, Acc, Sk, Tk)
                        end;
                      {walked, W, WAcc, WSk} when is_map_key(W, Live) ->
                        erlang:demonitor(maps:get(W, Live), [flush]),
                        Coord(C, maps:remove(W, Live), Merge(WAcc, Acc), Sk + WSk, Tk);
                      {'DOWN', _, process, W, Why} when is_map_key(W, Live) -> error({walker, Why});
                      oa_stop -> exit(normal);
                      {'DOWN', MRef, _, _, _} -> exit(normal)
                    end
              end,
      {C1_, Acc1, Sk1} = Coord(C0, Live0, Acc0, 0, #{dict => {none, []}, load => {none, []}}),
      put(oa_dict_skipped, get(oa_dict_skipped) + Sk1),
      {C1_, [Lister | maps:keys(Live0)], Acc1}
    end,
    put(oa_dict_skipped, 0),
    put(oa_hints, 0),
    put(oa_heap_mark, element(2, erlang:process_info(self(), total_heap_size))),
    {Reds0, _} = erlang:statistics(reductions),
    NodeInfo = #{node => node(),
                 otp_release => list_to_binary(erlang:system_info(otp_release)),
                 erts_version => list_to_binary(erlang:system_info(version)),
                 elixir_version => case application:get_key(elixir, vsn) of
                                     {ok, EV} -> list_to_binary(EV); _ -> undefined end,
                 schedulers => erlang:system_info(schedulers_online),
                 process_count => erlang:system_info(process_count),
                 process_limit => erlang:system_info(process_limit),
                 atom_count => erlang:system_info(atom_count),
                 atom_limit => erlang:system_info(atom_limit),
                 port_count => erlang:system_info(port_count),
                 port_limit => erlang:system_info(port_limit),
                 ets_count => erlang:system_info(ets_count),
                 ets_limit => erlang:system_info(ets_limit),
                 memory => erlang:memory(),
                 wordsize => erlang:system_info(wordsize),
                 uptime_ms => element(1, erlang:statistics(wall_clock)),
                 collected_at_ms => erlang:system_time(millisecond),
                 window_ms => WindowMs,
                 sup_timeout_ms => SupTmo,
                 mq_threshold => MqMax,
                 advisor => [self()]},
    C1 = Send({node, NodeInfo}, Credit0),
    %% watch's light sample (mode sample): the second walk's items only (queue, reductions,
    %% memory, monitored_by), no tree, no tables, nothing asked of any process
    case Get(mode, full) of
      sample ->
        Sa = erlang:monotonic_time(microsecond),
        {Cs, Ls, _} = Walk(procs2, S2, message_queue_len, C1, fun(_, Acc) -> Acc end, [], fun(_, Acc) -> Acc end),
        Sb = erlang:monotonic_time(microsecond),
        Send({done, #{walk1_us => 0, walk2_us => Sb - Sa, gap_us => 0, tree_us => 0, total_us => Sb - T0,
                      reds_delta => 0, dict_skipped => 0, advisor => Ls}}, Cs),
        exit(normal);
      _ -> ok
    end,
    %% The distribution links to the other nodes (ours left out): bytes waiting in each
    %% link's driver queue (the socket would not take them: the peer or the network does not
    %% keep up) and bytes sent, from inet:getstat/2 on the link's port (a port_control: no
    %% process is asked). The distribution entry's own queue, the one dist_buf_busy_limit
    %% bounds, cannot be read; port_info's queue_size stays 0 for a dist port. Looked at
    %% before the first walk, every 20 ms through the window, and after the second walk; a
    %% controller that is a process (TLS) only before and after (its queue length is a
    %% signal to it, kept out of the window).
    Me = node(CPid),
    InetUp = erlang:module_loaded(inet),
    DistStat = fun(Ctrl, _) when is_port(Ctrl), InetUp ->
                     case catch inet:getstat(Ctrl, [send_pend, send_oct]) of
                       {ok, L} -> {port, case lists:keyfind(send_pend, 1, L) of {_, Pd} -> Pd; _ -> 0 end,
                                   case lists:keyfind(send_oct, 1, L) of {_, Oc} -> Oc; _ -> 0 end};
                       _ -> undefined end;
                  (Ctrl, true) when is_pid(Ctrl) ->
                     case erlang:process_info(Ctrl, message_queue_len) of
                       {message_queue_len, Q} -> {process, Q, 0}; _ -> undefined end;
                  (_, _) -> undefined end,
    DistLook = fun(Acc, Procs) ->
      Tn = erlang:monotonic_time(microsecond),
      lists:foldl(
        fun({N, _}, A) when N =:= Me -> A;
           ({N, Ctrl}, A) ->
             case DistStat(Ctrl, Procs) of
               undefined -> A;
               {Kind, Pend, Oct} ->
                 {_, Lk, PL, Mx, O0, T0_, _, _} = maps:get(N, A, {Kind, 0, 0, 0, Oct, Tn, Oct, Tn}),
                 A#{N => {Kind, Lk + 1, PL + min(Pend, 1), max(Mx, Pend), O0, T0_, Oct, Tn}}
             end
        end, Acc, try erlang:system_info(dist_ctrl) catch _:_ -> [] end)
    end,
    Dist0 = DistLook(#{}, true),
    W1a = erlang:monotonic_time(microsecond),
    {C2w, Lister1, {Cands, Mods}} = Walk(procs, ByQueue, Req1, C1, PickSups, {[], #{}}, MergeSups),
    %% an empty chunk: walk 1 has ended (the C node shows the window from here)
    C2 = Send({procs, []}, C2w),
    W1b = erlang:monotonic_time(microsecond),
    %% Second sample, a window after the first began. Nothing of ours is asked of any
    %% process between the two walks: the supervisor calls and application master
    %% requests below come after the window, so they never count as the target's load.
    Wait = (W1a div 1000 + WindowMs) - erlang:monotonic_time(millisecond),
    {C3, W2a, W2b, Reds1, Lister2} =
      case WindowMs > 0 of
        false -> {C2, 0, 0, Reds0, []};
        true ->
          WinEnd = erlang:monotonic_time(millisecond) + max(Wait, 0),
          DistWait = fun DW(D) ->
                       case WinEnd - erlang:monotonic_time(millisecond) of
                         Left when Left =< 0 -> D;
                         Left -> receive oa_stop -> exit(normal); {'DOWN', MRef, _, _, _} -> exit(normal)
                                 after min(Left, 20) -> DW(DistLook(D, false)) end
                       end
                     end,
          put(oa_dist, DistWait(Dist0)),
          {Rd1, _} = erlang:statistics(reductions),
          A2 = erlang:monotonic_time(microsecond),
          {Cw, L2, _} = Walk(procs2, S2, message_queue_len, C2, fun(_, Acc) -> Acc end, [], fun(_, Acc) -> Acc end),
          {Cw, A2, erlang:monotonic_time(microsecond), Rd1, L2}
      end,
    DistN = DistLook(case get(oa_dist) of undefined -> Dist0; Dd -> Dd end, true),
    C3d = Send({dist, #{busy_limit => erlang:system_info(dist_buf_busy_limit)},
                [{N, K, Lk, PL, Mx, O1 - O0, T1_ - T0_} || {N, {K, Lk, PL, Mx, O0, T0_, O1, T1_}} <- maps:to_list(DistN)]},
               C3),
    T1 = erlang:monotonic_time(microsecond),
    %% Applications and their tops, as OTP defines the top: what application_master:get_child/1
    %% answers. Its protocol is spoken here with a deadline (get_child/1 itself waits forever),
    %% and only to a master waiting in its main loop, which consumes the request.
    Apps = try application:which_applications(5000) catch _:_ -> [] end,
    AppKeys = fun(App) ->
      Desc = case application:get_key(App, description) of {ok, Ds} -> unicode:characters_to_binary(Ds); _ -> <<>> end,
      Mod = case application:get_key(App, mod) of {ok, {Md, _}} -> Md; _ -> undefined end,
      %% what the application declares it needs (the controller's table, no request)
      Needs = [A || K <- [applications, included_applications],
                    {ok, As} <- [application:get_key(App, K)], A <- As, is_atom(A)],
      {Desc, Mod, iolist_to_binary(lists:join(<<" ">>, [atom_to_binary(A, utf8) || A <- Needs]))}
    end,
    %% Where each application's code lies: code:lib_dir/1 asks the code server, so only while
    %% it waits in its loop with nothing queued (it answers at once; never behind a load).
    CodeIdle = fun() ->
      case whereis(code_server) of
        CodeSrv when is_pid(CodeSrv) ->
          erlang:process_info(CodeSrv, [current_function, message_queue_len]) =:=
            [{current_function, {code_server, loop, 1}}, {message_queue_len, 0}];
        _ -> false
      end
    end,
    LibDir = fun(App) ->
      case CodeIdle() of
        true -> case catch code:lib_dir(App) of
                  D when is_list(D) -> case unicode:characters_to_binary(D) of B when is_binary(B) -> B; _ -> <<>> end;
                  _ -> <<>>
                end;
        false -> <<>>
      end
    end,
    AppTop = fun(Master) ->
      case erlang:process_info(Master, current_function) of
        {current_function, {application_master, main_loop, 2}} ->
          Tag = make_ref(),
          R = erlang:monitor(process, Master),
          Master ! {get_child, Tag, self()},
          receive
            {Tag, {Top, _}} when is_pid(Top) -> erlang:demonitor(R, [flush]), Top;
            {Tag, _} -> erlang:demonitor(R, [flush]), undefined;
            {'DOWN', R, _, _, _} -> undefined
          after SupTmo -> erlang:demonitor(R, [flush]), undefined
          end;
        _ -> undefined
      end
    end,
    {C4, Tops} = lists:foldl(
      fun({App, _D, Vsn}, {C, Acc}) ->
        {Desc, Mod, Needs} = AppKeys(App),
        Master = application_controller:get_master(App),
        Top = case is_pid(Master) of true -> AppTop(Master); false -> undefined end,
        C_ = Send({app, App, Desc, unicode:characters_to_binary(Vsn), Master, Top, Mod, Needs, LibDir(App)}, C),
        {C_, case is_pid(Top) of true -> [Top | Acc]; false -> Acc end}
      end, {C3d, []}, Apps),
    %% Supervisors. A request goes only to a process whose code is known, without asking it,
    %% to be a supervisor ('$initial_call' {supervisor, _, 1}: proc_lib writes it for the
    %% gen_server whose callback is OTP's supervisor, and Elixir's DynamicSupervisor writes
    %% the same), and only while it waits in its receive loop, or is seen serving its queue
    %% (waiting for a child it starts at two looks 20 ms apart, its reductions advancing:
    %% starting children back to back): a request to a supervisor blocked in a start_child, suspended or stuck
    %% would sit in its mailbox. A child declared
    %% `supervisor` that is not a known supervisor is recorded and not asked: a gen_server
    %% without a catch-all handle_call crashes on which_children.
    Dict = fun(P, K) when DictKeys -> case erlang:process_info(P, {dictionary, K}) of {_, V} -> V; _ -> undefined end;
              (P, K) -> case erlang:process_info(P, total_heap_size) of
                          {total_heap_size, H} when H =< 1000000 ->
                            case erlang:process_info(P, dictionary) of
                              {dictionary, D} -> case lists:keyfind(K, 1, D) of {_, V} -> V; false -> undefined end;
                              _ -> undefined end;
                          _ -> undefined end end,
    Now = erlang:monotonic_time(second),
    Ago = fun(Rs) -> [Now - R || R <- Rs, is_integer(R)] end,
    NoR = fun(_, _) -> {undefined, undefined} end,
    BaseOf = fun('Elixir.Registry.Supervisor') -> registry;
                ('Elixir.PartitionSupervisor') -> partition;
                ('Elixir.Task.Supervisor') -> task;
                (_) -> supervisor end,
    %% ready | {busy, Why, Mark} | gone: is it waiting in its receive loop right now? Mark,
    %% its reductions, when it waits for a child it starts (not suspended, not exiting, a
    %% queue it can work through): a supervisor starting children back to back is out of
    %% its loop at every look, yet it serves each request in turn. One sleeping or looping
    %% in a callback is never marked, whatever work it does
    StartWait = fun({proc_lib, sync_start_link, 2}) -> true; ({proc_lib, sync_start, 2}) -> true;
                   ({proc_lib, sync_start_monitor, 2}) -> true; (_) -> false end,
    Ready = fun(P) ->
      case erlang:process_info(P, [status, current_function, message_queue_len, reductions]) of
        [{status, St}, {current_function, CF}, {message_queue_len, Q}, {reductions, R}] ->
          case SupLoop(CF) andalso St =/= suspended andalso St =/= exiting of
            true -> ready;
            false ->
              Mark = case StartWait(CF) andalso St =/= suspended andalso St =/= exiting andalso Q =< 1000 of
                       true -> R; false -> undefined end,
              {busy, {oa_text, [<<"not waiting in its receive loop: ">>, St, <<" in ">>, Show(CF),
                                <<", ">>, Q, <<" messages queued; nothing sent">>]}, Mark}
          end;
        _ -> gone
      end
    end,
    %% serving: waiting for a child at two looks 20 ms apart, with work done in between (it
    %% finished one start and began another: about 100 reductions each; one blocked in a
    %% child's init does none). Our own looks cost it a reduction each (process_info of
    %% another process is a signal it handles), hence the margin
    Serving = fun(M0, M1) -> is_integer(M0) andalso is_integer(M1) andalso M1 >= M0 + 50 end,
    %% looked at again after sys:get_state, until the deadline: it may be running (handling
    %% the next start in its queue, or a signal) at a look, and is asked once it is seen in its
    %% loop or serving (one reduction of ours per look, added to the margin)
    Askable = fun(P, Until) ->
      fun AskWait(First, Looks) ->
            case Ready(P) of
              {busy, Why, Mark} ->
                case is_integer(First) andalso Serving(First + Looks, Mark) of
                  true -> serving;
                  false ->
                    First_ = case is_integer(First) of true -> First; false -> Mark end,
                    Looks_ = case is_integer(First_) of true -> Looks + 1; false -> 0 end,
                    case erlang:monotonic_time(millisecond) < Until of
                      true -> receive after 20 -> ok end, AskWait(First_, Looks_);
                      false -> {busy, Why}
                    end
                end;
              Other -> Other
            end
      end(undefined, 0)
    end,
    %% Special processes that answer which_children in their own receive loop: a curated list,
    %% one entry per library version verified (tests/corpus/corpus_cowboy). Asked only when the
    %% process waits in that loop with an empty mailbox (a cowboy connection upgraded to a
    %% websocket hands unknown messages to the user's handler: never sent one). Any other
    %% version is recorded and not asked.
    Special = fun({ranch_conns_sup, init, 7}) -> {ranch, [{ranch_conns_sup, loop, 4}]};
                 ({cowboy_clear, connection_process, 4}) -> {cowboy, [{cowboy_http, loop, 1}, {cowboy_http2, loop, 2}]};
                 ({cowboy_tls, connection_process, 4}) -> {cowboy, [{cowboy_http, loop, 1}, {cowboy_http2, loop, 2}]};
                 (_) -> none end,
    Verified = fun(ranch, "2.1.0") -> true; (cowboy, "2.8.0") -> true; (_, _) -> false end,
    AppVsn = fun(App) -> case application:get_key(App, vsn) of {ok, V} when is_list(V) -> V; _ -> undefined end end,
    SpecialReady = fun(P, Loops) ->
      case erlang:process_info(P, [status, current_function, message_queue_len]) of
        [{status, St}, {current_function, CF}, {message_queue_len, Q}] ->
          case lists:member(CF, Loops) andalso St =:= waiting andalso Q =:= 0 of
            true -> ready;
            false -> {busy, {oa_text, [<<"not waiting in its receive loop with an empty mailbox: ">>, St,
                                       <<" in ">>, Show(CF), <<", ">>, Q, <<" messages queued; nothing sent">>]}, undefined}
          end;
        _ -> gone
      end
    end,
    %% A supervisor whose heap is over the cap (a supervisor of 100,000 children holds 11 MB)
    %% has a dictionary that is not read. It is known all the same when its verified parent's
    %% child spec declares it a supervisor whose one module is a supervisor's callback
    %% (declares the supervisor behaviour, or is one of Elixir's supervisors), and it traps
    %% exits: read from the spec and the module, nothing asked of the process. A misdeclared
    %% gen_server names its own module, a gen_server's callback, and is still not asked.
    SupMod = fun(M) -> lists:member(M, ['Elixir.DynamicSupervisor', 'Elixir.Task.Supervisor', 'Elixir.PartitionSupervisor'])
                         orelse lists:any(fun(B) -> lists:member(B, [supervisor, 'Elixir.Supervisor', 'Elixir.DynamicSupervisor']) end,
                                          Behaviours(M)) end,
    %% Its state must then read as a supervisor's (sys:get_state, below) before which_children
    %% is sent, and a heap over 4,000,000 words (32 MB) is not read at all: sys:get_state copies it.
    HintIc = fun(P) ->
      case get({oa_hint, P}) of
        [M] when is_atom(M) ->
          case erlang:process_info(P, [total_heap_size, trap_exit]) of
            [{total_heap_size, H}, {trap_exit, true}] when H > 1000000, H =< 4000000 ->
              case erlang:module_loaded(M) andalso SupMod(M) of
                true -> put({oa_hinted, P}, true), {supervisor, M, 1};
                false -> undefined
              end;
            _ -> undefined
          end;
        _ -> undefined
      end
    end,
    Verify = fun(P) ->
      case case Dict(P, '$initial_call') of undefined -> HintIc(P); Ic0 -> Ic0 end of
        {supervisor_bridge, BCB, 1} -> {bridge, BCB};
        {supervisor, SCB, 1} when is_atom(SCB) ->
          case Ready(P) of
            ready -> {sup, BaseOf(SCB)};
            {busy, Why, Mark} -> {busy, BaseOf(SCB), Why, Mark};
            gone -> gone
          end;
        Other ->
          case IsFork(Other) of
            true ->
              case Ready(P) of
                ready -> {sup, fork};
                {busy, Why, Mark} -> {busy, fork, Why, Mark};
                gone -> gone
              end;
            false ->
              case Special(Other) of
                none -> {declared, Other};
                {App, Loops} ->
                  Vsn = AppVsn(App),
                  case Verified(App, Vsn) of
                    false -> {unverified, Other, App, Vsn};
                    true -> case SpecialReady(P, Loops) of
                              ready -> {sup, {special, Loops}};
                              {busy, Why, _} -> {special_busy, Why};
                              gone -> gone
                            end
                  end
              end
          end
      end
    end,
    SupState = fun(P, Base) ->
      %% {Kind, Strategy, Intensity, Period, RestartsAgo, Callback, RestartFun, Status, Error}
      try sys:get_state(P, SupTmo) of
        #{'__struct__' := 'Elixir.DynamicSupervisor'} = S ->
          Ch = maps:get(children, S, #{}),
          K = case {Base, maps:get(mod, S, undefined)} of
                {task, _} -> task; {_, 'Elixir.Task.Supervisor'} -> task; _ -> dynamic end,
          {K, maps:get(strategy, S, undefined), maps:get(max_restarts, S, -1),
           maps:get(max_seconds, S, -1), Ago(maps:get(restarts, S, [])), maps:get(mod, S, undefined),
           DynRestart(Ch), ok, <<>>};
        S when is_tuple(S), element(1, S) =:= state, tuple_size(S) >= 11, tuple_size(S) =< 12,
               element(3, S) =:= one_for_one orelse element(3, S) =:= one_for_all orelse
               element(3, S) =:= rest_for_one orelse element(3, S) =:= simple_one_for_one ->
          {_Ids, ChMap} = case element(4, S) of {I_, M_} when is_map(M_) -> {I_, M_}; _ -> {[], #{}} end,
          Strategy = element(3, S),
          SofoRestart = case Strategy of
                          simple_one_for_one -> case maps:values(ChMap) of [Cr | _] when is_tuple(Cr), tuple_size(Cr) >= 5 -> RestartOf(element(5, Cr)); _ -> undefined end;
                          _ -> undefined end,
          Module = case tuple_size(S) of 12 -> element(11, S); _ -> element(10, S) end,
          {Base, Strategy, element(6, S), element(7, S), Ago(element(8, S)), Module,
           StaticRestart(Strategy, ChMap, SofoRestart), ok, <<>>};
        _ -> {Base, undefined, -1, -1, [], undefined, NoR, ok, <<>>}
      catch
        exit:{timeout, _} -> {Base, undefined, -1, -1, [], undefined, NoR, timeout, <<"sys:get_state timed out">>};
        _:E -> {Base, undefined, -1, -1, [], undefined, NoR, error, Show(E)}
      end
    end,
    SplitSend = fun SplitSend(_P, [], C) -> C;
                    SplitSend(P, Rows, C) ->
                      {H, T} = case length(Rows) > Chunk of true -> lists:split(Chunk, Rows); false -> {Rows, []} end,
                      SplitSend(P, T, Send({sup_children, P, H}, C))
                end,
    Local = node(),
    CandSet = maps:from_list([{P, true} || {_, P} <- Cands]),
    %% a supervisor caught outside its loop (starting a child) is looked at again until the
    %% supervisor deadline: only one that stays away that long is reported busy
    %% progress is counted from the first look: under load one start can outlast two looks.
    %% Each look costs it three reductions of ours (two for Verify's dictionary read, one for
    %% Ready), added to the margin
    VerifyWait = fun VerifyWait(P, Until, First, Looks) ->
                   case Verify(P) of
                     {busy, Base, Why, Mark} ->
                       case is_integer(First) andalso Serving(First + 3 * Looks, Mark) of
                         true -> {sup, Base, serving};
                         false ->
                           First_ = case is_integer(First) of true -> First; false -> Mark end,
                           Looks_ = case is_integer(First_) of true -> Looks + 1; false -> 0 end,
                           case erlang:monotonic_time(millisecond) < Until of
                             true -> receive after 20 -> ok end, VerifyWait(P, Until, First_, Looks_);
                             false -> {busy, Base, Why}
                           end
                       end;
                     {sup, Base} -> {sup, Base, loop};
                     %% a special process away from its loop: looked at again for 200 ms
                     {special_busy, _} when Looks < 10 ->
                       case erlang:monotonic_time(millisecond) < Until of
                         true -> receive after 20 -> ok end, VerifyWait(P, Until, First, Looks + 1);
                         false -> VerifyWait(P, Until, First, 10)
                       end;
                     V -> V
                   end
                 end,
    OneSup = fun(P) ->
      %% {Kind, Strategy, Intensity, Period, RestartsAgo, Callback, RestartFun, Status, Error, Rows}
      case VerifyWait(P, erlang:monotonic_time(millisecond) + SupTmo, undefined, 0) of
        gone -> gone;
        {bridge, BCB} -> {bridge, undefined, -1, -1, [], BCB, NoR, ok, <<>>, []};
        {declared, IC} ->
          {declared, undefined, -1, -1, [], undefined, NoR, not_asked,
           {oa_text, [<<"declared supervisor, not a known supervisor (initial call ">>, Show(IC), <<"): not asked">>]}, []};
        {unverified, IC, App, Vsn} ->
          {declared, undefined, -1, -1, [], undefined, NoR, not_asked,
           {oa_text, [Show(IC), <<" of ">>, App, <<" ">>, case Vsn of undefined -> <<"(version not known)">>; _ -> list_to_binary(Vsn) end,
                      <<", a version not verified to answer which_children: not asked">>]}, []};
        {special_busy, Why} -> {special, undefined, -1, -1, [], undefined, NoR, not_asked, Why, []};
        {sup, {special, Loops}, _} ->
          case SpecialReady(P, Loops) of
            ready ->
              try gen_server:call(P, which_children, SupTmo) of
                L when is_list(L) -> {special, undefined, -1, -1, [], undefined, NoR, ok, <<>>, L};
                Other -> {special, undefined, -1, -1, [], undefined, NoR, error, Show(Other), []}
              catch
                exit:{timeout, _} -> {special, undefined, -1, -1, [], undefined, NoR, timeout, <<"which_children timed out">>, []};
                _:E -> {special, undefined, -1, -1, [], undefined, NoR, error, Show(E), []}
              end;
            {busy, Why, _} -> {special, undefined, -1, -1, [], undefined, NoR, not_asked, Why, []};
            gone -> gone
          end;
        {busy, Base, Why} -> {Base, undefined, -1, -1, [], undefined, NoR, busy, Why, []};
        {sup, Base, Seen0} ->
          %% a fork, or a supervisor known from its parent's spec, is asked which_children only
          %% once its state reads as a supervisor's (a strategy from the #state record, or
          %% DynamicSupervisor's struct): two exports, an attribute and a spec are names, not proof
          Strict = Base =:= fork orelse get({oa_hinted, P}) =:= true,
          %% a request that times out to a supervisor seen serving its queue is `slow`: it is
          %% up and answers in turn, behind the starts queued before ours
          Late = fun(serving, What) ->
                       {slow, {oa_text, [<<"serving its queue: ">>, What, <<" timed out behind ">>,
                                         case erlang:process_info(P, message_queue_len) of
                                           {message_queue_len, Q} -> Q; _ -> 0 end,
                                         <<" messages">>]}};
                    (_, What) -> {timeout, <<What/binary, " timed out">>}
                 end,
          case SupState(P, Base) of
            {K0, _, _, _, _, _, _, timeout, _} ->
              {St_, Err_} = Late(Seen0, <<"sys:get_state">>),
              {K0, undefined, -1, -1, [], undefined, NoR, St_, Err_, []};
            {_, undefined, _, _, _, _, _, ok, _} when Strict ->
              {declared, undefined, -1, -1, [], undefined, NoR, not_asked,
               {oa_text, [<<"its state does not read as a supervisor's: not asked">>]}, []};
            {K, Strat, Int, Per, Rs, CB, RFun, St0, Err0} ->
              %% looked at again: sys:get_state took a while, the loop may have moved on
              {St, Err, Rows} =
                case Askable(P, erlang:monotonic_time(millisecond) + SupTmo) of
                  A when A =:= ready; A =:= serving ->
                    Seen = case A of serving -> serving; ready -> Seen0 end,
                    try gen_server:call(P, which_children, SupTmo) of
                      L when is_list(L) -> {St0, Err0, L};
                      Other -> {error, Show(Other), []}
                    catch
                      exit:{timeout, _} -> {St1, Err1} = Late(Seen, <<"which_children">>), {St1, Err1, []};
                      _:E -> {error, Show(E), []}
                    end;
                  {busy, Why} -> {busy, Why, []};
                  gone -> {error, <<"exited during the walk">>, []}
                end,
              {K, Strat, Int, Per, Rs, CB, RFun, St, Err, Rows}
          end
      end
    end,
    WalkSup = fun WalkSup([], C, Seen, Regs) -> {C, Seen, Regs};
                  WalkSup([P | Queue], C, Seen, Regs) ->
                    case maps:is_key(P, Seen) orelse not is_process_alive(P) of
                      true -> WalkSup(Queue, C, Seen, Regs);
                      false ->
                        One = OneSup(P),
                        _ = erase({oa_hint, P}), _ = erase({oa_hinted, P}),
                        case One of
                          gone -> WalkSup(Queue, C, Seen#{P => true}, Regs);
                          {Kind, Strat, Int, Per, Rs, CB, RFun, St, Err, Rows} ->
                            Name = case erlang:process_info(P, registered_name) of {registered_name, N} -> N; _ -> undefined end,
                            C_ = Send({sup, P, Name, Kind, Strat, Int, Per, Rs, St, Err, length(Rows), CB}, C),
                            C__ = SplitSend(P, RowsOut(Rows, RFun), C_),
                            %% down every child declared a supervisor (verified before it is
                            %% asked anything) and every child whose code is a supervisor
                            Subs = [Ch || {_, Ch, Ty, _} <- Rows, is_pid(Ch), node(Ch) =:= Local,
                                          Ty =:= supervisor orelse maps:is_key(Ch, CandSet)],
                            %% what this verified supervisor's spec says of its supervisor children
                            %% (100,000 at most in all; each erased once its process is walked)
                            _ = [put({oa_hint, Ch}, Ms) || {_, Ch, supervisor, Ms} <- lists:sublist(Rows, 10000),
                                                           is_pid(Ch), is_list(Ms),
                                                           put(oa_hints, get(oa_hints) + 1) < 100000],
                            Regs_ = case Kind of registry when is_atom(Name), Name =/= undefined -> [{Name, P, Rows} | Regs]; _ -> Regs end,
                            WalkSup(Queue ++ Subs, C__, Seen#{P => true}, Regs_)
                        end
                    end
              end,
    {C5a, Seen1, Registries0} = WalkSup(lists:reverse(Tops), C4, #{}, []),
    %% Every other supervisor is the root of a tree started outside an application (from a
    %% script, iex, a test or a library): walked too, shallowest first.
    {C5b, _Seen, Registries} =
      lists:foldl(fun({_, R}, {C, Sn, Rg}) -> WalkSup([R], C, Sn, Rg) end,
                  {C5a, Seen1, Registries0}, lists:sort(Cands)),
    T2 = erlang:monotonic_time(microsecond),
    %% ETS tables, and the key partition tables of Registries by name.
    EtsOne = fun(T) ->
      case ets:info(T) of
        undefined -> undefined;
        I ->
          G = fun(K) -> case lists:keyfind(K, 1, I) of {_, V} -> V; false -> undefined end end,
          {T, G(name), G(owner), G(heir), G(type), G(protection), G(size), G(memory),
           G(read_concurrency), G(write_concurrency), G(named_table), T}
      end
    end,
    %% tables in slices of 500, each sent and dropped before the next is read: never all
    %% of them at once (100,000 tables grew the node by 105 MB); only the Registry key
    %% partitions' names are kept, for reading keys below
    KeyTab = fun(E, M) when is_atom(element(2, E)) ->
                   case binary:match(atom_to_binary(element(2, E), utf8), <<".KeyPartition">>) of
                     nomatch -> M; _ -> M#{element(2, E) => element(12, E)} end;
                (_, M) -> M end,
    EtsLoop = fun EtsLoop([], C, KT, _) -> {C, KT};
                  EtsLoop(L, C, KT, N) ->
                    {Sl, Rest} = Take(L, 500, []),
                    Infos = [E || E <- [EtsOne(T) || T <- Sl], E =/= undefined],
                    C_ = Send({ets, [erlang:delete_element(12, E) || E <- Infos]}, C),
                    _ = N rem 10 =:= 9 andalso erlang:garbage_collect(), %% the slices' garbage, every 5,000 tables
                    EtsLoop(Rest, C_, lists:foldl(KeyTab, KT, Infos), N + 1) end,
    {C6, KeyTabs} = EtsLoop(ets:all(), C5b, #{}, 0),
    %% Registries: meta from the registry's own named table; keys read straight from the
    %% partition tables (Registry's own read path), a bounded number.
    C7 = lists:foldl(
      fun({Name, SupPid, Rows}, C) ->
        {Kind, Parts} = try ets:lookup(Name, -2) of
                          [{-2, Meta}] when is_tuple(Meta), tuple_size(Meta) >= 2 -> {element(1, Meta), element(2, Meta)};
                          _ -> {undefined, length(Rows)}
                        catch _:_ -> {undefined, length(Rows)} end,
        Count = try 'Elixir.Registry':count(Name) catch _:_ -> -1 end,
        C_ = Send({registry, Name, SupPid, Kind, Parts, Count}, C),
        Tabs = [maps:get(binary_to_atom(<<(atom_to_binary(Name, utf8))/binary, ".KeyPartition", (integer_to_binary(I))/binary>>, utf8), KeyTabs, undefined)
                || I <- lists:seq(0, max(Parts, 1) - 1)],
        Keys = fun Keys([], _Left, Acc) -> Acc;
                   Keys(_, Left, Acc) when Left =< 0 -> Acc;
                   Keys([undefined | Ts], Left, Acc) -> Keys(Ts, Left, Acc);
                   Keys([T | Ts], Left, Acc) ->
                     Got = try ets:select(T, [{{'$1', {'$2', '_'}}, [], [{{'$1', '$2'}}]}], Left) of
                             {L, _Cont} -> L; '$end_of_table' -> []
                           catch _:_ -> [] end,
                     Keys(Ts, Left - length(Got), TextPairs(Got) ++ Acc)
               end,
        Sample = Keys(Tabs, KeyCap, []),
        fun SendKeys([], Cx) -> Cx;
            SendKeys(L, Cx) ->
              {H, T} = case length(L) > Chunk of true -> lists:split(Chunk, L); false -> {L, []} end,
              SendKeys(T, Send({registry_keys, Name, H}, Cx))
        end(Sample, C_)
      end, C6, lists:reverse(Registries)),
    Globals = [{Show(N), P} || N <- global:registered_names(), P <- [global:whereis_name(N)], is_pid(P)],
    C8 = Send({global, Globals}, C7),
    Scopes = [S || S <- erlang:registered(), is_pid(whereis(S)), Dict(whereis(S), '$initial_call') =:= {pg, init, 1}],
    Pg = [{S, length(Gs), lists:sum([length(pg:get_members(S, G)) || G <- lists:sublist(Gs, 1000)])}
          || S <- Scopes, Gs <- [try pg:which_groups(S) catch _:_ -> [] end]],
    C9a = Send({pg, Pg}, C8),
    %% each group's members on this node and in all (pg's own ETS reads), 1,000 groups at most
    PgRows = lists:sublist([{S, Show(G), length(pg:get_local_members(S, G)), length(pg:get_members(S, G))}
                            || S <- Scopes, G <- lists:sublist(try pg:which_groups(S) catch _:_ -> [] end, 1000)], 1000),
    C9 = Send({pg_groups, PgRows}, C9a),
    %% which start_link/0..3 each module exports (loaded ones only: nothing is loaded), and its
    %% source file from its compile info (module_info(compile)), cut to 512 bytes
    SourceOf = fun(M) ->
                 case lists:keyfind(source, 1, erlang:get_module_info(M, compile)) of
                   {source, Src} when is_list(Src) ->
                     case unicode:characters_to_binary(Src) of
                       B when is_binary(B), byte_size(B) =< 512 -> B;
                       _ -> undefined
                     end;
                   _ -> undefined
                 end
               end,
    %% and the loaded code's MD5, so two snapshots tell a new version of a module (a deploy,
    %% a hot load) from the same one
    Exports = [{M, [A || A <- [0, 1, 2, 3], erlang:function_exported(M, start_link, A)], SourceOf(M),
                try erlang:get_module_info(M, md5) catch _:_ -> undefined end}
               || M <- maps:keys(Mods), erlang:module_loaded(M)],
    C10 = fun SendEx([], Cx) -> Cx;
              SendEx(L, Cx) ->
                {H, T} = case length(L) > Chunk of true -> lists:split(Chunk, L); false -> {L, []} end,
                SendEx(T, Send({start_links, H}, Cx))
          end(Exports, C9),
    Send({done, #{walk1_us => W1b - W1a, walk2_us => W2b - W2a,
                  gap_us => case W2a of 0 -> 0; _ -> W2a - W1a end,
                  tree_us => T2 - T1,
                  total_us => erlang:monotonic_time(microsecond) - T0,
                  reds_delta => Reds1 - Reds0,
                  dict_skipped => get(oa_dict_skipped),
                  advisor => Lister1 ++ Lister2}}, C10),
    ok
  end,
  try Main()
  catch exit:normal -> ok;
        Class:Reason:Stack ->
    CPid ! {oa, Sess, {error, {oa_text, [Class, <<":">>, Show(Reason), <<" ">>, Show(Stack)]}}}
  end
  catch Class0:_ ->
    %% the bindings above failed: nothing they made can describe it
    CPid ! {oa, case Opts of #{session := S0} -> S0; _ -> 0 end,
            {error, {oa_text, [Class0, <<": the collector could not start">>]}}}
  end
  end),
  {ok, Pid}
end
%% BODY-END
    .
