/* snap_ingest.c — decode the canonical messages (see probes/otp_advisor_probe.erl) into
 * the model. Every message comes through the bounded reader in etf.c, so a hostile file
 * or a corrupted chunk is an error message, never an overrun. */
#include <stdio.h>
#include <string.h>

#include "etf.h"
#include "snap.h"
#include "termtext.h"

typedef struct {
    snap *s;
    etf_rd r;
    char *err;
} ing;

static int bad(ing *g, const char *what)
{
    return errf(g->err, "malformed snapshot data: bad %s", what);
}

static oa_str rd_atom(ing *g)
{
    const char *s;
    size_t n;
    if (etf_atom(&g->r, &s, &n))
        return 0;
    if (etf_atom_eq(s, n, "undefined"))
        return 0;
    return strtab_intern(&g->s->strs, s, n);
}

/* A term as shown: a binary as it is; any other term written in the target's language
 * (termtext.h), atoms too when as_term (a :global name or a Registry key reads as the
 * language writes it, Basic.Global); otherwise an atom is its name (undefined: none). */
static oa_str rd_shown(ing *g, int as_term)
{
    int t = etf_peek(&g->r);
    if (!as_term && (t == ETF_ATOM || t == ETF_ATOM_UTF8 || t == ETF_SMALL_ATOM || t == ETF_SMALL_ATOM_UTF8))
        return rd_atom(g);
    if (t == ETF_BINARY) { /* the common case, and every text of a saved snapshot */
        const char *s;
        size_t n;
        return etf_bin(&g->r, &s, &n) ? 0 : strtab_intern(&g->s->strs, s, n);
    }
    const snap_node *ni = &g->s->info;
    const char *node = ni->node ? snap_str(g->s, ni->node) : NULL;
    tt_style st = {.elixir = ni->elixir_version != 0, .node = node, .node_len = node ? strlen(node) : 0};
    strbuf b;
    sb_init(&b);
    oa_str id = 0;
    if ((as_term ? tt_term(&g->r, &st, &b) : tt_text(&g->r, &st, &b)) == 0)
        id = strtab_intern(&g->s->strs, b.buf, b.len);
    sb_free(&b);
    return id;
}

/* a name or text: an atom as its name, other terms as rd_shown */
static oa_str rd_text(ing *g)
{
    return rd_shown(g, 0);
}

static int64_t rd_int(ing *g, int64_t dflt) /* integer, or dflt for an atom such as undefined */
{
    int64_t v = dflt;
    int t = etf_peek(&g->r);
    if (t == ETF_SMALL_INT || t == ETF_INT || t == ETF_SMALL_BIG)
        etf_int(&g->r, &v);
    else
        etf_skip(&g->r);
    return v;
}

static int rd_bool(ing *g)
{
    int v = etf_is_atom(&g->r, "true");
    etf_skip(&g->r);
    return v;
}

/* pid, port, registered name atom, or anything else (-> PK_NONE) */
static oa_pid rd_pidish(ing *g)
{
    oa_pid out = {0, 0, 0, 0, PK_NONE};
    int t = etf_peek(&g->r);
    if (t == ETF_NEW_PID || t == ETF_PID) {
        etf_pid_t p;
        if (etf_pid(&g->r, &p) == 0)
            out = snap_make_pid(g->s, p.node, p.node_len, p.num, p.serial, p.creation);
    } else if (t == ETF_ATOM || t == ETF_ATOM_UTF8 || t == ETF_SMALL_ATOM || t == ETF_SMALL_ATOM_UTF8) {
        oa_str a = rd_atom(g);
        if (a) {
            out.kind = PK_ATOM;
            out.num = a;
        }
    } else if (t == ETF_NEW_PORT || t == ETF_PORT || t == ETF_V4_PORT) {
        etf_port_t pt;
        if (etf_port(&g->r, &pt) == 0) {
            out = snap_make_pid(g->s, pt.node, pt.node_len, (uint32_t)pt.id, (uint32_t)(pt.id >> 32), pt.creation);
            out.kind = PK_PORT;
        }
    } else
        etf_skip(&g->r);
    return out;
}

static oa_str rd_mfa(ing *g)
{
    uint32_t ar;
    if (etf_peek(&g->r) != ETF_SMALL_TUPLE) {
        etf_skip(&g->r);
        return 0;
    }
    etf_rd peek = g->r;
    if (etf_tuple(&peek, &ar) || ar != 3) {
        etf_skip(&g->r); /* the whole term, not just its first element */
        return 0;
    }
    etf_tuple(&g->r, &ar);
    const char *m, *f;
    size_t ml, fl;
    int64_t a = 0;
    if (etf_atom(&g->r, &m, &ml) || etf_atom(&g->r, &f, &fl) || etf_int(&g->r, &a))
        return 0;
    char buf[600];
    int n = snprintf(buf, sizeof buf, "%.*s:%.*s/%lld", (int)ml, m, (int)fl, f, (long long)a);
    if (n < 0)
        return 0;
    return strtab_intern(&g->s->strs, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static uint32_t push_ref(snap *s, oa_pid p)
{
    oa_pid *slot = vec_push(&s->refs);
    *slot = p;
    return (uint32_t)(s->refs.len - 1);
}

static int rd_pid_list(ing *g, uint32_t *count)
{
    uint32_t n;
    *count = 0;
    if (etf_peek(&g->r) != ETF_LIST && etf_peek(&g->r) != ETF_NIL) {
        etf_skip(&g->r); /* undefined */
        return 0;
    }
    if (etf_list(&g->r, &n))
        return -1;
    for (uint32_t i = 0; i < n; i++) {
        push_ref(g->s, rd_pidish(g));
        (*count)++;
    }
    return etf_list_end(&g->r);
}

static int status_of(const char *s, size_t n)
{
    static const char *names[] = {"", "waiting", "running", "runnable", "garbage_collecting", "suspended", "exiting"};
    for (int i = 1; i < 7; i++)
        if (etf_atom_eq(s, n, names[i]))
            return i;
    return ST_UNKNOWN;
}

static int64_t wordsize(const snap *s)
{
    return s->info.wordsize > 0 ? s->info.wordsize : 8;
}

static int ing_proc(ing *g)
{
    uint32_t ar;
    if (etf_tuple(&g->r, &ar) || (ar != 17 && ar != 18))
        return bad(g, "process record"); /* 18: with where its '$initial_call' came from */
    snap *s = g->s;
    snap_proc *p = vec_push(&s->procs);
    p->app = p->sup = p->own_sup = p->child = SNAP_NONE;
    p->pid = rd_pidish(g);
    if (p->pid.kind != PK_PID)
        return bad(g, "process pid");
    if (etf_peek(&g->r) == ETF_NIL)
        etf_skip(&g->r);
    else
        p->name = rd_atom(g);
    p->initial_call = rd_mfa(g);
    p->dict_initial_call = rd_mfa(g);
    /* refs: group leader first, then ancestors, links, monitors, callers — contiguous */
    uint32_t gl_slot = push_ref(s, (oa_pid){0, 0, 0, 0, PK_NONE});
    p->refs = gl_slot;
    if (rd_pid_list(g, &p->n_anc))
        return bad(g, "ancestors");
    p->current_function = rd_mfa(g);
    const char *st;
    size_t stl;
    if (etf_atom(&g->r, &st, &stl))
        return bad(g, "status");
    p->status = (uint8_t)status_of(st, stl);
    int64_t v = rd_int(g, 0);
    p->mq = v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
    p->reds = (uint64_t)rd_int(g, 0);
    int64_t mem = rd_int(g, -1), heap = rd_int(g, -1);
    if (mem < 0)
        p->flags |= PF_MEM_SKIPPED;
    p->mem = mem < 0 ? 0 : (uint64_t)mem;
    p->heap = heap < 0 ? 0 : (uint64_t)heap * (uint64_t)wordsize(s);
    if (rd_pid_list(g, &p->n_links) || rd_pid_list(g, &p->n_mons))
        return bad(g, "links/monitors");
    v = rd_int(g, 0);
    p->monby = v < 0 ? 0 : (uint32_t)v;
    if (rd_bool(g))
        p->flags |= PF_TRAP_EXIT;
    oa_pid gl = rd_pidish(g);
    VEC_AT(&s->refs, oa_pid, gl_slot) = gl;
    if (rd_pid_list(g, &p->n_callers))
        return bad(g, "callers");
    if (ar == 18) {
        const char *ns;
        size_t nsl;
        if (etf_atom(&g->r, &ns, &nsl))
            return bad(g, "name source");
        p->name_src = nsl == 10 && !memcmp(ns, "dictionary", 10)   ? NS_DICT
                      : nsl == 5 && !memcmp(ns, "stack", 5)        ? NS_STACK
                      : nsl == 10 && !memcmp(ns, "child_spec", 10) ? NS_CHILD_SPEC
                      : nsl == 8 && !memcmp(ns, "siblings", 8)     ? NS_SIBLINGS
                                                                   : NS_NONE;
    } else if (p->dict_initial_call)
        p->name_src = NS_DICT; /* a version-1 record: a '$initial_call' came from the dictionary */
    return etf_ok(&g->r) ? 0 : bad(g, "process record");
}

static int ing_proc2(ing *g)
{
    uint32_t ar;
    if (etf_tuple(&g->r, &ar) || ar != 5)
        return bad(g, "second-sample record");
    oa_pid pid = rd_pidish(g);
    int64_t mq = rd_int(g, 0), reds = rd_int(g, 0), mem = rd_int(g, -1), monby = rd_int(g, 0);
    if (!etf_ok(&g->r))
        return bad(g, "second-sample record");
    uint32_t i = snap_find_pid(g->s, pid);
    if (i == SNAP_NONE)
        return 0; /* born after the first sample */
    snap_proc *p = snap_proc_at(g->s, i);
    p->mq2 = mq < 0 ? 0 : mq > UINT32_MAX ? UINT32_MAX : (uint32_t)mq;
    p->reds2 = (uint64_t)reds;
    p->mem2 = mem < 0 ? p->mem : (uint64_t)mem;
    p->monby2 = monby < 0 ? 0 : (uint32_t)monby;
    p->flags |= PF_SAMPLE2;
    return 0;
}

static int ing_list(ing *g, int (*one)(ing *))
{
    uint32_t n;
    if (etf_list(&g->r, &n))
        return bad(g, "list");
    for (uint32_t i = 0; i < n; i++)
        if (one(g))
            return -1;
    return etf_list_end(&g->r) ? bad(g, "list tail") : 0;
}

static int ing_node_map(ing *g)
{
    uint32_t n;
    if (etf_map(&g->r, &n))
        return bad(g, "node map");
    snap *s = g->s;
    snap_node *ni = &s->info;
    for (uint32_t i = 0; i < n; i++) {
        const char *k;
        size_t kl;
        if (etf_atom(&g->r, &k, &kl))
            return bad(g, "node map key");
#define KEY(name) etf_atom_eq(k, kl, name)
        if (KEY("node")) {
            ni->node = rd_atom(g);
            s->local_node = snap_node_id(s, snap_str(s, ni->node), strlen(snap_str(s, ni->node)));
        } else if (KEY("otp_release"))
            ni->otp_release = rd_text(g);
        else if (KEY("erts_version"))
            ni->erts_version = rd_text(g);
        else if (KEY("elixir_version"))
            ni->elixir_version = rd_text(g);
        else if (KEY("method"))
            ni->method = rd_text(g);
        else if (KEY("tool_version"))
            ni->tool_version = rd_text(g);
        else if (KEY("schedulers"))
            ni->schedulers = rd_int(g, 0);
        else if (KEY("process_count"))
            ni->process_count = rd_int(g, 0);
        else if (KEY("process_limit"))
            ni->process_limit = rd_int(g, 0);
        else if (KEY("atom_count"))
            ni->atom_count = rd_int(g, 0);
        else if (KEY("atom_limit"))
            ni->atom_limit = rd_int(g, 0);
        else if (KEY("port_count"))
            ni->port_count = rd_int(g, 0);
        else if (KEY("port_limit"))
            ni->port_limit = rd_int(g, 0);
        else if (KEY("ets_count"))
            ni->ets_count = rd_int(g, 0);
        else if (KEY("ets_limit"))
            ni->ets_limit = rd_int(g, 0);
        else if (KEY("uptime_ms"))
            ni->uptime_ms = rd_int(g, 0);
        else if (KEY("collected_at_ms"))
            ni->collected_at_ms = rd_int(g, 0);
        else if (KEY("has_sample2"))
            s->has_sample2 = rd_int(g, 0) != 0;
        else if (KEY("extra_walk_reds"))
            ni->extra_walk_reds = rd_int(g, 0);
        else if (KEY("wordsize"))
            ni->wordsize = rd_int(g, 8);
        else if (KEY("window_ms"))
            ni->window_ms = rd_int(g, 0);
        else if (KEY("sup_timeout_ms"))
            ni->sup_timeout_ms = rd_int(g, 0);
        else if (KEY("mq_threshold"))
            ni->mq_threshold = rd_int(g, 0);
        else if (KEY("walk1_us"))
            ni->walk1_us = rd_int(g, 0);
        else if (KEY("walk2_us"))
            ni->walk2_us = rd_int(g, 0);
        else if (KEY("gap_us")) {
            ni->sample_gap_us = rd_int(g, 0);
        } else if (KEY("total_us"))
            ni->total_us = rd_int(g, 0);
        else if (KEY("reds_delta"))
            ni->reds_total_delta = rd_int(g, 0);
        else if (KEY("busy_limit"))
            ni->dist_busy_limit = rd_int(g, 0);
        else if (KEY("dict_skipped"))
            ni->dict_skipped = rd_int(g, 0);
        else if (KEY("memory")) {
            uint32_t m;
            if (etf_list(&g->r, &m))
                return bad(g, "memory");
            vec_free(&ni->memory);
            vec_init(&ni->memory, sizeof(snap_kv));
            for (uint32_t j = 0; j < m; j++) {
                uint32_t ar;
                if (etf_tuple(&g->r, &ar) || ar != 2)
                    return bad(g, "memory entry");
                snap_kv *kv = vec_push(&ni->memory);
                kv->key = rd_atom(g);
                kv->value = rd_int(g, 0);
            }
            if (etf_list_end(&g->r))
                return bad(g, "memory");
        } else if (KEY("advisor")) {
            uint32_t m;
            if (etf_list(&g->r, &m))
                return bad(g, "advisor");
            for (uint32_t j = 0; j < m; j++) {
                oa_pid *pp = vec_push(&ni->advisor);
                *pp = rd_pidish(g);
            }
            if (etf_list_end(&g->r))
                return bad(g, "advisor");
        } else
            etf_skip(&g->r);
#undef KEY
        if (!etf_ok(&g->r))
            return bad(g, "node map value");
    }
    return 0;
}

static int ing_app(ing *g, int ar)
{
    snap_app *a = vec_push(&g->s->apps);
    a->name = rd_atom(g);
    a->desc = rd_text(g);
    a->vsn = rd_text(g);
    a->master = rd_pidish(g);
    a->top = rd_pidish(g);
    a->mod = rd_atom(g);
    if (ar == 9) { /* since the probe sends what each application needs and where its code is */
        a->needs = rd_text(g);
        a->lib_dir = rd_text(g);
    }
    a->top_sup = SNAP_NONE;
    return etf_ok(&g->r) ? 0 : bad(g, "app");
}

static int ing_sup(ing *g)
{
    snap *s = g->s;
    snap_sup *sp = vec_push(&s->sups);
    sp->proc = sp->parent = sp->app = SNAP_NONE;
    sp->pid = rd_pidish(g);
    sp->name = rd_atom(g);
    const char *k;
    size_t kl;
    if (etf_atom(&g->r, &k, &kl))
        return bad(g, "supervisor kind");
    sp->kind = (uint8_t)sup_kind_of_atom(k, kl);
    sp->strategy = rd_atom(g);
    sp->intensity = (int32_t)rd_int(g, -1);
    sp->period = (int32_t)rd_int(g, -1);
    uint32_t n;
    if (etf_list(&g->r, &n))
        return bad(g, "restarts");
    sp->restarts = (uint32_t)s->ints.len;
    for (uint32_t i = 0; i < n; i++) {
        int64_t *slot = vec_push(&s->ints);
        *slot = rd_int(g, 0);
    }
    sp->n_restarts = n;
    if (etf_list_end(&g->r))
        return bad(g, "restarts");
    const char *st;
    size_t stl;
    if (etf_atom(&g->r, &st, &stl))
        return bad(g, "supervisor status");
    sp->status = (uint8_t)sup_status_of_atom(st, stl);
    sp->error = rd_text(g);
    rd_int(g, 0); /* announced children count: the rows that follow are authoritative */
    sp->callback = rd_atom(g);
    sp->children = (uint32_t)s->children.len;
    s->cur_sup = (uint32_t)(s->sups.len - 1);
    return etf_ok(&g->r) ? 0 : bad(g, "supervisor");
}

static int ing_child(ing *g)
{
    uint32_t ar;
    if (etf_tuple(&g->r, &ar) || (ar != 5 && ar != 6)) /* 5: before the start was sent */
        return bad(g, "child row");
    snap *s = g->s;
    snap_child *c = vec_push(&s->children);
    c->proc = SNAP_NONE;
    c->id = rd_text(g);
    if (etf_is_atom(&g->r, "restarting")) {
        c->state = CS_RESTARTING;
        etf_skip(&g->r);
    } else {
        c->pid = rd_pidish(g);
        c->state = c->pid.kind == PK_PID ? CS_PID : CS_UNDEFINED;
    }
    c->type = etf_is_atom(&g->r, "supervisor") ? 1 : 0;
    etf_skip(&g->r);
    if (etf_is_atom(&g->r, "permanent"))
        c->restart = RT_PERMANENT;
    else if (etf_is_atom(&g->r, "transient"))
        c->restart = RT_TRANSIENT;
    else if (etf_is_atom(&g->r, "temporary"))
        c->restart = RT_TEMPORARY;
    etf_skip(&g->r);
    if (etf_peek(&g->r) == ETF_LIST || etf_peek(&g->r) == ETF_NIL) {
        uint32_t n;
        char buf[512];
        size_t len = 0;
        if (etf_list(&g->r, &n))
            return bad(g, "child modules");
        for (uint32_t i = 0; i < n; i++) {
            const char *m;
            size_t ml;
            if (etf_atom(&g->r, &m, &ml))
                return bad(g, "child module");
            if (len + ml + 2 < sizeof buf) {
                if (len)
                    buf[len++] = ',';
                memcpy(buf + len, m, ml);
                len += ml;
            }
        }
        if (etf_list_end(&g->r))
            return bad(g, "child modules");
        c->modules = strtab_intern(&s->strs, buf, len);
    } else
        c->modules = rd_text(g); /* dynamic */
    if (ar == 6) {
        if (etf_peek(&g->r) == ETF_SMALL_TUPLE) {
            uint32_t sar;
            if (etf_tuple(&g->r, &sar) || sar != 3)
                return bad(g, "child start");
            c->start_m = rd_atom(g);
            c->start_f = rd_atom(g);
            c->start_args = rd_text(g);
            if (!c->start_m || !c->start_f || !c->start_args)
                c->start_m = c->start_f = c->start_args = 0; /* all or nothing */
        } else
            etf_skip(&g->r); /* undefined: not plain data */
    }
    return etf_ok(&g->r) ? 0 : bad(g, "child row");
}

static int ing_ets(ing *g)
{
    uint32_t ar;
    if (etf_tuple(&g->r, &ar) || ar != 11)
        return bad(g, "ets record");
    snap_ets *e = vec_push(&g->s->ets);
    e->owner_proc = SNAP_NONE;
    e->id = rd_text(g);
    e->name = rd_atom(g);
    e->owner = rd_pidish(g);
    e->heir = rd_pidish(g);
    e->type = rd_atom(g);
    e->protection = rd_atom(g);
    e->size = (uint64_t)rd_int(g, 0);
    e->mem = (uint64_t)rd_int(g, 0) * (uint64_t)wordsize(g->s);
    e->read_conc = (uint8_t)rd_bool(g);
    e->write_conc = (uint8_t)(etf_is_atom(&g->r, "true") ? 1 : etf_is_atom(&g->r, "auto") ? 2 : 0);
    etf_skip(&g->r);
    e->named = (uint8_t)rd_bool(g);
    return etf_ok(&g->r) ? 0 : bad(g, "ets record");
}

static int ing_name(ing *g, vec *into)
{
    uint32_t ar;
    if (etf_tuple(&g->r, &ar) || ar != 2)
        return bad(g, "name pair");
    snap_name *nm = vec_push(into);
    nm->key = rd_shown(g, 1);
    nm->pid = rd_pidish(g);
    return etf_ok(&g->r) ? 0 : bad(g, "name pair");
}

static int ing_global(ing *g)
{
    return ing_name(g, &g->s->globals);
}
static int ing_regkey(ing *g)
{
    return ing_name(g, &g->s->reg_keys);
}

static int ing_pg(ing *g)
{
    uint32_t ar;
    if (etf_tuple(&g->r, &ar) || ar != 3)
        return bad(g, "pg scope");
    snap_pg *pg = vec_push(&g->s->pgs);
    pg->scope = rd_atom(g);
    pg->groups = (uint32_t)rd_int(g, 0);
    pg->members = (uint32_t)rd_int(g, 0);
    return etf_ok(&g->r) ? 0 : bad(g, "pg scope");
}

static int ing_pg_group(ing *g)
{
    uint32_t ar;
    if (etf_tuple(&g->r, &ar) || ar != 4)
        return bad(g, "pg group");
    snap_pg_group *pg = vec_push(&g->s->pg_groups);
    pg->scope = rd_atom(g);
    pg->group = rd_shown(g, 1);
    pg->local = (uint32_t)rd_int(g, 0);
    pg->total = (uint32_t)rd_int(g, 0);
    return etf_ok(&g->r) ? 0 : bad(g, "pg group");
}

static int ing_dist_link(ing *g)
{
    uint32_t ar;
    if (etf_tuple(&g->r, &ar) || ar != 7)
        return bad(g, "dist link");
    snap_dist *d = vec_push(&g->s->dist);
    d->node = rd_atom(g);
    d->kind = etf_is_atom(&g->r, "process") ? DK_PROCESS : DK_PORT;
    etf_skip(&g->r);
    int64_t v[5];
    for (int i = 0; i < 5; i++)
        v[i] = rd_int(g, 0);
    d->looks = (uint32_t)(v[0] < 0 ? 0 : v[0]);
    d->looks_pending = (uint32_t)(v[1] < 0 ? 0 : v[1] > v[0] ? v[0] : v[1]);
    d->max_pending = (uint64_t)(v[2] < 0 ? 0 : v[2]);
    d->bytes_sent = (uint64_t)(v[3] < 0 ? 0 : v[3]);
    d->span_us = v[4] < 0 ? 0 : v[4];
    return etf_ok(&g->r) ? 0 : bad(g, "dist link");
}

static int ing_exports(ing *g)
{
    uint32_t ar, n;
    if (etf_tuple(&g->r, &ar) || ar < 2 || ar > 4)
        return bad(g, "start_links"); /* 3: with the module's source file; 4: and its MD5 */
    snap_exports *e = vec_push(&g->s->exports);
    e->module = rd_atom(g);
    e->arities = 0;
    e->source = 0;
    if (etf_list(&g->r, &n))
        return bad(g, "start_links");
    for (uint32_t i = 0; i < n; i++) {
        int64_t a;
        if (etf_int(&g->r, &a))
            return bad(g, "start_links");
        if (a >= 0 && a < 32)
            e->arities |= 1u << a;
    }
    if (etf_list_end(&g->r))
        return bad(g, "start_links");
    if (ar >= 3) {
        if (etf_peek(&g->r) == ETF_BINARY)
            e->source = rd_text(g);
        else
            etf_skip(&g->r); /* undefined: no source in its compile info */
    }
    e->md5 = 0;
    if (ar == 4) {
        const char *b;
        size_t bn;
        if (etf_peek(&g->r) != ETF_BINARY)
            etf_skip(&g->r); /* undefined: not known */
        else if (etf_bin(&g->r, &b, &bn) == 0 && bn == 16) {
            char hex[33];
            for (size_t i = 0; i < 16; i++)
                snprintf(hex + 2 * i, 3, "%02x", (unsigned char)b[i]);
            e->md5 = snap_intern(g->s, hex);
        }
    }
    return etf_ok(&g->r) ? 0 : bad(g, "start_links");
}

/* ---- a watch's series (format 3: written by `watch --save`) ---------------------------- */

static snap_series *own_series(snap *s)
{
    if (!s->own_series) {
        s->own_series = xcalloc(1, sizeof *s->own_series);
        s->series = s->own_series;
    }
    snap_series *ss = s->own_series;
    if (ss->n_procs < s->procs.len) { /* one slot a process, NULL until its series arrives */
        ss->proc = xrealloc(ss->proc, s->procs.len * sizeof *ss->proc);
        memset(ss->proc + ss->n_procs, 0, (s->procs.len - ss->n_procs) * sizeof *ss->proc);
        ss->n_procs = (uint32_t)s->procs.len;
    }
    return ss;
}

static int rd_u32_list(ing *g, uint32_t *out, uint32_t max, uint32_t *n)
{
    uint32_t k;
    if (etf_list(&g->r, &k) || k > max)
        return -1;
    for (uint32_t i = 0; i < k; i++) {
        int64_t v = rd_int(g, 0);
        out[i] = v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
    }
    *n = k;
    return etf_list_end(&g->r) ? -1 : 0;
}

/* {Pid, [T], [Mq], [Reds], Total, FirstT, LastT, Ge10, Ge100, Active, MqMax, RunT, RunMq, RunPeak} */
static int ing_pseries(ing *g)
{
    uint32_t ar, n1, n2, n3;
    if (etf_tuple(&g->r, &ar) || ar != 14)
        return bad(g, "series record");
    oa_pid pid = rd_pidish(g);
    snap_pseries ps;
    memset(&ps, 0, sizeof ps);
    if (rd_u32_list(g, ps.t_ds, SERIES_RING, &n1) || rd_u32_list(g, ps.mq, SERIES_RING, &n2) ||
        rd_u32_list(g, ps.reds, SERIES_RING, &n3) || n1 != n2 || n2 != n3)
        return bad(g, "series record");
    ps.n = n1;
    uint32_t *f[] = {&ps.total,  &ps.first_t, &ps.last_t, &ps.mq_ge10, &ps.mq_ge100,
                     &ps.active, &ps.mq_max,  &ps.run_t,  &ps.run_mq,  &ps.run_peak};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        int64_t v = rd_int(g, 0);
        *f[i] = v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
    }
    if (!etf_ok(&g->r))
        return bad(g, "series record");
    /* times in order, counters within the samples: what the rules subtract and divide */
    int ok = ps.first_t <= ps.run_t && ps.run_t <= ps.last_t && ps.mq_ge100 <= ps.mq_ge10 && ps.mq_ge10 <= ps.total &&
             ps.active <= ps.total && ps.n <= ps.total;
    for (uint32_t k = 0; ok && k < ps.n; k++)
        ok = ps.t_ds[k] >= ps.first_t && ps.t_ds[k] <= ps.last_t && (k == 0 || ps.t_ds[k] >= ps.t_ds[k - 1]);
    if (!ok)
        return bad(g, "series record (times out of order or counts over the samples)");
    uint32_t i = snap_find_pid(g->s, pid);
    if (i == SNAP_NONE)
        return 0;
    snap_series *ss = own_series(g->s);
    if (!ss->proc[i])
        ss->proc[i] = xmalloc(sizeof ps);
    *ss->proc[i] = ps;
    return 0;
}

/* {SupPid, T}: a restart seen during the watch */
static int ing_restart(ing *g)
{
    uint32_t ar;
    if (etf_tuple(&g->r, &ar) || ar != 2)
        return bad(g, "restart record");
    oa_pid pid = rd_pidish(g);
    int64_t t = rd_int(g, 0);
    if (!etf_ok(&g->r))
        return bad(g, "restart record");
    snap_series *ss = own_series(g->s);
    if (ss->n_restarts >= 10000)
        return 0; /* more would say nothing more, and cost the rule (supervisors x restarts) */
    if (ss->n_restarts && ss->restarts[ss->n_restarts - 1].t_ds > t)
        return bad(g, "restart record (out of order)");
    for (uint32_t k = 0; k < g->s->sups.len; k++)
        if (oa_pid_eq(snap_sup_at(g->s, k)->pid, pid)) {
            if ((ss->n_restarts & (ss->n_restarts - 1)) == 0) /* 0, 1, 2, 4, …: room doubles */
                ss->restarts =
                    xrealloc((void *)ss->restarts, (ss->n_restarts ? ss->n_restarts * 2 : 1) * sizeof *ss->restarts);
            ((snap_restart *)ss->restarts)[ss->n_restarts++] = (snap_restart){k, t < 0 ? 0 : (uint32_t)t};
            break;
        }
    return 0;
}

int snap_ingest(snap *s, const void *term, size_t len, char *err)
{
    ing g = {.s = s, .err = err};
    etf_init(&g.r, term, len);
    uint32_t ar;
    const char *tag;
    size_t tl;
    if (etf_tuple(&g.r, &ar) || ar < 2 || etf_atom(&g.r, &tag, &tl))
        return bad(&g, "message header");
    s->finished = 0;
#define TAG(name) etf_atom_eq(tag, tl, name)
    int rc;
    if (TAG("procs") && ar == 2)
        rc = ing_list(&g, ing_proc);
    else if (TAG("procs2") && ar == 2) {
        if (!s->pidx || s->pidx_n != s->procs.len)
            snap_index_pids(s);
        s->has_sample2 = 1;
        rc = ing_list(&g, ing_proc2);
    } else if (TAG("node") && ar == 2)
        rc = ing_node_map(&g);
    else if (TAG("series") && ar == 3) { /* {series, Samples, SpanDs} */
        int64_t n = rd_int(&g, 0), span = rd_int(&g, 0);
        snap_series *ss = own_series(s);
        ss->samples = n < 0 ? 0 : (uint32_t)n;
        ss->span_ds = span < 0 ? 0 : (uint32_t)span;
        rc = etf_ok(&g.r) ? 0 : bad(&g, "series");
    } else if (TAG("pseries") && ar == 2) {
        if (!s->pidx || s->pidx_n != s->procs.len)
            snap_index_pids(s);
        rc = ing_list(&g, ing_pseries);
    } else if (TAG("restarts") && ar == 2)
        rc = ing_list(&g, ing_restart);
    else if (TAG("done") && ar == 2)
        rc = ing_node_map(&g); /* same keys space: timings */
    else if (TAG("meta") && ar == 2)
        rc = ing_node_map(&g);
    else if (TAG("app") && (ar == 7 || ar == 9))
        rc = ing_app(&g, ar);
    else if (TAG("sup") && ar == 12)
        rc = ing_sup(&g);
    else if (TAG("sup_children") && ar == 3) {
        oa_pid pid = rd_pidish(&g);
        if (s->cur_sup == SNAP_NONE || !oa_pid_eq(snap_sup_at(s, s->cur_sup)->pid, pid))
            return errf(err, "malformed snapshot data: children for a supervisor that was not announced last");
        rc = ing_list(&g, ing_child);
        snap_sup *sp = snap_sup_at(s, s->cur_sup);
        sp->n_children = (uint32_t)(s->children.len - sp->children);
    } else if (TAG("ets") && ar == 2)
        rc = ing_list(&g, ing_ets);
    else if (TAG("start_links") && ar == 2)
        rc = ing_list(&g, ing_exports);
    else if (TAG("registry") && ar == 6) {
        snap_registry *rg = vec_push(&s->regs);
        rg->name = rd_atom(&g);
        rg->sup = rd_pidish(&g);
        rg->kind = rd_atom(&g);
        rg->partitions = (uint32_t)rd_int(&g, 0);
        int64_t kc = rd_int(&g, -1);
        rg->key_count = kc < 0 ? 0 : (uint64_t)kc;
        rg->keys = (uint32_t)s->reg_keys.len;
        s->cur_reg = (uint32_t)(s->regs.len - 1);
        rc = etf_ok(&g.r) ? 0 : bad(&g, "registry");
    } else if (TAG("registry_keys") && ar == 3) {
        oa_str name = rd_atom(&g);
        if (s->cur_reg == SNAP_NONE || VEC_AT(&s->regs, snap_registry, s->cur_reg).name != name)
            return errf(err, "malformed snapshot data: keys for a registry that was not announced last");
        rc = ing_list(&g, ing_regkey);
        snap_registry *rg = vec_at(&s->regs, s->cur_reg);
        rg->n_keys = (uint32_t)(s->reg_keys.len - rg->keys);
    } else if (TAG("global") && ar == 2)
        rc = ing_list(&g, ing_global);
    else if (TAG("pg") && ar == 2)
        rc = ing_list(&g, ing_pg);
    else if (TAG("pg_groups") && ar == 2)
        rc = ing_list(&g, ing_pg_group);
    else if (TAG("dist") && ar == 3) {
        rc = ing_node_map(&g); /* busy_limit */
        s->info.has_dist = 1;
        if (!rc)
            rc = ing_list(&g, ing_dist_link);
    } else if (TAG("error") && ar == 2) {
        oa_str m = rd_text(&g);
        if (!etf_ok(&g.r))
            return bad(&g, "error message");
        return errf(err, "the collector failed on the target: %.400s", m ? snap_str(s, m) : "");
    } else
        return errf(err, "malformed snapshot data: unknown message '%.*s'/%u", (int)(tl > 40 ? 40 : tl), tag, ar);
#undef TAG
    if (rc)
        return rc;
    if (!etf_ok(&g.r) || !etf_at_end(&g.r))
        return bad(&g, "trailing bytes");
    return 0;
}
