/* views.h — the shell's views of a snapshot: top, info, registries, ETS, and name
 * resolution. Pure: snapshot (and findings) in, text out.
 * Ownership: views append to the caller's strbuf and keep nothing; they borrow the
 * snapshot and the findings for the call. */
#ifndef OA_VIEWS_H
#define OA_VIEWS_H

#include "findings.h"
#include "render.h"

enum top_sort { TOP_MQ, TOP_REDS, TOP_RATE, TOP_MEM };
int top_sort_parse(const char *s); /* -1 if unknown */

/* What a user names as a target (report, tree): what snap_resolve_target resolves (an
 * application, a supervisor or process by pid or name), else a module: the supervisor whose
 * callback it is (the topmost, when it is the callback of supervisors at several levels of
 * one tree), else the process that runs it ('$initial_call', else its initial call), or the
 * one supervisor whose children all the processes that run it are (a pool, a
 * DynamicSupervisor's children). Returns 0 (by name, pid or application) or 1 (by module)
 * with one of *sup, *proc set (the other SNAP_NONE), or -1 with err: unknown, or a module
 * that several trees or unrelated processes run (err names them) (views_target.c). */
int view_resolve_target(const snap *s, const char *what, uint32_t *sup, uint32_t *proc, char *err);

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
