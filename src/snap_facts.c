/* snap_facts.c — what the model says about a process or a supervisor, derived from its
 * fields (see snap.h, "Facts"): rates and samples, kinds of supervisor, what a process
 * runs and where it stands. Rules, views and reports ask here; none of them re-derives. */
#include <stdio.h>
#include <string.h>

#include "snap.h"

double snap_reds_rate(const snap *s, const snap_proc *p)
{
    if (!(p->flags & PF_SAMPLE2) || s->info.sample_gap_us <= 0)
        return -1;
    uint64_t d = p->reds2 >= p->reds ? p->reds2 - p->reds : 0;
    return (double)d * 1e6 / (double)s->info.sample_gap_us;
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

static int str_is(const snap *s, oa_str id, const char *text)
{
    return id && !strcmp(snap_str(s, id), text);
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

int proc_module_raw(const snap *s, const snap_proc *p, char *buf, size_t n)
{
    /* '$initial_call' (proc_lib), else the initial call; a plain spawn of a fun starts in
     * erlang:apply/2 and its code cannot be seen */
    const char *mfa = snap_str(s, p->dict_initial_call ? p->dict_initial_call : p->initial_call);
    if (!p->dict_initial_call && (!strcmp(mfa, "erlang:apply/2") || !mfa[0])) {
        snprintf(buf, n, "%s", "");
        return 0;
    }
    const char *colon = strchr(mfa, ':');
    snprintf(buf, n, "%.*s", colon ? (int)(colon - mfa) : (int)strlen(mfa), mfa);
    return buf[0] != 0;
}

int proc_module_name(const snap *s, const snap_proc *p, char *buf, size_t n)
{
    char raw[256];
    if (proc_module_raw(s, p, raw, sizeof raw)) {
        snap_display_atom(raw, buf, n);
        return 1;
    }
    snprintf(buf, n, "%s", "a spawned fun");
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
