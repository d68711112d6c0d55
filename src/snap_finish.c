/* snap_finish.c — link the pieces of a snapshot and classify every process.
 *
 * "Supervised" means reachable from an application's top supervisor through
 * which_children, not "has a link": which_children lists only the children a supervisor
 * started and manages, while a link is made by any spawn_link or link/1 (an Elixir
 * Registry partition links to every process registered in it), so links to partitions
 * never count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snap.h"

static uint32_t proc_of(const snap *s, oa_pid p, const uint32_t *by_name)
{
    if (p.kind == PK_PID)
        return snap_find_pid(s, p);
    if (p.kind == PK_ATOM && by_name && p.num < s->strs.n)
        return by_name[p.num];
    return SNAP_NONE;
}

/* IEx's input reader: a plain spawn that waits in an io request to the shell's group
 * process it monitors (IEx.Server starts one per prompt; it is not linked to anything) */
static int iex_reader(const snap *s, const snap_proc *p, uint32_t gl)
{
    if (gl == SNAP_NONE || strcmp(snap_str(s, p->current_function), "io:execute_request/3"))
        return 0;
    if (!snap_runtime_module(snap_str(s, snap_proc_at(s, gl)->initial_call), 0))
        return 0; /* its group leader is not the shell's group */
    const oa_pid *mons = (const oa_pid *)s->refs.items + p->refs + 1 + p->n_anc + p->n_links;
    for (uint32_t k = 0; k < p->n_mons; k++)
        if (oa_pid_eq(mons[k], snap_proc_at(s, gl)->pid))
            return 1;
    return 0;
}

static void classify(snap *s)
{
    size_t np = s->procs.len;
    const oa_pid *refs = s->refs.items;
    /* registered name -> process */
    uint32_t *by_name = xmalloc((size_t)s->strs.n * sizeof *by_name);
    memset(by_name, 0xff, (size_t)s->strs.n * sizeof *by_name);
    for (uint32_t i = 0; i < np; i++) {
        snap_proc *p = snap_proc_at(s, i);
        if (p->name)
            by_name[p->name] = i;
    }
    /* masters of applications */
    oa_str init_name = strtab_find(&s->strs, "init", 4);
    uint32_t init_proc = init_name ? by_name[init_name] : SNAP_NONE;
    oa_str start_it = strtab_find(&s->strs, "application_master:start_it/4", 29);
    uint8_t *is_master_rt = xcalloc(np ? np : 1, 1); /* 1 master of app, 2 master of runtime app */
    for (size_t a = 0; a < s->apps.len; a++) {
        snap_app *ap = vec_at(&s->apps, a);
        uint32_t m = snap_find_pid(s, ap->master);
        if (m != SNAP_NONE) {
            is_master_rt[m] = ap->runtime ? 2 : 1;
            snap_proc_at(s, m)->app = (uint32_t)a;
        }
    }
    uint8_t *in_tree = xcalloc(np ? np : 1, 1);
    for (uint32_t i = 0; i < np; i++) {
        snap_proc *p = snap_proc_at(s, i);
        if (p->sup != SNAP_NONE || p->own_sup != SNAP_NONE)
            in_tree[i] = 1;
    }
    for (uint32_t i = 0; i < np; i++) {
        snap_proc *p = snap_proc_at(s, i);
        uint32_t gl = proc_of(s, refs[p->refs], by_name);
        if (p->app == SNAP_NONE && gl != SNAP_NONE && is_master_rt[gl])
            p->app = snap_proc_at(s, gl)->app;
        int rt_app = p->app != SNAP_NONE && ((snap_app *)vec_at(&s->apps, p->app))->runtime;
        p->cls = PC_UNKNOWN;
        for (size_t a = 0; a < s->info.advisor.len; a++)
            if (oa_pid_eq(VEC_AT(&s->info.advisor, oa_pid, a), p->pid))
                p->cls = PC_ADVISOR;
        if (p->cls)
            continue;
        if (in_tree[i]) {
            p->cls = rt_app ? PC_RUNTIME : PC_SUPERVISED;
            continue;
        }
        if (is_master_rt[i] || (start_it && p->initial_call == start_it)) {
            p->cls = rt_app || is_master_rt[i] == 2 ? PC_RUNTIME : PC_APP_INFRA;
            continue;
        }
        const char *ic = snap_str(s, p->initial_call), *cf = snap_str(s, p->current_function);
        const char *dic = snap_str(s, p->dict_initial_call);
        if (i == init_proc || (gl != SNAP_NONE && gl == init_proc) || rt_app ||
            (p->name && strcmp(snap_str(s, p->name), "application_controller") == 0) || snap_runtime_module(ic, 1) ||
            snap_runtime_module(dic, 1) || snap_runtime_module(cf, 0) || iex_reader(s, p, gl)) {
            p->cls = PC_RUNTIME;
            continue;
        }
        /* unsupervised: sub-classify */
        const oa_pid *anc = refs + p->refs + 1;
        const oa_pid *links = anc + p->n_anc;
        int linked = 0;
        for (uint32_t k = 0; k < p->n_links && !linked; k++) {
            uint32_t q = proc_of(s, links[k], by_name);
            if (q == SNAP_NONE || !in_tree[q])
                continue;
            if (snap_proc_at(s, q)->flags & PF_REGISTRY_PART)
                continue; /* registration cleanup link, not supervision */
            uint32_t qs = snap_proc_at(s, q)->own_sup;
            if (qs != SNAP_NONE && snap_proc_at(s, q)->sup == SNAP_NONE && snap_sup_root(s, qs) == SR_ORPHAN)
                continue; /* the link of whoever started a tree outside every application */
            linked = 1;
        }
        if (linked) {
            p->cls = PC_LINKED_HELPER;
            continue;
        }
        int spawned = 0;
        for (uint32_t k = 0; k < p->n_anc && !spawned; k++) {
            uint32_t q = proc_of(s, anc[k], by_name);
            if (q != SNAP_NONE && in_tree[q])
                spawned = 1;
        }
        if (spawned)
            p->cls = PC_SPAWNED_UNLINKED;
        else if (p->app != SNAP_NONE)
            p->cls = PC_APP_ORPHAN;
        else
            p->cls = PC_FOREIGN_ORPHAN;
    }
    /* links chain: a process linked to a linked helper dies with it, and with the supervised
     * process at the chain's end (yaws' acceptors, linked to the listener its server links
     * to): a linked helper too. A worklist, so each link is followed once. */
    uint32_t *work = xmalloc((np ? np : 1) * sizeof *work);
    size_t nw = 0;
    for (uint32_t i = 0; i < np; i++)
        if (snap_proc_at(s, i)->cls == PC_LINKED_HELPER)
            work[nw++] = i;
    while (nw) {
        const snap_proc *h = snap_proc_at(s, work[--nw]);
        const oa_pid *hl = refs + h->refs + 1 + h->n_anc;
        for (uint32_t k = 0; k < h->n_links; k++) {
            uint32_t q = proc_of(s, hl[k], by_name);
            if (q == SNAP_NONE)
                continue;
            snap_proc *qp = snap_proc_at(s, q);
            if (qp->cls == PC_SPAWNED_UNLINKED || qp->cls == PC_APP_ORPHAN || qp->cls == PC_FOREIGN_ORPHAN) {
                qp->cls = PC_LINKED_HELPER;
                work[nw++] = q;
            }
        }
    }
    free(work);
    free(by_name);
    free(is_master_rt);
    free(in_tree);
}

/* A process whose dictionary was not read (a heap over the cap, a long queue) and whose stack
 * showed no callback still has a name where the tree gives it, without asking the target
 * anything: an OTP behaviour process (in gen_server's, gen_statem's or gen_event's loop, or
 * hibernating) whose supervisor's child spec names one module runs that module (its
 * '$initial_call' is {Module, init, 1}); else, under a simple_one_for_one supervisor (every
 * child from one spec), the code every sibling whose dictionary was read runs, when they all
 * run the same. A child declared a supervisor is never named this way. */
static int in_behaviour_loop(const snap *s, const snap_proc *p)
{
    const char *cf = snap_str(s, p->current_function);
    return !strncmp(cf, "gen_server:", 11) || !strncmp(cf, "gen_statem:", 11) || !strncmp(cf, "gen_event:", 10) ||
           !strcmp(cf, "erlang:hibernate/3");
}

static void names_from_tree(snap *s)
{
    char buf[300];
    for (uint32_t k = 0; k < s->sups.len; k++) {
        const snap_sup *sp = snap_sup_at(s, k);
        oa_str common = 0;
        int agree = 1, unnamed = 0;
        for (uint32_t c = 0; c < sp->n_children; c++) {
            const snap_child *ch = &VEC_AT(&s->children, snap_child, sp->children + c);
            if (ch->proc == SNAP_NONE)
                continue;
            snap_proc *p = snap_proc_at(s, ch->proc);
            const char *ic = snap_str(s, p->initial_call);
            if (p->dict_initial_call) {
                if (p->name_src == NS_DICT) {
                    agree &= !common || common == p->dict_initial_call;
                    common = p->dict_initial_call;
                }
                continue;
            }
            if (strncmp(ic, "proc_lib:init_p/", 16) != 0)
                continue; /* no '$initial_call' to stand in for */
            const char *mods = snap_str(s, ch->modules);
            if (!ch->type && in_behaviour_loop(s, p) && *mods && !strchr(mods, ',') && strcmp(mods, "dynamic") &&
                strlen(mods) < 200) {
                snprintf(buf, sizeof buf, "%s:init/1", mods);
                p->dict_initial_call = snap_intern(s, buf);
                p->name_src = NS_CHILD_SPEC;
            } else
                unnamed++;
        }
        /* siblings run the same code only where the supervisor starts them all from one spec
         * (simple_one_for_one): a static supervisor's children are different code (a supervisor
         * beside gen_servers was once named after them, and judged an Agent), and a
         * DynamicSupervisor's each come with their own spec (named from it above) */
        if (!unnamed || !common || !agree || !snap_sup_is_sofo(s, sp))
            continue;
        for (uint32_t c = 0; c < sp->n_children; c++) {
            const snap_child *ch = &VEC_AT(&s->children, snap_child, sp->children + c);
            if (ch->proc == SNAP_NONE)
                continue;
            snap_proc *p = snap_proc_at(s, ch->proc);
            if (!ch->type && !p->dict_initial_call && !strncmp(snap_str(s, p->initial_call), "proc_lib:init_p/", 16)) {
                p->dict_initial_call = common;
                p->name_src = NS_SIBLINGS;
            }
        }
    }
}

int snap_finish(snap *s, char *err)
{
    (void)err;
    if (s->finished)
        return 0;
    snap_index_pids(s);
    size_t np = s->procs.len;
    for (uint32_t i = 0; i < np; i++) {
        snap_proc *p = snap_proc_at(s, i);
        p->sup = p->own_sup = p->child = SNAP_NONE;
        p->app = SNAP_NONE;
        p->flags &= (uint8_t) ~(PF_REGISTRY_PART | PF_PROBABLE);
    }
    for (size_t a = 0; a < s->apps.len; a++) {
        snap_app *ap = vec_at(&s->apps, a);
        ap->runtime = (uint8_t)(s->judge_otp ? snap_app_is_core(snap_str(s, ap->name))
                                             : snap_app_is_runtime(snap_str(s, ap->name)));
        ap->top_sup = SNAP_NONE;
    }
    /* supervisors: their process, then their children */
    for (uint32_t k = 0; k < s->sups.len; k++) {
        snap_sup *sp = snap_sup_at(s, k);
        sp->parent = sp->app = SNAP_NONE;
        sp->proc = snap_find_pid(s, sp->pid);
        if (sp->proc != SNAP_NONE)
            snap_proc_at(s, sp->proc)->own_sup = k;
    }
    for (uint32_t k = 0; k < s->sups.len; k++) {
        snap_sup *sp = snap_sup_at(s, k);
        for (uint32_t c = 0; c < sp->n_children; c++) {
            snap_child *ch = &VEC_AT(&s->children, snap_child, sp->children + c);
            ch->proc = ch->state == CS_PID ? snap_find_pid(s, ch->pid) : SNAP_NONE;
            if (ch->proc == SNAP_NONE)
                continue;
            snap_proc *cp = snap_proc_at(s, ch->proc);
            cp->sup = k;
            cp->child = sp->children + c;
            if (sp->kind == SK_REGISTRY)
                cp->flags |= PF_REGISTRY_PART;
            if (cp->own_sup != SNAP_NONE && cp->own_sup != k)
                snap_sup_at(s, cp->own_sup)->parent = k;
        }
    }
    /* A process linked to a supervisor whose first '$ancestors' entry is that supervisor is
     * its child even when which_children did not list it: started or exited between the
     * process walk and the tree walk (sessions churning under a DynamicSupervisor, a
     * crashing child being restarted). A supervisor links only to its parent and children. */
    /* registered name -> supervisor process, once (a scan of every supervisor for every
     * process was 8.5 s for 200,000 processes against 20,000 supervisors) */
    uint32_t *sup_by_name = xmalloc(((size_t)s->strs.n + 1) * sizeof *sup_by_name);
    memset(sup_by_name, 0xff, ((size_t)s->strs.n + 1) * sizeof *sup_by_name);
    for (uint32_t k = 0; k < s->sups.len; k++) {
        uint32_t sp = snap_sup_at(s, k)->proc;
        if (sp != SNAP_NONE && snap_proc_at(s, sp)->name && snap_proc_at(s, sp)->name <= s->strs.n &&
            sup_by_name[snap_proc_at(s, sp)->name] == SNAP_NONE)
            sup_by_name[snap_proc_at(s, sp)->name] = sp;
    }
    for (uint32_t i = 0; i < np; i++) {
        snap_proc *p = snap_proc_at(s, i);
        if (p->sup != SNAP_NONE || p->own_sup != SNAP_NONE || p->n_anc == 0 || p->n_links == 0)
            continue;
        const oa_pid *refs = s->refs.items;
        oa_pid first = refs[p->refs + 1];
        uint32_t q = SNAP_NONE;
        if (first.kind == PK_PID)
            q = snap_find_pid(s, first);
        else if (first.kind == PK_ATOM && first.num <= s->strs.n)
            q = sup_by_name[first.num];
        if (q == SNAP_NONE || snap_proc_at(s, q)->own_sup == SNAP_NONE)
            continue;
        for (uint32_t l = 0; l < p->n_links; l++)
            if (oa_pid_eq(refs[p->refs + 1 + p->n_anc + l], snap_proc_at(s, q)->pid)) {
                p->sup = snap_proc_at(s, q)->own_sup;
                if (snap_sup_at(s, p->sup)->kind == SK_DECLARED || snap_sup_at(s, p->sup)->status == SS_NOT_ASKED)
                    p->flags |= PF_PROBABLE; /* its parent was not asked: "probably supervised" */
                break;
            }
    }
    free(sup_by_name);
    for (size_t a = 0; a < s->apps.len; a++) {
        snap_app *ap = vec_at(&s->apps, a);
        uint32_t t = snap_find_pid(s, ap->top);
        if (t != SNAP_NONE && snap_proc_at(s, t)->own_sup != SNAP_NONE) {
            ap->top_sup = snap_proc_at(s, t)->own_sup;
            snap_sup_at(s, ap->top_sup)->app = (uint32_t)a;
        }
    }
    /* propagate the application down the tree (parents usually precede children) */
    for (int changed = 1, rounds = 0; changed && rounds < 64; rounds++) {
        changed = 0;
        for (uint32_t k = 0; k < s->sups.len; k++) {
            snap_sup *sp = snap_sup_at(s, k);
            if (sp->app == SNAP_NONE && sp->parent != SNAP_NONE && snap_sup_at(s, sp->parent)->app != SNAP_NONE) {
                sp->app = snap_sup_at(s, sp->parent)->app;
                changed = 1;
            }
        }
    }
    for (uint32_t k = 0; k < s->sups.len; k++) {
        snap_sup *sp = snap_sup_at(s, k);
        if (sp->proc != SNAP_NONE)
            snap_proc_at(s, sp->proc)->app = sp->app;
        for (uint32_t c = 0; c < sp->n_children; c++) {
            snap_child *ch = &VEC_AT(&s->children, snap_child, sp->children + c);
            if (ch->proc != SNAP_NONE)
                snap_proc_at(s, ch->proc)->app = sp->app;
        }
    }
    for (uint32_t i = 0; i < np; i++) {
        snap_proc *p = snap_proc_at(s, i);
        if (p->sup != SNAP_NONE && p->app == SNAP_NONE)
            p->app = snap_sup_at(s, p->sup)->app;
    }
    for (size_t e = 0; e < s->ets.len; e++) {
        snap_ets *t = vec_at(&s->ets, e);
        t->owner_proc = snap_find_pid(s, t->owner);
    }
    /* names from :global and Registry, mapped back onto processes */
    int ex = s->info.elixir_version != 0;
    char buf[1024];
    for (size_t g = 0; g < s->globals.len; g++) {
        snap_name *nm = vec_at(&s->globals, g);
        uint32_t i = snap_find_pid(s, nm->pid);
        if (i == SNAP_NONE)
            continue;
        snprintf(buf, sizeof buf, ex ? "{:global, %s}" : "{global, %s}", snap_str(s, nm->key));
        snap_proc_at(s, i)->alt_name = snap_intern(s, buf);
    }
    for (size_t r = 0; r < s->regs.len; r++) {
        snap_registry *rg = vec_at(&s->regs, r);
        char rname[256];
        snap_display_atom(snap_str(s, rg->name), rname, sizeof rname);
        for (uint32_t k = 0; k < rg->n_keys; k++) {
            snap_name *nm = &VEC_AT(&s->reg_keys, snap_name, rg->keys + k);
            uint32_t i = snap_find_pid(s, nm->pid);
            if (i == SNAP_NONE || snap_proc_at(s, i)->alt_name)
                continue;
            snprintf(buf, sizeof buf, "{:via, Registry, {%s, %s}}", rname, snap_str(s, nm->key));
            snap_proc_at(s, i)->alt_name = snap_intern(s, buf);
        }
    }
    names_from_tree(s);
    classify(s);
    s->finished = 1;
    return 0;
}
