/* watch.h — evidence that spans minutes: `otp-advisor watch NODE [--every S] [--for D]`.
 *
 * One full snapshot first (the trees), then a light sample every S seconds: queue,
 * reductions and memory of every process, nothing asked of any process (the probe's
 * second walk alone). The trees are read again only when a supervisor did work of its own
 * (a start, a restart, a shutdown) or the process count moved. Per process the C node keeps
 * a ring of the latest samples and counters over the whole watch (bounded memory, however
 * long the watch); they feed the rules that need time (rule_watch.c) and, with the first
 * and latest samples as one long window, the rules of one window (an idle process over
 * the whole watch is a warning, not "watch longer").
 *
 * On a terminal: a live view (top processes, sparklines, findings appearing and clearing;
 * q quits, s sorts). Otherwise, or with --json: JSON lines, one per sample and one per
 * finding appearing or clearing. The end (the --for time, q, Ctrl-C, SIGTERM) prints a
 * summary and removes the probe. */
#ifndef OA_WATCH_H
#define OA_WATCH_H

#include <signal.h>

#include "opts.h"

int watch_main(oa_opts *o, volatile sig_atomic_t *interrupted);

#endif
