/* render_dot.c — supervision trees as graphs (see render.h): Graphviz DOT for `dump --dot`
 * and the shell's `tree --dot` (rendered with `dot -Tsvg`, t_dot), and a Mermaid flowchart
 * for the markdown report (rendered with Mermaid's own CLI, t_mermaid). One walk, two
 * syntaxes. */
#include <stdio.h>
#include <string.h>

#include "render.h"

enum shape { SH_SUP, SH_WORKER, SH_GONE, SH_GROUP, SH_APP, SH_ORPHAN };

typedef struct {
    int mermaid;
    const render_ctx *c;
    strbuf *out;
} graph;

/* a label's text: DOT escapes quotes and backslashes, newlines as \n; Mermaid writes
 * entities for the characters its parser reads (quotes, <, >, #) and <br/> for newlines */
static void label_text(const graph *g, const char *s)
{
    for (; *s; s++) {
        if (g->mermaid) {
            if (*s == '"')
                sb_puts(g->out, "#quot;");
            else if (*s == '<')
                sb_puts(g->out, "#lt;");
            else if (*s == '>')
                sb_puts(g->out, "#gt;");
            else if (*s == '#')
                sb_puts(g->out, "#35;");
            else if (*s == '\n')
                sb_puts(g->out, "<br/>");
            else
                sb_putc(g->out, *s);
            continue;
        }
        if (*s == '"' || *s == '\\')
            sb_putc(g->out, '\\');
        if (*s == '\n')
            sb_puts(g->out, "\\n");
        else
            sb_putc(g->out, *s);
    }
}

/* a node: id, label, shape; marked by its finding when it has one (a colour in DOT, a
 * class in Mermaid) */
static void dot_node(const graph *g, const char *id, const char *label, enum shape sh, uint32_t proc)
{
    int sev = -1;
    const char *m = NULL;
    if (g->c->mark && proc != SNAP_NONE) {
        int s = 0;
        m = g->c->mark(g->c->mark_ud, proc, &s);
        if (m && *m)
            sev = s;
    }
    if (g->mermaid) {
        static const char *const open[] = {"[\"", "[\"", "[\"", "[[\"", "([\"", "([\""};
        static const char *const close[] = {"\"]", "\"]", "\"]", "\"]]", "\"])", "\"])"};
        sb_printf(g->out, "  %s%s", id, open[sh]);
        label_text(g, label);
        if (sev >= 0) {
            sb_puts(g->out, "<br/>");
            label_text(g, m);
        }
        sb_printf(g->out, "%s\n", close[sh]);
        if (sh == SH_SUP || sh == SH_GONE || sev >= 0)
            sb_printf(g->out, "  class %s %s\n", id,
                      sev >= 2       ? "critical"
                      : sev == 1     ? "warning"
                      : sev == 0     ? "info"
                      : sh == SH_SUP ? "sup"
                                     : "gone");
        return;
    }
    static const char *const attrs[] = {
        "style=bold", "", "style=dashed", "shape=box3d", "shape=folder", "shape=folder, style=dashed"};
    sb_printf(g->out, "  \"%s\" [label=\"", id);
    label_text(g, label);
    sb_putc(g->out, '"');
    if (*attrs[sh])
        sb_printf(g->out, ", %s", attrs[sh]);
    if (sev >= 0) {
        sb_printf(g->out, ", color=\"%s\", penwidth=2, tooltip=\"", sev >= 2 ? "red" : sev == 1 ? "orange" : "blue");
        label_text(g, m);
        sb_putc(g->out, '"');
    }
    sb_puts(g->out, "];\n");
}

static void edge(const graph *g, const char *a, const char *b)
{
    if (g->mermaid)
        sb_printf(g->out, "  %s --> %s\n", a, b);
    else
        sb_printf(g->out, "  \"%s\" -> \"%s\";\n", a, b);
}

static void dot_sup(const snap *s, uint32_t k, const graph *g, int depth)
{
    const snap_sup *sp = snap_sup_at(s, k);
    char id[32], label[600], name[512];
    snprintf(id, sizeof id, "s%u", k);
    if (sp->proc != SNAP_NONE)
        snap_proc_label(s, snap_proc_at(s, sp->proc), name, sizeof name);
    else
        snap_pid_text(s, sp->pid, name, sizeof name);
    snprintf(label, sizeof label, "%s\n%s%s%s", name, sup_kind_name(sp->kind), sp->strategy ? " " : "",
             sp->strategy ? snap_str(s, sp->strategy) : "");
    dot_node(g, id, label, SH_SUP, sp->proc);
    if (snap_sup_on_demand(s, sp) && g->c->collapse > 0 && sp->n_children > (uint32_t)g->c->collapse) {
        /* as in the text tree: one node per child module, with its count */
        for (uint32_t i = 0; i < sp->n_children; i++) {
            const snap_child *ch = &VEC_AT(&s->children, snap_child, sp->children + i);
            int seen = 0;
            for (uint32_t j = 0; j < i && !seen; j++)
                seen = VEC_AT(&s->children, snap_child, sp->children + j).modules == ch->modules;
            if (seen)
                continue;
            uint32_t n = 0;
            for (uint32_t j = i; j < sp->n_children; j++)
                n += VEC_AT(&s->children, snap_child, sp->children + j).modules == ch->modules;
            char gid[48], mod[256], cnt[32];
            snprintf(gid, sizeof gid, "s%u_g%u", k, i);
            snap_display_atom(snap_str(s, ch->modules), mod, sizeof mod);
            fmt_num(n, cnt, sizeof cnt);
            snprintf(label, sizeof label, "%s \xc3\x97 %s", cnt, mod);
            dot_node(g, gid, label, SH_GROUP, SNAP_NONE);
            edge(g, id, gid);
        }
        return;
    }
    for (uint32_t i = 0; i < sp->n_children; i++) {
        const snap_child *ch = render_child_at(s, sp, i);
        uint32_t own = ch->proc != SNAP_NONE ? snap_proc_at(s, ch->proc)->own_sup : SNAP_NONE;
        if (own != SNAP_NONE && own != k && snap_sup_at(s, own)->parent == k && depth < 64) {
            char sid[32];
            snprintf(sid, sizeof sid, "s%u", own);
            edge(g, id, sid);
            dot_sup(s, own, g, depth + 1);
            continue;
        }
        char cid[48];
        snprintf(cid, sizeof cid, "s%u_c%u", k, i);
        render_child_label(s, ch, name, sizeof name);
        dot_node(g, cid, name, ch->state == CS_PID || ch->proc != SNAP_NONE ? SH_WORKER : SH_GONE, ch->proc);
        edge(g, id, cid);
    }
}

static void render_graph(const snap *s, uint32_t sup, const graph *g)
{
    if (g->mermaid)
        sb_puts(g->out, "flowchart LR\n");
    else
        sb_puts(g->out, "digraph otp {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n");
    if (sup != SNAP_NONE)
        dot_sup(s, sup, g, 0);
    else {
        for (size_t i = 0; i < s->apps.len; i++) {
            const snap_app *a = vec_at(&s->apps, i);
            if (a->top_sup == SNAP_NONE)
                continue;
            char aid[32], sid[32];
            snprintf(aid, sizeof aid, "a%zu", i);
            snprintf(sid, sizeof sid, "s%u", a->top_sup);
            dot_node(g, aid, snap_str(s, a->name), SH_APP, SNAP_NONE);
            edge(g, aid, sid);
            dot_sup(s, a->top_sup, g, 0);
        }
        for (uint32_t k = 0; k < s->sups.len; k++) /* trees started outside every application */
            if (snap_sup_root(s, k) == SR_ORPHAN) {
                char oid[32], sid[32];
                snprintf(oid, sizeof oid, "o%u", k);
                snprintf(sid, sizeof sid, "s%u", k);
                dot_node(g, oid, "outside any application", SH_ORPHAN, SNAP_NONE);
                edge(g, oid, sid);
                dot_sup(s, k, g, 0);
            }
    }
    if (g->mermaid)
        sb_puts(g->out, "  classDef sup font-weight:bold,stroke-width:2px\n"
                        "  classDef gone stroke-dasharray:4 3\n"
                        "  classDef critical stroke:#c00,stroke-width:3px,fill:#fdd\n"
                        "  classDef warning stroke:#d80,stroke-width:3px,fill:#fed\n"
                        "  classDef info stroke:#36c,stroke-width:2px\n");
    else
        sb_puts(g->out, "}\n");
}

void render_dot(const snap *s, uint32_t sup, const render_ctx *c, strbuf *out)
{
    graph g = {0, c, out};
    render_graph(s, sup, &g);
}

void render_mermaid(const snap *s, uint32_t sup, const render_ctx *c, strbuf *out)
{
    graph g = {1, c, out};
    render_graph(s, sup, &g);
}
