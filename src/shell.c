/* shell.c — shell state, the command table and every command. The line editor lives in
 * shell_tty.c; this file does not touch the terminal, so it is tested with cmocka. */
#define _POSIX_C_SOURCE 200809L
#include "shell.h"
#include "outfile.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diff.h"
#include "render_findings.h"
#include "report.h"
#include "rules.h"
#include "views.h"

static void cl_put(shell *sh);
static void cl_take(shell *sh, int i);

static void recompute(shell *sh)
{
    if (sh->have_findings)
        findings_free(&sh->f);
    findings_init(&sh->f);
    sh->have_findings = 1;
    if (sh->s)
        rules_run(sh->s, &sh->ro, NULL, NULL, &sh->f);
    sh->findings_stale = oa_stop_requested(); /* Ctrl-C stopped the rules: run them again when asked */
}

void shell_init(shell *sh, oa_opts *o, volatile sig_atomic_t *interrupted)
{
    memset(sh, 0, sizeof *sh);
    sh->opts = o;
    sh->c.fd = -1;
    sh->interrupted = interrupted;
    util_set_stop_flag(interrupted);
    sh->width = 100;
    rule_opts_default(&sh->ro);
    for (int i = 0; i < o->n_sets; i++) {
        char e[OA_ERRLEN];
        if (rule_opts_set(&sh->ro, o->sets[i], e))
            fprintf(stderr, "otp-advisor: %s\n", e);
    }
}

static void detach(shell *sh)
{
    if (conn_up(&sh->c)) {
        char e[OA_ERRLEN];
        if (collect_unload(&sh->c, &sh->cst, e))
            fprintf(stderr, "otp-advisor: could not remove the probe from %s: %s\n", sh->node, e);
    }
    if (sh->c.inited || sh->c.fd >= 0)
        conn_close(&sh->c);
    sh->connected = 0;
}

/* ---- the cluster: the current node's snapshot and findings live in s and f ---------- */

static void cl_put(shell *sh)
{
    if (!sh->clustered || !sh->s)
        return;
    cluster_node *nd = &sh->cl.nodes[sh->cur];
    nd->s = sh->s;
    nd->f = sh->f;
    nd->have_f = sh->have_findings;
    sh->s = NULL;
    sh->have_findings = 0;
}

static void cl_take(shell *sh, int i)
{
    cluster_node *nd = &sh->cl.nodes[i];
    sh->s = nd->s;
    sh->f = nd->f;
    sh->have_findings = nd->have_f;
    nd->s = NULL;
    nd->have_f = 0;
    sh->cur = i;
    snprintf(sh->source, sizeof sh->source, "%s", nd->name);
}

static void cl_drop(shell *sh)
{
    if (!sh->clustered)
        return;
    cl_put(sh);
    cluster_free(&sh->cl);
    sh->clustered = 0;
}

/* hold cl (taken over): every node's findings and the cluster's, the entry node current */
static void set_cluster(shell *sh, cluster *cl)
{
    cl_drop(sh);
    snap_free(sh->s);
    sh->s = NULL;
    if (sh->have_findings)
        findings_free(&sh->f);
    sh->have_findings = 0;
    sh->cl = *cl;
    memset(cl, 0, sizeof *cl);
    sh->clustered = 1;
    cluster_analyse(&sh->cl, &sh->ro, NULL, NULL, sh->opts->judge_otp);
    cl_take(sh, 0);
    sh->findings_stale = oa_stop_requested();
}

int shell_load_file(shell *sh, const char *path, strbuf *out, char *err)
{
    cluster cl;
    if (cluster_load(path, &cl, err))
        return -1;
    detach(sh);
    if (cl.n > 1 || sh->opts->cluster) {
        set_cluster(sh, &cl);
        sb_printf(out, "loaded %s: %zu nodes, %zu collected; %s current (`nodes`, `connect NODE`)\n", path, sh->cl.n,
                  cluster_collected(&sh->cl), sh->cl.nodes[0].name);
        return 0;
    }
    snap *s = cl.nodes[0].s;
    cl.nodes[0].s = NULL;
    cluster_free(&cl);
    cl_drop(sh);
    shell_set_snapshot(sh, s);
    snprintf(sh->source, sizeof sh->source, "%s", path);
    sb_printf(out, "loaded %s: %zu processes of %s\n", path, s->procs.len, snap_str(s, s->info.node));
    return 0;
}

void shell_free(shell *sh)
{
    util_set_stop_flag(NULL); /* the flag belongs to whoever made this shell */
    detach(sh);
    cl_drop(sh);
    snap_free(sh->s);
    sh->s = NULL;
    if (sh->have_findings)
        findings_free(&sh->f);
    sh->have_findings = 0;
    rule_opts_free(&sh->ro);
}

void shell_set_snapshot(shell *sh, snap *s)
{
    snap_free(sh->s);
    sh->s = s;
    recompute(sh);
}

const char *shell_prompt(shell *sh, char *buf, size_t n)
{
    int live = sh->connected && conn_up(&sh->c);
    const char *state = sh->clustered   ? " (cluster)"
                        : sh->connected ? (live ? "" : " (disconnected)")
                        : sh->s         ? " (offline)"
                                        : " (no snapshot)";
    if (sh->color)
        snprintf(buf, n, "%s%s%s%s> ", live ? "\033[1;32m" : "\033[1;33m", sh->source[0] ? sh->source : "otp-advisor",
                 state, "\033[0m");
    else
        snprintf(buf, n, "%s%s> ", sh->source[0] ? sh->source : "otp-advisor", state);
    return buf;
}

static void ctx(shell *sh, render_ctx *c)
{
    render_ctx_default(c);
    c->color = sh->color;
    c->width = sh->width;
}

/* attach (if needed) and collect; on a lost connection say so, keep the old snapshot */
static int collect_cluster(shell *sh, const char *entry, int window_ms, char *err)
{
    collect_opts co = sh->opts->col;
    co.window_ms = window_ms;
    co.quiet = 1;
    cluster cl;
    char target[sizeof sh->node];
    snprintf(target, sizeof target, "%s", entry);
    detach(sh);
    int failed = cluster_collect(&sh->opts->copts, &co, target, sh->opts->hidden, sh->interrupted, &cl, err);
    fputs(cl.notes.text, stderr);
    if (failed) {
        if (sh->interrupted && *sh->interrupted == 1)
            *sh->interrupted = 0;
        return -1;
    }
    snprintf(sh->node, sizeof sh->node, "%s", target);
    set_cluster(sh, &cl);
    return 0;
}

static int collect(shell *sh, int window_ms, char *err)
{
    if (sh->clustered && sh->node[0])
        return collect_cluster(sh, sh->node, window_ms, err);
    if (!sh->connected)
        return errf(err, "not connected: `connect NODE` first (reading a file? `load FILE`)");
    if (!conn_up(&sh->c)) {
        char e2[OA_ERRLEN];
        if (conn_reopen(&sh->c, e2))
            return errf(err, "%s is unreachable: %s (`connect` to retry)", sh->node, e2);
        memset(&sh->cst, 0, sizeof sh->cst);
    }
    collect_opts co = sh->opts->col;
    co.window_ms = window_ms;
    co.quiet = 1;
    snap *s = NULL;
    int rc = collect_snapshot(&sh->c, &co, &sh->cst, sh->interrupted, &s, err);
    /* what a reconnect on the way said (a cookie file others can read now) */
    fputs(sh->c.notes.text, stderr), notes_clear(&sh->c.notes);
    if (rc) {
        if (sh->interrupted && *sh->interrupted) {
            if (*sh->interrupted == 1) /* Ctrl-C: the shell goes on; SIGTERM (2) stays set: it quits */
                *sh->interrupted = 0;
            char e2[OA_ERRLEN];
            if (conn_up(&sh->c))
                collect_unload(&sh->c, &sh->cst, e2);
            return errf(err, "interrupted: collection stopped, probe removed");
        }
        return -1;
    }
    shell_set_snapshot(sh, s);
    return 0;
}

/* ---- commands ------------------------------------------------------------------------ */

/* -X N: a count between 0 and 1,000,000, or dflt when not given */
static int opt_count(const cmd_args *a, char o, int dflt, int *val, char *err)
{
    const char *v = a->opt[o - 'a'];
    *val = dflt;
    if (!v)
        return 0;
    char *end;
    long n = strtol(v, &end, 10);
    if (end == v || *end || n < 0 || n > 1000000)
        return errf(err, "-%c needs a number, not '%s'", o, v);
    *val = (int)n;
    return 0;
}

static int has_flag(const cmd_args *a, const char *name)
{
    for (int k = 0; k < 4 && a->flag[k]; k++)
        if (!strcmp(a->flag[k], name))
            return 1;
    return 0;
}

static const char *opt_str(const cmd_args *a, char o, const char *dflt)
{
    return a->opt[o - 'a'] ? a->opt[o - 'a'] : dflt;
}

static int c_summary(shell *sh, const cmd_args *a, strbuf *out, char *err)
{
    (void)a, (void)err;
    render_ctx c;
    ctx(sh, &c);
    render_summary(sh->s, &c, out);
    int nc = findings_count(&sh->f, SEV_CRITICAL), nw = findings_count(&sh->f, SEV_WARNING) - nc;
    int ni = findings_count(&sh->f, SEV_INFO) - nc - nw;
    sb_printf(out, "findings  %d critical, %d warning, %d info   (`findings` to list them)\n", nc, nw, ni);
    return 0;
}

static int c_apps(shell *sh, const cmd_args *a, strbuf *out, char *err)
{
    (void)a, (void)err;
    render_ctx c;
    ctx(sh, &c);
    render_apps(sh->s, &c, out);
    return 0;
}

static int c_tree(shell *sh, const cmd_args *a, strbuf *out, char *err)
{
    int depth;
    if (opt_count(a, 'd', 0, &depth, err))
        return -1;
    render_ctx c;
    ctx(sh, &c);
    c.depth = depth;
    view_marks m = {sh->s, &sh->f, {0}};
    sb_init(&m.tmp);
    c.mark = view_mark;
    c.mark_ud = &m;
    uint32_t sup = SNAP_NONE;
    if (a->argc == 1 && (sup = view_resolve_tree(sh->s, a->argv[0], err)) == SNAP_NONE) {
        sb_free(&m.tmp);
        return -1;
    }
    if (has_flag(a, "dot"))
        render_dot(sh->s, sup, &c, out);
    else
        render_tree(sh->s, sup, &c, out);
    sb_free(&m.tmp);
    return 0;
}

static int c_top(shell *sh, const cmd_args *a, strbuf *out, char *err)
{
    int n;
    const char *by = opt_str(a, 's', sh->s->has_sample2 ? "rate" : "mq");
    if (opt_count(a, 'n', 15, &n, err))
        return -1;
    int sort = top_sort_parse(by);
    if (sort < 0)
        return errf(err, "top -s takes mq, reds, rate or mem, not '%s'", by);
    render_ctx c;
    ctx(sh, &c);
    view_top(sh->s, sort, n, &c, out);
    return 0;
}

static int c_info(shell *sh, const cmd_args *a, strbuf *out, char *err)
{
    uint32_t p = snap_resolve_proc(sh->s, a->argv[0]);
    if (p == SNAP_NONE)
        return errf(err, "no process %s in this snapshot (a pid like <0.123.0> or a name)", a->argv[0]);
    render_ctx c;
    ctx(sh, &c);
    view_info(sh->s, p, &sh->f, &c, out);
    return 0;
}

static int c_registry(shell *sh, const cmd_args *a, strbuf *out, char *err)
{
    int n;
    if (opt_count(a, 'n', 20, &n, err))
        return -1;
    render_ctx c;
    ctx(sh, &c);
    if (!a->argc) {
        view_registries(sh->s, &c, out);
        return 0;
    }
    return view_registry(sh->s, a->argv[0], n, &c, out, err);
}

static int c_ets(shell *sh, const cmd_args *a, strbuf *out, char *err)
{
    const char *by = opt_str(a, 's', "mem");
    int n;
    if (opt_count(a, 'n', 25, &n, err))
        return -1;
    if (strcmp(by, "mem") && strcmp(by, "size"))
        return errf(err, "ets -s takes mem or size, not '%s'", by);
    render_ctx c;
    ctx(sh, &c);
    view_ets(sh->s, !strcmp(by, "mem"), n, &c, out);
    return 0;
}

static int c_findings(shell *sh, const cmd_args *a, strbuf *out, char *err)
{
    const char *sev = opt_str(a, 's', "info");
    int min = severity_parse(sev);
    if (min < 0)
        return errf(err, "findings -s takes info, warning or critical, not '%s'", sev);
    render_ctx c;
    ctx(sh, &c);
    if (a->argc) {
        if (!rule_find(a->argv[0]))
            return errf(err, "no rule '%s' (`explain` lists them)", a->argv[0]);
        findings sub;
        findings_init(&sub);
        const char *only[2] = {a->argv[0], NULL};
        rules_run(sh->s, &sh->ro, only, NULL, &sub);
        render_findings_text(sh->s, &sub, min, &c, out);
        findings_free(&sub);
        return 0;
    }
    render_findings_text(sh->s, &sh->f, min, &c, out);
    return 0;
}

static int c_explain(shell *sh, const cmd_args *a, strbuf *out, char *err)
{
    return render_explain(a->argc ? a->argv[0] : NULL, &sh->ro, out, err);
}

static int c_report(shell *sh, const cmd_args *a, strbuf *out, char *err)
{
    const char *file = opt_str(a, 'o', NULL);
    if (report_to(sh->s, &sh->f, a->argc ? a->argv[0] : NULL, 0, file, out, err))
        return -1;
    if (file)
        sb_printf(out, "report written to %s\n", file);
    return 0;
}

static int c_refresh(shell *sh, const cmd_args *a, strbuf *out, char *err)
{
    int window_ms = sh->opts->col.window_ms;
    if (a->argc) {
        char *end;
        double w = strtod(a->argv[0], &end);
        if (end == a->argv[0] || *end || !(w >= 0 && w <= 600))
            return errf(err, "refresh takes seconds between 0 and 600, not '%s'", a->argv[0]);
        window_ms = (int)(w * 1000);
    }
    if (collect(sh, window_ms, err))
        return -1;
    sb_printf(out, "collected %zu processes, %zu supervisors from %s in %.2f s (%s)\n", sh->s->procs.len,
              sh->s->sups.len, sh->node, (double)sh->s->info.e2e_us / 1e6, snap_str(sh->s, sh->s->info.method));
    return 0;
}

static int c_save(shell *sh, const cmd_args *a, strbuf *out, char *err)
{
    if (sh->clustered) { /* every node */
        int cur = sh->cur;
        cl_put(sh);
        int rc = cluster_save(&sh->cl, a->argv[0], err);
        cl_take(sh, cur);
        if (rc)
            return -1;
        sb_printf(out, "saved %zu nodes to %s\n", sh->cl.n, a->argv[0]);
        return 0;
    }
    if (snap_save(sh->s, a->argv[0], err))
        return -1;
    sb_printf(out, "saved to %s\n", a->argv[0]);
    return 0;
}

/* diff FILE: what changed from a saved snapshot (before) to the current one (after) */
static int c_diff(shell *sh, const cmd_args *a, strbuf *out, char *err)
{
    snap *old = snap_load(a->argv[0], err);
    if (!old)
        return -1;
    findings fo;
    findings_init(&fo);
    rules_run(old, &sh->ro, NULL, NULL, &fo);
    char now[300];
    snprintf(now, sizeof now, "the current snapshot (%.200s)", sh->source[0] ? sh->source : sh->node);
    diff_counts dc;
    diff_render(old, &fo, a->argv[0], sh->s, &sh->f, now, 0, out, &dc);
    findings_free(&fo);
    snap_free(old);
    return 0;
}

static int c_load(shell *sh, const cmd_args *a, strbuf *out, char *err)
{
    return shell_load_file(sh, a->argv[0], out, err);
}

static int c_connect(shell *sh, const cmd_args *a, strbuf *out, char *err)
{
    const char *node = a->argc ? a->argv[0] : sh->node;
    if (!node[0])
        return errf(err, "usage: connect NODE");
    int i = sh->clustered && a->argc ? cluster_find(&sh->cl, node) : -1;
    if (i >= 0 && i != sh->cur) { /* a node of the cluster: its snapshot becomes current */
        if (!sh->cl.nodes[i].s)
            return errf(err, "%s was not collected: %s", sh->cl.nodes[i].name, sh->cl.nodes[i].error);
        cl_put(sh);
        cl_take(sh, i);
        sb_printf(out, "switched to %s (its snapshot of the cluster's collection; `refresh` takes a new one)\n",
                  sh->cl.nodes[i].name);
        return 0;
    }
    if (i == sh->cur && sh->clustered) {
        sb_printf(out, "%s is current\n", sh->cl.nodes[i].name);
        return 0;
    }
    if (sh->opts->cluster || sh->clustered) { /* every node of the cluster NODE is in */
        if (collect_cluster(sh, node, sh->opts->col.window_ms, err))
            return -1;
        sb_printf(out, "collected %zu of %zu nodes of the cluster of %s in %.2f s; %s current\n",
                  cluster_collected(&sh->cl), sh->cl.n, sh->cl.nodes[0].name, (double)sh->cl.wall_us / 1e6,
                  sh->cl.nodes[0].name);
        for (size_t k = 0; k < sh->cl.n; k++)
            if (!sh->cl.nodes[k].s)
                sb_printf(out, "%s: not collected: %s\n", sh->cl.nodes[k].name, sh->cl.nodes[k].error);
        return 0;
    }
    char target[sizeof sh->node];
    snprintf(target, sizeof target, "%s", node);
    detach(sh);
    memset(&sh->cst, 0, sizeof sh->cst);
    int opened = conn_open(&sh->c, target, &sh->opts->copts, err);
    fputs(sh->c.notes.text, stderr), notes_clear(&sh->c.notes); /* the cookie's and TLS's warnings */
    if (opened)
        return -1;
    sh->connected = 1;
    snprintf(sh->node, sizeof sh->node, "%s", sh->c.target);
    snprintf(sh->source, sizeof sh->source, "%s", sh->c.target);
    sb_printf(out, "connected to %s (OTP %d) as hidden node %s\n", sh->c.target, sh->c.otp_release, sh->c.own);
    if (collect(sh, sh->opts->col.window_ms, err))
        return -1;
    sb_printf(out, "collected %zu processes, %zu supervisors in %.2f s\n", sh->s->procs.len, sh->s->sups.len,
              (double)sh->s->info.e2e_us / 1e6);
    return 0;
}

static int c_disconnect(shell *sh, const cmd_args *a, strbuf *out, char *err)
{
    (void)a;
    if (!sh->connected)
        return errf(err, "not connected");
    detach(sh);
    sb_printf(out, "disconnected from %s (probe removed); the snapshot stays loaded\n", sh->node);
    return 0;
}

static int c_nodes(shell *sh, const cmd_args *a, strbuf *out, char *err)
{
    (void)a, (void)err;
    render_ctx c;
    ctx(sh, &c);
    if (!sh->clustered) {
        sb_printf(out,
                  "%s  (one node; --cluster, or `connect NODE` started with --cluster, attaches to every node "
                  "of its cluster)\n",
                  sh->s ? snap_str(sh->s, sh->s->info.node) : sh->source);
        return 0;
    }
    int cur = sh->cur;
    cl_put(sh);
    cluster_render_nodes(&sh->cl, &c, out);
    cl_take(sh, cur);
    sb_printf(out, "current: %s\n", sh->cl.nodes[cur].name);
    return 0;
}

static int c_help(shell *sh, const cmd_args *a, strbuf *out, char *err)
{
    (void)sh;
    if (a->argc) {
        const shell_cmd *c = shell_cmd_find(a->argv[0]);
        if (!c)
            return errf(err, "no command '%s' (`help` lists them)", a->argv[0]);
        sb_printf(out, "%s %s%s%s%s\n  %s\n", c->name, c->args, c->alias ? "   (alias: " : "", c->alias ? c->alias : "",
                  c->alias ? ")" : "", c->help);
        return 0;
    }
    for (int i = 0; i < shell_n_cmds; i++)
        sb_printf(out, "  %-11s %-30s %s\n", shell_cmds[i].name, shell_cmds[i].args, shell_cmds[i].help);
    sb_puts(out, "A name works wherever a pid does (Zoo.Cache, my_server, <0.123.0>). Tab completes commands,\n"
                 "applications, names and rules. Ctrl-C stops a running collection; Ctrl-D quits.\n");
    return 0;
}

static int c_timing(shell *sh, const cmd_args *a, strbuf *out, char *err)
{
    const char *v = a->argc ? a->argv[0] : NULL;
    if (v && strcmp(v, "on") && strcmp(v, "off")) {
        snprintf(err, OA_ERRLEN, "timing takes on or off, not '%s'", v);
        return -1;
    }
    sh->timing = v ? !strcmp(v, "on") : !sh->timing;
    sb_printf(out, "timing is %s\n", sh->timing ? "on" : "off");
    return 0;
}

static int c_quit(shell *sh, const cmd_args *a, strbuf *out, char *err)
{
    (void)a, (void)out, (void)err;
    sh->quit = 1;
    return 0;
}

/* One entry per command: usage, help, completion, what it needs and its options all come
 * from here; shell_exec parses the words against the entry before the handler runs. */
const shell_cmd shell_cmds[] = {
    {.name = "summary",
     .alias = "s",
     .args = "[--node NODE|--all]",
     .needs = NEEDS_SNAPSHOT,
     .run = c_summary,
     .help = "node, counts, memory, window, findings count"},
    {.name = "apps",
     .args = "",
     .needs = NEEDS_SNAPSHOT,
     .run = c_apps,
     .help = "applications, versions, process counts, top supervisors"},
    {.name = "tree",
     .alias = "t",
     .args = "[APP|SUP|PID|NAME] [-d DEPTH] [--dot] [--node NODE|--all]",
     .options = "d#",
     .flags = "dot",
     .max_args = 1,
     .complete = CK_TARGET,
     .needs = NEEDS_SNAPSHOT,
     .run = c_tree,
     .help = "supervision tree with strategies, intensities and findings; dynamic children collapsed; --dot: "
             "as Graphviz DOT"},
    {.name = "top",
     .args = "[-s mq|reds|rate|mem] [-n N]",
     .options = "sn#",
     .needs = NEEDS_SNAPSHOT,
     .run = c_top,
     .help = "processes sorted by queue, reductions, rate or memory"},
    {.name = "info",
     .alias = "i",
     .args = "PID|NAME",
     .min_args = 1,
     .max_args = 1,
     .complete = CK_NAME,
     .needs = NEEDS_SNAPSHOT,
     .run = c_info,
     .help = "one process: place in the tree, links, monitors, ETS, findings"},
    {.name = "registry",
     .alias = "reg",
     .args = "[NAME] [-n N]",
     .options = "n#",
     .max_args = 1,
     .complete = CK_REGISTRY,
     .needs = NEEDS_SNAPSHOT,
     .run = c_registry,
     .help = "Elixir Registries, :global names, pg scopes; keys of one"},
    {.name = "ets",
     .args = "[-s mem|size] [-n N]",
     .options = "sn#",
     .needs = NEEDS_SNAPSHOT,
     .run = c_ets,
     .help = "ETS tables with owners and access"},
    {.name = "findings",
     .alias = "f",
     .args = "[-s SEVERITY] [RULE] [--node NODE|--all|--cluster]",
     .options = "s",
     .max_args = 1,
     .complete = CK_RULE,
     .needs = NEEDS_SNAPSHOT,
     .run = c_findings,
     .help = "what is wrong and which OTP pattern fixes it"},
    {.name = "explain",
     .alias = "e",
     .args = "[RULE|thresholds]",
     .max_args = 1,
     .complete = CK_RULE,
     .run = c_explain,
     .help = "what a rule checks, the framework behind it, its thresholds"},
    {.name = "report",
     .args = "[TARGET] [-o FILE]",
     .options = "o",
     .max_args = 1,
     .complete = CK_TARGET,
     .needs = NEEDS_SNAPSHOT,
     .run = c_report,
     .help = "markdown OTP Analysis of an app, supervisor or process"},
    {.name = "refresh",
     .alias = "r",
     .args = "[SECONDS]",
     .max_args = 1,
     .needs = NEEDS_CONNECTION,
     .run = c_refresh,
     .help = "take a new snapshot (two samples SECONDS apart)"},
    {.name = "save",
     .args = "FILE",
     .min_args = 1,
     .max_args = 1,
     .complete = CK_FILE,
     .needs = NEEDS_SNAPSHOT,
     .run = c_save,
     .help = "save the snapshot (Erlang term format)"},
    {.name = "diff",
     .args = "FILE",
     .min_args = 1,
     .max_args = 1,
     .complete = CK_FILE,
     .needs = NEEDS_SNAPSHOT,
     .run = c_diff,
     .help = "what changed since a saved snapshot (FILE before, the current one after)"},
    {.name = "load",
     .args = "FILE",
     .min_args = 1,
     .max_args = 1,
     .complete = CK_FILE,
     .run = c_load,
     .help = "load a saved snapshot (works offline)"},
    {.name = "connect",
     .alias = "c",
     .args = "[NODE]",
     .max_args = 1,
     .run = c_connect,
     .help = "attach to a node (again) and collect"},
    {.name = "nodes",
     .args = "",
     .run = c_nodes,
     .help = "the nodes of the cluster (--cluster): state, findings, :global names, pg groups per node"},
    {.name = "disconnect", .args = "", .run = c_disconnect, .help = "detach (removes the probe); the snapshot stays"},
    {.name = "help",
     .alias = "?",
     .args = "[COMMAND]",
     .max_args = 1,
     .complete = CK_COMMAND,
     .run = c_help,
     .help = "this list, or one command's usage"},
    {.name = "timing",
     .args = "[on|off]",
     .max_args = 1,
     .run = c_timing,
     .help = "after each command, the time it took"},
    {.name = "quit", .alias = "q", .args = "", .run = c_quit, .help = "leave (also exit, Ctrl-D)"},
};
const int shell_n_cmds = (int)(sizeof shell_cmds / sizeof shell_cmds[0]);

const shell_cmd *shell_cmd_find(const char *name)
{
    const shell_cmd *prefix = NULL;
    int n_prefix = 0;
    if (!strcmp(name, "exit"))
        name = "quit";
    for (int i = 0; i < shell_n_cmds; i++) {
        const shell_cmd *c = &shell_cmds[i];
        if (!strcmp(c->name, name) || (c->alias && !strcmp(c->alias, name)))
            return c;
        if (!strncmp(c->name, name, strlen(name))) {
            prefix = c;
            n_prefix++;
        }
    }
    return n_prefix == 1 && strlen(name) >= 2 ? prefix : NULL;
}

int shell_split(const char *line, char **argv, int max, char *buf, size_t bufn)
{
    int argc = 0;
    size_t o = 0;
    const char *p = line;
    while (*p) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        if (argc >= max || o >= bufn - 1)
            return -1;
        argv[argc++] = buf + o;
        char q = 0;
        while (*p && (q || !isspace((unsigned char)*p))) {
            if (!q && (*p == '"' || *p == '\'')) {
                q = *p++;
                continue;
            }
            if (q && *p == q) {
                q = 0;
                p++;
                continue;
            }
            if (o >= bufn - 1)
                return -1;
            buf[o++] = *p++;
        }
        if (q)
            return -2; /* unterminated quote */
        buf[o++] = 0;
    }
    return argc;
}

/* 1: the line names a cookie or holds the cookie's value (kept out of history); 2: it holds
 * a value of 8 characters or more, a real secret: not run either (a file named after it, an
 * argument echoed in an error). The value is read from its source and wiped here. */
int shell_holds_secret(const shell *sh, const char *line)
{
    int hit = strstr(line, "cookie") || strstr(line, "COOKIE");
    char ck[512], e[OA_ERRLEN];
    if (sh->opts && conn_find_cookie(&sh->opts->copts, ck, sizeof ck, e) == 0 && ck[0] && strstr(line, ck))
        hit = strlen(ck) >= 8 ? 2 : 1;
    explicit_bzero(ck, sizeof ck);
    return hit;
}

static int exec_line(shell *sh, const char *line, strbuf *out, strbuf *errs);

int shell_exec(shell *sh, const char *line, strbuf *out, strbuf *errs)
{
    int64_t t0 = now_us();
    int was = sh->timing;
    int rc = exec_line(sh, line, out, errs);
    if (was && sh->timing)
        sb_printf(out, "time: %.1f ms\n", (double)(now_us() - t0) / 1000.0);
    return rc;
}

static int exec_line(shell *sh, const char *line, strbuf *out, strbuf *errs)
{
    char buf[4096], *argv[32], err[OA_ERRLEN] = "";
    if (shell_holds_secret(sh, line) == 2) {
        sb_puts(errs, "error: this line holds the node's cookie: not run, and not kept in the history (the shell "
                      "takes a cookie only from --cookie-file, $OTP_ADVISOR_COOKIE or ~/.erlang.cookie)\n");
        return -1;
    }
    int argc = shell_split(line, argv, 32, buf, sizeof buf);
    if (argc == -2) {
        sb_puts(errs, "error: unterminated quote\n");
        return -1;
    }
    if (argc < 0) {
        sb_puts(errs, "error: line too long\n");
        return -1;
    }
    if (argc == 0 || argv[0][0] == '#')
        return 0;
    const shell_cmd *c = shell_cmd_find(argv[0]);
    if (!c) {
        /* a control character in the word is shown, not sent to the terminal: a stray ^D
         * in front of `quit` otherwise reads as "unknown command 'quit'" */
        sb_puts(errs, "error: unknown command '");
        for (const unsigned char *p = (const unsigned char *)argv[0]; *p; p++)
            if (*p < 0x20 || *p == 0x7f)
                sb_printf(errs, "^%c", *p ^ 0x40);
            else
                sb_printf(errs, "%c", *p);
        sb_puts(errs, "' (`help` lists commands)\n");
        return -1;
    }
    /* --node N (a command on another node of the cluster), --all (summary, tree, findings:
     * each node in turn), --cluster (findings: the cluster's own) */
    const char *on_node = NULL;
    int all = 0, whole = 0;
    for (int i = 1; i < argc; i++) {
        int drop = 0;
        if (!strcmp(argv[i], "--node") && c->needs == NEEDS_SNAPSHOT) {
            if (i + 1 >= argc) {
                sb_puts(errs, "error: --node needs a node\n");
                return -1;
            }
            on_node = argv[i + 1];
            drop = 2;
        } else if (!strcmp(argv[i], "--all") &&
                   (!strcmp(c->name, "summary") || !strcmp(c->name, "tree") || !strcmp(c->name, "findings")))
            all = drop = 1;
        else if (!strcmp(argv[i], "--cluster") && !strcmp(c->name, "findings"))
            whole = drop = 1;
        if (drop) {
            for (int k = i; k + drop < argc; k++)
                argv[k] = argv[k + drop];
            argc -= drop;
            i--;
        }
    }
    if ((on_node || all || whole) && !sh->clustered) {
        sb_printf(errs, "error: %s is for a cluster (--cluster); this is one node\n",
                  on_node ? "--node"
                  : all   ? "--all"
                          : "--cluster");
        return -1;
    }
    if (on_node || all || whole) {
        char rest[4096] = "";
        size_t o = 0;
        for (int i = 0; i < argc && o < sizeof rest - 1; i++) {
            /* the words again, each quoted so shell_split reads them back as they were */
            int w = snprintf(rest + o, sizeof rest - o, "%s'%s'", i ? " " : "", argv[i]);
            o += w > 0 ? (size_t)w : 0;
        }
        int cur = sh->cur, rc = 0;
        if (whole) {
            render_ctx rc_;
            ctx(sh, &rc_);
            cl_put(sh);
            for (size_t i = 0; i < sh->cl.f.items.len; i++) {
                render_finding_text(sh->cl.nodes[0].s ? sh->cl.nodes[0].s : NULL, vec_at(&sh->cl.f.items, i), &rc_,
                                    out);
                sb_putc(out, '\n');
            }
            sb_printf(out, "%zu cluster findings over %zu of %zu nodes\n", sh->cl.f.items.len,
                      cluster_collected(&sh->cl), sh->cl.n);
            cl_take(sh, cur);
            return 0;
        }
        for (size_t i = 0; i < sh->cl.n; i++) {
            int want = on_node ? cluster_find(&sh->cl, on_node) : (int)i;
            if (want < 0) {
                sb_printf(errs, "error: no node %s in this cluster (`nodes` lists them)\n", on_node);
                return -1;
            }
            if (on_node && i > 0)
                break;
            if (!sh->cl.nodes[want].s && want != cur) {
                if (on_node) {
                    sb_printf(errs, "error: %s was not collected: %s\n", sh->cl.nodes[want].name,
                              sh->cl.nodes[want].error);
                    return -1;
                }
                sb_printf(out, "== %s ==\nnot collected: %s\n\n", sh->cl.nodes[want].name, sh->cl.nodes[want].error);
                continue;
            }
            if (want != sh->cur) {
                cl_put(sh);
                cl_take(sh, want);
            }
            if (all)
                sb_printf(out, "== %s ==\n", sh->cl.nodes[want].name);
            rc |= exec_line(sh, rest, out, errs);
            if (all)
                sb_putc(out, '\n');
        }
        if (sh->cur != cur && sh->clustered) {
            cl_put(sh);
            cl_take(sh, cur);
        }
        return rc ? -1 : 0;
    }
    if (c->needs == NEEDS_SNAPSHOT && !sh->s) {
        sb_printf(errs, "error: %s needs a snapshot: `connect NODE` or `load FILE`\n", c->name);
        return -1;
    }
    /* the words against the entry: -X VALUE for its option letters, the rest positional */
    cmd_args a = {.argc = 0, .argv = argv + 1};
    for (int i = 1; i < argc; i++) {
        const char *w = argv[i];
        int is_opt = w[0] == '-' && ((w[1] >= 'a' && w[1] <= 'z') || (w[1] >= 'A' && w[1] <= 'Z')) && !w[2];
        if (!is_opt && w[0] == '-' && w[1] && !(w[1] >= '0' && w[1] <= '9'))
            is_opt = 1; /* --long, -xy: not ours either */
        if (!is_opt) {
            a.argv[a.argc++] = argv[i];
            continue;
        }
        if (w[1] == '-' && w[2] && c->flags && strstr(c->flags, w + 2)) { /* --flag from the entry */
            size_t k = 0, l = strlen(w + 2);
            const char *hit = strstr(c->flags, w + 2);
            if ((hit == c->flags || hit[-1] == ' ') && (hit[l] == ' ' || !hit[l])) {
                while (k < 4 && a.flag[k])
                    k++;
                if (k < 4)
                    a.flag[k] = w + 2;
                continue;
            }
        }
        if (!(w[1] >= 'a' && w[1] <= 'z') || w[2] || !c->options || !strchr(c->options, w[1])) {
            sb_printf(errs, "error: unknown option %s; usage: %s %s\n", w, c->name, c->args);
            return -1;
        }
        int count = strchr(c->options, w[1])[1] == '#';
        if (a.opt[w[1] - 'a']) {
            sb_printf(errs, "error: %s given twice; usage: %s %s\n", w, c->name, c->args);
            return -1;
        }
        if (i + 1 >= argc) {
            sb_printf(errs, "error: %s needs a %s\n", w, count ? "number" : "value");
            return -1;
        }
        a.opt[w[1] - 'a'] = argv[++i];
        int n; /* a count is checked here, once for every command */
        if (count && opt_count(&a, w[1], 0, &n, err)) {
            sb_printf(errs, "error: %s\n", err);
            return -1;
        }
    }
    if (a.argc > c->max_args || a.argc < c->min_args) {
        sb_printf(errs, "error: usage: %s %s\n", c->name, c->args);
        return -1;
    }
    if (sh->s && sh->findings_stale)
        recompute(sh);
    int rc = c->run(sh, &a, out, err);
    if (oa_stop_requested() && !rc) { /* Ctrl-C: the command ended early */
        sb_puts(errs, "interrupted: the output above is incomplete\n");
        return -1;
    }
    if (rc) {
        sb_printf(errs, "error: %s\n", err[0] ? err : "failed");
        return -1;
    }
    return 0;
}

/* ---- completion ---------------------------------------------------------------------- */

static void add(vec *out, const char *prefix, const char *cand)
{
    if (strncmp(cand, prefix, strlen(prefix)) != 0)
        return;
    for (size_t i = 0; i < out->len; i++)
        if (!strcmp(*(char **)vec_at(out, i), cand))
            return;
    char **slot = vec_push(out);
    *slot = xstrdup(cand);
}

void shell_complete(shell *sh, const char *cmd, int pos, const char *prefix, vec *out)
{
    if (pos == 0) {
        for (int i = 0; i < shell_n_cmds; i++)
            add(out, prefix, shell_cmds[i].name);
        return;
    }
    const shell_cmd *c = shell_cmd_find(cmd);
    if (!c)
        return;
    if (sh->clustered && !strcmp(c->name, "connect")) /* the nodes of the cluster */
        for (size_t i = 0; i < sh->cl.n; i++)
            add(out, prefix, sh->cl.nodes[i].name);
    int k = c->complete;
    if (k & CK_COMMAND)
        for (int i = 0; i < shell_n_cmds; i++)
            add(out, prefix, shell_cmds[i].name);
    if (k & CK_RULE)
        for (int i = 0; i < n_rules; i++)
            add(out, prefix, rule_at(i)->id);
    if (k & CK_FILE) { /* save/load: entries of the directory being typed */
        const char *slash = strrchr(prefix, '/');
        char dir[1024];
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - prefix + 1) : 0, prefix);
        DIR *d = opendir(dir[0] ? dir : ".");
        struct dirent *e;
        while (d && (e = readdir(d)) && out->len < 500) {
            if (e->d_name[0] == '.' && (slash ? slash[1] : prefix[0]) != '.')
                continue;
            char cand[1400];
            struct stat st;
            snprintf(cand, sizeof cand, "%s%s", dir, e->d_name);
            int is_dir = stat(cand, &st) == 0 && S_ISDIR(st.st_mode);
            snprintf(cand, sizeof cand, "%s%s%s", dir, e->d_name, is_dir ? "/" : "");
            add(out, prefix, cand);
        }
        if (d)
            closedir(d);
    }
    snap *s = sh->s;
    if (!s)
        return;
    char b[512];
    if (k & CK_REGISTRY)
        for (size_t r = 0; r < s->regs.len; r++) {
            snap_display_atom(snap_str(s, ((snap_registry *)vec_at(&s->regs, r))->name), b, sizeof b);
            add(out, prefix, b);
        }
    if (k & CK_TARGET)
        for (size_t a = 0; a < s->apps.len; a++) {
            const snap_app *ap = vec_at(&s->apps, a);
            if (ap->top_sup != SNAP_NONE)
                add(out, prefix, snap_str(s, ap->name));
        }
    if (k & (CK_TARGET | CK_NAME)) {
        for (uint32_t i = 0; i < s->procs.len && out->len < 2000; i++) {
            const snap_proc *p = snap_proc_at(s, i);
            if (!p->name)
                continue;
            if ((k & CK_TARGET) && !(k & CK_NAME) && p->own_sup == SNAP_NONE && p->sup == SNAP_NONE)
                continue;
            snap_display_atom(snap_str(s, p->name), b, sizeof b);
            add(out, prefix, b);
        }
        for (size_t g = 0; g < s->globals.len; g++) {
            const snap_name *nm = vec_at(&s->globals, g);
            if ((k & CK_TARGET) && !(k & CK_NAME)) { /* tree: only names inside a tree */
                uint32_t q = snap_find_pid(s, nm->pid);
                if (q == SNAP_NONE ||
                    (snap_proc_at(s, q)->own_sup == SNAP_NONE && snap_proc_at(s, q)->sup == SNAP_NONE))
                    continue;
            }
            add(out, prefix, snap_str(s, nm->key));
        }
        if (prefix[0] == '{')
            for (uint32_t i = 0; i < s->procs.len && out->len < 2000; i++)
                if (snap_proc_at(s, i)->alt_name)
                    add(out, prefix, snap_str(s, snap_proc_at(s, i)->alt_name));
        if (prefix[0] == '<')
            for (uint32_t i = 0; i < s->procs.len && out->len < 2000; i++) {
                snap_pid_text(s, snap_proc_at(s, i)->pid, b, sizeof b);
                add(out, prefix, b);
            }
    }
}
