/* render_findings.c — findings as text (grouped by severity) and as JSON
 * (schema "otp-advisor/findings/2", documented in README). */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "render.h"
#include "render_findings.h"
#include "rules.h"
#include "source.h"

static const char *sev_mark(int sev)
{
    return sev == SEV_CRITICAL ? "\xe2\x9c\x96" : sev == SEV_WARNING ? "\xe2\x9a\xa0" : "\xe2\x84\xb9";
}
static const char *sev_color(int sev)
{
    return sev == SEV_CRITICAL ? "\033[31m" : sev == SEV_WARNING ? "\033[33m" : "\033[36m";
}

static void indent_block(strbuf *out, const char *text, const char *pad)
{
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        sb_puts(out, pad);
        sb_add(out, p, n);
        sb_putc(out, '\n');
        p += n + (eol ? 1 : 0);
    }
}

/* the source file of a finding's subject (a process, or a supervisor's process), when it is
 * the target's own code and the snapshot recorded it; NULL otherwise */
static const char *finding_source(const snap *s, const finding *x, char *buf, size_t n)
{
    uint32_t p = x->proc;
    if (p == SNAP_NONE && x->sup != SNAP_NONE && x->sup < s->sups.len)
        p = snap_sup_at(s, x->sup)->proc;
    if (p == SNAP_NONE || p >= s->procs.len)
        return NULL;
    return proc_source(s, p, buf, n);
}

void render_finding_text(const snap *s, const finding *x, const render_ctx *c, strbuf *out)
{
    char src[1024];
    sb_printf(out, "%s%s %-8s%s  %s  %s%s%s", c->color ? sev_color(x->severity) : "", sev_mark(x->severity),
              severity_name(x->severity), c->color ? "\033[0m" : "", x->rule, c->color ? "\033[1m" : "", x->subject,
              c->color ? "\033[0m" : "");
    if (x->pid[0] && strcmp(x->pid, x->subject) != 0)
        sb_printf(out, " %s", x->pid);
    if (x->path[0])
        sb_printf(out, "  (%s)", x->path);
    sb_putc(out, '\n');
    if (finding_source(s, x, src, sizeof src))
        sb_printf(out, "    code: %s\n", src);
    indent_block(out, x->summary, "    ");
    if (x->examples[0]) {
        sb_puts(out, "    next worst: ");
        sb_puts(out, x->examples);
        sb_putc(out, '\n');
    }
    indent_block(out, x->recommendation, "      ");
}

void render_findings_text(const snap *s, const findings *f, int min_sev, const render_ctx *c, strbuf *out)
{
    int shown = 0;
    for (int sev = SEV_CRITICAL; sev >= min_sev; sev--) {
        for (size_t i = 0; i < f->items.len; i++) {
            const finding *x = vec_at(&f->items, i);
            if (x->severity != sev)
                continue;
            render_finding_text(s, x, c, out);
            sb_putc(out, '\n');
            shown++;
        }
    }
    for (size_t i = 0; i < f->skipped.len; i++) {
        const not_evaluated *n = vec_at(&f->skipped, i);
        sb_printf(out, "%snot fully evaluated: %s: %s%s\n", c->color ? "\033[2m" : "", n->rule, n->reason,
                  c->color ? "\033[0m" : "");
    }
    int nc = 0, nw = 0, ni = 0;
    for (size_t i = 0; i < f->items.len; i++) {
        int sev = ((finding *)vec_at(&f->items, i))->severity;
        nc += sev == SEV_CRITICAL;
        nw += sev == SEV_WARNING;
        ni += sev == SEV_INFO;
    }
    if (f->skipped.len)
        sb_putc(out, '\n');
    sb_printf(out, "%d critical, %d warning, %d info on %s (%s, %zu processes)%s\n", nc, nw, ni,
              snap_str(s, s->info.node), s->has_sample2 ? "two samples" : "one sample", s->procs.len,
              shown < (int)f->items.len ? " — some hidden by -s" : "");
    if (snap_window_stretched(s))
        sb_printf(out,
                  "note: the window was stretched: %.1f s asked, %.1f s measured (the node was busy); rates use "
                  "the measured time\n",
                  (double)s->info.window_ms / 1e3, (double)s->info.sample_gap_us / 1e6);
}

void render_findings_json(const snap *s, const findings *f, strbuf *out)
{
    json_w j;
    json_init(&j, out, 1);
    json_obj(&j);
    json_kstr(&j, "schema", "otp-advisor/findings/2");
    json_kint(&j, "schema_version", 2);
    json_kstr(&j, "node", snap_str(s, s->info.node));
    json_kstr(&j, "otp_release", snap_str(s, s->info.otp_release));
    if (s->info.elixir_version)
        json_kstr(&j, "elixir_version", snap_str(s, s->info.elixir_version));
    json_kint(&j, "collected_at_ms", s->info.collected_at_ms);
    json_kint(&j, "window_ms", s->has_sample2 ? s->info.sample_gap_us / 1000 : 0);
    json_kint(&j, "processes", (int64_t)s->procs.len);
    json_key(&j, "counts");
    json_obj(&j);
    json_kint(&j, "critical", findings_count(f, SEV_CRITICAL));
    json_kint(&j, "warning", findings_count(f, SEV_WARNING) - findings_count(f, SEV_CRITICAL));
    json_kint(&j, "info", findings_count(f, SEV_INFO) - findings_count(f, SEV_WARNING));
    json_obj_end(&j);
    json_key(&j, "findings");
    json_arr(&j);
    for (size_t i = 0; i < f->items.len; i++) {
        const finding *x = vec_at(&f->items, i);
        json_obj(&j);
        json_kstr(&j, "rule", x->rule);
        json_kstr(&j, "severity", severity_name(x->severity));
        json_key(&j, "subject");
        json_obj(&j);
        json_kstr(&j, "name", x->subject);
        json_kstr(&j, "pid", x->pid);
        json_kstr(&j, "path", x->path);
        char src[1024];
        if (finding_source(s, x, src, sizeof src))
            json_kstr(&j, "source", src);
        json_obj_end(&j);
        json_kint(&j, "count", x->count);
        json_kstr(&j, "examples", x->examples);
        json_key(&j, "evidence");
        json_obj(&j);
        for (int e = 0; e < x->n_ev; e++)
            json_knum(&j, x->ev[e].key, x->ev[e].value);
        json_obj_end(&j);
        json_kstr(&j, "summary", x->summary);
        json_kstr(&j, "recommendation", x->recommendation);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_key(&j, "not_evaluated");
    json_arr(&j);
    for (size_t i = 0; i < f->skipped.len; i++) {
        const not_evaluated *n = vec_at(&f->skipped, i);
        json_obj(&j);
        json_kstr(&j, "rule", n->rule);
        json_kstr(&j, "reason", n->reason);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    sb_putc(out, '\n');
}

int render_explain(const char *id, const rule_opts *o, strbuf *out, char *err)
{
    if (id && !strcmp(id, "thresholds")) {
        for (int i = 0; i < o->n; i++)
            sb_printf(out, "%-22s %10.15g %-9s %s\n", o->t[i].name, o->t[i].value, o->t[i].unit, o->t[i].help);
        return 0;
    }
    if (id && !rule_find(id))
        return errf(err, "no rule '%.80s%s' (`explain` lists them)", id, strlen(id) > 80 ? "…" : "");
    for (int i = 0; i < n_rules; i++) {
        const rule *r = rule_at(i);
        if (id && strcmp(id, r->id) != 0)
            continue;
        sb_printf(out, "%s — %s (up to %s)\n  framework: %s\n", r->id, r->title, severity_name(r->max_severity),
                  r->framework);
        sb_puts(out, "  ");
        /* wrap the explanation at ~88 columns */
        const char *p = r->explain;
        int col = 2;
        while (*p) {
            const char *sp = strchr(p, ' ');
            size_t w = sp ? (size_t)(sp - p) : strlen(p);
            if (col + (int)w > 90) {
                sb_puts(out, "\n  ");
                col = 2;
            }
            sb_add(out, p, w);
            col += (int)w;
            p += w;
            if (*p == ' ') {
                sb_putc(out, ' ');
                col++;
                p++;
            }
        }
        sb_putc(out, '\n');
        /* its thresholds: the ones its explanation names */
        int any = 0;
        for (int t = 0; t < o->n; t++) {
            if (!strstr(r->explain, o->t[t].name))
                continue;
            sb_printf(out, "%s  --set %s=%.15g   %s\n", any ? "" : "  thresholds:\n", o->t[t].name, o->t[t].value,
                      o->t[t].help);
            any = 1;
        }
        sb_putc(out, '\n');
    }
    return 0;
}
