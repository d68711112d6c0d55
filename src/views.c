/* views.c — see views.h. */
#include "views.h"
#include "source.h"

#include "render_findings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOLD(c) ((c)->color ? "\033[1m" : "")
#define DIM(c) ((c)->color ? "\033[2m" : "")
#define RESET(c) ((c)->color ? "\033[0m" : "")

int top_sort_parse(const char *s)
{
    if (!strcmp(s, "mq"))
        return TOP_MQ;
    if (!strcmp(s, "reds"))
        return TOP_REDS;
    if (!strcmp(s, "rate"))
        return TOP_RATE;
    if (!strcmp(s, "mem"))
        return TOP_MEM;
    return -1;
}

uint32_t view_resolve_tree(const snap *s, const char *what, char *err)
{
    uint32_t sup, p;
    if (view_resolve_target(s, what, &sup, &p, err) < 0)
        return SNAP_NONE;
    if (sup != SNAP_NONE)
        return sup;
    const snap_proc *pr = snap_proc_at(s, p);
    if (pr->sup != SNAP_NONE)
        return pr->sup;
    return errf(err, "%s is not in a supervision tree (%s)", what, proc_class_name((enum proc_class)pr->cls)),
           SNAP_NONE;
}

static double key_of(const snap *s, const snap_proc *p, int key)
{
    switch (key) {
    case TOP_MQ:
        return snap_mq_now(p);
    case TOP_REDS:
        return (double)(snap_reds_now(p));
    case TOP_RATE:
        return snap_reds_rate(s, p);
    default:
        return (double)(snap_mem_now(p));
    }
}

/* the n largest by key, largest first: a bounded min-heap, so a 1M-process snapshot costs
 * one pass and no full sort (the shell's budget is 50 ms a command at 1M processes) */
typedef struct {
    double k;
    uint32_t i;
} top_ent;

static void heap_down(top_ent *h, int n, int at)
{
    for (;;) {
        int l = 2 * at + 1, r = l + 1, m = at;
        if (l < n && h[l].k < h[m].k)
            m = l;
        if (r < n && h[r].k < h[m].k)
            m = r;
        if (m == at)
            return;
        top_ent t = h[at];
        h[at] = h[m];
        h[m] = t;
        at = m;
    }
}

void view_top(const snap *s, int sort, int n, const render_ctx *c, strbuf *out)
{
    int key = sort == TOP_RATE && !s->has_sample2 ? TOP_REDS : sort;
    if (n < 0)
        n = 0;
    top_ent *h = xmalloc((size_t)(n ? n : 1) * sizeof *h);
    int m = 0;
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_proc *p = snap_proc_at(s, i);
        if (p->cls == PC_ADVISOR) /* this tool's own collector */
            continue;
        double k = key_of(s, p, key);
        if (m < n) {
            h[m].k = k;
            h[m].i = i;
            m++;
            if (m == n)
                for (int a = n / 2 - 1; a >= 0; a--)
                    heap_down(h, n, a);
        } else if (n > 0 && k > h[0].k) {
            h[0].k = k;
            h[0].i = i;
            heap_down(h, n, 0);
        }
    }
    if (m < n)
        for (int a = m / 2 - 1; a >= 0; a--)
            heap_down(h, m, a);
    /* pop smallest first into the tail: largest first in order */
    uint32_t *idx = xmalloc((size_t)(m ? m : 1) * sizeof *idx);
    for (int left = m; left > 0; left--) {
        idx[left - 1] = h[0].i;
        h[0] = h[left - 1];
        heap_down(h, left - 1, 0);
    }
    free(h);
    static const char *const head[] = {"PID", "NAME", "MQ", "REDS/S", "MEMORY", "CLASS", "CURRENT"};
    fmt_table t;
    fmt_table_init(&t, 7, "llrrrll", head);
    for (int k = 0; k < m; k++) {
        const snap_proc *p = snap_proc_at(s, idx[k]);
        char pid[64], name[512], cf[256], mem[32], rate[32], mq[32];
        snap_pid_text(s, p->pid, pid, sizeof pid);
        snap_proc_label(s, p, name, sizeof name);
        if (!strcmp(name, pid)) { /* unnamed: what it runs */
            char mod[256];
            proc_module_name(s, p, mod, sizeof mod);
            snprintf(name, sizeof name, "(%s)", mod);
        }
        fmt_mfa(snap_str(s, p->current_function), cf, sizeof cf);
        fmt_bytes(snap_mem_now(p), mem, sizeof mem);
        double r = snap_reds_rate(s, p);
        if (r >= 0)
            snprintf(rate, sizeof rate, "%.0f", r);
        else
            snprintf(rate, sizeof rate, "-");
        snprintf(mq, sizeof mq, "%u", snap_mq_now(p));
        const char *row[] = {pid, name, mq, rate, mem, proc_class_name((enum proc_class)p->cls), cf};
        fmt_table_row(&t, row, NULL, NULL);
    }
    strbuf tb;
    sb_init(&tb);
    fmt_table_render(&t, c->width, BOLD(c), RESET(c), &tb);
    fmt_table_free(&t);
    const char *nl = strchr(tb.buf, '\n'); /* the heading, then what the order means, then the rows */
    size_t head_len = nl ? (size_t)(nl - tb.buf) + 1 : tb.len;
    sb_add(out, tb.buf, head_len);
    if (sort == TOP_RATE && !s->has_sample2)
        sb_printf(out, "%s(one sample: sorted by total reductions; refresh with a window for rates)%s\n", DIM(c),
                  RESET(c));
    sb_add(out, tb.buf + head_len, tb.len - head_len);
    sb_free(&tb);
    free(idx);
}

static void ref_list(const snap *s, const char *title, const oa_pid *refs, uint32_t n, strbuf *out)
{
    if (!n)
        return;
    sb_printf(out, "%-15s", title);
    for (uint32_t i = 0; i < n && i < 12; i++) {
        char b[512];
        uint32_t q = snap_find_pid(s, refs[i]);
        if (q != SNAP_NONE)
            snap_proc_label(s, snap_proc_at(s, q), b, sizeof b);
        else
            snap_pid_text(s, refs[i], b, sizeof b);
        sb_printf(out, "%s%s", i ? ", " : "", b);
    }
    if (n > 12)
        sb_printf(out, " … (%u in all)", n);
    sb_putc(out, '\n');
}

void view_info(const snap *s, uint32_t proc, const findings *f, const render_ctx *c, strbuf *out)
{
    const snap_proc *p = snap_proc_at(s, proc);
    char b[512], pid[64], t[256];
    snap_proc_label(s, p, b, sizeof b);
    snap_pid_text(s, p->pid, pid, sizeof pid);
    sb_printf(out, "%s%s%s %s  %s, %s\n", BOLD(c), b, RESET(c), strcmp(b, pid) ? pid : "", proc_kind_name(s, p),
              proc_class_name((enum proc_class)p->cls));
    strbuf path;
    sb_init(&path);
    if (p->sup != SNAP_NONE || p->own_sup != SNAP_NONE) {
        snap_proc_path(s, p, &path);
        sb_printf(out, "%-15s%s\n", "place", path.buf);
    } else if (p->app != SNAP_NONE)
        sb_printf(out, "%-15s%s (outside its supervision tree)\n", "application",
                  snap_str(s, ((snap_app *)vec_at(&s->apps, p->app))->name));
    sb_free(&path);
    if (p->own_sup != SNAP_NONE) {
        const snap_sup *sp = snap_sup_at(s, p->own_sup);
        sb_printf(out, "%-15s%s %s, %d restarts in %d s allowed, %u children\n", "supervisor", sup_kind_name(sp->kind),
                  sp->strategy ? snap_str(s, sp->strategy) : "", sp->intensity, sp->period, sp->n_children);
    }
    fmt_mfa(snap_str(s, p->initial_call), t, sizeof t);
    sb_printf(out, "%-15s%s", "initial call", t);
    if (p->dict_initial_call) {
        fmt_mfa(snap_str(s, p->dict_initial_call), t, sizeof t);
        if (p->name_src > NS_DICT)
            sb_printf(out, "  ($initial_call %s, from %s)", t, name_src_text(p->name_src));
        else
            sb_printf(out, "  ($initial_call %s)", t);
    }
    sb_putc(out, '\n');
    char src[1024];
    if (proc_source(s, proc, src, sizeof src))
        sb_printf(out, "%-15s%s\n", "source", src);
    fmt_mfa(snap_str(s, p->current_function), t, sizeof t);
    static const char *st[] = {"?", "waiting", "running", "runnable", "garbage_collecting", "suspended", "exiting"};
    sb_printf(out, "%-15s%s, %s%s\n", "current", t, st[p->status < 7 ? p->status : 0],
              (p->flags & PF_TRAP_EXIT) ? ", traps exits" : "");
    if (p->flags & PF_SAMPLE2)
        sb_printf(out, "%-15s%u \xe2\x86\x92 %u\n", "message queue", p->mq, p->mq2);
    else
        sb_printf(out, "%-15s%u\n", "message queue", p->mq);
    double r = snap_reds_rate(s, p);
    char n1[32], m1[32], h1[32];
    fmt_num(p->reds, n1, sizeof n1);
    sb_printf(out, "%-15s%s", "reductions", n1);
    if (r >= 0)
        sb_printf(out, " (%.0f/s in the window)", r);
    sb_putc(out, '\n');
    fmt_bytes(p->mem, m1, sizeof m1);
    fmt_bytes(p->heap, h1, sizeof h1);
    sb_printf(out, "%-15s%s (heap %s)%s\n", "memory", m1, h1,
              (p->flags & PF_MEM_SKIPPED) ? " — not read: queue too long" : "");
    const oa_pid *refs = (const oa_pid *)s->refs.items + p->refs;
    ref_list(s, "ancestors", refs + 1, p->n_anc, out);
    ref_list(s, "links", refs + 1 + p->n_anc, p->n_links, out);
    ref_list(s, "monitors", refs + 1 + p->n_anc + p->n_links, p->n_mons, out);
    if (p->monby || p->monby2)
        sb_printf(out, "%-15s%u processes\n", "monitored by", snap_monby_now(p));
    ref_list(s, "group leader", refs, 1, out);
    for (size_t e = 0; e < s->ets.len; e++) {
        const snap_ets *t2 = vec_at(&s->ets, e);
        if (t2->owner_proc != proc)
            continue;
        char mem[32], name[256];
        fmt_bytes(t2->mem, mem, sizeof mem);
        snap_display_atom(snap_str(s, t2->name), name, sizeof name);
        sb_printf(out, "%-15s%s%s (%s, %s, %llu rows, %s)\n", "owns ETS", t2->named ? ":" : "",
                  t2->named ? name : snap_str(s, t2->id), snap_str(s, t2->type), snap_str(s, t2->protection),
                  (unsigned long long)t2->size, mem);
    }
    if (f) {
        render_ctx plain = *c;
        for (size_t i = 0; i < f->items.len; i++) {
            const finding *x = vec_at(&f->items, i);
            if (x->proc != proc)
                continue;
            sb_putc(out, '\n');
            render_finding_text(s, x, &plain, out);
        }
    }
}

void view_registries(const snap *s, const render_ctx *c, strbuf *out)
{
    static const char *const head[] = {"REGISTRY", "KEYS", "PARTITIONS", "KEYS", "SAMPLED"};
    fmt_table t;
    fmt_table_init(&t, 5, "llrrr", head);
    for (size_t r = 0; r < s->regs.len; r++) {
        const snap_registry *rg = vec_at(&s->regs, r);
        char name[256], n[32], parts[32], sampled[32];
        snap_display_atom(snap_str(s, rg->name), name, sizeof name);
        fmt_num(rg->key_count, n, sizeof n);
        snprintf(parts, sizeof parts, "%u", rg->partitions);
        snprintf(sampled, sizeof sampled, "%u", rg->n_keys);
        const char *row[] = {name, snap_str(s, rg->kind), parts, n, sampled};
        fmt_table_row(&t, row, NULL, NULL);
    }
    fmt_table_render(&t, c->width, BOLD(c), RESET(c), out);
    fmt_table_free(&t);
    if (s->globals.len)
        sb_printf(out, "\n:global names: %zu\n", s->globals.len);
    for (size_t g = 0; g < s->globals.len && g < 20; g++) {
        const snap_name *nm = vec_at(&s->globals, g);
        char pid[64];
        snap_pid_text(s, nm->pid, pid, sizeof pid);
        sb_printf(out, "  %-40s %s\n", snap_str(s, nm->key), pid);
    }
    for (size_t i = 0; i < s->pgs.len; i++) {
        const snap_pg *pg = vec_at(&s->pgs, i);
        sb_printf(out, "pg scope %s: %u groups, %u members\n", snap_str(s, pg->scope), pg->groups, pg->members);
    }
}

int view_registry(const snap *s, const char *name, int n, const render_ctx *c, strbuf *out, char *err)
{
    for (size_t r = 0; r < s->regs.len; r++) {
        const snap_registry *rg = vec_at(&s->regs, r);
        char disp[256];
        snap_display_atom(snap_str(s, rg->name), disp, sizeof disp);
        if (strcmp(disp, name) && strcmp(snap_str(s, rg->name), name))
            continue;
        char keys[32];
        fmt_num(rg->key_count, keys, sizeof keys);
        sb_printf(out, "%s%s%s  %s keys, %u partition%s, %s key%s (%u read)\n", BOLD(c), disp, RESET(c),
                  snap_str(s, rg->kind), rg->partitions, rg->partitions == 1 ? "" : "s", keys,
                  rg->key_count == 1 ? "" : "s", rg->n_keys);
        for (uint32_t k = 0; k < rg->n_keys && (int)k < n; k++) {
            const snap_name *nm = &VEC_AT(&s->reg_keys, snap_name, rg->keys + k);
            char pid[64], mod[256] = "";
            snap_pid_text(s, nm->pid, pid, sizeof pid);
            uint32_t q = snap_find_pid(s, nm->pid);
            if (q != SNAP_NONE)
                proc_module_name(s, snap_proc_at(s, q), mod, sizeof mod);
            sb_printf(out, "  %-40s %-13s %s\n", snap_str(s, nm->key), pid, mod);
        }
        if ((int)rg->n_keys > n)
            sb_printf(out, "  … %u more read (registry %s -n N)\n", rg->n_keys - (uint32_t)n, disp);
        return 0;
    }
    return errf(err, "no Registry named %s (try `registry`)", name);
}

static int ets_by_mem;
static const snap *ets_snap;
static int cmp_ets(const void *a, const void *b)
{
    const snap_ets *x = vec_at(&ets_snap->ets, *(const uint32_t *)a), *y = vec_at(&ets_snap->ets, *(const uint32_t *)b);
    uint64_t kx = ets_by_mem ? x->mem : x->size, ky = ets_by_mem ? y->mem : y->size;
    return kx < ky ? 1 : kx > ky ? -1 : 0;
}

void view_ets(const snap *s, int by_mem, int n, const render_ctx *c, strbuf *out)
{
    uint32_t *idx = xmalloc((s->ets.len ? s->ets.len : 1) * sizeof *idx);
    for (uint32_t i = 0; i < s->ets.len; i++)
        idx[i] = i;
    ets_by_mem = by_mem;
    ets_snap = s;
    qsort(idx, s->ets.len, sizeof *idx, cmp_ets);
    static const char *const head[] = {"TABLE", "OWNER", "TYPE", "ACCESS", "ROWS", "MEMORY", "CONCURRENCY"};
    fmt_table tb;
    fmt_table_init(&tb, 7, "llllrrl", head);
    for (int k = 0; k < n && (size_t)k < s->ets.len; k++) {
        const snap_ets *t = vec_at(&s->ets, idx[k]);
        char name[256], owner[256] = "?", mem[32], rows[32];
        if (t->named) {
            char d[250];
            snap_display_atom(snap_str(s, t->name), d, sizeof d);
            snprintf(name, sizeof name, ":%s", d);
        } else
            snprintf(name, sizeof name, "%s", snap_str(s, t->id));
        if (t->owner_proc != SNAP_NONE)
            snap_proc_label(s, snap_proc_at(s, t->owner_proc), owner, sizeof owner);
        fmt_bytes(t->mem, mem, sizeof mem);
        fmt_num(t->size, rows, sizeof rows);
        const char *conc = t->read_conc ? (t->write_conc ? "read+write" : "read") : t->write_conc ? "write" : "";
        const char *row[] = {name, owner, snap_str(s, t->type), snap_str(s, t->protection), rows, mem, conc};
        fmt_table_row(&tb, row, NULL, NULL);
    }
    fmt_table_render(&tb, c->width, BOLD(c), RESET(c), out);
    fmt_table_free(&tb);
    free(idx);
}

const char *view_mark(void *ud, uint32_t proc, int *severity)
{
    view_marks *m = ud;
    sb_reset(&m->tmp);
    int worst = -1;
    for (size_t i = 0; i < m->f->items.len; i++) {
        const finding *x = vec_at(&m->f->items, i);
        if (x->proc != proc)
            continue;
        if (x->severity > worst)
            worst = x->severity;
        sb_printf(&m->tmp, "%s%s", m->tmp.len ? " " : "", x->rule);
    }
    if (worst < 0)
        return NULL;
    *severity = worst;
    strbuf t;
    sb_init(&t);
    sb_printf(&t, "%s %s",
              worst == SEV_CRITICAL  ? "\xe2\x9c\x96"
              : worst == SEV_WARNING ? "\xe2\x9a\xa0"
                                     : "\xe2\x84\xb9",
              m->tmp.buf);
    sb_reset(&m->tmp);
    sb_puts(&m->tmp, t.buf);
    sb_free(&t);
    return m->tmp.buf;
}
