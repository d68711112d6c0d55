%% os_mon (memsup, cpu_sup, disksup under sasl), and a loop reading what it measures.
-module(corpus_os_mon).
-export([start/0]).

start() ->
    [spawn(fun Loop() ->
                  _ = memsup:get_system_memory_data(),
                  _ = disksup:get_disk_data(),
                  _ = cpu_sup:nprocs(),
                  timer:sleep(200),
                  Loop()
          end) || os:getenv("CORPUS_TRAFFIC") =/= "off"],
    ok.
