/* rule_process.c — process-without-runtime-reason and mailbox-buildup: what a single
 * process's own numbers say. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "fmt.h"
#include "rules.h"

/* the static workers that did nothing in the window and little since they started */
static void idle_workers(const snap *s, const rule_opts *o, vec *idle)
{
    double heap_thr = rule_opt(o, "idle.heap"), win_thr = rule_opt(o, "idle.window_reds");
    double life_thr = rule_opt(o, "idle.lifetime_reds");
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_proc *p = snap_proc_at(s, i);
        if (p->cls != PC_SUPERVISED || p->sup == SNAP_NONE || !(p->flags & PF_SAMPLE2))
            continue;
        const snap_sup *sp = snap_sup_at(s, p->sup);
        if ((sp->kind != SK_SUPERVISOR && sp->kind != SK_FORK) ||
            (sp->strategy && !strcmp(snap_str(s, sp->strategy), "simple_one_for_one")))
            continue; /* static children only: dynamic ones exist because something asked for them */
        if (!proc_is_gen_server(s, p) || proc_is_agent(s, p) || (p->flags & (PF_TRAP_EXIT | PF_REGISTRY_PART)))
            continue;                           /* an Agent exists to keep state between operations: a runtime reason */
        uint64_t delta = snap_reds_delta(s, p); /* our own walks taken off */
        if ((double)p->heap > heap_thr || (double)delta > win_thr || (double)p->reds > life_thr)
            continue;
        if (p->mq || p->mq2 || p->n_mons || p->monby || p->monby2 || p->n_links > 1 || proc_owns_ets(s, i))
            continue;
        if (proc_in_pool(s, p))
            continue; /* a pool's idle members are its capacity, not code organisation */
        *(uint32_t *)vec_push(idle) = i;
    }
}

/* "name <pid>" of an idle process (its module when it has no name) */
static void idle_label(const snap *s, const snap_proc *p, char *b, size_t n)
{
    char lb[256], pid[64];
    if (p->name || p->alt_name)
        snap_proc_label(s, p, lb, sizeof lb);
    else
        proc_module_name(s, p, lb, sizeof lb);
    snap_pid_text(s, p->pid, pid, sizeof pid);
    snprintf(b, n, "%s %s", lb, pid);
}

/* one finding for several idle processes, the first the subject; a count as the subject
 * when there are more */
static finding *idle_group(const rule *self, const snap *s, findings *out, int sev, uint32_t first, uint32_t n,
                           const char *what, double window_s)
{
    finding *x = findings_add(out, self->id, sev);
    finding_subject_proc(out, x, s, first);
    x->count = n;
    if (n > 1) {
        x->subject = findings_printf(out, "%u %s", n, what);
        x->pid = "";
        x->path = "";
    }
    finding_ev(x, "processes", n, "");
    finding_ev(x, "window", window_s, "s");
    return x;
}

/* one idle window proves little: a collector on a 60 s timer, a server of rare writes, a
 * process that acted at init and now waits all look like this */
static void short_window_finding(const rule *self, const snap *s, findings *out, const vec *idle, double window_s,
                                 double long_s)
{
    strbuf sb;
    sb_init(&sb);
    for (size_t k = 0; k < idle->len && k < 8; k++) {
        char b[320];
        idle_label(s, snap_proc_at(s, *(uint32_t *)vec_at(idle, k)), b, sizeof b);
        sb_printf(&sb, "%s%s", k ? ", " : "", b);
    }
    if (idle->len > 8)
        sb_printf(&sb, ", and %zu more", idle->len - 8);
    finding *x = idle_group(self, s, out, SEV_INFO, *(uint32_t *)vec_at(idle, 0), (uint32_t)idle->len, "static workers",
                            window_s);
    x->summary = findings_printf(
        out,
        "%s did nothing in the %.1f s window and little since they started: %s. One short window is not "
        "evidence: timers cannot be listed from outside, so a collector on a 5 to 60 s timer, a server of rare "
        "writes and a process that acted at init and now waits look the same.",
        idle->len > 1 ? x->subject : "a static worker", window_s, sb.buf);
    char w[32];
    snprintf(w, sizeof w, "%.0f", long_s);
    x->recommendation = advice_text(out, s, self->id, ADV_IDLE_SHORT_WINDOW, &(advice_args){.arg = {w}});
    sb_free(&sb);
}

static void idle_finding(const rule *self, const snap *s, findings *out, uint32_t i, double window_s)
{
    const snap_proc *p = snap_proc_at(s, i);
    uint64_t delta = snap_reds_delta(s, p); /* our own walks taken off */
    finding *x = findings_add(out, self->id, SEV_WARNING);
    finding_subject_proc(out, x, s, i);
    finding_ev(x, "heap", (double)p->heap, "B");
    finding_ev(x, "reductions_in_window", (double)delta, "");
    finding_ev(x, "reductions_since_start", (double)p->reds, "");
    finding_ev(x, "monitors", p->n_mons, "");
    finding_ev(x, "links", p->n_links, "");
    finding_ev(x, "window", window_s, "s");
    char mod[256], heap[32];
    proc_module_name(s, p, mod, sizeof mod);
    fmt_bytes(p->heap, heap, sizeof heap);
    x->summary = findings_printf(out,
                                 "a static %s (%s) with a %s heap, %llu reductions since it started and none in "
                                 "the %.0f s window: no traffic, no monitors, no ETS, nobody waiting on it. "
                                 "Timers cannot be listed; a timer longer than the window would not show.",
                                 proc_kind_name(s, p), mod, heap, (unsigned long long)p->reds, window_s);
    x->recommendation = advice_text(out, s, self->id, ADV_DEFAULT, &(advice_args){.arg = {mod}});
}

static void run_no_reason(const rule *self, const snap *s, const rule_opts *o, findings *out)
{
    if (!s->has_sample2) {
        findings_skip(out, self->id, "one sample only: \"no traffic\" needs --window");
        return;
    }
    double long_s = rule_opt(o, "idle.window_s"), window_s = (double)s->info.sample_gap_us / 1e6;
    vec idle;
    vec_init(&idle, sizeof(uint32_t));
    idle_workers(s, o, &idle);
    if (window_s < long_s && idle.len) {
        short_window_finding(self, s, out, &idle, window_s, long_s);
        vec_free(&idle);
        return;
    }
    strbuf libs; /* idle library processes: their authors' design, nothing for the user to change */
    sb_init(&libs);
    uint32_t n_libs = 0, first_lib = 0;
    for (size_t k = 0; k < idle.len; k++) {
        uint32_t i = *(uint32_t *)vec_at(&idle, k);
        char why[512], b[320];
        if (!proc_is_library(s, snap_proc_at(s, i), why, sizeof why)) {
            idle_finding(self, s, out, i, window_s);
            continue;
        }
        if (!n_libs)
            first_lib = i;
        idle_label(s, snap_proc_at(s, i), b, sizeof b);
        if (n_libs++ < 8)
            sb_printf(&libs, "%s%s (%s)", n_libs > 1 ? "; " : "", b, why);
    }
    if (n_libs) {
        if (n_libs > 8)
            sb_printf(&libs, "; and %u more", n_libs - 8);
        finding *x = idle_group(self, s, out, SEV_INFO, first_lib, n_libs, "idle library processes", window_s);
        x->summary = findings_printf(out,
                                     "%s did nothing in the %.0f s window and little since they started, but the "
                                     "code is a library's, not this system's: %s.",
                                     n_libs > 1 ? x->subject : "an idle library process", window_s, libs.buf);
        x->recommendation = advice_text(out, s, self->id, ADV_IDLE_LIBRARY, NULL);
    }
    sb_free(&libs);
    vec_free(&idle);
}

static void run_mailbox(const rule *self, const snap *s, const rule_opts *o, findings *out)
{
    double q_thr = rule_opt(o, "mailbox.queue"), crit = rule_opt(o, "mailbox.critical");
    double grow_thr = rule_opt(o, "mailbox.growth"), callers_thr = rule_opt(o, "bottleneck.callers");
    if (!s->has_sample2)
        findings_skip(out, self->id, "one sample only: growth needs --window; judged on queue length");
    uint32_t *watchers = NULL, *pool = NULL; /* made when a queue is long */
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_proc *p = snap_proc_at(s, i);
        if (rule_exempt(s, p))
            continue;
        int two = (p->flags & PF_SAMPLE2) != 0;
        uint32_t q = two ? p->mq2 : p->mq;
        double growth = two ? (double)p->mq2 - (double)p->mq : 0;
        if (q < q_thr && !(growth >= grow_thr && q >= grow_thr))
            continue;
        if (!watchers) {
            watchers = procs_idle_watchers(s);
            pool = procs_pool_size(s);
        }
        /* a singleton's queue of waiting callers: global-bottleneck tells that story (the
         * same callers: monitors, less owners watching from their own loop; never a pool's) */
        uint32_t mon = snap_monby_max(p), callers = mon > watchers[i] ? mon - watchers[i] : 0;
        if (callers >= callers_thr && pool[i] <= 1 && proc_is_singleton(s, p))
            continue;
        int sev = q >= crit || (growth >= grow_thr && q >= q_thr) ? SEV_CRITICAL : SEV_WARNING;
        finding *x = findings_add(out, self->id, sev);
        finding_subject_proc(out, x, s, i);
        finding_ev(x, "queue_first", p->mq, "");
        if (two) {
            finding_ev(x, "queue_second", p->mq2, "");
            finding_ev(x, "growth_per_s", growth * 1e6 / (double)(s->info.sample_gap_us ? s->info.sample_gap_us : 1),
                       "msg/s");
        }
        finding_ev(x, "memory", (double)(two ? p->mem2 : p->mem), "B");
        char cf[256];
        fmt_mfa(snap_str(s, p->current_function), cf, sizeof cf);
        x->summary = findings_printf(
            out, "queue %u%s; it is in %s. Messages arrive faster than it handles them.", two ? p->mq2 : p->mq,
            two ? findings_printf(out, " (%+.0f in %.1f s)", growth, (double)s->info.sample_gap_us / 1e6) : "", cf);
        const char *who = strcmp(x->subject, x->pid) ? findings_printf(out, "%s %s", x->subject, x->pid) : x->subject;
        x->recommendation = advice_text(out, s, self->id, ADV_DEFAULT, &(advice_args){.arg = {who}});
    }
    free(watchers);
    free(pool);
}

const rule rule_process_without_runtime_reason = {
    .id = "process-without-runtime-reason",
    .title = "Process with no runtime reason",
    .max_severity = SEV_WARNING,
    .framework = "NO PROCESS WITHOUT A RUNTIME REASON. Processes do NOT model code organization (ANTI-PATTERN #1), "
                 "stateless computation or namespacing.",
    .explain = "Looks at static GenServer children of regular supervisors with a tiny heap (idle.heap), almost "
               "no reductions since they started (idle.lifetime_reds) and none in the window (idle.window_reds), "
               "an empty queue, no monitors, nobody monitoring them, no ETS table and no link but their "
               "supervisor; members of a pool (siblings running the same code) are left out. Cannot see: timers "
               "(a collector on a 60 s timer is idle for 59 s) and what the state means. So a window shorter "
               "than idle.window_s seconds gives one info listing them and asking for a longer window; a longer "
               "one (a watch of minutes) gives a warning each, except for a library's processes (a declared "
               "dependency of another application, a module compiled in a deps/ folder, code installed "
               "system-wide, OTP's own under --judge-otp): those are one info, their authors' design and "
               "often a part of their API this system did not call. Fix: plain functions in a module.",
    .run = run_no_reason,
    .pattern = "Functions (a plain module) for this process only",
    .spec = SPEC_REMOVE,
    .thresholds =
        (const threshold_def[]){
            {"idle.heap", 16384, "B", "heap bytes at most of a process with no runtime reason"},
            {"idle.window_reds", 20, "reds", "reductions at most in the window"},
            {"idle.lifetime_reds", 20000, "reds", "reductions at most since it started"},
            {"idle.window_s", 60, "s", "window, in seconds, long enough to call an idle process a warning"},
            {NULL, 0, NULL, NULL},
        },
};

const rule rule_mailbox_buildup = {
    .id = "mailbox-buildup",
    .title = "Message queue building up",
    .max_severity = SEV_CRITICAL,
    .framework = "Complex state/coordination → GenServer: it must keep up with its messages.",
    .explain = "Fires for any process outside the runtime whose queue reaches mailbox.queue, or grows by "
               "mailbox.growth across the window; critical at mailbox.critical or when a long queue still grows. "
               "Queues of callers waiting in calls are reported as global-bottleneck instead. Cannot see: the "
               "messages themselves (never copied off the node) or who sent them.",
    .run = run_mailbox,
    .pattern = "GenServer with back-pressure, or partitioned work",
    .thresholds =
        (const threshold_def[]){
            {"mailbox.queue", 1000, "messages", "message queue length that is a build-up"},
            {"mailbox.critical", 10000, "messages", "message queue length that is critical"},
            {"mailbox.growth", 100, "messages", "queue growth across the window that is a build-up"},
            {NULL, 0, NULL, NULL},
        },
};
