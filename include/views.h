/* views.h — the shell's views of a snapshot: top, info, registries, ETS, and name
 * resolution. Pure: snapshot (and findings) in, text out.
 * Ownership: views append to the caller's strbuf and keep nothing; they borrow the
 * snapshot and the findings for the call. */
#ifndef OA_VIEWS_H
#define OA_VIEWS_H

#include "render.h"
#include "rules.h"

enum top_sort { TOP_MQ, TOP_REDS, TOP_RATE, TOP_MEM };
int top_sort_parse(const char *s); /* -1 if unknown */

/* What `tree X` draws: an application, a supervisor, or the supervisor of a process.
 * Returns the supervisor index, or SNAP_NONE with err set. */
uint32_t view_resolve_tree(const snap *s, const char *what, char *err);

void view_top(const snap *s, int sort, int n, const render_ctx *c, strbuf *out);
void view_info(const snap *s, uint32_t proc, const findings *f, const render_ctx *c, strbuf *out);
void view_registries(const snap *s, const render_ctx *c, strbuf *out);
int view_registry(const snap *s, const char *name, int n, const render_ctx *c, strbuf *out, char *err);
void view_ets(const snap *s, int by_mem, int n, const render_ctx *c, strbuf *out);

/* findings marks for the tree: worst severity and rule ids of a process's findings */
typedef struct {
    const snap *s;
    const findings *f;
    strbuf tmp;
} view_marks;
const char *view_mark(void *ud, uint32_t proc, int *severity);

#endif
