/* report_md.c — the report as markdown: the framework's "OTP Analysis" format. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codegen.h"
#include "fmt.h"
#include "report_analysis.h"
#include "source.h"
#include "views.h"

/* ---- markdown ------------------------------------------------------------------------ */

/* an evidence value for people: bytes in units, counts with separators, fractions short */
static void ev_text(const evidence *e, char *buf, size_t n)
{
    double v = e->value;
    if (!strcmp(e->unit, "B")) {
        fmt_bytes(v < 0 ? 0 : (uint64_t)v, buf, n);
        return;
    }
    char num[40];
    if (v >= 100 || v <= -100 || v == (double)(int64_t)v)
        fmt_num(v < 0 ? 0 : (uint64_t)(v + 0.5), num, sizeof num);
    else
        snprintf(num, sizeof num, "%.2f", v);
    snprintf(buf, n, "%s%s%s", num, e->unit[0] ? " " : "", e->unit);
}

static void md_escape(strbuf *out, const char *t)
{
    for (; *t; t++) {
        if (*t == '|' || *t == '*' || *t == '_' || *t == '`' || *t == '<' || *t == '>' || *t == '[' || *t == ']')
            sb_putc(out, '\\');
        sb_putc(out, *t);
    }
}

static void md_recommendation(strbuf *out, const char *rec, int elixir)
{
    /* prose lines as text, lines indented by two spaces as a code block */
    const char *p = rec;
    int in_code = 0;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        int code = n >= 2 && p[0] == ' ' && p[1] == ' ';
        if (code && !in_code) {
            sb_printf(out, "\n```%s\n", elixir ? "elixir" : "erlang");
            in_code = 1;
        } else if (!code && in_code) {
            sb_puts(out, "```\n\n");
            in_code = 0;
        }
        if (code)
            sb_add(out, p + 2, n - 2);
        else
            sb_add(out, p, n);
        sb_putc(out, '\n');
        p += n + (eol ? 1 : 0);
    }
    if (in_code)
        sb_puts(out, "```\n");
}

static void md_section(analysis *an, strbuf *out, int level)
{
    snap *s = an->s;
    const char *h = level == 1 ? "#" : "##";
    const char *h2 = level == 1 ? "##" : "###";
    sb_printf(out, "%s OTP Analysis: %s\n\n", h, an->label);
    /* Requirement */
    char when[64] = "unknown time";
    time_t t = (time_t)(s->info.collected_at_ms / 1000);
    struct tm tmv;
    if (s->info.collected_at_ms > 0 && gmtime_r(&t, &tmv))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tmv);
    strbuf path;
    sb_init(&path);
    if (an->proc != SNAP_NONE)
        snap_proc_path(s, snap_proc_at(s, an->proc), &path);
    sb_printf(out, "%s Requirement\n\n", h2);
    sb_printf(
        out,
        "Decide whether `%s` (%s%s%s) needs its processes, and which OTP pattern fits, from the live system: "
        "node `%s`, OTP %s%s%s, inspected at %s by otp-advisor %s (%s), %s.\n\n",
        an->label, an->root_sup != SNAP_NONE ? "a supervision tree" : "a process", path.len ? " at " : "", path.buf,
        snap_str(s, s->info.node), snap_str(s, s->info.otp_release), s->info.elixir_version ? ", Elixir " : "",
        s->info.elixir_version ? snap_str(s, s->info.elixir_version) : "", when, snap_str(s, s->info.tool_version),
        snap_str(s, s->info.method), s->has_sample2 ? "two samples" : "one sample (no rates)");
    if (s->has_sample2)
        sb_printf(out, "Sampling window: %.2f s between the two process walks.\n\n",
                  (double)s->info.sample_gap_us / 1e6);
    sb_free(&path);
    /* Context */
    static const char *qs[4] = {"Does this need concurrency?", "Does this need isolation?",
                                "Does this need shared state?", "Is this stateless?"};
    sb_printf(out, "%s BEAM Architecture Context\n\n", h2);
    strbuf text;
    sb_init(&text);
    for (int i = 0; i < 4; i++) {
        sb_printf(out, "- **%s** %s — ", qs[i], an->q[i].answer ? "yes" : "no");
        sb_reset(&text);
        rp_question(an, i, &text);
        md_escape(out, text.buf);
        sb_putc(out, '\n');
    }
    sb_putc(out, '\n');
    /* Recommendation */
    sb_printf(out, "%s Recommendation\n\n", h2);
    sb_printf(out, "**Process needed**: %s\n\n", an->process_needed ? "YES" : "NO");
    sb_reset(&text);
    rp_patterns(an, &text);
    if (an->n_patterns) {
        /* one pattern per part of the tree a finding concerns */
        sb_puts(out, "**Pattern**, for each part of the tree a finding concerns:\n\n");
        for (const char *l = text.buf; *l;) {
            const char *e = strchr(l, '\n');
            size_t n = e ? (size_t)(e - l) : strlen(l);
            char line[1024];
            snprintf(line, sizeof line, "%.*s", (int)n, l);
            sb_puts(out, "- ");
            md_escape(out, line);
            sb_putc(out, '\n');
            l += n + (e ? 1 : 0);
        }
        sb_puts(out, "\n**Rationale**: ");
    } else {
        sb_puts(out, "**Pattern**: ");
        md_escape(out, an->pattern);
        sb_puts(out, "\n\n**Rationale**: ");
    }
    sb_reset(&text);
    rp_rationale(an, &text);
    md_escape(out, text.buf);
    sb_free(&text);
    sb_puts(out, "\n\n");
    /* Tree */
    sb_printf(out, "%s Supervision Tree\n\n```text\n", h2);
    render_ctx c;
    render_ctx_default(&c);
    view_marks m = {s, an->f, {0}};
    sb_init(&m.tmp);
    c.mark = view_mark;
    c.mark_ud = &m;
    if (an->root_sup != SNAP_NONE)
        render_tree(s, an->root_sup, &c, out);
    else {
        const snap_proc *p = snap_proc_at(s, an->proc);
        if (p->sup != SNAP_NONE)
            render_tree(s, p->sup, &c, out);
        else
            sb_printf(out, "%s is outside every supervision tree (%s)\n", an->label,
                      proc_class_name((enum proc_class)p->cls));
    }
    sb_puts(out, "```\n\n");
    /* the same tree as a picture: a Mermaid flowchart, findings marked on their nodes */
    uint32_t drawn = an->root_sup != SNAP_NONE ? an->root_sup : snap_proc_at(s, an->proc)->sup;
    if (drawn != SNAP_NONE) {
        sb_puts(out, "```mermaid\n");
        render_mermaid(s, drawn, &c, out);
        sb_puts(out, "```\n\n");
    }
    sb_free(&m.tmp);
    strbuf tests;
    sb_init(&tests);
    uint32_t spec_sup = an->root_sup != SNAP_NONE ? an->root_sup : snap_proc_at(s, an->proc)->sup;
    if (spec_sup != SNAP_NONE) {
        sb_printf(out, "The children that rebuild it, with the recommended changes applied:\n\n```%s\n",
                  an->elixir ? "elixir" : "erlang");
        report_child_specs(an, spec_sup, out, &tests);
        sb_puts(out, "```\n\n");
    }
    /* Findings */
    sb_printf(out, "%s Findings\n\n", h2);
    if (!an->fidx.len)
        sb_puts(out, "None: nothing in this target trips a rule.\n\n");
    else {
        sb_puts(out, "| # | Severity | Rule | Subject | Evidence |\n|---|---|---|---|---|\n");
        for (size_t i = 0; i < an->fidx.len; i++) {
            const finding *x = vec_at(&an->f->items, VEC_AT(&an->fidx, uint32_t, i));
            sb_printf(out, "| F%zu | %s | `%s` | ", i + 1, severity_name(x->severity), x->rule);
            md_escape(out, x->subject);
            sb_puts(out, " | ");
            for (int e = 0; e < x->n_ev; e++) {
                char v[48];
                ev_text(&x->ev[e], v, sizeof v);
                sb_printf(out, "%s%s %s", e ? ", " : "", x->ev[e].key, v);
            }
            sb_puts(out, " |\n");
        }
        sb_putc(out, '\n');
        for (size_t i = 0; i < an->fidx.len; i++) {
            const finding *x = vec_at(&an->f->items, VEC_AT(&an->fidx, uint32_t, i));
            sb_printf(out, "**F%zu — %s** (%s) ", i + 1, x->rule, severity_name(x->severity));
            md_escape(out, x->subject);
            if (x->path[0]) {
                sb_puts(out, ", at ");
                md_escape(out, x->path);
            }
            uint32_t sp = x->proc != SNAP_NONE                              ? x->proc
                          : x->sup != SNAP_NONE && x->sup < an->s->sups.len ? snap_sup_at(an->s, x->sup)->proc
                                                                            : SNAP_NONE;
            char src[1024];
            if (sp != SNAP_NONE && sp < an->s->procs.len && proc_source(an->s, sp, src, sizeof src)) {
                for (char *q = src; *q; q++) /* a code span takes the path as it is, but a backtick */
                    if (*q == '`' || *q == '\n')
                        *q = '\'';
                sb_printf(out, " — code: `%s`", src);
            }
            sb_puts(out, "\n\n");
            md_escape(out, x->summary);
            sb_puts(out, "\n\n");
            md_recommendation(out, x->recommendation, an->elixir);
            sb_putc(out, '\n');
        }
    }
    /* Testing */
    sb_printf(out, "%s Testing Approach\n\n", h2);
    if (an->elixir) {
        /* a pid is no code: an unnamed target's test is named by what it runs */
        char what[300];
        const char *tl = an->label;
        if (tl[0] == '<' && an->root_sup != SNAP_NONE) {
            const snap_sup *sp = snap_sup_at(s, an->root_sup);
            const char *cb = sp->callback ? snap_str(s, sp->callback) : "";
            if (cb[0] && cg_is_ex_alias(cb) && strcmp(cb, "Elixir.Supervisor.Default"))
                snap_display_atom(cb, what, sizeof what);
            else
                snprintf(what, sizeof what, "the %s", sup_kind_name(sp->kind));
            tl = what;
        } else if (tl[0] == '<') {
            proc_module_name(s, snap_proc_at(s, an->proc), what, sizeof what);
            tl = what;
        }
        sb_puts(out, "```elixir\ntest \"");
        for (const char *lc = tl; *lc; lc++) /* inside an Elixir string */
            sb_printf(out, "%s%c", *lc == '"' || *lc == '\\' || *lc == '#' ? "\\" : "", *lc);
        sb_puts(out, " starts and serves\" do\n");
        if (tests.len)
            sb_puts(out, tests.buf);
        sb_puts(out, "  # exercise it here\nend\n```\n\n");
    } else {
        char fn[300];
        sb_printf(out, "```erlang\n%s_test() ->\n",
                  an->label[0] == '<' ? "target" : cg_snake(an->label, fn, sizeof fn));
        if (tests.len)
            sb_puts(out, tests.buf);
        sb_puts(out, "    ok.\n```\n\n");
    }
    sb_free(&tests);
}

static void md_top(analysis *an, void *out)
{
    md_section(an, out, 1);
}
static void md_app(analysis *an, void *out)
{
    md_section(an, out, 2);
}

void report_md_render(snap *s, const findings *f, const report_target *t, strbuf *out)
{
    if (t->name) {
        report_sections(s, f, t, md_top, out);
        return;
    }
    sb_printf(out, "# OTP Analysis: node %s\n\n", snap_str(s, s->info.node));
    sb_printf(out,
              "One section per application (the runtime's own — kernel, stdlib, elixir, logger — left out). "
              "%zu processes, %lld schedulers.\n\n",
              s->procs.len, (long long)s->info.schedulers);
    if (report_sections(s, f, t, md_app, out) == 0)
        sb_puts(out, "No application of yours runs on this node.\n");
}
