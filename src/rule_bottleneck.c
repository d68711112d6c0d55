/* rule_bottleneck.c — global-bottleneck: a singleton named process that serialises its
 * callers. Evidence from both samples: queue build-up, callers waiting (processes that
 * monitor it: gen_server:call monitors the server for the duration of the call), and its
 * share of the node's reductions. */
#include <stdio.h>
#include <string.h>

#include "render.h"
#include "rules.h"

static void run(const snap *s, const rule_opts *o, findings *out)
{
    double q_thr = rule_opt(o, "bottleneck.queue"), c_thr = rule_opt(o, "bottleneck.callers");
    double share_thr = rule_opt(o, "bottleneck.share"), node_min = rule_opt(o, "bottleneck.node_reds");
    double node_rate = rule_node_reds_rate(s);
    if (node_rate < 0)
        findings_skip(out, "global-bottleneck",
                      "one sample only: queue growth and reduction share need --window; judged on queue and callers");
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_proc *p = snap_proc_at(s, i);
        if (rule_exempt(s, p) || !proc_is_singleton(s, p))
            continue;
        int two = (p->flags & PF_SAMPLE2) != 0;
        uint32_t q = two ? p->mq2 : p->mq, callers = two ? p->monby2 : p->monby;
        double rate = snap_reds_rate(s, p);
        double share = node_rate > 0 && rate > 0 ? 100.0 * rate / node_rate : -1;
        int growing = two && p->mq2 > p->mq;
        /* a queue of casts with nobody waiting is mailbox-buildup's story; a bottleneck is
         * a queue that callers wait in (they monitor the server while in GenServer.call) */
        int hot_q = q >= q_thr && callers > 0, hot_c = callers >= c_thr;
        int hot_s = share >= share_thr && node_rate >= node_min;
        if (!hot_q && !hot_c && !hot_s)
            continue;
        int sev = (hot_q && (growing || hot_c)) || (hot_c && hot_s) ? SEV_CRITICAL : SEV_WARNING;
        finding *x = findings_add(out, "global-bottleneck", sev);
        finding_subject_proc(out, x, s, i);
        finding_ev(x, "queue_first", p->mq, "");
        if (two)
            finding_ev(x, "queue_second", p->mq2, "");
        finding_ev(x, "callers_waiting", callers, "");
        if (rate >= 0)
            finding_ev(x, "reductions_per_s", rate, "reds/s");
        if (share >= 0)
            finding_ev(x, "node_reductions_share", share, "%");
        finding_ev(x, "schedulers", (double)s->info.schedulers, "");
        strbuf sb;
        sb_init(&sb);
        if (two)
            sb_printf(&sb, "queue %u \xe2\x86\x92 %u in %.1f s", p->mq, p->mq2, (double)s->info.sample_gap_us / 1e6);
        else
            sb_printf(&sb, "queue %u", p->mq);
        if (share >= 0)
        {
            char rb[32];
            render_rate(rate, rb, sizeof rb);
            sb_printf(&sb, "; %.0f %% of the node's reductions (%s reds/s)", share, rb);
        }
        sb_printf(&sb, "; %u caller%s waiting", callers, callers == 1 ? "" : "s");
        sb_printf(&sb, ". A single named process serialises every caller on one scheduler of %lld.",
                  (long long)s->info.schedulers);
        x->summary = findings_strdup(out, sb.buf);
        sb_free(&sb);
        char mod[256];
        proc_module_name(s, p, mod, sizeof mod);
        const char *name = x->subject;
        if (s->info.elixir_version)
            x->recommendation = findings_printf(
                out,
                "Global processes are bottlenecks. Reads that need no coordination belong in ETS:\n"
                "  :ets.new(%s, [:named_table, :set, :public, read_concurrency: true])\n"
                "and keep the process (%s) only to own the table and serialise writes. If the state must stay in "
                "processes, partition it (one process per key range) behind a PartitionSupervisor:\n"
                "  {PartitionSupervisor, child_spec: %s, name: %s.Partitions}",
                name[0] == '{' || name[0] == '<' ? ":my_table" : name, mod, mod, mod);
        else
            x->recommendation = findings_printf(
                out,
                "Global processes are bottlenecks. Reads that need no coordination belong in ETS:\n"
                "  ets:new(%s_tab, [named_table, set, public, {read_concurrency, true}])\n"
                "and keep %s only to own the table and serialise writes. If the state must stay in processes, "
                "run one %s per key range and pick it with erlang:phash2(Key, N).",
                mod, mod, mod);
    }
}

const rule rule_global_bottleneck = {
    .id = "global-bottleneck",
    .title = "Singleton process every caller waits for",
    .max_severity = SEV_CRITICAL,
    .framework = "Is a global process a bottleneck? Fast key-value lookups → ETS: many readers, no serialization.",
    .explain = "Fires for a named singleton (registered, :global or Registry name; not one of many children of "
               "a dynamic supervisor) whose queue reaches bottleneck.queue while callers wait in it, or that bottleneck.callers processes "
               "are waiting on (they monitor it during GenServer.call), or that burns bottleneck.share % of the "
               "node's reductions (judged once the node does bottleneck.node_reds reductions/s). Critical when the queue grows across the window or callers pile up behind a "
               "queue. Fix: serve reads from ETS, keep the process for writes; or partition the state.",
    .run = run,
};
