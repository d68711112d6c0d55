/* report_prose.c — the sentences of the report, for both renderers: each answer of the
 * BEAM Architecture Context names the processes behind it, what they do and the runtime
 * property that decides it, so a reader can check it on the node; the patterns per part
 * of the tree; the rationale. Everything is read from the analysis (report_analysis.c). */
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "report_analysis.h"
#include "rules.h"

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
    sb_printf(out, "%s%s (%s", sep ? ", " : "", b,
              p->own_sup != SNAP_NONE ? sup_kind_name(snap_sup_at(s, p->own_sup)->kind) : proc_kind_name(s, p));
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

/* the evidence of a finding that speaks to a question, in words: "8 callers waiting" */
static const struct {
    const char *key;
    const char *fmt; /* %s: the value */
    unsigned q;      /* bit per question */
} ev_words[] = {
    {"callers_waiting", "%s callers waiting", 1 | 4},
    {"reductions_per_s", "%s reductions/s", 1},
    {"growth_per_s", "its queue growing %s/s", 1},
    {"names", "%s generated names", 1},
    {"restarts_in_period", "%s restarts in its period", 2},
    {"timeout_ms", "no answer in %s ms", 2},
    {"keys", "%s keys", 4},
    {"rows", "%s rows", 4 | 8},
    {"heap", "%s heap", 8},
};

/* "; findings: F1 missing-partition-supervisor (Zoo.Sessions: 8 callers waiting, 25,211
 * reductions/s)": the findings the answer to question q took into account */
static void findings_note(const analysis *an, int q, strbuf *out)
{
    for (int i = 0; i < an->n_qf[q]; i++) {
        int fi = an->qf[q][i];
        const finding *x = vec_at(&an->f->items, VEC_AT(&an->fidx, uint32_t, fi));
        sb_printf(out, "%sF%d %s (%s", i ? ", " : "; findings: ", fi + 1, x->rule, x->subject);
        int said = 0;
        for (size_t w = 0; w < sizeof ev_words / sizeof ev_words[0]; w++) {
            if (!(ev_words[w].q & (1u << q)))
                continue;
            for (int e = 0; e < x->n_ev; e++) {
                if (strcmp(x->ev[e].key, ev_words[w].key))
                    continue;
                if (x->ev[e].value <= 0) /* none seen at that moment: the finding's summary says more */
                    break;
                char v[40];
                if (!strcmp(x->ev[e].unit, "B"))
                    fmt_bytes(x->ev[e].value < 0 ? 0 : (uint64_t)x->ev[e].value, v, sizeof v);
                else
                    fmt_num(x->ev[e].value < 0 ? 0 : (uint64_t)(x->ev[e].value + 0.5), v, sizeof v);
                sb_puts(out, said++ ? ", " : ": ");
                sb_printf(out, ev_words[w].fmt, v);
                break;
            }
        }
        sb_putc(out, ')');
    }
}

/* is a supervisor among the busy or the waited-on processes? */
static int sups_at_work(const analysis *an)
{
    for (int i = 0; i < an->n_busy_top; i++)
        if (snap_proc_at(an->s, an->busy[i])->own_sup != SNAP_NONE)
            return 1;
    for (int i = 0; i < an->n_waited_any; i++)
        if (snap_proc_at(an->s, an->waited_any[i])->own_sup != SNAP_NONE)
            return 1;
    return 0;
}

void rp_question(const analysis *an, int q, strbuf *out)
{
    const snap *s = an->s;
    char n1[32];
    switch (q) {
    case 0: {
        if (an->n_busy_top) {
            sb_puts(out, "busiest: ");
            for (int i = 0; i < an->n_busy_top; i++) {
                const snap_proc *p = snap_proc_at(s, an->busy[i]);
                char d[64];
                snprintf(d, sizeof d, "%s reductions/s", (fmt_rate(snap_reds_rate(s, p), n1, sizeof n1), n1));
                proc_phrase_d(an, an->busy[i], out, i, d);
            }
            sb_puts(out, "; ");
        } else
            sb_printf(out, "%s; ",
                      s->has_sample2 ? "no process under the target ran 100 reductions/s in the window"
                                     : "one sample: rates unknown");
        if (an->n_waited_any) {
            sb_puts(out, "callers wait on ");
            for (int i = 0; i < an->n_waited_any; i++) {
                char d[64];
                snprintf(d, sizeof d, "%u waiting", an_callers(an, an->waited_any[i]));
                proc_phrase_d(an, an->waited_any[i], out, i, d);
            }
            sb_puts(out, "; ");
        }
        fmt_num(an->n_dynamic_children, n1, sizeof n1);
        sb_printf(out, "%s dynamic children started on demand", n1);
        if (an->n_children_by_ancestry) {
            /* which_children unread: the children are known from '$ancestors' and a link */
            char n2[32];
            fmt_num(an->n_children_by_ancestry, n2, sizeof n2);
            sb_printf(out,
                      " (and %s process%s under %u supervisor%s whose children could not be read, counted from their "
                      "ancestry)",
                      n2, an->n_children_by_ancestry == 1 ? "" : "es", an->n_unread_sups,
                      an->n_unread_sups == 1 ? "" : "s");
        }
        sb_printf(out, "; %lld schedulers run them in parallel", (long long)s->info.schedulers);
        findings_note(an, 0, out);
        sb_putc(out, '.');
        break;
    }
    case 1: {
        if (an->root_sup != SNAP_NONE) {
            const snap_sup *sp = snap_sup_at(s, an->root_sup);
            char sl[512]; /* the supervisor itself, also when the section is named after its app */
            if (sp->proc != SNAP_NONE)
                snap_proc_label(s, snap_proc_at(s, sp->proc), sl, sizeof sl);
            else
                snap_pid_text(s, sp->pid, sl, sizeof sl);
            const char *cb = sp->callback ? snap_str(s, sp->callback) : "";
            if (sl[0] == '<' && cb[0] && strcmp(cb, "Elixir.Supervisor.Default") && strcmp(cb, "supervisor")) {
                /* an unnamed supervisor: its module first, then its pid */
                char m[256], pid[64];
                snap_display_atom(cb, m, sizeof m);
                snap_pid_text(s, sp->pid, pid, sizeof pid);
                snprintf(sl, sizeof sl, "%s %s", m, pid);
            }
            sb_printf(out, "%s (%s %s, %d restarts in %d s) restarts a crashed child without its siblings%s", sl,
                      sup_kind_name(sp->kind), sp->strategy ? snap_str(s, sp->strategy) : "", sp->intensity, sp->period,
                      sp->strategy && !strcmp(snap_str(s, sp->strategy), "one_for_all") ? " (one_for_all: all of them)"
                      : sp->strategy && !strcmp(snap_str(s, sp->strategy), "rest_for_one")
                          ? " (rest_for_one: those after it)"
                          : "");
            sb_printf(out, "; %u supervisor%s below it", an->n_sups, an->n_sups == 1 ? "" : "s");
            if (an->restarts_recent)
                sb_printf(out, "; %u restart%s within their periods, so crashes are happening and being contained",
                          an->restarts_recent, an->restarts_recent == 1 ? "" : "s");
            sb_printf(out, "; %u process%s trap exits to clean up", an->n_trap_exit, an->n_trap_exit == 1 ? "" : "es");
        } else {
            const snap_proc *p = snap_proc_at(s, an->proc);
            sb_printf(out, "a single %s, %s; it %s; %u link%s", proc_kind_name(s, p),
                      proc_class_name((enum proc_class)p->cls),
                      (p->flags & PF_TRAP_EXIT) ? "traps exits (it cleans up when a linked process dies)"
                                                : "does not trap exits",
                      p->n_links, p->n_links == 1 ? "" : "s");
        }
        findings_note(an, 1, out);
        sb_putc(out, '.');
        break;
    }
    case 2: {
        int said = 0;
        for (size_t e = 0; e < s->ets.len && said < 3; e++) {
            const snap_ets *t = vec_at(&s->ets, e);
            if (t->owner_proc == SNAP_NONE || !an->in[t->owner_proc] || !strcmp(snap_str(s, t->protection), "private"))
                continue;
            char tn[256];
            snap_display_atom(snap_str(s, t->named ? t->name : t->id), tn, sizeof tn);
            sb_printf(out, "%sETS table %s (%s, %llu rows) owned by ", said ? "; " : "", tn, snap_str(s, t->protection),
                      (unsigned long long)t->size);
            proc_phrase(an, t->owner_proc, out, 0);
            said++;
        }
        for (size_t r = 0; r < s->regs.len && said < 5; r++) {
            const snap_registry *rg = vec_at(&s->regs, r);
            uint32_t p = snap_find_pid(s, rg->sup);
            if (p == SNAP_NONE || !an->in[p])
                continue;
            char rn[256];
            snap_display_atom(snap_str(s, rg->name), rn, sizeof rn);
            sb_printf(out, "%sRegistry %s (%llu keys) names processes for others to find", said ? "; " : "", rn,
                      (unsigned long long)rg->key_count);
            said++;
        }
        for (int i = 0; i < an->n_waited && said < 6; i++, said++) {
            sb_puts(out, said ? "; " : "");
            proc_phrase(an, an->waited[i], out, 0);
            sb_puts(out, " is state that other processes call for");
        }
        if (!said && an->n_qf[2])
            sb_puts(out, "state other processes reach, as its findings show");
        else if (!said) {
            sb_puts(out, "no table others read, no Registry, ");
            if (!an->n_waited_any)
                sb_puts(out, "nobody waiting on a process here");
            else {
                /* callers wait on supervisors only: for the children they start, not for state */
                sb_puts(out, "no state other processes call for: the callers waiting on ");
                for (int i = 0; i < an->n_waited_any; i++) {
                    char d[64];
                    snprintf(d, sizeof d, "%u waiting", an_callers(an, an->waited_any[i]));
                    proc_phrase_d(an, an->waited_any[i], out, i, d);
                }
                sb_puts(out, " wait for children to be started");
            }
        }
        findings_note(an, 2, out);
        sb_putc(out, '.');
        break;
    }
    default: {
        if (!an->q[3].answer) {
            sb_puts(out, "state lives in ");
            int k = 0;
            for (int i = 0; i < an->n_heavy; i++, k++) {
                char hb[32], d[64];
                fmt_bytes(snap_proc_at(s, an->heavy[i])->heap, hb, sizeof hb);
                snprintf(d, sizeof d, "%s heap", hb);
                proc_phrase_d(an, an->heavy[i], out, k, d);
            }
            if (an->n_ets)
                sb_printf(out, "%s%u ETS table%s", k++ ? ", " : "", an->n_ets, an->n_ets == 1 ? "" : "s");
            for (int i = 0; i < an->n_waited && k < 4; i++, k++) {
                sb_puts(out, k ? ", " : "");
                proc_phrase(an, an->waited[i], out, 0);
            }
            if (!k && an->n_qf[3])
                sb_puts(out, "the processes its findings name");
            else if (!k)
                sb_puts(out, "its busy processes, which work between messages");
            findings_note(an, 3, out);
            sb_puts(out, ".");
        } else
            sb_printf(out,
                      "no %s under the target holds more than 64 KB of heap, owns a table, runs 100 "
                      "reductions/s or has callers waiting%s%s.",
                      sups_at_work(an) ? "worker" : "process",
                      s->has_sample2 ? " in the window" : " (one sample: traffic unknown)",
                      sups_at_work(an) ? " (its supervisors do work, and callers wait on them, to start children)"
                                       : "");
        break;
    }
    }
}

void rp_patterns(const analysis *an, strbuf *out)
{
    int npat = 0;
    for (size_t i = 0; i < an->fidx.len; i++) {
        const finding *x = vec_at(&an->f->items, VEC_AT(&an->fidx, uint32_t, i));
        if (x->severity == SEV_INFO)
            continue;
        const rule *rr = rule_find(x->rule);
        if (rr && rr->pattern) {
            sb_printf(out, "%s%s%s%s: %s (F%zu)", npat ? "\n" : "", x->subject, x->path[0] ? " at " : "", x->path,
                      rr->pattern, i + 1);
            npat++;
        }
    }
}

void rp_rationale(const analysis *an, strbuf *out)
{
    if (!an->n_patterns)
        sb_printf(out, "No finding above info concerns this target: its shape matches the framework (%s). ",
                  an->pattern);
    if (an->process_needed) {
        sb_puts(out, "Processes are justified by ");
        int r = 0;
        if (an->q[0].answer)
            sb_printf(out, "%sconcurrent work (concurrency)", r++ ? ", " : "");
        if (an->q[1].answer)
            sb_printf(out, "%sfailures contained by supervisors (isolation)", r++ ? ", " : "");
        if (an->q[2].answer)
            sb_printf(out, "%sstate other processes share (shared state)", r++ ? ", " : "");
        if (!an->q[3].answer)
            sb_printf(out, "%sstate kept between operations (not stateless)", r++ ? ", " : "");
        sb_puts(out, ", as the context above names.");
        if (an->n_patterns)
            sb_puts(out, " Each change above applies to the part of the tree it names; the rest stays.");
    } else
        sb_puts(out, "Its processes hold no state, share nothing and see no traffic: the framework says "
                     "no process without a runtime reason.");
}
