%% Debian's mochiweb embedded the way its README shows (mochiweb_http:start_link under the
%% application's own supervisor, a loop fun answering each request), and an httpc client
%% loop against it.
-module(corpus_mochi).
-behaviour(application).
-behaviour(supervisor).
-export([start/2, stop/1, init/1, traffic/0, handle/1]).

start(_, _) -> supervisor:start_link({local, corpus_mochi_sup}, ?MODULE, []).
stop(_) -> ok.

init([]) ->
    Web = [{name, corpus_mochi_web}, {ip, "127.0.0.1"}, {port, 0}, {loop, fun ?MODULE:handle/1}],
    {ok, {#{strategy => one_for_one, intensity => 5, period => 10},
          [#{id => corpus_mochi_web, start => {mochiweb_http, start_link, [Web]}}]}}.

handle(Req) -> mochiweb_request:ok({"text/plain", <<"corpus">>}, Req).

traffic() ->
    Port = mochiweb_socket_server:get(corpus_mochi_web, port),
    Url = "http://127.0.0.1:" ++ integer_to_list(Port) ++ "/",
    [spawn(fun() -> get_loop(Url) end) || os:getenv("CORPUS_TRAFFIC") =/= "off", _ <- [1, 2]],
    ok.

get_loop(Url) ->
    {ok, {{_, 200, _}, _, _}} = httpc:request(get, {Url, []}, [{timeout, 5000}], []),
    timer:sleep(50),
    get_loop(Url).
