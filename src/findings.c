/* findings.c — the findings container, sibling grouping and severity order. */
#include "findings.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *severity_name(int sev)
{
    return sev == SEV_CRITICAL ? "critical" : sev == SEV_WARNING ? "warning" : "info";
}

int severity_parse(const char *s)
{
    if (!strcmp(s, "info"))
        return SEV_INFO;
    if (!strcmp(s, "warning"))
        return SEV_WARNING;
    if (!strcmp(s, "critical"))
        return SEV_CRITICAL;
    return -1;
}

void findings_init(findings *f)
{
    arena_init(&f->mem);
    vec_init(&f->items, sizeof(finding));
    vec_init(&f->skipped, sizeof(not_evaluated));
}

void findings_free(findings *f)
{
    arena_free(&f->mem);
    vec_free(&f->items);
    vec_free(&f->skipped);
}

finding *findings_add(findings *f, const char *rule_id, int severity)
{
    finding *x = vec_push(&f->items);
    x->rule = rule_id;
    x->severity = severity;
    x->proc = x->sup = x->ets = x->reg = SNAP_NONE;
    x->subject = x->pid = x->path = x->summary = x->recommendation = x->examples = x->node = "";
    x->count = 1;
    return x;
}

const char *findings_strdup(findings *f, const char *s)
{
    size_t n = strlen(s);
    char *p = arena_alloc(&f->mem, n + 1);
    memcpy(p, s, n + 1);
    return p;
}

const char *findings_printf(findings *f, const char *fmt, ...)
{
    strbuf sb;
    sb_init(&sb);
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&sb, fmt, ap);
    va_end(ap);
    const char *r = findings_strdup(f, sb.buf);
    sb_free(&sb);
    return r;
}

void finding_ev(finding *x, const char *key, double value, const char *unit)
{
    if (x->n_ev >= FINDING_MAX_EVIDENCE)
        return;
    x->ev[x->n_ev].key = key;
    x->ev[x->n_ev].value = value;
    x->ev[x->n_ev].unit = unit ? unit : "";
    x->n_ev++;
}

void finding_subject_proc(findings *f, finding *x, const snap *s, uint32_t proc)
{
    char b[512];
    const snap_proc *p = snap_proc_at(s, proc);
    x->proc = proc;
    if (p->name || p->alt_name)
        snap_proc_label(s, p, b, sizeof b);
    else
        proc_module_name(s, p, b, sizeof b); /* named by what it runs; the pid follows */
    x->subject = findings_strdup(f, b);
    snap_pid_text(s, p->pid, b, sizeof b);
    x->pid = findings_strdup(f, b);
    strbuf sb;
    sb_init(&sb);
    if (p->sup != SNAP_NONE || p->own_sup != SNAP_NONE)
        snap_proc_path(s, p, &sb);
    x->path = findings_strdup(f, sb.buf);
    sb_free(&sb);
}

void finding_subject_sup(findings *f, finding *x, const snap *s, uint32_t sup)
{
    const snap_sup *sp = snap_sup_at(s, sup);
    x->sup = sup;
    if (sp->proc != SNAP_NONE)
        finding_subject_proc(f, x, s, sp->proc);
    else {
        char b[128];
        snap_pid_text(s, sp->pid, b, sizeof b);
        x->subject = x->pid = findings_strdup(f, b);
    }
}

void findings_skip(findings *f, const char *rule_id, const char *reason)
{
    not_evaluated *n = vec_push(&f->skipped);
    n->rule = rule_id;
    n->reason = findings_strdup(f, reason);
}

void findings_remove(findings *f, size_t from, const uint8_t *drop)
{
    size_t w = from;
    for (size_t i = from; i < f->items.len; i++) {
        if (drop[i])
            continue;
        if (w != i)
            memcpy(vec_at(&f->items, w), vec_at(&f->items, i), sizeof(finding));
        w++;
    }
    f->items.len = w;
}

/* ---- siblings ------------------------------------------------------------------------ */

typedef struct {
    const char *key;
    size_t idx;
    double weight;
} gkey;

static int cmp_gkey(const void *a, const void *b)
{
    const gkey *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* who a process's siblings are: its supervisor, or (outside the trees) whoever spawned it */
static void parent_key(const snap *s, const snap_proc *p, char *buf, size_t n)
{
    if (p->sup != SNAP_NONE) {
        snprintf(buf, n, "s%u", p->sup);
        return;
    }
    if (p->n_anc) {
        char b[128];
        snap_pid_text(s, ((const oa_pid *)s->refs.items)[p->refs + 1], b, sizeof b);
        snprintf(buf, n, "a%s", b);
        return;
    }
    snprintf(buf, n, "none");
}

static void parent_label(const snap *s, const snap_proc *p, char *buf, size_t n)
{
    if (p->sup != SNAP_NONE) {
        const snap_sup *sp = snap_sup_at(s, p->sup);
        char b[256];
        if (sp->proc != SNAP_NONE)
            snap_proc_label(s, snap_proc_at(s, sp->proc), b, sizeof b);
        else
            snap_pid_text(s, sp->pid, b, sizeof b);
        snprintf(buf, n, "under %s", b);
    } else if (p->n_anc) {
        char b[256];
        oa_pid a = ((const oa_pid *)s->refs.items)[p->refs + 1];
        uint32_t q = snap_find_pid(s, a);
        if (q != SNAP_NONE)
            snap_proc_label(s, snap_proc_at(s, q), b, sizeof b);
        else
            snap_pid_text(s, a, b, sizeof b);
        snprintf(buf, n, "started by %s", b);
    } else
        snprintf(buf, n, "outside the trees");
}

void findings_group_siblings(const snap *s, findings *f, size_t from)
{
    size_t n = f->items.len;
    if (n <= from + 1)
        return;
    gkey *ks = xcalloc(n - from, sizeof *ks);
    size_t nk = 0;
    for (size_t i = from; i < n; i++) {
        finding *x = vec_at(&f->items, i);
        if (x->proc == SNAP_NONE || x->ets != SNAP_NONE || x->reg != SNAP_NONE || x->count != 1)
            continue;
        const snap_proc *p = snap_proc_at(s, x->proc);
        if (p->own_sup != SNAP_NONE)
            continue; /* supervisors are judged one by one */
        char mod[256], par[160];
        if (!proc_module_name(s, p, mod, sizeof mod) && (p->name || p->alt_name))
            continue; /* code unseen: named spawned funs are told apart by their names */
        parent_key(s, p, par, sizeof par);
        /* the class too: an application's own orphan and a script's loop are not siblings,
         * though both are plain spawns outside the trees */
        ks[nk].key = findings_printf(f, "%d|%d|%s|%s|%s", x->severity, (int)p->cls, par, mod, proc_kind_name(s, p));
        ks[nk].idx = i;
        ks[nk].weight = x->weight;
        nk++;
    }
    if (nk > 1)
        qsort(ks, nk, sizeof *ks, cmp_gkey);
    uint8_t *drop = xcalloc(n, 1);
    for (size_t a = 0; a < nk;) {
        size_t b = a + 1;
        while (b < nk && !strcmp(ks[a].key, ks[b].key))
            b++;
        if (b - a > 1) {
            finding *x = vec_at(&f->items, ks[a].idx); /* the worst */
            const snap_proc *p = snap_proc_at(s, x->proc);
            strbuf ex;
            sb_init(&ex);
            for (size_t k = a + 1; k < b && k < a + 4; k++) {
                const finding *y = vec_at(&f->items, ks[k].idx);
                sb_printf(&ex, "%s%s", k > a + 1 ? ", " : "", y->subject);
                if (strcmp(y->subject, y->pid))
                    sb_printf(&ex, " %s", y->pid);
            }
            if (b - a > 4)
                sb_printf(&ex, ", and %zu more", b - a - 4);
            for (size_t k = a + 1; k < b; k++)
                drop[ks[k].idx] = 1;
            char mod[256], par[300];
            proc_module_name(s, p, mod, sizeof mod);
            parent_label(s, p, par, sizeof par);
            const char *worst = x->subject;
            x->count = (uint32_t)(b - a);
            x->examples = findings_strdup(f, ex.buf);
            x->subject = findings_printf(f, "%u \xc3\x97 %s %s", x->count, mod, par);
            x->summary =
                findings_printf(f, "%u %s processes running %s %s share this finding; the worst is %s%s%s: %s",
                                x->count, proc_kind_name(s, p), mod, par, worst, strcmp(worst, x->pid) ? " " : "",
                                strcmp(worst, x->pid) ? x->pid : "", x->summary);
            finding_ev(x, "processes", x->count, "");
            sb_free(&ex);
        }
        a = b;
    }
    findings_remove(f, from, drop);
    free(drop);
    free(ks);
}

static int cmp_finding(const void *a, const void *b)
{
    const finding *x = a, *y = b;
    if (x->severity != y->severity)
        return y->severity - x->severity;
    int c = strcmp(x->rule, y->rule);
    return c ? c : strcmp(x->subject, y->subject);
}

void findings_sort(findings *f)
{
    if (f->items.len > 1) /* qsort on the NULL array of an empty set is undefined */
        qsort(f->items.items, f->items.len, sizeof(finding), cmp_finding);
}

int findings_count(const findings *f, int min_sev)
{
    int n = 0;
    for (size_t i = 0; i < f->items.len; i++)
        n += ((finding *)vec_at(&f->items, i))->severity >= min_sev;
    return n;
}
