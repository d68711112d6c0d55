#!/usr/bin/env escript
%%! -hidden -noinput
%% truth.escript — the corpus's ground truth: a deliberately simple walker of every
%% supervision tree, written apart from the probe, and the comparison with the tool's dump.
%%
%%   truth.escript walk NODE COOKIE_FILE         prints canonical lines (below) for NODE
%%   truth.escript compare BEFORE AFTER TOOL     exit 0 when TOOL agrees with the truth
%%
%% Canonical lines:
%%   proc P          every process           top APP P|none   an application's top
%%   sup P           a supervisor            child S P        P is a row of S's which_children
%%   out P           outside every tree (neither a supervisor nor a which_children row)
%%   root P app|orphan
%%
%% The walk runs from a hidden node through rpc, so it loads nothing on the target. It
%% asks which_children only of processes whose '$initial_call' is {supervisor, _, 1}, of
%% forks of supervisor under their own module, and of ranch's and cowboy's special processes.
%% Because the tool and the truth cannot look at the same instant, the comparison keeps to
%% what is the same in a walk just before and one just after the tool's snapshot: processes
%% alive in both, supervisors present in both, child lists that did not change.

main(["walk", Node, CookieFile]) ->
    {ok, Cookie} = file:read_file(CookieFile),
    Me = list_to_atom("oa-truth-" ++ os:getpid()),
    {ok, _} = net_kernel:start([Me, shortnames]),
    erlang:set_cookie(node(), binary_to_atom(string:trim(Cookie), utf8)),
    N = list_to_atom(Node),
    pong = net_adm:ping(N),
    walk(N);
main(["compare", Before, After, Tool]) ->
    halt(compare(read(Before), read(After), read(Tool)));
main(_) ->
    io:format(standard_error, "usage: truth.escript walk NODE COOKIE_FILE | compare BEFORE AFTER TOOL~n", []),
    halt(2).

rpc(N, M, F, A) -> rpc:call(N, M, F, A, 10000).

ic(N, P) ->
    case rpc(N, erlang, process_info, [P, dictionary]) of
        {dictionary, D} -> proplists:get_value('$initial_call', D);
        _ -> undefined
    end.

walk(N) ->
    Procs = rpc(N, erlang, processes, []),
    Ics = maps:from_list([{P, ic(N, P)} || P <- Procs]),
    Forks = forks(N, Ics),
    IsSup = fun(P) -> case maps:get(P, Ics, undefined) of
                          {supervisor, _, 1} -> true;
                          {supervisor_bridge, _, 1} -> true;
                          {M, init, 1} -> lists:member(M, Forks);
                          IC -> special(IC)
                      end end,
    Apps = [A || {A, _, _} <- rpc(N, application, which_applications, [])],
    Tops = [{A, top(N, A)} || A <- Apps, is_pid(rpc(N, application_controller, get_master, [A]))],
    Roots = [T || {_, T} <- Tops, is_pid(T)] ++ [P || P <- Procs, IsSup(P)],
    {Sups, Rows} = lists:foldl(fun(R, Acc) -> down(N, R, Ics, IsSup, Acc) end, {#{}, []}, Roots),
    Children = maps:from_list([{C, true} || {_, C} <- Rows]),
    TopSet = maps:from_list([{T, A} || {A, T} <- Tops, is_pid(T)]),
    L = fun(Fmt, Args) -> io:format(Fmt ++ "~n", Args) end,
    [L("proc ~s", [p(P)]) || P <- Procs],
    [L("top ~s ~s", [A, case T of none -> "none"; _ -> p(T) end]) || {A, T} <- Tops],
    [L("sup ~s", [p(S)]) || S <- maps:keys(Sups)],
    [L("child ~s ~s", [p(S), p(C)]) || {S, C} <- Rows],
    [L("root ~s ~s", [p(S), case maps:is_key(S, TopSet) of true -> "app"; false -> "orphan" end])
     || S <- maps:keys(Sups), not maps:is_key(S, Children)],
    [L("out ~s", [p(P)]) || P <- Procs, not maps:is_key(P, Sups), not maps:is_key(P, Children)],
    ok.

top(N, A) ->
    case rpc(N, application_master, get_child, [rpc(N, application_controller, get_master, [A])]) of
        {T, _} when is_pid(T) -> T;
        _ -> none
    end.

%% which_children down every child that is a supervisor by its code
down(N, S, Ics, IsSup, {Seen, Rows} = Acc) ->
    case maps:is_key(S, Seen) of
        true -> Acc;
        false ->
            Asked = case maps:get(S, Ics, undefined) of
                        {supervisor, _, 1} -> true;
                        {supervisor_bridge, _, 1} -> false;
                        IC -> IsSup(S) andalso IC =/= undefined
                    end,
            Kids = case Asked of
                       true ->
                           case rpc(N, gen_server, call, [S, which_children, 5000]) of
                               L when is_list(L) -> [C || {_, C, _, _} <- L, is_pid(C)];
                               _ -> []
                           end;
                       _ -> []   % a bridge, or a declared supervisor that is not one: not asked
                   end,
            Acc1 = {Seen#{S => true}, [{S, C} || C <- Kids] ++ Rows},
            Declared = [C || C <- Kids, IsSup(C)],
            lists:foldl(fun(C, A) -> down(N, C, Ics, IsSup, A) end, Acc1, Declared)
    end.

%% Forks of supervisor under their own module (rabbit_common's supervisor2): gen_server
%% callback modules, named by '$initial_call' {M, init, 1}, that export which_children/1 and
%% count_children/1 and declare the gen_server behaviour.
forks(N, Ics) ->
    Mods = lists:usort([M || {M, init, 1} <- maps:values(Ics), is_atom(M)]),
    [M || M <- Mods,
          rpc(N, erlang, function_exported, [M, which_children, 1]) =:= true,
          rpc(N, erlang, function_exported, [M, count_children, 1]) =:= true,
          lists:member(gen_server, lists:append([B || {K, B} <- attributes(N, M), K =:= behaviour orelse K =:= behavior]))].

attributes(N, M) ->
    case rpc(N, M, module_info, [attributes]) of L when is_list(L) -> L; _ -> [] end.

%% special processes that answer which_children in their own loop: ranch 2.1's connection
%% supervisors and cowboy 2.8's connection processes
special({ranch_conns_sup, init, 7}) -> true;
special({cowboy_clear, connection_process, 4}) -> true;
special({cowboy_tls, connection_process, 4}) -> true;
special(_) -> false.

%% the target's own spelling of its pids: <0.N.S> (seen from here they read <X.N.S>)
p(P) -> [$<, $0 | lists:dropwhile(fun(C) -> C =/= $. end, tl(pid_to_list(P)))].

read(File) ->
    {ok, B} = file:read_file(File),
    [list_to_tuple(string:lexemes(binary_to_list(Line), " "))
     || Line <- binary:split(B, <<"\n">>, [global]), Line =/= <<>>].

set(Lines, Tag) -> sets:from_list([T || T <- Lines, element(1, T) =:= Tag]).
col(Lines, Tag) -> sets:from_list([element(2, T) || T <- Lines, element(1, T) =:= Tag]).

compare(B, A, T) ->
    Stable = sets:intersection(col(B, "proc"), col(A, "proc")),
    In = fun(Set, X) -> sets:is_element(X, Set) end,
    Problems = lists:append([
        %% supervisors alive in both walks: the same set
        diff("supervisor", keep(Stable, sets:intersection(col(B, "sup"), col(A, "sup"))),
             keep(Stable, col(T, "sup"))),
        %% application tops that did not change, for the applications that have a master
        diff("application top", sets:intersection(set(B, "top"), set(A, "top")),
             sets:filter(fun(X) -> In(app_names(sets:to_list(sets:intersection(set(B, "top"), set(A, "top")))),
                                      element(2, X)) end, set(T, "top"))),
        diff("root", stable_lines(Stable, sets:intersection(set(B, "root"), set(A, "root"))),
             stable_lines(Stable, set(T, "root"))),
        %% children of every supervisor whose list did not change between the two walks, among
        %% the processes alive in both (a cowboy stream lives 100 ms: one born and gone
        %% between the walks says nothing about the tree)
        lists:append([diff("children of " ++ S, keep(Stable, kids(B, S)), keep(Stable, kids(T, S)))
                       || S <- sets:to_list(sets:intersection(col(B, "sup"), col(A, "sup"))),
                          In(Stable, S), sets:is_subset(kids(B, S), kids(A, S)),
                          sets:is_subset(kids(A, S), kids(B, S))]),
        %% outside every tree: processes alive in both walks that both put on the same side
        diff("outside every tree",
             keep(Stable, sets:intersection(col(B, "out"), col(A, "out"))),
             keep(sets:subtract(Stable, sets:subtract(sets:union(col(B, "out"), col(A, "out")),
                                                      sets:intersection(col(B, "out"), col(A, "out")))),
                  col(T, "out")))]),
    case Problems of
        [] -> io:format("trees match: ~b supervisors, ~b processes compared~n",
                        [sets:size(keep(Stable, col(T, "sup"))), sets:size(Stable)]), 0;
        _ -> [io:format("~s~n", [P]) || P <- lists:sublist(Problems, 40)], 1
    end.

app_names(L) -> sets:from_list([element(2, T) || T <- L, element(1, T) =:= "top"]).
keep(Stable, S) -> sets:filter(fun(X) -> sets:is_element(X, Stable) end, S).
stable_lines(Stable, S) -> sets:filter(fun(X) -> sets:is_element(element(2, X), Stable) end, S).
kids(L, S) -> sets:from_list([element(3, T) || T <- L, element(1, T) =:= "child", element(2, T) =:= S]).

diff(What, Truth, Tool) ->
    Missing = sets:to_list(sets:subtract(Truth, Tool)),
    Extra = sets:to_list(sets:subtract(Tool, Truth)),
    [lists:flatten(io_lib:format("~s: missing ~p", [What, X])) || X <- lists:sort(Missing)] ++
    [lists:flatten(io_lib:format("~s: extra ~p", [What, X])) || X <- lists:sort(Extra)].
