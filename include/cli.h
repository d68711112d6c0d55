/* cli.h — the command line: one table of commands (snapshot, dump, check, report, mcp, explain,
 * shell, help) and one of options, from which parsing, usage and help all come.
 * Ownership: cli_main owns what it collects or loads and frees it before it returns; the
 * options (opts.h) point into argv. */
#ifndef OA_CLI_H
#define OA_CLI_H

#include <signal.h>

#include "opts.h"
#include "thresholds.h"
#include "util.h"

int cli_main(int argc, char **argv, volatile sig_atomic_t *interrupted);
/* set while a connection to a target is open (a signal then stops the work cooperatively,
 * so the probe is removed), and while the shell runs (it handles its own signals) */
extern volatile sig_atomic_t cli_remote_busy, cli_in_shell;
/* Attach, collect one snapshot and detach (purging the probe). */
int cli_collect(const oa_opts *o, volatile sig_atomic_t *interrupted, snap **out, char *err);
/* The output, to -o FILE (atomically for a regular file; outfile.h) or standard output; every
 * write is checked: -1 and one line on stderr when it fails. */
int cli_emit(const oa_opts *o, const strbuf *sb);
/* Thresholds from --set, and --rule/--ignore checked against the rule table. */
int cli_setup_rules(const oa_opts *o, rule_opts *ro, char *err);

#endif
