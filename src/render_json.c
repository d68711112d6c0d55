/* render_json.c — the snapshot as JSON (dump --json). Schema "otp-advisor/dump/1":
 * node facts, applications, supervisors, registries, process classes and the
 * unsupervised processes; see README for the field list. */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "render.h"

static void pid_field(json_w *j, const snap *s, const char *k, oa_pid p)
{
    char b[128];
    snap_pid_text(s, p, b, sizeof b);
    json_kstr(j, k, b);
}

void render_dump_json(const snap *s, strbuf *out)
{
    json_w j;
    json_init(&j, out, 1);
    const snap_node *ni = &s->info;
    char b[512];
    json_obj(&j);
    json_kstr(&j, "schema", "otp-advisor/dump/1");
    json_key(&j, "node");
    json_obj(&j);
    json_kstr(&j, "name", snap_str(s, ni->node));
    json_kstr(&j, "otp_release", snap_str(s, ni->otp_release));
    json_kstr(&j, "erts_version", snap_str(s, ni->erts_version));
    if (ni->elixir_version)
        json_kstr(&j, "elixir_version", snap_str(s, ni->elixir_version));
    json_kint(&j, "schedulers", ni->schedulers);
    json_kint(&j, "process_count", ni->process_count);
    json_kint(&j, "process_limit", ni->process_limit);
    json_kint(&j, "atom_count", ni->atom_count);
    json_kint(&j, "atom_limit", ni->atom_limit);
    json_kint(&j, "port_count", ni->port_count);
    json_kint(&j, "ets_count", ni->ets_count);
    json_kint(&j, "uptime_ms", ni->uptime_ms);
    json_obj_end(&j);
    json_kstr(&j, "method", snap_str(s, ni->method));
    json_kint(&j, "window_ms", ni->window_ms);
    json_kint(&j, "sample_gap_us", s->has_sample2 ? ni->sample_gap_us : 0);
    json_kint(&j, "processes", (int64_t)s->procs.len);
    json_kint(&j, "dictionaries_skipped", ni->dict_skipped);
    json_kint(&j, "ets_tables", (int64_t)s->ets.len);
    json_key(&j, "apps");
    json_arr(&j);
    for (size_t i = 0; i < s->apps.len; i++) {
        const snap_app *a = vec_at(&s->apps, i);
        json_obj(&j);
        json_kstr(&j, "name", snap_str(s, a->name));
        json_kstr(&j, "vsn", snap_str(s, a->vsn));
        json_kbool(&j, "runtime", a->runtime);
        if (a->master.kind == PK_PID)
            pid_field(&j, s, "master", a->master);
        if (a->top_sup != SNAP_NONE)
            pid_field(&j, s, "top", snap_sup_at(s, a->top_sup)->pid);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_key(&j, "supervisors");
    json_arr(&j);
    for (uint32_t k = 0; k < s->sups.len; k++) {
        const snap_sup *sp = snap_sup_at(s, k);
        json_obj(&j);
        pid_field(&j, s, "pid", sp->pid);
        if (sp->proc != SNAP_NONE) {
            snap_proc_label(s, snap_proc_at(s, sp->proc), b, sizeof b);
            json_kstr(&j, "name", b);
        }
        json_kstr(&j, "kind", sup_kind_name(sp->kind));
        json_kstr(&j, "strategy", sp->strategy ? snap_str(s, sp->strategy) : "");
        json_kint(&j, "intensity", sp->intensity);
        json_kint(&j, "period", sp->period);
        json_kint(&j, "children", sp->n_children);
        json_kint(&j, "restarts", sp->n_restarts);
        json_kstr(&j, "status", sup_status_atom(sp->status));
        json_kstr(&j, "app", sp->app != SNAP_NONE ? snap_str(s, ((snap_app *)vec_at(&s->apps, sp->app))->name) : "");
        if (sp->parent != SNAP_NONE)
            pid_field(&j, s, "parent", snap_sup_at(s, sp->parent)->pid);
        json_kstr(&j, "root", sup_root_name(snap_sup_root(s, k)));
        if (sp->proc != SNAP_NONE && snap_reds_rate(s, snap_proc_at(s, sp->proc)) >= 0)
            json_knum(&j, "reds_per_s", snap_reds_rate(s, snap_proc_at(s, sp->proc)));
        if (sp->status != SS_OK)
            json_kstr(&j, "error", snap_str(s, sp->error));
        json_key(&j, "child_pids");
        json_arr(&j);
        for (uint32_t c = 0; c < sp->n_children; c++) { /* in start order */
            const snap_child *ch = render_child_at(s, sp, c);
            if (ch->state != CS_PID)
                continue;
            snap_pid_text(s, ch->pid, b, sizeof b);
            json_str(&j, b);
        }
        json_arr_end(&j);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_key(&j, "registries");
    json_arr(&j);
    for (size_t r = 0; r < s->regs.len; r++) {
        const snap_registry *rg = vec_at(&s->regs, r);
        json_obj(&j);
        snap_display_atom(snap_str(s, rg->name), b, sizeof b);
        json_kstr(&j, "name", b);
        json_kstr(&j, "keys_kind", snap_str(s, rg->kind));
        json_kint(&j, "partitions", rg->partitions);
        json_kint(&j, "keys", (int64_t)rg->key_count);
        json_kint(&j, "sampled", rg->n_keys);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    size_t counts[PC__COUNT] = {0};
    for (uint32_t i = 0; i < s->procs.len; i++)
        counts[snap_proc_at(s, i)->cls < PC__COUNT ? snap_proc_at(s, i)->cls : 0]++;
    json_key(&j, "classes");
    json_obj(&j);
    for (int k = 0; k < PC__COUNT; k++)
        json_kint(&j, proc_class_name((enum proc_class)k), (int64_t)counts[k]);
    json_obj_end(&j);
    /* every process no supervision tree reaches (neither a supervisor nor a child), but ours */
    json_key(&j, "outside_trees");
    json_arr(&j);
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_proc *p = snap_proc_at(s, i);
        if (p->sup != SNAP_NONE || p->own_sup != SNAP_NONE || p->cls == PC_ADVISOR)
            continue;
        snap_pid_text(s, p->pid, b, sizeof b);
        json_str(&j, b);
    }
    json_arr_end(&j);
    json_key(&j, "unsupervised");
    json_arr(&j);
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_proc *p = snap_proc_at(s, i);
        if (!proc_class_unsupervised(p->cls))
            continue;
        json_obj(&j);
        pid_field(&j, s, "pid", p->pid);
        snap_proc_label(s, p, b, sizeof b);
        json_kstr(&j, "name", b);
        json_kstr(&j, "class", proc_class_name((enum proc_class)p->cls));
        fmt_mfa(snap_str(s, p->dict_initial_call ? p->dict_initial_call : p->initial_call), b, sizeof b);
        json_kstr(&j, "initial_call", b);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_key(&j, "pg");
    json_arr(&j);
    for (size_t g = 0; g < s->pgs.len; g++) {
        const snap_pg *pg = vec_at(&s->pgs, g);
        json_obj(&j);
        json_kstr(&j, "scope", snap_str(s, pg->scope));
        json_kint(&j, "groups", pg->groups);
        json_kint(&j, "members", pg->members);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_key(&j, "globals");
    json_arr(&j);
    for (size_t g = 0; g < s->globals.len; g++) {
        const snap_name *nm = vec_at(&s->globals, g);
        json_obj(&j);
        json_kstr(&j, "name", snap_str(s, nm->key));
        pid_field(&j, s, "pid", nm->pid);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    sb_putc(out, '\n');
}
