%% oa_harness — test instrumentation loaded into every node the tests start (never into a
%% user's node): a logger handler that counts warnings and errors, and a report of what a
%% snapshot may have left behind. It owns no process: counters live in persistent_term.
-module(oa_harness).
-export([install/0, log/2, report/0]).

%% the marks of our requests: a log event or a queued message that carries one is ours
-define(OURS, ["which_children", "get_state", "get_child", "otp_advisor", "oa_credit", "oa_stop"]).

install() ->
    persistent_term:put(oa_harness_counts, counters:new(2, [atomics])),
    persistent_term:put(oa_harness_events, []),
    ok = logger:add_handler(oa_harness, ?MODULE, #{level => warning}).

%% logger handler callback: 1 = every warning or worse, 2 = those that mention our requests
log(Event, _Config) ->
    C = persistent_term:get(oa_harness_counts),
    counters:add(C, 1, 1),
    Text = lists:flatten(io_lib:format("~0tP", [maps:get(msg, Event, undefined), 40])),
    case ours(Text) of
        true ->
            counters:add(C, 2, 1),
            Seen = persistent_term:get(oa_harness_events),
            length(Seen) < 5 andalso persistent_term:put(oa_harness_events, [Text | Seen]);
        false -> ok
    end.

ours(Text) -> lists:any(fun(M) -> string:find(Text, M) =/= nomatch end, ?OURS).

%% One line for the shell: "logged=N ours=N probes=N left=N", then details after " | ".
report() ->
    C = persistent_term:get(oa_harness_counts),
    Probes = [M || M <- erlang:loaded(), lists:prefix("otp_advisor_probe", atom_to_list(M))],
    Left = [{P, M} || P <- erlang:processes(), P =/= self(),
                      {message_queue_len, Q} <- [erlang:process_info(P, message_queue_len)], Q > 0, Q < 10000,
                      {messages, Ms} <- [erlang:process_info(P, messages)], M <- Ms,
                      ours(lists:flatten(io_lib:format("~0tP", [M, 20])))],
    lists:flatten(io_lib:format("logged=~b ours=~b probes=~b left=~b~s~s~s",
                  [counters:get(C, 1), counters:get(C, 2), length(Probes), length(Left),
                   [[" | logged: ", E] || E <- persistent_term:get(oa_harness_events)],
                   [io_lib:format(" | loaded: ~p", [M]) || M <- Probes],
                   [io_lib:format(" | left in ~p: ~0tP", [P, M, 12]) || {P, M} <- lists:sublist(Left, 5)]])).
