/* rule_ets.c — ets-owner-at-risk: a table dies with its owner. */
#include <stdio.h>
#include <string.h>

#include "advice.h"
#include "fmt.h"
#include "rules.h"

/* 2: linked to a supervised process that does not trap exits (they die together, and the
 * supervisor restarts that one); 1: linked only to ones that trap exits; 0: neither */
static int linked_tied(const snap *s, const snap_proc *p)
{
    const oa_pid *links = (const oa_pid *)s->refs.items + p->refs + 1 + p->n_anc;
    int r = 0;
    for (uint32_t k = 0; k < p->n_links; k++) {
        uint32_t q = snap_find_pid(s, links[k]);
        if (q == SNAP_NONE)
            continue;
        const snap_proc *qp = snap_proc_at(s, q);
        if (qp->cls != PC_SUPERVISED || (qp->flags & PF_REGISTRY_PART) || qp->own_sup != SNAP_NONE)
            continue;
        if (!(qp->flags & PF_TRAP_EXIT))
            return 2;
        r = 1;
    }
    return r;
}

static void run(const rule *self, const snap *s, const rule_opts *o, findings *out)
{
    (void)o;
    uint32_t runner = snap_script_runner(s);
    for (size_t e = 0; e < s->ets.len; e++) {
        const snap_ets *t = vec_at(&s->ets, e);
        if (t->owner_proc == SNAP_NONE || t->heir.kind == PK_PID)
            continue;
        const snap_proc *p = snap_proc_at(s, t->owner_proc);
        if (rule_exempt(s, p))
            continue;
        int unsup = proc_class_unsupervised(p->cls), task = proc_is_task(s, p);
        if (!unsup && !task)
            continue;
        int sev = SEV_WARNING;
        if (p->cls == PC_LINKED_HELPER && !task) {
            int tied = linked_tied(s, p);
            if (tied == 2)
                continue;   /* its crash takes a supervised process down, which is restarted and starts it again */
            sev = SEV_INFO; /* the supervised partner traps exits: it may or may not start it again */
        }
        if (t->owner_proc == runner)
            sev = SEV_INFO; /* the script's own table lives as long as the script: the node's life */
        finding *x = findings_add(out, self->id, sev);
        finding_subject_proc(out, x, s, t->owner_proc);
        x->ets = (uint32_t)e;
        char tname[256], owner[256], mem[32];
        const char *raw = snap_str(s, t->name);
        snap_display_atom(raw, tname, sizeof tname);
        snprintf(owner, sizeof owner, "%s", x->subject);
        if (!t->named)
            x->subject = findings_printf(out, "table %s", snap_str(s, t->id));
        else if (!strncmp(raw, "Elixir.", 7))
            x->subject = findings_strdup(out, tname); /* a module name is already an atom in Elixir */
        else
            x->subject = findings_printf(out, "%s%s", s->info.elixir_version ? ":" : "", tname);
        finding_ev(x, "rows", (double)t->size, "");
        finding_ev(x, "memory", (double)t->mem, "B");
        fmt_bytes(t->mem, mem, sizeof mem);
        x->summary = findings_printf(
            out,
            "ETS %s%s (%llu rows, %s, %s) is owned by %s, %s, and has no heir: when "
            "that process exits the table and its data are gone, and nothing recreates it.",
            t->named ? "table " : "", x->subject, (unsigned long long)t->size, mem, snap_str(s, t->protection), owner,
            task ? "a short-lived task"
            : t->owner_proc == runner
                ? "the script's process (the code `mix run -e` or `elixir FILE` runs: when it "
                  "returns the node stops, unless --no-halt)"
                : findings_printf(out, "an unsupervised process (%s)", proc_class_name((enum proc_class)p->cls)));
        x->recommendation =
            advice_text(out, s, self->id, ADV_DEFAULT, &(advice_args){.atom = t->named ? raw : "my_table"});
    }
}

const rule rule_ets_owner_at_risk = {
    .id = "ets-owner-at-risk",
    .title = "ETS table whose owner can vanish",
    .max_severity = SEV_WARNING,
    .framework = "Cache → ETS; and the table lives as long as its owner process.",
    .explain = "Fires for an ETS table owned by an unsupervised process or a task and with no heir. The table "
               "is deleted when the owner exits. A helper linked to a supervised worker that does not trap exits "
               "is left alone: its crash takes that worker down, and the worker's restart starts it again; linked "
               "only to workers that trap exits, it is info; owned by the script's process (`mix run -e`, "
               "`elixir FILE`), info. An owner that unsupervised-process reports gets one finding for both: that "
               "rule's, naming its tables (tables, rows, table_memory), and none of this rule. Cannot see: "
               "whether the owner's code recreates the table. Fix: own it from a supervised GenServer or set an "
               "heir.",
    .run = run,
    .pattern = "ETS owned by a supervised GenServer (or with an heir)",
};
