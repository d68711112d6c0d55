%% OTP's inets httpd serving a directory, and an httpc client loop against it.
-module(corpus_inets).
-export([start/1]).

start(Dir) ->
    Root = filename:join(Dir, "www"),
    ok = filelib:ensure_dir(filename:join(Root, "x")),
    ok = file:write_file(filename:join(Root, "index.html"), <<"<html>corpus</html>">>),
    {ok, Httpd} = inets:start(httpd, [{port, 0}, {server_name, "corpus"}, {server_root, Dir},
                                      {document_root, Root}, {bind_address, {127,0,0,1}}]),
    [{port, Port}] = httpd:info(Httpd, [port]),
    Url = "http://127.0.0.1:" ++ integer_to_list(Port) ++ "/index.html",
    [spawn(fun() -> get_loop(Url) end) || os:getenv("CORPUS_TRAFFIC") =/= "off", _ <- [1, 2]],
    ok.

get_loop(Url) ->
    {ok, {{_, 200, _}, _, _}} = httpc:request(get, {Url, []}, [{timeout, 5000}], []),
    timer:sleep(50),
    get_loop(Url).
