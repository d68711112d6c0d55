/* diff.h — what changed between two snapshots of one system: before and after a deploy.
 *
 * Applications and their versions; supervisors added or removed; children per supervisor
 * and, for on-demand supervisors, per module; processes per application; named processes
 * that appeared or vanished, and the memory, queue and rate of those in both; ETS tables
 * and their sizes; findings new, resolved or still there.
 *
 * Processes are matched by name (registered, then :global or via), then by their path of
 * child ids from their application's top supervisor; never by pid (a restarted process
 * keeps its place and gets a new pid; an old pid may be reused). A process with neither (a
 * dynamic child, a plain spawn) counts only in the totals. Findings are matched by rule
 * and subject, the subject by the same keys.
 *
 * Pure: two snapshots and their findings in, text or JSON out. */
#ifndef OA_DIFF_H
#define OA_DIFF_H

#include "findings.h"
#include "snap.h"
#include "util.h"

typedef struct {
    int new_at[3]; /* new findings by severity */
    int resolved, still;
} diff_counts;

/* la, lb: how to name each side (their file names). */
void diff_render(const snap *a, const findings *fa, const char *la, const snap *b, const findings *fb, const char *lb,
                 int json, strbuf *out, diff_counts *counts);

#endif
