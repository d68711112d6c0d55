/* rule_bottleneck.c — global-bottleneck: a singleton named process that serialises its
 * callers. Evidence from both samples: queue build-up, callers waiting (processes that
 * monitor it: gen_server:call monitors the server for the duration of the call), and its
 * share of the node's reductions. */
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "advice.h"
#include "codegen.h"
#include "fmt.h"
#include "rules.h"

/* the evidence in words: the queue (and its growth), the share of the node's work, who waits */
static const char *bottleneck_summary(const snap *s, findings *out, const snap_proc *p, double share, double rate,
                                      uint32_t callers, uint32_t waiting, uint32_t idle)
{
    strbuf sb;
    sb_init(&sb);
    if (p->flags & PF_SAMPLE2)
        sb_printf(&sb, "queue %u \xe2\x86\x92 %u in %.1f s", p->mq, p->mq2, (double)s->info.sample_gap_us / 1e6);
    else
        sb_printf(&sb, "queue %u", p->mq);
    if (share >= 0) {
        char rb[32];
        fmt_rate(rate, rb, sizeof rb);
        sb_printf(&sb, "; %.0f %% of the node's reductions (%s reds/s)", share, rb);
    }
    sb_printf(&sb, "; up to %u caller%s waiting", callers, callers == 1 ? "" : "s");
    if (waiting)
        sb_printf(&sb, " (%u seen in gen:do_call/4 monitoring it)", waiting);
    if (idle)
        sb_printf(&sb, "; %u more monitor%s it from %s own receive loop (watching it, not waiting)", idle,
                  idle == 1 ? "s" : "", idle == 1 ? "its" : "their");
    sb_printf(&sb, ". A single %s process serialises every caller on one scheduler of %lld.",
              p->name || p->alt_name ? "named" : "unnamed", (long long)s->info.schedulers);
    const char *r = findings_strdup(out, sb.buf);
    sb_free(&sb);
    return r;
}

/* which advice: an Elixir module's process can be partitioned by a PartitionSupervisor;
 * the table is named after the process's name, else after its module */
static const char *bottleneck_advice(const rule *self, const snap *s, findings *out, const snap_proc *p)
{
    char mod[256], raw[256], snake[256];
    proc_module_name(s, p, mod, sizeof mod);
    int known = proc_module_raw(s, p, raw, sizeof raw);
    const char *tabraw = p->name ? snap_str(s, p->name)
                         : known ? findings_printf(out, "%s_table", cg_snake(raw, snake, sizeof snake))
                                 : "my_table";
    int partition_sup = s->info.elixir_version && known && cg_is_ex_alias(raw);
    return advice_text(out, s, self->id, partition_sup ? ADV_BOTTLENECK_PARTITION_SUP : ADV_DEFAULT,
                       &(advice_args){.atom = tabraw, .atom2 = partition_sup ? raw : NULL, .arg = {mod}});
}

static void run(const rule *self, const snap *s, const rule_opts *o, findings *out)
{
    double q_thr = rule_opt(o, "bottleneck.queue"), c_thr = rule_opt(o, "bottleneck.callers");
    double share_thr = rule_opt(o, "bottleneck.share"), own_min = rule_opt(o, "bottleneck.reds");
    double node_rate = snap_node_reds_rate(s);
    if (node_rate < 0)
        findings_skip(out, self->id,
                      "one sample only: queue growth and reduction share need --window; judged on queue and callers");
    uint32_t *in_call = procs_callers_in_call(s), *watchers = procs_idle_watchers(s), *pool = procs_pool_size(s);
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_proc *p = snap_proc_at(s, i);
        if (rule_exempt(s, p) || proc_is_agent(s, p))
            continue; /* an Agent's callers waiting are agent-under-load's story */
        /* one of a pool (the same code started by the same parent or supervisor, named or
         * not) shares the load by design: never a singleton, whatever its queue */
        if (pool[i] > 1 || !proc_is_lone(s, p))
            continue;
        int named = p->name || p->alt_name;
        int two = (p->flags & PF_SAMPLE2) != 0;
        /* a process that monitors it from its own receive loop (an owner watching its
         * worker) waits for nothing: callers are the monitors left */
        uint32_t q = snap_mq_max(p), mon = snap_monby_max(p), idle = watchers[i];
        uint32_t callers = mon > idle ? mon - idle : 0;
        uint32_t waiting = in_call[i]; /* distinct processes in gen:do_call monitoring it */
        double rate = snap_reds_rate(s, p);
        double share = node_rate > 0 && rate > 0 ? 100.0 * rate / node_rate : -1;
        int growing = two && p->mq2 > p->mq;
        /* a queue of casts with nobody waiting is mailbox-buildup's story; a bottleneck is
         * a queue that callers wait in (they monitor the server while in GenServer.call) */
        int hot_q = q >= q_thr && (callers > 0 || waiting > 0), hot_c = callers >= c_thr;
        /* a share of an idle node is no load: a pool manager doing 6,000 reds/s is 30 % of a
         * node that does nothing else. Judged once the singleton itself works a real part of
         * one scheduler (a gen_server served flat out does about 9M reds/s) */
        int hot_s = share >= share_thr && rate >= own_min;
        if (!named) {
            /* nobody reaches an unnamed process by name: only callers seen waiting in calls
             * make it every caller's bottleneck */
            hot_c = waiting >= c_thr;
            hot_q = hot_q && waiting > 0;
            hot_s = hot_s && waiting > 0;
        }
        if (!hot_q && !hot_c && !hot_s)
            continue;
        int sev = (hot_q && (growing || hot_c)) || (hot_c && hot_s) ? SEV_CRITICAL : SEV_WARNING;
        finding *x = findings_add(out, self->id, sev);
        finding_subject_proc(out, x, s, i);
        x->weight = (double)q + (double)callers * 100;
        finding_ev(x, "queue_first", p->mq, "");
        if (two)
            finding_ev(x, "queue_second", p->mq2, "");
        finding_ev(x, "callers_waiting", callers, "");
        finding_ev(x, "callers_in_call", waiting, "");
        if (idle)
            finding_ev(x, "watchers_in_loop", idle, "");
        if (rate >= 0)
            finding_ev(x, "reductions_per_s", rate, "reds/s");
        if (share >= 0)
            finding_ev(x, "node_reductions_share", share, "%");
        finding_ev(x, "schedulers", (double)s->info.schedulers, "");
        x->summary = bottleneck_summary(s, out, p, share, rate, callers, waiting, idle);
        x->recommendation = bottleneck_advice(self, s, out, p);
    }
    free(in_call);
    free(watchers);
    free(pool);
}

const rule rule_global_bottleneck = {
    .id = "global-bottleneck",
    .title = "Singleton process every caller waits for",
    .max_severity = SEV_CRITICAL,
    .framework = "Is a global process a bottleneck? Fast key-value lookups → ETS: many readers, no serialization.",
    .explain = "Fires for a singleton: a named process (registered, :global or Registry name) that is not one of "
               "many children of a dynamic supervisor, or an unnamed one that is not a dynamic child, and never "
               "one of a pool (the same code started by the same parent or supervisor, named or not), when many "
               "distinct callers wait on it. Evidence over the window (the larger of the two "
               "samples): a queue of bottleneck.queue while callers wait in it (a queue of casts nobody waits on "
               "is mailbox-buildup's); bottleneck.callers processes "
               "waiting on it (they monitor it during GenServer.call; one that monitors it from its own receive "
               "loop, an owner watching its worker, is not a caller; an unnamed process needs them seen in "
               "gen:do_call/4); or bottleneck.share % of the node's reductions (judged once the process itself "
               "does bottleneck.reds reductions/s: a share of an idle node is no load). Critical when the queue grows "
               "across the window or callers "
               "pile up behind a queue. Cannot see: who sent the queued messages. Fix: serve reads from ETS, keep "
               "the process for writes; or partition the state.",
    .run = run,
    .pattern = "ETS for reads (read_concurrency), the GenServer only owns the table and serialises writes",
    .thresholds =
        (const threshold_def[]){
            {"bottleneck.queue", 50, "messages", "a singleton's message queue at least this long (second sample)"},
            {"bottleneck.callers", 20, "processes",
             "processes monitoring a singleton, less those watching it from their own receive loop (callers "
             "waiting in calls)"},
            {"bottleneck.share", 20, "%", "share of the node's reductions in the window, %"},
            {"bottleneck.reds", 1000000, "reds/s",
             "a singleton's own reductions/s below which its share is not judged"},
            {NULL, 0, NULL, NULL},
        },
};
