%% OTP's ssh daemon with password login, and ssh sessions against it.
-module(corpus_ssh).
-export([start/1]).

start(Dir) ->
    Sys = filename:join(Dir, "ssh_system"), User = filename:join(Dir, "ssh_user"),
    ok = filelib:ensure_dir(filename:join(Sys, "x")), ok = filelib:ensure_dir(filename:join(User, "x")),
    Key = public_key:generate_key({namedCurve, secp256r1}),
    Pem = public_key:pem_encode([public_key:pem_entry_encode('ECPrivateKey', Key)]),
    ok = file:write_file(filename:join(Sys, "ssh_host_ecdsa_key"), Pem),
    {ok, D} = ssh:daemon({127,0,0,1}, 0, [{system_dir, Sys}, {user_passwords, [{"corpus", "corpus"}]},
                                          {max_sessions, 50}]),
    {ok, Info} = ssh:daemon_info(D),
    Port = proplists:get_value(port, Info),
    Opts = [{user, "corpus"}, {password, "corpus"}, {silently_accept_hosts, true},
            {user_interaction, false}, {user_dir, User}, {save_accepted_host, false}],
    %% two long sessions that open and close channels, and one client that reconnects
    [spawn(fun() -> {ok, C} = ssh:connect({127,0,0,1}, Port, Opts), channels(C) end) || os:getenv("CORPUS_TRAFFIC") =/= "off", _ <- [1, 2]],
    [spawn(fun() -> reconnect(Port, Opts) end) || os:getenv("CORPUS_TRAFFIC") =/= "off"],
    ok.

channels(C) ->
    {ok, Ch} = ssh_connection:session_channel(C, 5000),
    timer:sleep(200),
    ssh_connection:close(C, Ch),
    timer:sleep(100),
    channels(C).

reconnect(Port, Opts) ->
    {ok, C} = ssh:connect({127,0,0,1}, Port, Opts),
    timer:sleep(700),
    ssh:close(C),
    reconnect(Port, Opts).
