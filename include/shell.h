/* shell.h — the interactive shell: a command table drives dispatch, help and
 * completion (like tmux's cmd-*.c entries), a libedit line editor when stdin is a
 * terminal, plain line reading when it is not.
 *
 * Ownership: the shell owns its connection, snapshot and findings; shell_free releases
 * them (and purges the probe). Every command reports failure as one line in err and
 * returns non-zero; the shell prints it and goes on. */
#ifndef OA_SHELL_H
#define OA_SHELL_H

#include <signal.h>

#include "cluster.h"
#include "collect.h"
#include "conn.h"
#include "findings.h"
#include "opts.h"
#include "render.h"
#include "snap.h"
#include "thresholds.h"

typedef struct shell shell;

enum complete_kind {
    CK_NONE = 0,
    CK_TARGET = 1, /* apps, supervisors, names, pids */
    CK_NAME = 2,   /* processes by name */
    CK_RULE = 4,
    CK_REGISTRY = 8,
    CK_COMMAND = 16,
    CK_FILE = 32,
};

/* A snapshot is checked before the command runs; a connection when it collects, after its
 * own arguments are checked (`refresh abc` is a usage error, connected or not). */
enum cmd_needs { NEEDS_NOTHING = 0, NEEDS_SNAPSHOT = 1, NEEDS_CONNECTION = 2 };

/* A command's words, parsed against its entry before it runs. */
typedef struct {
    int argc;            /* positional words, options taken out */
    char **argv;         /* argv[0] is the first positional word */
    const char *opt[26]; /* -a … -z: the value given, or NULL */
    const char *flag[4]; /* long flags given (--dot), from the entry's flags */
} cmd_args;

typedef struct {
    const char *name;
    const char *alias;
    const char *args;            /* usage after the name, e.g. "[APP|SUP|PID] [-d DEPTH]" */
    const char *options;         /* its option letters, each taking a value; # after one: a count
                                  * (0 to 1,000,000), checked before it runs: "sn#" for -s X -n N */
    const char *flags;           /* its long flags, space-separated: "dot" for --dot */
    int min_args, max_args;      /* positional words */
    enum complete_kind complete; /* what its arguments complete to */
    enum cmd_needs needs;
    const char *help;
    int (*run)(shell *sh, const cmd_args *a, strbuf *out, char *err);
} shell_cmd;

extern const shell_cmd shell_cmds[];
extern const int shell_n_cmds;
const shell_cmd *shell_cmd_find(const char *name); /* by name, alias or unique prefix */

struct shell {
    oa_opts *opts;
    conn c;
    int connected;
    char node[2 * 256 + 2]; /* what we attach to */
    char source[4096];      /* "node@host" or a file name */
    collect_state cst;
    snap *s;
    findings f;
    int have_findings, findings_stale;
    rule_opts ro;
    int color, width, interactive;
    volatile sig_atomic_t *interrupted;
    int quit;
    int timing; /* `timing on`: each command's time after its output */
    /* --cluster (or a file of several nodes): every node's snapshot. The current node's
     * snapshot and findings are moved out of cl into s and f while it is current (so every
     * command reads s and f), and back when another node becomes current. */
    cluster cl;
    int clustered;
    int cur;
};

void shell_init(shell *sh, oa_opts *o, volatile sig_atomic_t *interrupted);
void shell_free(shell *sh);
/* 1: the line names a cookie or holds the cookie's value; 2: a value of 8 characters or
 * more (the line is then refused). Such lines never reach the history file. */
int shell_holds_secret(const shell *sh, const char *line);
/* Tokenise and run one command line: output appended to out, an error line to errs. */
int shell_exec(shell *sh, const char *line, strbuf *out, strbuf *errs);
/* Completion candidates for the word being typed (pos = index of the word, 0 = command). */
void shell_complete(shell *sh, const char *cmd, int pos, const char *prefix, vec *out /* char* owned */);
int shell_split(const char *line, char **argv, int max, char *buf, size_t bufn); /* quotes aware */
/* Set the snapshot (takes ownership) and recompute findings. */
void shell_set_snapshot(shell *sh, snap *s);
/* Read a snapshot file: one node, or every node of a cluster file (then the first is current). */
int shell_load_file(shell *sh, const char *path, strbuf *out, char *err);
const char *shell_prompt(shell *sh, char *buf, size_t n);

int shell_main(oa_opts *o, volatile sig_atomic_t *interrupted);

#endif
