#!/usr/bin/env escript
%% craft.escript N FILE [dups|same|links|sups]: a snapshot file of N processes, written without a node, in
%% the format the probe streams (probes/otp_advisor_probe.erl): a top supervisor with N
%% workers under it (half of them named), every process linked to it, two samples.
%% With "dups", every pid appears twice in the process records; with "same", every process
%% record has one and the same pid (hostile files). With "links", the top supervisor is
%% linked to every worker: one process with N links. With "sups", N/10 supervisors under the
%% top, none of them answering (busy), each with ten workers known only by their
%% '$ancestors' (its registered name) and a link: resolved by name in snap_finish.
%% For the tests of long steps (interrupts) and for loading at scale (make bench).
-mode(compile).
main([NS, File | Rest]) ->
    N = list_to_integer(NS),
    Dups = Rest =:= ["dups"],
    Same = Rest =:= ["same"],
    AllLinks = Rest =:= ["links"],
    Node = 'crafted@host',
    Pid = fun(I) -> c:pid(0, I rem 32768, I div 32768) end,
    Top = Pid(100),
    Sups = Rest =:= ["sups"],
    NSups = case Sups of true -> max(1, N div 10); false -> 0 end,
    SupPid = fun(J) -> Pid(2000000 + J) end,
    SupName = fun(J) -> list_to_atom("s" ++ integer_to_list(J)) end,
    SupOf = fun(I) -> (I - 1000) rem max(1, NSups) end,
    Proc = fun(I) when Sups ->
                   {Pid(I), [], {proc_lib, init_p, 5}, {crafted_worker, init, 1}, [SupName(SupOf(I)), Top],
                    {gen_server, loop, 7}, waiting, 0, 100 + I rem 1000, 2800, 233, [SupPid(SupOf(I))], [], 0,
                    false, Pid(50), undefined};
              (I) ->
                   {case Same of true -> Pid(1000); false -> Pid(I) end, case I rem 2 of 0 -> list_to_atom("w" ++ integer_to_list(I)); 1 -> [] end,
                    {proc_lib, init_p, 5}, {crafted_worker, init, 1}, [Top], {gen_server, loop, 7}, waiting,
                    0, 100 + I rem 1000, 2800, 233, [Top], [], 0, false, Pid(50), undefined}
           end,
    SupRec = fun(J) ->
                     {SupPid(J), SupName(J), {proc_lib, init_p, 5}, {supervisor, crafted_sup, 1}, [Top],
                      {proc_lib, sync_start_link, 2}, waiting, 0, 500, 2800, 233, [Top], [], 0, true, Pid(50), undefined}
             end,
    SupIds = lists:seq(0, NSups - 1),
    Ids = lists:seq(1000, 1000 + N - 1),
    Chunks = chunks([SupRec(J) || J <- SupIds] ++ [Proc(I) || I <- Ids]
                    ++ case Dups of true -> [Proc(I) || I <- Ids]; false -> [] end, []),
    P2 = chunks([{Pid(I), 0, 200 + I rem 1000, 2800, 0} || I <- Ids], []),
    TopRec = {Top, crafted_sup, {proc_lib, init_p, 5}, {supervisor, crafted_sup, 1}, [Pid(99)],
              {gen_server, loop, 7}, waiting, 0, 5000, 100000, 20000,
              [Pid(99) | [Pid(I) || I <- case AllLinks of true -> Ids; false -> lists:sublist(Ids, 10) end]],
              [], 0, true, Pid(50), undefined},
    Kids = case Sups of
               true -> chunks([{SupName(J), SupPid(J), supervisor, permanent, [crafted_sup], undefined}
                               || J <- SupIds], []);
               false -> chunks([{<<"w", (integer_to_binary(I))/binary>>, Pid(I), worker, permanent, [crafted_worker], undefined}
                                || I <- Ids], [])
           end,
    Msgs = [{node, #{node => Node, otp_release => <<"25">>, erts_version => <<"13.1.5">>, schedulers => 2,
                     process_count => N + 10, process_limit => 2000000, atom_count => 20000,
                     atom_limit => 1048576, port_count => 5, port_limit => 65536, ets_count => 20,
                     ets_limit => 8192, wordsize => 8, window_ms => 1000, gap_us => 1000000,
                     has_sample2 => 1, method => <<"probe">>, tool_version => <<"crafted">>}},
            {procs, [TopRec]}]
           ++ [{procs, C} || C <- Chunks] ++ [{procs2, C} || C <- P2]
           ++ [{app, crafted, <<"crafted">>, <<"1">>, Pid(98), Top, crafted_app},
               {sup, Top, crafted_sup, supervisor, one_for_one, 3, 5, [], ok, <<>>,
                case Sups of true -> NSups; false -> N end, crafted_sup}]
           ++ [{sup_children, Top, C} || C <- Kids]
           ++ [{sup, SupPid(J), SupName(J), supervisor, undefined, -1, -1, [], busy, <<"crafted: busy">>, 0, undefined}
               || J <- SupIds]
           ++ [{ets, []}, {global, []}, {pg, []}],
    ok = file:write_file(File, term_to_binary({otp_advisor_snapshot, 1, Msgs})).

chunks([], Acc) -> lists:reverse(Acc);
chunks(L, Acc) when length(L) =< 1000 -> lists:reverse([L | Acc]);
chunks(L, Acc) -> {H, T} = lists:split(1000, L), chunks(T, [H | Acc]).
