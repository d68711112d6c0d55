/* cli_cluster.h — the one-shot commands with --cluster (snapshot, dump, check, report): every
 * node of a cluster, then what only the cluster shows (cluster.h).
 * Ownership: the command owns the cluster it collects or loads and frees it before it returns. */
#ifndef OA_CLI_CLUSTER_H
#define OA_CLI_CLUSTER_H

#include <signal.h>

#include "cluster.h"
#include "opts.h"

/* cmd: "snapshot", "dump", "check" or "report"; returns the exit code (errors printed) */
int cli_cluster_cmd(oa_opts *o, volatile sig_atomic_t *interrupted, const char *cmd);
/* Attach (o->node, in parallel) or load (o->from) a cluster: 0, or -1 with err. */
int cli_cluster_get(const oa_opts *o, volatile sig_atomic_t *interrupted, cluster *cl, char *err);

#endif
