/* collect.c — run the collector on the target and stream its messages into a snap. */
#define _POSIX_C_SOURCE 200809L
#include "collect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "etf.h"
#include "probe_blobs.h"
#include "util.h"
#include "version.h"

void collect_defaults(collect_opts *o)
{
    memset(o, 0, sizeof *o);
    o->window_ms = 1000;
    o->sup_timeout_ms = 2000;
    o->chunk = 1000;
    o->credit = 16;
    o->mq_threshold = 100000;
    o->registry_keys = 10000;
}

/* a line for the front end to print (collect_state's notes), unless it asked for quiet */
static void say(const collect_opts *o, collect_state *st, const char *fmt, const char *arg)
{
    if (!o->quiet)
        notes_add(&st->notes, fmt, arg);
}

static void enc_atom(ei_x_buff *x, const char *s)
{
    ei_x_encode_atom_len_as(x, s, (int)strlen(s), ERLANG_UTF8, ERLANG_UTF8);
}

/* The probe module is shared by every session attached to a node, and no session knows
 * when the others finish. So nothing is ever purged by force: removal is soft_purge (old
 * code, only when no process runs it), delete (current becomes old), soft_purge. A session
 * whose removal finds another session's collector still running the code leaves the old
 * code to that session, whose own removal then succeeds. Of the sessions attached, only
 * the first in node-name order removes (smaller_session): two sessions finishing together
 * cannot both leave it behind (they did, 13 times in 30, when each saw the other attached
 * and left it), nor delete at once (the code server logs the loser). */

/* Is another otp-advisor session attached whose node name sorts before ours? Removal is
 * the job of the first in that order: two sessions never remove at the same time (racing
 * deletes make the code server log "must be purged before deleting"), and the one that
 * leaves first hands the job to the next (it disconnects only after its own removal). */
static int smaller_session(conn *c, int *found, char *err)
{
    ei_x_buff a, r;
    ei_x_new(&a);
    ei_x_new(&r);
    ei_x_encode_list_header(&a, 1);
    enc_atom(&a, "hidden");
    ei_x_encode_empty_list(&a);
    int rc = conn_rpc(c, "erlang", "nodes", &a, &r, err);
    *found = 0;
    if (rc == 0) {
        etf_rd rd;
        uint32_t n;
        size_t own = strlen(c->own);
        etf_init(&rd, r.buff, (size_t)r.index);
        if (etf_list(&rd, &n) == 0)
            for (uint32_t i = 0; i < n; i++) {
                const char *s;
                size_t l;
                if (etf_atom(&rd, &s, &l))
                    break;
                if (l <= 12 || memcmp(s, "otp-advisor-", 12) != 0 || (l == own && memcmp(s, c->own, l) == 0))
                    continue;
                int cmp = memcmp(s, c->own, l < own ? l : own);
                if (cmp < 0 || (cmp == 0 && l < own))
                    (*found)++;
            }
    }
    ei_x_free(&a);
    ei_x_free(&r);
    return rc;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int code_call(conn *c, const char *fun, const char *mod, int len, int *truth, char *err)
{
    ei_x_buff a, r;
    ei_x_new(&a);
    ei_x_new(&r);
    ei_x_encode_list_header(&a, 1);
    ei_x_encode_atom_len_as(&a, mod, len, ERLANG_UTF8, ERLANG_UTF8);
    ei_x_encode_empty_list(&a);
    int rc = conn_rpc(c, "code", fun, &a, &r, err);
    if (rc == 0 && truth) {
        etf_rd rd;
        etf_init(&rd, r.buff, (size_t)r.index);
        *truth = etf_is_atom(&rd, "true");
    }
    ei_x_free(&a);
    ei_x_free(&r);
    return rc;
}

/* soft_purge, delete, soft_purge: 0 with *gone = 1 when no code of mod is left; *gone = 0
 * when old code stays because a process (another session's collector) still runs it */
static int remove_one(conn *c, const char *mod, int len, int *gone, char *err)
{
    int t = 0, rc;
    *gone = 0;
    if ((rc = code_call(c, "soft_purge", mod, len, &t, err)))
        return rc;
    if (!t)
        return 0; /* old code in use: its user's removal will finish the job */
    if ((rc = code_call(c, "delete", mod, len, NULL, err)) || (rc = code_call(c, "soft_purge", mod, len, &t, err)))
        return rc;
    *gone = t;
    return 0;
}

/* the probe modules loaded on the node (any version): calls f on each */
static int each_probe(conn *c, int (*f)(conn *, const char *, int, int *, char *), int *all_gone, int skip_ours,
                      char *err)
{
    ei_x_buff a, r;
    ei_x_new(&a);
    ei_x_new(&r);
    ei_x_encode_empty_list(&a);
    int rc = conn_rpc(c, "erlang", "loaded", &a, &r, err);
    *all_gone = 1;
    if (rc == 0) {
        etf_rd rd;
        uint32_t n;
        etf_init(&rd, r.buff, (size_t)r.index);
        if (etf_list(&rd, &n) == 0)
            for (uint32_t i = 0; i < n && rc == 0; i++) {
                const char *s;
                size_t l;
                if (etf_atom(&rd, &s, &l))
                    break;
                if (l <= 18 || memcmp(s, "otp_advisor_probe_", 18) != 0)
                    continue;
                if (skip_ours && l == strlen(probe_module) && memcmp(s, probe_module, l) == 0)
                    continue;
                char name[256];
                snprintf(name, sizeof name, "%.*s", (int)(l < 255 ? l : 255), s);
                int gone = 0;
                rc = f(c, name, (int)strlen(name), &gone, err);
                *all_gone &= gone;
            }
    }
    ei_x_free(&a);
    ei_x_free(&r);
    return rc;
}

/* Make sure this build's probe is loaded: reuse it when another session has it; remove
 * other versions nobody runs (left by sessions that died). Returns 1 when loading was
 * refused (collect with stock calls instead). */
static int load_probe(conn *c, collect_state *st, const collect_opts *o, char *err)
{
    int gone, smaller = 0, rc = smaller_session(c, &smaller, err);
    if (rc == 0 && !smaller)
        rc = each_probe(c, remove_one, &gone, 1, err);
    if (rc)
        return rc;
    int loaded = 0;
    ei_x_buff a, r;
    ei_x_new(&a);
    ei_x_new(&r);
    ei_x_encode_list_header(&a, 1);
    enc_atom(&a, probe_module);
    ei_x_encode_empty_list(&a);
    rc = conn_rpc(c, "code", "is_loaded", &a, &r, err);
    loaded = rc == 0 && r.index > 0 && (unsigned char)r.buff[0] != ETF_SMALL_ATOM_UTF8 &&
             (unsigned char)r.buff[0] != ETF_ATOM && (unsigned char)r.buff[0] != ETF_SMALL_ATOM;
    ei_x_free(&a);
    ei_x_free(&r);
    if (rc)
        return rc;
    if (loaded) {
        st->loaded = 1;
        return 0;
    }
    if (getenv("OTP_ADVISOR_TEST_REFUSE_LOAD")) {
        /* test hook: behave as if the target refused code loading (some operators forbid it) */
        say(o, st, "otp-advisor: loading the probe was refused (%s); collecting with stock calls (--no-load)",
            "refused by OTP_ADVISOR_TEST_REFUSE_LOAD");
        st->fell_back = 1;
        return 1;
    }
    char e2[OA_ERRLEN];
    int ok = 0;
    for (int attempt = 0; attempt < 2 && !ok; attempt++) {
        ei_x_new(&a);
        ei_x_new(&r);
        ei_x_encode_list_header(&a, 3);
        enc_atom(&a, probe_module);
        ei_x_encode_string(&a, "otp_advisor_probe.erl");
        ei_x_encode_binary(&a, probe_beam, (long)probe_beam_len);
        ei_x_encode_empty_list(&a);
        rc = conn_rpc(c, "code", "load_binary", &a, &r, e2);
        if (rc == 0) {
            etf_rd rd;
            uint32_t ar;
            etf_init(&rd, r.buff, (size_t)r.index);
            ok = etf_tuple(&rd, &ar) == 0 && ar == 2 && etf_is_atom(&rd, "module");
            if (!ok)
                snprintf(e2, sizeof e2, "code:load_binary returned an error");
        }
        ei_x_free(&a);
        ei_x_free(&r);
        if (rc == CONN_LOST || rc == CONN_TIMEOUT) {
            snprintf(err, OA_ERRLEN, "%s", e2);
            return rc;
        }
        if (!ok && attempt == 0) {
            /* old code of a session that just removed it may still be running: wait for it */
            int t = 0;
            for (int w = 0; w < 20 && !t; w++) {
                if ((rc = code_call(c, "soft_purge", probe_module, (int)strlen(probe_module), &t, err)))
                    return rc;
                if (!t)
                    sleep_ms(100);
            }
        }
    }
    if (!ok) {
        say(o, st, "otp-advisor: loading the probe was refused (%s); collecting with stock calls (--no-load)", e2);
        st->fell_back = 1;
        return 1;
    }
    st->loaded = 1;
    return 0;
}

static void enc_opts(ei_x_buff *a, const collect_opts *o, long session)
{
    /* OTP_ADVISOR_PRIORITY (low|normal|high): pin the probe's priority, for measuring; by
     * default it adapts to the run queues (see the probe) */
    const char *prio = getenv("OTP_ADVISOR_PRIORITY");
    int has_prio = prio && (!strcmp(prio, "low") || !strcmp(prio, "normal") || !strcmp(prio, "high"));
    /* OTP_ADVISOR_WALKERS (1-8): how many processes walk the target's processes, for
     * measuring; by default the loaded probe picks from the schedulers (see the probe) */
    const char *wk = getenv("OTP_ADVISOR_WALKERS");
    long walkers = wk && *wk >= '1' && *wk <= '8' && !wk[1] ? *wk - '0' : 0;
    ei_x_encode_map_header(a, 7 + has_prio + (o->sample != 0) + (walkers > 0));
    if (walkers > 0) {
        enc_atom(a, "walkers");
        ei_x_encode_long(a, walkers);
    }
    if (o->sample) {
        enc_atom(a, "mode");
        enc_atom(a, "sample");
    }
    if (has_prio) {
        enc_atom(a, "priority");
        enc_atom(a, prio);
    }
    enc_atom(a, "window_ms");
    ei_x_encode_long(a, o->window_ms);
    enc_atom(a, "sup_timeout_ms");
    ei_x_encode_long(a, o->sup_timeout_ms);
    enc_atom(a, "chunk");
    ei_x_encode_long(a, o->chunk);
    enc_atom(a, "credit");
    ei_x_encode_long(a, o->credit);
    enc_atom(a, "mq_threshold");
    ei_x_encode_long(a, o->mq_threshold);
    enc_atom(a, "registry_keys");
    ei_x_encode_long(a, o->registry_keys);
    enc_atom(a, "session");
    ei_x_encode_long(a, session);
}

static int start_collector(conn *c, const collect_opts *o, int no_load, long session, erlang_pid *prober, char *err)
{
    ei_x_buff a, r;
    ei_x_new(&a);
    ei_x_new(&r);
    int rc;
    if (!no_load) {
        ei_x_encode_list_header(&a, 2);
        ei_x_encode_pid(&a, ei_self(&c->ec));
        enc_opts(&a, o, session);
        ei_x_encode_empty_list(&a);
        rc = conn_rpc(c, probe_module, "start", &a, &r, err);
    } else {
        /* erl_eval:exprs(Body, [{'CPid', Self}, {'Opts', Opts}]) — an orddict, sorted */
        ei_x_encode_list_header(&a, 2);
        ei_x_append_buf(&a, (const char *)probe_body_etf + 1, (int)probe_body_etf_len - 1);
        ei_x_encode_list_header(&a, 2);
        ei_x_encode_tuple_header(&a, 2);
        enc_atom(&a, "CPid");
        ei_x_encode_pid(&a, ei_self(&c->ec));
        ei_x_encode_tuple_header(&a, 2);
        enc_atom(&a, "Opts");
        enc_opts(&a, o, session);
        ei_x_encode_empty_list(&a);
        ei_x_encode_empty_list(&a);
        rc = conn_rpc(c, "erl_eval", "exprs", &a, &r, err);
    }
    if (rc == 0) {
        /* {ok, Pid}, or {value, {ok, Pid}, Bindings} from erl_eval */
        int idx = 0, ar = 0;
        char atom[MAXATOMLEN_UTF8];
        ei_x_buff *b = &r;
        if (ei_decode_tuple_header(b->buff, &idx, &ar) == 0 && ar == 3 && ei_decode_atom(b->buff, &idx, atom) == 0 &&
            strcmp(atom, "value") == 0)
            ei_decode_tuple_header(b->buff, &idx, &ar);
        else if (idx = 0, ei_decode_tuple_header(b->buff, &idx, &ar) != 0)
            ar = 0;
        if (ar != 2 || ei_decode_atom(b->buff, &idx, atom) != 0 || strcmp(atom, "ok") != 0 ||
            ei_decode_pid(b->buff, &idx, prober) != 0)
            rc = errf(err, "the collector did not start on %s", c->target);
    }
    ei_x_free(&a);
    ei_x_free(&r);
    return rc;
}

static int grant(conn *c, const erlang_pid *to, long n, char *err)
{
    ei_x_buff m;
    ei_x_new_with_version(&m);
    ei_x_encode_tuple_header(&m, 2);
    enc_atom(&m, "oa_credit");
    ei_x_encode_long(&m, n);
    int rc = conn_send(c, to, &m, err);
    ei_x_free(&m);
    return rc;
}

static void stop_collector(conn *c, const erlang_pid *to)
{
    ei_x_buff m;
    char e[OA_ERRLEN];
    ei_x_new_with_version(&m);
    enc_atom(&m, "oa_stop");
    conn_send(c, to, &m, e);
    ei_x_free(&m);
}

/* the progress a message makes: the walks' rows counted, the phase it starts */
static void track_progress(collect_progress *pg, const unsigned char *m, size_t len, int64_t *t_walk)
{
    etf_rd r;
    uint32_t ar, n;
    const char *a;
    size_t al;
    etf_init(&r, m, len);
    pg->messages++;
    if (etf_tuple(&r, &ar) || ar < 2 || etf_atom(&r, &a, &al))
        return;
    int walk1 = etf_atom_eq(a, al, "procs"), walk2 = etf_atom_eq(a, al, "procs2");
    if (etf_atom_eq(a, al, "node"))
        return;
    if (!walk1 && !walk2) {
        pg->phase = CP_TREES;
        return;
    }
    if (!*t_walk)
        *t_walk = now_us();
    if (pg->phase < (walk1 ? CP_WALK1 : CP_WALK2))
        pg->phase = walk1 ? CP_WALK1 : CP_WALK2;
    int listed = etf_list(&r, &n) == 0;
    if (listed)
        *(walk1 ? &pg->rows1 : &pg->rows2) += n;
    /* the empty chunk the probe sends when the first walk ends (its walkers' chunks are
     * smaller than `chunk`, a full one says nothing): the window runs until the second */
    if (walk1 && listed && n == 0 && pg->window_ms > 0)
        pg->phase = CP_WINDOW;
}

int collect_snapshot(conn *c, const collect_opts *o, collect_state *st, volatile sig_atomic_t *cancel, snap **out,
                     char *err)
{
    *out = NULL;
    int no_load = o->no_load || st->fell_back;
    if (!no_load) { /* every time: another session may have removed it since */
        int rc = load_probe(c, st, o, err);
        if (rc < 0)
            return rc;
        no_load = rc == 1;
    }
    snprintf(st->method, sizeof st->method, "%s", no_load ? "no-load" : "probe");
    static long session_seq;
    long session = ((long)getpid() << 16) ^ (long)time(NULL) ^ ++session_seq;
    erlang_pid prober;
    int64_t t0 = now_us();
    int rc = start_collector(c, o, no_load, session, &prober, err);
    if (rc)
        return rc;
    snap *s = o->into ? o->into : snap_new();
    ei_x_buff x;
    ei_x_new(&x);
    erlang_msg msg;
    int consumed = 0, done = 0;
    collect_progress pg = {.phase = CP_ATTACH, .window_ms = o->window_ms};
    int64_t t_walk = 0; /* the first walk's first rows: the window counts from there */
    /* the collector is silent at most during the window and one supervisor call */
    int64_t idle_limit_us = ((int64_t)o->window_ms + (int64_t)o->sup_timeout_ms * 3 + 30000) * 1000;
    int64_t last = now_us();
    while (!done) {
        if (o->progress) {
            pg.elapsed_ms = t_walk ? (now_us() - t_walk) / 1000 : 0;
            if (pg.phase == CP_WALK1 && pg.processes > 0 && pg.rows1 >= pg.processes && o->window_ms > 0)
                pg.phase = CP_WINDOW; /* every process seen once (its last chunk was a full one) */
            o->progress(o->progress_ud, &pg);
        }
        if (cancel && *cancel) {
            stop_collector(c, &prober);
            rc = errf(err, "collection cancelled");
            break;
        }
        int r = conn_recv(c, &msg, &x, 200, err);
        if (r < 0) {
            rc = errf(err, "connection to %s lost during collection", c->target);
            break;
        }
        if (r == 0) {
            if (now_us() - last > idle_limit_us) {
                stop_collector(c, &prober);
                rc = errf(err, "the collector on %s went silent for %lld s", c->target,
                          (long long)(idle_limit_us / 1000000));
                break;
            }
            continue;
        }
        /* {oa, Session, Msg} */
        etf_rd rd;
        uint32_t ar;
        int64_t sess;
        etf_init(&rd, x.buff, (size_t)x.index);
        if (etf_version(&rd) || etf_tuple(&rd, &ar) || ar != 3 || !etf_is_atom(&rd, "oa") || etf_skip(&rd) ||
            etf_int(&rd, &sess) || sess != session)
            continue; /* not ours: an older collector's leftovers */
        last = now_us();
        /* Msg is the last element: it runs to the end of the buffer, and snap_ingest checks
         * that it ends exactly there (no second pass over 350 bytes a process) */
        const unsigned char *m0 = rd.p;
        size_t mlen = (size_t)(rd.end - m0);
        etf_rd peek;
        uint32_t mar;
        etf_init(&peek, m0, mlen);
        done = etf_tuple(&peek, &mar) == 0 && etf_is_atom(&peek, "done");
        if (o->progress) /* which message it is: {procs, [Row]}, {procs2, [Row]}, {node, …}, … */
            track_progress(&pg, m0, mlen, &t_walk);
        if ((rc = snap_ingest(s, m0, mlen, err))) {
            const char *dump = getenv("OTP_ADVISOR_DEBUG_DUMP");
            FILE *df = dump ? fopen(dump, "wb") : NULL;
            if (df) { /* the offending message, as a term file for binary_to_term */
                fputc(131, df);
                fwrite(m0, 1, mlen, df);
                fclose(df);
            }
            break;
        }
        if (o->progress && pg.phase == CP_ATTACH && s->info.process_count > 0)
            pg.processes = s->info.process_count;
        /* top the credit up once half of it is used */
        int half = o->credit > 1 ? o->credit / 2 : 1;
        if (++consumed % half == 0 && !done && grant(c, &prober, half, err)) {
            rc = errf(err, "connection to %s lost during collection", c->target);
            break;
        }
    }
    ei_x_free(&x);
    if (rc) {
        if (!o->into)
            snap_free(s);
        return rc < 0 ? rc : -1;
    }
    if (o->into) { /* a watch's sample: the caller's snapshot, already finished */
        s->finished = 1;
        *out = s;
        return 0;
    }
    s->info.method = snap_intern(s, st->method);
    s->info.tool_version = snap_intern(s, OA_VERSION);
    s->info.e2e_us = now_us() - t0;
    snap_finish(s, err);
    *out = s;
    return 0;
}

/* Removing the probe must not give up where a snapshot did not: on a node whose schedulers
 * its own work saturates, code_server and the purge (which looks at every process) answer
 * slowly, and a delete that times out before its purge leaves the module loaded. So the
 * removal calls get at least UNLOAD_TIMEOUT_MS each. */
#define UNLOAD_TIMEOUT_MS 60000

int collect_unload(conn *c, collect_state *st, char *err)
{
    if (!conn_up(c))
        return 0;
    int saved = c->timeout_ms;
    if (c->timeout_ms < UNLOAD_TIMEOUT_MS)
        c->timeout_ms = UNLOAD_TIMEOUT_MS;
    /* our own collector may take a moment to exit after its last message: retry a little;
     * what is still in use after that is another session's, and left to it */
    int gone = 0, smaller = 0, rc = smaller_session(c, &smaller, err);
    if (rc == 0 && smaller) {
        /* the session before us in name order removes it when it leaves */
        st->loaded = 0;
        c->timeout_ms = saved;
        return 0;
    }
    for (int w = 0; w < 10 && rc == 0 && !gone; w++) {
        rc = each_probe(c, remove_one, &gone, 0, err);
        if (rc == 0 && !gone)
            sleep_ms(100);
    }
    if (rc == 0)
        st->loaded = 0;
    c->timeout_ms = saved;
    return rc;
}
