/* report.c — OTP Analysis reports. One analysis per target (computed once), rendered as
 * markdown or JSON; every number comes from the snapshot or a finding. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codegen.h"
#include "json.h"
#include "render.h"
#include "views.h"

typedef struct {
    int answer;       /* yes/no */
    strbuf evidence;  /* markdown-safe sentence(s) */
} question;

typedef struct {
    snap *s;
    const findings *f;
    uint32_t root_sup; /* SNAP_NONE: a single process */
    uint32_t proc;
    uint32_t app;
    char label[512];
    int elixir;
    uint8_t *in; /* process membership */
    /* numbers */
    uint32_t n_procs, n_sups, n_dynamic_children, n_trap_exit, n_named, n_idle, n_busy;
    uint32_t callers, restarts_recent, max_mq;
    double reds_rate, node_rate;
    uint32_t n_ets, n_ets_shared;
    uint32_t n_regs;
    vec fidx; /* uint32_t: findings concerning the target */
    question q[4];
    int process_needed;
    const char *pattern;
    strbuf patterns;
    strbuf rationale;
} analysis;

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

static double key_rate(const snap *s, const snap_proc *p) { return snap_reds_rate(s, p); }
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
static int top_procs(const analysis *an, double (*key)(const snap *, const snap_proc *), uint32_t *out, int k, double min)
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

static void proc_phrase(const analysis *an, uint32_t i, strbuf *out, int sep) { proc_phrase_d(an, i, out, sep, NULL); }

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
        sb_printf(&qc->evidence, "%s; ", s->has_sample2 ? "no process under the target ran 100 reductions/s in the window"
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
        sb_printf(&qi->evidence, "%s (%s %s, %d restarts in %d s) restarts a crashed child without its siblings%s",
                  an->label, sup_kind_name(sp->kind), sp->strategy ? snap_str(s, sp->strategy) : "", sp->intensity,
                  sp->period,
                  sp->strategy && !strcmp(snap_str(s, sp->strategy), "one_for_all")    ? " (one_for_all: all of them)"
                  : sp->strategy && !strcmp(snap_str(s, sp->strategy), "rest_for_one") ? " (rest_for_one: those after it)"
                                                                                        : "");
        sb_printf(&qi->evidence, "; %u supervisor%s below it", an->n_sups, an->n_sups == 1 ? "" : "s");
        if (an->restarts_recent)
            sb_printf(&qi->evidence, "; %u restart%s within their periods, so crashes are happening and being contained",
                      an->restarts_recent, an->restarts_recent == 1 ? "" : "s");
        sb_printf(&qi->evidence, "; %u process%s trap exits to clean up.", an->n_trap_exit, an->n_trap_exit == 1 ? "" : "es");
    } else {
        const snap_proc *p = snap_proc_at(s, an->proc);
        sb_printf(&qi->evidence, "a single %s, %s; it %s; %u link%s.", proc_kind_name(s, p),
                  proc_class_name((enum proc_class)p->cls),
                  (p->flags & PF_TRAP_EXIT) ? "traps exits (it cleans up when a linked process dies)" : "does not trap exits",
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
        sb_printf(&ql->evidence, "no process under the target holds more than 64 KB of heap, owns a table, runs 100 "
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

/* ---- children = [...] ---------------------------------------------------------------- */

static const char *finding_for_proc(const analysis *an, uint32_t proc, const char *rule_id, int *num)
{
    for (size_t i = 0; i < an->fidx.len; i++) {
        const finding *x = vec_at(&an->f->items, VEC_AT(&an->fidx, uint32_t, i));
        uint32_t p = x->proc;
        if (x->sup != SNAP_NONE && p == SNAP_NONE)
            p = snap_sup_at(an->s, x->sup)->proc;
        if (p == proc && (!rule_id || !strcmp(x->rule, rule_id))) {
            *num = (int)i + 1;
            return x->rule;
        }
    }
    return NULL;
}

/* A child id as a literal of the app's language: atoms by their text, other terms as
 * termtext wrote them in the node's language (valid source) unless the probe cut them
 * short or they hold a pid, ref, port or fun; then the fallback. */
static const char *id_literal(const analysis *an, const char *raw, const char *fallback, char *buf, size_t n)
{
    if (!raw[0] || strstr(raw, "...") || strstr(raw, "#Ref<") || strstr(raw, "#PID<") || strchr(raw, '<'))
        return fallback;
    char c = raw[0];
    if (c == '{' || c == '[' || c == '"' || c == '%' || (c >= '0' && c <= '9') || c == '-' || c == ':' ||
        c == '~' || (c == '#' && raw[1] == '{')) {
        if ((an->s->info.elixir_version != 0) == (an->elixir != 0)) { /* printed in the app's own language */
            snprintf(buf, n, "%s", raw);
            return buf;
        }
        return fallback;
    }
    return an->elixir ? cg_ex_atom(raw, buf, n) : cg_erl_atom(raw, buf, n);
}

static const char *restart_atom(int r)
{
    return r == RT_TEMPORARY ? "temporary" : r == RT_TRANSIENT ? "transient" : "permanent";
}

/* The child's real start, when the probe could print it (plain data, in the app's
 * language): "{Mod, :f, [args]}" / "{mod, f, [Args]}". NULL otherwise. */
static const char *start_literal(const analysis *an, const snap_child *ch, char *buf, size_t n)
{
    const snap *s = an->s;
    if (!ch->start_m || (s->info.elixir_version != 0) != (an->elixir != 0))
        return NULL;
    char m[300], f[300];
    if (an->elixir)
        snprintf(buf, n, "{%s, %s, %s}", cg_ex_atom(snap_str(s, ch->start_m), m, sizeof m),
                 cg_ex_atom(snap_str(s, ch->start_f), f, sizeof f), snap_str(s, ch->start_args));
    else
        snprintf(buf, n, "{%s, %s, %s}", cg_erl_atom(snap_str(s, ch->start_m), m, sizeof m),
                 cg_erl_atom(snap_str(s, ch->start_f), f, sizeof f), snap_str(s, ch->start_args));
    return strlen(buf) + 1 < n ? buf : NULL; /* cut short: not code */
}

/* the only element of a printed list "[X]" (X itself may hold commas), or NULL */
static const char *single_arg(const char *list, char *buf, size_t n)
{
    size_t len = strlen(list);
    if (len < 3 || list[0] != '[' || list[len - 1] != ']')
        return NULL;
    int depth = 0, str = 0;
    for (size_t i = 1; i + 1 < len; i++) {
        char c = list[i];
        if (str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                str = 0;
            continue;
        }
        if (c == '"')
            str = 1;
        else if (c == '[' || c == '{' || c == '(')
            depth++;
        else if (c == ']' || c == '}' || c == ')')
            depth--;
        else if (c == ',' && depth == 0)
            return NULL; /* two or more */
    }
    if (len - 2 >= n)
        return NULL;
    snprintf(buf, n, "%.*s", (int)(len - 2), list + 1);
    return buf;
}

static void ex_children(const analysis *an, uint32_t k, strbuf *out, strbuf *tests, int depth);

/* one child of an Elixir supervisor; `last` drops the comma */
static void ex_child(const analysis *an, const snap_child *ch, strbuf *out, strbuf *tests, int depth, int last)
{
    snap *s = an->s;
    char pad[64];
    snprintf(pad, sizeof pad, "%*s", 2 * depth, "");
    const char *sep = last ? "" : ",";
    char idb[512], modb[300], nameb[300], mod[256], startb[2048], argb[2048];
    const char *mods = snap_str(s, ch->modules);
    snprintf(mod, sizeof mod, "%.*s", (int)strcspn(mods, ","), mods);
    uint32_t own = ch->proc != SNAP_NONE ? snap_proc_at(s, ch->proc)->own_sup : SNAP_NONE;
    const snap_sup *cs = own != SNAP_NONE ? snap_sup_at(s, own) : NULL;
    const snap_proc *cp = ch->proc != SNAP_NONE ? snap_proc_at(s, ch->proc) : NULL;
    /* its registered name, when it has one: never a name the original did not have */
    const char *name = cp && cp->name ? cg_ex_atom(snap_str(s, cp->name), nameb, sizeof nameb) : NULL;
    const char *id = id_literal(an, snap_str(s, ch->id), mod[0] ? cg_ex_atom(mod, modb, sizeof modb) : ":child", idb, sizeof idb);
    int fnum = 0;
    const char *r = cp ? finding_for_proc(an, ch->proc, NULL, &fnum) : NULL;
    const rule *rr = r ? rule_find(r) : NULL;
    enum spec_change spec = rr ? rr->spec : SPEC_NONE;
    if (cs && cs->kind == SK_REGISTRY) {
        const snap_registry *rg = NULL;
        for (size_t i = 0; i < s->regs.len; i++)
            if (oa_pid_eq(((snap_registry *)vec_at(&s->regs, i))->sup, cs->pid))
                rg = vec_at(&s->regs, i);
        const char *kind = rg && rg->kind ? snap_str(s, rg->kind) : "unique";
        char rn[300];
        const char *rname = rg && rg->name ? cg_ex_atom(snap_str(s, rg->name), rn, sizeof rn) : name ? name : id;
        if (spec == SPEC_PARTITION_REGISTRY)
            sb_printf(out, "%s# was: {Registry, keys: :%s, name: %s} (F%d: %s)\n"
                           "%s{Registry, keys: :%s, name: %s, partitions: System.schedulers_online()}%s\n",
                      pad, kind, rname, fnum, r, pad, kind, rname, sep);
        else if (rg && rg->partitions > 1)
            sb_printf(out, "%s{Registry, keys: :%s, name: %s, partitions: %u}%s\n", pad, kind, rname, rg->partitions, sep);
        else
            sb_printf(out, "%s{Registry, keys: :%s, name: %s}%s\n", pad, kind, rname, sep);
        sb_printf(tests, "  start_supervised!({Registry, keys: :%s, name: %s})\n", kind, rname);
    } else if (cs && (cs->kind == SK_DYNAMIC || cs->kind == SK_TASK)) {
        const char *what = cs->kind == SK_TASK ? "Task.Supervisor" : "DynamicSupervisor";
        if (spec == SPEC_PARTITION_DYNSUP && name) {
            sb_printf(out, "%s# was: {%s, name: %s} (F%d: %s)\n"
                           "%s{PartitionSupervisor, child_spec: %s, name: %s}%s\n",
                      pad, what, name, fnum, r, pad, what, name, sep);
            sb_printf(tests, "  start_supervised!({PartitionSupervisor, child_spec: %s, name: %s})\n", what, name);
        } else if (start_literal(an, ch, startb, sizeof startb) && single_arg(snap_str(s, ch->start_args), argb, sizeof argb) &&
                   argb[0] == '[') {
            /* its own options, as it was started */
            sb_printf(out, "%s{%s, %s}%s\n", pad, what, argb, sep);
            sb_printf(tests, "  start_supervised!({%s, %s})\n", what, argb);
        } else if (name) {
            sb_printf(out, "%s{%s, name: %s}%s\n", pad, what, name, sep);
            sb_printf(tests, "  start_supervised!({%s, name: %s})\n", what, name);
        } else {
            sb_printf(out, "%sSupervisor.child_spec(%s, id: %s)%s\n", pad, what, id, sep);
        }
    } else if (cs && cs->kind == SK_PARTITION) {
        if (name)
            sb_printf(out, "%s{PartitionSupervisor, child_spec: DynamicSupervisor, name: %s}%s\n", pad, name, sep);
        else
            sb_printf(out, "%s# %s: a PartitionSupervisor whose name is not visible\n", pad, id);
    } else if (cs) {
        const char *cb = cs->callback ? snap_str(s, cs->callback) : "";
        if (cb[0] && strcmp(cb, "Elixir.Supervisor.Default") && cg_is_ex_alias(cb)) {
            sb_printf(out, "%s%s%s\n", pad, cg_ex_atom(cb, modb, sizeof modb), sep);
            sb_printf(tests, "  start_supervised!(%s)\n", modb);
        } else if (cb[0] && strcmp(cb, "Elixir.Supervisor.Default")) {
            sb_printf(out, "%s%%{id: %s, start: {%s, :start_link, []}, type: :supervisor}%s\n", pad, id,
                      cg_ex_atom(cb, modb, sizeof modb), sep);
        } else {
            /* a module-less Supervisor: its own children, inline */
            const char *strategy = cs->strategy ? snap_str(s, cs->strategy) : "one_for_one";
            sb_printf(out, "%s%%{\n%s  id: %s,\n%s  type: :supervisor,\n%s  start:\n%s    {Supervisor, :start_link,\n%s     [\n%s       [\n",
                      pad, pad, id, pad, pad, pad, pad, pad);
            ex_children(an, own, out, tests, depth + 4);
            sb_printf(out, "%s       ],\n%s       [strategy: :%s%s%s]\n%s     ]}\n%s}%s\n", pad, pad, strategy,
                      name ? ", name: " : "", name ? name : "", pad, pad, sep);
        }
    } else if (!strcmp(mod, "Elixir.Agent")) {
        if (r)
            sb_printf(out, "%s# F%d: %s, consider ETS\n", pad, fnum, r);
        sb_printf(out, "%s%%{id: %s, start: {Agent, :start_link, [fn -> %%{} end%s%s%s]}}%s\n", pad, id,
                  name ? ", [name: " : "", name ? name : "", name ? "]" : "", sep);
    } else if (!strcmp(mod, "Elixir.Task")) {
        sb_printf(out, "%s%%{id: %s, start: {Task, :start_link, [fn -> :ok end]}}%s\n", pad, id, sep);
    } else if (spec == SPEC_REMOVE &&
               ((const finding *)vec_at(&an->f->items, VEC_AT(&an->fidx, uint32_t, fnum - 1)))->severity >= SEV_WARNING) {
        char dm[256];
        snap_display_atom(mod, dm, sizeof dm);
        sb_printf(out, "%s# removed: %s (F%d: no runtime reason: make it a plain module)\n", pad, dm, fnum);
    } else if (mod[0] && cg_is_ex_alias(mod) && start_literal(an, ch, startb, sizeof startb) &&
               !(ch->start_m == strtab_find(&s->strs, mod, strlen(mod)) &&
                 !strcmp(snap_str(s, ch->start_f), "start_link") &&
                 (!strcmp(snap_str(s, ch->start_args), "[[]]") || single_arg(snap_str(s, ch->start_args), argb, sizeof argb)))) {
        /* started some other way than Mod.child_spec/1's default: the spec as it is */
        sb_printf(out, "%s%%{id: %s, start: %s, restart: :%s%s}%s", pad, id, startb, restart_atom(ch->restart),
                  ch->type ? ", type: :supervisor" : "", sep);
        if (r)
            sb_printf(out, "  # F%d: %s", fnum, r);
        sb_putc(out, '\n');
    } else if (mod[0] && cg_is_ex_alias(mod) && ch->start_m && strcmp(snap_str(s, ch->start_args), "[[]]") &&
               single_arg(snap_str(s, ch->start_args), argb, sizeof argb)) {
        /* Mod.child_spec(arg), whose default start is Mod.start_link(arg) */
        sb_printf(out, "%s{%s, %s}%s", pad, cg_ex_atom(mod, modb, sizeof modb), argb, sep);
        if (r)
            sb_printf(out, "  # F%d: %s", fnum, r);
        sb_putc(out, '\n');
        sb_printf(tests, "  start_supervised!({%s, %s})\n", modb, argb);
    } else if (mod[0] && cg_is_ex_alias(mod)) {
        sb_printf(out, "%s%s%s", pad, cg_ex_atom(mod, modb, sizeof modb), sep);
        if (r)
            sb_printf(out, "  # F%d: %s", fnum, r);
        sb_putc(out, '\n');
        sb_printf(tests, "  start_supervised!(%s)\n", modb);
    } else {
        const char *st = start_literal(an, ch, startb, sizeof startb);
        if (!st) {
            snprintf(startb, sizeof startb, "{%s, :start_link, []}", mod[0] ? cg_ex_atom(mod, modb, sizeof modb) : ":unknown_module");
            st = startb;
        }
        sb_printf(out, "%s%%{id: %s, start: %s, restart: :%s%s}%s", pad, id, st, restart_atom(ch->restart),
                  ch->type ? ", type: :supervisor" : "", sep);
        if (r)
            sb_printf(out, "  # F%d: %s", fnum, r);
        sb_putc(out, '\n');
    }
}

/* the children a supervisor lists, in start order (which_children gives the newest first) */
static void listed_children(const snap *s, const snap_sup *sp, vec *out)
{
    vec_init(out, sizeof(const snap_child *));
    for (uint32_t c = sp->n_children; c-- > 0;) {
        const snap_child *ch = &VEC_AT(&s->children, snap_child, sp->children + c);
        if (!strcmp(snap_str(s, ch->id), "undefined"))
            continue; /* dynamic children are started at run time, not listed */
        *(const snap_child **)vec_push(out) = ch;
    }
}

static void ex_children(const analysis *an, uint32_t k, strbuf *out, strbuf *tests, int depth)
{
    vec kids;
    listed_children(an->s, snap_sup_at(an->s, k), &kids);
    for (size_t i = 0; i < kids.len; i++)
        ex_child(an, VEC_AT(&kids, const snap_child *, i), out, tests, depth, i + 1 == kids.len);
    vec_free(&kids);
}

static void child_specs(const analysis *an, uint32_t k, strbuf *out, strbuf *tests)
{
    snap *s = an->s;
    const snap_sup *sp = snap_sup_at(s, k);
    const snap_proc *sproc = sp->proc != SNAP_NONE ? snap_proc_at(s, sp->proc) : NULL;
    const char *strategy = sp->strategy ? snap_str(s, sp->strategy) : "one_for_one";
    char nb[300];
    if (an->elixir) {
        sb_puts(out, "children = [\n");
        ex_children(an, k, out, tests, 1);
        sb_printf(out, "]\n\nSupervisor.start_link(children, strategy: :%s, max_restarts: %d, max_seconds: %d%s%s)\n",
                  strategy, sp->intensity, sp->period, sproc && sproc->name ? ", name: " : "",
                  sproc && sproc->name ? cg_ex_atom(snap_str(s, sproc->name), nb, sizeof nb) : "");
        return;
    }
    sb_puts(out, "init([]) ->\n    Children = [\n");
    vec kids;
    listed_children(s, sp, &kids);
    for (size_t i = 0; i < kids.len; i++) {
        const snap_child *ch = VEC_AT(&kids, const snap_child *, i);
        char idb[512], modb[300], mod[256];
        const char *mods = snap_str(s, ch->modules);
        snprintf(mod, sizeof mod, "%.*s", (int)strcspn(mods, ","), mods);
        const char *modlit = mod[0] && strcmp(mod, "dynamic") ? cg_erl_atom(mod, modb, sizeof modb) : "my_module";
        const char *id = id_literal(an, snap_str(s, ch->id), modlit, idb, sizeof idb);
        char startb[2048];
        const char *st = start_literal(an, ch, startb, sizeof startb);
        if (!st) {
            snprintf(startb, sizeof startb, "{%s, start_link, []}", modlit);
            st = startb;
        }
        sb_printf(out, "        #{id => %s, start => %s, restart => %s, type => %s}%s\n", id, st,
                  restart_atom(ch->restart), ch->type ? "supervisor" : "worker", i + 1 < kids.len ? "," : "");
        if (!ch->type && ch->start_m && start_literal(an, ch, startb, sizeof startb))
            sb_printf(tests, "    {ok, _} = apply(%s, %s, %s),\n", modlit,
                      cg_erl_atom(snap_str(s, ch->start_f), idb, sizeof idb), snap_str(s, ch->start_args));
        else if (!ch->type && mod[0] && strcmp(mod, "dynamic"))
            sb_printf(tests, "    {ok, _} = %s:start_link(),\n", modlit);
    }
    vec_free(&kids);
    sb_printf(out, "    ],\n    {ok, {#{strategy => %s, intensity => %d, period => %d}, Children}}.\n", strategy,
              sp->intensity, sp->period);
}

/* ---- markdown ------------------------------------------------------------------------ */

/* an evidence value for people: bytes in units, counts with separators, fractions short */
static void ev_text(const evidence *e, char *buf, size_t n)
{
    double v = e->value;
    if (!strcmp(e->unit, "B")) {
        fmt_bytes(v < 0 ? 0 : (uint64_t)v, buf, n);
        return;
    }
    char num[40];
    if (v >= 100 || v <= -100 || v == (double)(int64_t)v)
        fmt_num(v < 0 ? 0 : (uint64_t)(v + 0.5), num, sizeof num);
    else
        snprintf(num, sizeof num, "%.2f", v);
    snprintf(buf, n, "%s%s%s", num, e->unit[0] ? " " : "", e->unit);
}

static void md_escape(strbuf *out, const char *t)
{
    for (; *t; t++) {
        if (*t == '|' || *t == '*' || *t == '_' || *t == '`' || *t == '<' || *t == '>' || *t == '[' || *t == ']')
            sb_putc(out, '\\');
        sb_putc(out, *t);
    }
}

static void md_recommendation(strbuf *out, const char *rec, int elixir)
{
    /* prose lines as text, lines indented by two spaces as a code block */
    const char *p = rec;
    int in_code = 0;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        int code = n >= 2 && p[0] == ' ' && p[1] == ' ';
        if (code && !in_code) {
            sb_printf(out, "\n```%s\n", elixir ? "elixir" : "erlang");
            in_code = 1;
        } else if (!code && in_code) {
            sb_puts(out, "```\n\n");
            in_code = 0;
        }
        if (code)
            sb_add(out, p + 2, n - 2);
        else
            sb_add(out, p, n);
        sb_putc(out, '\n');
        p += n + (eol ? 1 : 0);
    }
    if (in_code)
        sb_puts(out, "```\n");
}

static void md_section(analysis *an, strbuf *out, int level)
{
    snap *s = an->s;
    const char *h = level == 1 ? "#" : "##";
    const char *h2 = level == 1 ? "##" : "###";
    sb_printf(out, "%s OTP Analysis: %s\n\n", h, an->label);
    /* Requirement */
    char when[64] = "unknown time";
    time_t t = (time_t)(s->info.collected_at_ms / 1000);
    struct tm tmv;
    if (s->info.collected_at_ms > 0 && gmtime_r(&t, &tmv))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tmv);
    strbuf path;
    sb_init(&path);
    if (an->proc != SNAP_NONE)
        snap_proc_path(s, snap_proc_at(s, an->proc), &path);
    sb_printf(out, "%s Requirement\n\n", h2);
    sb_printf(out, "Decide whether `%s` (%s%s%s) needs its processes, and which OTP pattern fits, from the live system: "
                   "node `%s`, OTP %s%s%s, inspected at %s by otp-advisor %s (%s), %s.\n\n",
              an->label, an->root_sup != SNAP_NONE ? "a supervision tree" : "a process", path.len ? " at " : "",
              path.buf, snap_str(s, s->info.node), snap_str(s, s->info.otp_release),
              s->info.elixir_version ? ", Elixir " : "", s->info.elixir_version ? snap_str(s, s->info.elixir_version) : "",
              when, snap_str(s, s->info.tool_version), snap_str(s, s->info.method),
              s->has_sample2 ? "two samples" : "one sample (no rates)");
    if (s->has_sample2)
        sb_printf(out, "Sampling window: %.2f s between the two process walks.\n\n", (double)s->info.sample_gap_us / 1e6);
    sb_free(&path);
    /* Context */
    static const char *qs[4] = {"Does this need concurrency?", "Does this need isolation?", "Does this need shared state?",
                                "Is this stateless?"};
    sb_printf(out, "%s BEAM Architecture Context\n\n", h2);
    for (int i = 0; i < 4; i++) {
        sb_printf(out, "- **%s** %s — ", qs[i], an->q[i].answer ? "yes" : "no");
        md_escape(out, an->q[i].evidence.buf);
        sb_putc(out, '\n');
    }
    sb_putc(out, '\n');
    /* Recommendation */
    sb_printf(out, "%s Recommendation\n\n", h2);
    sb_printf(out, "**Process needed**: %s\n\n", an->process_needed ? "YES" : "NO");
    if (strchr(an->pattern, '\n') || an->patterns.len) {
        /* one pattern per part of the tree a finding concerns */
        sb_puts(out, "**Pattern**, for each part of the tree a finding concerns:\n\n");
        for (const char *l = an->pattern; *l;) {
            const char *e = strchr(l, '\n');
            size_t n = e ? (size_t)(e - l) : strlen(l);
            char line[1024];
            snprintf(line, sizeof line, "%.*s", (int)n, l);
            sb_puts(out, "- ");
            md_escape(out, line);
            sb_putc(out, '\n');
            l += n + (e ? 1 : 0);
        }
        sb_puts(out, "\n**Rationale**: ");
    } else {
        sb_puts(out, "**Pattern**: ");
        md_escape(out, an->pattern);
        sb_puts(out, "\n\n**Rationale**: ");
    }
    md_escape(out, an->rationale.buf);
    sb_puts(out, "\n\n");
    /* Tree */
    sb_printf(out, "%s Supervision Tree\n\n```text\n", h2);
    render_ctx c;
    render_ctx_default(&c);
    view_marks m = {s, an->f, {0}};
    sb_init(&m.tmp);
    c.mark = view_mark;
    c.mark_ud = &m;
    if (an->root_sup != SNAP_NONE)
        render_tree(s, an->root_sup, &c, out);
    else {
        const snap_proc *p = snap_proc_at(s, an->proc);
        if (p->sup != SNAP_NONE)
            render_tree(s, p->sup, &c, out);
        else
            sb_printf(out, "%s is outside every supervision tree (%s)\n", an->label, proc_class_name((enum proc_class)p->cls));
    }
    sb_free(&m.tmp);
    sb_puts(out, "```\n\n");
    strbuf tests;
    sb_init(&tests);
    uint32_t spec_sup = an->root_sup != SNAP_NONE ? an->root_sup : snap_proc_at(s, an->proc)->sup;
    if (spec_sup != SNAP_NONE) {
        sb_printf(out, "The children that rebuild it, with the recommended changes applied:\n\n```%s\n",
                  an->elixir ? "elixir" : "erlang");
        child_specs(an, spec_sup, out, &tests);
        sb_puts(out, "```\n\n");
    }
    /* Findings */
    sb_printf(out, "%s Findings\n\n", h2);
    if (!an->fidx.len)
        sb_puts(out, "None: nothing in this target trips a rule.\n\n");
    else {
        sb_puts(out, "| # | Severity | Rule | Subject | Evidence |\n|---|---|---|---|---|\n");
        for (size_t i = 0; i < an->fidx.len; i++) {
            const finding *x = vec_at(&an->f->items, VEC_AT(&an->fidx, uint32_t, i));
            sb_printf(out, "| F%zu | %s | `%s` | ", i + 1, severity_name(x->severity), x->rule);
            md_escape(out, x->subject);
            sb_puts(out, " | ");
            for (int e = 0; e < x->n_ev; e++) {
                char v[48];
                ev_text(&x->ev[e], v, sizeof v);
                sb_printf(out, "%s%s %s", e ? ", " : "", x->ev[e].key, v);
            }
            sb_puts(out, " |\n");
        }
        sb_putc(out, '\n');
        for (size_t i = 0; i < an->fidx.len; i++) {
            const finding *x = vec_at(&an->f->items, VEC_AT(&an->fidx, uint32_t, i));
            sb_printf(out, "**F%zu — %s** (%s) ", i + 1, x->rule, severity_name(x->severity));
            md_escape(out, x->subject);
            if (x->path[0]) {
                sb_puts(out, ", at ");
                md_escape(out, x->path);
            }
            sb_puts(out, "\n\n");
            md_escape(out, x->summary);
            sb_puts(out, "\n\n");
            md_recommendation(out, x->recommendation, an->elixir);
            sb_putc(out, '\n');
        }
    }
    /* Testing */
    sb_printf(out, "%s Testing Approach\n\n", h2);
    if (an->elixir) {
        sb_puts(out, "```elixir\ntest \"");
        for (const char *lc = an->label; *lc; lc++) /* inside an Elixir string */
            sb_printf(out, "%s%c", *lc == '"' || *lc == '\\' || *lc == '#' ? "\\" : "", *lc);
        sb_puts(out, " starts and serves\" do\n");
        if (tests.len)
            sb_puts(out, tests.buf);
        sb_puts(out, "  # exercise it here\nend\n```\n\n");
    } else {
        char fn[300];
        sb_printf(out, "```erlang\n%s_test() ->\n", an->label[0] == '<' ? "target" : cg_snake(an->label, fn, sizeof fn));
        if (tests.len)
            sb_puts(out, tests.buf);
        sb_puts(out, "    ok.\n```\n\n");
    }
    sb_free(&tests);
}

/* Run fn over the target's analysis, or over each application of yours; returns how many
 * sections, or -1 with err set. */
static int each_section(snap *s, const findings *f, const char *target, void (*fn)(analysis *, void *), void *ud,
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

static void md_top(analysis *an, void *out) { md_section(an, out, 1); }
static void md_app(analysis *an, void *out) { md_section(an, out, 2); }

int report_markdown(snap *s, const findings *f, const char *target, strbuf *out, char *err)
{
    if (target)
        return each_section(s, f, target, md_top, out, err) < 0 ? -1 : 0;
    sb_printf(out, "# OTP Analysis: node %s\n\n", snap_str(s, s->info.node));
    sb_printf(out, "One section per application (the runtime's own — kernel, stdlib, elixir, logger — left out). "
                   "%zu processes, %lld schedulers.\n\n",
              s->procs.len, (long long)s->info.schedulers);
    if (each_section(s, f, NULL, md_app, out, err) == 0)
        sb_puts(out, "No application of yours runs on this node.\n");
    return 0;
}

static void json_section(analysis *an, json_w *j)
{
    snap *s = an->s;
    static const char *keys[4] = {"concurrency", "isolation", "shared_state", "stateless"};
    json_obj(j);
    json_kstr(j, "target", an->label);
    json_kstr(j, "kind", an->root_sup != SNAP_NONE ? "supervisor" : "process");
    json_key(j, "numbers");
    json_obj(j);
    json_kint(j, "processes", an->n_procs);
    json_kint(j, "supervisors", an->n_sups);
    json_kint(j, "dynamic_children", an->n_dynamic_children);
    json_kint(j, "busy_processes", an->n_busy);
    json_knum(j, "reductions_per_s", an->reds_rate);
    json_kint(j, "callers_waiting_max", an->callers);
    json_kint(j, "longest_queue", an->max_mq);
    json_kint(j, "restarts_in_period", an->restarts_recent);
    json_kint(j, "trap_exit", an->n_trap_exit);
    json_kint(j, "ets_tables", an->n_ets);
    json_kint(j, "ets_shared", an->n_ets_shared);
    json_kint(j, "named_processes", an->n_named);
    json_kint(j, "registries", an->n_regs);
    json_kint(j, "idle_workers", an->n_idle);
    json_kint(j, "schedulers", s->info.schedulers);
    json_obj_end(j);
    json_key(j, "context");
    json_obj(j);
    for (int i = 0; i < 4; i++) {
        json_key(j, keys[i]);
        json_obj(j);
        json_kbool(j, "answer", an->q[i].answer);
        json_kstr(j, "evidence", an->q[i].evidence.buf);
        json_obj_end(j);
    }
    json_obj_end(j);
    json_key(j, "recommendation");
    json_obj(j);
    json_kbool(j, "process_needed", an->process_needed);
    json_kstr(j, "pattern", an->pattern);
    /* one entry per part of the tree a finding concerns (version 2) */
    json_key(j, "patterns");
    json_arr(j);
    for (const char *l = an->patterns.len ? an->patterns.buf : ""; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)n, l);
        json_str(j, line);
        l += n + (e ? 1 : 0);
    }
    json_arr_end(j);
    json_kstr(j, "rationale", an->rationale.buf);
    json_obj_end(j);
    json_key(j, "findings");
    json_arr(j);
    for (size_t i = 0; i < an->fidx.len; i++) {
        const finding *x = vec_at(&an->f->items, VEC_AT(&an->fidx, uint32_t, i));
        json_obj(j);
        char id[32];
        snprintf(id, sizeof id, "F%zu", i + 1);
        json_kstr(j, "id", id);
        json_kstr(j, "rule", x->rule);
        json_kstr(j, "severity", severity_name(x->severity));
        json_kstr(j, "subject", x->subject);
        json_kstr(j, "pid", x->pid);
        json_key(j, "evidence");
        json_obj(j);
        for (int e = 0; e < x->n_ev; e++)
            json_knum(j, x->ev[e].key, x->ev[e].value);
        json_obj_end(j);
        json_obj_end(j);
    }
    json_arr_end(j);
    strbuf specs, tests;
    sb_init(&specs);
    sb_init(&tests);
    uint32_t spec_sup = an->root_sup != SNAP_NONE ? an->root_sup : snap_proc_at(s, an->proc)->sup;
    if (spec_sup != SNAP_NONE)
        child_specs(an, spec_sup, &specs, &tests);
    json_kstr(j, "children", specs.buf);
    json_kstr(j, "tests", tests.buf);
    sb_free(&specs);
    sb_free(&tests);
    json_obj_end(j);
}

static void json_each(analysis *an, void *j) { json_section(an, j); }

int report_json(snap *s, const findings *f, const char *target, strbuf *out, char *err)
{
    uint32_t sup, proc;
    if (target && snap_resolve_target(s, target, &sup, &proc, err))
        return -1;
    json_w j;
    json_init(&j, out, 1);
    json_obj(&j);
    json_kstr(&j, "schema", "otp-advisor/report/2");
    json_kstr(&j, "node", snap_str(s, s->info.node));
    json_kstr(&j, "otp_release", snap_str(s, s->info.otp_release));
    if (s->info.elixir_version)
        json_kstr(&j, "elixir_version", snap_str(s, s->info.elixir_version));
    json_kint(&j, "collected_at_ms", s->info.collected_at_ms);
    json_kint(&j, "window_us", s->has_sample2 ? s->info.sample_gap_us : 0);
    json_key(&j, "sections");
    json_arr(&j);
    each_section(s, f, target, json_each, &j, err);
    json_arr_end(&j);
    json_obj_end(&j);
    sb_putc(out, '\n');
    return 0;
}
