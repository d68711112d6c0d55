/* findings.h — what the rules found: the findings container, sibling grouping, severity order.
 *
 * Below the rules: everything that reads findings (render, report, the shell, the MCP
 * server) includes this, not rules.h, unless it needs the rule table.
 *
 * Ownership: a findings set owns every string of its findings (one arena); free the set
 * with findings_free, never a finding. */
#ifndef OA_FINDINGS_H
#define OA_FINDINGS_H

#include "arena.h"
#include "snap.h"
#include "util.h"

enum severity { SEV_INFO = 0, SEV_WARNING = 1, SEV_CRITICAL = 2 };
const char *severity_name(int sev);
int severity_parse(const char *s); /* -1 if unknown */

#define FINDING_MAX_EVIDENCE 12

typedef struct {
    const char *key; /* static */
    double value;
    const char *unit; /* static: "", "B", "reds/s", "s", "%" … */
} evidence;

typedef struct {
    const char *rule; /* static id */
    int severity;
    uint32_t proc;              /* subject process or SNAP_NONE */
    uint32_t sup;               /* subject supervisor or SNAP_NONE */
    uint32_t ets;               /* subject ETS table or SNAP_NONE */
    uint32_t reg;               /* subject Registry or SNAP_NONE */
    const char *subject;        /* its name (or pid) */
    const char *pid;            /* its pid text, "" if none */
    const char *path;           /* place in the tree, "" if none */
    const char *summary;        /* the evidence in one or two sentences */
    const char *recommendation; /* the framework's advice with code, for this subject */
    evidence ev[FINDING_MAX_EVIDENCE];
    int n_ev;
    /* siblings: N processes running the same code under the same parent give one finding,
     * this one the worst of them (highest weight); examples lists the next worst */
    uint32_t count;       /* 1 for a single subject */
    const char *examples; /* "" or "<0.1.0> (queue 30), …" */
    double weight;        /* how bad, for picking the worst; set by the rule */
    const char *node;     /* a cluster finding: the node it concerns most ("" otherwise) */
} finding;

typedef struct {
    const char *rule;
    const char *reason;
} not_evaluated;

typedef struct {
    arena mem;
    vec items;   /* finding */
    vec skipped; /* not_evaluated */
} findings;

void findings_init(findings *f);
void findings_free(findings *f);
finding *findings_add(findings *f, const char *rule_id, int severity);
const char *findings_strdup(findings *f, const char *s);
const char *findings_printf(findings *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void finding_ev(finding *x, const char *key, double value, const char *unit);
/* fill subject, pid and path from a process */
void finding_subject_proc(findings *f, finding *x, const snap *s, uint32_t proc);
void finding_subject_sup(findings *f, finding *x, const snap *s, uint32_t sup);
void findings_skip(findings *f, const char *rule_id, const char *reason);
/* remove the findings i >= from with drop[i] set, keeping the others in order */
void findings_remove(findings *f, size_t from, const uint8_t *drop);
/* merge sibling findings of one rule added since index `from` (see finding.count) */
void findings_group_siblings(const snap *s, findings *f, size_t from);
/* most severe first, then by rule id, then subject */
void findings_sort(findings *f);
int findings_count(const findings *f, int min_sev);

#endif
