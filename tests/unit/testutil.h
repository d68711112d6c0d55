/* testutil.h — shared helpers for the cmocka unit tests.
 *
 * The builders here encode the canonical snapshot messages exactly as the probe streams
 * them (probes/otp_advisor_probe.erl, header comment; src/snap_io.c writes the same
 * shapes) with libei's ei_x_encode_*, and feed each one to snap_ingest as bare terms
 * (no version byte). Everything is `static inline` so a test file may use any subset
 * without -Wunused-function tripping -Werror.
 *
 * Process references are written as small text tokens, separated by blanks:
 *   "12"            a local pid <0.12.0> on TU_NODE (creation TU_CREATION)
 *   "other@h/7"     a pid <7.0> on another node
 *   "port:5"        a port on TU_NODE
 *   "undefined"     the atom undefined
 *   anything else   an atom (a registered name, as in '$ancestors')
 */
#ifndef OA_TESTUTIL_H
#define OA_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first */
#include <cmocka.h>

#include <ei.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "etf.h"
#include "snap.h"
#include "util.h"

#define TU_NODE "n@h"
#define TU_CREATION 1234u

/* ---- raw buffers ----------------------------------------------------------------------- */

/* An exact-size heap copy, so that ASan reports any read one byte past the end. */
static inline unsigned char *tu_dup(const void *p, size_t n)
{
    unsigned char *c = malloc(n ? n : 1);
    assert_non_null(c);
    if (n)
        memcpy(c, p, n);
    return c;
}

static inline void tu_append(ei_x_buff *x, const void *p, size_t n)
{
    ei_x_append_buf(x, (const char *)p, (int)n);
}

static inline void tu_atom(ei_x_buff *x, const char *a)
{
    ei_x_encode_atom_len_as(x, a, (int)strlen(a), ERLANG_UTF8, ERLANG_UTF8);
}

static inline void tu_bin(ei_x_buff *x, const char *s)
{
    ei_x_encode_binary(x, s, (long)strlen(s));
}

/* Read a whole file into a malloc'd buffer of exactly its size. */
static inline unsigned char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    unsigned char *b = malloc((size_t)n ? (size_t)n : 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* A fresh temporary path (the file exists, empty); caller unlinks it. */
static inline void tu_tmp_path(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/oa-unit-XXXXXX");
    int fd = mkstemp(buf);
    assert_true(fd >= 0);
    close(fd);
}

static inline void tu_write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (n)
        assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* ---- pids and tokens ------------------------------------------------------------------- */

static inline void tu_enc_pid_on(ei_x_buff *x, const char *node, unsigned num, unsigned serial, unsigned creation)
{
    erlang_pid p;
    memset(&p, 0, sizeof p);
    snprintf(p.node, sizeof p.node, "%s", node);
    p.num = num;
    p.serial = serial;
    p.creation = creation;
    assert_int_equal(ei_x_encode_pid(x, &p), 0);
}

static inline void tu_enc_pid(ei_x_buff *x, unsigned num)
{
    tu_enc_pid_on(x, TU_NODE, num, 0, TU_CREATION);
}

static inline void tu_enc_port(ei_x_buff *x, const char *node, unsigned long long id)
{
    erlang_port p;
    memset(&p, 0, sizeof p);
    snprintf(p.node, sizeof p.node, "%s", node);
    p.id = id;
    p.creation = TU_CREATION;
    assert_int_equal(ei_x_encode_port(x, &p), 0);
}

static inline int tu_all_digits(const char *s, size_t n)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Encode one token (see the header comment). */
static inline void tu_enc_tok(ei_x_buff *x, const char *t, size_t n)
{
    char buf[256];
    assert_true(n > 0 && n < sizeof buf);
    memcpy(buf, t, n);
    buf[n] = 0;
    const char *slash = strchr(buf, '/');
    if (tu_all_digits(buf, n))
        tu_enc_pid(x, (unsigned)strtoul(buf, NULL, 10));
    else if (strncmp(buf, "port:", 5) == 0)
        tu_enc_port(x, TU_NODE, strtoull(buf + 5, NULL, 10));
    else if (slash && strchr(buf, '@') && tu_all_digits(slash + 1, strlen(slash + 1))) {
        char node[256];
        snprintf(node, sizeof node, "%.*s", (int)(slash - buf), buf);
        tu_enc_pid_on(x, node, (unsigned)strtoul(slash + 1, NULL, 10), 0, TU_CREATION);
    } else
        tu_atom(x, buf);
}

static inline size_t tu_count_toks(const char *s)
{
    size_t n = 0;
    for (const char *p = s; p && *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        n++;
        while (*p && *p != ' ')
            p++;
    }
    return n;
}

/* A single token (NULL -> undefined). */
static inline void tu_enc_ref(ei_x_buff *x, const char *tok)
{
    if (!tok)
        tu_atom(x, "undefined");
    else
        tu_enc_tok(x, tok, strlen(tok));
}

/* A proper list of tokens; NULL or "" -> []. */
static inline void tu_enc_toks(ei_x_buff *x, const char *s)
{
    size_t n = tu_count_toks(s);
    if (n)
        ei_x_encode_list_header(x, (long)n);
    for (const char *p = s; p && *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *b = p;
        while (*p && *p != ' ')
            p++;
        tu_enc_tok(x, b, (size_t)(p - b));
    }
    ei_x_encode_empty_list(x);
}

/* "m:f/a" -> {m, f, a}; NULL -> undefined */
static inline void tu_enc_mfa(ei_x_buff *x, const char *mfa)
{
    if (!mfa) {
        tu_atom(x, "undefined");
        return;
    }
    const char *colon = strchr(mfa, ':'), *slash = strrchr(mfa, '/');
    assert_non_null(colon);
    assert_non_null(slash);
    ei_x_encode_tuple_header(x, 3);
    ei_x_encode_atom_len_as(x, mfa, (int)(colon - mfa), ERLANG_UTF8, ERLANG_UTF8);
    ei_x_encode_atom_len_as(x, colon + 1, (int)(slash - colon - 1), ERLANG_UTF8, ERLANG_UTF8);
    ei_x_encode_long(x, atol(slash + 1));
}

/* The oa_pid a token "N" stands for in s (interns the node name). */
static inline oa_pid tu_pid(snap *s, unsigned num)
{
    return snap_make_pid(s, TU_NODE, strlen(TU_NODE), num, 0, TU_CREATION);
}

/* Index of process <0.num.0>, SNAP_NONE if absent; needs snap_finish (or an index). */
static inline uint32_t tu_find(snap *s, unsigned num)
{
    return snap_find_pid(s, tu_pid(s, num));
}

static inline snap_proc *tu_proc_of(snap *s, unsigned num)
{
    uint32_t i = tu_find(s, num);
    assert_int_not_equal(i, SNAP_NONE);
    return snap_proc_at(s, i);
}

/* ---- feeding --------------------------------------------------------------------------- */

/* Ingest x (a bare term) and free it; returns snap_ingest's status, err filled. */
static inline int tu_feed_rc(snap *s, ei_x_buff *x, char *err)
{
    err[0] = 0;
    /* an exact-size copy: an overrun in the decoder shows up under ASan */
    unsigned char *c = tu_dup(x->buff, (size_t)x->index);
    int rc = snap_ingest(s, c, (size_t)x->index, err);
    free(c);
    ei_x_free(x);
    return rc;
}

static inline void tu_feed(snap *s, ei_x_buff *x)
{
    char err[OA_ERRLEN];
    int rc = tu_feed_rc(s, x, err);
    if (rc)
        fail_msg("snap_ingest failed: %s", err);
}

/* ---- message builders ------------------------------------------------------------------ */

typedef struct {
    const char *node;    /* NULL: TU_NODE */
    const char *elixir;  /* NULL: undefined */
    const char *otp;     /* NULL: "26" */
    const char *advisor; /* tokens */
    long wordsize;       /* 0: 8 */
    long schedulers;
    long process_count;
    long window_ms;
} tu_node_spec;

/* {node, #{...}} as the probe sends it (plus has_sample2 as snap_save writes it). */
static inline void tu_node(snap *s, const tu_node_spec *ns)
{
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 2);
    tu_atom(&x, "node");
    ei_x_encode_map_header(&x, 17);
    tu_atom(&x, "node");
    tu_atom(&x, ns->node ? ns->node : TU_NODE);
    tu_atom(&x, "otp_release");
    tu_bin(&x, ns->otp ? ns->otp : "26");
    tu_atom(&x, "erts_version");
    tu_bin(&x, "14.2");
    tu_atom(&x, "elixir_version");
    if (ns->elixir)
        tu_bin(&x, ns->elixir);
    else
        tu_atom(&x, "undefined");
    tu_atom(&x, "schedulers");
    ei_x_encode_long(&x, ns->schedulers);
    tu_atom(&x, "process_count");
    ei_x_encode_long(&x, ns->process_count);
    tu_atom(&x, "process_limit");
    ei_x_encode_long(&x, 262144);
    tu_atom(&x, "atom_count");
    ei_x_encode_long(&x, 20000);
    tu_atom(&x, "atom_limit");
    ei_x_encode_long(&x, 1048576);
    tu_atom(&x, "port_count");
    ei_x_encode_long(&x, 7);
    tu_atom(&x, "port_limit");
    ei_x_encode_long(&x, 65536);
    tu_atom(&x, "ets_count");
    ei_x_encode_long(&x, 30);
    tu_atom(&x, "ets_limit");
    ei_x_encode_long(&x, 8192);
    tu_atom(&x, "memory");
    ei_x_encode_list_header(&x, 3);
    ei_x_encode_tuple_header(&x, 2);
    tu_atom(&x, "total");
    ei_x_encode_longlong(&x, 50000000);
    ei_x_encode_tuple_header(&x, 2);
    tu_atom(&x, "processes");
    ei_x_encode_longlong(&x, 20000000);
    ei_x_encode_tuple_header(&x, 2);
    tu_atom(&x, "ets");
    ei_x_encode_longlong(&x, 1000000);
    ei_x_encode_empty_list(&x);
    tu_atom(&x, "wordsize");
    ei_x_encode_long(&x, ns->wordsize ? ns->wordsize : 8);
    tu_atom(&x, "window_ms");
    ei_x_encode_long(&x, ns->window_ms);
    tu_atom(&x, "advisor");
    tu_enc_toks(&x, ns->advisor);
    tu_feed(s, &x);
}

/* {done, #{...}}: timings of the collection. */
static inline void tu_done(snap *s, long gap_us, long walk1_us, long walk2_us, long total_us, long reds_delta)
{
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 2);
    tu_atom(&x, "done");
    ei_x_encode_map_header(&x, 5);
    tu_atom(&x, "walk1_us");
    ei_x_encode_long(&x, walk1_us);
    tu_atom(&x, "walk2_us");
    ei_x_encode_long(&x, walk2_us);
    tu_atom(&x, "gap_us");
    ei_x_encode_long(&x, gap_us);
    tu_atom(&x, "total_us");
    ei_x_encode_long(&x, total_us);
    tu_atom(&x, "reds_delta");
    ei_x_encode_long(&x, reds_delta);
    tu_feed(s, &x);
}

typedef struct {
    unsigned num;       /* <0.num.0> */
    const char *name;   /* registered name; NULL: [] */
    const char *ic;     /* initial_call "m:f/a"; NULL: undefined */
    const char *dic;    /* '$initial_call'; NULL: undefined */
    const char *anc;    /* '$ancestors' tokens */
    const char *cf;     /* current_function; NULL: gen_server:loop/7 */
    const char *status; /* NULL: waiting */
    long mq, reds;
    long mem, heap;    /* bytes, words */
    int mem_skipped;   /* queue over the threshold: memory/heap undefined */
    const char *links; /* tokens */
    const char *mons;  /* tokens */
    long monby;
    int trap_exit;
    const char *gl;      /* token; NULL: undefined */
    const char *callers; /* tokens; NULL: undefined ('$callers' absent) */
} tu_proc;

/* The 17-tuple of one process, as ProcInfo builds it. */
static inline void tu_enc_proc(ei_x_buff *x, const tu_proc *p)
{
    ei_x_encode_tuple_header(x, 17);
    tu_enc_pid(x, p->num);
    if (p->name)
        tu_atom(x, p->name);
    else
        ei_x_encode_empty_list(x);
    tu_enc_mfa(x, p->ic);
    tu_enc_mfa(x, p->dic);
    tu_enc_toks(x, p->anc);
    tu_enc_mfa(x, p->cf ? p->cf : "gen_server:loop/7");
    tu_atom(x, p->status ? p->status : "waiting");
    ei_x_encode_long(x, p->mq);
    ei_x_encode_long(x, p->reds);
    if (p->mem_skipped) {
        tu_atom(x, "undefined");
        tu_atom(x, "undefined");
    } else {
        ei_x_encode_long(x, p->mem);
        ei_x_encode_long(x, p->heap);
    }
    tu_enc_toks(x, p->links);
    tu_enc_toks(x, p->mons);
    ei_x_encode_long(x, p->monby);
    tu_atom(x, p->trap_exit ? "true" : "false");
    tu_enc_ref(x, p->gl);
    if (p->callers)
        tu_enc_toks(x, p->callers);
    else
        tu_atom(x, "undefined");
}

/* {procs, [Proc]} */
static inline void tu_procs(snap *s, const tu_proc *ps, size_t n)
{
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 2);
    tu_atom(&x, "procs");
    if (n)
        ei_x_encode_list_header(&x, (long)n);
    for (size_t i = 0; i < n; i++)
        tu_enc_proc(&x, &ps[i]);
    ei_x_encode_empty_list(&x);
    tu_feed(s, &x);
}

typedef struct {
    unsigned num;
    long mq, reds, mem; /* mem < 0: undefined */
    long monby;
} tu_proc2;

/* {procs2, [{P, Q, R, M, MB}]} */
static inline void tu_procs2(snap *s, const tu_proc2 *ps, size_t n)
{
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 2);
    tu_atom(&x, "procs2");
    if (n)
        ei_x_encode_list_header(&x, (long)n);
    for (size_t i = 0; i < n; i++) {
        ei_x_encode_tuple_header(&x, 5);
        tu_enc_pid(&x, ps[i].num);
        ei_x_encode_long(&x, ps[i].mq);
        ei_x_encode_long(&x, ps[i].reds);
        if (ps[i].mem < 0)
            tu_atom(&x, "undefined");
        else
            ei_x_encode_long(&x, ps[i].mem);
        ei_x_encode_long(&x, ps[i].monby);
    }
    ei_x_encode_empty_list(&x);
    tu_feed(s, &x);
}

/* {app, Name, Desc, Vsn, Master, Top, Mod} */
static inline void tu_app(snap *s, const char *name, const char *desc, const char *vsn, const char *master,
                          const char *top, const char *mod)
{
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 7);
    tu_atom(&x, "app");
    tu_atom(&x, name);
    tu_bin(&x, desc);
    tu_bin(&x, vsn);
    tu_enc_ref(&x, master);
    tu_enc_ref(&x, top);
    tu_atom(&x, mod ? mod : "undefined");
    tu_feed(s, &x);
}

typedef struct {
    unsigned num;
    const char *name;     /* NULL: undefined */
    const char *kind;     /* supervisor, bridge, dynamic, task, partition, registry */
    const char *strategy; /* NULL: undefined */
    long intensity, period;
    const char *restarts; /* blank-separated integers: seconds ago */
    const char *status;   /* NULL: ok */
    const char *error;    /* NULL: <<>> */
    long nchildren;
    const char *callback; /* NULL: undefined */
} tu_sup;

/* {sup, Pid, Name, Kind, Strategy, Intensity, Period, RestartsAgo, Status, Error, N, CB} */
static inline void tu_sup_msg(snap *s, const tu_sup *sp)
{
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 12);
    tu_atom(&x, "sup");
    tu_enc_pid(&x, sp->num);
    tu_atom(&x, sp->name ? sp->name : "undefined");
    tu_atom(&x, sp->kind ? sp->kind : "supervisor");
    tu_atom(&x, sp->strategy ? sp->strategy : "undefined");
    ei_x_encode_long(&x, sp->intensity);
    ei_x_encode_long(&x, sp->period);
    size_t nr = tu_count_toks(sp->restarts);
    if (nr)
        ei_x_encode_list_header(&x, (long)nr);
    for (const char *p = sp->restarts; p && *p;) {
        char *e;
        long v = strtol(p, &e, 10);
        if (e == p)
            break;
        ei_x_encode_long(&x, v);
        p = e;
    }
    ei_x_encode_empty_list(&x);
    tu_atom(&x, sp->status ? sp->status : "ok");
    tu_bin(&x, sp->error ? sp->error : "");
    ei_x_encode_long(&x, sp->nchildren);
    tu_atom(&x, sp->callback ? sp->callback : "undefined");
    tu_feed(s, &x);
}

typedef struct {
    const char *id;      /* id text */
    const char *pid;     /* token, "restarting" or "undefined" */
    int sup;             /* type supervisor (else worker) */
    const char *restart; /* permanent/transient/temporary; NULL: undefined */
    const char *modules; /* comma-separated; "dynamic" for the atom */
} tu_child;

/* {sup_children, Pid, [{IdText, Pid|undefined|restarting, Type, Restart, Modules}]} */
static inline void tu_children(snap *s, unsigned sup, const tu_child *cs, size_t n)
{
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 3);
    tu_atom(&x, "sup_children");
    tu_enc_pid(&x, sup);
    if (n)
        ei_x_encode_list_header(&x, (long)n);
    for (size_t i = 0; i < n; i++) {
        const tu_child *c = &cs[i];
        ei_x_encode_tuple_header(&x, 5);
        tu_bin(&x, c->id);
        tu_enc_ref(&x, c->pid);
        tu_atom(&x, c->sup ? "supervisor" : "worker");
        tu_atom(&x, c->restart ? c->restart : "undefined");
        const char *m = c->modules ? c->modules : "";
        if (strcmp(m, "dynamic") == 0)
            tu_atom(&x, "dynamic");
        else {
            int cnt = *m ? 1 : 0;
            for (const char *q = m; *q; q++)
                cnt += *q == ',';
            if (cnt)
                ei_x_encode_list_header(&x, cnt);
            while (*m) {
                const char *e = strchr(m, ',');
                size_t l = e ? (size_t)(e - m) : strlen(m);
                ei_x_encode_atom_len_as(&x, m, (int)l, ERLANG_UTF8, ERLANG_UTF8);
                m += l + (e ? 1 : 0);
            }
            ei_x_encode_empty_list(&x);
        }
    }
    ei_x_encode_empty_list(&x);
    tu_feed(s, &x);
}

/* {registry, Name, SupPid, Kind, Partitions, Count} */
static inline void tu_registry(snap *s, const char *name, unsigned sup, const char *kind, long parts, long count)
{
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 6);
    tu_atom(&x, "registry");
    tu_atom(&x, name);
    tu_enc_pid(&x, sup);
    tu_atom(&x, kind);
    ei_x_encode_long(&x, parts);
    ei_x_encode_long(&x, count);
    tu_feed(s, &x);
}

typedef struct {
    const char *key; /* key text */
    const char *pid; /* token */
} tu_key;

static inline void tu_enc_keys(ei_x_buff *x, const tu_key *ks, size_t n)
{
    if (n)
        ei_x_encode_list_header(x, (long)n);
    for (size_t i = 0; i < n; i++) {
        ei_x_encode_tuple_header(x, 2);
        tu_bin(x, ks[i].key);
        tu_enc_ref(x, ks[i].pid);
    }
    ei_x_encode_empty_list(x);
}

/* {registry_keys, Name, [{KeyText, Pid}]} */
static inline void tu_registry_keys(snap *s, const char *name, const tu_key *ks, size_t n)
{
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 3);
    tu_atom(&x, "registry_keys");
    tu_atom(&x, name);
    tu_enc_keys(&x, ks, n);
    tu_feed(s, &x);
}

/* {global, [{NameText, Pid}]} */
static inline void tu_global(snap *s, const tu_key *ks, size_t n)
{
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 2);
    tu_atom(&x, "global");
    tu_enc_keys(&x, ks, n);
    tu_feed(s, &x);
}

typedef struct {
    const char *id;    /* id text */
    const char *name;  /* NULL: undefined */
    const char *owner; /* token */
    const char *heir;  /* token; NULL: none */
    const char *type, *protection;
    long size, mem_words;
    int read_conc;
    const char *write_conc; /* true/false/auto; NULL: false */
    int named;
} tu_ets_row;

/* {ets, [{Id, Name, Owner, Heir, Type, Protection, Size, Memory, RC, WC, Named}]} */
static inline void tu_ets(snap *s, const tu_ets_row *es, size_t n)
{
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 2);
    tu_atom(&x, "ets");
    if (n)
        ei_x_encode_list_header(&x, (long)n);
    for (size_t i = 0; i < n; i++) {
        const tu_ets_row *e = &es[i];
        ei_x_encode_tuple_header(&x, 11);
        tu_bin(&x, e->id);
        tu_atom(&x, e->name ? e->name : "undefined");
        tu_enc_ref(&x, e->owner);
        tu_enc_ref(&x, e->heir ? e->heir : "none");
        tu_atom(&x, e->type ? e->type : "set");
        tu_atom(&x, e->protection ? e->protection : "protected");
        ei_x_encode_long(&x, e->size);
        ei_x_encode_long(&x, e->mem_words);
        tu_atom(&x, e->read_conc ? "true" : "false");
        tu_atom(&x, e->write_conc ? e->write_conc : "false");
        tu_atom(&x, e->named ? "true" : "false");
    }
    ei_x_encode_empty_list(&x);
    tu_feed(s, &x);
}

/* {pg, [{Scope, Groups, Members}]} with one scope */
static inline void tu_pg(snap *s, const char *scope, long groups, long members)
{
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 2);
    tu_atom(&x, "pg");
    ei_x_encode_list_header(&x, 1);
    ei_x_encode_tuple_header(&x, 3);
    tu_atom(&x, scope);
    ei_x_encode_long(&x, groups);
    ei_x_encode_long(&x, members);
    ei_x_encode_empty_list(&x);
    tu_feed(s, &x);
}

/* {start_links, [{Module, Arities}]}: the start_link arities one module exports */
static inline void tu_start_links(snap *s, const char *module, const long *arities, int n)
{
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 2);
    tu_atom(&x, "start_links");
    ei_x_encode_list_header(&x, 1);
    ei_x_encode_tuple_header(&x, 2);
    tu_atom(&x, module);
    if (n)
        ei_x_encode_list_header(&x, n);
    for (int i = 0; i < n; i++)
        ei_x_encode_long(&x, arities[i]);
    ei_x_encode_empty_list(&x);
    ei_x_encode_empty_list(&x);
    tu_feed(s, &x);
}

/* {meta, #{Key => Value}}: one more integer of the node map, sent after tu_node
 * (sup_timeout_ms, atom_count, mq_threshold, …); snap_ingest reads it like the node map. */
static inline void tu_meta_int(snap *s, const char *key, long value)
{
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 2);
    tu_atom(&x, "meta");
    ei_x_encode_map_header(&x, 1);
    tu_atom(&x, key);
    ei_x_encode_long(&x, value);
    tu_feed(s, &x);
}

/* ---- a small node ---------------------------------------------------------------------- *
 *
 * The "zoo" node: an Elixir application with a supervision tree, the runtime around it and
 * one process of every unsupervised class. Pid numbers (all <0.N.0> on n@h):
 *
 *   0   init (registered init), its own group leader             runtime
 *   10  application_controller                                    runtime
 *   20  kernel's application master, 21 its start_it              runtime
 *   22  kernel_sup (top of kernel), 23 code_server under it       runtime
 *   30  a process whose group leader is init                      runtime
 *   50  a shell group leader (group:server/3)                     runtime
 *   100 zoo's application master, 101 its start_it                app-infra
 *   102 Elixir.Zoo.Supervisor (top, one_for_one)                  supervised
 *   103 Elixir.Zoo.Cache worker (trap_exit, ets owner)            supervised
 *   104 Elixir.Zoo.WorkerSup (DynamicSupervisor)                  supervised
 *   110, 111 dynamic workers under 104                            supervised
 *   105 Elixir.Zoo.Registry (a Registry supervisor)               supervised
 *   120 its partition Elixir.Zoo.Registry.PIDPartition0           supervised
 *   130 linked only to partition 120, gl = zoo's master           app-orphan
 *   131 linked only to partition 120, gl = the shell's 50         foreign-orphan
 *   140 linked to worker 103                                      linked-helper
 *   141 ancestors ['Elixir.Zoo.Cache', <0.102.0>], no link        spawned-unlinked
 *   142 ancestors [<0.110.0>], no link                            spawned-unlinked
 *   150 in the node map's advisor list                            advisor
 *   160 registered globally as zoo_leader, gl = zoo's master      app-orphan
 */
enum {
    Z_INIT = 0,
    Z_APPCTL = 10,
    Z_K_MASTER = 20,
    Z_K_START = 21,
    Z_K_SUP = 22,
    Z_CODE = 23,
    Z_INIT_CHILD = 30,
    Z_SHELL_GL = 50,
    Z_MASTER = 100,
    Z_START_IT = 101,
    Z_TOP = 102,
    Z_CACHE = 103,
    Z_WSUP = 104,
    Z_REG = 105,
    Z_W1 = 110,
    Z_W2 = 111,
    Z_PART = 120,
    Z_REGD_APP = 130,
    Z_REGD_FOREIGN = 131,
    Z_HELPER = 140,
    Z_SPAWNED = 141,
    Z_SPAWNED2 = 142,
    Z_ADVISOR = 150,
    Z_GLOBAL = 160,
};
#define TU_ZOO_NPROCS 24

/* Feed the zoo's messages (node, procs, apps, sups, ets, registry, global, pg) and, when
 * sample2, a second sample and the done message; then snap_finish. */
static inline void tu_build_zoo(snap *s, int sample2)
{
    tu_node_spec ns = {.elixir = "1.14.0",
                       .advisor = "150",
                       .schedulers = 2,
                       .process_count = TU_ZOO_NPROCS,
                       .window_ms = sample2 ? 1000 : 0};
    tu_node(s, &ns);
    static const tu_proc ps[] = {
        {.num = Z_INIT,
         .name = "init",
         .ic = "otp_ring0:start/2",
         .cf = "init:loop/1",
         .gl = "0",
         .reds = 9000,
         .mem = 30000,
         .heap = 2000,
         .links = "port:0 10 20"},
        {.num = Z_APPCTL,
         .name = "application_controller",
         .ic = "erlang:apply/2",
         .gl = "0",
         .links = "0 20",
         .trap_exit = 1,
         .mem = 10000,
         .heap = 700},
        {.num = Z_K_MASTER,
         .ic = "proc_lib:init_p/5",
         .dic = "application_master:init/4",
         .gl = "20",
         .links = "10 21",
         .trap_exit = 1},
        {.num = Z_K_START, .ic = "application_master:start_it/4", .gl = "20", .links = "20 22"},
        {.num = Z_K_SUP,
         .name = "kernel_sup",
         .ic = "proc_lib:init_p/5",
         .dic = "supervisor:kernel/1",
         .anc = "21",
         .gl = "20",
         .links = "21 23",
         .trap_exit = 1},
        {.num = Z_CODE,
         .name = "code_server",
         .ic = "erlang:apply/2",
         .anc = "kernel_sup 21",
         .gl = "20",
         .links = "22",
         .reds = 200000,
         .mem = 90000,
         .heap = 10000},
        {.num = Z_INIT_CHILD, .ic = "erlang:apply/2", .cf = "prim_file:loop/1", .gl = "0", .links = "0"},
        {.num = Z_SHELL_GL, .ic = "group:server/3", .gl = "20", .links = "port:3"},
        {.num = Z_MASTER,
         .ic = "proc_lib:init_p/5",
         .dic = "application_master:init/4",
         .gl = "100",
         .links = "10 101",
         .trap_exit = 1},
        {.num = Z_START_IT, .ic = "application_master:start_it/4", .gl = "100", .links = "100 102"},
        {.num = Z_TOP,
         .name = "Elixir.Zoo.Supervisor",
         .ic = "proc_lib:init_p/5",
         .dic = "supervisor:Elixir.Zoo.Supervisor/1",
         .anc = "101",
         .gl = "100",
         .links = "101 103 104 105",
         .trap_exit = 1,
         .mem = 7000,
         .heap = 600},
        {.num = Z_CACHE,
         .name = "Elixir.Zoo.Cache",
         .ic = "proc_lib:init_p/5",
         .dic = "Elixir.Zoo.Cache:init/1",
         .anc = "Elixir.Zoo.Supervisor 101",
         .gl = "100",
         .links = "102 140",
         .trap_exit = 1,
         .mq = 3,
         .reds = 1000,
         .mem = 20000,
         .heap = 1500,
         .mons = "105",
         .monby = 2},
        {.num = Z_WSUP,
         .name = "Elixir.Zoo.WorkerSup",
         .ic = "proc_lib:init_p/5",
         .dic = "Elixir.DynamicSupervisor:init/1",
         .anc = "Elixir.Zoo.Supervisor 101",
         .gl = "100",
         .links = "102 110 111",
         .trap_exit = 1},
        {.num = Z_REG,
         .name = "Elixir.Zoo.Registry",
         .ic = "proc_lib:init_p/5",
         .dic = "supervisor:Elixir.Registry.Supervisor/1",
         .anc = "Elixir.Zoo.Supervisor 101",
         .gl = "100",
         .links = "102 120",
         .trap_exit = 1},
        {.num = Z_W1,
         .ic = "proc_lib:init_p/5",
         .dic = "Elixir.Zoo.Worker:init/1",
         .anc = "Elixir.Zoo.WorkerSup Elixir.Zoo.Supervisor 101",
         .gl = "100",
         .links = "104",
         .reds = 5000,
         .mem = 3000,
         .heap = 233},
        {.num = Z_W2,
         .ic = "proc_lib:init_p/5",
         .dic = "Elixir.Zoo.Worker:init/1",
         .anc = "Elixir.Zoo.WorkerSup Elixir.Zoo.Supervisor 101",
         .gl = "100",
         .links = "104",
         .mem_skipped = 1,
         .mq = 250000,
         .status = "runnable"},
        {.num = Z_PART,
         .name = "Elixir.Zoo.Registry.PIDPartition0",
         .ic = "proc_lib:init_p/5",
         .dic = "Elixir.Registry.Partition:init/1",
         .anc = "Elixir.Zoo.Registry Elixir.Zoo.Supervisor 101",
         .gl = "100",
         .links = "105 130 131",
         .trap_exit = 1},
        {.num = Z_REGD_APP, .ic = "erlang:apply/2", .gl = "100", .links = "120"},
        {.num = Z_REGD_FOREIGN, .ic = "erlang:apply/2", .gl = "50", .links = "120"},
        {.num = Z_HELPER, .ic = "erlang:apply/2", .gl = "100", .links = "103"},
        {.num = Z_SPAWNED,
         .ic = "proc_lib:init_p/5",
         .dic = "Elixir.Task:run/1",
         .anc = "Elixir.Zoo.Cache 102",
         .gl = "100",
         .callers = "103"},
        {.num = Z_SPAWNED2, .ic = "erlang:apply/2", .anc = "110", .gl = "100"},
        {.num = Z_ADVISOR, .ic = "erlang:apply/2", .gl = "50", .links = "other@h/9"},
        {.num = Z_GLOBAL, .ic = "erlang:apply/2", .gl = "100", .links = "other@h/12"},
    };
    /* two chunks, as the probe would split a walk */
    tu_procs(s, ps, 12);
    tu_procs(s, ps + 12, sizeof ps / sizeof ps[0] - 12);
    tu_app(s, "kernel", "ERTS  CXC 138 10", "9.2", "20", "22", "kernel");
    tu_app(s, "zoo", "Zoo of processes", "0.1.0", "100", "102", "Elixir.Zoo.Application");
    tu_sup kernel_sup = {.num = Z_K_SUP,
                         .name = "kernel_sup",
                         .strategy = "one_for_all",
                         .intensity = 0,
                         .period = 1,
                         .nchildren = 1,
                         .callback = "kernel"};
    tu_sup_msg(s, &kernel_sup);
    static const tu_child kc[] = {{"code_server", "23", 0, "permanent", "code"}};
    tu_children(s, Z_K_SUP, kc, 1);
    tu_sup top = {.num = Z_TOP,
                  .name = "Elixir.Zoo.Supervisor",
                  .strategy = "one_for_one",
                  .intensity = 3,
                  .period = 5,
                  .restarts = "2 40",
                  .nchildren = 3,
                  .callback = "Elixir.Zoo.Supervisor"};
    tu_sup_msg(s, &top);
    static const tu_child tc[] = {
        {"Elixir.Zoo.Cache", "103", 0, "permanent", "Elixir.Zoo.Cache"},
        {"Elixir.Zoo.WorkerSup", "104", 1, "permanent", "Elixir.DynamicSupervisor"},
        {"Elixir.Zoo.Registry", "105", 1, "permanent", "Elixir.Registry"},
    };
    tu_children(s, Z_TOP, tc, 3);
    tu_sup wsup = {.num = Z_WSUP,
                   .name = "Elixir.Zoo.WorkerSup",
                   .kind = "dynamic",
                   .strategy = "one_for_one",
                   .intensity = 3,
                   .period = 5,
                   .nchildren = 3,
                   .callback = "Elixir.Zoo.WorkerSup"};
    tu_sup_msg(s, &wsup);
    static const tu_child wc[] = {
        {"undefined", "110", 0, "transient", "Elixir.Zoo.Worker"},
        {"undefined", "111", 0, "temporary", "dynamic"},
        {"undefined", "restarting", 0, "transient", "Elixir.Zoo.Worker"},
    };
    /* children may arrive in chunks: two messages for one supervisor */
    tu_children(s, Z_WSUP, wc, 2);
    tu_children(s, Z_WSUP, wc + 2, 1);
    tu_sup reg = {.num = Z_REG,
                  .name = "Elixir.Zoo.Registry",
                  .kind = "registry",
                  .strategy = "one_for_all",
                  .intensity = 3,
                  .period = 5,
                  .nchildren = 1,
                  .callback = "Elixir.Registry.Supervisor"};
    tu_sup_msg(s, &reg);
    static const tu_child rc[] = {
        {"Elixir.Zoo.Registry.PIDPartition0", "120", 0, "permanent", "Elixir.Registry.Partition"}};
    tu_children(s, Z_REG, rc, 1);
    static const tu_ets_row es[] = {
        {.id = "Elixir.Zoo.Cache",
         .name = "Elixir.Zoo.Cache",
         .owner = "103",
         .type = "set",
         .protection = "public",
         .size = 42,
         .mem_words = 1000,
         .read_conc = 1,
         .write_conc = "auto",
         .named = 1},
        {.id = "#Ref<0.1.2.3>", .owner = "140", .heir = "103", .type = "bag", .size = 0, .mem_words = 300},
    };
    tu_ets(s, es, 2);
    tu_registry(s, "Elixir.Zoo.Registry", Z_REG, "unique", 1, 1);
    static const tu_key rk[] = {{"\"room:1\"", "130"}};
    tu_registry_keys(s, "Elixir.Zoo.Registry", rk, 1);
    static const tu_key gk[] = {{"zoo_leader", "160"}};
    tu_global(s, gk, 1);
    tu_pg(s, "pg", 2, 5);
    if (sample2) {
        static const tu_proc2 p2[] = {
            {.num = Z_CACHE, .mq = 7, .reds = 501000, .mem = 24000, .monby = 3},
            {.num = Z_W1, .mq = 0, .reds = 5000, .mem = 3000},
            {.num = Z_W2, .mq = 260000, .reds = 900000, .mem = -1},
            {.num = 999, .mq = 1, .reds = 1, .mem = 1}, /* born after the first walk */
        };
        tu_procs2(s, p2, 4);
        tu_done(s, 500000, 1200, 1100, 700000, 123456);
    }
    char err[OA_ERRLEN] = "";
    assert_int_equal(snap_finish(s, err), 0);
}

#endif
