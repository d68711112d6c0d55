/* rule_cache.c — genserver-as-cache and agent-under-load: state served through a
 * process that ETS would serve to every reader at once. Heap size stands for the size
 * of the state (no state is copied off the target for this). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "codegen.h"
#include "fmt.h"
#include "rules.h"

static void ev_common(finding *x, const snap_proc *p, double rate)
{
    finding_ev(x, "heap", (double)p->heap, "B");
    if (rate >= 0)
        finding_ev(x, "reductions_per_s", rate, "reds/s");
    finding_ev(x, "queue", snap_mq_now(p), "");
    finding_ev(x, "callers_waiting", snap_monby_now(p), "");
}

static void run_cache(const rule *self, const snap *s, const rule_opts *o, findings *out)
{
    double heap_thr = rule_opt(o, "cache.heap"), reds_thr = rule_opt(o, "cache.reds"),
           q_max = rule_opt(o, "cache.queue");
    if (!s->has_sample2)
        findings_skip(out, self->id, "one sample only: traffic judged on callers waiting, not on rates");
    uint32_t *watchers = procs_idle_watchers(s), *pool = procs_pool_size(s);
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_proc *p = snap_proc_at(s, i);
        /* a pool's member holds its share of the state, not a global cache */
        if (rule_exempt(s, p) || pool[i] > 1 || !proc_is_singleton(s, p) || !proc_is_gen_server(s, p))
            continue;
        if ((double)p->heap < heap_thr)
            continue;
        if (snap_mq_max(p) > q_max)
            continue; /* the heap holds queued messages too: it no longer stands for the state */
        double rate = snap_reds_rate(s, p);
        uint32_t mon = snap_monby_max(p), callers = mon > watchers[i] ? mon - watchers[i] : 0;
        if (!(rate >= reds_thr || callers >= 2))
            continue;
        finding *x = findings_add(out, self->id, SEV_WARNING);
        finding_subject_proc(out, x, s, i);
        ev_common(x, p, rate);
        char heap[32], heap2[32];
        fmt_bytes(p->heap, heap, sizeof heap);
        x->summary = findings_printf(
            out,
            "a named %s with a %s heap and a short queue in both samples (so the heap is "
            "its state, not messages, though it can hold garbage until a full sweep), "
            "serving %s: every read is a message round trip through one process.",
            proc_is_agent(s, p) ? "Agent" : "GenServer", heap,
            rate >= 0 ? findings_printf(out, "%s reds/s", (fmt_rate(rate, heap2, sizeof heap2), heap2)) : "callers");
        x->weight = (double)p->heap;
        /* the table is named after the process's registered name, the usual convention */
        const char *raw = p->name ? snap_str(s, p->name) : "cache";
        x->recommendation =
            advice_text(out, s, self->id, ADV_DEFAULT, &(advice_args){.atom = raw, .arg = {x->subject}});
    }
    free(watchers);
    free(pool);
}

static void run_agent(const rule *self, const snap *s, const rule_opts *o, findings *out)
{
    double reds_thr = rule_opt(o, "agent.reds"), q_thr = rule_opt(o, "agent.queue");
    double c_thr = rule_opt(o, "agent.callers"), heap_thr = rule_opt(o, "agent.heap");
    if (!s->has_sample2)
        findings_skip(out, self->id, "one sample only: message rate needs --window");
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_proc *p = snap_proc_at(s, i);
        if (rule_exempt(s, p) || !proc_is_agent(s, p))
            continue;
        double rate = snap_reds_rate(s, p);
        uint32_t q = snap_mq_max(p), callers = snap_monby_max(p);
        int hot = rate >= reds_thr || q >= q_thr || callers >= c_thr;
        int big = (double)p->heap >= heap_thr && !q; /* a heap of queued messages is not state */

        if (!hot && !big)
            continue;
        finding *x = findings_add(out, self->id, SEV_WARNING);
        finding_subject_proc(out, x, s, i);
        ev_common(x, p, rate);
        x->weight = rate > 0 ? rate : (double)p->heap / 1e6;
        char heap[32], heap2[32], snake[256];
        /* the table is named after the Agent: its name, or name_table for a module's name */
        const char *tab = p->name ? snap_str(s, p->name) : "agent_state";
        if (!p->name || cg_is_ex_alias(snap_str(s, p->name)))
            tab = findings_printf(out, "%s_table",
                                  p->name ? cg_snake(snap_str(s, p->name), snake, sizeof snake) : "agent_state");
        fmt_bytes(p->heap, heap, sizeof heap);
        x->summary = findings_printf(out, "an Agent %s%s%s.", hot ? "under load (" : "",
                                     hot ? findings_printf(out, "%s reds/s, queue %u, %u callers waiting)",
                                                           (fmt_rate(rate, heap2, sizeof heap2), heap2), q, callers)
                                         : "",
                                     big ? findings_printf(out, "%sholding %s of state", hot ? ", " : "", heap) : "");
        x->recommendation = advice_text(out, s, self->id, ADV_DEFAULT, &(advice_args){.atom = tab});
    }
}

const rule rule_genserver_as_cache = {
    .id = "genserver-as-cache",
    .title = "GenServer or Agent used as a cache",
    .max_severity = SEV_WARNING,
    .framework = "\"Global cache GenServer\" → ETS is usually better. Cache → ETS: many readers, no coordination.",
    .explain =
        "Fires for a named singleton GenServer or Agent whose heap is at least cache.heap bytes while its "
        "queue is at most cache.queue in both samples, and that serves traffic (cache.reds reductions/s, or callers "
        "waiting). Cannot see: the state itself (it is never copied off the node), so the heap stands for "
        "it, and a heap that may hold a long queue of messages is not judged. Reads through one process serialise; ETS "
        "with read_concurrency lets every reader read at once. Fix: move the data to a named ETS table "
        "owned by the process.",
    .run = run_cache,
    .pattern = "ETS (owned by a supervised GenServer)",
    .thresholds =
        (const threshold_def[]){
            {"cache.heap", 1048576, "B", "heap bytes of a named GenServer/Agent that make it a cache"},
            {"cache.queue", 100, "messages", "queue length above which a heap no longer stands for the state"},
            {"cache.reds", 1000, "reds/s", "reductions/s that make a cache busy"},
            {NULL, 0, NULL, NULL},
        },
};

const rule rule_agent_under_load = {
    .id = "agent-under-load",
    .title = "Agent under load or holding large state",
    .max_severity = SEV_WARNING,
    .framework = "Simple get/set state → Agent (no monitors/timers). Fast key-value lookups → ETS.",
    .explain = "Fires for an Agent (child spec module Agent, or Agent.start with a function) with agent.reds "
               "reductions/s over the window (a real share of a scheduler), a queue of agent.queue or agent.callers "
               "callers waiting in either sample, or a heap of agent.heap bytes with an empty queue. A steady "
               "trickle with nobody waiting is what Agents are for. Per-entity Agents running the same code under "
               "one supervisor give one finding. Cannot see: the state (its heap stands for it). Fix: ETS for "
               "hot shared data.",
    .run = run_agent,
    .pattern = "ETS instead of an Agent",
    .thresholds =
        (const threshold_def[]){
            {"agent.reds", 200000, "reds/s", "reductions/s of an Agent under load (a real share of one scheduler)"},
            {"agent.queue", 10, "messages", "message queue of an Agent under load"},
            {"agent.callers", 5, "processes", "callers waiting on an Agent under load"},
            {"agent.heap", 4194304, "B", "heap bytes of an Agent holding large state"},
            {NULL, 0, NULL, NULL},
        },
};
