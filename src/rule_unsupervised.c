/* rule_unsupervised.c — unsupervised-process and unsupervised-task.
 * "Where's the supervision?" — always supervise; Task.Supervisor for production.
 * Processes are grouped by class and code, so 1,000 spawned workers are one finding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "codegen.h"
#include "fmt.h"
#include "rules.h"

typedef struct {
    int cls, watched;
    char module[256];
    uint32_t first, count;
    uint32_t by;     /* the unsupervised process that started it (or, a plain spawn, the one it is
                        linked to), or SNAP_NONE */
    int linked_only; /* `by` is known by a link alone (a plain spawn has no '$ancestors') */
} ugroup;

static const char *class_story(int cls)
{
    switch (cls) {
    case PC_LINKED_HELPER:
        return "linked to a supervised process: it dies with it, but nothing restarts it and no supervisor "
               "knows it exists";
    case PC_SPAWNED_UNLINKED:
        return "spawned by a supervised process but neither linked nor supervised: it outlives its parent's "
               "crashes and restarts, silently";
    case PC_APP_ORPHAN:
        return "started by the application's code outside any supervision tree";
    default:
        return "started from a script, a remote shell or an RPC, outside every supervision tree";
    }
}

/* does the process that spawned p monitor it? Then p is its owner's to manage (acceptors
 * spawned and monitored by a listener, as yaws_server does): the owner sees it exit. */
static int watched_by_spawner(const snap *s, const snap_proc *p)
{
    if (!p->n_anc)
        return 0;
    const oa_pid *refs = s->refs.items;
    uint32_t q = snap_find_pid(s, refs[p->refs + 1]);
    if (q == SNAP_NONE)
        return 0;
    const snap_proc *qp = snap_proc_at(s, q);
    const oa_pid *mons = refs + qp->refs + 1 + qp->n_anc + qp->n_links;
    for (uint32_t k = 0; k < qp->n_mons; k++)
        if (oa_pid_eq(mons[k], p->pid))
            return 1;
    return 0;
}

static int linked_to(const snap *s, const snap_proc *p, oa_pid q)
{
    const oa_pid *links = (const oa_pid *)s->refs.items + p->refs + 1 + p->n_anc;
    for (uint32_t l = 0; l < p->n_links; l++)
        if (oa_pid_eq(links[l], q))
            return 1;
    return 0;
}

/* a process a story may name as the starter of another: of the code under study (not the
 * runtime's, not an application master's), outside every tree, not a supervisor */
static int names_a_starter(const snap *s, uint32_t q)
{
    const snap_proc *qp = snap_proc_at(s, q);
    return proc_class_unsupervised(qp->cls) && qp->own_sup == SNAP_NONE;
}

/* who started p, as far as the snapshot shows, for an orphan (application's or foreign):
 * its parent ('$ancestors') when that is a live unsupervised process or the script's; a
 * plain spawn linked to exactly one such process: that one, *linked_only set */
static uint32_t orphan_starter(const snap *s, const snap_proc *p, uint32_t parent, uint32_t runner, int *linked_only)
{
    *linked_only = 0;
    if (p->cls != PC_APP_ORPHAN && p->cls != PC_FOREIGN_ORPHAN)
        return SNAP_NONE;
    if (parent != SNAP_NONE)
        return parent == runner || names_a_starter(s, parent) ? parent : SNAP_NONE;
    if (p->n_anc)
        return SNAP_NONE; /* its parent has exited */
    const oa_pid *links = (const oa_pid *)s->refs.items + p->refs + 1 + p->n_anc;
    uint32_t found = SNAP_NONE;
    for (uint32_t l = 0; l < p->n_links; l++) {
        if (links[l].kind != PK_PID)
            continue; /* a port */
        uint32_t q = snap_find_pid(s, links[l]);
        if (q == SNAP_NONE || snap_proc_at(s, q)->cls == PC_RUNTIME || snap_proc_at(s, q)->cls == PC_ADVISOR)
            continue;
        if (found != SNAP_NONE || (q != runner && !names_a_starter(s, q)))
            return SNAP_NONE; /* linked to several, or to a tree: no one starter to name */
        found = q;
    }
    *linked_only = found != SNAP_NONE;
    return found;
}

/* is the script's process linked to the root of a tree started outside every application?
 * That tree's finding then speaks for the script too */
static int runner_started_tree(const snap *s, const snap_proc *p)
{
    const oa_pid *links = (const oa_pid *)s->refs.items + p->refs + 1 + p->n_anc;
    for (uint32_t l = 0; l < p->n_links; l++) {
        uint32_t q = snap_find_pid(s, links[l]);
        if (q != SNAP_NONE && snap_proc_at(s, q)->own_sup != SNAP_NONE &&
            snap_sup_root(s, snap_proc_at(s, q)->own_sup) == SR_ORPHAN)
            return 1;
    }
    return 0;
}

/* the script's own process (`mix run -e`, `elixir FILE`): the script, not a service's
 * process. Silent when the tree it started has its finding; otherwise one info */
static void script_runner_finding(const rule *self, const snap *s, findings *out, uint32_t i)
{
    const snap_proc *p = snap_proc_at(s, i);
    if (runner_started_tree(s, p))
        return;
    finding *x = findings_add(out, self->id, SEV_INFO);
    finding_subject_proc(out, x, s, i);
    x->subject = findings_strdup(out, "the script's process");
    finding_ev(x, "processes", 1, "");
    finding_ev(x, "reductions", (double)p->reds, "");
    finding_ev(x, "memory", (double)p->mem, "B");
    char cf[256];
    fmt_mfa(snap_str(s, p->current_function), cf, sizeof cf);
    x->summary = findings_printf(
        out,
        "%s runs the code of a script (`mix run -e`, `mix run FILE` or `elixir FILE`: Elixir's CLI monitors it and "
        "waits for it to end); it is now in %s. It is the script itself, not a process of an application: when "
        "it returns the node stops (unless --no-halt), and no supervisor restarts what it runs.",
        x->pid, cf);
    x->recommendation = advice_text(out, s, self->id, ADV_UNSUPERVISED_SCRIPT, NULL);
}

/* the name a group goes by: its code's module, or, code unseen, its registered name */
static void group_module(const snap *s, const snap_proc *p, char *mod, size_t n)
{
    if (!proc_module_name(s, p, mod, n) && (p->name || p->alt_name)) {
        /* code unseen: a name is all that tells two spawned funs apart */
        char nm[200];
        snap_proc_label(s, p, nm, sizeof nm);
        snprintf(mod, n, "a spawned fun named %s", nm);
    }
}

/* the unsupervised processes of one kind (tasks or not), grouped by class, code and starter;
 * the script's own process gets its finding here */
static void collect_groups(const rule *self, const snap *s, findings *out, int tasks, vec *groups)
{
    uint32_t *parent = procs_parent(s), runner = snap_script_runner(s);
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_proc *p = snap_proc_at(s, i);
        if (!proc_class_unsupervised(p->cls) || rule_exempt(s, p) || proc_is_task(s, p) != tasks)
            continue;
        if (s->has_sample2 && !(p->flags & PF_SAMPLE2))
            continue; /* exited during the window: not a long-lived process */
        if (i == runner) {
            if (!tasks)
                script_runner_finding(self, s, out, i);
            continue;
        }
        char mod[256];
        group_module(s, p, mod, sizeof mod);
        int watched = p->cls == PC_SPAWNED_UNLINKED && watched_by_spawner(s, p);
        int linked_only;
        uint32_t by = orphan_starter(s, p, parent[i], runner, &linked_only);
        if (by != SNAP_NONE && linked_only && snap_proc_at(s, by)->cls == p->cls) {
            /* linked to a process of its own kind (two plain spawns of unseen code, a pair
             * that works together): siblings, one finding for both, as before */
            char bmod[256];
            group_module(s, snap_proc_at(s, by), bmod, sizeof bmod);
            if (!strcmp(bmod, mod))
                by = SNAP_NONE, linked_only = 0;
        }
        ugroup *g = NULL;
        for (size_t k = 0; k < groups->len; k++) {
            ugroup *c = vec_at(groups, k);
            if (c->cls == p->cls && c->watched == watched && c->by == by && c->linked_only == linked_only &&
                !strcmp(c->module, mod))
                g = c;
        }
        if (!g) {
            g = vec_push(groups);
            g->cls = p->cls;
            g->watched = watched;
            g->by = by;
            g->linked_only = linked_only;
            snprintf(g->module, sizeof g->module, "%s", mod);
            g->first = i;
        }
        g->count++;
    }
    free(parent);
}

/* how a group came to run outside every tree: its class's story, or who started it when
 * the snapshot shows it (a server starting its own workers, the script's process) */
static const char *group_story(const snap *s, findings *out, const ugroup *g, const snap_proc *p)
{
    if (g->by == SNAP_NONE)
        return class_story(g->cls);
    char who[256], wpid[64];
    snap_pid_text(s, snap_proc_at(s, g->by)->pid, wpid, sizeof wpid);
    snap_proc_label(s, snap_proc_at(s, g->by), who, sizeof who);
    if (g->by == snap_script_runner(s))
        return findings_printf(out,
                               "%s by the script's process %s (the code `mix run -e` or `elixir FILE` "
                               "runs), outside every supervision tree",
                               g->linked_only ? "linked to and probably started" : "started", wpid);
    int linked = g->linked_only || linked_to(s, p, snap_proc_at(s, g->by)->pid);
    return findings_printf(out, "%s %s%s%s%s, itself outside every supervision tree: %snothing restarts either",
                           g->linked_only ? "linked to" : "started by", who, strcmp(who, wpid) ? " " : "",
                           strcmp(who, wpid) ? wpid : "",
                           g->linked_only ? " (a plain spawn: no record of who started it)"
                           : linked       ? " and linked to it"
                                          : "",
                           linked ? "they go down together and " : "");
}

/* which child spec the advice can give a group of processes: the language's, one that
 * starts (Erlang: start_link/0 only where the module exports it, recorded by the
 * collector, -1 in older snapshots), named after the code it runs when that is seen */
static const char *group_advice(const rule *self, const snap *s, findings *out, const ugroup *g, const snap_proc *p)
{
    char raw[256], ar[32] = "";
    int known = proc_module_raw(s, p, raw, sizeof raw), variant;
    advice_args a = {.atom = known ? raw : NULL, .arg = {g->module, ar}};
    if (!s->info.elixir_version) {
        int sl = known ? snap_start_link_arities(s, raw) : -1;
        for (int n = 1; n < 4 && sl > 0 && !(sl & 1); n++)
            if (sl & (1 << n))
                snprintf(ar + strlen(ar), sizeof ar - strlen(ar), "%s%d", ar[0] ? " and /" : "", n);
        variant = sl > 0 && !(sl & 1) ? ADV_UNSUPERVISED_ERL_ARITY
                  : sl > 0            ? ADV_UNSUPERVISED_ERL_EXPORTS
                  : known             ? ADV_UNSUPERVISED_ERL_GIVE
                                      : ADV_UNSUPERVISED_ERL_UNSEEN;
    } else if (proc_runs_fun(s, p) || !(known && cg_is_ex_alias(raw))) {
        /* a fun, or code outside an Elixir module: the Worker is named after the module
         * whose code it runs (its '$initial_call'), never after where it waits now (a fun
         * in Process.sleep/1 is no Process.Worker); unseen code gets a placeholder */
        variant = known ? ADV_UNSUPERVISED_EX_FUN : ADV_UNSUPERVISED_EX_UNSEEN;
        if (!(known && cg_is_ex_alias(raw)))
            a.atom = NULL;
    } else
        variant = ADV_UNSUPERVISED_EX_MODULE;
    const char *r = advice_text(out, s, self->id, variant, &a);
    if (g->cls == PC_LINKED_HELPER)
        r = findings_printf(out, "%s%s", r, advice_text(out, s, self->id, ADV_UNSUPERVISED_HELPER_NOTE, NULL));
    return r;
}

static void group_finding(const rule *self, const snap *s, findings *out, const ugroup *g, int tasks)
{
    int sev = (g->cls == PC_LINKED_HELPER || g->watched) && !tasks ? SEV_INFO : SEV_WARNING;
    finding *x = findings_add(out, self->id, sev);
    finding_subject_proc(out, x, s, g->first);
    if (g->count > 1)
        x->subject = findings_printf(out, "%u \xc3\x97 %s (e.g. %s)", g->count, g->module, x->pid);
    finding_ev(x, "processes", g->count, "");
    const snap_proc *p = snap_proc_at(s, g->first);
    finding_ev(x, "reductions", (double)p->reds, "");
    finding_ev(x, "memory", (double)p->mem, "B");
    x->count = g->count;
    const char *kind = proc_kind_name(s, p);
    int named_kind = strcmp(kind, "process") != 0;
    x->summary = findings_printf(out, "%s%s%s%s running %s: %s (%s).%s",
                                 g->count > 1 ? findings_printf(out, "%u processes", g->count) : "a process",
                                 named_kind ? " (" : "", named_kind ? kind : "", named_kind ? ")" : "", g->module,
                                 group_story(s, out, g, p), proc_class_name((enum proc_class)g->cls),
                                 g->watched ? " The process that spawned it monitors it, so it sees it exit; "
                                              "only a crash of that owner leaves it running."
                                            : "");
    char modraw[256];
    if (!proc_module_raw(s, p, modraw, sizeof modraw)) {
        /* where it waits is evidence, never its name */
        char cf[256];
        fmt_mfa(snap_str(s, p->current_function), cf, sizeof cf);
        x->summary = findings_printf(out, "%s Its code cannot be seen (%s); %s is now in %s.", x->summary,
                                     proc_runs_fun(s, p) ? "a plain spawn of a fun" : "started in a library function",
                                     x->pid, cf);
    }
    x->recommendation = tasks ? advice_text(out, s, self->id, ADV_DEFAULT, NULL) : group_advice(self, s, out, g, p);
}

static void run_kind(const rule *self, const snap *s, findings *out, int tasks)
{
    vec groups;
    vec_init(&groups, sizeof(ugroup));
    collect_groups(self, s, out, tasks, &groups);
    for (size_t k = 0; k < groups.len; k++)
        group_finding(self, s, out, vec_at(&groups, k), tasks);
    vec_free(&groups);
}

/* Is p linked to a process inside a tree (a Registry partition aside)? Then a root is owned:
 * a supervisor a supervised worker started for itself (poolboy's pool supervisor), or a
 * child whose parent is letting it go. */
static int linked_into_tree(const snap *s, const snap_proc *p, uint32_t k)
{
    const oa_pid *links = (const oa_pid *)s->refs.items + p->refs + 1 + p->n_anc;
    for (uint32_t l = 0; l < p->n_links; l++) {
        uint32_t q = snap_find_pid(s, links[l]);
        if (q == SNAP_NONE || (snap_proc_at(s, q)->flags & PF_REGISTRY_PART))
            continue;
        const snap_proc *qp = snap_proc_at(s, q);
        if (qp->sup == k) /* its own child */
            continue;
        /* a child row somewhere, or a supervisor that is not itself an orphan root */
        if (qp->child != SNAP_NONE || (qp->own_sup != SNAP_NONE && snap_sup_root(s, qp->own_sup) != SR_ORPHAN))
            return 1;
    }
    return 0;
}

/* A supervision tree started outside every application (a script, iex, a test, a library
 * call): its root gets one finding, about the tree; what runs below it is supervised. */
static void run_orphan_roots(const rule *self, const snap *s, findings *out)
{
    uint32_t runner = snap_script_runner(s);
    /* processes below each root: one climb per process (a scan of every process for every
     * root was quadratic) */
    uint32_t *below_of = xcalloc(s->sups.len ? s->sups.len : 1, sizeof *below_of);
    for (uint32_t i = 0; i < s->procs.len; i++) {
        /* every supervisor on the way up counts it: a root's count is all below it */
        uint32_t up = snap_proc_at(s, i)->sup;
        for (int d = 0; up != SNAP_NONE && d < 64; d++, up = snap_sup_at(s, up)->parent)
            below_of[up]++;
    }
    for (uint32_t k = 0; k < s->sups.len; k++) {
        const snap_sup *sp = snap_sup_at(s, k);
        if (sp->proc == SNAP_NONE || snap_sup_root(s, k) != SR_ORPHAN)
            continue;
        const snap_proc *p = snap_proc_at(s, sp->proc);
        if (rule_exempt(s, p) || (s->has_sample2 && !(p->flags & PF_SAMPLE2)) || linked_into_tree(s, p, k))
            continue;
        uint32_t below = below_of[k];
        finding *x = findings_add(out, self->id, SEV_WARNING);
        finding_subject_sup(out, x, s, k);
        finding_ev(x, "children", sp->n_children, "");
        finding_ev(x, "processes_below", below, "");
        /* who started it, when that process is still there: the script's process, or a
         * process of the code under study */
        const char *from = "from a script, a shell, a test or a library call";
        uint32_t by = SNAP_NONE;
        if (p->n_anc) {
            oa_pid a = ((const oa_pid *)s->refs.items)[p->refs + 1];
            by = a.kind == PK_PID ? snap_find_pid(s, a) : SNAP_NONE;
        }
        if (by != SNAP_NONE && (by == runner || (proc_class_unsupervised(snap_proc_at(s, by)->cls) &&
                                                 !rule_exempt(s, snap_proc_at(s, by))))) {
            char who[256], wpid[64];
            snap_pid_text(s, snap_proc_at(s, by)->pid, wpid, sizeof wpid);
            snap_proc_label(s, snap_proc_at(s, by), who, sizeof who);
            from = by == runner ? findings_printf(out,
                                                  "from the script's process %s (the code `mix run -e` or `elixir "
                                                  "FILE` runs)",
                                                  wpid)
                                : findings_printf(out, "by %s%s%s, itself outside every supervision tree", who,
                                                  strcmp(who, wpid) ? " " : "", strcmp(who, wpid) ? wpid : "");
        }
        x->summary = findings_printf(
            out,
            "%s (%s%s%s, %u children, %u processes below it) is the root of a supervision tree started outside "
            "every application: %s. No application starts it, "
            "restarts it or stops it in order; when the process that started it exits, the whole tree goes down.",
            x->subject, sup_kind_name(sp->kind), sp->strategy ? " " : "", sp->strategy ? snap_str(s, sp->strategy) : "",
            sp->n_children, below, from);
        x->recommendation = advice_text(out, s, self->id, ADV_UNSUPERVISED_ORPHAN_ROOT, NULL);
    }
    free(below_of);
}

static void run_process(const rule *self, const snap *s, const rule_opts *o, findings *out)
{
    (void)o;
    run_kind(self, s, out, 0);
    run_orphan_roots(self, s, out);
}

static void run_task(const rule *self, const snap *s, const rule_opts *o, findings *out)
{
    (void)o;
    run_kind(self, s, out, 1);
}

const rule rule_unsupervised_process = {
    .id = "unsupervised-process",
    .title = "Process outside every supervision tree",
    .max_severity = SEV_WARNING,
    .framework =
        "\"I'll just start a process\" → Where's the supervision? Fault tolerance: Supervisor. Always supervise!",
    .explain = "Fires for a live process that no application's supervision tree reaches through "
               "which_children and that is not part of the runtime (kernel, stdlib, elixir, logger, the shell) "
               "or of this tool. Sub-classes: linked helper (info: linked to a supervised process), spawned "
               "but unlinked, application orphan, foreign orphan (warning). Links to Registry partitions do not "
               "count as supervision. The root of a supervision tree started outside every application (from a "
               "script, iex, a test) gets one warning for its whole tree, unless a supervised process owns it "
               "through a link (a pool's own supervisor). A process linked to a linked helper is one too; one "
               "its spawner monitors is info. Siblings (the same code) give one finding. Cannot see: the code of "
               "a plain spawn of a fun (its initial call is erlang:apply/2): the advice then says so and uses a "
               "placeholder (MyApp.Worker, my_worker), never the module it waits in. An orphan started by another "
               "unsupervised process is said to be started by it ('$ancestors'; a plain spawn linked to one only: "
               "linked to it). The process running a script's code (`mix run -e`, `elixir FILE`: Elixir's CLI "
               "monitors it) is the script, not an application's process: silent when the tree it started has "
               "its finding, else info. A process that also owns ETS tables gets one finding naming them (the "
               "tables' evidence and advice; ets-owner-at-risk then says nothing of it). Fix: give "
               "it a child spec and start it from a supervisor.",
    .run = run_process,
    .pattern = "Supervisor: give every process a place in the tree",
};

const rule rule_unsupervised_task = {
    .id = "unsupervised-task",
    .title = "Task started without a Task.Supervisor",
    .max_severity = SEV_WARNING,
    .framework = "One-off async work → Task. Task.Supervisor for production.",
    .explain = "Fires for a Task process (it carries '$callers') that is not reachable from a supervision "
               "tree: Task.start/1 or a spawned Task. Nothing restarts or shuts it down and its crash is only "
               "logged. Cannot see: whether the task is short-lived (it is judged if it lives through the "
               "window). Fix: Task.Supervisor.start_child/2 or async_nolink/2 under a named Task.Supervisor.",
    .run = run_task,
    .pattern = "Task.Supervisor",
};
