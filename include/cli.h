/* cli.h — command-line front ends (snapshot, dump, check, report, shell). */
#ifndef OA_CLI_H
#define OA_CLI_H

#include <signal.h>

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
    int judge_otp; /* --judge-otp: OTP's and Elixir's library applications are judged too */
    char **rest;
    int n_rest;
} cli_opts;

int cli_main(int argc, char **argv, volatile sig_atomic_t *interrupted);
/* set while a connection to a target is open (a signal then stops the work cooperatively,
 * so the probe is removed), and while the shell runs (it handles its own signals) */
extern volatile sig_atomic_t cli_remote_busy, cli_in_shell;
/* Attach, collect one snapshot and detach (purging the probe). */
int cli_collect(const cli_opts *o, volatile sig_atomic_t *interrupted, snap **out, char *err);

#endif
