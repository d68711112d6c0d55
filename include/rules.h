/* rules.h — the OTP decision framework as checks over a snapshot.
 *
 * A rule is a pure function: snapshot and thresholds in, findings appended. Rules never
 * touch the network and never print; one file per rule (src/rule_*.c), one table
 * (src/rules.c) listing them. The runtime's own processes (kernel, stdlib, elixir,
 * logger, the shell) and this tool's never produce findings.
 *
 * Ownership: a findings set owns every string of its findings (one arena); free the set
 * with findings_free, never a finding. */
#ifndef OA_RULES_H
#define OA_RULES_H

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
/* merge sibling findings of one rule added since index `from` (see finding.count) */
void findings_group_siblings(const snap *s, findings *f, size_t from);
/* most severe first, then by rule id, then subject */
void findings_sort(findings *f);
int findings_count(const findings *f, int min_sev);

/* Thresholds: every one has a default that makes sense on a production node and can be
 * changed with --set NAME=VALUE. A rule declares its own (rule.thresholds). */
typedef struct {
    const char *name; /* "bottleneck.queue": the rule's word, a dot, what it bounds */
    double dflt;
    const char *unit; /* "B", "reds/s", "%", "s", "messages", … or "" */
    const char *help;
} threshold_def;

typedef struct {
    const char *name, *unit, *help; /* static, from the rule's threshold_def */
    double value;
} threshold;

/* Every rule's thresholds, in table order. A rule reading a name no rule declares is a bug:
 * rule_opt records it in *missing, and rules_run reports that rule as not evaluated. */
typedef struct {
    threshold *t;
    int n;
    const char **missing; /* owned: one slot */
} rule_opts;

void rule_opts_default(rule_opts *o);
void rule_opts_free(rule_opts *o);
int rule_opts_set(rule_opts *o, const char *assignment, char *err); /* "name=value" */
double rule_opt(const rule_opts *o, const char *name);

/* How the report's rewritten tree changes the child spec of a finding's subject. */
enum spec_change {
    SPEC_NONE,
    SPEC_PARTITION_REGISTRY, /* {Registry, …, partitions: System.schedulers_online()} */
    SPEC_PARTITION_DYNSUP,   /* {PartitionSupervisor, child_spec: DynamicSupervisor, …} */
    SPEC_REMOVE,             /* the process has no runtime reason: a plain module instead */
};

struct cluster; /* cluster.h */

/* A rule: one file (src/rule_NAME.c, defining `const rule rule_NAME`) and one line in
 * include/rules.def. Everything else about it is here. A cluster rule (--cluster) has
 * run_cluster instead of run: it reads every node's snapshot at once. */
typedef struct {
    const char *id;
    const char *title;
    int max_severity;
    const char *framework; /* the framework's words */
    const char *explain;   /* what it checks, why it matters, how to fix */
    void (*run)(const snap *s, const rule_opts *o, findings *out);
    const char *pattern;             /* the pattern it recommends, in the report; NULL: none */
    enum spec_change spec;           /* what the report's tree changes for its subject */
    const threshold_def *thresholds; /* ends with a NULL name; NULL: none */
    void (*run_cluster)(const struct cluster *cl, const rule_opts *o, findings *out);
} rule;

extern const int n_rules;
const rule *rule_at(int i);
const rule *rule_find(const char *id);

/* Run every rule (or only `only`, minus `ignore`; NULL-terminated lists may be NULL). */
void rules_run(const snap *s, const rule_opts *o, const char *const *only, const char *const *ignore, findings *out);
/* The cluster rules over every node's snapshot (cluster.h), filtered the same way. */
void rules_run_cluster(const struct cluster *cl, const rule_opts *o, const char *const *only, const char *const *ignore,
                       findings *out);

/* helpers shared by rules */
int rule_exempt(const snap *s, const snap_proc *p); /* runtime or advisor */
#endif
