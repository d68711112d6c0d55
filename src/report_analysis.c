/* report_analysis.c — one analysis per target (see report_analysis.h): every number from
 * the snapshot or a finding, every answer decided by them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen.h"
#include "fmt.h"
#include "report_analysis.h"
#include "rules.h"
#include "views.h"

static int elixir_app(const snap *s, uint32_t app)
{
    if (!s->info.elixir_version)
        return 0;
    if (app == SNAP_NONE)
        return 1;
    const snap_app *a = vec_at(&s->apps, app);
    return a->mod && !strncmp(snap_str(s, a->mod), "Elixir.", 7);
}

static void mark_sup(analysis *an, uint32_t k, int depth)
{
    snap *s = an->s;
    if (depth > 64)
        return;
    const snap_sup *sp = snap_sup_at(s, k);
    an->n_sups++;
    if (sp->proc != SNAP_NONE)
        an->in[sp->proc] = 1;
    int dyn = snap_sup_on_demand(s, sp);
    int unread = sp->status != SS_OK;
    if (unread)
        an->n_unread_sups++;
    if (dyn)
        an->n_dynamic_children += sp->n_children;
    for (uint32_t c = 0; c < sp->n_children; c++) {
        const snap_child *ch = &VEC_AT(&s->children, snap_child, sp->children + c);
        if (ch->proc == SNAP_NONE)
            continue;
        an->in[ch->proc] = 1;
        uint32_t own = snap_proc_at(s, ch->proc)->own_sup;
        if (own != SNAP_NONE && own != k && snap_sup_at(s, own)->parent == k)
            mark_sup(an, own, depth + 1);
    }
    /* children that raced the tree walk (see snap_finish) */
    for (uint32_t i = 0; i < s->procs.len; i++)
        if (snap_proc_at(s, i)->sup == k) {
            if (unread && !an->in[i])
                an->n_children_by_ancestry++;
            an->in[i] = 1;
        }
}

static int finding_in(const analysis *an, const finding *x)
{
    const snap *s = an->s;
    if (x->proc != SNAP_NONE)
        return an->in[x->proc];
    if (x->sup != SNAP_NONE)
        return snap_sup_at(s, x->sup)->proc != SNAP_NONE && an->in[snap_sup_at(s, x->sup)->proc];
    if (x->reg != SNAP_NONE) {
        uint32_t p = snap_find_pid(s, ((snap_registry *)vec_at(&s->regs, x->reg))->sup);
        return p != SNAP_NONE && an->in[p];
    }
    if (x->ets != SNAP_NONE) {
        uint32_t p = ((snap_ets *)vec_at(&s->ets, x->ets))->owner_proc;
        return p != SNAP_NONE && an->in[p];
    }
    return 0;
}

/* a finding of the target whose rule changes its subject's spec this way */
static int has_spec(const analysis *an, enum spec_change spec)
{
    for (size_t i = 0; i < an->fidx.len; i++) {
        const rule *r = rule_find(((finding *)vec_at(&an->f->items, VEC_AT(&an->fidx, uint32_t, i)))->rule);
        if (r && r->spec == spec)
            return (int)i + 1;
    }
    return 0;
}

/* ---- naming processes in the answers ----------------------------------------------- */

uint32_t an_callers(const analysis *an, uint32_t i)
{
    const snap_proc *p = snap_proc_at(an->s, i);
    uint32_t m = snap_monby_max(p);
    return an->in_call && an->in_call[i] > m ? an->in_call[i] : m;
}

static double key_rate(const analysis *an, uint32_t i)
{
    return snap_reds_rate(an->s, snap_proc_at(an->s, i));
}
static double key_callers(const analysis *an, uint32_t i)
{
    return an_callers(an, i);
}
static double key_heap(const analysis *an, uint32_t i)
{
    return (double)snap_proc_at(an->s, i)->heap;
}

/* the k processes of the target with the highest key, at least min (supervisors only when
 * sups); returns how many */
static int top_procs(const analysis *an, double (*key)(const analysis *, uint32_t), int sups, uint32_t *out, int k,
                     double min)
{
    int n = 0;
    for (uint32_t i = 0; i < an->s->procs.len; i++) {
        if (!an->in[i])
            continue;
        if (!sups && snap_proc_at(an->s, i)->own_sup != SNAP_NONE)
            continue;
        double v = key(an, i);
        if (v < min)
            continue;
        int at = n < k ? n++ : k;
        if (at == k && v <= key(an, out[k - 1]))
            continue;
        if (at == k)
            at = k - 1;
        while (at > 0 && key(an, out[at - 1]) < v) {
            out[at] = out[at - 1];
            at--;
        }
        out[at] = i;
    }
    return n;
}

/* The questions a finding bears on: its rule says what the process does (callers wait on it,
 * it works, it keeps state others call for, a supervisor's restarts are firing). An answer
 * takes them into account, so that it never says "nobody waiting" beside a finding of
 * callers waiting. */
enum { Q_CONC = 1, Q_ISO = 2, Q_SHARED = 4, Q_STATE = 8 };
static const struct {
    const char *rule;
    unsigned q;
    int min_sev;
} rule_questions[] = {
    {"global-bottleneck", Q_CONC | Q_SHARED | Q_STATE, SEV_INFO},
    {"genserver-as-cache", Q_SHARED | Q_STATE, SEV_INFO},
    {"agent-under-load", Q_CONC | Q_SHARED | Q_STATE, SEV_INFO},
    {"missing-partition-supervisor", Q_CONC, SEV_INFO},
    {"registry-single-partition", Q_SHARED, SEV_INFO},
    {"atom-named-dynamic-processes", Q_CONC, SEV_INFO},
    {"mailbox-buildup", Q_CONC, SEV_INFO},
    {"restart-churn", Q_ISO, SEV_INFO},
    {"unresponsive-supervisor", Q_ISO, SEV_INFO},
    {"ets-owner-at-risk", Q_SHARED | Q_STATE, SEV_INFO},
    /* a process the framework says must be supervised needs the isolation it lacks; a linked
     * helper (info) is contained by its link */
    {"unsupervised-process", Q_ISO, SEV_WARNING},
    {"unsupervised-task", Q_ISO, SEV_WARNING},
};

static unsigned finding_questions(const finding *x)
{
    for (size_t r = 0; r < sizeof rule_questions / sizeof rule_questions[0]; r++)
        if (!strcmp(rule_questions[r].rule, x->rule))
            return x->severity >= rule_questions[r].min_sev ? rule_questions[r].q : 0;
    return 0;
}

static void analyse(analysis *an)
{
    snap *s = an->s;
    an->node_rate = snap_node_reds_rate(s);
    for (uint32_t i = 0; i < s->procs.len; i++) {
        if (!an->in[i])
            continue;
        const snap_proc *p = snap_proc_at(s, i);
        an->n_procs++;
        if (p->flags & PF_TRAP_EXIT)
            an->n_trap_exit++;
        if ((p->name || p->alt_name) && p->own_sup == SNAP_NONE)
            an->n_named++;
        double r = snap_reds_rate(s, p);
        if (r > 0)
            an->reds_rate += r;
        if (r >= 100)
            an->n_busy++;
        uint32_t cb = snap_monby_now(p);
        if ((p->name || p->alt_name) && cb > an->callers)
            an->callers = cb;
        uint32_t q = snap_mq_now(p);
        if (q > an->max_mq)
            an->max_mq = q;
        if (p->own_sup == SNAP_NONE && p->heap <= 16384 && s->has_sample2 && r >= 0 && r < 20 && q == 0)
            an->n_idle++;
    }
    for (uint32_t k = 0; k < s->sups.len; k++) {
        const snap_sup *sp = snap_sup_at(s, k);
        if (sp->proc == SNAP_NONE || !an->in[sp->proc])
            continue;
        for (uint32_t i = 0; i < sp->n_restarts; i++)
            if (sp->period > 0 && VEC_AT(&s->ints, int64_t, sp->restarts + i) <= sp->period)
                an->restarts_recent++;
    }
    for (size_t e = 0; e < s->ets.len; e++) {
        const snap_ets *t = vec_at(&s->ets, e);
        if (t->owner_proc == SNAP_NONE || !an->in[t->owner_proc])
            continue;
        an->n_ets++;
        if (strcmp(snap_str(s, t->protection), "private") != 0)
            an->n_ets_shared++;
    }
    for (size_t r = 0; r < s->regs.len; r++) {
        uint32_t p = snap_find_pid(s, ((snap_registry *)vec_at(&s->regs, r))->sup);
        if (p != SNAP_NONE && an->in[p])
            an->n_regs++;
    }
    an->in_call = procs_callers_in_call(s);
    vec_init(&an->fidx, sizeof(uint32_t));
    for (uint32_t i = 0; i < an->f->items.len; i++)
        if (finding_in(an, vec_at(&an->f->items, i)))
            *(uint32_t *)vec_push(&an->fidx) = i;

    /* the four questions, answered from numbers; the processes behind each answer are
     * kept for the renderers to name (report_prose.c) */
    an->n_busy_top = top_procs(an, key_rate, 1, an->busy, AN_TOP, 100);
    an->n_waited_any = top_procs(an, key_callers, 1, an->waited_any, AN_TOP, 2);
    an->n_waited = top_procs(an, key_callers, 0, an->waited, AN_TOP, 2);
    an->n_heavy = top_procs(an, key_heap, 0, an->heavy, AN_TOP, 65536);
    for (size_t i = 0; i < an->fidx.len; i++) {
        unsigned qs = finding_questions(vec_at(&an->f->items, VEC_AT(&an->fidx, uint32_t, i)));
        for (int q = 0; q < 4; q++)
            if ((qs & (1u << q)) && an->n_qf[q] < AN_QF)
                an->qf[q][an->n_qf[q]++] = (int)i;
    }
    int busy_workers = 0; /* the work of a supervisor is its children's starts, not state */
    for (int i = 0; i < an->n_busy_top; i++)
        busy_workers += snap_proc_at(s, an->busy[i])->own_sup == SNAP_NONE;
    an->q[0].answer = an->n_busy_top > 0 || an->n_dynamic_children >= 2 || an->n_waited_any > 0 || an->n_qf[0] > 0;
    an->q[1].answer = an->n_sups > 0 || an->n_trap_exit > 0 || an->n_qf[1] > 0;
    an->q[2].answer = an->n_ets_shared > 0 || an->n_regs > 0 || an->n_waited > 0 || an->n_qf[2] > 0;
    an->q[3].answer = an->n_heavy == 0 && an->n_ets == 0 && busy_workers == 0 && an->n_waited == 0 && an->n_qf[3] == 0;

    /* Recommendation: "process needed" follows from the four answers; each part of the tree
     * a finding concerns gets the pattern for that part, never one for the whole app */
    an->process_needed = an->q[0].answer || an->q[1].answer || an->q[2].answer || !an->q[3].answer;
    if (an->root_sup == SNAP_NONE && has_spec(an, SPEC_REMOVE))
        an->process_needed = 0;
    an->n_patterns = 0;
    for (size_t i = 0; i < an->fidx.len; i++) {
        const finding *x = vec_at(&an->f->items, VEC_AT(&an->fidx, uint32_t, i));
        const rule *rr = rule_find(x->rule);
        an->n_patterns += x->severity > SEV_INFO && rr && rr->pattern;
    }
    if (!an->process_needed)
        an->pattern = "Functions (a plain module)";
    else if (an->root_sup != SNAP_NONE && an->n_dynamic_children > 0)
        an->pattern = an->n_regs ? "DynamicSupervisor + Registry" : "DynamicSupervisor";
    else if (an->root_sup != SNAP_NONE)
        an->pattern = "Supervisor";
    else {
        const snap_proc *p = snap_proc_at(s, an->proc);
        an->pattern = proc_is_agent(s, p) ? "Agent" : proc_is_task(s, p) ? "Task" : "GenServer";
    }
}

static void analysis_free(analysis *an)
{
    free(an->in);
    free(an->in_call);
    vec_free(&an->fidx);
}

static void setup(analysis *an, snap *s, const findings *f, uint32_t sup, uint32_t proc)
{
    memset(an, 0, sizeof *an);
    an->s = s;
    an->f = f;
    an->root_sup = sup;
    an->in = xcalloc(s->procs.len ? s->procs.len : 1, 1);
    if (sup != SNAP_NONE) {
        mark_sup(an, sup, 0);
        an->proc = snap_sup_at(s, sup)->proc;
        an->app = snap_sup_at(s, sup)->app;
    } else {
        an->proc = proc;
        an->in[proc] = 1;
        an->app = snap_proc_at(s, proc)->app;
    }
    if (an->proc != SNAP_NONE)
        snap_proc_label(s, snap_proc_at(s, an->proc), an->label, sizeof an->label);
    else
        snap_pid_text(s, snap_sup_at(s, sup)->pid, an->label, sizeof an->label);
    an->elixir = elixir_app(s, an->app);
    analyse(an);
}

int report_target_resolve(const snap *s, const char *target, report_target *t, char *err)
{
    memset(t, 0, sizeof *t);
    t->name = target;
    t->sup = t->proc = SNAP_NONE;
    if (target && (t->by = view_resolve_target(s, target, &t->sup, &t->proc, err)) < 0)
        return -1;
    return 0;
}

int report_sections(snap *s, const findings *f, const report_target *t, void (*fn)(analysis *, void *), void *ud)
{
    analysis an;
    const char *target = t->name;
    if (target) {
        setup(&an, s, f, t->sup, t->proc);
        for (size_t a = 0; a < s->apps.len; a++) /* an application is named as such */
            if (!strcmp(snap_str(s, ((snap_app *)vec_at(&s->apps, a))->name), target))
                snprintf(an.label, sizeof an.label, "%s", target);
        if (t->by == 1) { /* a module, as it was named: an unnamed supervisor has only its pid */
            char raw[300];
            snprintf(raw, sizeof raw, "%s%s", target[0] >= 'A' && target[0] <= 'Z' ? "Elixir." : "",
                     target[0] == ':' ? target + 1 : target);
            snap_display_atom(raw, an.label, sizeof an.label);
        }
        fn(&an, ud);
        analysis_free(&an);
        return 1;
    }
    int n = 0;
    for (size_t a = 0; a < s->apps.len; a++) {
        const snap_app *ap = vec_at(&s->apps, a);
        if (ap->runtime || ap->top_sup == SNAP_NONE)
            continue;
        setup(&an, s, f, ap->top_sup, SNAP_NONE);
        snprintf(an.label, sizeof an.label, "%s", snap_str(s, ap->name));
        fn(&an, ud);
        analysis_free(&an);
        n++;
    }
    return n;
}
