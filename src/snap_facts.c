/* snap_facts.c — what the model says about a process or a supervisor, derived from its
 * fields (see snap.h, "Facts"): rates and samples, kinds of supervisor, what a process
 * runs and where it stands. Rules, views and reports ask here; none of them re-derives. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "snap.h"

static int str_is(const snap *s, oa_str id, const char *text)
{
    return id && !strcmp(snap_str(s, id), text);
}

uint64_t snap_walk_cost(const snap *s, const snap_proc *p)
{
    /* only our collector's walks (either transport: the same body) cost this; a crafted or
     * hand-built snapshot holds no reading of ours */
    if (!str_is(s, s->info.method, "probe") && !str_is(s, s->info.method, "no-load"))
        return 0;
    /* the second walk: 1. A proc_lib process's dictionary (or, over the heap cap, its stack)
     * is read by the first walk after its reductions: 1 more. Measured: every idle plain
     * process 1, every idle proc_lib process 2, on 3,125 processes of the clean fixture. */
    return 1 + (uint64_t)(s->info.extra_walk_reds > 0 ? s->info.extra_walk_reds : 0) +
           (str_is(s, p->initial_call, "proc_lib:init_p/5") || str_is(s, p->initial_call, "proc_lib:init_p/3"));
}

uint64_t snap_reds_delta(const snap *s, const snap_proc *p)
{
    if (!(p->flags & PF_SAMPLE2) || p->reds2 <= p->reds)
        return 0;
    uint64_t d = p->reds2 - p->reds, ours = snap_walk_cost(s, p);
    return d > ours ? d - ours : 0;
}

double snap_reds_rate(const snap *s, const snap_proc *p)
{
    if (!(p->flags & PF_SAMPLE2) || s->info.sample_gap_us <= 0)
        return -1;
    return (double)snap_reds_delta(s, p) * 1e6 / (double)s->info.sample_gap_us;
}

double snap_node_reds_rate(const snap *s)
{
    if (!s->has_sample2 || s->info.sample_gap_us <= 0)
        return -1;
    double sum = 0;
    for (uint32_t i = 0; i < s->procs.len; i++) {
        double r = snap_reds_rate(s, snap_proc_at(s, i));
        if (r > 0)
            sum += r;
    }
    return sum;
}

int proc_is_gen_server(const snap *s, const snap_proc *p)
{
    if (p->own_sup != SNAP_NONE)
        return 0;
    return str_is(s, p->current_function, "gen_server:loop/7") ||
           (p->dict_initial_call && strstr(snap_str(s, p->dict_initial_call), ":init/1") &&
            str_is(s, p->initial_call, "proc_lib:init_p/5"));
}

const char *proc_child_modules(const snap *s, const snap_proc *p)
{
    /* O(1): the row is remembered by snap_finish (a 100,000-child supervisor made a scan
     * per process quadratic: 5 s for `check`, measured) */
    if (p->child == SNAP_NONE || p->child >= s->children.len)
        return "";
    return snap_str(s, VEC_AT(&s->children, snap_child, p->child).modules);
}

int proc_is_agent(const snap *s, const snap_proc *p)
{
    const char *mods = proc_child_modules(s, p);
    if (!strcmp(mods, "Elixir.Agent"))
        return 1;
    /* Agent.start(fun): '$initial_call' is the fun, not Mod:init/1, in gen_server's loop */
    if (!str_is(s, p->current_function, "gen_server:loop/7") || !p->dict_initial_call)
        return 0;
    const char *dic = snap_str(s, p->dict_initial_call);
    return strstr(dic, ":init/1") == NULL && strstr(dic, "-fun-") != NULL;
}

int proc_is_task(const snap *s, const snap_proc *p)
{
    /* Task sets '$callers'; GenServer and Agent do not (Elixir 1.14, measured) */
    return p->n_callers > 0 && !str_is(s, p->current_function, "gen_server:loop/7");
}

int proc_owns_ets(const snap *s, uint32_t proc)
{
    for (size_t i = 0; i < s->ets.len; i++)
        if (((snap_ets *)vec_at(&s->ets, i))->owner_proc == proc)
            return 1;
    return 0;
}

/* the runtime's root, from kernel's code folder (ROOT/lib/kernel-V): its length, 0 if unknown */
static size_t runtime_root(const snap *s, const char **root)
{
    for (size_t a = 0; a < s->apps.len; a++) {
        const snap_app *ap = vec_at(&s->apps, a);
        const char *d = ap->lib_dir ? snap_str(s, ap->lib_dir) : "";
        if (!ap->name || strcmp(snap_str(s, ap->name), "kernel") || !*d)
            continue;
        const char *lib = strstr(d, "/lib/kernel");
        if (!lib)
            return 0;
        *root = d;
        return (size_t)(lib - d) + 1; /* "ROOT/" */
    }
    return 0;
}

/* does the spaced list of names hold name? */
static int words_have(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *w = list; *w;) {
        while (*w == ' ')
            w++;
        const char *e = w;
        while (*e && *e != ' ')
            e++;
        if ((size_t)(e - w) == n && n && !memcmp(w, name, n))
            return 1;
        w = e;
    }
    return 0;
}

int proc_is_library(const snap *s, const snap_proc *p, char *why, size_t n)
{
    char mod[256];
    const char *src = proc_module_raw(s, p, mod, sizeof mod) ? snap_module_source(s, mod) : NULL;
    if (src && strstr(src, "/deps/")) {
        snprintf(why, n, "its source lies in a dependencies folder (%s)", src);
        return 1;
    }
    if (p->app == SNAP_NONE)
        return 0;
    const snap_app *ap = vec_at(&s->apps, p->app);
    const char *name = ap->name ? snap_str(s, ap->name) : "";
    if (snap_app_is_runtime(name)) { /* judged only because --judge-otp asked */
        snprintf(why, n, "%s is OTP's", name);
        return 1;
    }
    const char *dir = ap->lib_dir ? snap_str(s, ap->lib_dir) : "", *root = NULL;
    size_t rl = runtime_root(s, &root);
    static const char *const system_dirs[] = {"/usr/lib/",   "/usr/lib64/",    "/usr/share/", "/usr/local/lib/",
                                              "/nix/store/", "/opt/homebrew/", NULL};
    if (*dir && rl && strncmp(dir, root, rl) != 0)
        for (int i = 0; system_dirs[i]; i++)
            if (!strncmp(dir, system_dirs[i], strlen(system_dirs[i]))) {
                snprintf(why, n, "%s is installed system-wide, outside the runtime (%s)", name, dir);
                return 1;
            }
    if (src && strstr(src, "/apps/"))
        return 0; /* an umbrella's (or a multi-app project's) own application */
    for (size_t a = 0; a < s->apps.len; a++) {
        const snap_app *other = vec_at(&s->apps, a);
        if (a == p->app || !other->needs || !other->name)
            continue;
        if (words_have(snap_str(s, other->needs), name)) {
            snprintf(why, n, "%s is a dependency of %s", name, snap_str(s, other->name));
            return 1;
        }
    }
    return 0;
}

/* library modules a process can start in or wait in but whose code it never is: a name
 * taken from them (a worker "Process.Worker" for a fun now in Process.sleep/1) is wrong */
static int library_module(const char *m, size_t len)
{
    static const char *const lib[] = {
        "erlang",   "proc_lib",       "gen",           "gen_server",       "gen_statem", "gen_event",   "timer", "io",
        "erl_eval", "Elixir.Process", "Elixir.Kernel", "Elixir.GenServer", "elixir",     "Elixir.Code", NULL};
    for (int i = 0; lib[i]; i++)
        if (strlen(lib[i]) == len && !memcmp(lib[i], m, len))
            return 1;
    return 0;
}

int proc_module_raw(const snap *s, const snap_proc *p, char *buf, size_t n)
{
    /* '$initial_call' (proc_lib), else the initial call; never the current function, which
     * says where the process waits, not what it is. A plain spawn of a fun starts in
     * erlang:apply/2, a spawn of a library function (timer:sleep/1) in that library: its
     * code cannot be seen */
    const char *mfa = snap_str(s, p->dict_initial_call ? p->dict_initial_call : p->initial_call);
    const char *colon = strchr(mfa, ':');
    size_t len = colon ? (size_t)(colon - mfa) : strlen(mfa);
    if (!len || library_module(mfa, len)) {
        snprintf(buf, n, "%s", "");
        return 0;
    }
    snprintf(buf, n, "%.*s", (int)len, mfa);
    return buf[0] != 0;
}

int proc_module_name(const snap *s, const snap_proc *p, char *buf, size_t n)
{
    char raw[256];
    if (proc_module_raw(s, p, raw, sizeof raw)) {
        snap_display_atom(raw, buf, n);
        return 1;
    }
    const char *mfa = snap_str(s, p->dict_initial_call ? p->dict_initial_call : p->initial_call);
    if (!mfa[0] || !strcmp(mfa, "erlang:apply/2") || !strcmp(mfa, "erlang:apply/3"))
        snprintf(buf, n, "%s", "a spawned fun");
    else {
        char m[256];
        fmt_mfa(mfa, m, sizeof m);
        snprintf(buf, n, "a process started in %s", m);
    }
    return 0;
}

int proc_runs_fun(const snap *s, const snap_proc *p)
{
    const char *mfa = snap_str(s, p->dict_initial_call ? p->dict_initial_call : p->initial_call);
    return strstr(mfa, "-fun-") != NULL || !strcmp(mfa, "erlang:apply/2");
}

const char *proc_kind_name(const snap *s, const snap_proc *p)
{
    if (proc_is_agent(s, p))
        return "Agent";
    if (proc_is_task(s, p))
        return "Task";
    const char *cf = snap_str(s, p->current_function);
    if (!strncmp(cf, "gen_statem:", 11))
        return "gen_statem";
    if (!strncmp(cf, "gen_event:", 10))
        return "gen_event";
    if (!strcmp(cf, "gen_server:loop/7") || proc_is_gen_server(s, p)) /* busy in a callback: its initial call */
        return s->info.elixir_version ? "GenServer" : "gen_server";
    return "process";
}

int snap_sup_is_sofo(const snap *s, const snap_sup *sp)
{
    return sp->strategy && !strcmp(snap_str(s, sp->strategy), "simple_one_for_one");
}

int snap_sup_on_demand(const snap *s, const snap_sup *sp)
{
    /* a special process's children (ranch's connections, cowboy's streams) come and go with
     * the traffic, like a DynamicSupervisor's */
    return sp->kind == SK_DYNAMIC || sp->kind == SK_TASK || sp->kind == SK_SPECIAL || snap_sup_is_sofo(s, sp);
}

int snap_sup_has_siblings(const snap *s, const snap_sup *sp)
{
    return snap_sup_on_demand(s, sp) || sp->kind == SK_PARTITION;
}

/* a named process that is not one of many siblings under a dynamic supervisor */
int proc_is_singleton(const snap *s, const snap_proc *p)
{
    if (!p->name && !p->alt_name)
        return 0;
    if (p->own_sup != SNAP_NONE || (p->flags & PF_REGISTRY_PART))
        return 0;
    if (p->sup != SNAP_NONE && snap_sup_has_siblings(s, snap_sup_at(s, p->sup)))
        return 0; /* one of many siblings, not a singleton */
    return 1;
}

int proc_in_pool(const snap *s, const snap_proc *p)
{
    if (p->sup == SNAP_NONE)
        return 0;
    const snap_sup *sp = snap_sup_at(s, p->sup);
    const char *mine = snap_str(s, p->dict_initial_call ? p->dict_initial_call : p->initial_call);
    for (uint32_t c = 0; c < sp->n_children; c++) {
        uint32_t q = VEC_AT(&s->children, snap_child, sp->children + c).proc;
        if (q == SNAP_NONE || snap_proc_at(s, q) == p)
            continue;
        const snap_proc *qp = snap_proc_at(s, q);
        if (!strcmp(mine, snap_str(s, qp->dict_initial_call ? qp->dict_initial_call : qp->initial_call)))
            return 1;
    }
    return 0;
}

int proc_is_lone(const snap *s, const snap_proc *p)
{
    if (p->name || p->alt_name)
        return proc_is_singleton(s, p);
    if (p->own_sup != SNAP_NONE || (p->flags & PF_REGISTRY_PART))
        return 0;
    if (p->sup == SNAP_NONE)
        return 1;
    return !snap_sup_has_siblings(s, snap_sup_at(s, p->sup)) && !proc_in_pool(s, p);
}

uint32_t *procs_callers_in_call(const snap *s)
{
    uint32_t *n = xcalloc(s->procs.len ? s->procs.len : 1, sizeof *n);
    const oa_pid *refs = s->refs.items;
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_proc *c = snap_proc_at(s, i);
        const char *cf = snap_str(s, c->current_function);
        if (strcmp(cf, "gen:do_call/4") && strcmp(cf, "gen:do_call/3"))
            continue;
        const oa_pid *mons = refs + c->refs + 1 + c->n_anc + c->n_links;
        for (uint32_t k = 0; k < c->n_mons; k++) {
            uint32_t t = mons[k].kind == PK_PID ? snap_find_pid(s, mons[k]) : SNAP_NONE;
            if (t != SNAP_NONE)
                n[t]++;
        }
    }
    return n;
}

uint32_t snap_resolve_proc(const snap *s, const char *what)
{
    oa_pid pid;
    if (what[0] == '<' && snap_parse_pid(s, what, &pid) == 0)
        return snap_find_pid(s, pid);
    uint32_t i = snap_find_name(s, what);
    if (i != SNAP_NONE)
        return i;
    if (what[0] == ':') /* :my_name, Elixir spelling of an Erlang atom */
        return snap_find_name(s, what + 1);
    return SNAP_NONE;
}

int snap_resolve_target(const snap *s, const char *what, uint32_t *sup, uint32_t *proc, char *err)
{
    *sup = *proc = SNAP_NONE;
    for (size_t a = 0; a < s->apps.len; a++) {
        const snap_app *ap = vec_at(&s->apps, a);
        if (!strcmp(snap_str(s, ap->name), what)) {
            if (ap->top_sup == SNAP_NONE)
                return errf(err, "application %s has no supervision tree (a library application)", what);
            *sup = ap->top_sup;
            return 0;
        }
    }
    uint32_t p = snap_resolve_proc(s, what);
    if (p == SNAP_NONE)
        return errf(err, "no application, supervisor, process or name '%s' in this snapshot", what);
    if (snap_proc_at(s, p)->own_sup != SNAP_NONE)
        *sup = snap_proc_at(s, p)->own_sup;
    else
        *proc = p;
    return 0;
}

int snap_start_link_arities(const snap *s, const char *module)
{
    for (size_t i = 0; i < s->exports.len; i++) {
        const snap_exports *e = vec_at(&s->exports, i);
        if (e->module && !strcmp(snap_str(s, e->module), module))
            return (int)e->arities;
    }
    return -1;
}

/* ---- parents, pools, watchers, the script ---------------------------------------------- */

uint32_t *procs_parent(const snap *s)
{
    uint32_t n = (uint32_t)s->procs.len;
    uint32_t *par = xmalloc((n ? n : 1) * sizeof *par);
    uint32_t *by_name = NULL; /* registered name -> process, built once if an ancestor is a name */
    const oa_pid *refs = s->refs.items;
    for (uint32_t i = 0; i < n; i++) {
        const snap_proc *p = snap_proc_at(s, i);
        par[i] = SNAP_NONE;
        if (p->sup != SNAP_NONE) {
            par[i] = snap_sup_at(s, p->sup)->proc;
            continue;
        }
        if (!p->n_anc)
            continue;
        oa_pid a = refs[p->refs + 1];
        if (a.kind == PK_PID)
            par[i] = snap_find_pid(s, a);
        else if (a.kind == PK_ATOM && a.num <= s->strs.n) {
            if (!by_name) {
                by_name = xmalloc(((size_t)s->strs.n + 1) * sizeof *by_name);
                memset(by_name, 0xff, ((size_t)s->strs.n + 1) * sizeof *by_name);
                for (uint32_t k = 0; k < n; k++) {
                    oa_str nm = snap_proc_at(s, k)->name;
                    if (nm && nm <= s->strs.n && by_name[nm] == SNAP_NONE)
                        by_name[nm] = k;
                }
            }
            par[i] = by_name[a.num];
        }
        if (par[i] == i)
            par[i] = SNAP_NONE;
    }
    free(by_name);
    return par;
}

typedef struct {
    uint64_t parent;
    uint32_t code, i;
} pool_key;

static int cmp_pool_key(const void *a, const void *b)
{
    const pool_key *x = a, *y = b;
    if (x->parent != y->parent)
        return x->parent < y->parent ? -1 : 1;
    if (x->code != y->code)
        return x->code < y->code ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

uint32_t *procs_pool_size(const snap *s)
{
    uint32_t n = (uint32_t)s->procs.len;
    uint32_t *size = xmalloc((n ? n : 1) * sizeof *size);
    uint32_t *par = procs_parent(s);
    pool_key *ks = xmalloc((n ? n : 1) * sizeof *ks);
    const oa_pid *refs = s->refs.items;
    size_t nk = 0;
    char raw[256];
    for (uint32_t i = 0; i < n; i++) {
        const snap_proc *p = snap_proc_at(s, i);
        size[i] = 1;
        if (!proc_module_raw(s, p, raw, sizeof raw))
            continue; /* code unseen: two plain spawns need not run the same code */
        uint64_t parent;
        if (p->sup != SNAP_NONE)
            parent = (1ull << 62) | p->sup;
        else if (par[i] != SNAP_NONE)
            parent = (2ull << 62) | par[i];
        else if (p->n_anc && refs[p->refs + 1].kind == PK_PID) /* a parent that has exited */
            parent = (3ull << 62) | ((uint64_t)(refs[p->refs + 1].serial & 0x3fffffffu) << 32) | refs[p->refs + 1].num;
        else if (p->n_anc && refs[p->refs + 1].kind == PK_ATOM) /* a name nobody holds now */
            parent = (3ull << 62) | (1ull << 61) | refs[p->refs + 1].num;
        else
            continue; /* started by nobody known */
        ks[nk].parent = parent;
        ks[nk].code = p->dict_initial_call ? p->dict_initial_call : p->initial_call;
        ks[nk].i = i;
        nk++;
    }
    if (nk > 1)
        qsort(ks, nk, sizeof *ks, cmp_pool_key);
    for (size_t a = 0; a < nk;) {
        size_t b = a + 1;
        while (b < nk && ks[b].parent == ks[a].parent && ks[b].code == ks[a].code)
            b++;
        for (size_t k = a; k < b; k++)
            size[ks[k].i] = (uint32_t)(b - a);
        a = b;
    }
    free(ks);
    free(par);
    return size;
}

/* waiting in its own receive loop: a behaviour's, or hibernating */
static int in_own_loop(const char *cf)
{
    return !strncmp(cf, "gen_server:loop/", 16) || !strncmp(cf, "gen_statem:loop_receive/", 24) ||
           !strncmp(cf, "gen_event:fetch_msg/", 20) || !strcmp(cf, "erlang:hibernate/3");
}

uint32_t *procs_idle_watchers(const snap *s)
{
    uint32_t *n = xcalloc(s->procs.len ? s->procs.len : 1, sizeof *n);
    const oa_pid *refs = s->refs.items;
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_proc *c = snap_proc_at(s, i);
        if (!c->n_mons || !in_own_loop(snap_str(s, c->current_function)))
            continue;
        const oa_pid *mons = refs + c->refs + 1 + c->n_anc + c->n_links;
        for (uint32_t k = 0; k < c->n_mons; k++) {
            uint32_t t = mons[k].kind == PK_PID ? snap_find_pid(s, mons[k]) : SNAP_NONE;
            if (t != SNAP_NONE && t != i)
                n[t]++;
        }
    }
    return n;
}

uint32_t snap_script_runner(const snap *s)
{
    const oa_pid *refs = s->refs.items;
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_proc *c = snap_proc_at(s, i);
        /* Kernel.CLI runs the script in a process it spawns and monitors (exec_fun/2 in
         * Elixir 1.14), and waits for it to end */
        if (!c->n_mons || strncmp(snap_str(s, c->current_function), "Elixir.Kernel.CLI:", 18))
            continue;
        const oa_pid *mons = refs + c->refs + 1 + c->n_anc + c->n_links;
        for (uint32_t k = 0; k < c->n_mons; k++) {
            uint32_t t = mons[k].kind == PK_PID ? snap_find_pid(s, mons[k]) : SNAP_NONE;
            if (t != SNAP_NONE && t != i && snap_proc_at(s, t)->cls != PC_RUNTIME)
                return t;
        }
    }
    return SNAP_NONE;
}
