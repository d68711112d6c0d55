/* rule_supervisors.c — missing-partition-supervisor, restart-churn,
 * unresponsive-supervisor: what the supervision tree itself says. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "codegen.h"
#include "fmt.h"
#include "rules.h"

static int sup_exempt(const snap *s, const snap_sup *sp)
{
    if (sp->proc != SNAP_NONE)
        return rule_exempt(s, snap_proc_at(s, sp->proc));
    return sp->app != SNAP_NONE && ((snap_app *)vec_at(&s->apps, sp->app))->runtime;
}

static void run_partition(const rule *self, const snap *s, const rule_opts *o, findings *out)
{
    double kids_thr = rule_opt(o, "dynsup.children"), reds_thr = rule_opt(o, "dynsup.reds");
    double callers_thr = rule_opt(o, "dynsup.callers");
    if (s->info.schedulers <= 1)
        return; /* one scheduler: partitions would not run in parallel */
    if (!s->has_sample2) {
        /* a child count alone is not a bottleneck: an idle supervisor of 10,000 is fine */
        findings_skip(out, self->id, "one sample only: start pressure needs --window");
        return;
    }
    uint32_t *in_call = NULL;
    for (uint32_t k = 0; k < s->sups.len; k++) {
        const snap_sup *sp = snap_sup_at(s, k);
        int dyn = snap_sup_on_demand(s, sp);
        if (!dyn || sup_exempt(s, sp) || sp->proc == SNAP_NONE || sp->kind == SK_SPECIAL)
            continue; /* ranch partitions its connection supervisors itself (num_conns_sups) */
        if (sp->parent != SNAP_NONE && snap_sup_at(s, sp->parent)->kind == SK_PARTITION)
            continue; /* already a partition */
        const snap_proc *pp = snap_proc_at(s, sp->proc);
        double rate = snap_reds_rate(s, pp);
        if (!in_call)
            in_call = procs_callers_in_call(s);
        /* Start pressure, seen over the window. A DynamicSupervisor starts children one at
         * a time and waits for each child's init: callers queue in start_child. Evidence:
         * callers seen waiting in a call on it at the first sample and still monitoring it
         * at the second; or its own work, a real part of one scheduler (one starting
         * children flat out does about 10M reds/s; a few hundred starts a second are far
         * below 1 %). Many children lower the bar for the work to a quarter. */
        uint32_t waiting = in_call[sp->proc];
        uint32_t held = (pp->flags & PF_SAMPLE2) && pp->monby2 < pp->monby ? pp->monby2 : pp->monby;
        int hot_c = waiting >= callers_thr && held >= callers_thr;
        int hot_r = rate >= reds_thr || (sp->n_children >= kids_thr && rate >= reds_thr / 4);
        if (!hot_c && !hot_r)
            continue;
        finding *x = findings_add(out, self->id, SEV_WARNING);
        finding_subject_sup(out, x, s, k);
        finding_ev(x, "children", sp->n_children, "");
        if (rate >= 0)
            finding_ev(x, "reductions_per_s", rate, "reds/s");
        finding_ev(x, "callers_in_call", waiting, "");
        finding_ev(x, "callers_waiting", held, "");
        finding_ev(x, "queue", snap_mq_max(pp), "");
        finding_ev(x, "schedulers", (double)s->info.schedulers, "");
        char kids[32], kids2[32];
        fmt_num(sp->n_children, kids, sizeof kids);
        x->summary = findings_printf(
            out,
            "%s with %s children%s on %lld schedulers, not under a PartitionSupervisor: "
            "every start_child and every restart goes through this one process%s.",
            snap_sup_is_sofo(s, sp) ? "a simple_one_for_one supervisor" : sup_kind_name(sp->kind), kids,
            rate >= 0 ? findings_printf(out, ", %s reds/s", (fmt_rate(rate, kids2, sizeof kids2), kids2)) : "",
            (long long)s->info.schedulers,
            hot_c ? findings_printf(out, ", and %u callers were waiting in calls on it across the window", held) : "");
        /* the supervisor's registered name, and its callback module, when it has them */
        const snap_proc *sproc = sp->proc != SNAP_NONE ? snap_proc_at(s, sp->proc) : NULL;
        const char *rawname = sproc && sproc->name ? snap_str(s, sproc->name) : NULL;
        advice_args a = {.atom = rawname,
                         .atom2 = sp->callback ? snap_str(s, sp->callback) : rawname,
                         .arg = {sp->kind == SK_TASK ? "Task.Supervisor" : "DynamicSupervisor"}};
        int sofo = snap_sup_is_sofo(s, sp) && !s->info.elixir_version;
        x->recommendation = advice_text(out, s, self->id, sofo ? ADV_PARTITION_SOFO : ADV_DEFAULT, &a);
        /* callers waiting on a supervisor that does little work wait for their children's init */
        if (hot_c && !hot_r)
            x->recommendation = findings_printf(out, "%s%s", x->recommendation,
                                                advice_text(out, s, self->id, ADV_PARTITION_SLOW_INIT, NULL));
    }
    free(in_call);
}

static void run_churn(const rule *self, const snap *s, const rule_opts *o, findings *out)
{
    double ratio_thr = rule_opt(o, "churn.ratio");
    for (uint32_t k = 0; k < s->sups.len; k++) {
        const snap_sup *sp = snap_sup_at(s, k);
        if (sup_exempt(s, sp) || sp->intensity <= 0 || sp->period <= 0)
            continue;
        uint32_t recent = 0;
        for (uint32_t i = 0; i < sp->n_restarts; i++)
            if (VEC_AT(&s->ints, int64_t, sp->restarts + i) <= sp->period)
                recent++;
        double ratio = (double)recent / (double)sp->intensity;
        if (recent < 2 || ratio < ratio_thr)
            continue;
        /* A fork past its intensity that is up and holds a child `restarting` restarts it with
         * a delay instead of giving up (supervisor2's {permanent|transient, Delay}): churn, not
         * the end of the tree. An OTP supervisor never stays up past its intensity. */
        int delayed = 0;
        if (sp->kind == SK_FORK && sp->status == SS_OK && recent > (uint32_t)sp->intensity)
            for (uint32_t c = 0; c < sp->n_children; c++)
                delayed |= VEC_AT(&s->children, snap_child, sp->children + c).state == CS_RESTARTING;
        /* OTP gives up when restarts exceed the intensity: at the intensity it is one short */
        int sev = recent >= (uint32_t)sp->intensity && !delayed ? SEV_CRITICAL : SEV_WARNING;
        finding *x = findings_add(out, self->id, sev);
        finding_subject_sup(out, x, s, k);
        finding_ev(x, "restarts_in_period", recent, "");
        finding_ev(x, "intensity", sp->intensity, "");
        finding_ev(x, "period", sp->period, "s");
        finding_ev(x, "ratio", ratio, "");
        /* the likely culprit: a child restarting now, else the youngest worker (fewest reductions) */
        const char *culprit = NULL;
        uint64_t best = UINT64_MAX;
        char b[512];
        for (uint32_t c = 0; c < sp->n_children; c++) {
            const snap_child *ch = &VEC_AT(&s->children, snap_child, sp->children + c);
            if (ch->state == CS_RESTARTING) {
                snap_display_atom(snap_str(s, ch->id), b, sizeof b);
                culprit = findings_printf(out, "%s (restarting now)", b);
                break;
            }
            if (ch->state == CS_PID && ch->proc == SNAP_NONE && ch->pid.node == s->local_node) {
                /* a local child the process walk did not see: it was (re)started since */
                snap_display_atom(snap_str(s, ch->id), b, sizeof b);
                culprit = findings_printf(out, "%s (restarted during the snapshot)", b);
                break;
            }
            if (ch->proc != SNAP_NONE && !ch->type && snap_proc_at(s, ch->proc)->reds < best) {
                best = snap_proc_at(s, ch->proc)->reds;
                snap_proc_label(s, snap_proc_at(s, ch->proc), b, sizeof b);
                culprit = findings_printf(out, "%s (youngest child: %llu reductions since it started)", b,
                                          (unsigned long long)best);
            }
        }
        if (delayed)
            x->summary = findings_printf(out,
                                         "%u restarts in the last %d s against an intensity of %d: past it, and still "
                                         "up, restarting a child with a delay (a delayed restart of this supervisor "
                                         "fork) instead of giving up: the child keeps failing.%s%s",
                                         recent, sp->period, sp->intensity, culprit ? " Likely culprit: " : "",
                                         culprit ? culprit : "");
        else
            x->summary = findings_printf(out,
                                         "%u restarts in the last %d s against an intensity of %d: %.0f %% of the way "
                                         "to giving up and taking its siblings down with it.%s%s",
                                         recent, sp->period, sp->intensity, ratio * 100,
                                         culprit ? " Likely culprit: " : "", culprit ? culprit : "");
        x->recommendation = advice_text(out, s, self->id, ADV_DEFAULT, &(advice_args){.arg = {x->subject}});
    }
}

static void run_unresponsive(const rule *self, const snap *s, const rule_opts *o, findings *out)
{
    (void)o;
    for (uint32_t k = 0; k < s->sups.len; k++) {
        const snap_sup *sp = snap_sup_at(s, k);
        if (sp->status == SS_OK || sp->status == SS_NOT_ASKED || sup_exempt(s, sp))
            continue;
        int blocked = sp->status == SS_TIMEOUT || sp->status == SS_BUSY;
        finding *x = findings_add(out, self->id, blocked ? SEV_CRITICAL : SEV_WARNING);
        finding_subject_sup(out, x, s, k);
        finding_ev(x, "timeout_ms", (double)s->info.sup_timeout_ms, "ms");
        if (sp->status == SS_SLOW) {
            /* seen serving its queue: not blocked, behind the starts queued before ours */
            uint32_t q = sp->proc != SNAP_NONE ? snap_mq_max(snap_proc_at(s, sp->proc)) : 0;
            finding_ev(x, "queue", q, "");
            x->summary = findings_printf(
                out,
                "%s was serving its queue (starting children back to back) but did not answer within %lld ms "
                "(%s): it is up, and every request to it, a restart included, waits behind the starts queued "
                "before it. Its children could not be read.",
                x->subject, (long long)s->info.sup_timeout_ms, snap_str(s, sp->error));
            x->recommendation = advice_text(out, s, self->id, ADV_UNRESPONSIVE_STARTING, NULL);
            continue;
        }
        if (sp->proc != SNAP_NONE) {
            const snap_proc *p = snap_proc_at(s, sp->proc);
            finding_ev(x, "queue", p->mq, "");
            char cf[256];
            fmt_mfa(snap_str(s, p->current_function), cf, sizeof cf);
            x->summary = findings_printf(
                out,
                "%s %s %lld ms (%s); it is executing %s with %u messages queued. While it is blocked it can "
                "neither restart nor start children.",
                x->subject,
                sp->status == SS_BUSY ? "stayed out of its receive loop for" : "did not answer which_children within",
                (long long)s->info.sup_timeout_ms, snap_str(s, sp->error), cf, p->mq);
        } else
            x->summary =
                findings_printf(out, "%s did not answer which_children (%s).", x->subject, snap_str(s, sp->error));
        x->recommendation = advice_text(out, s, self->id, ADV_DEFAULT, NULL);
    }
}

const rule rule_missing_partition_supervisor = {
    .id = "missing-partition-supervisor",
    .title = "Busy dynamic supervisor not partitioned",
    .max_severity = SEV_WARNING,
    .framework = "High-throughput: PartitionSupervisor, when DynamicSupervisor becomes a bottleneck.",
    .explain = "Fires for a DynamicSupervisor, Task.Supervisor or simple_one_for_one supervisor under start "
               "pressure across the window, on a node with more than one scheduler, that is not itself a "
               "partition of a PartitionSupervisor. Start pressure is dynsup.callers callers seen waiting in a "
               "call on it (gen:do_call/4) and still monitoring it at the second sample: it starts one child at "
               "a time and waits for each child's init; or its own work, dynsup.reds reductions/s (one starting "
               "children flat out does about 10M reds/s), a quarter of that with at least dynsup.children "
               "children. A child count alone is not evidence (an idle supervisor of 10,000 children is no "
               "bottleneck), nor are a few hundred starts a second, so with one sample (--window 0) it says "
               "nothing. The "
               "supervisor calls of the snapshot come after the window, so they never count as its load. Cannot "
               "see: which callers start the children. Fix: "
               "{PartitionSupervisor, child_spec: DynamicSupervisor, name: ...} and start children through "
               "{:via, PartitionSupervisor, {name, key}}.",
    .run = run_partition,
    .pattern = "PartitionSupervisor of DynamicSupervisors",
    .spec = SPEC_PARTITION_DYNSUP,
    .thresholds =
        (const threshold_def[]){
            {"dynsup.children", 1000, "children", "children of a dynamic supervisor that call for partitioning"},
            {"dynsup.callers", 5, "processes", "callers waiting in calls on a dynamic supervisor, in both samples"},
            {"dynsup.reds", 2000000, "reds/s", "reductions/s of a dynamic supervisor under start pressure"},
            {NULL, 0, NULL, NULL},
        },
};

const rule rule_restart_churn = {
    .id = "restart-churn",
    .title = "Supervisor close to its restart intensity",
    .max_severity = SEV_CRITICAL,
    .framework =
        "What happens if this process crashes? Where does this fit in the supervision tree? What restart strategy?",
    .explain = "Fires for a supervisor whose restarts within its period reach churn.ratio of its intensity "
               "(and at least 2); critical one restart short of giving up. The restart history is read from "
               "the supervisor's state; the likely culprit is a child restarting now or the youngest child. "
               "Cannot see: why the child crashed (the crash reports are the node's log). Fix the crash; isolate "
               "expected crashes under their own supervisor.",
    .run = run_churn,
    .pattern = "Supervisor: fix or isolate the crashing child",
    .thresholds =
        (const threshold_def[]){
            {"churn.ratio", 0.5, "", "restarts in the period / intensity that is churn"},
            {NULL, 0, NULL, NULL},
        },
};

const rule rule_unresponsive_supervisor = {
    .id = "unresponsive-supervisor",
    .title = "Supervisor that does not answer",
    .max_severity = SEV_CRITICAL,
    .framework = "Fault tolerance → Supervisor. A supervisor must never block.",
    .explain = "Fires (critical) when a supervisor stayed out of its receive loop for the whole supervisor "
               "timeout (blocked in a start_child, suspended: it is then not asked anything, so no request of "
               "ours waits in its mailbox), or when which_children or sys:get_state timed out; (warning) when "
               "one failed, or timed out on a supervisor seen serving its queue (starting children back to back, "
               "its work advancing between looks: up, but behind its queue). A blocked supervisor cannot restart "
               "anything. The usual cause "
               "is a child whose init/1 blocks. Cannot see: what the blocked start waits for, beyond the "
               "supervisor's current function. Fix: move slow initialisation to handle_continue/2.",
    .run = run_unresponsive,
    .pattern = "GenServer with handle_continue for slow initialisation",
};
