/* snap_io.c — save and load snapshots as Erlang external term format.
 *
 * A file is one term, {otp_advisor_snapshot, Version, [Msg]}, where each Msg is one of
 * the canonical messages the probe streams; `binary_to_term(File)` reads it back in
 * Erlang. Saving writes message by message (the list length is patched at the end), so a
 * 1M-process snapshot never exists as one buffer. Loading maps the file and feeds each
 * message, bounds-checked, to snap_ingest. */
#define _POSIX_C_SOURCE 200809L
#include <ei.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "etf.h"
#include "outfile.h"
#include "snap.h"
#include "snap_text.h"

#define MAGIC "otp_advisor_snapshot"

typedef struct {
    const snap *s;
    FILE *f;
    ei_x_buff x;
    uint32_t count;
    int failed;
} writer;

static void enc_atom(ei_x_buff *x, const char *s)
{
    ei_x_encode_atom_len_as(x, s, (int)strlen(s), ERLANG_UTF8, ERLANG_UTF8);
}

static void enc_atom_or_undef(writer *w, oa_str id)
{
    enc_atom(&w->x, id ? snap_str(w->s, id) : "undefined");
}

static void enc_bin(writer *w, oa_str id)
{
    ei_x_encode_binary(&w->x, snap_str(w->s, id), (int)strtab_len(&w->s->strs, id));
}

static void enc_pidish(writer *w, oa_pid p)
{
    const snap *s = w->s;
    switch (p.kind) {
    case PK_PID: {
        erlang_pid ep;
        memset(&ep, 0, sizeof ep);
        snprintf(ep.node, sizeof ep.node, "%s", snap_str(s, s->nodes[p.node]));
        ep.num = p.num;
        ep.serial = p.serial;
        ep.creation = p.creation;
        ei_x_encode_pid(&w->x, &ep);
        break;
    }
    case PK_PORT: {
        erlang_port pt;
        memset(&pt, 0, sizeof pt);
        snprintf(pt.node, sizeof pt.node, "%s", snap_str(s, s->nodes[p.node]));
        pt.id = (EI_ULONGLONG)p.serial << 32 | p.num;
        pt.creation = p.creation;
        ei_x_encode_port(&w->x, &pt);
        break;
    }
    case PK_ATOM:
        enc_atom(&w->x, snap_str(s, p.num));
        break;
    default:
        enc_atom(&w->x, "undefined");
    }
}

static void enc_mfa(writer *w, oa_str id)
{
    const char *t = snap_str(w->s, id);
    const char *colon = strchr(t, ':'), *slash = strrchr(t, '/');
    if (!id || !colon || !slash || slash < colon) {
        enc_atom(&w->x, "undefined");
        return;
    }
    ei_x_encode_tuple_header(&w->x, 3);
    ei_x_encode_atom_len_as(&w->x, t, (int)(colon - t), ERLANG_UTF8, ERLANG_UTF8);
    ei_x_encode_atom_len_as(&w->x, colon + 1, (int)(slash - colon - 1), ERLANG_UTF8, ERLANG_UTF8);
    ei_x_encode_longlong(&w->x, atoll(slash + 1));
}

/* A message is written in pieces once its buffer holds 64 KB: the format is a stream, and
 * ei_x grows its buffer 1 KB at a time, so one process with 1M links made saving
 * quadratic (every growth a copy, in the sanitizer build). */
static void spill(writer *w)
{
    if (w->x.index < 65536)
        return;
    if (!w->failed && fwrite(w->x.buff, 1, (size_t)w->x.index, w->f) != (size_t)w->x.index)
        w->failed = 1;
    w->x.index = 0;
}

/* A list of n elements follows, closed by ei_x_encode_empty_list (a list of none is that
 * tail alone: the format has no empty list header). */
static void list_begin(writer *w, long n)
{
    if (n)
        ei_x_encode_list_header(&w->x, n);
}

static void enc_refs(writer *w, uint32_t off, uint32_t n)
{
    list_begin(w, n);
    for (uint32_t i = 0; i < n; i++) {
        enc_pidish(w, VEC_AT(&w->s->refs, oa_pid, off + i));
        if ((i & 1023) == 1023)
            spill(w);
    }
    ei_x_encode_empty_list(&w->x);
}

/* A message, {Tag, ...} of arity elements: msg_begin starts it with its tag, the caller
 * writes the other elements, end writes it out. */
static void msg_begin(writer *w, const char *tag, int arity)
{
    w->x.index = 0;
    ei_x_encode_tuple_header(&w->x, arity);
    enc_atom(&w->x, tag);
}

static void end(writer *w)
{
    if (!w->failed && fwrite(w->x.buff, 1, (size_t)w->x.index, w->f) != (size_t)w->x.index)
        w->failed = 1;
    w->count++;
}

/* A list message, {Tag, [Item]} of n items: list_msg_begin writes up to the list's header,
 * the caller the items, list_msg_end the list's tail and the message out. A message with
 * elements before its list ends the same way. */
static void list_msg_begin(writer *w, const char *tag, long n)
{
    msg_begin(w, tag, 2);
    list_begin(w, n);
}

static void list_msg_end(writer *w)
{
    ei_x_encode_empty_list(&w->x);
    end(w);
}

static void kv_int(writer *w, const char *k, int64_t v)
{
    enc_atom(&w->x, k);
    ei_x_encode_longlong(&w->x, v);
}

static void kv_str(writer *w, const char *k, oa_str v, int as_atom)
{
    enc_atom(&w->x, k);
    if (!v)
        enc_atom(&w->x, "undefined");
    else if (as_atom)
        enc_atom(&w->x, snap_str(w->s, v));
    else
        enc_bin(w, v);
}

static void write_node(writer *w)
{
    const snap_node *ni = &w->s->info;
    msg_begin(w, "node", 2);
    ei_x_encode_map_header(&w->x, 32);
    kv_str(w, "node", ni->node, 1);
    kv_str(w, "otp_release", ni->otp_release, 0);
    kv_str(w, "erts_version", ni->erts_version, 0);
    kv_str(w, "elixir_version", ni->elixir_version, 0);
    kv_str(w, "method", ni->method, 0);
    kv_str(w, "tool_version", ni->tool_version, 0);
    kv_int(w, "wordsize", ni->wordsize ? ni->wordsize : 8);
    kv_int(w, "schedulers", ni->schedulers);
    kv_int(w, "process_count", ni->process_count);
    kv_int(w, "process_limit", ni->process_limit);
    kv_int(w, "atom_count", ni->atom_count);
    kv_int(w, "atom_limit", ni->atom_limit);
    kv_int(w, "port_count", ni->port_count);
    kv_int(w, "port_limit", ni->port_limit);
    kv_int(w, "ets_count", ni->ets_count);
    kv_int(w, "ets_limit", ni->ets_limit);
    kv_int(w, "uptime_ms", ni->uptime_ms);
    kv_int(w, "collected_at_ms", ni->collected_at_ms);
    kv_int(w, "window_ms", ni->window_ms);
    kv_int(w, "sup_timeout_ms", ni->sup_timeout_ms);
    kv_int(w, "mq_threshold", ni->mq_threshold);
    kv_int(w, "walk1_us", ni->walk1_us);
    kv_int(w, "walk2_us", ni->walk2_us);
    kv_int(w, "gap_us", ni->sample_gap_us);
    kv_int(w, "total_us", ni->total_us);
    kv_int(w, "reds_delta", ni->reds_total_delta);
    kv_int(w, "dict_skipped", ni->dict_skipped);
    kv_int(w, "e2e_us", ni->e2e_us);
    kv_int(w, "extra_walk_reds", ni->extra_walk_reds);
    enc_atom(&w->x, "memory");
    list_begin(w, (long)ni->memory.len);
    for (size_t i = 0; i < ni->memory.len; i++) {
        const snap_kv *kv = vec_at(&ni->memory, i);
        ei_x_encode_tuple_header(&w->x, 2);
        enc_atom(&w->x, snap_str(w->s, kv->key));
        ei_x_encode_longlong(&w->x, kv->value);
    }
    ei_x_encode_empty_list(&w->x);
    enc_atom(&w->x, "advisor");
    list_begin(w, (long)ni->advisor.len);
    for (size_t i = 0; i < ni->advisor.len; i++)
        enc_pidish(w, VEC_AT(&ni->advisor, oa_pid, i));
    ei_x_encode_empty_list(&w->x);
    kv_int(w, "has_sample2", w->s->has_sample2);
    end(w);
}

static const char *status_name(int st)
{
    static const char *n[] = {"unknown",   "waiting", "running", "runnable", "garbage_collecting",
                              "suspended", "exiting"};
    return st >= 0 && st < 7 ? n[st] : "unknown";
}

static void write_procs(writer *w)
{
    const snap *s = w->s;
    int64_t ws = s->info.wordsize ? s->info.wordsize : 8;
    for (size_t base = 0; base < s->procs.len; base += 1000) {
        size_t n = s->procs.len - base < 1000 ? s->procs.len - base : 1000;
        list_msg_begin(w, "procs", (long)n);
        for (size_t i = base; i < base + n; i++) {
            const snap_proc *p = snap_proc_at(s, (uint32_t)i);
            ei_x_encode_tuple_header(&w->x, 18);
            enc_pidish(w, p->pid);
            if (p->name)
                enc_atom(&w->x, snap_str(s, p->name));
            else
                ei_x_encode_empty_list(&w->x);
            enc_mfa(w, p->initial_call);
            enc_mfa(w, p->dict_initial_call);
            uint32_t r = p->refs + 1;
            enc_refs(w, r, p->n_anc);
            r += p->n_anc;
            enc_mfa(w, p->current_function);
            enc_atom(&w->x, status_name(p->status));
            ei_x_encode_longlong(&w->x, p->mq);
            ei_x_encode_ulonglong(&w->x, p->reds);
            if (p->flags & PF_MEM_SKIPPED) {
                enc_atom(&w->x, "undefined");
                enc_atom(&w->x, "undefined");
            } else {
                ei_x_encode_ulonglong(&w->x, p->mem);
                ei_x_encode_ulonglong(&w->x, p->heap / (uint64_t)ws);
            }
            enc_refs(w, r, p->n_links);
            r += p->n_links;
            enc_refs(w, r, p->n_mons);
            r += p->n_mons;
            ei_x_encode_longlong(&w->x, p->monby);
            enc_atom(&w->x, p->flags & PF_TRAP_EXIT ? "true" : "false");
            enc_pidish(w, VEC_AT(&s->refs, oa_pid, p->refs));
            enc_refs(w, r, p->n_callers);
            static const char *const ns_atoms[NS__COUNT] = {"undefined", "dictionary", "stack", "child_spec",
                                                            "siblings"};
            enc_atom(&w->x, ns_atoms[p->name_src < NS__COUNT ? p->name_src : 0]);
            spill(w);
        }
        list_msg_end(w);
    }
    if (!s->has_sample2)
        return;
    size_t i = 0;
    while (i < s->procs.len) {
        size_t n = 0, j = i;
        for (; j < s->procs.len && n < 1000; j++)
            if (snap_proc_at(s, (uint32_t)j)->flags & PF_SAMPLE2)
                n++;
        list_msg_begin(w, "procs2", (long)n);
        for (; i < j; i++) {
            const snap_proc *p = snap_proc_at(s, (uint32_t)i);
            if (!(p->flags & PF_SAMPLE2))
                continue;
            ei_x_encode_tuple_header(&w->x, 5);
            enc_pidish(w, p->pid);
            ei_x_encode_longlong(&w->x, p->mq2);
            ei_x_encode_ulonglong(&w->x, p->reds2);
            ei_x_encode_ulonglong(&w->x, p->mem2);
            ei_x_encode_longlong(&w->x, p->monby2);
        }
        list_msg_end(w);
    }
}

static void write_apps_sups(writer *w)
{
    const snap *s = w->s;
    for (size_t a = 0; a < s->apps.len; a++) {
        const snap_app *ap = vec_at(&s->apps, a);
        msg_begin(w, "app", 9);
        enc_atom_or_undef(w, ap->name);
        enc_bin(w, ap->desc);
        enc_bin(w, ap->vsn);
        enc_pidish(w, ap->master);
        enc_pidish(w, ap->top);
        enc_atom_or_undef(w, ap->mod);
        enc_bin(w, ap->needs);
        enc_bin(w, ap->lib_dir);
        end(w);
    }
    static const char *rts[] = {"undefined", "permanent", "transient", "temporary"};
    for (uint32_t k = 0; k < s->sups.len; k++) {
        const snap_sup *sp = snap_sup_at(s, k);
        msg_begin(w, "sup", 12);
        enc_pidish(w, sp->pid);
        enc_atom_or_undef(w, sp->name);
        enc_atom(&w->x, sup_kind_atom(sp->kind));
        enc_atom_or_undef(w, sp->strategy);
        ei_x_encode_longlong(&w->x, sp->intensity);
        ei_x_encode_longlong(&w->x, sp->period);
        list_begin(w, sp->n_restarts);
        for (uint32_t i = 0; i < sp->n_restarts; i++)
            ei_x_encode_longlong(&w->x, VEC_AT(&s->ints, int64_t, sp->restarts + i));
        ei_x_encode_empty_list(&w->x);
        enc_atom(&w->x, sup_status_atom(sp->status));
        enc_bin(w, sp->error);
        ei_x_encode_longlong(&w->x, sp->n_children);
        enc_atom_or_undef(w, sp->callback);
        end(w);
        for (uint32_t base = 0; base < sp->n_children; base += 1000) {
            uint32_t n = sp->n_children - base < 1000 ? sp->n_children - base : 1000;
            msg_begin(w, "sup_children", 3);
            enc_pidish(w, sp->pid);
            list_begin(w, n);
            for (uint32_t c = base; c < base + n; c++) {
                const snap_child *ch = &VEC_AT(&s->children, snap_child, sp->children + c);
                ei_x_encode_tuple_header(&w->x, 6);
                enc_bin(w, ch->id);
                if (ch->state == CS_RESTARTING)
                    enc_atom(&w->x, "restarting");
                else
                    enc_pidish(w, ch->pid);
                enc_atom(&w->x, ch->type ? "supervisor" : "worker");
                enc_atom(&w->x, rts[ch->restart < 4 ? ch->restart : 0]);
                const char *mods = snap_str(s, ch->modules);
                if (strcmp(mods, "dynamic") == 0)
                    enc_atom(&w->x, "dynamic");
                else {
                    int cnt = *mods ? 1 : 0;
                    for (const char *q = mods; *q; q++)
                        cnt += *q == ',';
                    list_begin(w, cnt);
                    const char *q = mods;
                    while (*q) {
                        const char *e = strchr(q, ',');
                        size_t l = e ? (size_t)(e - q) : strlen(q);
                        ei_x_encode_atom_len_as(&w->x, q, (int)l, ERLANG_UTF8, ERLANG_UTF8);
                        q += l + (e ? 1 : 0);
                    }
                    ei_x_encode_empty_list(&w->x);
                }
                if (ch->start_m) {
                    ei_x_encode_tuple_header(&w->x, 3);
                    enc_atom(&w->x, snap_str(s, ch->start_m));
                    enc_atom(&w->x, snap_str(s, ch->start_f));
                    enc_bin(w, ch->start_args);
                } else
                    enc_atom(&w->x, "undefined");
            }
            list_msg_end(w);
        }
    }
}

static void write_rest(writer *w)
{
    const snap *s = w->s;
    int64_t ws = s->info.wordsize ? s->info.wordsize : 8;
    for (size_t base = 0; base < s->ets.len; base += 500) {
        size_t n = s->ets.len - base < 500 ? s->ets.len - base : 500;
        list_msg_begin(w, "ets", (long)n);
        for (size_t i = base; i < base + n; i++) {
            const snap_ets *e = vec_at(&s->ets, i);
            ei_x_encode_tuple_header(&w->x, 11);
            enc_bin(w, e->id);
            enc_atom_or_undef(w, e->name);
            enc_pidish(w, e->owner);
            if (e->heir.kind == PK_NONE)
                enc_atom(&w->x, "none");
            else
                enc_pidish(w, e->heir);
            enc_atom_or_undef(w, e->type);
            enc_atom_or_undef(w, e->protection);
            ei_x_encode_ulonglong(&w->x, e->size);
            ei_x_encode_ulonglong(&w->x, e->mem / (uint64_t)ws);
            enc_atom(&w->x, e->read_conc ? "true" : "false");
            enc_atom(&w->x, e->write_conc == 2 ? "auto" : e->write_conc ? "true" : "false");
            enc_atom(&w->x, e->named ? "true" : "false");
        }
        list_msg_end(w);
    }
    for (size_t r = 0; r < s->regs.len; r++) {
        const snap_registry *rg = vec_at(&s->regs, r);
        msg_begin(w, "registry", 6);
        enc_atom_or_undef(w, rg->name);
        enc_pidish(w, rg->sup);
        enc_atom_or_undef(w, rg->kind);
        ei_x_encode_longlong(&w->x, rg->partitions);
        ei_x_encode_ulonglong(&w->x, rg->key_count);
        end(w);
        for (uint32_t base = 0; base < rg->n_keys; base += 1000) {
            uint32_t n = rg->n_keys - base < 1000 ? rg->n_keys - base : 1000;
            msg_begin(w, "registry_keys", 3);
            enc_atom_or_undef(w, rg->name);
            list_begin(w, n);
            for (uint32_t k = base; k < base + n; k++) {
                const snap_name *nm = &VEC_AT(&s->reg_keys, snap_name, rg->keys + k);
                ei_x_encode_tuple_header(&w->x, 2);
                enc_bin(w, nm->key);
                enc_pidish(w, nm->pid);
            }
            list_msg_end(w);
        }
    }
    list_msg_begin(w, "global", (long)s->globals.len);
    for (size_t i = 0; i < s->globals.len; i++) {
        const snap_name *nm = vec_at(&s->globals, i);
        ei_x_encode_tuple_header(&w->x, 2);
        enc_bin(w, nm->key);
        enc_pidish(w, nm->pid);
    }
    list_msg_end(w);
    list_msg_begin(w, "pg", (long)s->pgs.len);
    for (size_t i = 0; i < s->pgs.len; i++) {
        const snap_pg *pg = vec_at(&s->pgs, i);
        ei_x_encode_tuple_header(&w->x, 3);
        enc_atom_or_undef(w, pg->scope);
        ei_x_encode_longlong(&w->x, pg->groups);
        ei_x_encode_longlong(&w->x, pg->members);
    }
    list_msg_end(w);
    if (s->pg_groups.len) {
        list_msg_begin(w, "pg_groups", (long)s->pg_groups.len);
        for (size_t i = 0; i < s->pg_groups.len; i++) {
            const snap_pg_group *pg = vec_at(&s->pg_groups, i);
            ei_x_encode_tuple_header(&w->x, 4);
            enc_atom_or_undef(w, pg->scope);
            enc_bin(w, pg->group);
            ei_x_encode_longlong(&w->x, pg->local);
            ei_x_encode_longlong(&w->x, pg->total);
        }
        list_msg_end(w);
    }
    if (s->info.has_dist) {
        msg_begin(w, "dist", 3);
        ei_x_encode_map_header(&w->x, 1);
        enc_atom(&w->x, "busy_limit");
        ei_x_encode_longlong(&w->x, s->info.dist_busy_limit);
        list_begin(w, (long)s->dist.len);
        for (size_t i = 0; i < s->dist.len; i++) {
            const snap_dist *d = vec_at(&s->dist, i);
            ei_x_encode_tuple_header(&w->x, 7);
            enc_atom_or_undef(w, d->node);
            enc_atom(&w->x, d->kind == DK_PROCESS ? "process" : "port");
            ei_x_encode_ulonglong(&w->x, d->looks);
            ei_x_encode_ulonglong(&w->x, d->looks_pending);
            ei_x_encode_ulonglong(&w->x, d->max_pending);
            ei_x_encode_ulonglong(&w->x, d->bytes_sent);
            ei_x_encode_longlong(&w->x, d->span_us);
        }
        list_msg_end(w);
    }
    if (!s->exports.len)
        return; /* a snapshot taken before they were recorded stays as it was */
    list_msg_begin(w, "start_links", (long)s->exports.len);
    for (size_t i = 0; i < s->exports.len; i++) {
        const snap_exports *e = vec_at(&s->exports, i);
        ei_x_encode_tuple_header(&w->x, e->md5 ? 4 : 3);
        enc_atom_or_undef(w, e->module);
        int n = 0;
        for (int a = 0; a < 32; a++)
            n += (e->arities >> a) & 1;
        list_begin(w, n);
        for (int a = 0; a < 32; a++)
            if ((e->arities >> a) & 1)
                ei_x_encode_long(&w->x, a);
        ei_x_encode_empty_list(&w->x);
        if (e->source) {
            const char *src = snap_str(s, e->source);
            ei_x_encode_binary(&w->x, src, (long)strlen(src));
        } else
            enc_atom(&w->x, "undefined");
        if (e->md5) { /* back to the 16 bytes the probe sent */
            const char *hx = snap_str(s, e->md5);
            unsigned char raw[16];
            for (int k = 0; k < 16; k++) {
                unsigned v = 0;
                sscanf(hx + 2 * k, "%2x", &v);
                raw[k] = (unsigned char)v;
            }
            ei_x_encode_binary(&w->x, raw, 16);
        }
    }
    list_msg_end(w);
}

/* Format 2: {otp_advisor_snapshot, 2, [{node_snapshot, Node, ok, [Msg]} |
 *                                      {node_snapshot, Node, {error, Why}, []}]}
 * one entry a node, the first the one attached to: a cluster (or one node) in one term.
 * Each node's message list is written as a stream and its length patched once known. */
/* A watch's series (format 3): {series, Samples, SpanDs}, then {pseries, [Record]} a chunk
 * at a time (the record: see ing_pseries), then {restarts, [{SupPid, T}]} */
static void enc_u32s(writer *w, const uint32_t *v, uint32_t n)
{
    list_begin(w, n);
    for (uint32_t i = 0; i < n; i++)
        ei_x_encode_ulong(&w->x, v[i]);
    ei_x_encode_empty_list(&w->x);
}

static void write_series(writer *w)
{
    const snap *s = w->s;
    const snap_series *ss = s->series;
    if (!ss)
        return;
    msg_begin(w, "series", 3);
    ei_x_encode_ulong(&w->x, ss->samples);
    ei_x_encode_ulong(&w->x, ss->span_ds);
    end(w);
    uint32_t n = ss->n_procs < s->procs.len ? ss->n_procs : (uint32_t)s->procs.len;
    for (uint32_t from = 0; from < n; from += 1000) {
        uint32_t to = from + 1000 < n ? from + 1000 : n, k = 0;
        for (uint32_t i = from; i < to; i++)
            k += ss->proc[i] != NULL;
        if (!k)
            continue;
        list_msg_begin(w, "pseries", k);
        for (uint32_t i = from; i < to; i++) {
            const snap_pseries *p = ss->proc[i];
            if (!p)
                continue;
            ei_x_encode_tuple_header(&w->x, 14);
            enc_pidish(w, snap_proc_at(s, i)->pid);
            enc_u32s(w, p->t_ds, p->n);
            enc_u32s(w, p->mq, p->n);
            enc_u32s(w, p->reds, p->n);
            const uint32_t f[] = {p->total,  p->first_t, p->last_t, p->mq_ge10, p->mq_ge100,
                                  p->active, p->mq_max,  p->run_t,  p->run_mq,  p->run_peak};
            for (size_t j = 0; j < sizeof f / sizeof f[0]; j++)
                ei_x_encode_ulong(&w->x, f[j]);
        }
        list_msg_end(w);
    }
    if (ss->n_restarts) {
        list_msg_begin(w, "restarts", ss->n_restarts);
        for (uint32_t i = 0; i < ss->n_restarts; i++) {
            ei_x_encode_tuple_header(&w->x, 2);
            enc_pidish(w, snap_sup_at(s, ss->restarts[i].sup)->pid);
            ei_x_encode_ulong(&w->x, ss->restarts[i].t_ds);
        }
        list_msg_end(w);
    }
}

int snap_save_nodes(const snap_entry *e, size_t n, const char *path, char *err)
{
    outfile o; /* atomic for a regular file; see outfile.h */
    if (outfile_open(&o, path, err))
        return -1;
    FILE *f = o.f;
    writer w = {.f = f};
    ei_x_new(&w.x);
    ei_x_encode_version(&w.x);
    ei_x_encode_tuple_header(&w.x, 3);
    enc_atom(&w.x, MAGIC);
    int series = 0; /* format 3 only for a file that carries a watch's series */
    for (size_t k = 0; k < n; k++)
        series |= e[k].s && e[k].s->series;
    ei_x_encode_longlong(&w.x, series ? SNAP_FORMAT_SERIES : SNAP_FORMAT_VERSION);
    ei_x_encode_list_header(&w.x, (long)n);
    errno = 0;
    if (fwrite(w.x.buff, 1, (size_t)w.x.index, f) != (size_t)w.x.index)
        w.failed = 1;
    for (size_t k = 0; k < n && !w.failed; k++) {
        w.x.index = 0;
        ei_x_encode_tuple_header(&w.x, 4);
        enc_atom(&w.x, "node_snapshot");
        enc_atom(&w.x, e[k].node);
        if (!e[k].s) {
            const char *why = e[k].error ? e[k].error : "not collected";
            ei_x_encode_tuple_header(&w.x, 2);
            enc_atom(&w.x, "error");
            ei_x_encode_binary(&w.x, why, (long)strlen(why));
            ei_x_encode_empty_list(&w.x);
            if (fwrite(w.x.buff, 1, (size_t)w.x.index, f) != (size_t)w.x.index)
                w.failed = 1;
            continue;
        }
        enc_atom(&w.x, "ok");
        unsigned char lh[5] = {ETF_LIST, 0, 0, 0, 0};
        ei_x_append_buf(&w.x, (const char *)lh, 5);
        if (fwrite(w.x.buff, 1, (size_t)w.x.index, f) != (size_t)w.x.index)
            w.failed = 1;
        long list_at = ftell(f) - 5;
        w.s = e[k].s;
        w.count = 0;
        write_node(&w);
        write_procs(&w);
        write_apps_sups(&w);
        write_rest(&w);
        write_series(&w);
        unsigned char nil = ETF_NIL;
        if (fwrite(&nil, 1, 1, f) != 1)
            w.failed = 1;
        unsigned char cnt[4] = {(unsigned char)(w.count >> 24), (unsigned char)(w.count >> 16),
                                (unsigned char)(w.count >> 8), (unsigned char)w.count};
        /* the message count goes back into the node's header: the output must be seekable
         * (a FIFO or a terminal is not) */
        if (list_at < 0 || fflush(f) != 0 || fseek(f, list_at + 1, SEEK_SET) != 0 || fwrite(cnt, 1, 4, f) != 4 ||
            fflush(f) != 0 || fseek(f, 0, SEEK_END) != 0)
            w.failed = 1;
    }
    unsigned char nil = ETF_NIL;
    if (fwrite(&nil, 1, 1, f) != 1)
        w.failed = 1;
    ei_x_free(&w.x);
    if (w.failed && !o.failed) {
        o.failed = 1;
        o.err_no = errno ? errno : EIO;
    }
    return outfile_close(&o, err);
}

int snap_save(const snap *s, const char *path, char *err)
{
    snap_entry e = {.node = snap_str(s, s->info.node), .s = s};
    return snap_save_nodes(&e, 1, path, err);
}

/* one node's messages (a list) into a new, finished snap */
static snap *load_msgs(etf_rd *r, char *err)
{
    uint32_t n;
    if (etf_list(r, &n)) {
        errf(err, "malformed snapshot: message list missing or truncated");
        return NULL;
    }
    snap *s = snap_new();
    for (uint32_t i = 0; i < n; i++) {
        if (oa_stop_requested()) {
            errf(err, "interrupted: nothing loaded");
            snap_free(s);
            return NULL;
        }
        const unsigned char *start = r->p;
        if (etf_skip(r)) {
            errf(err, "snapshot truncated or corrupt in message %u of %u", i + 1, n);
            snap_free(s);
            return NULL;
        }
        char e2[OA_ERRLEN];
        if (snap_ingest(s, start, (size_t)(r->p - start), e2)) {
            errf(err, "message %u of %u: %s", i + 1, n, e2);
            snap_free(s);
            return NULL;
        }
    }
    if (etf_list_end(r)) {
        errf(err, "snapshot truncated or corrupt after its messages");
        snap_free(s);
        return NULL;
    }
    if (s->info.node == 0) {
        errf(err, "snapshot has no node description");
        snap_free(s);
        return NULL;
    }
    snap_finish(s, err);
    return s;
}

void snap_loaded_free(snap_loaded *l, size_t n)
{
    for (size_t i = 0; l && i < n; i++) {
        snap_free(l[i].s);
        free(l[i].node);
        free(l[i].error);
    }
    free(l);
}

int snap_load_nodes_buf(const void *buf, size_t len, snap_loaded **out, size_t *n_out, char *err)
{
    *out = NULL;
    *n_out = 0;
    if (snap_text_is(buf, len)) /* written by hand (snap_text.c): the same messages, ingested the same way */
        return snap_text_load_nodes(buf, len, out, n_out, err);
    etf_rd r;
    etf_init(&r, buf, len);
    uint32_t ar;
    const char *a;
    size_t al;
    int64_t ver = -1;
    if (etf_version(&r) || etf_tuple(&r, &ar) || ar != 3 || etf_atom(&r, &a, &al) || !etf_atom_eq(a, al, MAGIC))
        return errf(err, "not an otp-advisor snapshot (expected {%s, Version, Messages})", MAGIC);
    if (etf_int(&r, &ver))
        return errf(err, "snapshot truncated after its header");
    if (ver != 1 && ver != SNAP_FORMAT_VERSION && ver != SNAP_FORMAT_SERIES)
        return errf(err, "unsupported snapshot format version %lld (this build reads 1 to %d)", (long long)ver,
                    SNAP_FORMAT_SERIES);
    if (ver == 1) { /* one node's messages */
        snap *s = load_msgs(&r, err);
        if (!s)
            return -1;
        if (!etf_at_end(&r)) {
            snap_free(s);
            return errf(err, "snapshot truncated or has trailing data");
        }
        snap_loaded *l = xcalloc(1, sizeof *l);
        l->s = s;
        l->node = xstrdup(snap_str(s, s->info.node));
        *out = l;
        *n_out = 1;
        return 0;
    }
    uint32_t n;
    if (etf_list(&r, &n))
        return errf(err, "malformed snapshot: node list missing or truncated");
    if (n == 0 || n > 4096)
        return errf(err, "malformed snapshot: %u nodes", n);
    snap_loaded *l = xcalloc(n, sizeof *l);
    for (uint32_t i = 0; i < n; i++) {
        const char *nm, *st;
        size_t nl, sl;
        if (etf_tuple(&r, &ar) || ar != 4 || etf_atom(&r, &a, &al) || !etf_atom_eq(a, al, "node_snapshot") ||
            etf_atom(&r, &nm, &nl)) {
            snap_loaded_free(l, n);
            return errf(err, "malformed snapshot: node entry %u of %u", i + 1, n);
        }
        char *name = xmalloc(nl + 1);
        memcpy(name, nm, nl);
        name[nl] = 0;
        l[i].node = name;
        if (etf_peek(&r) == ETF_SMALL_TUPLE) { /* {error, Why}: the node could not be collected */
            const char *why;
            size_t wl;
            if (etf_tuple(&r, &ar) || ar != 2 || etf_atom(&r, &st, &sl) || !etf_atom_eq(st, sl, "error") ||
                etf_bin(&r, &why, &wl) || etf_skip(&r)) {
                snap_loaded_free(l, n);
                return errf(err, "malformed snapshot: node entry %u of %u", i + 1, n);
            }
            char *e2 = xmalloc(wl + 1);
            memcpy(e2, why, wl);
            e2[wl] = 0;
            l[i].error = e2;
            continue;
        }
        if (etf_atom(&r, &st, &sl) || !etf_atom_eq(st, sl, "ok")) {
            snap_loaded_free(l, n);
            return errf(err, "malformed snapshot: node entry %u of %u", i + 1, n);
        }
        char e2[OA_ERRLEN];
        if (!(l[i].s = load_msgs(&r, e2))) {
            errf(err, "node %s: %s", name, e2);
            snap_loaded_free(l, n);
            return -1;
        }
    }
    if (etf_list_end(&r) || !etf_at_end(&r)) {
        snap_loaded_free(l, n);
        return errf(err, "snapshot truncated or has trailing data");
    }
    if (!l[0].s) {
        snap_loaded_free(l, n);
        return errf(err, "malformed snapshot: the first node has no snapshot");
    }
    *out = l;
    *n_out = n;
    return 0;
}

snap *snap_load_buf(const void *buf, size_t len, char *err)
{
    snap_loaded *l;
    size_t n;
    if (snap_load_nodes_buf(buf, len, &l, &n, err))
        return NULL;
    snap *s = l[0].s; /* the node attached to */
    l[0].s = NULL;
    snap_loaded_free(l, n);
    return s;
}

/* the file mapped, or NULL with err */
static void *map_file(const char *path, size_t *len, char *err)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        errf(err, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        errf(err, "%s is not a regular file", path);
        close(fd);
        return NULL;
    }
    if (st.st_size == 0) {
        errf(err, "%s is empty", path);
        close(fd);
        return NULL;
    }
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        errf(err, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    *len = (size_t)st.st_size;
    return m;
}

int snap_load_nodes(const char *path, snap_loaded **out, size_t *n, char *err)
{
    size_t len;
    *out = NULL;
    *n = 0;
    void *m = map_file(path, &len, err);
    if (!m)
        return -1;
    char e2[OA_ERRLEN];
    int rc = snap_load_nodes_buf(m, len, out, n, e2);
    munmap(m, len);
    if (rc)
        errf(err, "%s: %s", path, e2);
    return rc;
}

snap *snap_load(const char *path, char *err)
{
    size_t len;
    void *m = map_file(path, &len, err);
    if (!m)
        return NULL;
    char e2[OA_ERRLEN];
    snap *s = snap_load_buf(m, len, e2);
    munmap(m, len);
    if (!s)
        errf(err, "%s: %s", path, e2);
    return s;
}
