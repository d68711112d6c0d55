/* diff.c — two snapshots of one system, side by side (see diff.h).
 *
 * Each side is reduced to sorted (key, index) tables: processes, supervisors, applications,
 * ETS tables, findings. A key that occurs twice on one side names nothing for sure and is
 * left out of the matching (it still counts in the totals). Tables are merged in key order,
 * so the output is in a stable order and the work is O(n log n) for 100,000 processes. */
#define _POSIX_C_SOURCE 200809L
#include "diff.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fmt.h"
#include "json.h"

/* What counts as a change worth a line (a deploy's diff, not noise between two samples). */
#define DIFF_MEM_MIN (1024.0 * 1024) /* memory: at least 1 MB ... */
#define DIFF_MEM_RATIO 1.5           /* ... and half as much again, or a third less */
#define DIFF_MQ_MIN 100              /* queue: 100 messages more or fewer */
#define DIFF_RATE_MIN 1000.0         /* rate: 1,000 reductions a second at least on one side ... */
#define DIFF_RATE_RATIO 2.0          /* ... and twice or half the other */
#define DIFF_ETS_MIN 1000            /* table: 1,000 objects more or fewer, and ... */
#define DIFF_ETS_RATIO 1.5           /* ... half as many again, or a third fewer */
#define DIFF_LIST_MAX 40             /* lines a list shows, then "and N more" */

typedef struct {
    const char *key;
    uint32_t idx;
} kv;

typedef struct {
    kv *v;
    size_t n;
} table;

static int kv_cmp(const void *x, const void *y)
{
    const kv *a = x, *b = y;
    int c = strcmp(a->key, b->key);
    return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

/* a signed count with thousands separators: "+1,288", "-3" */
static void fmt_delta(int64_t d, char *buf, size_t n)
{
    if (n < 2)
        return;
    buf[0] = d < 0 ? '-' : '+';
    fmt_num((uint64_t)(d < 0 ? -d : d), buf + 1, n - 1);
}

/* sort, then drop every key that occurs more than once */
static void table_finish(table *t)
{
    if (t->n > 1)
        qsort(t->v, t->n, sizeof *t->v, kv_cmp);
    size_t w = 0;
    for (size_t i = 0; i < t->n;) {
        size_t j = i + 1;
        while (j < t->n && !strcmp(t->v[j].key, t->v[i].key))
            j++;
        if (j == i + 1)
            t->v[w++] = t->v[i];
        i = j;
    }
    t->n = w;
}

/* ---- keys ------------------------------------------------------------------------------ */

typedef struct {
    const snap *s;
    char **pkey; /* per process, its key or NULL; computed once */
    uint8_t *done;
    arena mem;
} side;

static const char *skey(side *sd, const char *fmt, const char *a, const char *b)
{
    size_t n = strlen(fmt) + strlen(a) + (b ? strlen(b) : 0) + 1;
    char *k = arena_alloc(&sd->mem, n);
    snprintf(k, n, fmt, a, b ? b : "");
    return k;
}

static const char *proc_key(side *sd, uint32_t i, int depth)
{
    const snap *s = sd->s;
    if (i == SNAP_NONE || i >= s->procs.len || depth > 64)
        return NULL;
    if (sd->done[i])
        return sd->pkey[i];
    const snap_proc *p = snap_proc_at(s, i);
    const char *k = NULL;
    if (p->name)
        k = skey(sd, "name %s%s", snap_str(s, p->name), NULL);
    else if (p->alt_name)
        k = skey(sd, "name %s%s", snap_str(s, p->alt_name), NULL);
    else if (p->sup != SNAP_NONE && p->child != SNAP_NONE) {
        const snap_sup *sp = snap_sup_at(s, p->sup);
        const char *id = snap_str(s, VEC_AT(&s->children, snap_child, p->child).id);
        /* a dynamic child has no id of its own: it is one of many, counted, never matched */
        if (!snap_sup_on_demand(s, sp) && *id && strcmp(id, "undefined")) {
            const char *parent = proc_key(sd, sp->proc, depth + 1);
            if (parent)
                k = skey(sd, "%s/%s", parent, id);
        }
    } else if (p->own_sup != SNAP_NONE) {
        /* an unnamed top supervisor: known by its application */
        const snap_sup *sp = snap_sup_at(s, p->own_sup);
        if (sp->parent == SNAP_NONE && sp->app != SNAP_NONE)
            k = skey(sd, "top of %s%s", snap_str(s, ((const snap_app *)vec_at(&s->apps, sp->app))->name), NULL);
    }
    sd->pkey[i] = (char *)k;
    sd->done[i] = 1;
    return k;
}

static void side_init(side *sd, const snap *s)
{
    sd->s = s;
    sd->pkey = xcalloc(s->procs.len + 1, sizeof *sd->pkey);
    sd->done = xcalloc(s->procs.len + 1, 1);
    arena_init(&sd->mem);
}

static void side_free(side *sd)
{
    free(sd->pkey);
    free(sd->done);
    arena_free(&sd->mem);
}

static void push(table *t, size_t *cap, const char *key, uint32_t idx)
{
    if (!key)
        return;
    if (t->n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        t->v = xrealloc(t->v, *cap * sizeof *t->v);
    }
    t->v[t->n].key = key;
    t->v[t->n].idx = idx;
    t->n++;
}

static table procs_table(side *sd)
{
    table t = {0};
    size_t cap = 0;
    for (uint32_t i = 0; i < sd->s->procs.len; i++)
        push(&t, &cap, proc_key(sd, i, 0), i);
    table_finish(&t);
    return t;
}

static table sups_table(side *sd)
{
    table t = {0};
    size_t cap = 0;
    for (uint32_t i = 0; i < sd->s->sups.len; i++)
        push(&t, &cap, proc_key(sd, snap_sup_at(sd->s, i)->proc, 0), i);
    table_finish(&t);
    return t;
}

static table apps_table(side *sd)
{
    table t = {0};
    size_t cap = 0;
    for (uint32_t i = 0; i < sd->s->apps.len; i++)
        push(&t, &cap, snap_str(sd->s, ((const snap_app *)vec_at(&sd->s->apps, i))->name), i);
    table_finish(&t);
    return t;
}

static table modules_table(side *sd)
{
    table t = {0};
    size_t cap = 0;
    for (uint32_t i = 0; i < sd->s->exports.len; i++) {
        const snap_exports *x = vec_at(&sd->s->exports, i);
        if (x->md5)
            push(&t, &cap, snap_str(sd->s, x->module), i);
    }
    table_finish(&t);
    return t;
}

static table ets_table(side *sd)
{
    table t = {0};
    size_t cap = 0;
    const snap *s = sd->s;
    for (uint32_t i = 0; i < s->ets.len; i++) {
        const snap_ets *e = vec_at(&s->ets, i);
        const char *name = snap_str(s, e->name);
        if (e->named)
            push(&t, &cap, skey(sd, "%s%s", name, NULL), i);
        else { /* an unnamed table: by its owner's place and its name */
            const char *owner = proc_key(sd, e->owner_proc, 0);
            if (owner)
                push(&t, &cap, skey(sd, "%s of %s", name, owner), i);
        }
    }
    table_finish(&t);
    return t;
}

/* a finding's subject: the process, the supervisor's process, the table, the Registry; a
 * group of siblings by the supervisor they share */
static const char *finding_key(side *sd, const finding *x)
{
    const snap *s = sd->s;
    const char *subj = NULL;
    if (x->count > 1 && x->proc != SNAP_NONE && snap_proc_at(s, x->proc)->sup != SNAP_NONE) {
        const char *sk = proc_key(sd, snap_sup_at(s, snap_proc_at(s, x->proc)->sup)->proc, 0);
        subj = sk ? skey(sd, "children of %s%s", sk, NULL) : NULL;
    } else if (x->proc != SNAP_NONE)
        subj = proc_key(sd, x->proc, 0);
    else if (x->sup != SNAP_NONE)
        subj = proc_key(sd, snap_sup_at(s, x->sup)->proc, 0);
    else if (x->ets != SNAP_NONE)
        subj = skey(sd, "table %s%s", snap_str(s, ((const snap_ets *)vec_at(&s->ets, x->ets))->name), NULL);
    if (!subj)
        subj = x->subject ? x->subject : "";
    return skey(sd, "%s|%s", x->rule, subj);
}

static table findings_table(side *sd, const findings *f)
{
    table t = {0};
    size_t cap = 0;
    for (uint32_t i = 0; i < f->items.len; i++)
        push(&t, &cap, finding_key(sd, vec_at(&f->items, i)), i);
    /* two findings with one key (one rule, one subject): keep both as one, the first */
    if (t.n > 1)
        qsort(t.v, t.n, sizeof *t.v, kv_cmp);
    size_t w = 0;
    for (size_t i = 0; i < t.n; i++)
        if (!w || strcmp(t.v[w - 1].key, t.v[i].key))
            t.v[w++] = t.v[i];
    t.n = w;
    return t;
}

/* ---- output ------------------------------------------------------------------------------ */

typedef struct {
    int json;
    json_w j;
    strbuf *out;
    int lines; /* of the current list, for DIFF_LIST_MAX */
    int more;
} emit;

static void list_begin(emit *e, const char *jkey, const char *title)
{
    e->lines = e->more = 0;
    if (e->json) {
        json_key(&e->j, jkey);
        json_arr(&e->j);
    } else
        sb_printf(e->out, "%s\n", title);
}

static int list_room(emit *e)
{
    if (e->json || e->lines < DIFF_LIST_MAX) {
        e->lines++;
        return 1;
    }
    e->more++;
    return 0;
}

static void list_end(emit *e)
{
    if (e->json)
        json_arr_end(&e->j);
    else {
        if (!e->lines)
            sb_puts(e->out, "  (no change)\n");
        if (e->more)
            sb_printf(e->out, "  … and %d more\n", e->more);
    }
}

static void label(const snap *s, uint32_t proc, char *buf, size_t n)
{
    if (proc == SNAP_NONE) {
        snprintf(buf, n, "?");
        return;
    }
    const snap_proc *p = snap_proc_at(s, proc);
    if (!p->name && !p->alt_name && p->child != SNAP_NONE) {
        const char *id = snap_str(s, VEC_AT(&s->children, snap_child, p->child).id);
        if (*id && strcmp(id, "undefined")) {
            snap_display_atom(id, buf, n);
            return;
        }
    }
    snap_proc_label(s, p, buf, n);
}

static const char *app_of(const snap *s, const snap_proc *p)
{
    return p->app == SNAP_NONE ? "(no application)" : snap_str(s, ((const snap_app *)vec_at(&s->apps, p->app))->name);
}

static const char *app_bare(const snap *s, const snap_proc *p)
{
    return p->app == SNAP_NONE ? "no application" : app_of(s, p);
}

/* ---- sections -------------------------------------------------------------------------- */

static void sec_apps(emit *e, const snap *a, const table *ta, const snap *b, const table *tb)
{
    list_begin(e, "applications", "applications");
    size_t i = 0, k = 0;
    while (i < ta->n || k < tb->n) {
        int c = i >= ta->n ? 1 : k >= tb->n ? -1 : strcmp(ta->v[i].key, tb->v[k].key);
        const snap_app *x = c <= 0 ? vec_at(&a->apps, ta->v[i].idx) : NULL;
        const snap_app *y = c >= 0 ? vec_at(&b->apps, tb->v[k].idx) : NULL;
        const char *name = c <= 0 ? ta->v[i].key : tb->v[k].key;
        const char *va = x ? snap_str(a, x->vsn) : NULL, *vb = y ? snap_str(b, y->vsn) : NULL;
        if ((x && y && strcmp(va, vb)) || !x || !y) {
            const char *what = !x ? "added" : !y ? "removed" : "version";
            if (list_room(e)) {
                if (e->json) {
                    json_obj(&e->j);
                    json_kstr(&e->j, "change", what);
                    json_kstr(&e->j, "name", name);
                    if (va)
                        json_kstr(&e->j, "before", va);
                    if (vb)
                        json_kstr(&e->j, "after", vb);
                    json_obj_end(&e->j);
                } else if (!x)
                    sb_printf(e->out, "  + %s %s\n", name, vb);
                else if (!y)
                    sb_printf(e->out, "  - %s %s\n", name, va);
                else
                    sb_printf(e->out, "  ~ %s %s → %s\n", name, va, vb);
            }
        }
        i += c <= 0;
        k += c >= 0;
    }
    list_end(e);
}

/* modules the processes run, loaded on both sides, whose code is not the same (a deploy,
 * a hot load); only snapshots that recorded the code's MD5 */
static void sec_modules(emit *e, const snap *a, const table *ta, const snap *b, const table *tb)
{
    list_begin(e, "modules", "code (modules the processes run)");
    size_t i = 0, k = 0;
    while (i < ta->n && k < tb->n) {
        int c = strcmp(ta->v[i].key, tb->v[k].key);
        if (!c) {
            const snap_exports *x = vec_at(&a->exports, ta->v[i].idx), *y = vec_at(&b->exports, tb->v[k].idx);
            const char *ma = snap_str(a, x->md5), *mb = snap_str(b, y->md5);
            if (strcmp(ma, mb) && list_room(e)) {
                char dm[200];
                snap_display_atom(ta->v[i].key, dm, sizeof dm);
                if (e->json) {
                    json_obj(&e->j);
                    json_kstr(&e->j, "change", "code");
                    json_kstr(&e->j, "module", dm);
                    json_kstr(&e->j, "md5_before", ma);
                    json_kstr(&e->j, "md5_after", mb);
                    json_obj_end(&e->j);
                } else
                    sb_printf(e->out, "  ~ %s: new code (md5 %.8s… → %.8s…)\n", dm, ma, mb);
            }
        }
        i += c <= 0;
        k += c >= 0;
    }
    list_end(e);
}

/* children of a supervisor by module (an on-demand supervisor's kinds), as "mod count" pairs */
typedef struct {
    const char *mod;
    int64_t n;
} modcount;

static int mc_cmp(const void *x, const void *y)
{
    return strcmp(((const modcount *)x)->mod, ((const modcount *)y)->mod);
}

static size_t by_module(const snap *s, const snap_sup *sp, modcount *out, size_t max)
{
    size_t n = 0;
    for (uint32_t c = 0; c < sp->n_children; c++) {
        const snap_child *ch = &VEC_AT(&s->children, snap_child, sp->children + c);
        const char *m = snap_str(s, ch->modules);
        if (!*m)
            m = "?";
        size_t j = 0;
        while (j < n && strcmp(out[j].mod, m))
            j++;
        if (j == n) {
            if (n == max)
                continue;
            out[n].mod = m;
            out[n++].n = 0;
        }
        out[j].n++;
    }
    if (n > 1)
        qsort(out, n, sizeof *out, mc_cmp);
    return n;
}

static void sec_sups(emit *e, side *sa, const table *ta, side *sb, const table *tb)
{
    const snap *a = sa->s, *b = sb->s;
    list_begin(e, "supervisors", "supervisors");
    size_t i = 0, k = 0;
    char la[256], lb[256];
    while (i < ta->n || k < tb->n) {
        int c = i >= ta->n ? 1 : k >= tb->n ? -1 : strcmp(ta->v[i].key, tb->v[k].key);
        const snap_sup *x = c <= 0 ? snap_sup_at(a, ta->v[i].idx) : NULL;
        const snap_sup *y = c >= 0 ? snap_sup_at(b, tb->v[k].idx) : NULL;
        if (x)
            label(a, x->proc, la, sizeof la);
        if (y)
            label(b, y->proc, lb, sizeof lb);
        if (!x || !y) {
            const snap *s = x ? a : b;
            const snap_sup *sp = x ? x : y;
            char parent[256] = "";
            if (sp->parent != SNAP_NONE)
                label(s, snap_sup_at(s, sp->parent)->proc, parent, sizeof parent);
            if (list_room(e)) {
                if (e->json) {
                    json_obj(&e->j);
                    json_kstr(&e->j, "change", x ? "removed" : "added");
                    json_kstr(&e->j, "name", x ? la : lb);
                    json_kstr(&e->j, "key", x ? ta->v[i].key : tb->v[k].key);
                    if (*parent)
                        json_kstr(&e->j, "parent", parent);
                    json_kint(&e->j, "children", sp->n_children);
                    json_obj_end(&e->j);
                } else {
                    char nc[32];
                    fmt_num(sp->n_children, nc, sizeof nc);
                    sb_printf(e->out, "  %c %s%s%s%s, %s %s\n", x ? '-' : '+', x ? la : lb, *parent ? " (under " : "",
                              parent, *parent ? ")" : "", nc, sp->n_children == 1 ? "child" : "children");
                }
            }
        } else {
            modcount ma[32], mb[32];
            size_t na = 0, nb = 0;
            if (snap_sup_on_demand(a, x) && snap_sup_on_demand(b, y)) {
                na = by_module(a, x, ma, 32);
                nb = by_module(b, y, mb, 32);
            }
            if (x->n_children != y->n_children) {
                if (list_room(e)) {
                    if (e->json) {
                        json_obj(&e->j);
                        json_kstr(&e->j, "change", "children");
                        json_kstr(&e->j, "name", lb);
                        json_kstr(&e->j, "key", tb->v[k].key);
                        json_kint(&e->j, "before", x->n_children);
                        json_kint(&e->j, "after", y->n_children);
                        json_key(&e->j, "by_module");
                        json_arr(&e->j);
                    } else {
                        char n1[32], n2[32], d[32];
                        fmt_num(x->n_children, n1, sizeof n1);
                        fmt_num(y->n_children, n2, sizeof n2);
                        fmt_delta((int64_t)y->n_children - (int64_t)x->n_children, d, sizeof d);
                        sb_printf(e->out, "  ~ %s: children %s → %s (%s)", lb, n1, n2, d);
                    }
                    /* per module, for a supervisor whose children are many of few kinds */
                    size_t p = 0, q = 0;
                    while (p < na || q < nb) {
                        int cc = p >= na ? 1 : q >= nb ? -1 : strcmp(ma[p].mod, mb[q].mod);
                        int64_t va = cc <= 0 ? ma[p].n : 0, vb = cc >= 0 ? mb[q].n : 0;
                        const char *mod = cc <= 0 ? ma[p].mod : mb[q].mod;
                        if (va != vb) {
                            char dm[200];
                            snap_display_atom(mod, dm, sizeof dm);
                            if (e->json) {
                                json_obj(&e->j);
                                json_kstr(&e->j, "module", dm);
                                json_kint(&e->j, "before", va);
                                json_kint(&e->j, "after", vb);
                                json_obj_end(&e->j);
                            } else
                                sb_printf(e->out, "; %s %lld → %lld", dm, (long long)va, (long long)vb);
                        }
                        p += cc <= 0;
                        q += cc >= 0;
                    }
                    if (e->json) {
                        json_arr_end(&e->j);
                        json_obj_end(&e->j);
                    } else
                        sb_putc(e->out, '\n');
                }
            }
        }
        i += c <= 0;
        k += c >= 0;
    }
    list_end(e);
}

typedef struct {
    const char *app;
    int64_t a, b;
} appcount;

static int ac_cmp_name(const void *x, const void *y)
{
    return strcmp(((const appcount *)x)->app, ((const appcount *)y)->app);
}

static int ac_cmp_delta(const void *x, const void *y)
{
    const appcount *p = x, *q = y;
    int64_t dp = llabs(p->b - p->a), dq = llabs(q->b - q->a);
    return dp != dq ? (dq > dp) - (dq < dp) : strcmp(p->app, q->app);
}

static size_t count_app(appcount **v, size_t n, size_t *cap, const char *app, int side_b)
{
    for (size_t i = 0; i < n; i++) /* few applications: a scan */
        if (!strcmp((*v)[i].app, app)) {
            if (side_b)
                (*v)[i].b++;
            else
                (*v)[i].a++;
            return n;
        }
    if (n == *cap) {
        *cap = *cap ? *cap * 2 : 32;
        *v = xrealloc(*v, *cap * sizeof **v);
    }
    (*v)[n].app = app;
    (*v)[n].a = !side_b;
    (*v)[n].b = side_b;
    return n + 1;
}

static void sec_app_procs(emit *e, const snap *a, const snap *b)
{
    appcount *v = NULL;
    size_t n = 0, cap = 0;
    for (uint32_t i = 0; i < a->procs.len; i++)
        n = count_app(&v, n, &cap, app_of(a, snap_proc_at(a, i)), 0);
    for (uint32_t i = 0; i < b->procs.len; i++)
        n = count_app(&v, n, &cap, app_of(b, snap_proc_at(b, i)), 1);
    if (n > 1) {
        qsort(v, n, sizeof *v, ac_cmp_name);
        qsort(v, n, sizeof *v, ac_cmp_delta);
    }
    list_begin(e, "processes_per_application", "processes per application");
    for (size_t i = 0; i < n; i++) {
        if (v[i].a == v[i].b || !list_room(e))
            continue;
        if (e->json) {
            json_obj(&e->j);
            json_kstr(&e->j, "application", v[i].app);
            json_kint(&e->j, "before", v[i].a);
            json_kint(&e->j, "after", v[i].b);
            json_obj_end(&e->j);
        } else {
            char x[32], y[32];
            fmt_num((uint64_t)v[i].a, x, sizeof x);
            fmt_num((uint64_t)v[i].b, y, sizeof y);
            char d[32];
            fmt_delta(v[i].b - v[i].a, d, sizeof d);
            sb_printf(e->out, "  %s %s → %s (%s)\n", v[i].app, x, y, d);
        }
    }
    list_end(e);
    free(v);
}

static int changed_ratio(double x, double y, double min, double ratio)
{
    double hi = x > y ? x : y, lo = x > y ? y : x;
    return hi - lo >= min && (lo <= 0 || hi / lo >= ratio);
}

static void sec_named(emit *e, const snap *a, const table *ta, const snap *b, const table *tb)
{
    list_begin(e, "named_processes", "named processes");
    size_t i = 0, k = 0;
    char lbl[256];
    while (i < ta->n || k < tb->n) {
        int c = i >= ta->n ? 1 : k >= tb->n ? -1 : strcmp(ta->v[i].key, tb->v[k].key);
        const snap_proc *x = c <= 0 ? snap_proc_at(a, ta->v[i].idx) : NULL;
        const snap_proc *y = c >= 0 ? snap_proc_at(b, tb->v[k].idx) : NULL;
        /* named on the side it is on (a name key is the same on both) */
        if ((x ? x : y)->name || (x ? x : y)->alt_name) {
            snap_proc_label(x ? a : b, x ? x : y, lbl, sizeof lbl);
            if (!x || !y) {
                if (list_room(e)) {
                    char mod[200];
                    proc_module_name(x ? a : b, x ? x : y, mod, sizeof mod);
                    if (e->json) {
                        json_obj(&e->j);
                        json_kstr(&e->j, "change", x ? "vanished" : "appeared");
                        json_kstr(&e->j, "name", lbl);
                        json_kstr(&e->j, "module", mod);
                        json_kstr(&e->j, "application", app_of(x ? a : b, x ? x : y));
                        json_obj_end(&e->j);
                    } else
                        sb_printf(e->out, "  %c %s (%s, %s)\n", x ? '-' : '+', lbl, mod,
                                  app_bare(x ? a : b, x ? x : y));
                }
            } else {
                double ma = (double)snap_mem_now(x), mb = (double)snap_mem_now(y);
                double qa = snap_mq_now(x), qb = snap_mq_now(y);
                double ra = snap_reds_rate(a, x), rb = snap_reds_rate(b, y);
                int cm = changed_ratio(ma, mb, DIFF_MEM_MIN, DIFF_MEM_RATIO);
                int cq = fabs(qb - qa) >= DIFF_MQ_MIN;
                int cr = ra >= 0 && rb >= 0 && changed_ratio(ra, rb, DIFF_RATE_MIN, DIFF_RATE_RATIO);
                if ((cm || cq || cr) && list_room(e)) {
                    if (e->json) {
                        json_obj(&e->j);
                        json_kstr(&e->j, "change", "metrics");
                        json_kstr(&e->j, "name", lbl);
                        json_key(&e->j, "before");
                        json_obj(&e->j);
                        json_kint(&e->j, "memory", (int64_t)ma);
                        json_kint(&e->j, "message_queue_len", (int64_t)qa);
                        if (ra >= 0)
                            json_kint(&e->j, "reductions_per_s", (int64_t)llround(ra));
                        json_obj_end(&e->j);
                        json_key(&e->j, "after");
                        json_obj(&e->j);
                        json_kint(&e->j, "memory", (int64_t)mb);
                        json_kint(&e->j, "message_queue_len", (int64_t)qb);
                        if (rb >= 0)
                            json_kint(&e->j, "reductions_per_s", (int64_t)llround(rb));
                        json_obj_end(&e->j);
                        json_obj_end(&e->j);
                    } else {
                        sb_printf(e->out, "  ~ %s:", lbl);
                        char x1[32], x2[32];
                        const char *sep = " ";
                        if (cm) {
                            fmt_bytes((uint64_t)ma, x1, sizeof x1);
                            fmt_bytes((uint64_t)mb, x2, sizeof x2);
                            sb_printf(e->out, "%smemory %s → %s", sep, x1, x2);
                            sep = ", ";
                        }
                        if (cq) {
                            sb_printf(e->out, "%squeue %.0f → %.0f", sep, qa, qb);
                            sep = ", ";
                        }
                        if (cr) {
                            fmt_rate(ra, x1, sizeof x1);
                            fmt_rate(rb, x2, sizeof x2);
                            sb_printf(e->out, "%s%s → %s reds/s", sep, x1, x2);
                        }
                        sb_putc(e->out, '\n');
                    }
                }
            }
        }
        i += c <= 0;
        k += c >= 0;
    }
    list_end(e);
}

static void sec_ets(emit *e, const snap *a, const table *ta, const snap *b, const table *tb)
{
    list_begin(e, "ets", "ETS tables");
    size_t i = 0, k = 0;
    while (i < ta->n || k < tb->n) {
        int c = i >= ta->n ? 1 : k >= tb->n ? -1 : strcmp(ta->v[i].key, tb->v[k].key);
        const snap_ets *x = c <= 0 ? vec_at(&a->ets, ta->v[i].idx) : NULL;
        const snap_ets *y = c >= 0 ? vec_at(&b->ets, tb->v[k].idx) : NULL;
        const char *key = c <= 0 ? ta->v[i].key : tb->v[k].key;
        int show = !x || !y || changed_ratio((double)x->size, (double)y->size, DIFF_ETS_MIN, DIFF_ETS_RATIO) ||
                   changed_ratio((double)x->mem, (double)y->mem, DIFF_MEM_MIN, DIFF_MEM_RATIO);
        if (show && list_room(e)) {
            const char *what = !x ? "added" : !y ? "removed" : "size";
            if (e->json) {
                json_obj(&e->j);
                json_kstr(&e->j, "change", what);
                json_kstr(&e->j, "table", key);
                if (x) {
                    json_kint(&e->j, "size_before", (int64_t)x->size);
                    json_kint(&e->j, "memory_before", (int64_t)x->mem);
                }
                if (y) {
                    json_kint(&e->j, "size_after", (int64_t)y->size);
                    json_kint(&e->j, "memory_after", (int64_t)y->mem);
                }
                json_obj_end(&e->j);
            } else {
                char n1[32], n2[32], m1[32], m2[32];
                fmt_num(x ? x->size : 0, n1, sizeof n1);
                fmt_num(y ? y->size : 0, n2, sizeof n2);
                fmt_bytes(x ? x->mem : 0, m1, sizeof m1);
                fmt_bytes(y ? y->mem : 0, m2, sizeof m2);
                if (!x)
                    sb_printf(e->out, "  + %s (%s, %s objects, %s)\n", key, snap_str(b, y->type), n2, m2);
                else if (!y)
                    sb_printf(e->out, "  - %s (%s objects, %s)\n", key, n1, m1);
                else
                    sb_printf(e->out, "  ~ %s: %s → %s objects, %s → %s\n", key, n1, n2, m1, m2);
            }
        }
        i += c <= 0;
        k += c >= 0;
    }
    list_end(e);
}

static void finding_line(emit *e, const char *change, const finding *x, const finding *before)
{
    if (e->json) {
        json_obj(&e->j);
        json_kstr(&e->j, "change", change);
        json_kstr(&e->j, "rule", x->rule);
        json_kstr(&e->j, "severity", severity_name(x->severity));
        if (before && before->severity != x->severity)
            json_kstr(&e->j, "severity_before", severity_name(before->severity));
        json_kstr(&e->j, "subject", x->subject ? x->subject : "");
        json_kstr(&e->j, "path", x->path ? x->path : "");
        json_kstr(&e->j, "summary", x->summary ? x->summary : "");
        json_obj_end(&e->j);
    } else {
        sb_printf(e->out, "  %-9s %-8s %s  %s", change, severity_name(x->severity), x->rule,
                  x->subject ? x->subject : "");
        if (before && before->severity != x->severity)
            sb_printf(e->out, "  (was %s)", severity_name(before->severity));
        sb_putc(e->out, '\n');
    }
}

static void sec_findings(emit *e, const findings *fa, const table *ta, const findings *fb, const table *tb,
                         diff_counts *cnt)
{
    list_begin(e, "findings", "findings");
    /* new first, then resolved, then those still there whose severity moved */
    for (int pass = 0; pass < 3; pass++) {
        size_t i = 0, k = 0;
        while (i < ta->n || k < tb->n) {
            int c = i >= ta->n ? 1 : k >= tb->n ? -1 : strcmp(ta->v[i].key, tb->v[k].key);
            const finding *x = c <= 0 ? vec_at(&fa->items, ta->v[i].idx) : NULL;
            const finding *y = c >= 0 ? vec_at(&fb->items, tb->v[k].idx) : NULL;
            if (pass == 0 && !x) {
                cnt->new_at[y->severity]++;
                if (list_room(e))
                    finding_line(e, "new", y, NULL);
            } else if (pass == 1 && !y) {
                cnt->resolved++;
                if (list_room(e))
                    finding_line(e, "resolved", x, NULL);
            } else if (pass == 2 && x && y) {
                cnt->still++;
                if ((e->json || x->severity != y->severity) && list_room(e))
                    finding_line(e, "still", y, x);
            }
            i += c <= 0;
            k += c >= 0;
        }
    }
    list_end(e);
}

static void header_side(emit *e, const char *which, const snap *s, const char *lbl)
{
    char when[64] = "?";
    time_t t = (time_t)(s->info.collected_at_ms / 1000);
    struct tm tm;
    if (s->info.collected_at_ms > 0 && gmtime_r(&t, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    if (e->json) {
        json_key(&e->j, which);
        json_obj(&e->j);
        json_kstr(&e->j, "file", lbl);
        json_kstr(&e->j, "node", snap_str(s, s->info.node));
        json_kstr(&e->j, "collected_at", when);
        json_kint(&e->j, "processes", (int64_t)s->procs.len);
        json_kint(&e->j, "supervisors", (int64_t)s->sups.len);
        json_obj_end(&e->j);
    } else {
        char n[32];
        fmt_num(s->procs.len, n, sizeof n);
        sb_printf(e->out, "%-7s %s: %s at %s, %s processes, %zu supervisors\n", which, lbl, snap_str(s, s->info.node),
                  when, n, s->sups.len);
    }
}

void diff_render(const snap *a, const findings *fa, const char *la, const snap *b, const findings *fb, const char *lb,
                 int json, strbuf *out, diff_counts *counts)
{
    memset(counts, 0, sizeof *counts);
    side sa, sb;
    side_init(&sa, a);
    side_init(&sb, b);
    emit e = {.json = json, .out = out};
    if (json) {
        json_init(&e.j, out, 1);
        json_obj(&e.j);
        json_kstr(&e.j, "schema", "otp-advisor/diff/1");
    }
    header_side(&e, "before", a, la);
    header_side(&e, "after", b, lb);
    const char *na = snap_str(a, a->info.node), *nb = snap_str(b, b->info.node);
    if (strcmp(na, nb)) {
        if (json)
            json_kbool(&e.j, "same_node", 0);
        else
            sb_printf(out, "note: two different nodes (%s, %s): compared as one system\n", na, nb);
    }
    if (!json)
        sb_putc(out, '\n');

    table apa = apps_table(&sa), apb = apps_table(&sb);
    sec_apps(&e, a, &apa, b, &apb);
    table ma = modules_table(&sa), mb = modules_table(&sb);
    sec_modules(&e, a, &ma, b, &mb);
    table spa = sups_table(&sa), spb = sups_table(&sb);
    sec_sups(&e, &sa, &spa, &sb, &spb);
    sec_app_procs(&e, a, b);
    table pa = procs_table(&sa), pb = procs_table(&sb);
    sec_named(&e, a, &pa, b, &pb);
    table ea = ets_table(&sa), eb = ets_table(&sb);
    sec_ets(&e, a, &ea, b, &eb);
    table fta = findings_table(&sa, fa), ftb = findings_table(&sb, fb);
    sec_findings(&e, fa, &fta, fb, &ftb, counts);
    int nnew = counts->new_at[0] + counts->new_at[1] + counts->new_at[2];
    if (json) {
        json_key(&e.j, "summary");
        json_obj(&e.j);
        json_kint(&e.j, "new", nnew);
        json_kint(&e.j, "new_critical", counts->new_at[SEV_CRITICAL]);
        json_kint(&e.j, "new_warning", counts->new_at[SEV_WARNING]);
        json_kint(&e.j, "new_info", counts->new_at[SEV_INFO]);
        json_kint(&e.j, "resolved", counts->resolved);
        json_kint(&e.j, "still", counts->still);
        json_obj_end(&e.j);
        json_obj_end(&e.j);
        sb_putc(out, '\n');
    } else
        sb_printf(out, "\n%d new finding%s (%d critical, %d warning, %d info), %d resolved, %d still there\n", nnew,
                  nnew == 1 ? "" : "s", counts->new_at[SEV_CRITICAL], counts->new_at[SEV_WARNING],
                  counts->new_at[SEV_INFO], counts->resolved, counts->still);
    table *all[] = {&ma, &mb, &apa, &apb, &spa, &spb, &pa, &pb, &ea, &eb, &fta, &ftb};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free(all[i]->v);
    side_free(&sa);
    side_free(&sb);
}
