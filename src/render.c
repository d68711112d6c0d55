/* render.c — summary, apps and supervision trees as text. */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_RED "\033[31m"
#define C_YEL "\033[33m"
#define C_CYAN "\033[36m"

void render_ctx_default(render_ctx *c)
{
    memset(c, 0, sizeof *c);
    c->collapse = 20;
}

static const char *col(const render_ctx *c, const char *code)
{
    return c->color ? code : "";
}

static int64_t mem_of(const snap *s, const char *key)
{
    for (size_t i = 0; i < s->info.memory.len; i++) {
        const snap_kv *kv = vec_at(&s->info.memory, i);
        if (strcmp(snap_str(s, kv->key), key) == 0)
            return kv->value;
    }
    return 0;
}

void render_summary(const snap *s, const render_ctx *c, strbuf *out)
{
    const snap_node *ni = &s->info;
    char a[32], b[32], m1[32], m2[32];
    sb_printf(out, "%snode%s      %s   OTP %s (ERTS %s)%s%s\n", col(c, C_BOLD), col(c, C_RESET), snap_str(s, ni->node),
              snap_str(s, ni->otp_release), snap_str(s, ni->erts_version), ni->elixir_version ? ", Elixir " : "",
              ni->elixir_version ? snap_str(s, ni->elixir_version) : "");
    long up = (long)(ni->uptime_ms / 1000);
    sb_printf(out, "uptime    %ldd %02ld:%02ld:%02ld   schedulers %lld   collected by %s in %.2f s\n", up / 86400,
              up % 86400 / 3600, up % 3600 / 60, up % 60, (long long)ni->schedulers,
              ni->method ? snap_str(s, ni->method) : "?", (double)(ni->e2e_us ? ni->e2e_us : ni->total_us) / 1e6);
    fmt_num((uint64_t)ni->process_count, a, sizeof a);
    fmt_num((uint64_t)ni->process_limit, b, sizeof b);
    sb_printf(out, "processes %s / %s", a, b);
    fmt_num((uint64_t)s->procs.len, a, sizeof a);
    sb_printf(out, " (%s in snapshot)\n", a);
    fmt_num((uint64_t)ni->atom_count, a, sizeof a);
    fmt_num((uint64_t)ni->atom_limit, b, sizeof b);
    sb_printf(out, "atoms     %s / %s (%.1f %%)\n", a, b,
              ni->atom_limit ? 100.0 * (double)ni->atom_count / (double)ni->atom_limit : 0.0);
    fmt_num((uint64_t)ni->port_count, a, sizeof a);
    fmt_num((uint64_t)ni->port_limit, b, sizeof b);
    sb_printf(out, "ports     %s / %s   ", a, b);
    fmt_num((uint64_t)ni->ets_count, a, sizeof a);
    fmt_num((uint64_t)ni->ets_limit, b, sizeof b);
    sb_printf(out, "ets tables %s / %s\n", a, b);
    fmt_bytes((uint64_t)mem_of(s, "total"), m1, sizeof m1);
    fmt_bytes((uint64_t)mem_of(s, "processes"), m2, sizeof m2);
    fmt_bytes((uint64_t)mem_of(s, "ets"), a, sizeof a);
    fmt_bytes((uint64_t)mem_of(s, "binary"), b, sizeof b);
    sb_printf(out, "memory    total %s, processes %s, ets %s, binary %s\n", m1, m2, a, b);
    if (s->has_sample2)
        sb_printf(out, "window    two samples %.2f s apart%s\n", (double)ni->sample_gap_us / 1e6,
                  snap_window_stretched(s) ? " (stretched: the node was busy; rates use the measured time)" : "");
    else
        sb_printf(out, "window    one sample (rates unavailable)\n");
    if (ni->dict_skipped)
        sb_printf(out,
                  "skipped   the dictionary of %lld process%s (a heap over 8 MB: copying it would grow the "
                  "node as much); their '$initial_call' and '$ancestors' are unknown\n",
                  (long long)ni->dict_skipped, ni->dict_skipped == 1 ? "" : "es");
    size_t napps = 0;
    for (size_t i = 0; i < s->apps.len; i++)
        if (!((snap_app *)vec_at(&s->apps, i))->runtime)
            napps++;
    sb_printf(out, "apps      %zu (%zu of them yours)   supervisors %zu   registries %zu   ets %zu\n", s->apps.len,
              napps, s->sups.len, s->regs.len, s->ets.len);
}

void render_apps(const snap *s, const render_ctx *c, strbuf *out)
{
    size_t counts_n = s->apps.len;
    size_t *procs = xcalloc(counts_n ? counts_n : 1, sizeof *procs);
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_proc *p = snap_proc_at(s, i);
        if (p->app != SNAP_NONE && p->app < counts_n)
            procs[p->app]++;
    }
    static const char *const head[] = {"APP", "VSN", "PROCS", "TOP SUPERVISOR", "DESCRIPTION"};
    fmt_table t;
    fmt_table_init(&t, 5, "llrll", head);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < s->apps.len; i++) {
            const snap_app *a = vec_at(&s->apps, i);
            if (a->runtime != pass)
                continue;
            char top[256] = "-", np[32];
            if (a->top_sup != SNAP_NONE) {
                const snap_sup *sp = snap_sup_at(s, a->top_sup);
                if (sp->proc != SNAP_NONE)
                    snap_proc_label(s, snap_proc_at(s, sp->proc), top, sizeof top);
            }
            fmt_num(procs[i], np, sizeof np);
            const char *row[] = {snap_str(s, a->name), snap_str(s, a->vsn), np, top, snap_str(s, a->desc)};
            fmt_table_row(&t, row, pass ? col(c, C_DIM) : NULL, pass ? col(c, C_RESET) : NULL);
        }
    fmt_table_render(&t, c->width, col(c, C_BOLD), col(c, C_RESET), out);
    fmt_table_free(&t);
    free(procs);
}

const snap_child *render_child_at(const snap *s, const snap_sup *sp, uint32_t i)
{
    uint32_t at = snap_sup_on_demand(s, sp) ? i : sp->n_children - 1 - i;
    return &VEC_AT(&s->children, snap_child, sp->children + at);
}

void render_child_label(const snap *s, const snap_child *ch, char *buf, size_t n)
{
    if (ch->proc != SNAP_NONE) {
        const snap_proc *p = snap_proc_at(s, ch->proc);
        if (p->name || p->alt_name) {
            snap_proc_label(s, p, buf, n);
            return;
        }
    }
    const char *id = snap_str(s, ch->id);
    if (*id && strcmp(id, "undefined") != 0)
        snap_display_atom(id, buf, n);
    else if (ch->state == CS_PID)
        snap_pid_text(s, ch->pid, buf, n);
    else
        snprintf(buf, n, "(%s)", ch->state == CS_RESTARTING ? "restarting" : "undefined");
}

static void sup_header(const snap *s, uint32_t k, const render_ctx *c, strbuf *out)
{
    const snap_sup *sp = snap_sup_at(s, k);
    /* a fork or a special process is named by the module that implements it (supervisor2,
     * ranch_conns_sup, cowboy_clear) */
    char impl[256] = "";
    if ((sp->kind == SK_FORK || sp->kind == SK_SPECIAL) && sp->proc != SNAP_NONE) {
        const snap_proc *ip = snap_proc_at(s, sp->proc);
        const char *ic = snap_str(s, ip->dict_initial_call ? ip->dict_initial_call : ip->initial_call);
        size_t m = strcspn(ic, ":");
        if (m && m < sizeof impl - 1)
            snprintf(impl, sizeof impl, "%.*s", (int)m, ic);
    }
    sb_printf(out, "%s%s%s", col(c, C_CYAN), impl[0] ? impl : sup_kind_name(sp->kind), col(c, C_RESET));
    if (sp->strategy)
        sb_printf(out, " %s", snap_str(s, sp->strategy));
    if (sp->intensity >= 0)
        sb_printf(out, "  %d/%ds", sp->intensity, sp->period);
    if (sp->kind == SK_REGISTRY) {
        for (size_t r = 0; r < s->regs.len; r++) {
            const snap_registry *rg = vec_at(&s->regs, r);
            if (oa_pid_eq(rg->sup, sp->pid)) {
                char n[32];
                fmt_num(rg->key_count, n, sizeof n);
                sb_printf(out, "  %s, %u partition%s, %s key%s", snap_str(s, rg->kind), rg->partitions,
                          rg->partitions == 1 ? "" : "s", n, rg->key_count == 1 ? "" : "s");
            }
        }
    }
    uint32_t recent = 0;
    for (uint32_t i = 0; i < sp->n_restarts; i++)
        if (sp->period > 0 && VEC_AT(&s->ints, int64_t, sp->restarts + i) <= sp->period)
            recent++;
    if (recent)
        sb_printf(out, "  %s%u restart%s in the last %d s%s", col(c, C_YEL), recent, recent == 1 ? "" : "s", sp->period,
                  col(c, C_RESET));
    if (sp->status == SS_TIMEOUT || sp->status == SS_BUSY)
        sb_printf(out, "  %sUNRESPONSIVE (%s)%s", col(c, C_RED), snap_str(s, sp->error), col(c, C_RESET));
    else if (sp->status == SS_SLOW)
        sb_printf(out, "  %sSLOW (%s)%s", col(c, C_YEL), snap_str(s, sp->error), col(c, C_RESET));
    else if (sp->status == SS_NOT_ASKED && sp->kind == SK_SPECIAL)
        sb_printf(out, "  %snot asked (%s)%s", col(c, C_DIM), snap_str(s, sp->error), col(c, C_RESET));
    else if (sp->status == SS_NOT_ASKED)
        sb_printf(out, "  %snot asked: not a known supervisor%s", col(c, C_DIM), col(c, C_RESET));
    else if (sp->status == SS_ERROR)
        sb_printf(out, "  %serror: %s%s", col(c, C_RED), snap_str(s, sp->error), col(c, C_RESET));
}

static void proc_tail(const snap *s, const snap_proc *p, const render_ctx *c, strbuf *out)
{
    char mfa[256];
    const char *ic = snap_str(s, p->dict_initial_call ? p->dict_initial_call : p->initial_call);
    fmt_mfa(ic, mfa, sizeof mfa);
    sb_printf(out, "  %s%s%s", col(c, C_DIM), mfa, col(c, C_RESET));
    if (p->flags & PF_SAMPLE2) {
        if (p->mq || p->mq2)
            sb_printf(out, "  mq %u\xe2\x86\x92%u", p->mq, p->mq2);
        double r = snap_reds_rate(s, p);
        if (r >= 1) {
            char rb[32];
            fmt_rate(r, rb, sizeof rb);
            sb_printf(out, "  %s reds/s", rb);
        }
    } else if (p->mq)
        sb_printf(out, "  mq %u", p->mq);
}

static void mark(const render_ctx *c, uint32_t proc, strbuf *out)
{
    if (!c->mark || proc == SNAP_NONE)
        return;
    int sev = 0;
    const char *m = c->mark(c->mark_ud, proc, &sev);
    if (m && *m)
        sb_printf(out, "  %s%s%s", col(c, sev >= 2 ? C_RED : C_YEL), m, col(c, C_RESET));
}

typedef struct {
    oa_str module;
    uint32_t count;
    uint32_t busiest;
    double busiest_rate;
    uint32_t max_mq_proc;
} group;

static void tree_sup(const snap *s, uint32_t k, const char *id, const render_ctx *c, strbuf *out, strbuf *prefix,
                     int depth);

static void tree_children(const snap *s, uint32_t k, const render_ctx *c, strbuf *out, strbuf *prefix, int depth)
{
    const snap_sup *sp = snap_sup_at(s, k);
    if (c->depth && depth >= c->depth) {
        if (sp->n_children) {
            char n[32];
            fmt_num(sp->n_children, n, sizeof n);
            sb_printf(out, "%s\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 \xe2\x80\xa6 %s child%s (-d to see deeper)\n",
                      prefix->buf, n, sp->n_children == 1 ? "" : "ren");
        }
        return;
    }
    if (sp->kind == SK_DECLARED || sp->status == SS_NOT_ASKED) {
        /* never asked: what it links and started is shown as probably supervised */
        uint32_t n = 0, shown = 0;
        for (uint32_t i = 0; i < s->procs.len; i++)
            n += snap_proc_at(s, i)->sup == k && (snap_proc_at(s, i)->flags & PF_PROBABLE);
        for (uint32_t i = 0; i < s->procs.len && shown < n; i++) {
            const snap_proc *p = snap_proc_at(s, i);
            if (p->sup != k || !(p->flags & PF_PROBABLE))
                continue;
            char label[256];
            snap_proc_label(s, p, label, sizeof label);
            sb_printf(out, "%s%s %s", prefix->buf,
                      ++shown == n ? "\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80" : "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80",
                      label);
            proc_tail(s, p, c, out);
            sb_printf(out, "  %sprobably supervised (linked, started by it)%s", col(c, C_DIM), col(c, C_RESET));
            mark(c, i, out);
            sb_putc(out, '\n');
        }
        return;
    }
    int collapse = snap_sup_on_demand(s, sp) && c->collapse > 0 && sp->n_children > (uint32_t)c->collapse;
    if (collapse) {
        /* one line per child module, with a count and the busiest */
        vec groups;
        vec_init(&groups, sizeof(group));
        for (uint32_t i = 0; i < sp->n_children; i++) {
            const snap_child *ch = &VEC_AT(&s->children, snap_child, sp->children + i);
            group *g = NULL;
            for (size_t j = 0; j < groups.len; j++)
                if (((group *)vec_at(&groups, j))->module == ch->modules)
                    g = vec_at(&groups, j);
            if (!g) {
                g = vec_push(&groups);
                g->module = ch->modules;
                g->busiest = g->max_mq_proc = SNAP_NONE;
                g->busiest_rate = -1;
            }
            g->count++;
            if (ch->proc != SNAP_NONE) {
                const snap_proc *p = snap_proc_at(s, ch->proc);
                double r = snap_reds_rate(s, p);
                if (r > g->busiest_rate) {
                    g->busiest_rate = r;
                    g->busiest = ch->proc;
                }
                if (g->max_mq_proc == SNAP_NONE || p->mq > snap_proc_at(s, g->max_mq_proc)->mq)
                    g->max_mq_proc = ch->proc;
            }
        }
        for (size_t j = 0; j < groups.len; j++) {
            const group *g = vec_at(&groups, j);
            int last = j + 1 == groups.len;
            char mod[256], cnt[32], pid[64];
            snap_display_atom(snap_str(s, g->module), mod, sizeof mod);
            for (char *q = mod; *q; q++)
                if (*q == ',')
                    *q = '/';
            fmt_num(g->count, cnt, sizeof cnt);
            sb_printf(out, "%s%s %s \xc3\x97 %s", prefix->buf,
                      last ? "\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80" : "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80", cnt, mod);
            if (g->busiest != SNAP_NONE && g->busiest_rate >= 0) {
                const snap_proc *b = snap_proc_at(s, g->busiest);
                snap_pid_text(s, b->pid, pid, sizeof pid);
                char rb[32];
                fmt_rate(g->busiest_rate, rb, sizeof rb);
                sb_printf(out, "   busiest: %s %s reds/s, mq %u", pid, rb, b->mq2);
            } else if (g->max_mq_proc != SNAP_NONE) {
                const snap_proc *b = snap_proc_at(s, g->max_mq_proc);
                snap_pid_text(s, b->pid, pid, sizeof pid);
                sb_printf(out, "   longest queue: %s mq %u", pid, b->mq);
            }
            sb_putc(out, '\n');
        }
        vec_free(&groups);
        return;
    }
    for (uint32_t i = 0; i < sp->n_children; i++) {
        const snap_child *ch = render_child_at(s, sp, i);
        int last = i + 1 == sp->n_children;
        sb_printf(out, "%s%s ", prefix->buf,
                  last ? "\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80" : "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80");
        size_t plen = prefix->len;
        sb_puts(prefix, last ? "    " : "\xe2\x94\x82   ");
        /* recurse only into a supervisor whose parent is this one (a damaged file can hold a
         * cycle), and never deeper than 64 */
        if (ch->proc != SNAP_NONE && snap_proc_at(s, ch->proc)->own_sup != SNAP_NONE &&
            snap_proc_at(s, ch->proc)->own_sup != k &&
            snap_sup_at(s, snap_proc_at(s, ch->proc)->own_sup)->parent == k && depth < 64) {
            char label[512];
            render_child_label(s, ch, label, sizeof label);
            tree_sup(s, snap_proc_at(s, ch->proc)->own_sup, label, c, out, prefix, depth + 1);
        } else {
            char label[512];
            render_child_label(s, ch, label, sizeof label);
            sb_puts(out, label);
            if (ch->proc != SNAP_NONE)
                proc_tail(s, snap_proc_at(s, ch->proc), c, out);
            else if (ch->state == CS_PID) {
                char pid[64];
                snap_pid_text(s, ch->pid, pid, sizeof pid);
                sb_printf(out, "  %s(remote or gone)%s", col(c, C_DIM), col(c, C_RESET));
            }
            mark(c, ch->proc, out);
            sb_putc(out, '\n');
        }
        prefix->len = plen;
        prefix->buf[plen] = 0;
    }
}

static void tree_sup(const snap *s, uint32_t k, const char *id, const render_ctx *c, strbuf *out, strbuf *prefix,
                     int depth)
{
    const snap_sup *sp = snap_sup_at(s, k);
    char label[512];
    if (id)
        snprintf(label, sizeof label, "%s", id);
    else if (sp->proc != SNAP_NONE)
        snap_proc_label(s, snap_proc_at(s, sp->proc), label, sizeof label);
    else
        snap_pid_text(s, sp->pid, label, sizeof label);
    sb_printf(out, "%s%s%s  ", col(c, C_BOLD), label, col(c, C_RESET));
    sup_header(s, k, c, out);
    mark(c, sp->proc, out);
    sb_putc(out, '\n');
    tree_children(s, k, c, out, prefix, depth);
}

void render_tree(const snap *s, uint32_t sup, const render_ctx *c, strbuf *out)
{
    strbuf prefix;
    sb_init(&prefix);
    if (sup != SNAP_NONE) {
        tree_sup(s, sup, NULL, c, out, &prefix, 0);
    } else {
        for (int pass = 0; pass < 3; pass++) {
            if (pass == 1) {
                /* trees started outside every application: from a script, iex, a test, a library */
                for (uint32_t k = 0; k < s->sups.len; k++) {
                    if (snap_sup_root(s, k) != SR_ORPHAN)
                        continue;
                    sb_printf(out, "%s[outside any application]%s\n", col(c, C_DIM), col(c, C_RESET));
                    sb_reset(&prefix);
                    tree_sup(s, k, NULL, c, out, &prefix, 0);
                    sb_putc(out, '\n');
                }
                continue;
            }
            for (size_t i = 0; i < s->apps.len; i++) {
                const snap_app *a = vec_at(&s->apps, i);
                if (a->runtime != (pass == 2) || a->top_sup == SNAP_NONE)
                    continue;
                sb_printf(out, "%s[%s]%s\n", col(c, C_DIM), snap_str(s, a->name), col(c, C_RESET));
                sb_reset(&prefix);
                tree_sup(s, a->top_sup, NULL, c, out, &prefix, 0);
                sb_putc(out, '\n');
            }
        }
    }
    sb_free(&prefix);
}

void render_class_counts(const snap *s, const render_ctx *c, strbuf *out)
{
    size_t counts[PC__COUNT] = {0};
    for (uint32_t i = 0; i < s->procs.len; i++)
        counts[snap_proc_at(s, i)->cls < PC__COUNT ? snap_proc_at(s, i)->cls : 0]++;
    sb_printf(out, "%sprocesses by class%s\n", col(c, C_BOLD), col(c, C_RESET));
    for (int k = 1; k < PC__COUNT; k++) {
        char n[32];
        fmt_num(counts[k], n, sizeof n);
        sb_printf(out, "  %-18s %s\n", proc_class_name((enum proc_class)k), n);
    }
    if (counts[0])
        sb_printf(out, "  %-18s %zu\n", "unknown", counts[0]);
}

void render_unsupervised(const snap *s, const render_ctx *c, strbuf *out)
{
    size_t shown = 0, total = 0;
    for (uint32_t i = 0; i < s->procs.len; i++)
        if (proc_class_unsupervised(snap_proc_at(s, i)->cls))
            total++;
    if (!total)
        return;
    sb_printf(out, "%sunsupervised processes (%zu)%s\n", col(c, C_BOLD), total, col(c, C_RESET));
    for (uint32_t i = 0; i < s->procs.len && shown < 50; i++) {
        const snap_proc *p = snap_proc_at(s, i);
        if (!proc_class_unsupervised(p->cls))
            continue;
        char label[512], pid[64], mfa[256];
        snap_proc_label(s, p, label, sizeof label);
        snap_pid_text(s, p->pid, pid, sizeof pid);
        fmt_mfa(snap_str(s, p->dict_initial_call ? p->dict_initial_call : p->initial_call), mfa, sizeof mfa);
        sb_printf(out, "  %-16s %-12s %-28s %s\n", proc_class_name((enum proc_class)p->cls), pid,
                  strcmp(label, pid) ? label : "", mfa);
        shown++;
    }
    if (shown < total)
        sb_printf(out, "  \xe2\x80\xa6 and %zu more\n", total - shown);
}

void render_fit(const char *text, int width, strbuf *out)
{
    if (width <= 0) {
        sb_puts(out, text);
        return;
    }
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        int cols = 0;
        size_t i = 0, cut = len;
        int cut_needed = 0;
        /* first pass: does it fit? */
        for (i = 0; i < len;) {
            unsigned char ch = (unsigned char)p[i];
            if (ch == 0x1b) { /* skip an ANSI sequence */
                while (i < len && p[i] != 'm')
                    i++;
                i++;
                continue;
            }
            if (cols + 1 > width - 1 && cut == len)
                cut = i;
            cols++;
            i++;
            while (i < len && ((unsigned char)p[i] & 0xC0) == 0x80)
                i++;
            if (cols > width) {
                cut_needed = 1;
                break;
            }
        }
        if (cut_needed) {
            sb_add(out, p, cut);
            sb_puts(out, "\xe2\x80\xa6");
            if (memchr(p, 0x1b, len))
                sb_puts(out, "\033[0m");
        } else
            sb_add(out, p, len);
        if (eol) {
            sb_putc(out, '\n');
            p = eol + 1;
        } else
            break;
    }
}
