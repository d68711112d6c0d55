/* report_analysis.c — one analysis per target (see report_analysis.h): every number from
 * the snapshot or a finding, every answer decided by them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen.h"
#include "fmt.h"
#include "report_analysis.h"

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

static double key_rate(const snap *s, const snap_proc *p)
{
    return snap_reds_rate(s, p);
}
static double key_callers(const snap *s, const snap_proc *p)
{
    (void)s;
    return p->monby2 > p->monby ? p->monby2 : p->monby;
}
static double key_heap(const snap *s, const snap_proc *p)
{
    (void)s;
    return (double)p->heap;
}

/* the k processes of the target with the highest key, at least min; returns how many */
static int top_procs(const analysis *an, double (*key)(const snap *, const snap_proc *), uint32_t *out, int k,
                     double min)
{
    int n = 0;
    for (uint32_t i = 0; i < an->s->procs.len; i++) {
        if (!an->in[i])
            continue;
        const snap_proc *p = snap_proc_at(an->s, i);
        if (p->own_sup != SNAP_NONE)
            continue; /* supervisors are the tree, not its work or state */
        double v = key(an->s, p);
        if (v < min)
            continue;
        int at = n < k ? n++ : k;
        if (at == k && v <= key(an->s, snap_proc_at(an->s, out[k - 1])))
            continue;
        if (at == k)
            at = k - 1;
        while (at > 0 && key(an->s, snap_proc_at(an->s, out[at - 1])) < v) {
            out[at] = out[at - 1];
            at--;
        }
        out[at] = i;
    }
    return n;
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
    vec_init(&an->fidx, sizeof(uint32_t));
    for (uint32_t i = 0; i < an->f->items.len; i++)
        if (finding_in(an, vec_at(&an->f->items, i)))
            *(uint32_t *)vec_push(&an->fidx) = i;

    /* the four questions, answered from numbers; the processes behind each answer are
     * kept for the renderers to name (report_prose.c) */
    an->n_busy_top = top_procs(an, key_rate, an->busy, AN_TOP, 100);
    an->n_waited = top_procs(an, key_callers, an->waited, AN_TOP, 2);
    an->n_heavy = top_procs(an, key_heap, an->heavy, AN_TOP, 65536);
    an->q[0].answer = an->n_busy_top > 0 || an->n_dynamic_children >= 2 || an->n_waited > 0;
    an->q[1].answer = an->n_sups > 0 || an->n_trap_exit > 0;
    an->q[2].answer = an->n_ets_shared > 0 || an->n_regs > 0 || an->n_waited > 0;
    an->q[3].answer = an->n_heavy == 0 && an->n_ets == 0 && an->n_busy_top == 0 && an->n_waited == 0;

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
    vec_free(&an->fidx);
}

static int setup(analysis *an, snap *s, const findings *f, uint32_t sup, uint32_t proc, char *err)
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
    (void)err;
    analyse(an);
    return 0;
}

int report_each_section(snap *s, const findings *f, const char *target, void (*fn)(analysis *, void *), void *ud,
                        char *err)
{
    analysis an;
    if (target) {
        uint32_t sup, proc;
        if (snap_resolve_target(s, target, &sup, &proc, err))
            return -1;
        setup(&an, s, f, sup, proc, err);
        for (size_t a = 0; a < s->apps.len; a++) /* an application is named as such */
            if (!strcmp(snap_str(s, ((snap_app *)vec_at(&s->apps, a))->name), target))
                snprintf(an.label, sizeof an.label, "%s", target);
        fn(&an, ud);
        analysis_free(&an);
        return 1;
    }
    int n = 0;
    for (size_t a = 0; a < s->apps.len; a++) {
        const snap_app *ap = vec_at(&s->apps, a);
        if (ap->runtime || ap->top_sup == SNAP_NONE)
            continue;
        setup(&an, s, f, ap->top_sup, SNAP_NONE, err);
        snprintf(an.label, sizeof an.label, "%s", snap_str(s, ap->name));
        fn(&an, ud);
        analysis_free(&an);
        n++;
    }
    return n;
}
