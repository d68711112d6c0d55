/* render.h — text views of a snapshot (summary, apps, supervision trees).
 *
 * Renderers append to a strbuf the caller owns; they never print and never touch the
 * network. Colour is ANSI when ctx->color; lines are cut to ctx->width display columns
 * with an ellipsis when ctx->width > 0. */
#ifndef OA_RENDER_H
#define OA_RENDER_H

#include "fmt.h"
#include "snap.h"
#include "util.h"

typedef struct {
    int color;
    int width;    /* 0: no limit */
    int depth;    /* tree depth limit, 0: none */
    int collapse; /* collapse dynamic supervisors above this many children */
    /* optional: marks next to a process in the tree (findings), may be NULL */
    const char *(*mark)(void *ud, uint32_t proc, int *severity);
    void *mark_ud;
} render_ctx;

void render_ctx_default(render_ctx *c);

void render_summary(const snap *s, const render_ctx *c, strbuf *out);
void render_apps(const snap *s, const render_ctx *c, strbuf *out);
/* the tree under supervisor index `sup` (or every application's when SNAP_NONE) */
void render_tree(const snap *s, uint32_t sup, const render_ctx *c, strbuf *out);
void render_class_counts(const snap *s, const render_ctx *c, strbuf *out);
void render_unsupervised(const snap *s, const render_ctx *c, strbuf *out);
/* a child's name in a tree: its registered name, its id, or its pid */
void render_child_label(const snap *s, const snap_child *ch, char *buf, size_t n);
/* The i-th child of supervisor sp in start order, as a row of s->children. which_children
 * lists a static supervisor's newest child first (OTP keeps its children newest first), so
 * its rows are read backwards; an on-demand supervisor's children (DynamicSupervisor,
 * simple_one_for_one, …) have no meaningful order and keep the order they were listed in.
 * Every tree (text, DOT, Mermaid, dump --json, the report's code) goes through this. */
const snap_child *render_child_at(const snap *s, const snap_sup *sp, uint32_t i);
/* Graphviz DOT of the tree under `sup` (every application's and every other tree when
 * SNAP_NONE): supervisors with their strategy, workers, dynamic children collapsed as in
 * the text tree (c->collapse), findings marked (c->mark) by colour (render_dot.c) */
void render_dot(const snap *s, uint32_t sup, const render_ctx *c, strbuf *out);
/* the same as a Mermaid flowchart (for markdown: GitHub and most viewers draw it) */
void render_mermaid(const snap *s, uint32_t sup, const render_ctx *c, strbuf *out);

/* dump --json (schema otp-advisor/dump/1) */
void render_dump_json(const snap *s, strbuf *out);

/* Cut every line of text to width display columns (UTF-8 aware, ANSI-escape aware). */
void render_fit(const char *text, int width, strbuf *out);

#endif
