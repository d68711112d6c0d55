/* rules.c — the rule table, running it, and the helpers shared by rules. */
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"

/* ---- one subject, one finding ------------------------------------------------------ */

static double ev_value(const finding *x, const char *key)
{
    for (int i = 0; i < x->n_ev; i++)
        if (!strcmp(x->ev[i].key, key))
            return x->ev[i].value;
    return 0;
}

/* A process that is unsupervised and owns ETS tables gets one finding, not one per rule:
 * unsupervised-process owns it (its subject is the process; the tables are what is lost
 * with it), with the tables' evidence and advice, at the worse of the two severities; and
 * ets-owner-at-risk says nothing more of that owner. When only one of the two rules ran
 * (--rule, --ignore) nothing is merged. A group of sibling processes keeps its tables'
 * findings: which sibling owns which table is theirs to say. */
static void merge_table_owners(const snap *s, findings *f, size_t from)
{
    size_t n = f->items.len;
    uint8_t *drop = xcalloc(n ? n : 1, 1);
    for (size_t i = from; i < n; i++) {
        finding *u = vec_at(&f->items, i);
        if (strcmp(u->rule, "unsupervised-process") || u->proc == SNAP_NONE || u->sup != SNAP_NONE || u->count != 1)
            continue;
        int tables = 0, sev = u->severity;
        double rows = 0, mem = 0;
        const finding *first = NULL;
        strbuf names;
        sb_init(&names);
        for (size_t j = from; j < n; j++) {
            finding *e = vec_at(&f->items, j);
            if (drop[j] || strcmp(e->rule, "ets-owner-at-risk") || e->proc != u->proc || e->ets == SNAP_NONE)
                continue;
            const snap_ets *t = vec_at(&s->ets, e->ets);
            char mb[32];
            fmt_bytes(t->mem, mb, sizeof mb);
            sb_printf(&names, "%s%s (%llu rows, %s, %s)", tables ? ", " : "", e->subject, (unsigned long long)t->size,
                      mb, snap_str(s, t->protection));
            rows += ev_value(e, "rows");
            mem += ev_value(e, "memory");
            if (e->severity > sev)
                sev = e->severity;
            if (!first)
                first = e;
            tables++;
            drop[j] = 1;
        }
        if (tables) {
            u->severity = sev;
            finding_ev(u, "tables", tables, "");
            finding_ev(u, "rows", rows, "");
            finding_ev(u, "table_memory", mem, "B");
            u->summary = findings_printf(f,
                                         "%s It owns %s with no heir: %s; when it exits, %s and %s data are gone, "
                                         "and nothing recreates %s.",
                                         u->summary, tables == 1 ? "an ETS table" : "ETS tables", names.buf,
                                         tables == 1 ? "the table" : "the tables", tables == 1 ? "its" : "their",
                                         tables == 1 ? "it" : "them");
            u->recommendation = findings_printf(f, "%s\n%s", u->recommendation, first->recommendation);
        }
        sb_free(&names);
    }
    findings_remove(f, from, drop);
    free(drop);
}

/* ---- helpers ------------------------------------------------------------------------- */

int rule_exempt(const snap *s, const snap_proc *p)
{
    (void)s;
    return p->cls == PC_RUNTIME || p->cls == PC_ADVISOR;
}

/* ---- the table ----------------------------------------------------------------------- */

#define RULE(name) extern const rule rule_##name;
#include "rules.def"
#undef RULE

static const rule *const table[] = {
#define RULE(name) &rule_##name,
#include "rules.def"
#undef RULE
};

const int n_rules = (int)(sizeof table / sizeof table[0]);

const rule *rule_at(int i)
{
    return i >= 0 && i < n_rules ? table[i] : NULL;
}

const rule *rule_find(const char *id)
{
    for (int i = 0; i < n_rules; i++)
        if (!strcmp(table[i]->id, id))
            return table[i];
    return NULL;
}

void rule_opts_default(rule_opts *o)
{
    const threshold_def *defs[sizeof table / sizeof table[0]];
    for (int i = 0; i < n_rules; i++)
        defs[i] = table[i]->thresholds;
    rule_opts_from(o, defs, n_rules);
}

static int in_list(const char *const *l, const char *id)
{
    for (; l && *l; l++)
        if (!strcmp(*l, id))
            return 1;
    return 0;
}

void rules_run(const snap *s, const rule_opts *o, const char *const *only, const char *const *ignore, findings *out)
{
    size_t first = out->items.len;
    for (int i = 0; i < n_rules && !oa_stop_requested(); i++) {
        if (only && *only && !in_list(only, table[i]->id))
            continue;
        if (in_list(ignore, table[i]->id))
            continue;
        if (!table[i]->run) /* a cluster rule */
            continue;
        size_t from = out->items.len;
        table[i]->run(table[i], s, o, out);
        findings_group_siblings(s, out, from);
        if (o->missing && *o->missing) { /* a bug, said where it shows, never a silent 0 */
            findings_skip(
                out, table[i]->id,
                findings_printf(out, "internal error: it reads threshold '%s', which no rule declares", *o->missing));
            *o->missing = NULL;
        }
    }
    merge_table_owners(s, out, first);
    findings_sort(out);
}

void rules_run_cluster(const struct cluster *cl, const rule_opts *o, const char *const *only, const char *const *ignore,
                       findings *out)
{
    for (int i = 0; i < n_rules && !oa_stop_requested(); i++) {
        if (!table[i]->run_cluster || (only && *only && !in_list(only, table[i]->id)) || in_list(ignore, table[i]->id))
            continue;
        table[i]->run_cluster(table[i], cl, o, out);
        if (o->missing && *o->missing) {
            findings_skip(
                out, table[i]->id,
                findings_printf(out, "internal error: it reads threshold '%s', which no rule declares", *o->missing));
            *o->missing = NULL;
        }
    }
    findings_sort(out);
}
