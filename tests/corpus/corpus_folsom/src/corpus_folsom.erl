%% Debian's folsom as an application uses it: metrics declared at start (a counter, a
%% meter, a spiral, a sliding-window histogram, a uniform histogram), and a loop that
%% records requests into them and reads them back, as a service reporting its metrics.
-module(corpus_folsom).
-export([traffic/0]).

%% the metrics a service declares when it starts, then its request loops
traffic() ->
    ok = folsom_metrics:new_counter(corpus_requests),
    ok = folsom_metrics:new_meter(corpus_rate),
    ok = folsom_metrics:new_spiral(corpus_spiral),
    ok = folsom_metrics:new_histogram(corpus_latency_slide, slide, 60),
    ok = folsom_metrics:new_histogram(corpus_latency, uniform, 1028),
    [spawn(fun() -> loop(0) end) || os:getenv("CORPUS_TRAFFIC") =/= "off", _ <- [1, 2]],
    ok.

loop(N) ->
    ok = folsom_metrics:notify({corpus_requests, {inc, 1}}),
    ok = folsom_metrics:notify({corpus_rate, 1}),
    ok = folsom_metrics:notify({corpus_spiral, 1}),
    ok = folsom_metrics:notify({corpus_latency_slide, rand:uniform(100)}),
    ok = folsom_metrics:notify({corpus_latency, rand:uniform(100)}),
    case N rem 20 of
        0 -> _ = folsom_metrics:get_histogram_statistics(corpus_latency_slide),
             _ = folsom_metrics:get_metric_value(corpus_rate);
        _ -> ok
    end,
    timer:sleep(10),
    loop(N + 1).
