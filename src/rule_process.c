/* rule_process.c — process-without-runtime-reason and mailbox-buildup: what a single
 * process's own numbers say. */
#include <stdio.h>
#include <string.h>

#include "render.h"
#include "rules.h"


static void run_no_reason(const snap *s, const rule_opts *o, findings *out)
{
    if (!s->has_sample2) {
        findings_skip(out, "process-without-runtime-reason", "one sample only: \"no traffic\" needs --window");
        return;
    }
    double heap_thr = rule_opt(o, "idle.heap"), win_thr = rule_opt(o, "idle.window_reds");
    double life_thr = rule_opt(o, "idle.lifetime_reds");
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_proc *p = snap_proc_at(s, i);
        if (p->cls != PC_SUPERVISED || p->sup == SNAP_NONE || !(p->flags & PF_SAMPLE2))
            continue;
        const snap_sup *sp = snap_sup_at(s, p->sup);
        if (sp->kind != SK_SUPERVISOR || (sp->strategy && !strcmp(snap_str(s, sp->strategy), "simple_one_for_one")))
            continue; /* static children only: dynamic ones exist because something asked for them */
        if (!proc_is_gen_server(s, p) || (p->flags & (PF_TRAP_EXIT | PF_REGISTRY_PART)))
            continue;
        uint64_t delta = p->reds2 >= p->reds ? p->reds2 - p->reds : 0;
        if ((double)p->heap > heap_thr || (double)delta > win_thr || (double)p->reds > life_thr)
            continue;
        if (p->mq || p->mq2 || p->n_mons || p->monby || p->monby2 || p->n_links > 1 || proc_owns_ets(s, i))
            continue;
        finding *x = findings_add(out, "process-without-runtime-reason", SEV_WARNING);
        finding_subject_proc(out, x, s, i);
        finding_ev(x, "heap", (double)p->heap, "B");
        finding_ev(x, "reductions_in_window", (double)delta, "");
        finding_ev(x, "reductions_since_start", (double)p->reds, "");
        finding_ev(x, "monitors", p->n_mons, "");
        finding_ev(x, "links", p->n_links, "");
        char mod[256], heap[32];
        proc_module_name(s, p, mod, sizeof mod);
        render_bytes(p->heap, heap, sizeof heap);
        x->summary = findings_printf(out,
                                     "a static %s (%s) with a %s heap, %llu reductions since it started and none in "
                                     "the window: no traffic, no timers, no monitors, no ETS, nobody waiting on it.",
                                     proc_kind_name(s, p), mod, heap, (unsigned long long)p->reds);
        x->recommendation = findings_printf(
            out,
            "NO PROCESS WITHOUT A RUNTIME REASON. Processes model concurrency, shared resources, error isolation "
            "and state that survives between operations, not code organisation. If %s only groups functions or "
            "holds constants, make it a plain module (functions, module attributes, or :persistent_term for "
            "read-mostly configuration) and remove it from the children list.",
            mod);
    }
}

static void run_mailbox(const snap *s, const rule_opts *o, findings *out)
{
    double q_thr = rule_opt(o, "mailbox.queue"), crit = rule_opt(o, "mailbox.critical");
    double grow_thr = rule_opt(o, "mailbox.growth"), callers_thr = rule_opt(o, "bottleneck.callers");
    if (!s->has_sample2)
        findings_skip(out, "mailbox-buildup", "one sample only: growth needs --window; judged on queue length");
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_proc *p = snap_proc_at(s, i);
        if (rule_exempt(s, p))
            continue;
        int two = (p->flags & PF_SAMPLE2) != 0;
        uint32_t q = two ? p->mq2 : p->mq;
        double growth = two ? (double)p->mq2 - (double)p->mq : 0;
        if (q < q_thr && !(growth >= grow_thr && q >= grow_thr))
            continue;
        if ((two ? p->monby2 : p->monby) >= callers_thr && proc_is_singleton(s, p))
            continue; /* a named singleton's queue of waiting callers: global-bottleneck tells that story */
        int sev = q >= crit || (growth >= grow_thr && q >= q_thr) ? SEV_CRITICAL : SEV_WARNING;
        finding *x = findings_add(out, "mailbox-buildup", sev);
        finding_subject_proc(out, x, s, i);
        finding_ev(x, "queue_first", p->mq, "");
        if (two) {
            finding_ev(x, "queue_second", p->mq2, "");
            finding_ev(x, "growth_per_s", growth * 1e6 / (double)(s->info.sample_gap_us ? s->info.sample_gap_us : 1), "msg/s");
        }
        finding_ev(x, "memory", (double)(two ? p->mem2 : p->mem), "B");
        char cf[256];
        render_mfa(snap_str(s, p->current_function), cf, sizeof cf);
        x->summary = findings_printf(out, "queue %u%s; it is in %s. Messages arrive faster than it handles them.",
                                     two ? p->mq2 : p->mq,
                                     two ? findings_printf(out, " (%+.0f in %.1f s)", growth, (double)s->info.sample_gap_us / 1e6) : "",
                                     cf);
        x->recommendation = findings_printf(
            out,
            "Complex coordination needs a design that keeps up. Find who sends to %s and why it is slow: make "
            "slow work asynchronous (a Task.Supervisor per job), shed or batch messages, apply back-pressure "
            "(GenServer.call instead of cast so senders wait), or partition the work over several processes.",
            x->subject);
    }
}

const rule rule_process_without_runtime_reason = {
    .id = "process-without-runtime-reason",
    .title = "Process with no runtime reason",
    .max_severity = SEV_WARNING,
    .framework = "NO PROCESS WITHOUT A RUNTIME REASON. Processes do NOT model code organization (ANTI-PATTERN #1), stateless computation or namespacing.",
    .explain = "Fires for a static child GenServer of a regular supervisor with a tiny heap (idle.heap), almost "
               "no reductions since it started (idle.lifetime_reds) and none in the window (idle.window_reds), "
               "empty queue, no monitors, nobody monitoring it, no ETS table and no link but its supervisor. "
               "Needs two samples. Fix: plain functions in a module.",
    .run = run_no_reason,
};

const rule rule_mailbox_buildup = {
    .id = "mailbox-buildup",
    .title = "Message queue building up",
    .max_severity = SEV_CRITICAL,
    .framework = "Complex state/coordination → GenServer: it must keep up with its messages.",
    .explain = "Fires for any process outside the runtime whose queue reaches mailbox.queue, or grows by "
               "mailbox.growth across the window; critical at mailbox.critical or when a long queue still grows. "
               "Queues of callers waiting in calls are reported as global-bottleneck instead.",
    .run = run_mailbox,
};
