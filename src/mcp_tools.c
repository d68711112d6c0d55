/* mcp_tools.c — the MCP server's tools (see mcp.h): one table, the session they share, and
 * each tool's answer as text and as data.
 *
 * The operations are the shell's and the command line's (collect_snapshot, snap_load and
 * snap_save, rules_run, view_resolve_target, the views, render_explain, report_to and
 * report_json, the report's analysis); what is here is how the MCP front end renders them:
 * as data that matches each tool's output schema, and as a short text. Every list is
 * bounded: a page (limit, offset) says what it holds and how to get the rest, a tree is cut
 * to a budget of nodes with a pointer to each subtree left out, so a node of a million
 * processes or a supervisor of 100,000 children never gives megabytes in one answer.
 *
 * Nothing of ours stays on the target between calls: the probe is removed after each
 * collection (cancelled or not), and the connection only answers ticks. */
#define _POSIX_C_SOURCE 200809L
#include "mcp.h"
#include "source.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diff.h"
#include "fmt.h"
#include "render.h"
#include "render_findings.h"
#include "report.h"
#include "report_analysis.h"
#include "rules.h"
#include "views.h"

/* ---- the session ---------------------------------------------------------------------- */

static void cl_drop(mcp_session *ss);

static void recompute(mcp_session *ss)
{
    if (ss->have_findings)
        findings_free(&ss->f);
    findings_init(&ss->f);
    ss->have_findings = 1;
    if (ss->s)
        rules_run(ss->s, &ss->ro, NULL, NULL, &ss->f);
}

void mcp_session_init(mcp_session *ss, oa_opts *o, volatile sig_atomic_t *interrupted)
{
    memset(ss, 0, sizeof *ss);
    ss->opts = o;
    source_set_root(o->source_root); /* where findings, info and the report say the code is */
    ss->interrupted = interrupted;
    ss->c.fd = -1;
    util_set_stop_flag(interrupted); /* a signal ends long local steps (loading, the rules) */
    rule_opts_default(&ss->ro);
    if (o->node)
        snprintf(ss->node, sizeof ss->node, "%s", o->node);
}

int mcp_session_set_rules(mcp_session *ss, char *err)
{
    for (int i = 0; i < ss->opts->n_sets; i++)
        if (rule_opts_set(&ss->ro, ss->opts->sets[i], err))
            return -1;
    return 0;
}

static void detach(mcp_session *ss)
{
    if (conn_up(&ss->c) && ss->cst.loaded) {
        char e[OA_ERRLEN];
        if (collect_unload(&ss->c, &ss->cst, e))
            fprintf(stderr, "otp-advisor: could not remove the probe from %s: %s\n", ss->node, e);
    }
    if (ss->c.inited || ss->c.fd >= 0)
        conn_close(&ss->c);
    ss->c.fd = -1;
    ss->connected = 0;
}

void mcp_session_free(mcp_session *ss)
{
    util_set_stop_flag(NULL);
    detach(ss);
    cl_drop(ss);
    snap_free(ss->s);
    ss->s = NULL;
    if (ss->have_findings)
        findings_free(&ss->f);
    ss->have_findings = 0;
    rule_opts_free(&ss->ro);
}

/* ---- the cluster: the current node's snapshot and findings live in s and f ----------- */

static void cl_put(mcp_session *ss)
{
    if (!ss->clustered || !ss->s)
        return;
    cluster_node *nd = &ss->cl.nodes[ss->cur];
    nd->s = ss->s;
    nd->f = ss->f;
    nd->have_f = ss->have_findings;
    ss->s = NULL;
    ss->have_findings = 0;
}

static void cl_take(mcp_session *ss, int i)
{
    cluster_node *nd = &ss->cl.nodes[i];
    ss->s = nd->s;
    ss->f = nd->f;
    ss->have_findings = nd->have_f;
    nd->s = NULL;
    nd->have_f = 0;
    ss->cur = i;
}

static void cl_drop(mcp_session *ss)
{
    if (!ss->clustered)
        return;
    cl_put(ss);
    cluster_free(&ss->cl);
    ss->clustered = 0;
}

/* hold cl (taken over), read from source; the entry node current */
static void set_cluster(mcp_session *ss, cluster *cl, const char *source)
{
    cl_drop(ss);
    snap_free(ss->s);
    ss->s = NULL;
    if (ss->have_findings)
        findings_free(&ss->f);
    ss->have_findings = 0;
    ss->cl = *cl;
    memset(cl, 0, sizeof *cl);
    ss->clustered = 1;
    cluster_analyse(&ss->cl, &ss->ro, NULL, NULL, ss->opts->judge_otp);
    cl_take(ss, 0);
    snprintf(ss->source, sizeof ss->source, "%s", source);
}

int mcp_session_conn_fd(const mcp_session *ss)
{
    return ss->connected && conn_up(&ss->c) ? ss->c.fd : -1;
}

void mcp_session_conn_poll(mcp_session *ss)
{
    char e[OA_ERRLEN];
    if (conn_poll(&ss->c, e) < 0)
        fprintf(stderr, "otp-advisor: %s (the snapshot stays; snapshot or connect attaches again)\n", e);
}

void mcp_session_set_snapshot(mcp_session *ss, snap *s, const char *source)
{
    char err[OA_ERRLEN];
    cl_drop(ss);
    if (ss->opts->judge_otp) { /* classify again, OTP's library applications as the user's */
        s->judge_otp = 1;
        s->finished = 0;
        snap_finish(s, err);
    }
    snap_free(ss->s);
    ss->s = s;
    snprintf(ss->source, sizeof ss->source, "%s", source);
    recompute(ss);
}

int mcp_session_load(mcp_session *ss, const char *path, char *err)
{
    cluster cl;
    if (cluster_load(path, &cl, err))
        return -1;
    if (cl.n > 1 || ss->opts->cluster) {
        set_cluster(ss, &cl, path);
        return 0;
    }
    snap *s = cl.nodes[0].s;
    cl.nodes[0].s = NULL;
    cluster_free(&cl);
    mcp_session_set_snapshot(ss, s, path);
    return 0;
}

void mcp_result_init(mcp_result *r)
{
    memset(r, 0, sizeof *r);
    sb_init(&r->text);
    sb_init(&r->data);
}

void mcp_result_free(mcp_result *r)
{
    sb_free(&r->text);
    sb_free(&r->data);
}

/* ---- arguments ------------------------------------------------------------------------ */

static const char *arg_str(json_t *args, const char *k, const char *dflt)
{
    json_t *v = json_object_get(args, k);
    return json_is_string(v) ? json_string_value(v) : dflt;
}

static double arg_num(json_t *args, const char *k, double dflt)
{
    json_t *v = json_object_get(args, k);
    return json_is_number(v) ? json_number_value(v) : dflt;
}

static int arg_has(json_t *args, const char *k)
{
    json_t *v = json_object_get(args, k);
    return v && !json_is_null(v);
}

/* RULE_IDS in an argument's choices: the rule table's ids (and "thresholds" for explain) */
static const char *const rule_ids_marker[] = {"(rules)", NULL};
static const char *const rule_ids_thresholds[] = {"(rules)", "thresholds", NULL};
#define RULE_IDS rule_ids_marker
#define RULE_IDS_OR_THRESHOLDS rule_ids_thresholds

static int choice_ok(const char *const *choices, const char *v)
{
    for (int i = 0; choices[i]; i++) {
        if (!strcmp(choices[i], "(rules)")) {
            if (rule_find(v))
                return 1;
        } else if (!strcmp(choices[i], v))
            return 1;
    }
    return 0;
}

static const char *type_name(enum mcp_arg_type t)
{
    return t == MA_STRING ? "string" : t == MA_INTEGER ? "integer" : t == MA_NUMBER ? "number" : "boolean";
}

/* the cookie in an argument: 2 when it is there and long enough to be one (8 characters or
 * more, as the shell judges a line) */
static int holds_cookie(mcp_session *ss, const char *v)
{
    char ck[512], e[OA_ERRLEN];
    int hit = 0;
    if (conn_find_cookie(&ss->opts->copts, ck, sizeof ck, e) == 0 && strlen(ck) >= 8 && strstr(v, ck))
        hit = 1;
    explicit_bzero(ck, sizeof ck);
    return hit;
}

int mcp_tool_check_args(mcp_session *ss, const mcp_tool *t, json_t *args, char *err)
{
    const char *k;
    json_t *v;
    json_object_foreach(args, k, v)
    {
        const mcp_arg *a = NULL;
        for (int i = 0; t->args[i].name && !a; i++)
            if (!strcmp(t->args[i].name, k))
                a = &t->args[i];
        if (!a) {
            strbuf names;
            sb_init(&names);
            for (int i = 0; t->args[i].name; i++)
                sb_printf(&names, "%s%s", i ? ", " : "", t->args[i].name);
            int plain = strlen(k) <= 40;
            for (const char *p = k; plain && *p; p++)
                plain = (unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f;
            errf(err, "no argument %s%s%s; %s takes %s", plain ? "'" : "", plain ? k : "of that name", plain ? "'" : "",
                 t->name, names.len ? names.buf : "none");
            sb_free(&names);
            return -1;
        }
        if (json_is_null(v))
            continue; /* as if not given */
        int ok = a->type == MA_STRING    ? json_is_string(v)
                 : a->type == MA_BOOLEAN ? json_is_boolean(v)
                 : a->type == MA_NUMBER
                     ? json_is_number(v)
                     : json_is_integer(v) || (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)));
        if (!ok)
            return errf(err, "%s must be %s %s", a->name, a->type == MA_INTEGER ? "an" : "a", type_name(a->type));
        if ((a->type == MA_NUMBER || a->type == MA_INTEGER) && (a->min != 0 || a->max != 0)) {
            double x = json_number_value(v);
            if (!(x >= a->min && x <= a->max))
                return errf(err, "%s must be between %.15g and %.15g", a->name, a->min, a->max);
        }
        if (a->type == MA_STRING) {
            const char *s = json_string_value(v);
            if (holds_cookie(ss, s))
                return errf(err,
                            "%s holds the node's cookie: not used (the cookie comes only from "
                            "--cookie-file, $OTP_ADVISOR_COOKIE or ~/.erlang.cookie)",
                            a->name);
            if (!*s || strlen(s) > 4000)
                return errf(err, "%s must be 1 to 4000 characters", a->name);
            if (a->choices && !choice_ok(a->choices, s))
                return errf(err, "%s must be one of the values its schema lists", a->name);
        }
    }
    for (int i = 0; t->args[i].name; i++)
        if (t->args[i].required && !arg_has(args, t->args[i].name))
            return errf(err, "missing required argument %s", t->args[i].name);
    return 0;
}

void mcp_tool_describe(const mcp_tool *t, json_w *j)
{
    json_obj(j);
    json_kstr(j, "name", t->name);
    json_kstr(j, "title", t->title);
    json_kstr(j, "description", t->description);
    json_key(j, "inputSchema");
    json_obj(j);
    json_kstr(j, "type", "object");
    json_key(j, "properties");
    json_obj(j);
    for (int i = 0; t->args[i].name; i++) {
        const mcp_arg *a = &t->args[i];
        json_key(j, a->name);
        json_obj(j);
        json_kstr(j, "type", type_name(a->type));
        if (a->min != 0 || a->max != 0) {
            json_knum(j, "minimum", a->min);
            json_knum(j, "maximum", a->max);
        }
        if (a->choices) {
            json_key(j, "enum");
            json_arr(j);
            for (int c = 0; a->choices[c]; c++)
                if (!strcmp(a->choices[c], "(rules)"))
                    for (int r = 0; r < n_rules; r++)
                        json_str(j, rule_at(r)->id);
                else
                    json_str(j, a->choices[c]);
            json_arr_end(j);
        }
        json_kstr(j, "description", a->help);
        json_obj_end(j);
    }
    json_obj_end(j);
    json_key(j, "required");
    json_arr(j);
    for (int i = 0; t->args[i].name; i++)
        if (t->args[i].required)
            json_str(j, t->args[i].name);
    json_arr_end(j);
    json_kbool(j, "additionalProperties", 0);
    json_obj_end(j);
    if (t->output_schema) {
        json_key(j, "outputSchema");
        json_raw(j, t->output_schema);
    }
    json_key(j, "annotations");
    json_obj(j);
    json_kstr(j, "title", t->title);
    json_kbool(j, "readOnlyHint", (t->hints & MH_READ_ONLY) != 0);
    json_kbool(j, "destructiveHint", (t->hints & MH_DESTRUCTIVE) != 0);
    json_kbool(j, "idempotentHint", (t->hints & MH_IDEMPOTENT) != 0);
    json_kbool(j, "openWorldHint", (t->hints & MH_OPEN_WORLD) != 0);
    json_obj_end(j);
    json_obj_end(j);
}

/* ---- pieces every answer uses ------------------------------------------------------- */

static void ctx_plain(render_ctx *c)
{
    render_ctx_default(c);
    c->color = 0;
    c->width = 0;
}

static const char *app_name(const snap *s, uint32_t app)
{
    return app != SNAP_NONE && app < s->apps.len ? snap_str(s, ((snap_app *)vec_at(&s->apps, app))->name) : NULL;
}

/* {"pid", "name", "module", "source"?}: a process as every answer names it */
static void proc_ref_body(json_w *j, const mcp_session *ss, uint32_t i)
{
    const snap *s = ss->s;
    const snap_proc *p = snap_proc_at(s, i);
    char b[512], src[PATH_MAX];
    snap_pid_text(s, p->pid, b, sizeof b);
    json_kstr(j, "pid", b);
    snap_proc_label(s, p, b, sizeof b);
    json_kstr(j, "name", b);
    char raw[300];
    if (proc_code_module(s, p, raw, sizeof raw))
        snap_display_atom(raw, b, sizeof b);
    else
        proc_module_name(s, p, b, sizeof b);
    json_kstr(j, "module", b);
    if (proc_source(ss->s, i, src, sizeof src))
        json_kstr(j, "source", src);
}

static void proc_ref(json_w *j, const mcp_session *ss, uint32_t i)
{
    json_obj(j);
    proc_ref_body(j, ss, i);
    json_obj_end(j);
}

/* a pid the snapshot may not hold (a remote process, a registered name that is gone) */
static void pid_ref(json_w *j, const mcp_session *ss, oa_pid pid)
{
    uint32_t q = snap_find_pid(ss->s, pid);
    if (q == SNAP_NONE && pid.kind == PK_ATOM)
        q = snap_find_name(ss->s, snap_str(ss->s, pid.num));
    if (q != SNAP_NONE) {
        proc_ref(j, ss, q);
        return;
    }
    char b[512];
    snap_pid_text(ss->s, pid, b, sizeof b);
    json_obj(j);
    json_kstr(j, "pid", pid.kind == PK_PID ? b : "");
    json_kstr(j, "name", b);
    json_kstr(j, "module", "");
    json_obj_end(j);
}

static void rate_field(json_w *j, const char *k, double r)
{
    json_key(j, k);
    if (r >= 0)
        json_num(j, floor(r * 10 + 0.5) / 10);
    else
        json_raw(j, "null");
}

typedef struct {
    size_t offset, limit, returned, total;
} page;

static void page_json(json_w *j, const page *pg)
{
    json_key(j, "page");
    json_obj(j);
    json_kint(j, "offset", (int64_t)pg->offset);
    json_kint(j, "limit", (int64_t)pg->limit);
    json_kint(j, "returned", (int64_t)pg->returned);
    json_kint(j, "total", (int64_t)pg->total);
    json_key(j, "next_offset");
    if (pg->offset + pg->returned < pg->total)
        json_int(j, (int64_t)(pg->offset + pg->returned));
    else
        json_raw(j, "null");
    json_obj_end(j);
}

/* "… 3,480 more: call top with offset=20" */
static void page_text(strbuf *t, const page *pg, const char *what, const char *tool)
{
    char a[32], b[32], c[32];
    fmt_num(pg->offset + 1, a, sizeof a);
    fmt_num(pg->offset + pg->returned, b, sizeof b);
    fmt_num(pg->total, c, sizeof c);
    if (!pg->returned)
        sb_printf(t, "(no %s at offset %zu of %s)\n", what, pg->offset, c);
    else if (pg->offset || pg->offset + pg->returned < pg->total)
        sb_printf(t, "%s %s–%s of %s", what, a, b, c);
    else
        return;
    if (pg->returned && pg->offset + pg->returned < pg->total)
        sb_printf(t, "; more: call %s with offset=%zu\n", tool, pg->offset + pg->returned);
    else if (pg->returned)
        sb_putc(t, '\n');
}

static void counts_json(json_w *j, const findings *f)
{
    json_key(j, "findings");
    json_obj(j);
    int nc = findings_count(f, SEV_CRITICAL), nw = findings_count(f, SEV_WARNING) - nc;
    json_kint(j, "critical", nc);
    json_kint(j, "warning", nw);
    json_kint(j, "info", findings_count(f, SEV_INFO) - nc - nw);
    json_obj_end(j);
}

/* where the snapshot came from, and how big it is */
static void snapshot_json(json_w *j, const mcp_session *ss)
{
    const snap *s = ss->s;
    json_kstr(j, "source", ss->source);
    json_kbool(j, "connected", ss->connected && conn_up(&ss->c));
    json_kstr(j, "node", snap_str(s, s->info.node));
    json_kstr(j, "otp_release", snap_str(s, s->info.otp_release));
    json_kint(j, "processes", (int64_t)s->procs.len);
    json_kint(j, "supervisors", (int64_t)s->sups.len);
    json_knum(j, "collected_in_s", floor((double)s->info.e2e_us / 1e4 + 0.5) / 100);
    json_kstr(j, "method", s->info.method ? snap_str(s, s->info.method) : "");
    json_knum(j, "window_s", s->has_sample2 ? floor((double)s->info.sample_gap_us / 1e4 + 0.5) / 100 : 0);
    json_kint(j, "collected_at_ms", s->info.collected_at_ms);
    counts_json(j, &ss->f);
}

/* ---- attaching and collecting ------------------------------------------------------- */

static void on_collect_progress(void *ud, const collect_progress *pg)
{
    mcp_session *ss = ud;
    if (ss->pump)
        ss->pump(ss->transport); /* a cancellation sets ss->cancel: the collection stops */
    if (ss->interrupted && *ss->interrupted)
        ss->cancel = 1;
    if (!ss->progress)
        return;
    char msg[640], a[32], b[32];
    double pct = 1, procs = pg->processes > 0 ? (double)pg->processes : 1;
    int win = pg->window_ms > 0;
    fmt_num((uint64_t)pg->processes, b, sizeof b);
    switch (pg->phase) {
    case CP_ATTACH:
        ss->trees_from = 0;
        snprintf(msg, sizeof msg, "attached to %s; the collector starts", ss->node);
        break;
    case CP_WALK1:
        fmt_num((uint64_t)pg->rows1, a, sizeof a);
        pct = 2 + (win ? 38 : 58) * fmin(1, (double)pg->rows1 / procs);
        snprintf(msg, sizeof msg, "first walk: %s of %s processes", a, b);
        break;
    case CP_WINDOW:
        pct = 40 + 20 * fmin(1, (double)pg->elapsed_ms / (double)pg->window_ms);
        snprintf(msg, sizeof msg, "window: %.1f of %.1f s between the two samples", (double)pg->elapsed_ms / 1e3,
                 (double)pg->window_ms / 1e3);
        break;
    case CP_WALK2:
        fmt_num((uint64_t)pg->rows2, a, sizeof a);
        pct = 60 + 30 * fmin(1, (double)pg->rows2 / procs);
        snprintf(msg, sizeof msg, "second walk: %s of %s processes", a, b);
        break;
    case CP_TREES: {
        if (!ss->trees_from)
            ss->trees_from = pg->messages;
        double base = win ? 90 : 60, m = (double)(pg->messages - ss->trees_from);
        pct = base + (99 - base) * (1 - 20 / (20 + m));
        snprintf(msg, sizeof msg, "supervision trees, applications, tables: %lld messages",
                 (long long)(pg->messages - ss->trees_from));
        break;
    }
    }
    ss->progress(ss->transport, floor(pct * 10) / 10, 100, msg);
}

/* attach to node (the session's other connection closed first) */
static int attach(mcp_session *ss, const char *node, char *err)
{
    char target[sizeof ss->node];
    snprintf(target, sizeof target, "%s", node);
    detach(ss);
    memset(&ss->cst, 0, sizeof ss->cst);
    if (ss->progress)
        ss->progress(ss->transport, 0.5, 100, "connecting");
    int opened = conn_open(&ss->c, target, &ss->opts->copts, err);
    fputs(ss->c.notes.text, stderr),
        notes_clear(&ss->c.notes); /* the cookie's and TLS's warnings (stdout is the protocol) */
    if (opened) {
        ss->c.fd = -1;
        return -1;
    }
    ss->connected = 1;
    snprintf(ss->node, sizeof ss->node, "%s", ss->c.target);
    return 0;
}

/* a new snapshot from the node attached to; the probe is removed afterwards, whatever
 * happened, so nothing of ours stays on the node between calls */
/* --cluster: every node of the cluster `entry` is in, in parallel (no connection kept) */
static int collect_cluster(mcp_session *ss, const char *entry, int window_ms, mcp_result *r, char *err)
{
    collect_opts co = ss->opts->col;
    co.window_ms = window_ms;
    co.progress = NULL;
    char target[sizeof ss->node];
    snprintf(target, sizeof target, "%s", entry);
    detach(ss);
    cluster cl;
    int failed = cluster_collect(&ss->opts->copts, &co, target, ss->opts->hidden, &ss->cancel, &cl, err);
    fputs(cl.notes.text, stderr);
    if (failed) {
        if (ss->cancel)
            r->cancelled = 1;
        return -1;
    }
    snprintf(ss->node, sizeof ss->node, "%s", cl.nodes[0].name);
    set_cluster(ss, &cl, ss->node);
    return 0;
}

static int collect_now(mcp_session *ss, int window_ms, mcp_result *r, char *err)
{
    if ((ss->opts->cluster || ss->clustered) && ss->node[0])
        return collect_cluster(ss, ss->node, window_ms, r, err);
    if (!ss->connected)
        return errf(err, "not connected: call connect with a node first (or load_snapshot with a file)");
    if (!conn_up(&ss->c)) {
        char e2[OA_ERRLEN];
        if (conn_reopen(&ss->c, e2))
            return errf(err, "%s is unreachable: %s (connect to retry)", ss->node, e2);
        memset(&ss->cst, 0, sizeof ss->cst);
    }
    collect_opts co = ss->opts->col;
    co.window_ms = window_ms;
    co.progress = on_collect_progress;
    co.progress_ud = ss;
    snap *s = NULL;
    int rc = collect_snapshot(&ss->c, &co, &ss->cst, &ss->cancel, &s, err);
    fputs(ss->cst.notes.text, stderr), notes_clear(&ss->cst.notes);
    fputs(ss->c.notes.text, stderr), notes_clear(&ss->c.notes); /* a reconnect's on the way */
    if (conn_up(&ss->c)) {
        char e2[OA_ERRLEN];
        if (collect_unload(&ss->c, &ss->cst, e2))
            fprintf(stderr, "otp-advisor: could not remove the probe from %s: %s\n", ss->node, e2);
    }
    if (rc) {
        if (ss->cancel) {
            r->cancelled = 1;
            return errf(err, "cancelled: the collection stopped and the probe was removed");
        }
        return -1;
    }
    mcp_session_set_snapshot(ss, s, ss->c.target);
    return 0;
}

static int window_arg(mcp_session *ss, json_t *args)
{
    return arg_has(args, "window_s") ? (int)(arg_num(args, "window_s", 1) * 1000) : ss->opts->col.window_ms;
}

/* the snapshot a reading tool needs: the one held, or (NODE given at start, not attached
 * yet) the first one taken now */
static int need_snapshot(mcp_session *ss, mcp_result *r, char *err)
{
    if (ss->s)
        return 0;
    if (!ss->node[0])
        return errf(err, "no snapshot yet: call connect with a node, or load_snapshot with a file");
    /* not attached yet, or the last collection failed: attach (again) and collect */
    if (!ss->opts->cluster && !ss->connected && attach(ss, ss->node, err))
        return -1;
    return collect_now(ss, ss->opts->col.window_ms, r, err);
}

static void collected_text(const mcp_session *ss, strbuf *t)
{
    const snap *s = ss->s;
    if (ss->clustered) {
        sb_printf(t,
                  "collected %zu of %zu nodes of the cluster of %s in %.2f s; %s current (call nodes; a tool's "
                  "node argument reads another)\n",
                  cluster_collected(&ss->cl), ss->cl.n, ss->cl.nodes[0].name, (double)ss->cl.wall_us / 1e6,
                  ss->cl.nodes[ss->cur].name);
        for (size_t i = 0; i < ss->cl.n; i++)
            if (!ss->cl.nodes[i].s && (int)i != ss->cur)
                sb_printf(t, "%s: not collected: %s\n", ss->cl.nodes[i].name, ss->cl.nodes[i].error);
    }
    char a[32];
    fmt_num(s->procs.len, a, sizeof a);
    sb_printf(t, "collected %s processes, %zu supervisors from %s in %.2f s (%s, %s); the probe is removed\n", a,
              s->sups.len, ss->node, (double)s->info.e2e_us / 1e6, snap_str(s, s->info.method),
              s->has_sample2 ? "two samples" : "one sample");
    int nc = findings_count(&ss->f, SEV_CRITICAL), nw = findings_count(&ss->f, SEV_WARNING) - nc;
    sb_printf(t, "findings: %d critical, %d warning, %d info (call findings to list them)\n", nc, nw,
              findings_count(&ss->f, SEV_INFO) - nc - nw);
}

/* ---- connect, snapshot, load_snapshot, save_snapshot --------------------------------- */

static void snapshot_answer(mcp_session *ss, mcp_result *r)
{
    json_w j;
    json_init(&j, &r->data, 0);
    json_obj(&j);
    snapshot_json(&j, ss);
    json_obj_end(&j);
}

static int t_connect(mcp_session *ss, json_t *args, mcp_result *r, char *err)
{
    const char *node = arg_str(args, "node", ss->node[0] ? ss->node : NULL);
    if (!node)
        return errf(err, "which node? give node (name@host)");
    if (ss->opts->cluster) { /* every node of its cluster */
        snprintf(ss->node, sizeof ss->node, "%s", node);
        if (collect_cluster(ss, ss->node, window_arg(ss, args), r, err))
            return -1;
        collected_text(ss, &r->text);
        snapshot_answer(ss, r);
        return 0;
    }
    if (attach(ss, node, err))
        return -1;
    sb_printf(&r->text, "connected to %s (OTP %d) as hidden node %s\n", ss->c.target, ss->c.otp_release, ss->c.own);
    if (collect_now(ss, window_arg(ss, args), r, err))
        return -1;
    collected_text(ss, &r->text);
    snapshot_answer(ss, r);
    return 0;
}

static int t_snapshot(mcp_session *ss, json_t *args, mcp_result *r, char *err)
{
    if (!ss->connected && !ss->opts->cluster && !ss->clustered && ss->node[0] && attach(ss, ss->node, err))
        return -1;
    if (collect_now(ss, window_arg(ss, args), r, err))
        return -1;
    collected_text(ss, &r->text);
    snapshot_answer(ss, r);
    return 0;
}

static int t_load(mcp_session *ss, json_t *args, mcp_result *r, char *err)
{
    const char *path = arg_str(args, "path", "");
    cluster cl; /* the rules of --from: a regular file, checked, bounded */
    if (cluster_load(path, &cl, err))
        return -1;
    detach(ss);     /* offline from now on, as the shell's load */
    if (cl.n > 1) { /* a file of several nodes */
        set_cluster(ss, &cl, path);
        sb_printf(&r->text, "loaded %s: %zu nodes, %zu collected; %s current (offline; call nodes)\n", path, ss->cl.n,
                  cluster_collected(&ss->cl), ss->cl.nodes[0].name);
        snapshot_answer(ss, r);
        return 0;
    }
    snap *s = cl.nodes[0].s;
    cl.nodes[0].s = NULL;
    cluster_free(&cl);
    mcp_session_set_snapshot(ss, s, path);
    char a[32];
    fmt_num(s->procs.len, a, sizeof a);
    sb_printf(&r->text, "loaded %s: %s processes of %s (offline)\n", path, a, snap_str(s, s->info.node));
    int nc = findings_count(&ss->f, SEV_CRITICAL), nw = findings_count(&ss->f, SEV_WARNING) - nc;
    sb_printf(&r->text, "findings: %d critical, %d warning, %d info (call findings to list them)\n", nc, nw,
              findings_count(&ss->f, SEV_INFO) - nc - nw);
    snapshot_answer(ss, r);
    return 0;
}

static int t_save(mcp_session *ss, json_t *args, mcp_result *r, char *err)
{
    const char *path = arg_str(args, "path", "");
    int rc;
    if (ss->clustered) { /* every node */
        int cur = ss->cur;
        cl_put(ss);
        rc = cluster_save(&ss->cl, path, err);
        cl_take(ss, cur);
    } else
        rc = snap_save(ss->s, path, err); /* the rules of -o: atomic, every write checked */
    if (rc)
        return -1;
    struct stat st;
    long long bytes = stat(path, &st) == 0 ? (long long)st.st_size : -1;
    sb_printf(&r->text, "saved %zu processes of %s to %s (%lld bytes)\n", ss->s->procs.len,
              snap_str(ss->s, ss->s->info.node), path, bytes);
    json_w j;
    json_init(&j, &r->data, 0);
    json_obj(&j);
    json_kstr(&j, "path", path);
    json_kint(&j, "bytes", bytes);
    json_kint(&j, "processes", (int64_t)ss->s->procs.len);
    json_obj_end(&j);
    return 0;
}

/* diff: what changed from a saved snapshot (before) to the one held (after), diff.c's text
 * and JSON */
static int t_diff(mcp_session *ss, json_t *args, mcp_result *r, char *err)
{
    const char *path = arg_str(args, "path", "");
    snap *old = snap_load(path, err);
    if (!old)
        return -1;
    findings fo;
    findings_init(&fo);
    rules_run(old, &ss->ro, NULL, NULL, &fo);
    char now[300];
    snprintf(now, sizeof now, "the snapshot held (%.200s)", snap_str(ss->s, ss->s->info.node));
    diff_counts dc;
    diff_render(old, &fo, path, ss->s, &ss->f, now, 0, &r->text, &dc);
    diff_render(old, &fo, path, ss->s, &ss->f, now, 1, &r->data, &dc);
    while (r->data.len && (r->data.buf[r->data.len - 1] == '\n' || r->data.buf[r->data.len - 1] == ' '))
        r->data.buf[--r->data.len] = 0; /* one JSON value */
    findings_free(&fo);
    snap_free(old);
    return 0;
}

/* ---- nodes ---------------------------------------------------------------------------- */

static void node_counts(json_w *j, const findings *f)
{
    int nc = findings_count(f, SEV_CRITICAL), nw = findings_count(f, SEV_WARNING) - nc;
    json_key(j, "findings");
    json_obj(j);
    json_kint(j, "critical", nc);
    json_kint(j, "warning", nw);
    json_kint(j, "info", findings_count(f, SEV_INFO) - nc - nw);
    json_obj_end(j);
}

static int t_nodes(mcp_session *ss, json_t *args, mcp_result *r, char *err)
{
    (void)args, (void)err;
    render_ctx c;
    ctx_plain(&c);
    json_w j;
    json_init(&j, &r->data, 0);
    json_obj(&j);
    json_kbool(&j, "cluster", ss->clustered);
    json_key(&j, "nodes");
    json_arr(&j);
    if (!ss->clustered) {
        const snap *s = ss->s;
        sb_printf(&r->text,
                  "%s  (one node; start the server with --cluster, or load a cluster file, for every node "
                  "of its cluster)\n",
                  snap_str(s, s->info.node));
        json_obj(&j);
        json_kstr(&j, "node", snap_str(s, s->info.node));
        json_kstr(&j, "status", "ok");
        json_kint(&j, "processes", (int64_t)s->procs.len);
        json_kstr(&j, "otp_release", snap_str(s, s->info.otp_release));
        node_counts(&j, &ss->f);
        json_obj_end(&j);
        json_arr_end(&j);
        json_kstr(&j, "current", snap_str(s, s->info.node));
        json_key(&j, "cluster_findings");
        json_arr(&j);
        json_arr_end(&j);
        json_obj_end(&j);
        return 0;
    }
    int cur = ss->cur;
    cl_put(ss);
    cluster_render_nodes(&ss->cl, &c, &r->text);
    for (size_t i = 0; i < ss->cl.n; i++) {
        const cluster_node *nd = &ss->cl.nodes[i];
        json_obj(&j);
        json_kstr(&j, "node", nd->name);
        json_kstr(&j, "status", nd->s ? "ok" : "not_collected");
        if (nd->s) {
            json_kint(&j, "processes", (int64_t)nd->s->procs.len);
            json_kstr(&j, "otp_release", snap_str(nd->s, nd->s->info.otp_release));
            if (nd->have_f)
                node_counts(&j, &nd->f);
        } else
            json_kstr(&j, "error", nd->error);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_kstr(&j, "current", ss->cl.nodes[cur].name);
    json_key(&j, "cluster_findings");
    json_arr(&j);
    for (size_t i = 0; ss->cl.have_f && i < ss->cl.f.items.len; i++) {
        const finding *x = vec_at(&ss->cl.f.items, i);
        render_finding_text(ss->cl.nodes[0].s ? ss->cl.nodes[0].s : ss->cl.nodes[cur].s, x, &c, &r->text);
        json_obj(&j);
        json_kstr(&j, "rule", x->rule);
        json_kstr(&j, "severity", severity_name(x->severity));
        json_kstr(&j, "subject", x->subject);
        json_kstr(&j, "node", x->node);
        json_kstr(&j, "summary", x->summary);
        json_kstr(&j, "recommendation", x->recommendation);
        json_key(&j, "evidence");
        json_obj(&j);
        for (int e = 0; e < x->n_ev; e++)
            json_knum(&j, x->ev[e].key, x->ev[e].value);
        json_obj_end(&j);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    cl_take(ss, cur);
    return 0;
}

/* ---- summary, apps -------------------------------------------------------------------- */

static int64_t mem_of(const snap *s, const char *key)
{
    for (size_t i = 0; i < s->info.memory.len; i++) {
        const snap_kv *kv = vec_at(&s->info.memory, i);
        if (!strcmp(snap_str(s, kv->key), key))
            return kv->value;
    }
    return 0;
}

static size_t *app_proc_counts(const snap *s)
{
    size_t *n = xcalloc(s->apps.len + 1, sizeof *n);
    for (uint32_t i = 0; i < s->procs.len; i++) {
        uint32_t a = snap_proc_at(s, i)->app;
        if (a != SNAP_NONE && a < s->apps.len)
            n[a]++;
    }
    return n;
}

static void apps_json(json_w *j, const mcp_session *ss)
{
    const snap *s = ss->s;
    size_t *n = app_proc_counts(s);
    json_key(j, "apps");
    json_arr(j);
    for (int pass = 0; pass < 2; pass++) /* the user's first */
        for (size_t a = 0; a < s->apps.len; a++) {
            const snap_app *ap = vec_at(&s->apps, a);
            if (ap->runtime != pass)
                continue;
            json_obj(j);
            json_kstr(j, "name", snap_str(s, ap->name));
            json_kstr(j, "vsn", snap_str(s, ap->vsn));
            json_kstr(j, "description", snap_str(s, ap->desc));
            json_kint(j, "processes", (int64_t)n[a]);
            char b[512] = "";
            if (ap->top_sup != SNAP_NONE && snap_sup_at(s, ap->top_sup)->proc != SNAP_NONE)
                snap_proc_label(s, snap_proc_at(s, snap_sup_at(s, ap->top_sup)->proc), b, sizeof b);
            json_kstr(j, "top", b);
            json_kbool(j, "runtime", ap->runtime);
            json_obj_end(j);
        }
    json_arr_end(j);
    free(n);
}

static int t_summary(mcp_session *ss, json_t *args, mcp_result *r, char *err)
{
    (void)args, (void)err;
    const snap *s = ss->s;
    const snap_node *ni = &s->info;
    render_ctx c;
    ctx_plain(&c);
    render_summary(s, &c, &r->text);
    int nc = findings_count(&ss->f, SEV_CRITICAL), nw = findings_count(&ss->f, SEV_WARNING) - nc;
    sb_printf(&r->text, "findings  %d critical, %d warning, %d info   (call findings to list them)\n", nc, nw,
              findings_count(&ss->f, SEV_INFO) - nc - nw);
    sb_printf(&r->text, "source    %s%s\n", ss->source,
              ss->connected ? (conn_up(&ss->c) ? " (attached)" : " (connection lost: snapshot reattaches)")
                            : " (offline)");
    json_w j;
    json_init(&j, &r->data, 0);
    json_obj(&j);
    json_key(&j, "snapshot");
    json_obj(&j);
    snapshot_json(&j, ss);
    json_obj_end(&j);
    json_key(&j, "node");
    json_obj(&j);
    json_kstr(&j, "name", snap_str(s, ni->node));
    json_kstr(&j, "otp_release", snap_str(s, ni->otp_release));
    json_kstr(&j, "erts_version", snap_str(s, ni->erts_version));
    if (ni->elixir_version)
        json_kstr(&j, "elixir_version", snap_str(s, ni->elixir_version));
    json_kint(&j, "schedulers", ni->schedulers);
    json_kint(&j, "uptime_s", ni->uptime_ms / 1000);
    json_obj_end(&j);
    json_key(&j, "counts");
    json_obj(&j);
    json_kint(&j, "processes", ni->process_count);
    json_kint(&j, "process_limit", ni->process_limit);
    json_kint(&j, "atoms", ni->atom_count);
    json_kint(&j, "atom_limit", ni->atom_limit);
    json_kint(&j, "ports", ni->port_count);
    json_kint(&j, "port_limit", ni->port_limit);
    json_kint(&j, "ets_tables", ni->ets_count);
    json_kint(&j, "ets_limit", ni->ets_limit);
    json_kint(&j, "supervisors", (int64_t)s->sups.len);
    json_kint(&j, "registries", (int64_t)s->regs.len);
    json_kint(&j, "applications", (int64_t)s->apps.len);
    json_kint(&j, "dictionaries_skipped", ni->dict_skipped);
    json_obj_end(&j);
    json_key(&j, "memory");
    json_obj(&j);
    static const char *const mk[] = {"total", "processes", "ets", "binary", "atom", "code"};
    for (size_t i = 0; i < sizeof mk / sizeof mk[0]; i++)
        json_kint(&j, mk[i], mem_of(s, mk[i]));
    json_obj_end(&j);
    json_key(&j, "window");
    json_obj(&j);
    json_kint(&j, "samples", s->has_sample2 ? 2 : 1);
    json_knum(&j, "gap_s", s->has_sample2 ? (double)ni->sample_gap_us / 1e6 : 0);
    json_kbool(&j, "stretched", snap_window_stretched(s));
    json_obj_end(&j);
    apps_json(&j, ss);
    json_obj_end(&j);
    return 0;
}

static int t_apps(mcp_session *ss, json_t *args, mcp_result *r, char *err)
{
    (void)args, (void)err;
    render_ctx c;
    ctx_plain(&c);
    render_apps(ss->s, &c, &r->text);
    json_w j;
    json_init(&j, &r->data, 0);
    json_obj(&j);
    apps_json(&j, ss);
    json_obj_end(&j);
    return 0;
}

/* ---- tree ----------------------------------------------------------------------------- */

/* the rule ids of the findings whose subject is process i, and the worst severity (-1: none) */
static int proc_findings(const findings *f, uint32_t i, const char **ids, int max, int *n)
{
    int worst = -1;
    *n = 0;
    for (size_t k = 0; k < f->items.len; k++) {
        const finding *x = vec_at(&f->items, k);
        if (x->proc != i)
            continue;
        if (x->severity > worst)
            worst = x->severity;
        int dup = 0;
        for (int d = 0; d < *n; d++)
            dup |= !strcmp(ids[d], x->rule);
        if (!dup && *n < max)
            ids[(*n)++] = x->rule;
    }
    return worst;
}

#define TREE_PER_SUP 25  /* children listed under a supervisor below the root */
#define TREE_COLLAPSE 20 /* on-demand children above this: one line per module */

typedef struct {
    mcp_session *ss;
    json_w *j;
    strbuf *t;
    int budget; /* nodes left */
    int depth_limit;
    int truncated;
    uint32_t cut_at; /* the supervisor whose children were cut by the budget, SNAP_NONE */
} tree_w;

static void node_findings(tree_w *tw, uint32_t proc)
{
    if (proc == SNAP_NONE)
        return;
    const char *ids[8];
    int n, worst = proc_findings(&tw->ss->f, proc, ids, 8, &n);
    if (worst < 0)
        return;
    json_key(tw->j, "findings");
    json_arr(tw->j);
    for (int i = 0; i < n; i++)
        json_str(tw->j, ids[i]);
    json_arr_end(tw->j);
    json_kstr(tw->j, "worst", severity_name(worst));
    sb_printf(tw->t, "  [%s:", severity_name(worst));
    for (int i = 0; i < n; i++)
        sb_printf(tw->t, " %s", ids[i]);
    sb_putc(tw->t, ']');
}

static void node_open(tree_w *tw, int depth, const char *type, const char *label)
{
    tw->budget--;
    json_obj(tw->j);
    json_kint(tw->j, "depth", depth);
    json_kstr(tw->j, "type", type);
    json_kstr(tw->j, "label", label);
    for (int i = 0; i < depth; i++)
        sb_puts(tw->t, "  ");
    sb_puts(tw->t, label);
}

static void node_close(tree_w *tw)
{
    json_obj_end(tw->j);
    sb_putc(tw->t, '\n');
}

static void sup_label(const snap *s, uint32_t k, char *b, size_t n)
{
    const snap_sup *sp = snap_sup_at(s, k);
    if (sp->proc != SNAP_NONE)
        snap_proc_label(s, snap_proc_at(s, sp->proc), b, n);
    else
        snap_pid_text(s, sp->pid, b, n);
}

/* "… N more children: call tree with target=T offset=O" */
static void more_node(tree_w *tw, int depth, uint32_t k, size_t from, size_t total, const char *why)
{
    const snap *s = tw->ss->s;
    char label[160], n[32], tgt[512], pid[64];
    fmt_num(total - from, n, sizeof n);
    snprintf(label, sizeof label, "… %s more %s", n, why);
    sup_label(s, k, tgt, sizeof tgt);
    snap_pid_text(s, snap_sup_at(s, k)->pid, pid, sizeof pid);
    tw->budget++; /* a pointer to what is left out costs nothing */
    node_open(tw, depth, "more", label);
    json_key(tw->j, "more");
    json_obj(tw->j);
    json_kint(tw->j, "children", (int64_t)(total - from));
    json_kstr(tw->j, "target", pid);
    json_kint(tw->j, "offset", (int64_t)from);
    json_obj_end(tw->j);
    if (from)
        sb_printf(tw->t, ": call tree with target=%s offset=%zu", pid, from);
    else
        sb_printf(tw->t, ": call tree with target=%s", pid);
    node_close(tw);
}

static void worker_node(tree_w *tw, int depth, const snap_child *ch)
{
    const snap *s = tw->ss->s;
    char label[512], b[PATH_MAX];
    render_child_label(s, ch, label, sizeof label);
    node_open(tw, depth, "worker", label);
    json_kstr(tw->j, "id", snap_str(s, ch->id));
    if (ch->proc != SNAP_NONE) {
        const snap_proc *p = snap_proc_at(s, ch->proc);
        proc_ref_body(tw->j, tw->ss, ch->proc);
        json_kstr(tw->j, "kind", proc_kind_name(s, p));
        json_kint(tw->j, "mq", snap_mq_now(p));
        rate_field(tw->j, "reds_per_s", snap_reds_rate(s, p));
        char mod[300];
        if (proc_code_module(s, p, b, sizeof b))
            snap_display_atom(b, mod, sizeof mod);
        else
            proc_module_name(s, p, mod, sizeof mod);
        sb_printf(tw->t, "  %s", mod);
        if (snap_mq_now(p))
            sb_printf(tw->t, "  mq %u", snap_mq_now(p));
        double rt = snap_reds_rate(s, p);
        if (rt >= 1) {
            char rb[32];
            fmt_rate(rt, rb, sizeof rb);
            sb_printf(tw->t, "  %s reds/s", rb);
        }
        if (proc_source(tw->ss->s, ch->proc, b, sizeof b))
            sb_printf(tw->t, "  (%s)", b);
    } else {
        json_kstr(tw->j, "pid", "");
        json_kstr(tw->j, "name", label);
        json_kstr(tw->j, "module", "");
        json_kstr(tw->j, "state",
                  ch->state == CS_RESTARTING ? "restarting"
                  : ch->state == CS_PID      ? "gone"
                                             : "undefined");
        sb_printf(tw->t, "  (%s)",
                  ch->state == CS_RESTARTING ? "restarting"
                  : ch->state == CS_PID      ? "gone"
                                             : "not running");
    }
    node_findings(tw, ch->proc);
    node_close(tw);
}

typedef struct {
    oa_str module;
    uint32_t count, busiest;
    double busiest_rate;
} mod_group;

static void sup_node(tree_w *tw, uint32_t k, const char *label, int depth, size_t offset, size_t limit, int expand,
                     int root, page *pg);

/* on-demand children many of a kind: one line per child module, with the busiest */
static void group_nodes(tree_w *tw, uint32_t k, int depth)
{
    const snap *s = tw->ss->s;
    const snap_sup *sp = snap_sup_at(s, k);
    vec groups;
    vec_init(&groups, sizeof(mod_group));
    for (uint32_t i = 0; i < sp->n_children; i++) {
        const snap_child *ch = &VEC_AT(&s->children, snap_child, sp->children + i);
        mod_group *g = NULL;
        for (size_t q = 0; q < groups.len && !g; q++)
            if (((mod_group *)vec_at(&groups, q))->module == ch->modules)
                g = vec_at(&groups, q);
        if (!g && groups.len < 64) {
            g = vec_push(&groups);
            g->module = ch->modules;
            g->busiest = SNAP_NONE;
            g->busiest_rate = -2;
        }
        if (!g)
            continue;
        g->count++;
        double rt = ch->proc != SNAP_NONE ? snap_reds_rate(s, snap_proc_at(s, ch->proc)) : -2;
        if (ch->proc != SNAP_NONE && rt > g->busiest_rate) {
            g->busiest_rate = rt;
            g->busiest = ch->proc;
        }
    }
    char pid[64];
    snap_pid_text(s, sp->pid, pid, sizeof pid);
    for (size_t q = 0; q < groups.len; q++) {
        if (tw->budget <= 0) {
            tw->truncated = 1;
            break;
        }
        const mod_group *g = vec_at(&groups, q);
        char mod[256], cnt[32], label[320];
        snap_display_atom(snap_str(s, g->module), mod, sizeof mod);
        fmt_num(g->count, cnt, sizeof cnt);
        snprintf(label, sizeof label, "%s × %s", cnt, mod);
        node_open(tw, depth, "group", label);
        json_key(tw->j, "group");
        json_obj(tw->j);
        json_kint(tw->j, "count", g->count);
        json_kstr(tw->j, "module", mod);
        json_kstr(tw->j, "target", pid);
        if (g->busiest != SNAP_NONE) {
            const snap_proc *b = snap_proc_at(s, g->busiest);
            json_key(tw->j, "busiest");
            json_obj(tw->j);
            proc_ref_body(tw->j, tw->ss, g->busiest);
            rate_field(tw->j, "reds_per_s", g->busiest_rate);
            json_kint(tw->j, "mq", snap_mq_now(b));
            json_obj_end(tw->j);
            char rb[32], bp[64];
            snap_pid_text(s, b->pid, bp, sizeof bp);
            fmt_rate(g->busiest_rate < 0 ? 0 : g->busiest_rate, rb, sizeof rb);
            sb_printf(tw->t, "   busiest: %s %s reds/s, mq %u", bp, rb, snap_mq_now(b));
        }
        json_obj_end(tw->j);
        sb_printf(tw->t, "   (one by one: call tree with target=%s offset=0)", pid);
        node_close(tw);
    }
    vec_free(&groups);
}

/* The children of supervisor k at depth: one by one from offset (at most limit), or, for
 * on-demand children many of a kind, one line per module (expand: one by one anyway). What
 * is left out below the root gets a "more" node that says how to ask for it; the root's
 * own rest is its page. */
static void sup_children(tree_w *tw, uint32_t k, int depth, size_t offset, size_t limit, int expand, int root, page *pg)
{
    const snap *s = tw->ss->s;
    const snap_sup *sp = snap_sup_at(s, k);
    memset(pg, 0, sizeof *pg);
    pg->offset = offset;
    pg->limit = limit;
    pg->total = sp->n_children;
    if (sp->kind == SK_DECLARED || sp->status == SS_NOT_ASKED) {
        /* never asked: what it links and started, as probably supervised; as many as its
         * children would be (a pool of 100,000 is paged the same way) */
        size_t seen = 0, from = offset, upto = offset + limit;
        for (uint32_t i = 0; i < s->procs.len; i++) {
            const snap_proc *p = snap_proc_at(s, i);
            if (p->sup != k || !(p->flags & PF_PROBABLE))
                continue;
            if (seen++ < from || seen > upto)
                continue;
            if (tw->budget <= 0) {
                tw->truncated = 1;
                upto = seen - 1;
                continue;
            }
            char l[512];
            snap_proc_label(s, p, l, sizeof l);
            node_open(tw, depth, "worker", l);
            proc_ref_body(tw->j, tw->ss, i);
            json_kstr(tw->j, "kind", proc_kind_name(s, p));
            json_kbool(tw->j, "probably_supervised", 1);
            sb_puts(tw->t, "  probably supervised (linked, started by it; it was not asked)");
            node_findings(tw, i);
            node_close(tw);
        }
        pg->offset = from;
        pg->total = seen;
        pg->returned = seen > from ? (upto < seen ? upto : seen) - from : 0;
        if (!root && from + pg->returned < seen)
            more_node(tw, depth, k, from + pg->returned, seen, "processes it probably supervises");
        return;
    }
    if (snap_sup_on_demand(s, sp) && sp->n_children > TREE_COLLAPSE && !expand) {
        group_nodes(tw, k, depth);
        pg->offset = 0;
        pg->returned = pg->total; /* all of them, as groups */
        return;
    }
    size_t i = offset;
    for (; i < sp->n_children && i - offset < limit; i++) {
        if (tw->budget <= 0) {
            tw->truncated = 1;
            break;
        }
        const snap_child *ch = render_child_at(s, sp, (uint32_t)i);
        const snap_proc *cp = ch->proc != SNAP_NONE ? snap_proc_at(s, ch->proc) : NULL;
        /* recurse only into a supervisor whose parent is this one (a damaged file can hold a
         * cycle), and never deeper than 64 */
        if (cp && cp->own_sup != SNAP_NONE && cp->own_sup != k && snap_sup_at(s, cp->own_sup)->parent == k &&
            depth < 64) {
            char label[512];
            render_child_label(s, ch, label, sizeof label);
            page sub;
            sup_node(tw, cp->own_sup, label, depth, 0, TREE_PER_SUP, 0, 0, &sub);
        } else
            worker_node(tw, depth, ch);
    }
    pg->returned = i > offset ? i - offset : 0;
    if (i < sp->n_children && !root)
        more_node(tw, depth, k, i, sp->n_children,
                  tw->budget <= 0 ? "children (left out: the answer's limit)" : "children");
}

static void sup_node(tree_w *tw, uint32_t k, const char *label, int depth, size_t offset, size_t limit, int expand,
                     int root, page *pg)
{
    const snap *s = tw->ss->s;
    const snap_sup *sp = snap_sup_at(s, k);
    memset(pg, 0, sizeof *pg);
    char b[512];
    if (!label) {
        sup_label(s, k, b, sizeof b);
        label = b;
    }
    node_open(tw, depth, "supervisor", label);
    if (sp->proc != SNAP_NONE)
        proc_ref_body(tw->j, tw->ss, sp->proc);
    else {
        char pid[64];
        snap_pid_text(s, sp->pid, pid, sizeof pid);
        json_kstr(tw->j, "pid", pid);
        json_kstr(tw->j, "name", label);
        json_kstr(tw->j, "module", "");
    }
    uint32_t recent = 0;
    for (uint32_t i = 0; i < sp->n_restarts; i++)
        if (sp->period > 0 && VEC_AT(&s->ints, int64_t, sp->restarts + i) <= sp->period)
            recent++;
    json_key(tw->j, "supervisor");
    json_obj(tw->j);
    json_kstr(tw->j, "kind", sup_kind_name(sp->kind));
    json_kstr(tw->j, "strategy", sp->strategy ? snap_str(s, sp->strategy) : "");
    json_kint(tw->j, "intensity", sp->intensity);
    json_kint(tw->j, "period", sp->period);
    json_kint(tw->j, "children", sp->n_children);
    json_kint(tw->j, "restarts_recent", recent);
    json_kstr(tw->j, "status", sup_status_atom(sp->status));
    if (sp->status != SS_OK && sp->error)
        json_kstr(tw->j, "error", snap_str(s, sp->error));
    json_obj_end(tw->j);
    char n[32];
    fmt_num(sp->n_children, n, sizeof n);
    sb_printf(tw->t, "  %s%s%s", sup_kind_name(sp->kind), sp->strategy ? " " : "",
              sp->strategy ? snap_str(s, sp->strategy) : "");
    if (sp->intensity >= 0)
        sb_printf(tw->t, " %d/%ds", sp->intensity, sp->period);
    sb_printf(tw->t, ", %s child%s", n, sp->n_children == 1 ? "" : "ren");
    if (recent)
        sb_printf(tw->t, ", %u restart%s in the last %d s", recent, recent == 1 ? "" : "s", sp->period);
    if (sp->status != SS_OK)
        sb_printf(tw->t, ", %s: %s", sup_status_atom(sp->status), sp->error ? snap_str(s, sp->error) : "");
    node_findings(tw, sp->proc);
    node_close(tw);
    if (tw->depth_limit && depth >= tw->depth_limit) {
        if (sp->n_children)
            more_node(tw, depth + 1, k, 0, sp->n_children, "children below the depth asked");
        return;
    }
    sup_children(tw, k, depth + 1, offset, limit, expand, root, pg);
}

static int t_tree(mcp_session *ss, json_t *args, mcp_result *r, char *err)
{
    const snap *s = ss->s;
    const char *target = arg_str(args, "target", NULL);
    uint32_t root = SNAP_NONE;
    if (target && (root = view_resolve_tree(s, target, err)) == SNAP_NONE)
        return -1;
    int limit = (int)arg_num(args, "limit", 100);
    int offset = (int)arg_num(args, "offset", 0);
    json_w j;
    json_init(&j, &r->data, 0);
    tree_w tw = {.ss = ss, .j = &j, .t = &r->text, .budget = limit, .depth_limit = (int)arg_num(args, "depth", 0)};
    json_obj(&j);
    json_kstr(&j, "target", target ? target : "");
    json_key(&j, "nodes");
    json_arr(&j);
    page pg = {0};
    int roots = 0, runtime_left = 0;
    if (root != SNAP_NONE) {
        sup_node(&tw, root, NULL, 0, (size_t)offset, (size_t)limit, arg_has(args, "offset"), 1, &pg);
        roots = 1;
    } else {
        /* every tree of the user's: the applications', then those outside any (a script, iex);
         * the runtime's (kernel, logger, …) only when named */
        for (int pass = 0; pass < 2; pass++)
            for (uint32_t k = 0; k < s->sups.len; k++) {
                const snap_sup *sp = snap_sup_at(s, k);
                enum sup_root rt = snap_sup_root(s, k);
                if (pass == 0 ? rt != SR_APP : rt != SR_ORPHAN)
                    continue;
                if (pass == 0 && sp->app != SNAP_NONE && ((snap_app *)vec_at(&s->apps, sp->app))->runtime) {
                    runtime_left++;
                    continue;
                }
                if (tw.budget <= 0) {
                    tw.truncated = 1;
                    continue;
                }
                const char *an = app_name(s, sp->app);
                char label[600], sl[512];
                sup_label(s, k, sl, sizeof sl);
                snprintf(label, sizeof label, "%s%s%s", sl, pass ? "  [outside any application]" : "  [",
                         pass ? "" : (an ? an : "?"));
                if (!pass)
                    snprintf(label + strlen(label), sizeof label - strlen(label), "]");
                page sub;
                sup_node(&tw, k, label, 0, 0, TREE_PER_SUP * 4, 0, 0, &sub);
                roots++;
            }
    }
    json_arr_end(&j);
    if (root != SNAP_NONE)
        page_json(&j, &pg);
    json_kbool(&j, "truncated", tw.truncated);
    strbuf hint;
    sb_init(&hint);
    if (tw.truncated)
        sb_printf(&hint,
                  "the answer stopped at %d nodes: name a subtree as target, give depth, or a larger limit "
                  "(up to 1000)",
                  limit);
    if (runtime_left)
        sb_printf(&hint, "%s%d tree%s of the runtime's applications (kernel, logger, …) left out: name one as target",
                  hint.len ? "; " : "", runtime_left, runtime_left == 1 ? "" : "s");
    if (!roots && root == SNAP_NONE)
        sb_printf(&hint, "%sno supervision tree of an application of yours in this snapshot", hint.len ? "; " : "");
    json_kstr(&j, "hint", hint.buf ? hint.buf : "");
    json_obj_end(&j);
    if (root != SNAP_NONE)
        page_text(&r->text, &pg, "children", "tree");
    if (hint.len)
        sb_printf(&r->text, "(%s)\n", hint.buf);
    sb_free(&hint);
    return 0;
}

/* ---- top ------------------------------------------------------------------------------ */

typedef struct {
    double k;
    uint32_t i;
} ranked;

/* a before b: the larger key, then the earlier process (pages stay in one order) */
static int ranks_before(const ranked *a, const ranked *b)
{
    return a->k > b->k || (a->k == b->k && a->i < b->i);
}

static void sift(ranked *h, size_t n, size_t at)
{
    for (;;) { /* the root is the one that ranks last */
        size_t l = 2 * at + 1, r = l + 1, m = at;
        if (l < n && ranks_before(&h[m], &h[l]))
            m = l;
        if (r < n && ranks_before(&h[m], &h[r]))
            m = r;
        if (m == at)
            return;
        ranked t = h[at];
        h[at] = h[m];
        h[m] = t;
        at = m;
    }
}

static int cmp_ranked(const void *a, const void *b)
{
    return ranks_before(a, b) ? -1 : ranks_before(b, a) ? 1 : 0;
}

static double top_key(const snap *s, const snap_proc *p, int sort)
{
    switch (sort) {
    case TOP_MQ:
        return snap_mq_now(p);
    case TOP_REDS:
        return (double)snap_reds_now(p);
    case TOP_RATE:
        return snap_reds_rate(s, p);
    default:
        return (double)snap_mem_now(p);
    }
}

/* the processes ranked offset+1 … offset+n by key: one pass with a bounded heap of
 * offset+n, so a page of a million processes costs no full sort */
static size_t top_page(const snap *s, int sort, size_t offset, size_t n, uint32_t **out, size_t *total)
{
    /* never more than there are processes: an offset of 100,000,000 asked for 1.6 GB */
    size_t cap = offset + n, m = 0;
    if (cap > s->procs.len)
        cap = s->procs.len;
    ranked *h = xmalloc((cap ? cap : 1) * sizeof *h);
    *total = 0;
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_proc *p = snap_proc_at(s, i);
        if (p->cls == PC_ADVISOR) /* this tool's own collector */
            continue;
        (*total)++;
        ranked e = {top_key(s, p, sort), i};
        if (m < cap) {
            h[m++] = e;
            if (m == cap)
                for (size_t a = cap / 2; a-- > 0;)
                    sift(h, cap, a);
        } else if (cap && ranks_before(&e, &h[0])) {
            h[0] = e;
            sift(h, cap, 0);
        }
    }
    qsort(h, m, sizeof *h, cmp_ranked);
    size_t got = m > offset ? m - offset : 0;
    *out = xmalloc((got ? got : 1) * sizeof **out);
    for (size_t k = 0; k < got; k++)
        (*out)[k] = h[offset + k].i;
    free(h);
    return got;
}

static int t_top(mcp_session *ss, json_t *args, mcp_result *r, char *err)
{
    (void)err;
    const snap *s = ss->s;
    const char *by = arg_str(args, "sort", s->has_sample2 ? "rate" : "mq");
    int sort = top_sort_parse(by);
    int key = sort == TOP_RATE && !s->has_sample2 ? TOP_REDS : sort;
    size_t n = (size_t)arg_num(args, "n", 15), offset = (size_t)arg_num(args, "offset", 0), total;
    uint32_t *idx;
    size_t got = top_page(s, key, offset, n, &idx, &total);
    page pg = {offset, n, got, total};
    json_w j;
    json_init(&j, &r->data, 0);
    json_obj(&j);
    json_kstr(&j, "sort", by);
    if (key != sort)
        json_kstr(&j, "note", "one sample: sorted by total reductions; take a snapshot with a window for rates");
    json_key(&j, "rows");
    json_arr(&j);
    static const char *const head[] = {"#", "PID", "NAME", "MQ", "REDS/S", "MEMORY", "CLASS", "CURRENT", "SOURCE"};
    fmt_table tb;
    fmt_table_init(&tb, 9, "rllrrrlll", head);
    for (size_t k = 0; k < got; k++) {
        const snap_proc *p = snap_proc_at(s, idx[k]);
        json_obj(&j);
        json_kint(&j, "rank", (int64_t)(offset + k + 1));
        proc_ref_body(&j, ss, idx[k]);
        json_kstr(&j, "kind", proc_kind_name(s, p));
        json_kstr(&j, "class", proc_class_name((enum proc_class)p->cls));
        const char *an = app_name(s, p->app);
        json_kstr(&j, "app", an ? an : "");
        json_kint(&j, "mq", snap_mq_now(p));
        double rt = snap_reds_rate(s, p);
        rate_field(&j, "reds_per_s", rt);
        json_kint(&j, "reductions", (int64_t)snap_reds_now(p));
        json_kint(&j, "memory", (int64_t)snap_mem_now(p));
        char cf[256], rank[32], pid[64], name[512], mq[32], rate[32], mem[32], src[PATH_MAX];
        fmt_mfa(snap_str(s, p->current_function), cf, sizeof cf);
        json_kstr(&j, "current", cf);
        json_obj_end(&j);
        snprintf(rank, sizeof rank, "%zu", offset + k + 1);
        snap_pid_text(s, p->pid, pid, sizeof pid);
        snap_proc_label(s, p, name, sizeof name);
        if (!strcmp(name, pid)) { /* unnamed: what it runs */
            char mod[256];
            proc_module_name(s, p, mod, sizeof mod);
            snprintf(name, sizeof name, "(%s)", mod);
        }
        snprintf(mq, sizeof mq, "%u", snap_mq_now(p));
        if (rt >= 0)
            fmt_rate(rt, rate, sizeof rate);
        else
            snprintf(rate, sizeof rate, "-");
        fmt_bytes(snap_mem_now(p), mem, sizeof mem);
        const char *row[] = {rank,
                             pid,
                             name,
                             mq,
                             rate,
                             mem,
                             proc_class_name((enum proc_class)p->cls),
                             cf,
                             proc_source(ss->s, idx[k], src, sizeof src) ? src : ""};
        fmt_table_row(&tb, row, NULL, NULL);
    }
    json_arr_end(&j);
    page_json(&j, &pg);
    json_obj_end(&j);
    if (key != sort)
        sb_puts(&r->text, "(one sample: sorted by total reductions; take a snapshot with a window for rates)\n");
    fmt_table_render(&tb, 0, "", "", &r->text);
    fmt_table_free(&tb);
    page_text(&r->text, &pg, "processes", "top");
    free(idx);
    return 0;
}

/* ---- info ----------------------------------------------------------------------------- */

#define REF_MAX 25 /* links, monitors, ancestors listed */

static void ref_list(json_w *j, const mcp_session *ss, const char *k, const oa_pid *refs, uint32_t n)
{
    json_key(j, k);
    json_obj(j);
    json_kint(j, "total", n);
    json_key(j, "items");
    json_arr(j);
    for (uint32_t i = 0; i < n && i < REF_MAX; i++)
        pid_ref(j, ss, refs[i]);
    json_arr_end(j);
    json_obj_end(j);
}

/* a process named as a target: by pid or name first, else what view_resolve_target makes
 * of it (a module, an application: its supervisor's process) */
static uint32_t resolve_proc(const snap *s, const char *what, char *err)
{
    uint32_t p = snap_resolve_proc(s, what);
    if (p != SNAP_NONE)
        return p;
    uint32_t sup;
    if (view_resolve_target(s, what, &sup, &p, err) < 0)
        return SNAP_NONE;
    if (sup != SNAP_NONE && (p = snap_sup_at(s, sup)->proc) == SNAP_NONE)
        return errf(err, "%s is a supervisor this snapshot holds no process of", what), SNAP_NONE;
    return p;
}

static void finding_json(json_w *j, const mcp_session *ss, const finding *x, int id)
{
    const snap *s = ss->s;
    json_obj(j);
    if (id) {
        char b[32];
        snprintf(b, sizeof b, "F%d", id);
        json_kstr(j, "id", b);
    }
    json_kstr(j, "rule", x->rule);
    json_kstr(j, "severity", severity_name(x->severity));
    json_key(j, "subject");
    json_obj(j);
    json_kstr(j, "name", x->subject);
    json_kstr(j, "pid", x->pid);
    json_kstr(j, "path", x->path);
    uint32_t p = x->proc != SNAP_NONE ? x->proc : x->sup != SNAP_NONE ? snap_sup_at(s, x->sup)->proc : SNAP_NONE;
    if (p == SNAP_NONE && x->ets != SNAP_NONE)
        p = ((snap_ets *)vec_at(&s->ets, x->ets))->owner_proc;
    if (p == SNAP_NONE && x->reg != SNAP_NONE)
        p = snap_find_pid(s, ((snap_registry *)vec_at(&s->regs, x->reg))->sup);
    json_kstr(j, "kind",
              x->proc != SNAP_NONE  ? "process"
              : x->sup != SNAP_NONE ? "supervisor"
              : x->ets != SNAP_NONE ? "ets"
              : x->reg != SNAP_NONE ? "registry"
                                    : "node");
    if (p != SNAP_NONE) {
        char raw[300], b[512], src[PATH_MAX];
        if (proc_code_module(s, snap_proc_at(s, p), raw, sizeof raw)) {
            snap_display_atom(raw, b, sizeof b);
            json_kstr(j, "module", b);
        }
        if (proc_source(ss->s, p, src, sizeof src))
            json_kstr(j, "source", src);
    }
    json_obj_end(j);
    json_kint(j, "count", x->count);
    json_kstr(j, "examples", x->examples);
    json_key(j, "evidence");
    json_obj(j);
    for (int e = 0; e < x->n_ev; e++)
        json_knum(j, x->ev[e].key, x->ev[e].value);
    json_obj_end(j);
    json_kstr(j, "summary", x->summary);
    json_kstr(j, "recommendation", x->recommendation);
    const rule *ru = rule_find(x->rule); /* the pattern its recommendation applies */
    if (ru && ru->pattern)
        json_kstr(j, "pattern", ru->pattern);
    json_obj_end(j);
}

/* the source line a finding's text gets: "    code: lib/zoo/cache.ex" */
static void finding_text(const mcp_session *ss, const finding *x, strbuf *t)
{
    render_ctx c;
    ctx_plain(&c);
    render_finding_text(ss->s, x, &c, t);
    uint32_t p = x->proc != SNAP_NONE ? x->proc : x->sup != SNAP_NONE ? snap_sup_at(ss->s, x->sup)->proc : SNAP_NONE;
    char src[PATH_MAX];
    if (p != SNAP_NONE && proc_source(ss->s, p, src, sizeof src))
        sb_printf(t, "    code: %s\n", src);
}

static int t_info(mcp_session *ss, json_t *args, mcp_result *r, char *err)
{
    const snap *s = ss->s;
    const char *target = arg_str(args, "target", "");
    uint32_t i = resolve_proc(s, target, err);
    if (i == SNAP_NONE)
        return -1;
    const snap_proc *p = snap_proc_at(s, i);
    render_ctx c;
    ctx_plain(&c);
    view_info(s, i, &ss->f, &c, &r->text);
    char src[PATH_MAX], b[512];
    if (proc_source(ss->s, i, src, sizeof src))
        sb_printf(&r->text, "code           %s\n", src);
    json_w j;
    json_init(&j, &r->data, 0);
    json_obj(&j);
    proc_ref_body(&j, ss, i);
    json_kstr(&j, "kind",
              p->own_sup != SNAP_NONE ? sup_kind_name(snap_sup_at(s, p->own_sup)->kind) : proc_kind_name(s, p));
    json_kstr(&j, "class", proc_class_name((enum proc_class)p->cls));
    const char *an = app_name(s, p->app);
    json_kstr(&j, "app", an ? an : "");
    strbuf path;
    sb_init(&path);
    if (p->sup != SNAP_NONE || p->own_sup != SNAP_NONE)
        snap_proc_path(s, p, &path);
    json_kstr(&j, "path", path.len ? path.buf : "");
    sb_free(&path);
    fmt_mfa(snap_str(s, p->initial_call), b, sizeof b);
    json_kstr(&j, "initial_call", b);
    if (p->dict_initial_call) {
        fmt_mfa(snap_str(s, p->dict_initial_call), b, sizeof b);
        json_kstr(&j, "dollar_initial_call", b);
        json_kstr(&j, "name_from", name_src_text(p->name_src));
    }
    fmt_mfa(snap_str(s, p->current_function), b, sizeof b);
    json_kstr(&j, "current", b);
    static const char *const st[] = {"unknown",   "waiting", "running", "runnable", "garbage_collecting",
                                     "suspended", "exiting"};
    json_kstr(&j, "status", st[p->status < 7 ? p->status : 0]);
    json_kbool(&j, "trap_exit", (p->flags & PF_TRAP_EXIT) != 0);
    json_key(&j, "mq");
    json_arr(&j);
    json_int(&j, p->mq);
    if (p->flags & PF_SAMPLE2)
        json_int(&j, p->mq2);
    json_arr_end(&j);
    json_kint(&j, "reductions", (int64_t)snap_reds_now(p));
    rate_field(&j, "reds_per_s", snap_reds_rate(s, p));
    json_kint(&j, "memory", (int64_t)snap_mem_now(p));
    json_kint(&j, "heap", (int64_t)p->heap);
    json_kint(&j, "monitored_by", snap_monby_now(p));
    const oa_pid *refs = (const oa_pid *)s->refs.items + p->refs;
    json_key(&j, "group_leader");
    pid_ref(&j, ss, refs[0]);
    ref_list(&j, ss, "ancestors", refs + 1, p->n_anc);
    ref_list(&j, ss, "links", refs + 1 + p->n_anc, p->n_links);
    ref_list(&j, ss, "monitors", refs + 1 + p->n_anc + p->n_links, p->n_mons);
    if (p->own_sup != SNAP_NONE) {
        const snap_sup *sp = snap_sup_at(s, p->own_sup);
        json_key(&j, "supervisor");
        json_obj(&j);
        json_kstr(&j, "kind", sup_kind_name(sp->kind));
        json_kstr(&j, "strategy", sp->strategy ? snap_str(s, sp->strategy) : "");
        json_kint(&j, "intensity", sp->intensity);
        json_kint(&j, "period", sp->period);
        json_kint(&j, "children", sp->n_children);
        json_kstr(&j, "status", sup_status_atom(sp->status));
        json_obj_end(&j);
    }
    json_key(&j, "ets");
    json_arr(&j);
    int owned = 0;
    for (size_t e = 0; e < s->ets.len; e++) {
        const snap_ets *t = vec_at(&s->ets, e);
        if (t->owner_proc != i)
            continue;
        if (owned++ >= REF_MAX)
            continue;
        json_obj(&j);
        snap_display_atom(snap_str(s, t->name), b, sizeof b);
        json_kstr(&j, "name", b);
        json_kstr(&j, "id", snap_str(s, t->id));
        json_kstr(&j, "type", snap_str(s, t->type));
        json_kstr(&j, "protection", snap_str(s, t->protection));
        json_kint(&j, "rows", (int64_t)t->size);
        json_kint(&j, "memory", (int64_t)t->mem);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_kint(&j, "ets_owned", owned);
    json_key(&j, "findings");
    json_arr(&j);
    for (size_t k = 0; k < ss->f.items.len; k++) {
        const finding *x = vec_at(&ss->f.items, k);
        if (x->proc == i || (x->sup != SNAP_NONE && snap_sup_at(s, x->sup)->proc == i))
            finding_json(&j, ss, x, 0);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    return 0;
}

/* ---- registry, ets -------------------------------------------------------------------- */

static int t_registry(mcp_session *ss, json_t *args, mcp_result *r, char *err)
{
    const snap *s = ss->s;
    const char *name = arg_str(args, "name", NULL);
    size_t limit = (size_t)arg_num(args, "limit", 50), offset = (size_t)arg_num(args, "offset", 0);
    render_ctx c;
    ctx_plain(&c);
    json_w j;
    json_init(&j, &r->data, 0);
    char b[512], pid[64];
    if (!name) {
        view_registries(s, &c, &r->text);
        json_obj(&j);
        json_key(&j, "registries");
        json_arr(&j);
        for (size_t k = 0; k < s->regs.len && k < 200; k++) {
            const snap_registry *rg = vec_at(&s->regs, k);
            json_obj(&j);
            snap_display_atom(snap_str(s, rg->name), b, sizeof b);
            json_kstr(&j, "name", b);
            json_kstr(&j, "keys_kind", snap_str(s, rg->kind));
            json_kint(&j, "partitions", rg->partitions);
            json_kint(&j, "keys", (int64_t)rg->key_count);
            json_kint(&j, "keys_read", rg->n_keys);
            json_obj_end(&j);
        }
        json_arr_end(&j);
        page gp = {offset, limit, 0, s->globals.len};
        json_key(&j, "globals");
        json_arr(&j);
        for (size_t g = offset; g < s->globals.len && g - offset < limit; g++, gp.returned++) {
            const snap_name *nm = vec_at(&s->globals, g);
            json_obj(&j);
            json_kstr(&j, "name", snap_str(s, nm->key));
            json_key(&j, "process");
            pid_ref(&j, ss, nm->pid);
            json_obj_end(&j);
        }
        json_arr_end(&j);
        page_json(&j, &gp);
        json_key(&j, "pg");
        json_arr(&j);
        for (size_t g = 0; g < s->pgs.len && g < 200; g++) {
            const snap_pg *pg = vec_at(&s->pgs, g);
            json_obj(&j);
            json_kstr(&j, "scope", snap_str(s, pg->scope));
            json_kint(&j, "groups", pg->groups);
            json_kint(&j, "members", pg->members);
            json_obj_end(&j);
        }
        json_arr_end(&j);
        json_obj_end(&j);
        if (s->globals.len > 20)
            page_text(&r->text, &gp, ":global names", "registry");
        return 0;
    }
    const snap_registry *rg = NULL;
    for (size_t k = 0; k < s->regs.len && !rg; k++) {
        const snap_registry *x = vec_at(&s->regs, k);
        snap_display_atom(snap_str(s, x->name), b, sizeof b);
        if (!strcmp(b, name) || !strcmp(snap_str(s, x->name), name))
            rg = x;
    }
    if (!rg)
        return errf(err, "no Registry named %s (call registry without a name to list them)", name);
    page pg = {offset, limit, 0, rg->n_keys};
    json_obj(&j);
    json_key(&j, "registry");
    json_obj(&j);
    snap_display_atom(snap_str(s, rg->name), b, sizeof b);
    json_kstr(&j, "name", b);
    json_kstr(&j, "keys_kind", snap_str(s, rg->kind));
    json_kint(&j, "partitions", rg->partitions);
    json_kint(&j, "keys", (int64_t)rg->key_count);
    json_kint(&j, "keys_read", rg->n_keys);
    json_obj_end(&j);
    char kn[32];
    fmt_num(rg->key_count, kn, sizeof kn);
    sb_printf(&r->text, "%s  %s keys, %u partition%s, %s key%s (%u read)\n", b, snap_str(s, rg->kind), rg->partitions,
              rg->partitions == 1 ? "" : "s", kn, rg->key_count == 1 ? "" : "s", rg->n_keys);
    json_key(&j, "keys");
    json_arr(&j);
    for (size_t k = offset; k < rg->n_keys && k - offset < limit; k++, pg.returned++) {
        const snap_name *nm = &VEC_AT(&s->reg_keys, snap_name, rg->keys + k);
        json_obj(&j);
        json_kstr(&j, "key", snap_str(s, nm->key));
        json_key(&j, "process");
        pid_ref(&j, ss, nm->pid);
        json_obj_end(&j);
        snap_pid_text(s, nm->pid, pid, sizeof pid);
        sb_printf(&r->text, "  %-40s %s\n", snap_str(s, nm->key), pid);
    }
    json_arr_end(&j);
    page_json(&j, &pg);
    json_obj_end(&j);
    page_text(&r->text, &pg, "keys", "registry");
    return 0;
}

static const snap *ets_snap;
static int ets_by_mem;
static int cmp_ets(const void *a, const void *b)
{
    uint32_t ia = *(const uint32_t *)a, ib = *(const uint32_t *)b;
    const snap_ets *x = vec_at(&ets_snap->ets, ia), *y = vec_at(&ets_snap->ets, ib);
    uint64_t kx = ets_by_mem ? x->mem : x->size, ky = ets_by_mem ? y->mem : y->size;
    return kx < ky ? 1 : kx > ky ? -1 : ia < ib ? -1 : ia > ib;
}

static int t_ets(mcp_session *ss, json_t *args, mcp_result *r, char *err)
{
    (void)err;
    const snap *s = ss->s;
    const char *by = arg_str(args, "sort", "mem");
    size_t limit = (size_t)arg_num(args, "limit", 25), offset = (size_t)arg_num(args, "offset", 0);
    uint32_t *idx = xmalloc((s->ets.len ? s->ets.len : 1) * sizeof *idx);
    for (uint32_t i = 0; i < s->ets.len; i++)
        idx[i] = i;
    ets_snap = s;
    ets_by_mem = !strcmp(by, "mem");
    qsort(idx, s->ets.len, sizeof *idx, cmp_ets);
    page pg = {offset, limit, 0, s->ets.len};
    json_w j;
    json_init(&j, &r->data, 0);
    json_obj(&j);
    json_kstr(&j, "sort", by);
    json_key(&j, "tables");
    json_arr(&j);
    static const char *const head[] = {"TABLE", "OWNER", "TYPE", "ACCESS", "ROWS", "MEMORY", "CONCURRENCY"};
    fmt_table tb;
    fmt_table_init(&tb, 7, "llllrrl", head);
    for (size_t k = offset; k < s->ets.len && k - offset < limit; k++, pg.returned++) {
        const snap_ets *t = vec_at(&s->ets, idx[k]);
        char name[300], d[256], owner[512] = "?", mem[32], rows[32];
        snap_display_atom(snap_str(s, t->name), d, sizeof d);
        if (t->named)
            snprintf(name, sizeof name, ":%s", d);
        else
            snprintf(name, sizeof name, "%s", snap_str(s, t->id));
        const char *conc = t->read_conc ? (t->write_conc ? "read+write" : "read") : t->write_conc ? "write" : "";
        json_obj(&j);
        json_kstr(&j, "name", d);
        json_kstr(&j, "id", snap_str(s, t->id));
        json_kbool(&j, "named", t->named);
        json_key(&j, "owner");
        if (t->owner_proc != SNAP_NONE) {
            proc_ref(&j, ss, t->owner_proc);
            snap_proc_label(s, snap_proc_at(s, t->owner_proc), owner, sizeof owner);
        } else
            pid_ref(&j, ss, t->owner);
        json_kbool(&j, "heir", t->heir.kind == PK_PID);
        json_kstr(&j, "type", snap_str(s, t->type));
        json_kstr(&j, "protection", snap_str(s, t->protection));
        json_kint(&j, "rows", (int64_t)t->size);
        json_kint(&j, "memory", (int64_t)t->mem);
        json_kstr(&j, "concurrency", conc);
        json_obj_end(&j);
        fmt_bytes(t->mem, mem, sizeof mem);
        fmt_num(t->size, rows, sizeof rows);
        const char *row[] = {name, owner, snap_str(s, t->type), snap_str(s, t->protection), rows, mem, conc};
        fmt_table_row(&tb, row, NULL, NULL);
    }
    json_arr_end(&j);
    page_json(&j, &pg);
    json_obj_end(&j);
    fmt_table_render(&tb, 0, "", "", &r->text);
    fmt_table_free(&tb);
    page_text(&r->text, &pg, "tables", "ets");
    free(idx);
    return 0;
}

/* ---- findings, explain ---------------------------------------------------------------- */

static int t_findings(mcp_session *ss, json_t *args, mcp_result *r, char *err)
{
    (void)err;
    const snap *s = ss->s;
    int min = severity_parse(arg_str(args, "severity", "info"));
    const char *only_rule = arg_str(args, "rule", NULL);
    size_t limit = (size_t)arg_num(args, "limit", 20), offset = (size_t)arg_num(args, "offset", 0);
    findings sub, *f = &ss->f;
    if (only_rule) { /* that rule alone, as the shell's findings RULE */
        findings_init(&sub);
        const char *only[2] = {only_rule, NULL};
        rules_run(s, &ss->ro, only, NULL, &sub);
        f = &sub;
    }
    /* the order they are listed in (most severe first), those below min left out */
    size_t n = 0;
    uint32_t *idx = xmalloc((f->items.len ? f->items.len : 1) * sizeof *idx);
    for (int sev = SEV_CRITICAL; sev >= min; sev--)
        for (size_t i = 0; i < f->items.len; i++)
            if (((finding *)vec_at(&f->items, i))->severity == sev)
                idx[n++] = (uint32_t)i;
    page pg = {offset, limit, 0, n};
    json_w j;
    json_init(&j, &r->data, 0);
    json_obj(&j);
    json_kstr(&j, "node", snap_str(s, s->info.node));
    counts_json(&j, f);
    json_key(&j, "items");
    json_arr(&j);
    for (size_t k = offset; k < n && k - offset < limit; k++, pg.returned++) {
        const finding *x = vec_at(&f->items, idx[k]);
        finding_json(&j, ss, x, 0);
        finding_text(ss, x, &r->text);
        sb_putc(&r->text, '\n');
    }
    json_arr_end(&j);
    page_json(&j, &pg);
    json_key(&j, "not_evaluated");
    json_arr(&j);
    for (size_t i = 0; i < f->skipped.len; i++) {
        const not_evaluated *ne = vec_at(&f->skipped, i);
        json_obj(&j);
        json_kstr(&j, "rule", ne->rule);
        json_kstr(&j, "reason", ne->reason);
        json_obj_end(&j);
        sb_printf(&r->text, "not fully evaluated: %s: %s\n", ne->rule, ne->reason);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    int nc = findings_count(f, SEV_CRITICAL), nw = findings_count(f, SEV_WARNING) - nc;
    sb_printf(&r->text, "%d critical, %d warning, %d info on %s (%s, %zu processes)%s\n", nc, nw,
              findings_count(f, SEV_INFO) - nc - nw, snap_str(s, s->info.node),
              s->has_sample2 ? "two samples" : "one sample", s->procs.len,
              min > SEV_INFO ? "; lower severities left out" : "");
    page_text(&r->text, &pg, "findings", "findings");
    if (n)
        sb_puts(&r->text, "next: context with a subject's name or module for the BEAM Architecture Context; "
                          "explain with a rule for what it checks\n");
    free(idx);
    if (only_rule)
        findings_free(&sub);
    return 0;
}

static int t_explain(mcp_session *ss, json_t *args, mcp_result *r, char *err)
{
    const char *id = arg_str(args, "rule", NULL);
    if (render_explain(id, &ss->ro, &r->text, err))
        return -1;
    json_w j;
    json_init(&j, &r->data, 0);
    json_obj(&j);
    int only_thresholds = id && !strcmp(id, "thresholds");
    json_key(&j, "rules");
    json_arr(&j);
    for (int i = 0; i < n_rules && !only_thresholds; i++) {
        const rule *ru = rule_at(i);
        if (id && strcmp(id, ru->id))
            continue;
        json_obj(&j);
        json_kstr(&j, "id", ru->id);
        json_kstr(&j, "title", ru->title);
        json_kstr(&j, "max_severity", severity_name(ru->max_severity));
        json_kstr(&j, "framework", ru->framework);
        json_kstr(&j, "explain", ru->explain);
        json_kstr(&j, "pattern", ru->pattern ? ru->pattern : "");
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_key(&j, "thresholds");
    json_arr(&j);
    const rule *one = id && !only_thresholds ? rule_find(id) : NULL;
    for (int t = 0; t < ss->ro.n; t++) {
        const threshold *th = &ss->ro.t[t];
        if (one && !strstr(one->explain, th->name)) /* a rule's: the ones its explanation names */
            continue;
        json_obj(&j);
        json_kstr(&j, "name", th->name);
        json_knum(&j, "value", th->value);
        json_kstr(&j, "unit", th->unit);
        json_kstr(&j, "help", th->help);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    return 0;
}

/* ---- report --------------------------------------------------------------------------- */

#define REPORT_MAX (256 * 1024) /* bytes of markdown, and of its JSON, in one answer */

#define BLOCK_MAX 120 /* lines of one code block (a drawn tree, a children list) kept whole */

/* A code block longer than BLOCK_MAX lines keeps its first and last lines, and says how
 * many were left out in between: the report of a supervisor of 100,000 children draws
 * every one of them (10 MB), which the tree tool pages instead. */
static size_t elide_blocks(strbuf *md)
{
    strbuf out;
    sb_init(&out);
    size_t left_out = 0;
    const char *p = md->buf, *end = md->buf + md->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *next = nl ? nl + 1 : end;
        sb_add(&out, p, (size_t)(next - p));
        if (strncmp(p, "```", 3)) {
            p = next;
            continue;
        }
        /* a fence opens: find where it closes */
        const char *q = next, *close = end;
        size_t lines = 0;
        while (q < end) {
            if (!strncmp(q, "```", 3)) {
                close = q;
                break;
            }
            const char *e = memchr(q, '\n', (size_t)(end - q));
            q = e ? e + 1 : end;
            lines++;
        }
        const char *b = next;
        size_t keep_head = lines > BLOCK_MAX ? BLOCK_MAX / 2 : lines, n = 0;
        for (; b < close && n < keep_head; n++) {
            const char *e = memchr(b, '\n', (size_t)(close - b));
            b = e ? e + 1 : close;
        }
        sb_add(&out, next, (size_t)(b - next));
        if (lines > BLOCK_MAX) {
            size_t skip = lines - BLOCK_MAX / 2 - 10;
            for (size_t k = 0; k < skip && b < close; k++) {
                const char *e = memchr(b, '\n', (size_t)(close - b));
                b = e ? e + 1 : close;
            }
            char cnt[32];
            fmt_num(skip, cnt, sizeof cnt);
            sb_printf(&out, "… %s lines left out here (the tree tool pages a large tree)\n", cnt);
            sb_add(&out, b, (size_t)(close - b));
            left_out += skip;
        }
        p = close;
        if (p < end) { /* the closing fence */
            const char *e = memchr(p, '\n', (size_t)(end - p));
            const char *after = e ? e + 1 : end;
            sb_add(&out, p, (size_t)(after - p));
            p = after;
        }
    }
    sb_free(md);
    *md = out;
    return left_out;
}

static int t_report(mcp_session *ss, json_t *args, mcp_result *r, char *err)
{
    const char *target = arg_str(args, "target", NULL);
    strbuf md, js;
    sb_init(&md);
    sb_init(&js);
    if (report_to(ss->s, &ss->f, target, 0, NULL, &md, err) || report_json(ss->s, &ss->f, target, &js, err)) {
        sb_free(&md);
        sb_free(&js);
        return -1;
    }
    size_t elided = elide_blocks(&md);
    int cut = 0;
    if (md.len > REPORT_MAX) { /* at a line's end: what is left is named, not sent */
        size_t at = REPORT_MAX;
        while (at > 0 && md.buf[at - 1] != '\n')
            at--;
        md.len = at ? at : REPORT_MAX;
        md.buf[md.len] = 0;
        cut = 1;
    }
    sb_add(&r->text, md.buf, md.len);
    if (cut)
        sb_printf(&r->text,
                  "\n(the report was cut at %d KB: name an application, supervisor or process as target "
                  "for its section alone)\n",
                  REPORT_MAX / 1024);
    json_w j;
    json_init(&j, &r->data, 0);
    json_obj(&j);
    json_kstr(&j, "target", target ? target : "");
    json_kbool(&j, "truncated", cut || elided || js.len > REPORT_MAX);
    json_kstr(&j, "markdown", md.buf);
    json_key(&j, "report");
    if (js.len <= REPORT_MAX)
        json_raw(&j, js.buf);
    else {
        json_obj(&j);
        json_kstr(&j, "schema", "otp-advisor/report/2");
        json_kstr(&j, "omitted", "over 256 KB: name an application, supervisor or process as target");
        json_obj_end(&j);
    }
    json_obj_end(&j);
    sb_free(&md);
    sb_free(&js);
    return 0;
}

/* ---- context -------------------------------------------------------------------------- */

/* the raw atom a spelling of a module stands for: MyApp.Cache is Elixir.MyApp.Cache, :mod
 * and mod are mod */
static void module_atom(const char *what, char *buf, size_t n)
{
    if (what[0] == ':')
        snprintf(buf, n, "%s", what + 1);
    else if (what[0] >= 'A' && what[0] <= 'Z' && strncmp(what, "Elixir.", 7))
        snprintf(buf, n, "Elixir.%s", what);
    else
        snprintf(buf, n, "%s", what);
}

/* the processes (not supervisors) that run module mod: their code (code_module) or the
 * module their supervisor's child spec lists */
static size_t procs_running(const snap *s, const char *mod, uint32_t **out)
{
    size_t n = 0, cap = 0;
    *out = NULL;
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_proc *p = snap_proc_at(s, i);
        char m[300];
        if (p->own_sup != SNAP_NONE || p->cls == PC_ADVISOR)
            continue;
        const char *listed = proc_child_modules(s, p);
        size_t ln = strcspn(listed, ",");
        if ((proc_code_module(s, p, m, sizeof m) && !strcmp(m, mod)) ||
            (ln && ln == strlen(mod) && !strncmp(listed, mod, ln))) {
            if (n == cap)
                *out = xrealloc(*out, (cap = 2 * cap + 8) * sizeof **out);
            (*out)[n++] = i;
        }
    }
    return n;
}

typedef struct {
    mcp_session *ss;
    json_w *j;
    strbuf *t;
    int done;
} ctx_w;

static void ctx_proc(ctx_w *cw, const analysis *an, uint32_t i)
{
    const snap *s = an->s;
    const snap_proc *p = snap_proc_at(s, i);
    json_obj(cw->j);
    proc_ref_body(cw->j, cw->ss, i);
    json_kstr(cw->j, "kind",
              p->own_sup != SNAP_NONE ? sup_kind_name(snap_sup_at(s, p->own_sup)->kind) : proc_kind_name(s, p));
    rate_field(cw->j, "reds_per_s", snap_reds_rate(s, p));
    json_kint(cw->j, "callers_waiting", an_callers(an, i));
    json_kint(cw->j, "mq", snap_mq_now(p));
    json_kint(cw->j, "heap", (int64_t)p->heap);
    json_obj_end(cw->j);
}

static void ctx_section(analysis *an, void *ud)
{
    ctx_w *cw = ud;
    if (cw->done++) /* one target, one section */
        return;
    json_w *j = cw->j;
    const snap *s = an->s;
    static const char *const keys[4] = {"concurrency", "isolation", "shared_state", "stateless"};
    static const char *const qs[4] = {"Does this need concurrency?", "Does this need isolation?",
                                      "Does this need shared state?", "Is this stateless?"};
    strbuf text;
    sb_init(&text);
    json_key(j, "answers");
    json_obj(j);
    for (int q = 0; q < 4; q++) {
        sb_reset(&text);
        rp_question(an, q, &text);
        json_key(j, keys[q]);
        json_obj(j);
        json_kbool(j, "answer", an->q[q].answer);
        json_kstr(j, "evidence", text.buf ? text.buf : "");
        /* the processes behind the answer: the busiest and those callers wait on
         * (concurrency), the supervisor (isolation), the state holders callers wait on
         * (shared state), the largest heaps (state at all) */
        json_key(j, "processes");
        json_arr(j);
        const uint32_t *lists[2] = {NULL, NULL};
        int ns[2] = {0, 0};
        if (q == 0)
            lists[0] = an->busy, ns[0] = an->n_busy_top, lists[1] = an->waited_any, ns[1] = an->n_waited_any;
        else if (q == 2)
            lists[0] = an->waited, ns[0] = an->n_waited;
        else if (q == 3)
            lists[0] = an->heavy, ns[0] = an->n_heavy;
        uint32_t seen[2 * AN_TOP + 1];
        int n_seen = 0;
        if (q == 1 && an->root_sup != SNAP_NONE && snap_sup_at(s, an->root_sup)->proc != SNAP_NONE)
            seen[n_seen++] = snap_sup_at(s, an->root_sup)->proc;
        for (int l = 0; l < 2; l++)
            for (int k = 0; k < ns[l]; k++) {
                int dup = 0;
                for (int d = 0; d < n_seen; d++)
                    dup |= seen[d] == lists[l][k];
                if (!dup && n_seen < (int)(sizeof seen / sizeof seen[0]))
                    seen[n_seen++] = lists[l][k];
            }
        for (int d = 0; d < n_seen; d++)
            ctx_proc(cw, an, seen[d]);
        json_arr_end(j);
        json_key(j, "findings");
        json_arr(j);
        for (int k = 0; k < an->n_qf[q]; k++) {
            char id[32];
            snprintf(id, sizeof id, "F%d", an->qf[q][k] + 1);
            json_str(j, id);
        }
        json_arr_end(j);
        json_obj_end(j);
        sb_printf(cw->t, "%d. %s %s — %s\n", q + 1, qs[q], an->q[q].answer ? "yes" : "no", text.buf ? text.buf : "");
    }
    json_obj_end(j);
    json_kbool(j, "process_needed", an->process_needed);
    sb_reset(&text);
    rp_patterns(an, &text);
    json_kstr(j, "pattern", an->n_patterns ? "one per part of the tree a finding concerns (patterns)" : an->pattern);
    json_key(j, "patterns");
    json_arr(j);
    for (const char *l = an->n_patterns && text.buf ? text.buf : ""; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)n, l);
        json_str(j, line);
        l += n + (e ? 1 : 0);
    }
    json_arr_end(j);
    sb_printf(cw->t, "Process needed: %s. Pattern: ", an->process_needed ? "yes" : "no");
    if (an->n_patterns)
        sb_printf(cw->t, "for each part of the tree a finding concerns:\n%s%s", text.buf,
                  text.len && text.buf[text.len - 1] != '\n' ? "\n" : "");
    else
        sb_printf(cw->t, "%s\n", an->pattern);
    sb_reset(&text);
    rp_rationale(an, &text);
    json_kstr(j, "rationale", text.buf ? text.buf : "");
    sb_printf(cw->t, "Rationale: %s\n", text.buf ? text.buf : "");
    sb_free(&text);
    json_key(j, "numbers");
    report_numbers_json(an, j);
    json_key(j, "findings");
    json_arr(j);
    for (size_t i = 0; i < an->fidx.len && i < 20; i++) {
        const finding *x = vec_at(&an->f->items, VEC_AT(&an->fidx, uint32_t, i));
        finding_json(j, cw->ss, x, (int)i + 1);
        sb_printf(cw->t, "%sF%zu %s %s %s%s%s", i ? "; " : "Findings: ", i + 1, severity_name(x->severity), x->rule,
                  x->subject, x->pid[0] && strcmp(x->pid, x->subject) ? " " : "",
                  x->pid[0] && strcmp(x->pid, x->subject) ? x->pid : "");
    }
    json_arr_end(j);
    json_kint(j, "findings_total", (int64_t)an->fidx.len);
    if (an->fidx.len)
        sb_printf(cw->t, "%s (findings for their evidence and fixes)\n", an->fidx.len > 20 ? "; …" : "");
}

/* the answer for a name no process runs: a module of functions, or an application without
 * a tree (a library) */
static void no_process(ctx_w *cw, const char *target, const char *why)
{
    json_w *j = cw->j;
    static const char *const keys[4] = {"concurrency", "isolation", "shared_state", "stateless"};
    json_key(j, "resolved");
    json_obj(j);
    json_kstr(j, "kind", "no_process");
    json_kstr(j, "name", target);
    json_kstr(j, "pid", "");
    json_obj_end(j);
    json_key(j, "answers");
    json_obj(j);
    for (int q = 0; q < 4; q++) {
        json_key(j, keys[q]);
        json_obj(j);
        json_kbool(j, "answer", q == 3);
        json_kstr(j, "evidence", q == 3 ? "no process holds state for it" : "no process runs it");
        json_key(j, "processes");
        json_arr(j);
        json_arr_end(j);
        json_key(j, "findings");
        json_arr(j);
        json_arr_end(j);
        json_obj_end(j);
    }
    json_obj_end(j);
    json_kbool(j, "process_needed", 0);
    json_kstr(j, "pattern", "Functions (a plain module)");
    json_key(j, "patterns");
    json_arr(j);
    json_arr_end(j);
    json_kstr(j, "rationale", why);
    json_key(j, "numbers");
    json_obj(j);
    json_kint(j, "processes", 0);
    json_obj_end(j);
    json_key(j, "findings");
    json_arr(j);
    json_arr_end(j);
    json_kint(j, "findings_total", 0);
    sb_printf(cw->t, "%s: no process: plain functions.\n%s\n", target, why);
}

static int t_context(mcp_session *ss, json_t *args, mcp_result *r, char *err)
{
    const snap *s = ss->s;
    const char *target = arg_str(args, "target", "");
    char e1[OA_ERRLEN], mod[300], tgt[512], b[512];
    uint32_t sup = SNAP_NONE, proc = SNAP_NONE, *runs = NULL;
    int by = view_resolve_target(s, target, &sup, &proc, e1);
    module_atom(target, mod, sizeof mod);
    size_t n_runs = procs_running(s, mod, &runs);
    snprintf(tgt, sizeof tgt, "%s", target);
    const char *kind = by == 1 ? "module" : sup != SNAP_NONE ? "supervisor" : "process";
    for (size_t a = 0; a < s->apps.len && by >= 0; a++)
        if (!strcmp(snap_str(s, ((snap_app *)vec_at(&s->apps, a))->name), target))
            kind = "application";
    json_w j;
    json_init(&j, &r->data, 0);
    ctx_w cw = {ss, &j, &r->text, 0};
    json_obj(&j);
    json_kstr(&j, "target", target);
    if (by < 0 && n_runs > 0) {
        /* a module that unrelated processes run: the busiest of them stands for it */
        uint32_t best = runs[0];
        for (size_t k = 1; k < n_runs; k++)
            if (snap_reds_rate(s, snap_proc_at(s, runs[k])) > snap_reds_rate(s, snap_proc_at(s, best)))
                best = runs[k];
        snap_pid_text(s, snap_proc_at(s, best)->pid, tgt, sizeof tgt);
        kind = "module";
        sb_printf(&r->text,
                  "%s runs in %zu processes under different parents; the busiest, %s, stands for them "
                  "(runs_in lists them: call context with one's pid for its own answer)\n",
                  target, n_runs, tgt);
    } else if (by < 0) {
        int app_no_tree = 0, looks_pid = target[0] == '<' || target[0] == '{';
        for (size_t a = 0; a < s->apps.len; a++)
            app_no_tree |= !strcmp(snap_str(s, ((snap_app *)vec_at(&s->apps, a))->name), target);
        free(runs);
        if (looks_pid) {
            json_obj_end(&j);
            return errf(err, "%s", e1);
        }
        char why[OA_ERRLEN + 200];
        if (app_no_tree)
            snprintf(why, sizeof why,
                     "The application %s has no supervision tree on this node: a library of functions, run in "
                     "the processes that call them.",
                     target);
        else
            snprintf(why, sizeof why,
                     "No process in this snapshot runs %s, and no process or name is called that. If %s is a "
                     "module of yours, its functions run in the processes that call them: no process of its own, "
                     "unless it starts one only on demand and none was running at this instant (the snapshot sees "
                     "only the code processes run: check the name if you expected one).",
                     target, target);
        no_process(&cw, target, why);
        json_key(&j, "runs_in");
        json_obj(&j);
        json_kint(&j, "total", 0);
        json_key(&j, "items");
        json_arr(&j);
        json_arr_end(&j);
        json_obj_end(&j);
        json_obj_end(&j);
        return 0;
    }
    report_target rt; /* resolved once, for the header here and the report's sections */
    if (report_target_resolve(s, tgt, &rt, err) < 0) {
        free(runs);
        json_obj_end(&j);
        return -1;
    }
    uint32_t rs = rt.sup, rp = rt.proc;
    uint32_t who = rs != SNAP_NONE ? snap_sup_at(s, rs)->proc : rp;
    json_key(&j, "resolved");
    json_obj(&j);
    json_kstr(&j, "kind", kind);
    if (who != SNAP_NONE) {
        snap_proc_label(s, snap_proc_at(s, who), b, sizeof b);
        json_kstr(&j, "name", b);
        snap_pid_text(s, snap_proc_at(s, who)->pid, b, sizeof b);
        json_kstr(&j, "pid", b);
        char src[PATH_MAX];
        if (proc_source(ss->s, who, src, sizeof src))
            json_kstr(&j, "source", src);
    } else {
        snap_pid_text(s, snap_sup_at(s, rs)->pid, b, sizeof b);
        json_kstr(&j, "name", b);
        json_kstr(&j, "pid", b);
    }
    json_kstr(&j, "scope", rs != SNAP_NONE ? "supervision tree" : "process");
    json_obj_end(&j);
    /* "(process <0.111.0>, code lib/…)", "(application: the tree of Zoo.Supervisor)", "(module:
     * run by the tree of Zoo.Sessions)" */
    sb_printf(&r->text, "BEAM Architecture Context for %s (%s", target, kind);
    if (who != SNAP_NONE) {
        char src[PATH_MAX], pid[64];
        const snap_proc *wp = snap_proc_at(s, who);
        snap_proc_label(s, wp, b, sizeof b);
        snap_pid_text(s, wp->pid, pid, sizeof pid);
        int module = !strcmp(kind, "module");
        if (rs != SNAP_NONE)
            sb_printf(&r->text, "%s the tree of %s", module ? ": run by" : ":", b);
        else if (module)
            sb_printf(&r->text, ": run by %s%s%s", b, strcmp(b, pid) ? " " : "", strcmp(b, pid) ? pid : "");
        else
            sb_printf(&r->text, " %s", pid);
        if (proc_source(ss->s, who, src, sizeof src))
            sb_printf(&r->text, ", code %s", src);
    }
    sb_puts(&r->text, ")\n");
    report_sections(ss->s, &ss->f, &rt, ctx_section, &cw);
    json_key(&j, "runs_in");
    json_obj(&j);
    json_kint(&j, "total", (int64_t)n_runs);
    json_key(&j, "items");
    json_arr(&j);
    for (size_t k = 0; k < n_runs && k < 20; k++)
        proc_ref(&j, ss, runs[k]);
    json_arr_end(&j);
    json_obj_end(&j);
    json_obj_end(&j);
    free(runs);
    return 0;
}

/* ---- the table ------------------------------------------------------------------------ */

/* Output schemas, as JSON text: objects at the root, plain keywords only (type, properties,
 * required, items, enum), so that they read the same under draft-07 (SDK 1.x's Ajv) and
 * 2020-12 (the 2.x client's). Built from the pieces below; laid out by hand. */
/* clang-format off */
#define STR "{\"type\":\"string\"}"
#define INT "{\"type\":\"integer\"}"
#define NUM "{\"type\":\"number\"}"
#define BOOL "{\"type\":\"boolean\"}"
#define NNUM "{\"type\":[\"number\",\"null\"]}"
#define NINT "{\"type\":[\"integer\",\"null\"]}"
#define SEV "{\"type\":\"string\",\"enum\":[\"info\",\"warning\",\"critical\"]}"
#define P(k, v) "\"" k "\":" v
#define OBJ(props, req) "{\"type\":\"object\",\"properties\":{" props "},\"required\":[" req "]}"
#define ARR(items) "{\"type\":\"array\",\"items\":" items "}"
#define MAP(values) "{\"type\":\"object\",\"additionalProperties\":" values "}"
#define ENUM(values) "{\"type\":\"string\",\"enum\":[" values "]}"

#define PROC_PROPS P("pid", STR) "," P("name", STR) "," P("module", STR) "," P("source", STR)
#define PROC_REQ "\"pid\",\"name\",\"module\""
#define PROC OBJ(PROC_PROPS, PROC_REQ)
#define PAGE OBJ(P("offset", INT) "," P("limit", INT) "," P("returned", INT) "," P("total", INT) ","  \
                 P("next_offset", NINT),                                                             \
                 "\"offset\",\"limit\",\"returned\",\"total\",\"next_offset\"")
#define COUNTS OBJ(P("critical", INT) "," P("warning", INT) "," P("info", INT),                      \
                   "\"critical\",\"warning\",\"info\"")
#define SNAPSHOT OBJ(P("source", STR) "," P("connected", BOOL) "," P("node", STR) ","                \
                     P("otp_release", STR) "," P("processes", INT) "," P("supervisors", INT) ","     \
                     P("collected_in_s", NUM) "," P("method", STR) "," P("window_s", NUM) ","        \
                     P("collected_at_ms", INT) "," P("findings", COUNTS),                            \
                     "\"source\",\"connected\",\"node\",\"processes\",\"supervisors\",\"findings\"")
#define SUBJECT OBJ(P("name", STR) "," P("pid", STR) "," P("path", STR) "," P("kind", STR) ","       \
                    P("module", STR) "," P("source", STR),                                           \
                    "\"name\",\"pid\",\"path\",\"kind\"")
#define FINDING OBJ(P("id", STR) "," P("rule", STR) "," P("severity", SEV) "," P("subject", SUBJECT) \
                    "," P("count", INT) "," P("examples", STR) "," P("evidence", MAP(NNUM)) ","      \
                    P("summary", STR) "," P("recommendation", STR) "," P("pattern", STR),            \
                    "\"rule\",\"severity\",\"subject\",\"count\",\"evidence\",\"summary\","          \
                    "\"recommendation\"")
#define APPS ARR(OBJ(P("name", STR) "," P("vsn", STR) "," P("description", STR) ","                 \
                     P("processes", INT) "," P("top", STR) "," P("runtime", BOOL),                   \
                     "\"name\",\"vsn\",\"processes\",\"top\",\"runtime\""))
#define REFS OBJ(P("total", INT) "," P("items", ARR(PROC)), "\"total\",\"items\"")
#define SUP_INFO OBJ(P("kind", STR) "," P("strategy", STR) "," P("intensity", INT) ","               \
                     P("period", INT) "," P("children", INT) "," P("restarts_recent", INT) ","       \
                     P("status", STR) "," P("error", STR),                                           \
                     "\"kind\",\"strategy\",\"children\",\"status\"")
#define GROUP OBJ(P("count", INT) "," P("module", STR) "," P("target", STR) ","                      \
                  P("busiest", OBJ(PROC_PROPS "," P("reds_per_s", NNUM) "," P("mq", INT), PROC_REQ)), \
                  "\"count\",\"module\",\"target\"")
#define MORE OBJ(P("children", INT) "," P("target", STR) "," P("offset", INT),                       \
                 "\"children\",\"target\",\"offset\"")
#define TREE_NODE OBJ(P("depth", INT) ","                                                            \
                      P("type", ENUM("\"supervisor\",\"worker\",\"group\",\"more\"")) ","            \
                      P("label", STR) "," PROC_PROPS "," P("id", STR) "," P("kind", STR) ","         \
                      P("mq", INT) "," P("reds_per_s", NNUM) "," P("state", STR) ","                 \
                      P("findings", ARR(STR)) "," P("worst", SEV) ","                                \
                      P("probably_supervised", BOOL) "," P("supervisor", SUP_INFO) ","               \
                      P("group", GROUP) "," P("more", MORE),                                         \
                      "\"depth\",\"type\",\"label\"")
#define TOP_ROW OBJ(P("rank", INT) "," PROC_PROPS "," P("kind", STR) "," P("class", STR) ","         \
                    P("app", STR) "," P("mq", INT) "," P("reds_per_s", NNUM) ","                     \
                    P("reductions", INT) "," P("memory", INT) "," P("current", STR),                 \
                    "\"rank\"," PROC_REQ ",\"class\",\"mq\",\"reds_per_s\",\"memory\",\"current\"")
#define ETS_OWNED OBJ(P("name", STR) "," P("id", STR) "," P("type", STR) "," P("protection", STR) "," \
                      P("rows", INT) "," P("memory", INT),                                           \
                      "\"name\",\"rows\",\"memory\"")
#define REGISTRY OBJ(P("name", STR) "," P("keys_kind", STR) "," P("partitions", INT) ","             \
                     P("keys", INT) "," P("keys_read", INT),                                         \
                     "\"name\",\"keys_kind\",\"partitions\",\"keys\"")
#define NAMED(k) OBJ(P(k, STR) "," P("process", PROC), "\"" k "\",\"process\"")
#define ETS_ROW OBJ(P("name", STR) "," P("id", STR) "," P("named", BOOL) "," P("owner", PROC) ","    \
                    P("heir", BOOL) "," P("type", STR) "," P("protection", STR) ","                  \
                    P("rows", INT) "," P("memory", INT) "," P("concurrency", STR),                   \
                    "\"name\",\"id\",\"owner\",\"type\",\"protection\",\"rows\",\"memory\"")
#define CTX_PROC OBJ(PROC_PROPS "," P("kind", STR) "," P("reds_per_s", NNUM) ","                     \
                     P("callers_waiting", INT) "," P("mq", INT) "," P("heap", INT),                  \
                     PROC_REQ)
#define ANSWER OBJ(P("answer", BOOL) "," P("evidence", STR) "," P("processes", ARR(CTX_PROC)) ","    \
                   P("findings", ARR(STR)),                                                          \
                   "\"answer\",\"evidence\",\"processes\",\"findings\"")

static const char schema_snapshot[] = SNAPSHOT;
#define DIFF_SIDE OBJ(P("file", STR) "," P("node", STR) "," P("processes", INT), "\"file\",\"node\",\"processes\"")
static const char schema_diff[] =
    OBJ(P("schema", STR) "," P("before", DIFF_SIDE) "," P("after", DIFF_SIDE) "," P("applications", ARR(OBJ(, ))) ","
        P("modules", ARR(OBJ(, ))) "," P("supervisors", ARR(OBJ(, ))) "," P("processes_per_application",
        ARR(OBJ(, ))) "," P("named_processes", ARR(OBJ(, ))) "," P("ets", ARR(OBJ(, ))) ","
        P("findings", ARR(OBJ(P("change", STR) "," P("rule", STR) "," P("severity", STR) "," P("subject", STR),
                              "\"change\",\"rule\",\"severity\",\"subject\""))) ","
        P("summary", OBJ(P("new", INT) "," P("resolved", INT) "," P("still", INT), "\"new\",\"resolved\",\"still\"")),
        "\"schema\",\"before\",\"after\",\"findings\",\"summary\"");
static const char schema_save[] =
    OBJ(P("path", STR) "," P("bytes", INT) "," P("processes", INT),
        "\"path\",\"bytes\",\"processes\"");
static const char schema_summary[] =
    OBJ(P("snapshot", SNAPSHOT) ","
        P("node", OBJ(P("name", STR) "," P("otp_release", STR) "," P("erts_version", STR) ","
                      P("elixir_version", STR) "," P("schedulers", INT) "," P("uptime_s", INT),
                      "\"name\",\"otp_release\",\"schedulers\"")) ","
        P("counts", MAP(INT)) ","
        P("memory", MAP(INT)) ","
        P("window", OBJ(P("samples", INT) "," P("gap_s", NUM) "," P("stretched", BOOL),
                        "\"samples\",\"gap_s\",\"stretched\"")) ","
        P("apps", APPS),
        "\"snapshot\",\"node\",\"counts\",\"memory\",\"window\",\"apps\"");
static const char schema_apps[] = OBJ(P("apps", APPS), "\"apps\"");
static const char schema_nodes[] =
    OBJ(P("cluster", BOOL) ","
        P("nodes", ARR(OBJ(P("node", STR) "," P("status", STR) "," P("error", STR) ","
                           P("processes", INT) "," P("otp_release", STR) "," P("findings", MAP(INT)),
                           "\"node\",\"status\""))) ","
        P("current", STR) ","
        P("cluster_findings", ARR(OBJ(P("rule", STR) "," P("severity", STR) "," P("subject", STR) ","
                                      P("node", STR) "," P("summary", STR) "," P("recommendation", STR) ","
                                      P("evidence", MAP(NUM)),
                                      "\"rule\",\"severity\",\"subject\",\"summary\""))),
        "\"cluster\",\"nodes\",\"current\",\"cluster_findings\"");
static const char schema_tree[] =
    OBJ(P("target", STR) "," P("nodes", ARR(TREE_NODE)) "," P("page", PAGE) ","
        P("truncated", BOOL) "," P("hint", STR),
        "\"target\",\"nodes\",\"truncated\",\"hint\"");
static const char schema_top[] =
    OBJ(P("sort", STR) "," P("note", STR) "," P("rows", ARR(TOP_ROW)) "," P("page", PAGE),
        "\"sort\",\"rows\",\"page\"");
static const char schema_info[] =
    OBJ(PROC_PROPS "," P("kind", STR) "," P("class", STR) "," P("app", STR) "," P("path", STR) ","
        P("initial_call", STR) "," P("dollar_initial_call", STR) "," P("name_from", STR) ","
        P("current", STR) "," P("status", STR) "," P("trap_exit", BOOL) "," P("mq", ARR(INT)) ","
        P("reductions", INT) "," P("reds_per_s", NNUM) "," P("memory", INT) "," P("heap", INT) ","
        P("monitored_by", INT) "," P("group_leader", PROC) "," P("ancestors", REFS) ","
        P("links", REFS) "," P("monitors", REFS) ","
        P("supervisor", OBJ(P("kind", STR) "," P("strategy", STR) "," P("intensity", INT) ","
                            P("period", INT) "," P("children", INT) "," P("status", STR),
                            "\"kind\",\"children\"")) ","
        P("ets", ARR(ETS_OWNED)) "," P("ets_owned", INT) "," P("findings", ARR(FINDING)),
        PROC_REQ ",\"kind\",\"class\",\"current\",\"mq\",\"links\",\"monitors\",\"ets\",\"findings\"");
static const char schema_registry[] =
    OBJ(P("registries", ARR(REGISTRY)) "," P("registry", REGISTRY) "," P("keys", ARR(NAMED("key"))) ","
        P("globals", ARR(NAMED("name"))) ","
        P("pg", ARR(OBJ(P("scope", STR) "," P("groups", INT) "," P("members", INT),
                        "\"scope\",\"groups\",\"members\""))) ","
        P("page", PAGE),
        "\"page\"");
static const char schema_ets[] =
    OBJ(P("sort", STR) "," P("tables", ARR(ETS_ROW)) "," P("page", PAGE),
        "\"sort\",\"tables\",\"page\"");
static const char schema_findings[] =
    OBJ(P("node", STR) "," P("findings", COUNTS) "," P("items", ARR(FINDING)) "," P("page", PAGE) ","
        P("not_evaluated", ARR(OBJ(P("rule", STR) "," P("reason", STR), "\"rule\",\"reason\""))),
        "\"node\",\"findings\",\"items\",\"page\",\"not_evaluated\"");
static const char schema_explain[] =
    OBJ(P("rules", ARR(OBJ(P("id", STR) "," P("title", STR) "," P("max_severity", SEV) ","
                           P("framework", STR) "," P("explain", STR) "," P("pattern", STR),
                           "\"id\",\"title\",\"max_severity\",\"framework\",\"explain\""))) ","
        P("thresholds", ARR(OBJ(P("name", STR) "," P("value", NUM) "," P("unit", STR) "," P("help", STR),
                                "\"name\",\"value\",\"unit\",\"help\""))),
        "\"rules\",\"thresholds\"");
static const char schema_report[] =
    OBJ(P("target", STR) "," P("truncated", BOOL) "," P("markdown", STR) ","
        P("report", OBJ(P("schema", STR) "," P("node", STR) "," P("sections", ARR("{\"type\":\"object\"}")),
                        "\"schema\"")),
        "\"target\",\"truncated\",\"markdown\",\"report\"");
static const char schema_context[] =
    OBJ(P("target", STR) ","
        P("resolved", OBJ(P("kind", ENUM("\"application\",\"supervisor\",\"process\",\"module\",\"no_process\"")) ","
                          P("name", STR) "," P("pid", STR) "," P("source", STR) "," P("scope", STR),
                          "\"kind\",\"name\",\"pid\"")) ","
        P("answers", OBJ(P("concurrency", ANSWER) "," P("isolation", ANSWER) ","
                         P("shared_state", ANSWER) "," P("stateless", ANSWER),
                         "\"concurrency\",\"isolation\",\"shared_state\",\"stateless\"")) ","
        P("process_needed", BOOL) "," P("pattern", STR) "," P("patterns", ARR(STR)) ","
        P("rationale", STR) "," P("numbers", MAP(NUM)) "," P("findings", ARR(FINDING)) ","
        P("findings_total", INT) "," P("runs_in", REFS),
        "\"target\",\"resolved\",\"answers\",\"process_needed\",\"pattern\",\"patterns\",\"rationale\","
        "\"numbers\",\"findings\",\"runs_in\"");
/* clang-format on */

static const char *const top_sorts[] = {"rate", "mq", "reds", "mem", NULL};
static const char *const ets_sorts[] = {"mem", "size", NULL};
static const char *const severities[] = {"info", "warning", "critical", NULL};

#define ARG_TARGET(req, what)                                                                                          \
    {                                                                                                                  \
        "target", MA_STRING, req, 0, 0, NULL, what                                                                     \
    }
#define ARG_WINDOW                                                                                                     \
    {                                                                                                                  \
        "window_s", MA_NUMBER, 0, 0, 600, NULL,                                                                        \
            "seconds between the two samples rates come from (default: --window, 1); 0 takes one sample"               \
    }
#define ARG_OFFSET(what)                                                                                               \
    {                                                                                                                  \
        "offset", MA_INTEGER, 0, 0, 100000000, NULL, what                                                              \
    }

#define ARG_NODE                                                                                                       \
    {                                                                                                                  \
        "node", MA_STRING, 0, 0, 0, NULL,                                                                              \
            "a node of the cluster (--cluster; the nodes tool lists them), name@host or its name: this call reads "    \
            "its snapshot (default: the current node)"                                                                 \
    }

enum { NEEDS_NOTHING = 0, NEEDS_SNAPSHOT = 1 };

const mcp_tool mcp_tools[] = {
    {.name = "summary",
     .title = "Node summary",
     .description = "The node in one view: OTP/Elixir versions, schedulers, process/atom/port/ETS counts and limits, "
                    "memory, the sampling window, applications, and how many findings of each severity. Call it "
                    "first; it attaches (and takes the first snapshot) when the server was started with a node.",
     .args = {ARG_NODE},
     .output_schema = schema_summary,
     .hints = MH_READ_ONLY | MH_IDEMPOTENT,
     .needs = NEEDS_SNAPSHOT,
     .run = t_summary},
    {.name = "findings",
     .title = "Findings",
     .description = "What is wrong in the architecture and which OTP pattern fixes it: each finding names its subject "
                    "(name, pid, place in the tree, module and source file of its code), the evidence as numbers from "
                    "both samples, and the recommendation with the pattern's code for that subject. Most severe first; "
                    "paged (limit, offset). Call after summary; then context or info on a subject.",
     .args = {{"severity", MA_STRING, 0, 0, 0, severities, "the least severity listed (default info)"},
              {"rule", MA_STRING, 0, 0, 0, RULE_IDS, "only this rule (explain lists them)"},
              {"limit", MA_INTEGER, 0, 1, 100, NULL, "findings in this answer (default 20)"},
              ARG_OFFSET("how many to skip (the previous answer's page.next_offset)"),
              ARG_NODE},
     .output_schema = schema_findings,
     .hints = MH_READ_ONLY | MH_IDEMPOTENT,
     .needs = NEEDS_SNAPSHOT,
     .run = t_findings},
    {.name = "context",
     .title = "Does this need a process? (BEAM Architecture Context)",
     .description =
         "The framework's four questions (concurrency, isolation, shared state, stateless) answered yes/no for a "
         "module, application, supervisor, registered name or pid, each with the processes and numbers behind it, "
         "then whether a process is needed and the pattern the framework picks (and the rationale). A module is "
         "resolved to the processes that run it; when none does, the answer says so: no process, plain "
         "functions. Call it before adding, removing or changing a GenServer, Agent, Task or supervisor.",
     .args = {ARG_TARGET(1, "a module (MyApp.Cache, :my_mod), application, supervisor, registered name or pid "
                            "(<0.123.0>)"),
              ARG_NODE},
     .output_schema = schema_context,
     .hints = MH_READ_ONLY | MH_IDEMPOTENT,
     .needs = NEEDS_SNAPSHOT,
     .run = t_context},
    {.name = "report",
     .title = "OTP Analysis report",
     .description =
         "The framework's written OTP Analysis (markdown, and the same as data, schema "
         "otp-advisor/report/2): requirement, BEAM Architecture Context, recommendation, the live supervision "
         "tree as a Mermaid diagram, the children list that rebuilds it with the fixes applied, findings and "
         "the tests to write. For an application, supervisor, name or pid; without a target one section per "
         "application of yours. Call when a written analysis or the rebuilt child specs are wanted.",
     .args = {ARG_TARGET(0, "an application, supervisor, module, registered name or pid (default: every "
                            "application of yours)"),
              ARG_NODE},
     .output_schema = schema_report,
     .hints = MH_READ_ONLY | MH_IDEMPOTENT,
     .needs = NEEDS_SNAPSHOT,
     .run = t_report},
    {.name = "tree",
     .title = "Supervision tree",
     .description =
         "The supervision tree of an application, supervisor, name or pid (default: every tree of your "
         "applications), as nodes in depth-first order: supervisors with kind, strategy, intensity, restarts and "
         "status; workers with module, source file, queue and reductions/s; findings on the nodes they concern. A "
         "dynamic supervisor's many children are one node per module (give offset to list them one by one); a "
         "cut subtree says how to ask for it (target, offset). Bounded by limit nodes.",
     .args = {ARG_TARGET(0, "an application, supervisor, module, registered name or pid (its supervisor)"),
              {"depth", MA_INTEGER, 0, 1, 64, NULL, "levels of children below the root (default: all)"},
              {"limit", MA_INTEGER, 0, 1, 1000, NULL, "nodes in this answer (default 100)"},
              ARG_OFFSET("the root's first child listed (its children one by one, from here)"),
              ARG_NODE},
     .output_schema = schema_tree,
     .hints = MH_READ_ONLY | MH_IDEMPOTENT,
     .needs = NEEDS_SNAPSHOT,
     .run = t_tree},
    {.name = "top",
     .title = "Top processes",
     .description = "Processes ranked by reductions/s between the two samples (rate), message queue (mq), total "
                    "reductions (reds) or memory (mem), with their name, module, source file, class and where they "
                    "are now. Paged: n rows from offset. Call to find the busy, the backed-up or the large.",
     .args = {{"sort", MA_STRING, 0, 0, 0, top_sorts, "rate (default with two samples), mq, reds or mem"},
              {"n", MA_INTEGER, 0, 1, 200, NULL, "rows (default 15)"},
              ARG_OFFSET("how many ranks to skip (the previous answer's page.next_offset)"),
              ARG_NODE},
     .output_schema = schema_top,
     .hints = MH_READ_ONLY | MH_IDEMPOTENT,
     .needs = NEEDS_SNAPSHOT,
     .run = t_top},
    {.name = "info",
     .title = "One process",
     .description =
         "One process: its place in the tree, kind and class, code (initial call, $initial_call, module "
         "and source file), where it is now, queue, reductions and rate, memory, ancestors, links, monitors, "
         "the ETS tables it owns and its findings. Call on a finding's subject or a name from tree or top.",
     .args = {ARG_TARGET(1, "a pid (<0.123.0>), registered or global name, or a module/application (its process)"),
              ARG_NODE},
     .output_schema = schema_info,
     .hints = MH_READ_ONLY | MH_IDEMPOTENT,
     .needs = NEEDS_SNAPSHOT,
     .run = t_info},
    {.name = "registry",
     .title = "Registries and names",
     .description = "Elixir Registries (kind, partitions, keys), :global names and pg scopes; with a name, that "
                    "Registry's keys and the processes behind them (paged). Call to see how processes are named and "
                    "found.",
     .args = {{"name", MA_STRING, 0, 0, 0, NULL, "a Registry's name (MyApp.Registry)"},
              {"limit", MA_INTEGER, 0, 1, 500, NULL, "keys or :global names in this answer (default 50)"},
              ARG_OFFSET("how many to skip"),
              ARG_NODE},
     .output_schema = schema_registry,
     .hints = MH_READ_ONLY | MH_IDEMPOTENT,
     .needs = NEEDS_SNAPSHOT,
     .run = t_registry},
    {.name = "ets",
     .title = "ETS tables",
     .description = "ETS tables with their owner (and its source file), type, access, rows, memory and concurrency "
                    "options, largest first, paged. Call to see where shared state lives and who owns it.",
     .args = {{"sort", MA_STRING, 0, 0, 0, ets_sorts, "mem (default) or size (rows)"},
              {"limit", MA_INTEGER, 0, 1, 500, NULL, "tables in this answer (default 25)"},
              ARG_OFFSET("how many to skip"),
              ARG_NODE},
     .output_schema = schema_ets,
     .hints = MH_READ_ONLY | MH_IDEMPOTENT,
     .needs = NEEDS_SNAPSHOT,
     .run = t_ets},
    {.name = "explain",
     .title = "Explain a rule",
     .description = "What a rule checks, the framework's words behind it, what it can and cannot see, how to fix "
                    "what it finds, and its thresholds; without a rule every rule; 'thresholds' lists every threshold "
                    "with its value. Needs no snapshot. Call before acting on a finding you doubt.",
     .args = {{"rule", MA_STRING, 0, 0, 0, RULE_IDS_OR_THRESHOLDS, "a rule id, or thresholds"}},
     .output_schema = schema_explain,
     .hints = MH_READ_ONLY | MH_IDEMPOTENT,
     .run = t_explain},
    {.name = "apps",
     .title = "Applications",
     .description = "The applications running on the node: version, description, process count and top supervisor, "
                    "yours first (the runtime's marked). Call to pick a target for tree, context or report.",
     .args = {ARG_NODE},
     .output_schema = schema_apps,
     .hints = MH_READ_ONLY | MH_IDEMPOTENT,
     .needs = NEEDS_SNAPSHOT,
     .run = t_apps},
    {.name = "nodes",
     .title = "The nodes of the cluster",
     .description = "With --cluster (or a file of several nodes): every node of the cluster, collected or not (and "
                    "why not), its process count and findings; the :global names and where they live, pg groups "
                    "with their members on each node, and the findings only the whole cluster shows (a :global "
                    "name callers on other nodes wait on, version skew, different trees, a missing application or "
                    "pg scope). Give another tool a node argument to read that node. On one node: that node.",
     .output_schema = schema_nodes,
     .hints = MH_READ_ONLY | MH_IDEMPOTENT,
     .needs = NEEDS_SNAPSHOT,
     .run = t_nodes},
    {.name = "connect",
     .title = "Attach to a node",
     .description = "Attach to a running Erlang/Elixir node as a hidden node and take a snapshot (two samples "
                    "window_s apart). The cookie comes from --cookie-file, $OTP_ADVISOR_COOKIE or ~/.erlang.cookie, "
                    "never from an argument. Nothing of ours stays on the node after the call. Reports progress "
                    "when asked; cancelling stops the collection and removes the probe.",
     .args = {{"node", MA_STRING, 0, 0, 0, NULL,
               "the node, name@host (default: the node the server was started with, or the last one)"},
              ARG_WINDOW},
     .output_schema = schema_snapshot,
     .hints = MH_READ_ONLY | MH_OPEN_WORLD,
     .run = t_connect},
    {.name = "snapshot",
     .title = "Take a new snapshot",
     .description = "A new snapshot of the node attached to (after a change, under load, or with a longer window to "
                    "judge idle processes); every other tool then reads it. Reports progress when asked; cancelling "
                    "stops it and removes the probe (the previous snapshot stays).",
     .args = {ARG_WINDOW},
     .output_schema = schema_snapshot,
     .hints = MH_READ_ONLY | MH_OPEN_WORLD,
     .run = t_snapshot},
    {.name = "load_snapshot",
     .title = "Load a saved snapshot",
     .description = "Read a snapshot saved earlier (otp-advisor snapshot -o, or save_snapshot) and work offline "
                    "from it; the connection, if any, is closed. A regular file only.",
     .args = {{"path", MA_STRING, 1, 0, 0, NULL, "the snapshot file"}},
     .output_schema = schema_snapshot,
     .hints = MH_READ_ONLY | MH_IDEMPOTENT,
     .run = t_load},
    {.name = "diff",
     .title = "What changed since a saved snapshot",
     .description = "Compare a snapshot saved earlier (before: otp-advisor snapshot -o, or save_snapshot) with the "
                    "one held (after): applications and versions, modules whose code changed, supervisors and "
                    "their children, processes per application, named processes that appeared or vanished and "
                    "their memory, queue and rate, ETS tables, findings new, resolved or still there. Processes "
                    "are matched by name, then by their path of child ids, never by pid. For 'what did this "
                    "deploy change?'.",
     .args = {{"path", MA_STRING, 1, 0, 0, NULL, "the snapshot file from before"}},
     .output_schema = schema_diff,
     .hints = MH_READ_ONLY | MH_IDEMPOTENT,
     .needs = NEEDS_SNAPSHOT,
     .run = t_diff},
    {.name = "save_snapshot",
     .title = "Save the snapshot",
     .description = "Write the snapshot held to a file (Erlang term format; binary_to_term reads it) to compare or "
                    "analyse later; written atomically, every write checked. Writes only that local file.",
     .args = {{"path", MA_STRING, 1, 0, 0, NULL, "the file to write"}},
     .output_schema = schema_save,
     .hints = MH_IDEMPOTENT | MH_DESTRUCTIVE, /* it replaces a file already there */
     .needs = NEEDS_SNAPSHOT,
     .run = t_save},
};
const int mcp_n_tools = (int)(sizeof mcp_tools / sizeof mcp_tools[0]);

const mcp_tool *mcp_tool_find(const char *name)
{
    for (int i = 0; i < mcp_n_tools; i++)
        if (!strcmp(mcp_tools[i].name, name))
            return &mcp_tools[i];
    return NULL;
}

void mcp_tool_call(mcp_session *ss, const mcp_tool *t, json_t *args, mcp_result *r)
{
    char err[OA_ERRLEN] = "";
    int rc = t->needs == NEEDS_SNAPSHOT ? need_snapshot(ss, r, err) : 0;
    const char *on = t->needs == NEEDS_SNAPSHOT && strcmp(t->name, "nodes") ? arg_str(args, "node", NULL) : NULL;
    int back = -1;
    if (!rc && on) { /* this call reads another node of the cluster */
        int i = ss->clustered ? cluster_find(&ss->cl, on) : -1;
        if (!ss->clustered && strcmp(on, snap_str(ss->s, ss->s->info.node)))
            rc = errf(err, "node %s: this session holds one node, %s (start with --cluster for every node)", on,
                      snap_str(ss->s, ss->s->info.node));
        else if (ss->clustered && i < 0)
            rc = errf(err, "no node %s in this cluster (call nodes)", on);
        else if (ss->clustered && i != ss->cur && !ss->cl.nodes[i].s)
            rc = errf(err, "%s was not collected: %s", ss->cl.nodes[i].name, ss->cl.nodes[i].error);
        else if (ss->clustered && i != ss->cur) {
            back = ss->cur;
            cl_put(ss);
            cl_take(ss, i);
        }
    }
    if (!rc)
        rc = t->run(ss, args, r, err);
    if (back >= 0 && ss->clustered) {
        cl_put(ss);
        cl_take(ss, back);
    }
    if (!rc && oa_stop_requested()) /* a signal ended a long step early: not an answer */
        rc = errf(err, "interrupted");
    if (rc) {
        sb_reset(&r->text);
        sb_reset(&r->data);
        sb_puts(&r->text, err[0] ? err : "failed");
        r->is_error = 1;
    }
}
