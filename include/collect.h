/* collect.h — take a snapshot of a live node through the probe (or --no-load).
 *
 * collect_snapshot streams the canonical messages from the collector running on the
 * target into a new snap. It grants the collector credit as it consumes messages, so the
 * target never holds more than `credit` chunks in flight. Cancellation (*cancel set, e.g.
 * by SIGINT) stops the collector on the target. The probe stays loaded across collections
 * of one session; collect_unload removes it (and stale ones of dead sessions).
 *
 * Ownership: the caller owns the snap collect_snapshot returns (snap_free), and the
 * collect_state, which remembers the loaded probe across collections of one connection;
 * the conn is borrowed. */
#ifndef OA_COLLECT_H
#define OA_COLLECT_H

#include <signal.h>
#include <stdint.h>

#include "conn.h"
#include "notes.h"
#include "snap.h"

/* How far a collection is, for a front end that shows it (the MCP server's
 * notifications/progress). The phases come in this order; CP_WINDOW and CP_WALK2 only with a
 * window. Rows are process rows received: at most `processes` a walk (processes die). */
enum collect_phase { CP_ATTACH, CP_WALK1, CP_WINDOW, CP_WALK2, CP_TREES };
typedef struct {
    enum collect_phase phase;
    int64_t processes;    /* the node's process count, 0 until its facts arrived */
    int64_t rows1, rows2; /* process rows received from the first and the second walk */
    int64_t window_ms;    /* the window asked for */
    int64_t elapsed_ms;   /* since the first walk began (the window counts from there) */
    int64_t messages;     /* messages received in all */
} collect_progress;

typedef struct {
    int window_ms;      /* 0: one sample */
    int sup_timeout_ms; /* per supervisor call */
    int chunk;          /* processes per message */
    int credit;         /* messages in flight */
    long mq_threshold;  /* skip memory above this queue length */
    int registry_keys;  /* keys read per Registry */
    int no_load;        /* stock calls only (erl_eval of the collector) */
    int sample;         /* watch: a light sample only (queue, reductions, memory), as a second walk */
    snap *into;         /* with sample: ingest into this snapshot (its processes get their second
                           sample) instead of a new one; not finished again, not freed */
    int quiet;          /* no notes (collect_state) */
    /* optional: called after every message and at least every 200 ms while waiting for one
     * (it may set *cancel, which stops the collection at its next turn) */
    void (*progress)(void *ud, const collect_progress *p);
    void *progress_ud;
} collect_opts;

void collect_defaults(collect_opts *o);

typedef struct {
    int loaded;    /* our probe module is loaded on the target */
    int fell_back; /* loading was refused: no-load used */
    char method[16];
    oa_notes notes; /* what a collection had to say on the side (loading the probe was refused),
                       unless quiet: the front end prints it, on stderr, and clears it */
} collect_state;

int collect_snapshot(conn *c, const collect_opts *o, collect_state *st, volatile sig_atomic_t *cancel, snap **out,
                     char *err);
/* Purge and delete the probe (and stale ones of dead sessions), unless another
 * otp-advisor session is attached. */
int collect_unload(conn *c, collect_state *st, char *err);

#endif
