/* snap.c — snapshot lifetime, pid table, names and text forms. See snap.h. */
#include "snap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *proc_class_name(enum proc_class c)
{
    static const char *names[PC__COUNT] = {
        "unknown",       "supervised",       "app-infra",  "runtime",        "advisor",
        "linked-helper", "spawned-unlinked", "app-orphan", "foreign-orphan",
    };
    return (unsigned)c < PC__COUNT ? names[c] : "unknown";
}

const char *snap_module_source(const snap *s, const char *module)
{
    for (size_t i = 0; i < s->exports.len; i++) {
        const snap_exports *e = vec_at(&s->exports, i);
        if (e->module && e->source && !strcmp(snap_str(s, e->module), module))
            return snap_str(s, e->source);
    }
    return NULL;
}

const char *name_src_text(int ns)
{
    static const char *names[NS__COUNT] = {
        "",
        "its dictionary",
        "the gen_server callback on its stack (its dictionary was not read)",
        "its supervisor's child spec (its dictionary was not read)",
        "the code its siblings run (its dictionary was not read)",
    };
    return (unsigned)ns < NS__COUNT ? names[ns] : "";
}

const char *sup_kind_name(int k)
{
    static const char *names[SK__COUNT] = {
        "supervisor", "supervisor_bridge",   "DynamicSupervisor", "Task.Supervisor",    "PartitionSupervisor",
        "Registry",   "declared supervisor", "supervisor fork",   "special supervisor",
    };
    return (unsigned)k < SK__COUNT ? names[k] : "supervisor";
}

static const char *const kind_atoms[SK__COUNT] = {"supervisor", "bridge",   "dynamic", "task",   "partition",
                                                  "registry",   "declared", "fork",    "special"};
static const char *const status_atoms[SS__COUNT] = {"ok", "timeout", "error", "busy", "not_asked", "slow"};

const char *sup_kind_atom(int k)
{
    return (unsigned)k < SK__COUNT ? kind_atoms[k] : kind_atoms[0];
}
const char *sup_status_atom(int st)
{
    return (unsigned)st < SS__COUNT ? status_atoms[st] : status_atoms[0];
}

static int atom_index(const char *const *names, int n, const char *a, size_t len, int dflt)
{
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == len && memcmp(names[i], a, len) == 0)
            return i;
    return dflt;
}

int sup_kind_of_atom(const char *a, size_t n)
{
    return atom_index(kind_atoms, SK__COUNT, a, n, SK_SUPERVISOR);
}
/* an unknown status is an error: it was not an answer */
int sup_status_of_atom(const char *a, size_t n)
{
    return atom_index(status_atoms, SS__COUNT, a, n, SS_ERROR);
}

snap *snap_new(void)
{
    snap *s = xcalloc(1, sizeof *s);
    strtab_init(&s->strs);
    vec_init(&s->procs, sizeof(snap_proc));
    vec_init(&s->refs, sizeof(oa_pid));
    vec_init(&s->sups, sizeof(snap_sup));
    vec_init(&s->children, sizeof(snap_child));
    vec_init(&s->ints, sizeof(int64_t));
    vec_init(&s->apps, sizeof(snap_app));
    vec_init(&s->ets, sizeof(snap_ets));
    vec_init(&s->regs, sizeof(snap_registry));
    vec_init(&s->reg_keys, sizeof(snap_name));
    vec_init(&s->globals, sizeof(snap_name));
    vec_init(&s->pgs, sizeof(snap_pg));
    vec_init(&s->exports, sizeof(snap_exports));
    vec_init(&s->pg_groups, sizeof(snap_pg_group));
    vec_init(&s->dist, sizeof(snap_dist));
    vec_init(&s->info.memory, sizeof(snap_kv));
    vec_init(&s->info.advisor, sizeof(oa_pid));
    s->cur_sup = SNAP_NONE;
    s->cur_reg = SNAP_NONE;
    s->local_node = SNAP_NONE;
    return s;
}

void snap_free(snap *s)
{
    if (!s)
        return;
    strtab_free(&s->strs);
    free(s->nodes);
    vec_free(&s->procs);
    vec_free(&s->refs);
    vec_free(&s->sups);
    vec_free(&s->children);
    vec_free(&s->ints);
    vec_free(&s->apps);
    vec_free(&s->ets);
    vec_free(&s->regs);
    vec_free(&s->reg_keys);
    vec_free(&s->globals);
    vec_free(&s->pgs);
    vec_free(&s->exports);
    vec_free(&s->pg_groups);
    vec_free(&s->dist);
    vec_free(&s->info.memory);
    vec_free(&s->info.advisor);
    free(s->pidx);
    if (s->own_series) {
        for (uint32_t i = 0; i < s->own_series->n_procs; i++)
            free(s->own_series->proc[i]);
        free(s->own_series->proc);
        free((void *)s->own_series->restarts);
        free(s->own_series);
    }
    free(s);
}

oa_str snap_intern(snap *s, const char *text)
{
    return strtab_intern(&s->strs, text, strlen(text));
}

uint16_t snap_node_id(snap *s, const char *node, size_t len)
{
    oa_str id = strtab_intern(&s->strs, node, len);
    for (uint32_t i = 0; i < s->n_nodes; i++)
        if (s->nodes[i] == id)
            return (uint16_t)i;
    if (s->n_nodes == s->cap_nodes) {
        s->cap_nodes = s->cap_nodes ? s->cap_nodes * 2 : 8;
        s->nodes = xrealloc(s->nodes, s->cap_nodes * sizeof *s->nodes);
    }
    s->nodes[s->n_nodes] = id;
    return (uint16_t)s->n_nodes++;
}

oa_pid snap_make_pid(snap *s, const char *node, size_t node_len, uint32_t num, uint32_t serial, uint32_t creation)
{
    oa_pid p = {num, serial, creation, snap_node_id(s, node, node_len), PK_PID};
    return p;
}

static uint32_t pid_hash(oa_pid p)
{
    uint64_t h =
        ((uint64_t)p.num * 0x9E3779B97F4A7C15ull) ^ ((uint64_t)p.serial << 20) ^ p.node ^ ((uint64_t)p.creation << 7);
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    return (uint32_t)h;
}

void snap_index_pids(snap *s)
{
    free(s->pidx);
    uint32_t n = 16;
    while (n < s->procs.len * 2)
        n *= 2;
    s->pidx = xmalloc(n * sizeof *s->pidx);
    memset(s->pidx, 0xff, n * sizeof *s->pidx);
    s->pidx_mask = n - 1;
    s->pidx_n = (uint32_t)s->procs.len;
    for (uint32_t i = 0; i < s->procs.len; i++) {
        oa_pid pid = snap_proc_at(s, i)->pid;
        uint32_t h = pid_hash(pid) & s->pidx_mask;
        /* a pid already indexed keeps its first record: a hostile file repeating one pid
         * 300,000 times made every insert walk the whole run (5 min 40 s, measured) */
        while (s->pidx[h] != SNAP_NONE && !oa_pid_eq(snap_proc_at(s, s->pidx[h])->pid, pid))
            h = (h + 1) & s->pidx_mask;
        if (s->pidx[h] == SNAP_NONE)
            s->pidx[h] = i;
    }
}

uint32_t snap_find_pid(const snap *s, oa_pid pid)
{
    if (!s->pidx || pid.kind != PK_PID)
        return SNAP_NONE;
    uint32_t h = pid_hash(pid) & s->pidx_mask;
    while (s->pidx[h] != SNAP_NONE) {
        if (oa_pid_eq(snap_proc_at(s, s->pidx[h])->pid, pid))
            return s->pidx[h];
        h = (h + 1) & s->pidx_mask;
    }
    return SNAP_NONE;
}

void snap_pid_text(const snap *s, oa_pid pid, char *buf, size_t n)
{
    switch (pid.kind) {
    case PK_PID:
        if (pid.node == s->local_node || s->local_node == SNAP_NONE)
            snprintf(buf, n, "<0.%u.%u>", pid.num, pid.serial);
        else
            snprintf(buf, n, "<%s.%u.%u>", snap_str(s, s->nodes[pid.node]), pid.num, pid.serial);
        break;
    case PK_ATOM:
        snap_display_atom(snap_str(s, pid.num), buf, n);
        break;
    case PK_PORT:
        snprintf(buf, n, "#Port<0.%u>", pid.num);
        break;
    default:
        snprintf(buf, n, "undefined");
    }
}

int snap_parse_pid(const snap *s, const char *text, oa_pid *out)
{
    unsigned a, b, c;
    char tail;
    if (sscanf(text, "<%u.%u.%u%c", &a, &b, &c, &tail) != 4 || tail != '>' || a != 0)
        return -1;
    if (s->local_node == SNAP_NONE)
        return -1;
    /* the creation is the local node's: take it from any local process */
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_proc *p = snap_proc_at(s, i);
        if (p->pid.node == s->local_node && p->pid.num == b && p->pid.serial == c) {
            *out = p->pid;
            return 0;
        }
    }
    return -1;
}

void snap_display_atom(const char *raw, char *buf, size_t n)
{
    if (strncmp(raw, "Elixir.", 7) == 0)
        snprintf(buf, n, "%s", raw + 7);
    else
        snprintf(buf, n, "%s", raw);
}

void snap_proc_label(const snap *s, const snap_proc *p, char *buf, size_t n)
{
    if (p->name)
        snap_display_atom(snap_str(s, p->name), buf, n);
    else if (p->alt_name)
        snprintf(buf, n, "%s", snap_str(s, p->alt_name));
    else
        snap_pid_text(s, p->pid, buf, n);
}

uint32_t snap_find_name(const snap *s, const char *name)
{
    char buf[512];
    /* accept both the Elixir spelling and the raw atom */
    const char *cands[2] = {name, NULL};
    if (strncmp(name, "Elixir.", 7) != 0 && name[0] >= 'A' && name[0] <= 'Z') {
        snprintf(buf, sizeof buf, "Elixir.%s", name);
        cands[1] = buf;
    }
    for (int c = 0; c < 2 && cands[c]; c++) {
        oa_str id = strtab_find(&s->strs, cands[c], strlen(cands[c]));
        if (!id)
            continue;
        for (uint32_t i = 0; i < s->procs.len; i++) {
            const snap_proc *p = snap_proc_at(s, i);
            if (p->name == id || p->alt_name == id)
                return i;
        }
    }
    /* globals and registry keys by their text */
    oa_str id = strtab_find(&s->strs, name, strlen(name));
    if (id) {
        const vec *vs[2] = {&s->globals, &s->reg_keys};
        for (int v = 0; v < 2; v++)
            for (size_t i = 0; i < vs[v]->len; i++) {
                const snap_name *nm = vec_at(vs[v], i);
                if (nm->key == id)
                    return snap_find_pid(s, nm->pid);
            }
    }
    return SNAP_NONE;
}

/* A nameless process is shown by the child id its parent gives it, before its pid. */
static void path_label(const snap *s, const snap_proc *p, char *buf, size_t n)
{
    if (!p->name && !p->alt_name && p->child != SNAP_NONE) {
        const char *id = snap_str(s, VEC_AT(&s->children, snap_child, p->child).id);
        if (*id && strcmp(id, "undefined") != 0) {
            snap_display_atom(id, buf, n);
            return;
        }
    }
    snap_proc_label(s, p, buf, n);
}

void snap_proc_path(const snap *s, const snap_proc *p, strbuf *out)
{
    /* collect supervisors up to the top */
    uint32_t chain[64];
    int n = 0;
    uint32_t sup = p->sup;
    while (sup != SNAP_NONE && n < 64) {
        chain[n++] = sup;
        sup = snap_sup_at(s, sup)->parent;
    }
    char buf[256];
    uint32_t app = p->app;
    if (n > 0 && snap_sup_at(s, chain[n - 1])->app != SNAP_NONE)
        app = snap_sup_at(s, chain[n - 1])->app;
    if (app != SNAP_NONE) {
        const snap_app *a = vec_at(&s->apps, app);
        sb_puts(out, snap_str(s, a->name));
    }
    for (int i = n - 1; i >= 0; i--) {
        const snap_sup *sp = snap_sup_at(s, chain[i]);
        if (sp->proc != SNAP_NONE)
            path_label(s, snap_proc_at(s, sp->proc), buf, sizeof buf);
        else
            snap_pid_text(s, sp->pid, buf, sizeof buf);
        if (out->len)
            sb_puts(out, " \xe2\x80\xba ");
        sb_puts(out, buf);
    }
    path_label(s, p, buf, sizeof buf);
    if (out->len)
        sb_puts(out, " \xe2\x80\xba ");
    sb_puts(out, buf);
}

enum sup_root snap_sup_root(const snap *s, uint32_t k)
{
    const snap_sup *sp = snap_sup_at(s, k);
    if (sp->parent != SNAP_NONE)
        return SR_CHILD;
    for (size_t a = 0; a < s->apps.len; a++)
        if (((const snap_app *)vec_at(&s->apps, a))->top_sup == k)
            return SR_APP;
    return SR_ORPHAN;
}

const char *sup_root_name(enum sup_root r)
{
    return r == SR_APP ? "app" : r == SR_ORPHAN ? "orphan" : "";
}
