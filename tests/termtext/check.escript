#!/usr/bin/env escript
%% check.escript TERMS SNAPSHOT SUPNAME: every child id and start argument list of the
%% supervisor SUPNAME in the saved snapshot, read back as Erlang, equals its term.
-mode(compile).
main([TermsF, SnapF, SupS]) ->
    {ok, [Terms, Cuts]} = file:consult(TermsF),
    Rows = rows(SnapF, list_to_atom(SupS)),
    Fails = check(Rows, Terms ++ Cuts, 0),
    io:format("checked ~b children, ~b failed~n", [length(Rows), Fails]),
    halt(case Fails =:= 0 andalso length(Rows) =:= length(Terms) + length(Cuts) of true -> 0; false -> 1 end).

rows(SnapF, Sup) ->
    {ok, Bin} = file:read_file(SnapF),
    Msgs = case binary_to_term(Bin) of
               {otp_advisor_snapshot, 1, Ms} -> Ms;
               {otp_advisor_snapshot, 2, [{node_snapshot, _, ok, Ms} | _]} -> Ms %% the first node's
           end,
    [P] = [element(2, M) || M <- Msgs, element(1, M) =:= sup, element(3, M) =:= Sup],
    %% which_children lists the newest first: start order is the reverse
    lists:reverse(lists:append([Rs || {sup_children, P2, Rs} <- Msgs, P2 =:= P])).

check([], _, F) -> F;
check([{Id, _, _, _, _, Start} | Rows], [T | Ts], F) ->
    F1 = case T of
             {cut, _} -> expect(binary:match(Id, <<"...">>) =/= nomatch andalso byte_size(Id) < 300, Id, cut);
             _ when is_atom(T) -> expect(Id =:= atom_to_binary(T, utf8), Id, T);
             _ when is_binary(T) -> expect(Id =:= T, Id, T);
             _ -> expect(read(Id) =:= {ok, T}, Id, T)
         end,
    F2 = case {T, Start} of
             {{cut, [_ | _]}, _} -> expect(Start =:= undefined, Start, no_start); %% over 64 parts: no code
             {_, _} when is_bitstring(T), not is_binary(T) -> expect(Start =:= undefined, Start, no_start);
             {_, {erlbasic_app, start_id_child, Args}} -> expect(read(Args) =:= {ok, [T]}, Args, [T]);
             _ -> expect(false, Start, start)
         end,
    check(Rows, Ts, F + F1 + F2).

read(Text) ->
    try
        {ok, Toks, _} = erl_scan:string(unicode:characters_to_list(<<Text/binary, ".">>)),
        {ok, Exprs} = erl_parse:parse_exprs(Toks),
        {value, V, _} = erl_eval:exprs(Exprs, []),
        {ok, V}
    catch C:E -> {error, C, E} end.

expect(true, _, _) -> 0;
expect(false, Got, Want) -> io:format("FAIL ~0tp: got ~0tp~n", [Want, Got]), 1.
