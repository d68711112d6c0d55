/* thresholds.h — the numbers rules compare against, and --set NAME=VALUE. */
#ifndef OA_THRESHOLDS_H
#define OA_THRESHOLDS_H

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
 * rule_opt records it in *missing, and rules_run reports that rule as not evaluated.
 * rule_opts_default (rules.h) fills it from the rule table. */
typedef struct {
    threshold *t;
    int n;
    const char **missing; /* owned: one slot */
} rule_opts;

/* the given definitions (lists ending with a NULL name; a list may be NULL), at their defaults */
void rule_opts_from(rule_opts *o, const threshold_def *const *defs, int n);
void rule_opts_free(rule_opts *o);
int rule_opts_set(rule_opts *o, const char *assignment, char *err); /* "name=value" */
double rule_opt(const rule_opts *o, const char *name);

#endif
