/* cluster.c — `--cluster`: discover the nodes from one entry node, attach to each in
 * parallel, snapshot them within one window, run each node's rules and the cluster rules,
 * and render the result (check text and JSON, the shell's and MCP's `nodes`, the report's
 * cluster section). */
#define _POSIX_C_SOURCE 200809L
#include "cluster.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etf.h"
#include "json.h"
#include "render_findings.h"
#include "report.h"
#include "rules.h"

/* ---- pids across snapshots --------------------------------------------------------------- */

const char *cluster_pid_node(const snap *s, oa_pid p)
{
    return p.node < s->n_nodes ? snap_str(s, s->nodes[p.node]) : "";
}

int cluster_pid_eq(const snap *a, oa_pid pa, const snap *b, oa_pid pb)
{
    return pa.kind == PK_PID && pb.kind == PK_PID && pa.num == pb.num && pa.serial == pb.serial &&
           pa.creation == pb.creation && !strcmp(cluster_pid_node(a, pa), cluster_pid_node(b, pb));
}

/* ---- discovery and parallel collection --------------------------------------------------- */

/* this tool's own connections (and other sessions') are never part of the cluster */
static int ours(const char *node)
{
    return !strncmp(node, "otp-advisor", 11);
}

static int discover(conn *c, int hidden, vec *names, char *err)
{
    ei_x_buff args, reply;
    ei_x_new(&args);
    ei_x_new(&reply);
    ei_x_encode_list_header(&args, 1);
    if (hidden) {
        ei_x_encode_list_header(&args, 2);
        ei_x_encode_atom(&args, "visible");
        ei_x_encode_atom(&args, "hidden");
        ei_x_encode_empty_list(&args);
    } else
        ei_x_encode_atom(&args, "visible");
    ei_x_encode_empty_list(&args);
    int rc = conn_rpc(c, "erlang", "nodes", &args, &reply, err);
    if (!rc) {
        etf_rd r;
        uint32_t n;
        etf_init(&r, reply.buff, (size_t)reply.index);
        if (etf_list(&r, &n))
            rc = errf(err, "erlang:nodes/1 on %s answered something else than a list", c->target);
        for (uint32_t i = 0; !rc && i < n; i++) {
            const char *a;
            size_t l;
            if (etf_atom(&r, &a, &l) || l >= 2 * MAXNODELEN + 2) {
                rc = errf(err, "erlang:nodes/1 on %s: a node name that is not an atom", c->target);
                break;
            }
            char nm[2 * MAXNODELEN + 2];
            memcpy(nm, a, l);
            nm[l] = 0;
            if (ours(nm) || !strcmp(nm, c->own) || !strcmp(nm, c->target))
                continue;
            char **slot = vec_push(names);
            *slot = xstrdup(nm);
        }
    }
    ei_x_free(&args);
    ei_x_free(&reply);
    return rc;
}

typedef struct {
    cluster_node *node;
    conn c;
    int have_conn; /* the entry node's connection, already open */
    conn_opts copts;
    char own[2 * MAXNODELEN + 2]; /* this connection's own name, when --name/--sname was given */
    collect_opts col;
    volatile sig_atomic_t *cancel;
    pthread_t th;
    int started;
} job;

static void *collect_one(void *arg)
{
    job *j = arg;
    cluster_node *nd = j->node;
    int64_t t0 = now_us();
    if (!j->have_conn && conn_open(&j->c, nd->name, &j->copts, nd->error)) {
        nd->attach_us = now_us() - t0;
        return NULL;
    }
    nd->attach_us = j->have_conn ? 0 : now_us() - t0;
    collect_state st;
    memset(&st, 0, sizeof st);
    snap *s = NULL;
    if (collect_snapshot(&j->c, &j->col, &st, j->cancel, &s, nd->error) == 0)
        nd->s = s;
    char e2[OA_ERRLEN];
    if (conn_up(&j->c) && collect_unload(&j->c, &st, e2) && nd->s)
        notes_add(&j->c.notes, "otp-advisor: warning: could not remove the probe from %s: %s", nd->name, e2);
    conn_close(&j->c);
    nd->collect_us = now_us() - t0;
    return NULL;
}

/* --name foo@h / --sname foo: the k-th connection is foo-k@h / foo-k (one own name a
 * connection, should two of them ever meet); the default otp-advisor-PID is the same for
 * each, which the nodes accept: a hidden connection is not passed on to the cluster */
static void own_name(job *j, const char *want, int k)
{
    const char *at = strchr(want, '@');
    if (at)
        snprintf(j->own, sizeof j->own, "%.*s-%d%s", (int)(at - want), want, k, at);
    else
        snprintf(j->own, sizeof j->own, "%s-%d", want, k);
    if (j->copts.name)
        j->copts.name = j->own;
    else
        j->copts.sname = j->own;
}

int cluster_collect(const conn_opts *copts, const collect_opts *col, const char *entry, int hidden,
                    volatile sig_atomic_t *cancel, cluster *out, char *err)
{
    memset(out, 0, sizeof *out);
    out->hidden = hidden;
    int64_t t0 = now_us();
    /* the entry node first, alone: it names the others, and erl_interface is initialised
     * once (ei_init) before any thread opens a connection */
    job first;
    memset(&first, 0, sizeof first);
    if (conn_open(&first.c, entry, copts, err)) {
        notes_append(&out->notes, &first.c.notes);
        return -1;
    }
    vec names;
    vec_init(&names, sizeof(char *));
    if (discover(&first.c, hidden, &names, err)) {
        notes_append(&out->notes, &first.c.notes);
        conn_close(&first.c);
        vec_free(&names);
        return -1;
    }
    out->n = 1 + names.len;
    out->nodes = xcalloc(out->n, sizeof *out->nodes);
    snprintf(out->nodes[0].name, sizeof out->nodes[0].name, "%s", first.c.target);
    for (size_t i = 0; i < names.len; i++) {
        char *nm = *(char **)vec_at(&names, i);
        snprintf(out->nodes[1 + i].name, sizeof out->nodes[1 + i].name, "%s", nm);
        free(nm);
    }
    vec_free(&names);
    job *jobs = xcalloc(out->n, sizeof *jobs);
    jobs[0] = first;
    jobs[0].have_conn = 1;
    const char *want = copts->name ? copts->name : copts->sname;
    for (size_t i = 0; i < out->n; i++) {
        jobs[i].node = &out->nodes[i];
        jobs[i].copts = *copts;
        if (i && want)
            own_name(&jobs[i], want, (int)i + 1);
        /* --address names the entry node's port alone: the others are found by name (epmd on
         * their hosts); TLS, the cookie and --ssh (the same host's epmd) carry over */
        if (i)
            jobs[i].copts.address = NULL;
        jobs[i].col = *col;
        jobs[i].col.progress = NULL; /* one thread a node: no shared progress */
        jobs[i].col.quiet = 1;
        jobs[i].cancel = cancel;
    }
    for (size_t i = 0; i < out->n; i++)
        if (pthread_create(&jobs[i].th, NULL, collect_one, &jobs[i]) == 0)
            jobs[i].started = 1;
        else
            collect_one(&jobs[i]); /* no thread: in turn */
    for (size_t i = 0; i < out->n; i++)
        if (jobs[i].started)
            pthread_join(jobs[i].th, NULL);
    for (size_t i = 0; i < out->n; i++) /* each connection's notes, and its probe's removal */
        notes_append(&out->notes, &jobs[i].c.notes);
    free(jobs);
    out->wall_us = now_us() - t0;
    if (out->nodes[0].s) /* reached by --address: the node's own name, now that it said it */
        snprintf(out->nodes[0].name, sizeof out->nodes[0].name, "%s",
                 snap_str(out->nodes[0].s, out->nodes[0].s->info.node));
    if (!out->nodes[0].s) {
        errf(err, "%s", out->nodes[0].error);
        oa_notes kept = out->notes;
        cluster_free(out);
        out->notes = kept;
        return -1;
    }
    return 0;
}

/* ---- files ---------------------------------------------------------------------------------- */

int cluster_load(const char *path, cluster *out, char *err)
{
    memset(out, 0, sizeof *out);
    snap_loaded *l;
    size_t n;
    if (snap_load_nodes(path, &l, &n, err))
        return -1;
    out->n = n;
    out->nodes = xcalloc(n, sizeof *out->nodes);
    for (size_t i = 0; i < n; i++) {
        snprintf(out->nodes[i].name, sizeof out->nodes[i].name, "%s", l[i].node);
        out->nodes[i].s = l[i].s;
        l[i].s = NULL;
        if (l[i].error)
            snprintf(out->nodes[i].error, sizeof out->nodes[i].error, "%s", l[i].error);
    }
    snap_loaded_free(l, n);
    return 0;
}

int cluster_save(const cluster *cl, const char *path, char *err)
{
    snap_entry *e = xcalloc(cl->n ? cl->n : 1, sizeof *e);
    for (size_t i = 0; i < cl->n; i++) {
        e[i].node = cl->nodes[i].name;
        e[i].s = cl->nodes[i].s;
        e[i].error = cl->nodes[i].error;
    }
    int rc = snap_save_nodes(e, cl->n, path, err);
    free(e);
    return rc;
}

void cluster_of_one(cluster *cl, snap *s)
{
    memset(cl, 0, sizeof *cl);
    cl->n = 1;
    cl->nodes = xcalloc(1, sizeof *cl->nodes);
    snprintf(cl->nodes[0].name, sizeof cl->nodes[0].name, "%s", snap_str(s, s->info.node));
    cl->nodes[0].s = s;
}

void cluster_free(cluster *cl)
{
    for (size_t i = 0; i < cl->n; i++) {
        snap_free(cl->nodes[i].s);
        if (cl->nodes[i].have_f)
            findings_free(&cl->nodes[i].f);
    }
    free(cl->nodes);
    if (cl->have_f)
        findings_free(&cl->f);
    memset(cl, 0, sizeof *cl);
}

/* ---- analysis ------------------------------------------------------------------------------- */

void cluster_analyse(cluster *cl, const rule_opts *ro, const char *const *only, const char *const *ignore,
                     int judge_otp)
{
    char err[OA_ERRLEN];
    for (size_t i = 0; i < cl->n; i++) {
        cluster_node *nd = &cl->nodes[i];
        if (nd->have_f)
            findings_free(&nd->f);
        findings_init(&nd->f);
        nd->have_f = 1;
        if (!nd->s)
            continue;
        if (judge_otp && !nd->s->judge_otp) {
            nd->s->judge_otp = 1;
            nd->s->finished = 0;
            snap_finish(nd->s, err);
        }
        rules_run(nd->s, ro, only, ignore, &nd->f);
    }
    if (cl->have_f)
        findings_free(&cl->f);
    findings_init(&cl->f);
    cl->have_f = 1;
    if (cl->n > 1)
        rules_run_cluster(cl, ro, only, ignore, &cl->f);
}

int cluster_find(const cluster *cl, const char *name)
{
    for (size_t i = 0; i < cl->n; i++)
        if (!strcmp(cl->nodes[i].name, name))
            return (int)i;
    int hit = -1;
    size_t l = strlen(name);
    for (size_t i = 0; i < cl->n; i++) /* the part before '@', when it is unique */
        if (!strncmp(cl->nodes[i].name, name, l) && cl->nodes[i].name[l] == '@') {
            if (hit >= 0)
                return -1;
            hit = (int)i;
        }
    return hit;
}

size_t cluster_collected(const cluster *cl)
{
    size_t k = 0;
    for (size_t i = 0; i < cl->n; i++)
        k += cl->nodes[i].s != NULL;
    return k;
}

/* ---- rendering ------------------------------------------------------------------------------ */

static void counts(const findings *f, int *nc, int *nw, int *ni)
{
    *nc = findings_count(f, SEV_CRITICAL);
    *nw = findings_count(f, SEV_WARNING) - *nc;
    *ni = findings_count(f, SEV_INFO) - *nc - *nw;
}

static void cluster_findings_text(const cluster *cl, int min_sev, const render_ctx *c, strbuf *out)
{
    const snap *any = cl->nodes[0].s;
    for (int sev = SEV_CRITICAL; sev >= min_sev; sev--)
        for (size_t i = 0; cl->have_f && i < cl->f.items.len; i++) {
            const finding *x = vec_at(&cl->f.items, i);
            if (x->severity != sev)
                continue;
            render_finding_text(any, x, c, out);
            sb_putc(out, '\n');
        }
    for (size_t i = 0; cl->have_f && i < cl->f.skipped.len; i++) {
        const not_evaluated *n = vec_at(&cl->f.skipped, i);
        sb_printf(out, "not fully evaluated: %s: %s\n", n->rule, n->reason);
    }
}

static void not_collected_line(const cluster_node *nd, strbuf *out)
{
    sb_printf(out, "%s: not collected: %s\n", nd->name, nd->error[0] ? nd->error : "no snapshot");
}

void cluster_render_text(const cluster *cl, int min_sev, const render_ctx *c, strbuf *out)
{
    for (size_t i = 0; i < cl->n; i++) {
        const cluster_node *nd = &cl->nodes[i];
        sb_printf(out, "%s== %s%s ==%s\n", c->color ? "\033[1m" : "", nd->name, i == 0 ? " (entry)" : "",
                  c->color ? "\033[0m" : "");
        if (!nd->s)
            not_collected_line(nd, out);
        else if (nd->have_f)
            render_findings_text(nd->s, &nd->f, min_sev, c, out);
        sb_putc(out, '\n');
    }
    size_t got = cluster_collected(cl);
    sb_printf(out, "%s== the cluster: %zu nodes, %zu collected ==%s\n", c->color ? "\033[1m" : "", cl->n, got,
              c->color ? "\033[0m" : "");
    for (size_t i = 0; i < cl->n; i++)
        if (!cl->nodes[i].s)
            not_collected_line(&cl->nodes[i], out);
    cluster_findings_text(cl, min_sev, c, out);
    int nc = 0, nw = 0, ni = 0;
    if (cl->have_f)
        counts(&cl->f, &nc, &nw, &ni);
    sb_printf(out, "%d critical, %d warning, %d info across the cluster (%zu of %zu nodes collected)\n", nc, nw, ni,
              got, cl->n);
}

static void finding_json(json_w *j, const finding *x)
{
    json_obj(j);
    json_kstr(j, "rule", x->rule);
    json_kstr(j, "severity", severity_name(x->severity));
    json_key(j, "subject");
    json_obj(j);
    json_kstr(j, "name", x->subject);
    json_kstr(j, "pid", x->pid);
    json_kstr(j, "path", x->path);
    json_kstr(j, "node", x->node);
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
    json_obj_end(j);
}

void cluster_render_json(const cluster *cl, strbuf *out)
{
    json_w j;
    json_init(&j, out, 1);
    json_obj(&j);
    json_kstr(&j, "schema", "otp-advisor/cluster/1");
    json_kint(&j, "schema_version", 1);
    json_kstr(&j, "entry", cl->nodes[0].name);
    json_kbool(&j, "hidden", cl->hidden);
    json_key(&j, "nodes");
    json_arr(&j);
    for (size_t i = 0; i < cl->n; i++) {
        const cluster_node *nd = &cl->nodes[i];
        json_obj(&j);
        json_kstr(&j, "node", nd->name);
        json_kstr(&j, "status", nd->s ? "ok" : "not_collected");
        if (!nd->s)
            json_kstr(&j, "error", nd->error);
        else if (nd->have_f) {
            strbuf one;
            sb_init(&one);
            render_findings_json(nd->s, &nd->f, &one);
            json_key(&j, "check");
            json_raw(&j, one.buf);
            sb_free(&one);
        }
        json_obj_end(&j);
    }
    json_arr_end(&j);
    int nc = 0, nw = 0, ni = 0;
    if (cl->have_f)
        counts(&cl->f, &nc, &nw, &ni);
    json_key(&j, "counts");
    json_obj(&j);
    json_kint(&j, "critical", nc);
    json_kint(&j, "warning", nw);
    json_kint(&j, "info", ni);
    json_obj_end(&j);
    json_key(&j, "findings");
    json_arr(&j);
    for (size_t i = 0; cl->have_f && i < cl->f.items.len; i++)
        finding_json(&j, vec_at(&cl->f.items, i));
    json_arr_end(&j);
    json_key(&j, "not_evaluated");
    json_arr(&j);
    for (size_t i = 0; cl->have_f && i < cl->f.skipped.len; i++) {
        const not_evaluated *n = vec_at(&cl->f.skipped, i);
        json_obj(&j);
        json_kstr(&j, "rule", n->rule);
        json_kstr(&j, "reason", n->reason);
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    sb_putc(out, '\n');
}

/* the :global names, each once, with the node it lives on (from the first node that lists
 * it: :global replicates its table to every node) */
typedef struct {
    const char *name, *node;
    const snap *s;
    oa_pid pid;
} gname;

static void global_names(const cluster *cl, vec *out)
{
    vec_init(out, sizeof(gname));
    for (size_t i = 0; i < cl->n; i++) {
        const snap *s = cl->nodes[i].s;
        for (size_t g = 0; s && g < s->globals.len; g++) {
            const snap_name *nm = vec_at(&s->globals, g);
            const char *key = snap_str(s, nm->key);
            int seen = 0;
            for (size_t k = 0; k < out->len && !seen; k++)
                seen = !strcmp(((gname *)vec_at(out, k))->name, key);
            if (seen)
                continue;
            gname *x = vec_push(out);
            x->name = key;
            x->node = cluster_pid_node(s, nm->pid);
            x->s = s;
            x->pid = nm->pid;
        }
    }
}

/* the distribution links between the nodes, as each node looked at its own (busy-dist-link's
 * evidence): a line each, the busiest first, at most 30 */
typedef struct {
    const char *from;
    const snap *s;
    const snap_dist *d;
    double share;
} link_row;

static int by_share(const void *a, const void *b)
{
    const link_row *x = a, *y = b;
    return x->share < y->share ? 1 : x->share > y->share ? -1 : strcmp(x->from, y->from);
}

static size_t links(const cluster *cl, link_row *rows, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < cl->n; i++) {
        const snap *s = cl->nodes[i].s;
        for (size_t k = 0; s && k < s->dist.len && n < cap; k++) {
            const snap_dist *d = vec_at(&s->dist, k);
            if (ours(snap_str(s, d->node)) || !d->looks)
                continue;
            rows[n++] = (link_row){cl->nodes[i].name, s, d, 100.0 * d->looks_pending / d->looks};
        }
    }
    if (n)
        qsort(rows, n, sizeof *rows, by_share);
    return n > 30 ? 30 : n;
}

static void link_text(const link_row *r, char *buf, size_t n)
{
    char most[32], rate[32];
    fmt_bytes(r->d->max_pending, most, sizeof most);
    double bps = r->d->span_us > 0 ? (double)r->d->bytes_sent * 1e6 / (double)r->d->span_us : 0;
    fmt_bytes((uint64_t)bps, rate, sizeof rate);
    if (r->d->kind == DK_PROCESS)
        snprintf(buf, n, "%s → %s: a process controller (TLS), queue up to %llu messages", r->from,
                 snap_str(r->s, r->d->node), (unsigned long long)r->d->max_pending);
    else
        snprintf(buf, n, "%s → %s: bytes waiting in %u of %u looks (up to %s), %s/s sent", r->from,
                 snap_str(r->s, r->d->node), r->d->looks_pending, r->d->looks, most, rate);
}

void cluster_render_nodes(const cluster *cl, const render_ctx *c, strbuf *out)
{
    (void)c;
    sb_printf(out, "%-34s %-9s %10s %6s  %s\n", "node", "state", "processes", "OTP",
              "findings (critical/warning/info)");
    for (size_t i = 0; i < cl->n; i++) {
        const cluster_node *nd = &cl->nodes[i];
        if (!nd->s) {
            sb_printf(out, "%-34s %-9s %10s %6s  %s\n", nd->name, "not collected", "", "", nd->error);
            continue;
        }
        int nc = 0, nw = 0, ni = 0;
        if (nd->have_f)
            counts(&nd->f, &nc, &nw, &ni);
        char num[32];
        fmt_num(nd->s->procs.len, num, sizeof num);
        sb_printf(out, "%-34s %-9s %10s %6s  %d/%d/%d%s\n", nd->name, "collected", num,
                  snap_str(nd->s, nd->s->info.otp_release), nc, nw, ni, i == 0 ? "   (entry)" : "");
    }
    if (cl->n < 2)
        return;
    vec g;
    global_names(cl, &g);
    if (g.len) {
        sb_puts(out, "\n:global names\n");
        for (size_t k = 0; k < g.len; k++) {
            const gname *x = vec_at(&g, k);
            char pid[128];
            snap_pid_text(x->s, x->pid, pid, sizeof pid);
            sb_printf(out, "  %-30s on %s  %s\n", x->name, x->node, pid);
        }
    }
    vec_free(&g);
    int any_pg = 0;
    for (size_t i = 0; i < cl->n; i++) {
        const snap *s = cl->nodes[i].s;
        for (size_t p = 0; s && p < s->pg_groups.len; p++) {
            const snap_pg_group *pg = vec_at(&s->pg_groups, p);
            if (!any_pg)
                sb_puts(out, "\npg groups (members on each node)\n");
            any_pg = 1;
            sb_printf(out, "  %-14s %-24s %s: %u here, %u in all\n", snap_str(s, pg->scope), snap_str(s, pg->group),
                      cl->nodes[i].name, pg->local, pg->total);
        }
    }
    link_row rows[256];
    size_t nl = links(cl, rows, sizeof rows / sizeof rows[0]);
    if (nl)
        sb_puts(out, "\ndistribution links (each node's own, busiest first)\n");
    for (size_t k = 0; k < nl; k++) {
        char line[600];
        link_text(&rows[k], line, sizeof line);
        sb_printf(out, "  %s\n", line);
    }
    int nc = 0, nw = 0, ni = 0;
    if (cl->have_f)
        counts(&cl->f, &nc, &nw, &ni);
    sb_printf(out, "\ncluster findings  %d critical, %d warning, %d info   (`findings --cluster` lists them)\n", nc, nw,
              ni);
}

static void md_cell(strbuf *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            sb_puts(out, "\\|");
        else if (*s == '\n')
            sb_putc(out, ' ');
        else
            sb_putc(out, *s);
    }
}

void cluster_render_section(const cluster *cl, strbuf *out)
{
    sb_printf(out, "## Cluster\n\n%zu nodes from %s, %zu collected%s.\n\n", cl->n, cl->nodes[0].name,
              cluster_collected(cl), cl->hidden ? " (hidden nodes included)" : "");
    sb_puts(out, "| node | state | OTP | processes | applications | findings |\n|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < cl->n; i++) {
        const cluster_node *nd = &cl->nodes[i];
        sb_puts(out, "| ");
        md_cell(out, nd->name);
        if (!nd->s) {
            sb_puts(out, " | not collected: ");
            md_cell(out, nd->error);
            sb_puts(out, " | | | | |\n");
            continue;
        }
        int nc = 0, nw = 0, ni = 0;
        if (nd->have_f)
            counts(&nd->f, &nc, &nw, &ni);
        sb_printf(out, " | collected | %s | %zu | %zu | %d critical, %d warning, %d info |\n",
                  snap_str(nd->s, nd->s->info.otp_release), nd->s->procs.len, nd->s->apps.len, nc, nw, ni);
    }
    vec g;
    global_names(cl, &g);
    if (g.len) {
        sb_puts(out, "\n:global names (one process for the whole cluster):\n\n| name | node | pid |\n|---|---|---|\n");
        for (size_t k = 0; k < g.len; k++) {
            const gname *x = vec_at(&g, k);
            char pid[128];
            snap_pid_text(x->s, x->pid, pid, sizeof pid);
            sb_puts(out, "| `");
            md_cell(out, x->name);
            sb_puts(out, "` | ");
            md_cell(out, x->node);
            sb_printf(out, " | `%s` |\n", pid);
        }
    }
    vec_free(&g);
    int any_pg = 0;
    for (size_t i = 0; i < cl->n; i++) {
        const snap *s = cl->nodes[i].s;
        for (size_t p = 0; s && p < s->pg_groups.len; p++) {
            const snap_pg_group *pg = vec_at(&s->pg_groups, p);
            if (!any_pg)
                sb_puts(out, "\npg groups, members on each node:\n\n| scope | group | node | members here | in all "
                             "|\n|---|---|---|---|---|\n");
            any_pg = 1;
            sb_printf(out, "| %s | `", snap_str(s, pg->scope));
            md_cell(out, snap_str(s, pg->group));
            sb_puts(out, "` | ");
            md_cell(out, cl->nodes[i].name);
            sb_printf(out, " | %u | %u |\n", pg->local, pg->total);
        }
    }
    link_row rows[256];
    size_t nl = links(cl, rows, sizeof rows / sizeof rows[0]);
    if (nl)
        sb_puts(out, "\nDistribution links, as each node looked at its own through the window (busiest first; "
                     "busy-dist-link judges them):\n\n");
    for (size_t k = 0; k < nl; k++) {
        char line[600];
        link_text(&rows[k], line, sizeof line);
        sb_puts(out, "- ");
        md_cell(out, line);
        sb_putc(out, '\n');
    }
    sb_puts(out, "\n### Cluster findings\n\n");
    if (!cl->have_f || !cl->f.items.len) {
        sb_puts(out, "None: the nodes agree (versions, trees, applications), no `:global` name has callers waiting "
                     "on other nodes, and no pg scope is missing on a node.\n\n");
        return;
    }
    sb_puts(out, "| severity | rule | subject | node | evidence |\n|---|---|---|---|---|\n");
    for (size_t i = 0; i < cl->f.items.len; i++) {
        const finding *x = vec_at(&cl->f.items, i);
        sb_printf(out, "| %s | %s | ", severity_name(x->severity), x->rule);
        md_cell(out, x->subject);
        sb_puts(out, " | ");
        md_cell(out, x->node);
        sb_puts(out, " | ");
        md_cell(out, x->summary);
        sb_puts(out, " |\n");
    }
    sb_putc(out, '\n');
    for (size_t i = 0; i < cl->f.items.len; i++) {
        const finding *x = vec_at(&cl->f.items, i);
        sb_printf(out, "**%s: ", x->rule);
        md_cell(out, x->subject);
        sb_puts(out, "**\n\n");
        sb_puts(out, "```text\n");
        sb_puts(out, x->recommendation);
        sb_puts(out, "\n```\n\n");
    }
}

int cluster_report(cluster *cl, const char *target, int json, strbuf *out, char *err)
{
    int done = 0;
    char last[OA_ERRLEN] = "";
    if (json) {
        json_w j;
        json_init(&j, out, 1);
        json_obj(&j);
        json_kstr(&j, "schema", "otp-advisor/cluster-report/1");
        json_kint(&j, "schema_version", 1);
        json_key(&j, "cluster");
        strbuf cj;
        sb_init(&cj);
        cluster_render_json(cl, &cj);
        json_raw(&j, cj.buf);
        sb_free(&cj);
        json_key(&j, "reports");
        json_arr(&j);
        for (size_t i = 0; i < cl->n; i++) {
            cluster_node *nd = &cl->nodes[i];
            json_obj(&j);
            json_kstr(&j, "node", nd->name);
            strbuf one;
            sb_init(&one);
            if (nd->s && report_json(nd->s, &nd->f, target, &one, last) == 0) {
                json_key(&j, "report");
                json_raw(&j, one.buf);
                done++;
            } else
                json_kstr(&j, "error", nd->s ? last : nd->error);
            sb_free(&one);
            json_obj_end(&j);
        }
        json_arr_end(&j);
        json_obj_end(&j);
        sb_putc(out, '\n');
    } else {
        sb_printf(out, "# OTP Analysis: the cluster of %s\n\n", cl->nodes[0].name);
        cluster_render_section(cl, out);
        for (size_t i = 0; i < cl->n; i++) {
            cluster_node *nd = &cl->nodes[i];
            sb_printf(out, "---\n\n## Node %s\n\n", nd->name);
            if (!nd->s) {
                sb_puts(out, "Not collected: ");
                sb_puts(out, nd->error);
                sb_puts(out, "\n\n");
                continue;
            }
            strbuf one;
            sb_init(&one);
            if (report_markdown(nd->s, &nd->f, target, &one, last) == 0) {
                sb_add(out, one.buf, one.len);
                sb_putc(out, '\n');
                done++;
            } else
                sb_printf(out, "%s\n\n", last);
            sb_free(&one);
        }
    }
    if (!done)
        return errf(err, "%s", last[0] ? last : "no node of the cluster was collected");
    return 0;
}
