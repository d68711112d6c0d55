/* views_target.c — what a user names as a target, a module included (see views.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "views.h"

/* The raw atom a user's spelling of a module stands for: MyApp.System is Elixir.MyApp.System,
 * :my_mod and my_mod are my_mod, Elixir.MyApp.System is itself. */
static void module_raw(const char *what, char *buf, size_t n)
{
    if (what[0] == ':')
        snprintf(buf, n, "%s", what + 1);
    else if (what[0] >= 'A' && what[0] <= 'Z' && strncmp(what, "Elixir.", 7))
        snprintf(buf, n, "Elixir.%s", what);
    else
        snprintf(buf, n, "%s", what);
}

/* the callback module of a supervisor: from its state, else from its '$initial_call'
 * ({supervisor, Mod, 1}: proc_lib writes it for OTP's and Elixir's supervisors alike) */
static int sup_runs(const snap *s, const snap_sup *sp, const char *mod)
{
    if (sp->callback && !strcmp(snap_str(s, sp->callback), mod))
        return 1;
    if (sp->proc == SNAP_NONE)
        return 0;
    const snap_proc *p = snap_proc_at(s, sp->proc);
    const char *ic = p->dict_initial_call ? snap_str(s, p->dict_initial_call) : "";
    const char *slash = strrchr(ic, '/');
    size_t n = strlen(mod);
    return !strncmp(ic, "supervisor:", 11) && slash && (size_t)(slash - ic - 11) == n && !strncmp(ic + 11, mod, n);
}

static int below(const snap *s, uint32_t k, uint32_t top)
{
    for (int d = 0; d < 64 && k != SNAP_NONE; d++) {
        k = snap_sup_at(s, k)->parent;
        if (k == top)
            return 1;
    }
    return 0;
}

static void sup_label(const snap *s, uint32_t k, char *buf, size_t n)
{
    const snap_sup *sp = snap_sup_at(s, k);
    if (sp->proc != SNAP_NONE)
        snap_proc_label(s, snap_proc_at(s, sp->proc), buf, n);
    else
        snap_pid_text(s, sp->pid, buf, n);
}

/* "A, B, C, … (N in all)" of up to 4 of them */
static void name_some(const snap *s, const uint32_t *v, uint32_t n, int sups, char *buf, size_t bn)
{
    size_t w = 0;
    buf[0] = 0;
    for (uint32_t i = 0; i < n && i < 4 && w + 1 < bn; i++) {
        char l[512], pid[256];
        if (sups)
            sup_label(s, v[i], l, sizeof l);
        else {
            const snap_proc *p = snap_proc_at(s, v[i]);
            snap_proc_label(s, p, pid, sizeof pid);
            if (p->sup != SNAP_NONE) {
                char parent[200];
                sup_label(s, p->sup, parent, sizeof parent);
                snprintf(l, sizeof l, "%s under %s", pid, parent);
            } else
                snprintf(l, sizeof l, "%s (%s)", pid, proc_class_name((enum proc_class)p->cls));
        }
        w += (size_t)snprintf(buf + w, bn - w, "%s%s", i ? ", " : "", l);
    }
    if (n > 4 && w + 1 < bn)
        snprintf(buf + w, bn - w, ", … (%u in all)", n);
}

int view_resolve_target(const snap *s, const char *what, uint32_t *sup, uint32_t *proc, char *err)
{
    char first[OA_ERRLEN];
    if (!snap_resolve_target(s, what, sup, proc, first))
        return 0;
    for (size_t a = 0; a < s->apps.len; a++) /* an application without a tree says so */
        if (!strcmp(snap_str(s, ((snap_app *)vec_at(&s->apps, a))->name), what))
            return errf(err, "%s", first);
    char mod[300];
    module_raw(what, mod, sizeof mod);
    /* a supervisor whose callback it is: the topmost of them (a module that is the callback
     * of a tree's supervisors at several levels, erlbasic_app, names the tree) */
    uint32_t *hits = xcalloc(s->sups.len + s->procs.len + 1, sizeof *hits);
    uint32_t n = 0;
    for (uint32_t k = 0; k < s->sups.len; k++)
        if (sup_runs(s, snap_sup_at(s, k), mod))
            hits[n++] = k;
    uint32_t tops = 0;
    for (uint32_t i = 0; i < n; i++) {
        int under = 0;
        for (uint32_t j = 0; j < n && !under; j++)
            under = j != i && below(s, hits[i], hits[j]);
        if (!under)
            hits[tops++] = hits[i];
    }
    char some[OA_ERRLEN - 160];
    if (tops == 1) {
        *sup = hits[0];
        free(hits);
        return 1;
    }
    if (tops > 1) {
        name_some(s, hits, tops, 1, some, sizeof some);
        free(hits);
        return errf(err, "%s is the callback module of %u supervisors in separate trees: %s; name one", what, tops,
                    some);
    }
    /* processes that run it (their '$initial_call', else their initial call) */
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_proc *p = snap_proc_at(s, i);
        char m[300];
        if (p->own_sup != SNAP_NONE)
            continue;
        /* what its parent says it runs counts too: a Task's '$initial_call' is its function */
        const char *listed = proc_child_modules(s, p);
        size_t ln = listed ? strcspn(listed, ",") : 0;
        if ((proc_module_raw(s, p, m, sizeof m) && !strcmp(m, mod)) ||
            (ln && ln == strlen(mod) && !strncmp(listed, mod, ln)))
            hits[n++] = i;
    }
    if (n == 1) {
        *proc = hits[0];
        free(hits);
        return 1;
    }
    if (n > 1) {
        /* all of them children of one supervisor (a pool, the children of a DynamicSupervisor):
         * that supervisor is what runs them */
        uint32_t parent = snap_proc_at(s, hits[0])->sup;
        for (uint32_t i = 1; i < n && parent != SNAP_NONE; i++)
            if (snap_proc_at(s, hits[i])->sup != parent)
                parent = SNAP_NONE;
        if (parent != SNAP_NONE) {
            *sup = parent;
            free(hits);
            return 1;
        }
        name_some(s, hits, n, 0, some, sizeof some);
        free(hits);
        return errf(err, "%s runs in %u processes under different parents: %s; name one by its pid", what, n, some);
    }
    free(hits);
    return errf(
        err,
        "no application, supervisor, process or name '%s' in this snapshot, and no process runs a module of that name",
        what);
}
