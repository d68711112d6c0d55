/* rule_watch.c — what only time shows: a queue that grows for minutes, a process busy most
 * of the time (not a burst), restarts spread over a watch. They read the watch's series
 * (snap->series, filled by `otp-advisor watch`) and are silent on a snapshot of one window. */
#include <stdio.h>
#include <string.h>

#include "advice.h"
#include "fmt.h"
#include "rules.h"

static const snap_pseries *series_of(const snap *s, uint32_t i)
{
    return s->series && i < s->series->n_procs ? s->series->proc[i] : NULL;
}

static void span_text(uint32_t from_ds, uint32_t to_ds, char *buf, size_t n)
{
    snprintf(buf, n, "from %u:%02u to %u:%02u into the watch", from_ds / 600, from_ds / 10 % 60, to_ds / 600,
             to_ds / 10 % 60);
}

/* mailbox-growing: a run of samples whose queue never went back to where the run began nor
 * below half its peak, long enough and grown enough */
static void run_growing(const rule *self, const snap *s, const rule_opts *o, findings *out)
{
    if (!s->series)
        return;
    double grow_s = rule_opt(o, "watch.grow_s"), grow_msgs = rule_opt(o, "watch.grow_msgs");
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_pseries *ps = series_of(s, i);
        const snap_proc *p = snap_proc_at(s, i);
        if (!ps || !ps->n || rule_exempt(s, p))
            continue;
        uint32_t now_mq = ps->mq[ps->n - 1];
        double secs = (ps->last_t - ps->run_t) / 10.0;
        if (secs < grow_s || (double)now_mq - (double)ps->run_mq < grow_msgs)
            continue;
        finding *x = findings_add(out, self->id, SEV_WARNING);
        finding_subject_proc(out, x, s, i);
        finding_ev(x, "queue_from", ps->run_mq, "messages");
        finding_ev(x, "queue_now", now_mq, "messages");
        finding_ev(x, "over", secs, "s");
        finding_ev(x, "samples", ps->total, "");
        x->weight = (double)now_mq - ps->run_mq;
        char span[96];
        span_text(ps->run_t, ps->last_t, span, sizeof span);
        x->summary = findings_printf(out,
                                     "its queue grew from %u to %u messages over %.0f s (%s) and never drained "
                                     "back: it receives more than it handles, steadily, not in a burst.",
                                     ps->run_mq, now_mq, secs, span);
        x->recommendation = advice_text(out, s, self->id, ADV_DEFAULT, NULL);
    }
}

/* saturated-over-time: a lone process with a queue in most samples of a long enough watch */
static void run_saturated(const rule *self, const snap *s, const rule_opts *o, findings *out)
{
    if (!s->series)
        return;
    double pct = rule_opt(o, "watch.busy_pct"), min_n = rule_opt(o, "watch.min_samples");
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_pseries *ps = series_of(s, i);
        const snap_proc *p = snap_proc_at(s, i);
        if (!ps || !ps->total || ps->total < min_n || rule_exempt(s, p) || !proc_is_lone(s, p))
            continue;
        double busy = 100.0 * ps->mq_ge10 / ps->total, act = 100.0 * ps->active / ps->total;
        if (busy < pct || act < pct)
            continue;
        finding *x = findings_add(out, self->id, SEV_WARNING);
        finding_subject_proc(out, x, s, i);
        finding_ev(x, "busy", busy, "%");
        finding_ev(x, "samples", ps->total, "");
        finding_ev(x, "queue_max", ps->mq_max, "messages");
        finding_ev(x, "over", (ps->last_t - ps->first_t) / 10.0, "s");
        x->weight = busy;
        x->summary = findings_printf(out,
                                     "a queue of 10 or more in %.0f %% of %u samples over %.0f s (at most %u), and "
                                     "working in %.0f %% of them: saturated most of the time, not a burst.",
                                     busy, ps->total, (ps->last_t - ps->first_t) / 10.0, ps->mq_max, act);
        x->recommendation = advice_text(out, s, self->id, ADV_DEFAULT, NULL);
    }
}

/* restarts-over-time: children of one supervisor restarted again and again across the watch */
static void run_restarts(const rule *self, const snap *s, const rule_opts *o, findings *out)
{
    if (!s->series || !s->series->n_restarts)
        return;
    double min_n = rule_opt(o, "watch.restarts");
    for (uint32_t sup = 0; sup < s->sups.len; sup++) {
        uint32_t n = 0, first = 0, last = 0;
        for (uint32_t k = 0; k < s->series->n_restarts; k++) {
            const snap_restart *r = &s->series->restarts[k];
            if (r->sup != sup)
                continue;
            if (!n++)
                first = r->t_ds;
            last = r->t_ds;
        }
        const snap_sup *sp = snap_sup_at(s, sup);
        if (n < min_n || sp->proc == SNAP_NONE || rule_exempt(s, snap_proc_at(s, sp->proc)))
            continue;
        double spread = (last - first) / 10.0;
        /* one burst inside the supervisor's own period is restart-churn's to judge */
        if (sp->period > 0 && spread < 2.0 * sp->period)
            continue;
        finding *x = findings_add(out, self->id, SEV_WARNING);
        finding_subject_sup(out, x, s, sup);
        finding_ev(x, "restarts", n, "");
        finding_ev(x, "over", spread, "s");
        finding_ev(x, "period", sp->period, "s");
        x->weight = n;
        char span[96];
        span_text(first, last, span, sizeof span);
        x->summary = findings_printf(out,
                                     "%u restarts of its children over %.0f s (%s): a child that keeps failing, "
                                     "spread out so that the %d restarts in %d s intensity never trips.",
                                     n, spread, span, sp->intensity, sp->period);
        x->recommendation = advice_text(out, s, self->id, ADV_DEFAULT, NULL);
    }
}

const rule rule_mailbox_growing = {
    .id = "mailbox-growing",
    .title = "Queue growing for minutes",
    .max_severity = SEV_WARNING,
    .framework = "Complex state/coordination → GenServer: it must keep up with its messages.",
    .explain = "Only under `otp-advisor watch`: a process whose queue grew by watch.grow_msgs or more over at "
               "least watch.grow_s seconds without going back to where the growth began or below half its peak. "
               "A queue that drains is not a finding. Cannot see: the messages, or who sends them; between two "
               "samples, a queue that grew and drained.",
    .run = run_growing,
    .pattern = "GenServer with back-pressure, or partitioned work",
    .thresholds =
        (const threshold_def[]){
            {"watch.grow_s", 60, "s", "seconds a queue must keep growing"},
            {"watch.grow_msgs", 100, "messages", "growth over that time"},
            {NULL, 0, NULL, NULL},
        },
};

const rule rule_saturated_over_time = {
    .id = "saturated-over-time",
    .title = "Bottleneck saturated most of the time",
    .max_severity = SEV_WARNING,
    .framework = "Singleton processes are bottlenecks: use a single process only for a truly global resource.",
    .explain = "Only under `otp-advisor watch`, after watch.min_samples samples: a lone process (named, or not one "
               "of many siblings) with a queue of 10 or more in watch.busy_pct percent of the samples and "
               "reductions of its own in as many. A burst (busy in a few samples) is not a finding. Cannot see: "
               "the queue between samples, or why its work is slow.",
    .run = run_saturated,
    .pattern = "PartitionSupervisor, or a pool keyed by erlang:phash2/2",
    .thresholds =
        (const threshold_def[]){
            {"watch.busy_pct", 80, "%", "share of samples with a queue"},
            {"watch.min_samples", 10, "samples", "samples before judging"},
            {NULL, 0, NULL, NULL},
        },
};

const rule rule_restarts_over_time = {
    .id = "restarts-over-time",
    .title = "Restarts spread over time",
    .max_severity = SEV_WARNING,
    .framework = "Supervision: restart to recover from the unexpected; a child that keeps crashing is a bug.",
    .explain = "Only under `otp-advisor watch`: watch.restarts or more restarts of one supervisor's children, "
               "spread over at least twice its period (so its intensity never trips and restart-churn, which "
               "reads one window, sees at most one). A restart is a child id whose pid changed between two reads "
               "of the tree. Cannot see: restarts of on-demand children (they come and go), or why a child crashed "
               "(its logs say).",
    .run = run_restarts,
    .pattern = NULL,
    .thresholds =
        (const threshold_def[]){
            {"watch.restarts", 3, "restarts", "restarts over the watch"},
            {NULL, 0, NULL, NULL},
        },
};
