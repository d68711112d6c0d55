%% Debian's yaws, embedded, serving a directory; an httpc client loop against it.
-module(corpus_yaws).
-export([start/1]).

start(Dir) ->
    Root = filename:join(Dir, "www"), Logs = filename:join(Dir, "logs"),
    ok = filelib:ensure_dir(filename:join(Root, "x")), ok = filelib:ensure_dir(filename:join(Logs, "x")),
    ok = file:write_file(filename:join(Root, "index.html"), <<"<html>corpus</html>">>),
    {ok, L} = gen_tcp:listen(0, [{ip, {127,0,0,1}}]), {ok, Port} = inet:port(L), ok = gen_tcp:close(L),
    ok = yaws:start_embedded(Root, [{port, Port}, {listen, {127,0,0,1}}, {servername, "corpus"}],
                             [{logdir, Logs}, {id, "corpus"}]),
    Url = "http://127.0.0.1:" ++ integer_to_list(Port) ++ "/index.html",
    [spawn(fun() -> get_loop(Url) end) || os:getenv("CORPUS_TRAFFIC") =/= "off", _ <- [1, 2]],
    ok.

get_loop(Url) ->
    {ok, {{_, 200, _}, _, _}} = httpc:request(get, {Url, []}, [{timeout, 5000}], []),
    timer:sleep(50),
    get_loop(Url).
