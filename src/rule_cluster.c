/* rule_cluster.c — what only the whole cluster shows (--cluster): a :global name that
 * callers on other nodes wait on; a pg scope missing on a node; one application at
 * different versions, or with a different tree at the same version; a node missing an
 * application its peers run. Each reads every collected node's snapshot at once; pids of
 * two snapshots compare by node name (cluster_pid_eq). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "cluster.h"
#include "fmt.h"
#include "rules.h"

/* ---- global-name-callers ----------------------------------------------------------------- */

/* per node, the processes waiting in a call (gen:do_call): few on any node, so each :global
 * name looks at these alone, not at every process again */
static uint32_t *in_call(const snap *s, uint32_t *n)
{
    uint32_t *w = xcalloc(s->procs.len ? s->procs.len : 1, sizeof *w);
    *n = 0;
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const char *cf = snap_str(s, snap_proc_at(s, i)->current_function);
        if (!strcmp(cf, "gen:do_call/4") || !strcmp(cf, "gen:do_call/3"))
            w[(*n)++] = i;
    }
    return w;
}

/* of those, the ones monitoring the process `pid` of snapshot `owner`: a gen_server call in
 * flight to it, the exact evidence */
static uint32_t waiting_on(const snap *s, const uint32_t *calls, uint32_t n_calls, const snap *owner, oa_pid pid)
{
    uint32_t n = 0;
    const oa_pid *refs = s->refs.items;
    for (uint32_t k0 = 0; k0 < n_calls; k0++) {
        const snap_proc *c = snap_proc_at(s, calls[k0]);
        const oa_pid *mons = refs + c->refs + 1 + c->n_anc + c->n_links;
        for (uint32_t k = 0; k < c->n_mons; k++)
            if (cluster_pid_eq(s, mons[k], owner, pid)) {
                n++;
                break;
            }
    }
    return n;
}

/* is the :global name `key` (node i's g-th) listed by an earlier node, or earlier on node i?
 * :global keeps the same table on every node: each name is judged once */
static int global_seen(const struct cluster *cl, size_t i, size_t g, const char *key)
{
    for (size_t k = 0; k <= i; k++) {
        const snap *t = cl->nodes[k].s;
        size_t upto = k < i ? (t ? t->globals.len : 0) : g;
        for (size_t h = 0; h < upto; h++)
            if (!strcmp(snap_str(t, ((snap_name *)vec_at(&t->globals, h))->key), key))
                return 1;
    }
    return 0;
}

/* the name's process `pid` (of snapshot s) on its home node's snapshot hs: its path into
 * x, its longest queue returned (0 when hs does not show it) */
static uint32_t global_home(findings *out, finding *x, const snap *hs, const snap *s, oa_pid pid)
{
    for (uint32_t q = 0; q < hs->procs.len; q++) {
        if (!cluster_pid_eq(hs, snap_proc_at(hs, q)->pid, s, pid))
            continue;
        strbuf path;
        sb_init(&path);
        snap_proc_path(hs, snap_proc_at(hs, q), &path);
        x->path = findings_strdup(out, path.buf);
        sb_free(&path);
        return snap_mq_max(snap_proc_at(hs, q));
    }
    return 0;
}

static void run_global(const rule *self, const struct cluster *cl, const rule_opts *o, findings *out)
{
    double thr = rule_opt(o, "cluster.global_callers");
    uint32_t **calls = xcalloc(cl->n ? cl->n : 1, sizeof *calls),
             *n_calls = xcalloc(cl->n ? cl->n : 1, sizeof *n_calls);
    for (size_t k = 0; k < cl->n; k++)
        if (cl->nodes[k].s)
            calls[k] = in_call(cl->nodes[k].s, &n_calls[k]);
    for (size_t i = 0; i < cl->n; i++) {
        const snap *s = cl->nodes[i].s;
        for (size_t g = 0; s && g < s->globals.len; g++) {
            const snap_name *nm = vec_at(&s->globals, g);
            const char *key = snap_str(s, nm->key);
            if (global_seen(cl, i, g, key) || nm->pid.kind != PK_PID)
                continue;
            const char *home = cluster_pid_node(s, nm->pid);
            int hi = cluster_find(cl, home);
            const snap *hs = hi >= 0 ? cl->nodes[hi].s : NULL;
            uint32_t remote = 0, local = 0, nodes_waiting = 0;
            strbuf per;
            sb_init(&per);
            for (size_t k = 0; k < cl->n; k++) {
                const snap *t = cl->nodes[k].s;
                if (!t)
                    continue;
                uint32_t w = waiting_on(t, calls[k], n_calls[k], s, nm->pid);
                if ((int)k == hi) {
                    local = w;
                    continue;
                }
                remote += w;
                if (w) {
                    nodes_waiting++;
                    sb_printf(&per, "%s%u on %s", per.len ? ", " : "", w, cl->nodes[k].name);
                }
            }
            if (!remote) {
                sb_free(&per);
                continue; /* a :global name nobody elsewhere waits on: listed under nodes, no finding */
            }
            finding *x = findings_add(out, self->id, remote >= thr ? SEV_WARNING : SEV_INFO);
            x->subject = findings_printf(out, "{:global, %s}", key);
            char pid[128];
            snap_pid_text(s, nm->pid, pid, sizeof pid);
            x->pid = findings_strdup(out, pid);
            x->node = findings_strdup(out, home);
            uint32_t mq = hs ? global_home(out, x, hs, s, nm->pid) : 0;
            x->summary = findings_printf(
                out,
                "one process for the whole cluster, on %s: %u caller%s on %u other node%s wait%s in a call to it "
                "(%s)%s; %s; queue %u",
                home, remote, remote == 1 ? "" : "s", nodes_waiting, nodes_waiting == 1 ? "" : "s",
                remote == 1 ? "s" : "", per.buf, hs ? "" : " (its node was not collected)",
                hs ? findings_printf(out, "%u more wait on its own node", local) : "its own node unseen", mq);
            sb_free(&per);
            finding_ev(x, "callers_other_nodes", remote, "processes");
            finding_ev(x, "nodes_waiting", nodes_waiting, "nodes");
            if (hs) {
                finding_ev(x, "callers_own_node", local, "processes");
                finding_ev(x, "queue", mq, "messages");
            }
            x->weight = remote;
            x->recommendation = advice_text(out, hs ? hs : s, self->id, ADV_DEFAULT, NULL);
        }
    }
    for (size_t k = 0; k < cl->n; k++)
        free(calls[k]);
    free(calls);
    free(n_calls);
}

const rule rule_global_name_callers = {
    .id = "global-name-callers",
    .title = ":global name that callers on other nodes wait on",
    .max_severity = SEV_WARNING,
    .framework = "Global processes are bottlenecks; at cluster scale a :global name serialises every node.",
    .explain = "Cluster rule (--cluster). For each :global name: the node its process lives on, and the processes "
               "on the other nodes that wait in a call to it right now (in gen:do_call while monitoring that very "
               "pid: a gen_server call in flight, the exact evidence; pids compared by node name, number, serial "
               "and creation). A warning from cluster.global_callers callers on other nodes, an info below; a name "
               "nobody elsewhere waits on gives no finding (`nodes` lists every :global name and where it lives). "
               "Its own node's callers and queue are evidence too (global-bottleneck judges that node alone). "
               "Cannot see: casts, and calls that came and went between the looks. Fix: a process per node found "
               "through pg, or the state partitioned by key; :global only for what must be serialised once.",
    .run_cluster = run_global,
    .pattern = "a process per node found through pg (or the state partitioned by key) instead of one :global name",
    .thresholds =
        (const threshold_def[]){
            {"cluster.global_callers", 2, "processes",
             "callers on other nodes waiting on a :global name for a warning (fewer: info)"},
            {NULL, 0, NULL, NULL},
        },
};

/* ---- present on some nodes, not on others --------------------------------------------------- */

/* how serious one node's lack of something k of the n collected nodes have is: -1 none (all
 * have it, or one node alone has it: a role); warning when every other node has it (n >= 3:
 * the odd one out); info otherwise (nodes split: plausibly roles) */
static int missing_severity(size_t k, size_t n)
{
    if (k == n || k == 0 || (k == 1 && n >= 3))
        return -1;
    return k == n - 1 && n >= 3 ? SEV_WARNING : SEV_INFO;
}

typedef int (*has_fn)(const snap *s, const char *what);

static int has_app(const snap *s, const char *app)
{
    for (size_t a = 0; a < s->apps.len; a++)
        if (!strcmp(snap_str(s, ((snap_app *)vec_at(&s->apps, a))->name), app))
            return 1;
    return 0;
}

static int has_scope(const snap *s, const char *scope)
{
    for (size_t a = 0; a < s->pgs.len; a++)
        if (!strcmp(snap_str(s, ((snap_pg *)vec_at(&s->pgs, a))->scope), scope))
            return 1;
    return 0;
}

/* one finding a node that lacks `what` */
static void missing(const struct cluster *cl, const char *rule_id, const char *kind, const char *what, has_fn has,
                    findings *out)
{
    size_t n = 0, k = 0;
    strbuf with, without;
    sb_init(&with);
    sb_init(&without);
    for (size_t i = 0; i < cl->n; i++) {
        const snap *s = cl->nodes[i].s;
        if (!s)
            continue;
        n++;
        if (has(s, what)) {
            k++;
            sb_printf(&with, "%s%s", with.len ? ", " : "", cl->nodes[i].name);
        } else
            sb_printf(&without, "%s%s", without.len ? ", " : "", cl->nodes[i].name);
    }
    int sev = missing_severity(k, n);
    for (size_t i = 0; sev >= 0 && i < cl->n; i++) {
        const snap *s = cl->nodes[i].s;
        if (!s || has(s, what))
            continue;
        finding *x = findings_add(out, rule_id, sev);
        x->subject = findings_printf(out, "%s %s", kind, what);
        x->node = findings_strdup(out, cl->nodes[i].name);
        x->path = x->node;
        x->summary = findings_printf(out, "%s runs no %s %s; %zu of the %zu nodes collected do (%s)%s",
                                     cl->nodes[i].name, kind, what, k, n, with.buf,
                                     sev == SEV_INFO ? findings_printf(out, "; without it: %s", without.buf) : "");
        finding_ev(x, "nodes_with", (double)k, "nodes");
        finding_ev(x, "nodes_collected", (double)n, "nodes");
        x->weight = (double)k;
        x->recommendation = advice_text(out, NULL, rule_id, ADV_DEFAULT, NULL);
    }
    sb_free(&with);
    sb_free(&without);
}

/* add the name nm to names (const char *) unless it is there */
static void add_once(vec *names, const char *nm)
{
    for (size_t k = 0; k < names->len; k++)
        if (!strcmp(*(const char **)vec_at(names, k), nm))
            return;
    *(const char **)vec_push(names) = nm;
}

/* the names of the user's applications, each once, over every collected node */
static void user_apps(const struct cluster *cl, vec *names)
{
    vec_init(names, sizeof(const char *));
    for (size_t i = 0; i < cl->n; i++) {
        const snap *s = cl->nodes[i].s;
        for (size_t a = 0; s && a < s->apps.len; a++) {
            const snap_app *ap = vec_at(&s->apps, a);
            if (ap->runtime)
                continue;
            add_once(names, snap_str(s, ap->name));
        }
    }
}

static void run_app_missing(const rule *self, const struct cluster *cl, const rule_opts *o, findings *out)
{
    (void)o;
    vec names;
    user_apps(cl, &names);
    for (size_t k = 0; k < names.len; k++)
        missing(cl, self->id, "application", *(const char **)vec_at(&names, k), has_app, out);
    vec_free(&names);
}

const rule rule_app_missing_on_node = {
    .id = "app-missing-on-node",
    .title = "a node missing an application its peers run",
    .max_severity = SEV_WARNING,
    .framework = "Distribution: every node of a cluster that shares work runs the same release.",
    .explain = "Cluster rule (--cluster). An application of yours (not OTP's or Elixir's own) running on some "
               "collected nodes and not on another. A warning when every other node runs it (three nodes or more: "
               "the odd one out, most likely a node that failed to start it or an old release); an info when the "
               "nodes are split (plausibly roles: web nodes and worker nodes); nothing when one node alone runs it "
               "(a role of that node). Nodes not collected are not judged. Cannot see: an application loaded but "
               "not started, nor why a node lacks it. Fix: start it there, or give the role its own release.",
    .run_cluster = run_app_missing,
};

static void run_pg_missing(const rule *self, const struct cluster *cl, const rule_opts *o, findings *out)
{
    (void)o;
    vec names;
    vec_init(&names, sizeof(const char *));
    for (size_t i = 0; i < cl->n; i++) {
        const snap *s = cl->nodes[i].s;
        for (size_t a = 0; s && a < s->pgs.len; a++) {
            add_once(&names, snap_str(s, ((snap_pg *)vec_at(&s->pgs, a))->scope));
        }
    }
    for (size_t k = 0; k < names.len; k++)
        missing(cl, self->id, "pg scope", *(const char **)vec_at(&names, k), has_scope, out);
    vec_free(&names);
}

const rule rule_pg_scope_missing = {
    .id = "pg-scope-missing",
    .title = "a pg scope not running on every node",
    .max_severity = SEV_WARNING,
    .framework = "Distribution: process groups only span the nodes that run their scope.",
    .explain = "Cluster rule (--cluster). A pg scope (a process started as pg's, found by its initial call) that "
               "runs on some collected nodes and not on another: members there cannot join, and its peers never "
               "see them. The same severity as app-missing-on-node: a warning when every other node runs it (three "
               "nodes or more), an info when the nodes are split, nothing when one node alone runs it. `nodes` and "
               "the report list each group's members on each node. Cannot see: a scope started under a name "
               "pg's initial call does not show. Fix: start the scope on every node that takes part.",
    .run_cluster = run_pg_missing,
};

/* ---- app-version-skew, app-tree-differs ------------------------------------------------- */

static const snap_app *app_of(const snap *s, const char *name)
{
    for (size_t a = 0; a < s->apps.len; a++) {
        const snap_app *ap = vec_at(&s->apps, a);
        if (!strcmp(snap_str(s, ap->name), name))
            return ap;
    }
    return NULL;
}

/* the version of one thing on a node, NULL if the node does not run it */
typedef const char *(*version_fn)(const snap *s, const void *what);

static const char *runtime_vsn(const snap *s, const void *what)
{
    oa_str v = *(const int *)what == 0 ? s->info.otp_release : s->info.elixir_version;
    return v ? snap_str(s, v) : NULL;
}

static const char *app_vsn(const snap *s, const void *app)
{
    const snap_app *ap = app_of(s, app);
    return ap ? snap_str(s, ap->vsn) : NULL;
}

/* "node1 1.0, node2 1.1" into per and how many nodes run it into *nodes; 1 if their
 * versions differ */
static int versions(const struct cluster *cl, version_fn v, const void *what, strbuf *per, int *nodes)
{
    const char *first = NULL;
    int differ = 0;
    *nodes = 0;
    for (size_t i = 0; i < cl->n; i++) {
        const snap *s = cl->nodes[i].s;
        const char *vs = s ? v(s, what) : NULL;
        if (!vs)
            continue;
        (*nodes)++;
        if (first && strcmp(first, vs))
            differ = 1;
        if (!first)
            first = vs;
        sb_printf(per, "%s%s %s", per->len ? ", " : "", cl->nodes[i].name, vs);
    }
    return differ;
}

static void run_version_skew(const rule *self, const struct cluster *cl, const rule_opts *o, findings *out)
{
    (void)o;
    /* the runtime itself first: one finding for the OTP release, one for Elixir's */
    for (int what = 0; what < 2; what++) {
        strbuf per;
        sb_init(&per);
        int nodes;
        if (versions(cl, runtime_vsn, &what, &per, &nodes)) {
            finding *x = findings_add(out, self->id, SEV_WARNING);
            x->subject = what == 0 ? "OTP release" : "Elixir";
            x->summary = findings_printf(out, "%s differs between the nodes: %s", x->subject, per.buf);
            finding_ev(x, "nodes", nodes, "nodes");
            x->weight = 100;
            x->recommendation = advice_text(out, NULL, self->id, ADV_VERSION_SKEW_RUNTIME, NULL);
        }
        sb_free(&per);
    }
    vec names;
    user_apps(cl, &names);
    for (size_t k = 0; k < names.len; k++) {
        const char *app = *(const char **)vec_at(&names, k);
        strbuf per;
        sb_init(&per);
        int nodes;
        if (versions(cl, app_vsn, app, &per, &nodes)) {
            finding *x = findings_add(out, self->id, SEV_WARNING);
            x->subject = findings_printf(out, "application %s", app);
            x->summary = findings_printf(out, "%s runs at different versions: %s", app, per.buf);
            finding_ev(x, "nodes", nodes, "nodes");
            x->weight = 10;
            x->recommendation = advice_text(out, NULL, self->id, ADV_DEFAULT, NULL);
        }
        sb_free(&per);
    }
    vec_free(&names);
}

const rule rule_app_version_skew = {
    .id = "app-version-skew",
    .title = "one application at different versions on different nodes",
    .max_severity = SEV_WARNING,
    .framework = "Distribution: processes on different nodes exchange messages; their code must agree.",
    .explain = "Cluster rule (--cluster). An application of yours running at different versions (its .app "
               "vsn) on two collected nodes, one finding listing every node's version; the OTP release and "
               "Elixir's version compared the same way, one finding each. Always a warning: a deploy left half "
               "done. Cannot see: code changed without a new vsn (app-tree-differs sees a tree that changed). "
               "Fix: finish the deploy, or make the mixed period explicit.",
    .run_cluster = run_version_skew,
};

/* an application's tree as a set of paths of static children ("Top/child/grandchild"); a
 * supervisor that starts children at run time is one path with a '*' (its children vary by
 * load, not by code); child ids are node-independent */
static void tree_paths(const snap *s, uint32_t sup, const char *prefix, int depth, vec *paths)
{
    if (sup == SNAP_NONE || sup >= s->sups.len || depth > 32)
        return;
    const snap_sup *sp = snap_sup_at(s, sup);
    if (snap_sup_on_demand(s, sp)) {
        char *p = xmalloc(strlen(prefix) + 3);
        sprintf(p, "%s/*", prefix);
        *(char **)vec_push(paths) = p;
        return;
    }
    for (uint32_t c = 0; c < sp->n_children; c++) {
        const snap_child *ch = &VEC_AT(&s->children, snap_child, sp->children + c);
        const char *id = ch->id ? snap_str(s, ch->id) : "?";
        char *p = xmalloc(strlen(prefix) + strlen(id) + 2);
        sprintf(p, "%s/%s", prefix, id);
        *(char **)vec_push(paths) = p;
        if (ch->type == 1 && ch->proc != SNAP_NONE && ch->proc < s->procs.len)
            tree_paths(s, snap_proc_at(s, ch->proc)->own_sup, p, depth + 1, paths);
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_paths(vec *v)
{
    for (size_t i = 0; i < v->len; i++)
        free(*(char **)vec_at(v, i));
    vec_free(v);
}

static int has_path(const vec *v, const char *p)
{
    return v->len && bsearch(&p, v->items, v->len, sizeof(char *), cmp_str) != NULL;
}

static void run_tree_differs(const rule *self, const struct cluster *cl, const rule_opts *o, findings *out)
{
    (void)o;
    vec names;
    user_apps(cl, &names);
    vec *paths = xcalloc(cl->n, sizeof *paths);
    for (size_t k = 0; k < names.len; k++) {
        const char *app = *(const char **)vec_at(&names, k);
        for (size_t i = 0; i < cl->n; i++) {
            vec_init(&paths[i], sizeof(char *));
            const snap *s = cl->nodes[i].s;
            const snap_app *ap = s ? app_of(s, app) : NULL;
            if (ap && ap->top_sup != SNAP_NONE) {
                tree_paths(s, ap->top_sup, "", 0, &paths[i]);
                if (paths[i].len)
                    qsort(paths[i].items, paths[i].len, sizeof(char *), cmp_str);
            }
        }
        /* the nodes at the same version, compared with the first of them that has a tree;
         * one finding a node whose tree differs from it */
        size_t ref = cl->n;
        for (size_t i = 0; i < cl->n && ref == cl->n; i++) {
            const snap *s = cl->nodes[i].s;
            const snap_app *ap = s ? app_of(s, app) : NULL;
            if (ap && ap->top_sup != SNAP_NONE)
                ref = i;
        }
        for (size_t i = 0; ref < cl->n && i < cl->n; i++) {
            if (i == ref)
                continue;
            const snap *s = cl->nodes[i].s, *rs = cl->nodes[ref].s;
            const snap_app *ap = s ? app_of(s, app) : NULL, *rap = app_of(rs, app);
            if (!ap || ap->top_sup == SNAP_NONE || strcmp(snap_str(s, ap->vsn), snap_str(rs, rap->vsn)))
                continue; /* not running it, no tree, or another version (app-version-skew's) */
            strbuf extra, lack;
            sb_init(&extra);
            sb_init(&lack);
            int n_extra = 0, n_lack = 0;
            for (size_t p = 0; p < paths[i].len; p++) {
                const char *x = *(char **)vec_at(&paths[i], p);
                if (!has_path(&paths[ref], x) && n_extra++ < 5)
                    sb_printf(&extra, "%s%s", extra.len ? ", " : "", x);
            }
            for (size_t p = 0; p < paths[ref].len; p++) {
                const char *x = *(char **)vec_at(&paths[ref], p);
                if (!has_path(&paths[i], x) && n_lack++ < 5)
                    sb_printf(&lack, "%s%s", lack.len ? ", " : "", x);
            }
            if (n_extra || n_lack) {
                finding *x = findings_add(out, self->id, SEV_WARNING);
                x->subject = findings_printf(out, "application %s", app);
                x->node = findings_strdup(out, cl->nodes[i].name);
                x->path = x->node;
                x->summary = findings_printf(
                    out, "%s %s on %s and on %s, yet different trees: %s has %d child%s %s lacks%s%s%s%s", app,
                    snap_str(s, ap->vsn), cl->nodes[ref].name, cl->nodes[i].name, cl->nodes[i].name, n_extra,
                    n_extra == 1 ? "" : "ren", cl->nodes[ref].name, n_extra ? " (" : "", extra.buf, n_extra ? ")" : "",
                    n_lack ? findings_printf(out, " and lacks %d of its (%s)", n_lack, lack.buf) : "");
                finding_ev(x, "children_extra", n_extra, "children");
                finding_ev(x, "children_missing", n_lack, "children");
                x->weight = n_extra + n_lack;
                x->recommendation = advice_text(out, NULL, self->id, ADV_DEFAULT, NULL);
            }
            sb_free(&extra);
            sb_free(&lack);
        }
        for (size_t i = 0; i < cl->n; i++)
            free_paths(&paths[i]);
    }
    free(paths);
    vec_free(&names);
}

const rule rule_app_tree_differs = {
    .id = "app-tree-differs",
    .title = "one application, one version, different trees on different nodes",
    .max_severity = SEV_WARNING,
    .framework = "Supervision trees are the architecture: the same release should build the same tree.",
    .explain = "Cluster rule (--cluster). An application of yours at the same version on two collected nodes whose "
               "supervision trees differ: the static children (by child id, at every level) one node has and the "
               "other lacks. Children a DynamicSupervisor, Task.Supervisor or simple_one_for_one starts at run "
               "time are not compared (they follow load), nor are child states (a child restarting is "
               "restart-churn's). Compared with the first node that runs the application; a warning. Cannot see: "
               "changed code behind the same child ids. Fix: make the difference explicit configuration, or "
               "version the change.",
    .run_cluster = run_tree_differs,
};
