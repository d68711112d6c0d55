#!/usr/bin/env escript
%% Parse the probe's body (between BODY-BEGIN and BODY-END) into the abstract
%% expression list that erl_eval:exprs/2 takes, and write it as term_to_binary.
%% The --no-load path sends this to stock erl_eval: the same collector, no code loaded.
main([Src, Out]) ->
    {ok, Bin} = file:read_file(Src),
    [_, Rest] = binary:split(Bin, <<"%% BODY-BEGIN\n">>),
    [Body, _] = binary:split(Rest, <<"%% BODY-END\n">>),
    %% call the fun with the bindings erl_eval receives: CPid and Opts
    {ok, Toks, _} = erl_scan:string("(" ++ binary_to_list(Body) ++ ")(CPid, Opts)."),
    {ok, Exprs} = erl_parse:parse_exprs(Toks),
    ok = file:write_file(Out, term_to_binary(Exprs)).
