/* rules.h — the OTP decision framework as checks over a snapshot, and the rule table.
 *
 * A rule is a pure function: snapshot and thresholds in, findings appended. Rules never
 * touch the network and never print; rules live in themed files (src/rule_*.c, one
 * `const rule rule_NAME` each), one table (src/rules.c, from include/rules.def) lists
 * them. The runtime's own processes (kernel, stdlib, elixir, logger, the shell) and this
 * tool's never produce findings. Findings are in findings.h, thresholds in thresholds.h. */
#ifndef OA_RULES_H
#define OA_RULES_H

#include "findings.h"
#include "snap.h"
#include "thresholds.h"

/* every rule's thresholds, at their defaults */
void rule_opts_default(rule_opts *o);

/* How the report's rewritten tree changes the child spec of a finding's subject. */
enum spec_change {
    SPEC_NONE,
    SPEC_PARTITION_REGISTRY, /* {Registry, …, partitions: System.schedulers_online()} */
    SPEC_PARTITION_DYNSUP,   /* {PartitionSupervisor, child_spec: DynamicSupervisor, …} */
    SPEC_REMOVE,             /* the process has no runtime reason: a plain module instead */
};

struct cluster; /* cluster.h */

/* A rule: a `const rule rule_NAME` in a themed file (src/rule_*.c) and one line in
 * include/rules.def. Everything else about it is here. A cluster rule (--cluster) has
 * run_cluster instead of run: it reads every node's snapshot at once. Both receive the rule
 * itself (`self`): its id names its findings. */
typedef struct rule rule;
struct rule {
    const char *id;
    const char *title;
    int max_severity;
    const char *framework; /* the framework's words */
    const char *explain;   /* what it checks, why it matters, how to fix */
    void (*run)(const rule *self, const snap *s, const rule_opts *o, findings *out);
    const char *pattern;             /* the pattern it recommends, in the report; NULL: none */
    enum spec_change spec;           /* what the report's tree changes for its subject */
    const threshold_def *thresholds; /* ends with a NULL name; NULL: none */
    void (*run_cluster)(const rule *self, const struct cluster *cl, const rule_opts *o, findings *out);
};

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
