/* snap_text.h — the hand-written text form of a snapshot (src/snap_text.c describes it).
 *
 * A text snapshot compiles to the canonical messages a probe streams and goes through
 * snap_ingest and snap_finish like a saved .etf file: snap_load and snap_load_buf read
 * either (a text file starts with SNAP_TEXT_MAGIC). Ownership as in snap.h: the caller
 * frees what it gets with snap_loaded_free. */
#ifndef OA_SNAP_TEXT_H
#define OA_SNAP_TEXT_H

#include <stddef.h>

#include "snap.h"

#define SNAP_TEXT_MAGIC "%% otp-advisor snapshot text"

/* does buf start with the text form's first line? */
int snap_text_is(const void *buf, size_t len);
/* every node of a text snapshot (one unless it has several `node` sections); 0, or -1
 * with err naming the line */
int snap_text_load_nodes(const void *buf, size_t len, snap_loaded **out, size_t *n, char *err);

#endif
