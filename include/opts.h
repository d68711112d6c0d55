/* opts.h — what a user asked for on the command line, as a plain struct: the command-line
 * front end fills it (cli.c) and the shell reads it (shell.c), neither including the other.
 * Ownership: every string points into argv or the environment, which outlive the run. */
#ifndef OA_OPTS_H
#define OA_OPTS_H

#include "collect.h"
#include "conn.h"

#define EXIT_OK 0
#define EXIT_FINDINGS 1
#define EXIT_ERROR 2
#define EXIT_INTERRUPTED 130

typedef struct {
    conn_opts copts;
    collect_opts col;
    const char *from;   /* --from FILE */
    const char *output; /* -o FILE */
    const char *node;
    const char *fail_on;
    int json;
    int dot;   /* --dot: Graphviz DOT (dump) */
    int stats; /* --stats: timings and peak RSS on stderr (make bench) */
    int color; /* -1 auto */
    const char *rules[32];
    int n_rules;
    const char *ignores[32];
    int n_ignores;
    const char *target; /* report TARGET */
    const char *sets[32];
    int n_sets;
    const char *min_severity;
    int judge_otp;           /* --judge-otp: OTP's and Elixir's library applications are judged too */
    const char *source_root; /* --source-root DIR: source files printed relative to it */
    const char *baseline;    /* report --baseline FILE: what changed since that snapshot */
    int watch_every_ms;      /* watch --every SECONDS */
    int64_t watch_for_ms;    /* watch --for DURATION; 0: until q or Ctrl-C */
    const char *watch_save;  /* watch --save FILE */
    int cluster;             /* --cluster: every node of the cluster (cluster.h) */
    int hidden;              /* --hidden: with --cluster, the hidden nodes too */
    char **rest;
    int n_rest;
} oa_opts;

#endif
