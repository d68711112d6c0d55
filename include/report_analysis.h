/* report_analysis.h — inside the report (report_*.c), not an interface of its own.
 *
 * The flow runs one way: the front door, report.h (report.c), resolves the target once and
 * hands it to a renderer declared here, report_md.c or report_json.c; they ask for one
 * analysis per section. An analysis is the processes under the target, its numbers, the
 * four questions of the BEAM Architecture Context answered, and the pattern choice, as
 * data: numbers and processes, no prose (report_analysis.c). The sentences both renderers
 * print are report_prose.c; the child specs of its tree are generated in report_code.c.
 * Nothing here includes report.h.
 * Ownership: an analysis owns its buffers and lives for one call of the section function;
 * it borrows the snapshot and the findings. */
#ifndef OA_REPORT_ANALYSIS_H
#define OA_REPORT_ANALYSIS_H

#include <stdint.h>

#include "json.h"
#include "rules.h"
#include "snap.h"
#include "util.h"

#define AN_TOP 3
#define AN_QF 5 /* findings named per answer */

typedef struct {
    int answer; /* yes/no */
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
    /* supervisors that did not answer: their children are counted from the processes'
     * ancestry ('$ancestors' and a link), not from which_children */
    uint32_t n_unread_sups, n_children_by_ancestry;
    uint32_t callers, restarts_recent, max_mq;
    double reds_rate, node_rate;
    uint32_t n_ets, n_ets_shared;
    uint32_t n_regs;
    vec fidx; /* uint32_t: findings concerning the target */
    /* callers waiting in a call on each process (gen:do_call monitoring it), from the first
     * sample: owned, one per process */
    uint32_t *in_call;
    /* the processes behind the answers, most first: by reductions/s (at least 100) and by
     * callers waiting (at least 2), supervisors included (starting children is work callers
     * wait for); callers waiting on a worker (its state), and by heap (at least 64 KB),
     * supervisors left out (they are the tree, not its state) */
    uint32_t busy[AN_TOP], waited_any[AN_TOP], waited[AN_TOP], heavy[AN_TOP];
    int n_busy_top, n_waited_any, n_waited, n_heavy;
    question q[4]; /* concurrency, isolation, shared state, stateless */
    /* the findings on the target each question's answer takes into account (their index in
     * fidx; a finding of callers waiting is concurrency, whatever the process counts say) */
    int qf[4][AN_QF];
    int n_qf[4];
    int process_needed;
    int n_patterns;      /* findings above info whose rule recommends a pattern: one per part */
    const char *pattern; /* otherwise the target's one pattern */
} analysis;

/* The report's sentences (report_prose.c), the same for markdown and JSON: the evidence of
 * question q (0-3), the patterns one per line ("Subject at path: pattern (F2)"), and the
 * rationale. Appended to out; markdown-safe once escaped. */
void rp_question(const analysis *an, int q, strbuf *out);
void rp_patterns(const analysis *an, strbuf *out);
void rp_rationale(const analysis *an, strbuf *out);
/* the numbers behind the answers, one JSON object (report --json, the MCP server's context) */
void report_numbers_json(const analysis *an, json_w *j);
/* how many callers wait on process i: monitored_by at its highest, or seen waiting in a
 * call on it, whichever is more */
uint32_t an_callers(const analysis *an, uint32_t i);

/* A report's target, resolved once: name as it was given (borrowed), or NULL for the whole
 * node (one section per application); sup and proc as view_resolve_target answers them,
 * and by, how it was named (1: a module). */
typedef struct {
    const char *name;
    uint32_t sup, proc;
    int by;
} report_target;

/* Resolve target (NULL: the whole node) into t. Returns 0, or -1 with err set. */
int report_target_resolve(const snap *s, const char *target, report_target *t, char *err);

/* Run fn over the analysis of target t, or over each application of yours; returns how many
 * sections. */
int report_sections(snap *s, const findings *f, const report_target *t, void (*fn)(analysis *, void *), void *ud);
/* The renderers, on a resolved target, appended to out: markdown (report_md.c) and JSON
 * (report_json.c). report.h's report_markdown and report_json call them. */
void report_md_render(snap *s, const findings *f, const report_target *t, strbuf *out);
void report_json_render(snap *s, const findings *f, const report_target *t, strbuf *out);

/* The tree under supervisor k as code in the app's language (children = [...] and
 * Supervisor.start_link, or init/1), with the changes its findings call for; tests gets
 * the start_supervised!/apply lines that start each child alone. */
void report_child_specs(const analysis *an, uint32_t k, strbuf *out, strbuf *tests);

#endif
