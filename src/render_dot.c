/* render_dot.c — supervision trees as Graphviz DOT (see render.h): for `dump --dot` and
 * the shell's `tree --dot`, rendered with `dot -Tsvg` (t_dot). */
#include <stdio.h>
#include <string.h>

#include "render.h"

/* a DOT string's body: quotes and backslashes escaped, newlines as \n */
static void dot_text(strbuf *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            sb_putc(out, '\\');
        if (*s == '\n')
            sb_puts(out, "\\n");
        else
            sb_putc(out, *s);
    }
}

/* a node: id, label, extra attributes; coloured by its finding when it has one */
static void dot_node(strbuf *out, const char *id, const char *label, const char *attrs, const render_ctx *c,
                     uint32_t proc)
{
    sb_printf(out, "  \"%s\" [label=\"", id);
    dot_text(out, label);
    sb_putc(out, '"');
    if (attrs && *attrs)
        sb_printf(out, ", %s", attrs);
    if (c->mark && proc != SNAP_NONE) {
        int sev = 0;
        const char *m = c->mark(c->mark_ud, proc, &sev);
        if (m && *m) {
            sb_printf(out, ", color=\"%s\", penwidth=2, tooltip=\"", sev >= 2 ? "red" : sev == 1 ? "orange" : "blue");
            dot_text(out, m);
            sb_putc(out, '"');
        }
    }
    sb_puts(out, "];\n");
}

static void dot_sup(const snap *s, uint32_t k, const render_ctx *c, strbuf *out, int depth)
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
    dot_node(out, id, label, "style=bold", c, sp->proc);
    if (snap_sup_on_demand(s, sp) && c->collapse > 0 && sp->n_children > (uint32_t)c->collapse) {
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
            dot_node(out, gid, label, "shape=box3d", c, SNAP_NONE);
            sb_printf(out, "  \"%s\" -> \"%s\";\n", id, gid);
        }
        return;
    }
    for (uint32_t i = 0; i < sp->n_children; i++) {
        const snap_child *ch = &VEC_AT(&s->children, snap_child, sp->children + i);
        uint32_t own = ch->proc != SNAP_NONE ? snap_proc_at(s, ch->proc)->own_sup : SNAP_NONE;
        if (own != SNAP_NONE && own != k && snap_sup_at(s, own)->parent == k && depth < 64) {
            sb_printf(out, "  \"%s\" -> \"s%u\";\n", id, own);
            dot_sup(s, own, c, out, depth + 1);
            continue;
        }
        char cid[48];
        snprintf(cid, sizeof cid, "s%u_c%u", k, i);
        render_child_label(s, ch, name, sizeof name);
        dot_node(out, cid, name, ch->state == CS_PID || ch->proc != SNAP_NONE ? "" : "style=dashed", c, ch->proc);
        sb_printf(out, "  \"%s\" -> \"%s\";\n", id, cid);
    }
}

void render_dot(const snap *s, uint32_t sup, const render_ctx *c, strbuf *out)
{
    sb_puts(out, "digraph otp {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n");
    if (sup != SNAP_NONE)
        dot_sup(s, sup, c, out, 0);
    else {
        for (size_t i = 0; i < s->apps.len; i++) {
            const snap_app *a = vec_at(&s->apps, i);
            if (a->top_sup == SNAP_NONE)
                continue;
            char aid[32];
            snprintf(aid, sizeof aid, "a%zu", i);
            dot_node(out, aid, snap_str(s, a->name), "shape=folder", c, SNAP_NONE);
            sb_printf(out, "  \"%s\" -> \"s%u\";\n", aid, a->top_sup);
            dot_sup(s, a->top_sup, c, out, 0);
        }
        for (uint32_t k = 0; k < s->sups.len; k++) /* trees started outside every application */
            if (snap_sup_root(s, k) == SR_ORPHAN) {
                sb_printf(out, "  \"o%u\" [label=\"outside any application\", shape=folder, style=dashed];\n", k);
                sb_printf(out, "  \"o%u\" -> \"s%u\";\n", k, k);
                dot_sup(s, k, c, out, 0);
            }
    }
    sb_puts(out, "}\n");
}
