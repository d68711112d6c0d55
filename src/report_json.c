/* report_json.c — the report as JSON (schema otp-advisor/report/2). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen.h"
#include "fmt.h"
#include "json.h"
#include "report_analysis.h"

/* the numbers behind a report's answers, as one JSON object (report --json and the MCP
 * server's context): rates rounded to whole reductions a second */
void report_numbers_json(const analysis *an, json_w *j)
{
    json_obj(j);
    json_kint(j, "processes", an->n_procs);
    json_kint(j, "supervisors", an->n_sups);
    json_kint(j, "dynamic_children", an->n_dynamic_children);
    json_kint(j, "supervisors_unread", an->n_unread_sups);
    json_kint(j, "children_by_ancestry", an->n_children_by_ancestry);
    json_kint(j, "busy_processes", an->n_busy);
    json_knum(j, "reductions_per_s", floor(an->reds_rate + 0.5));
    json_knum(j, "node_reductions_per_s", an->node_rate >= 0 ? floor(an->node_rate + 0.5) : 0);
    json_kint(j, "callers_waiting_max", an->callers);
    json_kint(j, "longest_queue", an->max_mq);
    json_kint(j, "restarts_in_period", an->restarts_recent);
    json_kint(j, "trap_exit", an->n_trap_exit);
    json_kint(j, "ets_tables", an->n_ets);
    json_kint(j, "ets_shared", an->n_ets_shared);
    json_kint(j, "named_processes", an->n_named);
    json_kint(j, "registries", an->n_regs);
    json_kint(j, "idle_workers", an->n_idle);
    json_kint(j, "schedulers", an->s->info.schedulers);
    json_obj_end(j);
}

static void json_section(analysis *an, json_w *j)
{
    snap *s = an->s;
    static const char *keys[4] = {"concurrency", "isolation", "shared_state", "stateless"};
    json_obj(j);
    json_kstr(j, "target", an->label);
    json_kstr(j, "kind", an->root_sup != SNAP_NONE ? "supervisor" : "process");
    json_key(j, "numbers");
    report_numbers_json(an, j);
    strbuf text;
    sb_init(&text);
    json_key(j, "context");
    json_obj(j);
    for (int i = 0; i < 4; i++) {
        json_key(j, keys[i]);
        json_obj(j);
        json_kbool(j, "answer", an->q[i].answer);
        sb_reset(&text);
        rp_question(an, i, &text);
        json_kstr(j, "evidence", text.buf);
        json_obj_end(j);
    }
    json_obj_end(j);
    json_key(j, "recommendation");
    json_obj(j);
    json_kbool(j, "process_needed", an->process_needed);
    sb_reset(&text);
    rp_patterns(an, &text);
    json_kstr(j, "pattern", an->n_patterns ? text.buf : an->pattern);
    /* one entry per part of the tree a finding concerns (version 2) */
    json_key(j, "patterns");
    json_arr(j);
    for (const char *l = an->n_patterns ? text.buf : ""; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)n, l);
        json_str(j, line);
        l += n + (e ? 1 : 0);
    }
    json_arr_end(j);
    sb_reset(&text);
    rp_rationale(an, &text);
    json_kstr(j, "rationale", text.buf);
    sb_free(&text);
    json_obj_end(j);
    json_key(j, "findings");
    json_arr(j);
    for (size_t i = 0; i < an->fidx.len; i++) {
        const finding *x = vec_at(&an->f->items, VEC_AT(&an->fidx, uint32_t, i));
        json_obj(j);
        char id[32];
        snprintf(id, sizeof id, "F%zu", i + 1);
        json_kstr(j, "id", id);
        json_kstr(j, "rule", x->rule);
        json_kstr(j, "severity", severity_name(x->severity));
        json_kstr(j, "subject", x->subject);
        json_kstr(j, "pid", x->pid);
        json_key(j, "evidence");
        json_obj(j);
        for (int e = 0; e < x->n_ev; e++)
            json_knum(j, x->ev[e].key, x->ev[e].value);
        json_obj_end(j);
        json_obj_end(j);
    }
    json_arr_end(j);
    strbuf specs, tests;
    sb_init(&specs);
    sb_init(&tests);
    uint32_t spec_sup = an->root_sup != SNAP_NONE ? an->root_sup : snap_proc_at(s, an->proc)->sup;
    if (spec_sup != SNAP_NONE)
        report_child_specs(an, spec_sup, &specs, &tests);
    json_kstr(j, "children", specs.buf);
    json_kstr(j, "tests", tests.buf);
    sb_free(&specs);
    sb_free(&tests);
    json_obj_end(j);
}

static void json_each(analysis *an, void *j)
{
    json_section(an, j);
}

void report_json_render(snap *s, const findings *f, const report_target *t, strbuf *out)
{
    json_w j;
    json_init(&j, out, 1);
    json_obj(&j);
    json_kstr(&j, "schema", "otp-advisor/report/2");
    json_kstr(&j, "node", snap_str(s, s->info.node));
    json_kstr(&j, "otp_release", snap_str(s, s->info.otp_release));
    if (s->info.elixir_version)
        json_kstr(&j, "elixir_version", snap_str(s, s->info.elixir_version));
    json_kint(&j, "collected_at_ms", s->info.collected_at_ms);
    json_kint(&j, "window_us", s->has_sample2 ? s->info.sample_gap_us : 0);
    json_key(&j, "sections");
    json_arr(&j);
    report_sections(s, f, t, json_each, &j);
    json_arr_end(&j);
    json_obj_end(&j);
    sb_putc(out, '\n');
}
