%% the handler: /slow answers after 100 ms (a request in flight), / at once
-module(corpus_cowboy_h).
-export([init/2]).

init(Req, slow) ->
    timer:sleep(100),
    {ok, cowboy_req:reply(200, #{<<"content-type">> => <<"text/plain">>}, <<"slow">>, Req), slow};
init(Req, fast) ->
    {ok, cowboy_req:reply(200, #{<<"content-type">> => <<"text/plain">>}, <<"fast">>, Req), fast}.
