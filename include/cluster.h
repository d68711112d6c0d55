/* cluster.h — `--cluster`: every node of a cluster from one entry node, attached in
 * parallel (one connection and one thread a node) and snapshotted within one window, and
 * what only the whole cluster shows (the cluster rules, src/rule_cluster.c).
 *
 * The entry node's erlang:nodes() (visible; with --hidden the hidden ones too, this tool's
 * own otp-advisor-* connections never) names the others. A node that cannot be attached or
 * dies midway is kept, named, with the reason; the others still report.
 *
 * Pids from different snapshots compare by node name, number, serial and creation (each
 * snapshot numbers its node names itself): cluster_pid_eq.
 *
 * Ownership: a cluster owns its nodes' snapshots, their findings and the cluster's own
 * findings; cluster_free releases them all. Renderers append to the caller's strbuf. */
#ifndef OA_CLUSTER_H
#define OA_CLUSTER_H

#include <signal.h>

#include "collect.h"
#include "conn.h"
#include "findings.h"
#include "notes.h"
#include "render.h"
#include "snap.h"
#include "thresholds.h"

typedef struct {
    char name[2 * MAXNODELEN + 2];
    snap *s; /* NULL: not collected (error says why) */
    char error[OA_ERRLEN];
    findings f; /* its own findings (cluster_analyse) */
    int have_f;
    int64_t attach_us;  /* connection and handshake */
    int64_t collect_us; /* attach to snapshot, as this node's thread measured */
} cluster_node;

typedef struct cluster {
    cluster_node *nodes; /* nodes[0] is the entry node */
    size_t n;
    int hidden; /* hidden nodes were asked for */
    findings f; /* the cluster's own findings */
    int have_f;
    int64_t wall_us; /* from the first attach to the last snapshot */
    oa_notes notes;  /* cluster_collect's warnings and notes, node by node, also when it failed:
                        the front end prints them, on stderr */
} cluster;

/* Discover from entry, attach to every node in parallel and collect. 0 with *out filled
 * (the entry node collected; others may have failed, each named), or -1 with err (the entry
 * node could not be attached or collected) and nothing in *out but its notes. */
int cluster_collect(const conn_opts *copts, const collect_opts *col, const char *entry, int hidden,
                    volatile sig_atomic_t *cancel, cluster *out, char *err);
/* A snapshot file: version 2 with every node, or version 1 as a cluster of one. */
int cluster_load(const char *path, cluster *out, char *err);
int cluster_save(const cluster *cl, const char *path, char *err);
/* a cluster of one, taking s over (the shell's and MCP's single node) */
void cluster_of_one(cluster *cl, snap *s);
void cluster_free(cluster *cl);

/* Each node's findings (the node rules, filtered as rules_run) and the cluster's (the
 * cluster rules). judge_otp: classify every snapshot again first. */
void cluster_analyse(cluster *cl, const rule_opts *ro, const char *const *only, const char *const *ignore,
                     int judge_otp);
/* a node by its full name or its part before '@': index, or -1 */
int cluster_find(const cluster *cl, const char *name);
size_t cluster_collected(const cluster *cl); /* nodes with a snapshot */

/* Do two pids of two snapshots name the same process? */
int cluster_pid_eq(const snap *a, oa_pid pa, const snap *b, oa_pid pb);
/* the name of the node a pid lives on */
const char *cluster_pid_node(const snap *s, oa_pid p);

/* check: every node's findings under its name, the nodes not collected, then the cluster's */
void cluster_render_text(const cluster *cl, int min_sev, const render_ctx *c, strbuf *out);
/* check --json: schema otp-advisor/cluster/1 (README) */
void cluster_render_json(const cluster *cl, strbuf *out);
/* the shell's and MCP's `nodes`: each node, its state, counts, findings; the cluster's :global
 * names, pg groups per node and findings */
void cluster_render_nodes(const cluster *cl, const render_ctx *c, strbuf *out);
/* the report's cluster section (markdown) */
void cluster_render_section(const cluster *cl, strbuf *out);
/* report for the cluster: the section, then each node's report of target (markdown), or
 * JSON (otp-advisor/cluster-report/1); -1 with err when no node has target */
int cluster_report(cluster *cl, const char *target, int json, strbuf *out, char *err);

#endif
