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
        if (snap_proc_at(s, i)->sup == k)
            an->in[i] = 1;
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

/* "Zoo.Cache (GenServer, DETAIL)" or "Staged.Client <0.1.0> (Task, a dynamic child of
 * Staged.Clients, DETAIL)"; DETAIL may be NULL */
static void proc_phrase_d(const analysis *an, uint32_t i, strbuf *out, int sep, const char *detail)
{
    const snap *s = an->s;
    const snap_proc *p = snap_proc_at(s, i);
    char b[256];
    if (p->name || p->alt_name)
        snap_proc_label(s, p, b, sizeof b);
    else {
        char pid[64];
        proc_module_name(s, p, b, sizeof b);
        snap_pid_text(s, p->pid, pid, sizeof pid);
        snprintf(b + strlen(b), sizeof b - strlen(b), " %s", pid);
    }
    sb_printf(out, "%s%s (%s", sep ? ", " : "", b, proc_kind_name(s, p));
    if (p->sup != SNAP_NONE) {
        const snap_sup *sp = snap_sup_at(s, p->sup);
        if (sp->proc != SNAP_NONE && snap_sup_has_siblings(s, sp)) {
            char sb2[256];
            snap_proc_label(s, snap_proc_at(s, sp->proc), sb2, sizeof sb2);
            sb_printf(out, ", a dynamic child of %s", sb2);
        }
    }
    if (detail)
        sb_printf(out, ", %s", detail);
    sb_putc(out, ')');
}

static void proc_phrase(const analysis *an, uint32_t i, strbuf *out, int sep)
{
    proc_phrase_d(an, i, out, sep, NULL);
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

    /* the four questions: each answer names the processes behind it, what they do and the
     * runtime property that decides it, so a reader can check it on the node */
    for (int i = 0; i < 4; i++)
        sb_init(&an->q[i].evidence);
    uint32_t top_busy[3], top_callers[3], top_heap[3];
    int nb = top_procs(an, key_rate, top_busy, 3, 100);
    int nc = top_procs(an, key_callers, top_callers, 3, 2);
    int nh = top_procs(an, key_heap, top_heap, 3, 65536);
    char n1[32];
    question *qc = &an->q[0];
    qc->answer = nb > 0 || an->n_dynamic_children >= 2 || nc > 0;
    if (nb) {
        sb_puts(&qc->evidence, "busiest: ");
        for (int i = 0; i < nb; i++) {
            const snap_proc *p = snap_proc_at(s, top_busy[i]);
            char d[64];
            snprintf(d, sizeof d, "%s reductions/s", (fmt_rate(snap_reds_rate(s, p), n1, sizeof n1), n1));
            proc_phrase_d(an, top_busy[i], &qc->evidence, i, d);
        }
        sb_puts(&qc->evidence, "; ");
    } else
        sb_printf(&qc->evidence, "%s; ",
                  s->has_sample2 ? "no process under the target ran 100 reductions/s in the window"
                                 : "one sample: rates unknown");
    if (nc) {
        sb_puts(&qc->evidence, "callers wait on ");
        for (int i = 0; i < nc; i++) {
            const snap_proc *p = snap_proc_at(s, top_callers[i]);
            char d[64];
            snprintf(d, sizeof d, "%u waiting", p->monby2 > p->monby ? p->monby2 : p->monby);
            proc_phrase_d(an, top_callers[i], &qc->evidence, i, d);
        }
        sb_puts(&qc->evidence, "; ");
    }
    fmt_num(an->n_dynamic_children, n1, sizeof n1);
    sb_printf(&qc->evidence, "%s dynamic children started on demand; %lld schedulers run them in parallel.", n1,
              (long long)s->info.schedulers);
    question *qi = &an->q[1];
    qi->answer = an->n_sups > 0 || an->n_trap_exit > 0;
    if (an->root_sup != SNAP_NONE) {
        const snap_sup *sp = snap_sup_at(s, an->root_sup);
        sb_printf(
            &qi->evidence, "%s (%s %s, %d restarts in %d s) restarts a crashed child without its siblings%s", an->label,
            sup_kind_name(sp->kind), sp->strategy ? snap_str(s, sp->strategy) : "", sp->intensity, sp->period,
            sp->strategy && !strcmp(snap_str(s, sp->strategy), "one_for_all")    ? " (one_for_all: all of them)"
            : sp->strategy && !strcmp(snap_str(s, sp->strategy), "rest_for_one") ? " (rest_for_one: those after it)"
                                                                                 : "");
        sb_printf(&qi->evidence, "; %u supervisor%s below it", an->n_sups, an->n_sups == 1 ? "" : "s");
        if (an->restarts_recent)
            sb_printf(&qi->evidence,
                      "; %u restart%s within their periods, so crashes are happening and being contained",
                      an->restarts_recent, an->restarts_recent == 1 ? "" : "s");
        sb_printf(&qi->evidence, "; %u process%s trap exits to clean up.", an->n_trap_exit,
                  an->n_trap_exit == 1 ? "" : "es");
    } else {
        const snap_proc *p = snap_proc_at(s, an->proc);
        sb_printf(&qi->evidence, "a single %s, %s; it %s; %u link%s.", proc_kind_name(s, p),
                  proc_class_name((enum proc_class)p->cls),
                  (p->flags & PF_TRAP_EXIT) ? "traps exits (it cleans up when a linked process dies)"
                                            : "does not trap exits",
                  p->n_links, p->n_links == 1 ? "" : "s");
    }
    question *qs = &an->q[2];
    qs->answer = an->n_ets_shared > 0 || an->n_regs > 0 || nc > 0;
    int said = 0;
    for (size_t e = 0; e < s->ets.len && said < 3; e++) {
        const snap_ets *t = vec_at(&s->ets, e);
        if (t->owner_proc == SNAP_NONE || !an->in[t->owner_proc] || !strcmp(snap_str(s, t->protection), "private"))
            continue;
        char tn[256];
        snap_display_atom(snap_str(s, t->named ? t->name : t->id), tn, sizeof tn);
        sb_printf(&qs->evidence, "%sETS table %s (%s, %llu rows) owned by ", said ? "; " : "", tn,
                  snap_str(s, t->protection), (unsigned long long)t->size);
        proc_phrase(an, t->owner_proc, &qs->evidence, 0);
        said++;
    }
    for (size_t r = 0; r < s->regs.len && said < 5; r++) {
        const snap_registry *rg = vec_at(&s->regs, r);
        uint32_t p = snap_find_pid(s, rg->sup);
        if (p == SNAP_NONE || !an->in[p])
            continue;
        char rn[256];
        snap_display_atom(snap_str(s, rg->name), rn, sizeof rn);
        sb_printf(&qs->evidence, "%sRegistry %s (%llu keys) names processes for others to find", said ? "; " : "", rn,
                  (unsigned long long)rg->key_count);
        said++;
    }
    for (int i = 0; i < nc && said < 6; i++, said++) {
        sb_puts(&qs->evidence, said ? "; " : "");
        proc_phrase(an, top_callers[i], &qs->evidence, 0);
        sb_puts(&qs->evidence, " is state that other processes call for");
    }
    sb_puts(&qs->evidence, said ? "." : "no table others read, no Registry, nobody waiting on a process here.");
    question *ql = &an->q[3];
    ql->answer = nh == 0 && an->n_ets == 0 && nb == 0 && nc == 0;
    if (!ql->answer) {
        sb_puts(&ql->evidence, "state lives in ");
        int k = 0;
        for (int i = 0; i < nh; i++, k++) {
            char hb[32], d[64];
            fmt_bytes(snap_proc_at(s, top_heap[i])->heap, hb, sizeof hb);
            snprintf(d, sizeof d, "%s heap", hb);
            proc_phrase_d(an, top_heap[i], &ql->evidence, k, d);
        }
        if (an->n_ets)
            sb_printf(&ql->evidence, "%s%u ETS table%s", k++ ? ", " : "", an->n_ets, an->n_ets == 1 ? "" : "s");
        for (int i = 0; i < nc && k < 4; i++, k++) {
            sb_puts(&ql->evidence, k ? ", " : "");
            proc_phrase(an, top_callers[i], &ql->evidence, 0);
        }
        if (!k)
            sb_puts(&ql->evidence, "its busy processes, which work between messages");
        sb_puts(&ql->evidence, ".");
    } else
        sb_printf(&ql->evidence,
                  "no process under the target holds more than 64 KB of heap, owns a table, runs 100 "
                  "reductions/s or has callers waiting%s.",
                  s->has_sample2 ? " in the window" : " (one sample: traffic unknown)");

    /* Recommendation: "process needed" follows from the four answers; each part of the tree
     * a finding concerns gets the pattern for that part, never one for the whole app */
    sb_init(&an->rationale);
    an->process_needed = qc->answer || qi->answer || qs->answer || !ql->answer;
    if (an->root_sup == SNAP_NONE && has_spec(an, SPEC_REMOVE))
        an->process_needed = 0;
    an->pattern = NULL;
    sb_init(&an->patterns);
    int npat = 0;
    for (size_t i = 0; i < an->fidx.len; i++) {
        const finding *x = vec_at(&an->f->items, VEC_AT(&an->fidx, uint32_t, i));
        if (x->severity == SEV_INFO)
            continue;
        const rule *rr = rule_find(x->rule);
        if (rr && rr->pattern) {
            sb_printf(&an->patterns, "%s%s%s%s: %s (F%zu)", npat ? "\n" : "", x->subject, x->path[0] ? " at " : "",
                      x->path, rr->pattern, i + 1);
            npat++;
        }
    }
    if (npat)
        an->pattern = an->patterns.buf;
    else {
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
        sb_printf(&an->rationale, "No finding above info concerns this target: its shape matches the framework (%s). ",
                  an->pattern);
    }
    if (an->process_needed) {
        sb_puts(&an->rationale, "Processes are justified by ");
        int r = 0;
        if (qc->answer)
            sb_printf(&an->rationale, "%sconcurrent work (concurrency)", r++ ? ", " : "");
        if (qi->answer)
            sb_printf(&an->rationale, "%sfailures contained by supervisors (isolation)", r++ ? ", " : "");
        if (qs->answer)
            sb_printf(&an->rationale, "%sstate other processes share (shared state)", r++ ? ", " : "");
        if (!ql->answer)
            sb_printf(&an->rationale, "%sstate kept between operations (not stateless)", r++ ? ", " : "");
        sb_puts(&an->rationale, ", as the context above names.");
        if (npat)
            sb_puts(&an->rationale, " Each change above applies to the part of the tree it names; the rest stays.");
    } else
        sb_puts(&an->rationale, "Its processes hold no state, share nothing and see no traffic: the framework says "
                                "no process without a runtime reason.");
}

static void analysis_free(analysis *an)
{
    free(an->in);
    vec_free(&an->fidx);
    for (int i = 0; i < 4; i++)
        sb_free(&an->q[i].evidence);
    sb_free(&an->rationale);
    sb_free(&an->patterns);
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
