%% cowboy 2.8 on ranch 2.1 (Debian's rabbitmq-server ships both), embedded under the
%% application's own supervisor the way Plug.Cowboy and Phoenix do (ranch:child_spec with
%% cowboy_clear, connections as supervisors), and 30 keep-alive clients, supervised, each
%% holding one HTTP/1.1 connection and sending a request that the handler answers after
%% 100 ms: at any moment most connections have a request in flight.
-module(corpus_cowboy).
-behaviour(application).
-behaviour(supervisor).
-export([start/2, stop/1, init/1, traffic/0, port/0]).

start(_, _) -> supervisor:start_link({local, corpus_cowboy_sup}, ?MODULE, top).
stop(_) -> ok.

init(top) ->
    Dispatch = cowboy_router:compile([{'_', [{"/slow", corpus_cowboy_h, slow}, {"/", corpus_cowboy_h, fast}]}]),
    Trans = #{socket_opts => [{ip, {127, 0, 0, 1}}, {port, 0}], num_acceptors => 4, connection_type => supervisor},
    Proto = #{env => #{dispatch => Dispatch}, connection_type => supervisor, idle_timeout => 60000},
    Http = ranch:child_spec(corpus_http, ranch_tcp, Trans, cowboy_clear, Proto),
    Clients = #{id => corpus_cowboy_clients, type => supervisor,
                start => {supervisor, start_link, [{local, corpus_cowboy_clients}, ?MODULE, clients]}},
    {ok, {#{strategy => one_for_one, intensity => 5, period => 10}, [Http, Clients]}};
init(clients) ->
    {ok, {#{strategy => simple_one_for_one, intensity => 5, period => 10},
          [#{id => client, start => {corpus_cowboy_client, start_link, []}, restart => transient}]}}.

port() -> ranch:get_port(corpus_http).

traffic() ->
    [{ok, _} = supervisor:start_child(corpus_cowboy_clients, [port()])
     || os:getenv("CORPUS_TRAFFIC") =/= "off", _ <- lists:seq(1, 30)],
    ok.
