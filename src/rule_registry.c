/* rule_registry.c — registry-single-partition and atom-named-dynamic-processes: how
 * dynamic processes are named. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "advice.h"
#include "fmt.h"
#include "rules.h"

static void run_single_partition(const rule *self, const snap *s, const rule_opts *o, findings *out)
{
    double keys_thr = rule_opt(o, "registry.keys");
    if (s->info.schedulers <= 1)
        return;
    for (uint32_t r = 0; r < s->regs.len; r++) {
        const snap_registry *rg = vec_at(&s->regs, r);
        if (rg->partitions != 1 || (double)rg->key_count < keys_thr)
            continue;
        uint32_t sp = snap_find_pid(s, rg->sup);
        if (sp != SNAP_NONE && rule_exempt(s, snap_proc_at(s, sp)))
            continue;
        finding *x = findings_add(out, self->id, SEV_WARNING);
        if (sp != SNAP_NONE)
            finding_subject_proc(out, x, s, sp);
        char name[256], keys[32];
        snap_display_atom(snap_str(s, rg->name), name, sizeof name);
        x->subject = findings_strdup(out, name);
        x->reg = r;
        finding_ev(x, "keys", (double)rg->key_count, "");
        finding_ev(x, "partitions", rg->partitions, "");
        finding_ev(x, "schedulers", (double)s->info.schedulers, "");
        fmt_num(rg->key_count, keys, sizeof keys);
        x->summary = findings_printf(out,
                                     "Registry %s (%s keys) has %s keys in one partition on %lld schedulers: every "
                                     "register and unregister, and the exit of every registered process, goes "
                                     "through one partition process and one ETS table.",
                                     name, snap_str(s, rg->kind), keys, (long long)s->info.schedulers);
        const char *keys_kind = snap_str(s, rg->kind)[0] ? snap_str(s, rg->kind) : "unique";
        x->recommendation = advice_text(out, s, self->id, ADV_DEFAULT, &(advice_args){.arg = {keys_kind, name}});
    }
}

typedef struct {
    char stem[256];
    uint32_t count, first;
} stem_group;

static void run_atoms(const rule *self, const snap *s, const rule_opts *o, findings *out)
{
    double group_thr = rule_opt(o, "atoms.group");
    vec groups;
    vec_init(&groups, sizeof(stem_group));
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_proc *p = snap_proc_at(s, i);
        if (!p->name || rule_exempt(s, p) || (p->flags & PF_REGISTRY_PART))
            continue; /* a Registry's own partitions are named …PIDPartitionN on purpose */
        const char *n = snap_str(s, p->name);
        size_t len = strlen(n), cut = len;
        while (cut > 0 && isdigit((unsigned char)n[cut - 1]))
            cut--;
        if (cut == len || cut == 0)
            continue; /* no generated numeric suffix */
        char stem[256];
        snprintf(stem, sizeof stem, "%.*s", (int)cut, n);
        stem_group *g = NULL;
        for (size_t k = 0; k < groups.len; k++)
            if (!strcmp(((stem_group *)vec_at(&groups, k))->stem, stem))
                g = vec_at(&groups, k);
        if (!g) {
            g = vec_push(&groups);
            snprintf(g->stem, sizeof g->stem, "%s", stem);
            g->first = i;
        }
        g->count++;
    }
    for (size_t k = 0; k < groups.len; k++) {
        const stem_group *g = vec_at(&groups, k);
        if (g->count < group_thr)
            continue;
        double share = s->info.atom_limit ? 100.0 * (double)s->info.atom_count / (double)s->info.atom_limit : 0;
        finding *x = findings_add(out, self->id, share >= 50 ? SEV_CRITICAL : SEV_WARNING);
        finding_subject_proc(out, x, s, g->first);
        char stem[256];
        snap_display_atom(g->stem, stem, sizeof stem);
        x->subject = findings_printf(out, "%s* (%u names)", stem, g->count);
        finding_ev(x, "names", g->count, "");
        finding_ev(x, "atom_count", (double)s->info.atom_count, "");
        finding_ev(x, "atom_limit", (double)s->info.atom_limit, "");
        finding_ev(x, "atom_table_share", share, "%");
        x->summary = findings_printf(out,
                                     "%u processes are registered under generated atoms %s1, %s2, …: atoms are never "
                                     "garbage collected, so every new name is a permanent entry in the atom table "
                                     "(%.1f %% used); past the limit the node crashes.",
                                     g->count, stem, stem, share);
        /* the key's tag: the stem without an Elixir. prefix or trailing separators */
        const char *tag = !strncmp(g->stem, "Elixir.", 7) ? g->stem + 7 : g->stem;
        int taglen = (int)strlen(tag);
        while (taglen > 1 && (tag[taglen - 1] == '_' || tag[taglen - 1] == '-' || tag[taglen - 1] == '.'))
            taglen--;
        char key[300];
        snprintf(key, sizeof key, "%.*s", taglen, tag);
        for (char *c = key; *c; c++)
            if (*c == '.' || *c == '-')
                *c = '_';
        x->recommendation = advice_text(out, s, self->id, ADV_DEFAULT, &(advice_args){.arg = {key}});
    }
    vec_free(&groups);
}

const rule rule_registry_single_partition = {
    .id = "registry-single-partition",
    .title = "Busy Registry with one partition",
    .max_severity = SEV_WARNING,
    .framework = "Dynamic worker pool → DynamicSupervisor + Registry; partitions: System.schedulers_online().",
    .explain = "Fires for an Elixir Registry with one partition and at least registry.keys keys on a node with "
               "more than one scheduler. Registrations, unregistrations and the cleanup of exited processes all "
               "go through the single partition. Cannot see: how often keys change (the key count is one "
               "instant). Fix: partitions: System.schedulers_online().",
    .run = run_single_partition,
    .pattern = "Registry with partitions: System.schedulers_online()",
    .spec = SPEC_PARTITION_REGISTRY,
    .thresholds =
        (const threshold_def[]){
            {"registry.keys", 1000, "keys", "keys in a single-partition Registry"},
            {NULL, 0, NULL, NULL},
        },
};

const rule rule_atom_named_dynamic_processes = {
    .id = "atom-named-dynamic-processes",
    .title = "Dynamic processes registered under generated atoms",
    .max_severity = SEV_CRITICAL,
    .framework = "Registry via tuples: any term as process identifier, no atom exhaustion.",
    .explain = "Fires when at least atoms.group locally registered names differ only by a numeric suffix "
               "(session_1, session_2, …): names made with String.to_atom/1 at run time. Critical when the atom "
               "table is half full. Cannot see: the code that makes the atoms, only the names it left. Fix: "
               "{:via, Registry, {MyApp.Registry, {:session, id}}}.",
    .run = run_atoms,
    .pattern = "DynamicSupervisor + Registry (via tuples)",
    .thresholds =
        (const threshold_def[]){
            {"atoms.group", 20, "names", "registered names differing by a generated suffix"},
            {NULL, 0, NULL, NULL},
        },
};
