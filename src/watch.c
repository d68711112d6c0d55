/* watch.c — repeated light samples, time series per process, findings over time (watch.h). */
#define _POSIX_C_SOURCE 200809L
#include "watch.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "collect.h"
#include "conn.h"
#include "fmt.h"
#include "json.h"
#include "rules.h"

/* What one light sample costs each process in reductions: the probe's two process_info
 * calls of it (its queue, then its reductions, memory and monitors). Measured on OTP 25: an
 * idle process, plain or proc_lib, grew by 20 reductions over a full snapshot and 11 light
 * samples, about 2 a sample. */
#define SAMPLE_REDS 2
/* a supervisor that did this many reductions of its own since the last sample did work
 * (started, restarted or stopped a child): its tree is read again */
#define SUP_WORK_REDS 40
#define REFRESH_MIN_US 3000000 /* at most one tree refresh every 3 s */

typedef struct {
    uint32_t num, serial, creation; /* a local pid */
    uint32_t idx;                   /* into w->ser, or UINT32_MAX for an empty slot */
} pslot;

typedef struct {
    oa_pid sup; /* the supervisor, by pid (indices change with each refresh) */
    uint32_t t_ds;
} restart_ev;

typedef struct {
    char key[512];
    char rule[64], subject[256], summary[600];
    int severity;
    uint32_t since_ds, until_ds;
    int active, seen_now;
} wfinding;

typedef struct {
    oa_opts *o;
    volatile sig_atomic_t *stop;
    conn c;
    collect_state cst;
    rule_opts ro;
    snap *base;         /* the trees and every process, first sample = the watch's start */
    uint8_t *born_late; /* per base process: first seen after the watch began */
    uint8_t *seen;      /* per base process: in the latest light sample */
    int64_t t0_us;      /* the first sample */
    int64_t last_refresh_us;
    uint32_t samples, refreshes;
    uint32_t since_refresh; /* light samples since the trees were last read */
    vec ser;                /* snap_pseries */
    vec last_reds;          /* uint64_t, per series */
    pslot *map;
    uint32_t map_cap, map_n;
    vec restarts; /* restart_ev */
    vec wf;       /* wfinding */
    int64_t cost_us_sum, cost_us_max, e2e_us_sum;
    int tty, json;
    int sort; /* 0 queue, 1 rate, 2 memory */
    struct termios saved;
    int raw;
} watch;

static uint64_t pid_hash(uint32_t num, uint32_t serial, uint32_t creation)
{
    uint64_t h = (uint64_t)num * 0x9E3779B97F4A7C15ull ^ ((uint64_t)serial << 29) ^ creation;
    return h ^ (h >> 31);
}

static uint32_t series_for(watch *w, const snap *s, const snap_proc *p)
{
    (void)s;
    if (w->map_n * 2 >= w->map_cap) { /* grow, rehash */
        uint32_t ncap = w->map_cap ? w->map_cap * 2 : 1024;
        pslot *nm = xmalloc(ncap * sizeof *nm);
        for (uint32_t i = 0; i < ncap; i++)
            nm[i].idx = UINT32_MAX;
        for (uint32_t i = 0; i < w->map_cap; i++)
            if (w->map[i].idx != UINT32_MAX) {
                uint32_t h = (uint32_t)pid_hash(w->map[i].num, w->map[i].serial, w->map[i].creation) & (ncap - 1);
                while (nm[h].idx != UINT32_MAX)
                    h = (h + 1) & (ncap - 1);
                nm[h] = w->map[i];
            }
        free(w->map);
        w->map = nm;
        w->map_cap = ncap;
    }
    uint32_t h = (uint32_t)pid_hash(p->pid.num, p->pid.serial, p->pid.creation) & (w->map_cap - 1);
    while (w->map[h].idx != UINT32_MAX) {
        pslot *sl = &w->map[h];
        if (sl->num == p->pid.num && sl->serial == p->pid.serial && sl->creation == p->pid.creation)
            return sl->idx;
        h = (h + 1) & (w->map_cap - 1);
    }
    uint32_t idx = (uint32_t)w->ser.len;
    vec_push(&w->ser);
    uint64_t *lr = vec_push(&w->last_reds);
    *lr = p->reds; /* the first sample's reductions: the next delta counts from there */
    w->map[h] = (pslot){p->pid.num, p->pid.serial, p->pid.creation, idx};
    w->map_n++;
    return idx;
}

static uint32_t ds_now(const watch *w)
{
    int64_t d = now_us() - w->t0_us;
    return d > 0 ? (uint32_t)(d / 100000) : 0;
}

/* one sample of one process into its series */
static void series_push(snap_pseries *ps, uint32_t t, uint32_t mq, uint32_t reds)
{
    if (ps->n == SERIES_RING) {
        memmove(ps->t_ds, ps->t_ds + 1, (SERIES_RING - 1) * sizeof ps->t_ds[0]);
        memmove(ps->mq, ps->mq + 1, (SERIES_RING - 1) * sizeof ps->mq[0]);
        memmove(ps->reds, ps->reds + 1, (SERIES_RING - 1) * sizeof ps->reds[0]);
        ps->n--;
    }
    ps->t_ds[ps->n] = t;
    ps->mq[ps->n] = mq;
    ps->reds[ps->n] = reds;
    ps->n++;
    if (!ps->total++) {
        ps->first_t = t;
        ps->run_t = t, ps->run_mq = mq, ps->run_peak = mq;
    } else if (mq == 0 || mq < ps->run_mq || mq < ps->run_peak / 2) {
        ps->run_t = t, ps->run_mq = mq, ps->run_peak = mq; /* drained: a new run begins */
    } else if (mq > ps->run_peak)
        ps->run_peak = mq;
    ps->last_t = t;
    ps->mq_ge10 += mq >= 10;
    ps->mq_ge100 += mq >= 100;
    ps->active += reds > 2;
    if (mq > ps->mq_max)
        ps->mq_max = mq;
}

/* ---- the terminal ------------------------------------------------------------------------ */

static void tty_raw(watch *w)
{
    if (!w->tty || !isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &w->saved) != 0)
        return;
    struct termios t = w->saved;
    t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
        w->raw = 1;
}

static void tty_restore(watch *w)
{
    if (w->raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &w->saved);
    w->raw = 0;
}

static const char *const spark[] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
                                    "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"};

/* floor: the smallest top of the scale (a process doing 2 reductions is not "full") */
static void sparkline(strbuf *sb, const uint32_t *v, uint32_t n, uint32_t floor)
{
    uint32_t mx = floor;
    for (uint32_t i = 0; i < n; i++)
        mx = v[i] > mx ? v[i] : mx;
    for (uint32_t i = n; i < SERIES_RING; i++)
        sb_putc(sb, ' ');
    for (uint32_t i = 0; i < n; i++)
        sb_puts(sb, mx ? spark[(uint64_t)v[i] * 7 / mx] : spark[0]);
}

typedef struct {
    uint32_t proc;
    double key;
} ranked;

static int ranked_cmp(const void *a, const void *b)
{
    double x = ((const ranked *)a)->key, y = ((const ranked *)b)->key;
    return (y > x) - (y < x);
}

static double rate_of(const snap_pseries *ps)
{
    if (ps->n < 2)
        return 0;
    uint32_t dt = ps->t_ds[ps->n - 1] - ps->t_ds[ps->n - 2];
    return dt ? ps->reds[ps->n - 1] * 10.0 / dt : 0;
}

static void clock_text(uint32_t ds, char *buf, size_t n)
{
    snprintf(buf, n, "%u:%02u", ds / 600, ds / 10 % 60);
}

/* the busiest processes by the current sort, at most n */
static size_t busiest(watch *w, ranked *out, size_t n)
{
    const snap *s = w->base;
    size_t k = 0;
    ranked *all = xmalloc((s->procs.len + 1) * sizeof *all);
    for (uint32_t i = 0; i < s->procs.len; i++) {
        const snap_pseries *ps = s->series && i < s->series->n_procs ? s->series->proc[i] : NULL;
        const snap_proc *p = snap_proc_at(s, i);
        if (!ps || !ps->n || rule_exempt(s, p))
            continue;
        all[k].proc = i;
        all[k].key = w->sort == 0   ? ps->mq[ps->n - 1] + rate_of(ps) * 1e-9
                     : w->sort == 1 ? rate_of(ps)
                                    : (double)snap_mem_now(p);
        k++;
    }
    qsort(all, k, sizeof *all, ranked_cmp);
    size_t m = k < n ? k : n;
    memcpy(out, all, m * sizeof *out);
    free(all);
    return m;
}

static void render_live(watch *w, strbuf *sb)
{
    const snap *s = w->base;
    char el[16], tot[16];
    clock_text(ds_now(w), el, sizeof el);
    clock_text((uint32_t)(w->o->watch_for_ms / 100), tot, sizeof tot);
    sb_puts(sb, "\x1b[H\x1b[2J");
    sb_printf(
        sb, "watch %s   sample %u every %.0f s   %s elapsed%s%s   %zu processes   last sample %.0f ms in-node\n\n",
        snap_str(s, s->info.node), w->samples, w->o->watch_every_ms / 1000.0, el, w->o->watch_for_ms ? " of " : "",
        w->o->watch_for_ms ? tot : "", s->procs.len, (double)s->info.walk2_us / 1000.0);
    sb_printf(sb, "%-34s %8s  %-16s %10s  %-16s %9s\n", "process", "queue", "queue, latest", "reds/s", "reds, latest",
              "memory");
    ranked top[15];
    size_t n = busiest(w, top, 15);
    for (size_t i = 0; i < n; i++) {
        const snap_proc *p = snap_proc_at(s, top[i].proc);
        const snap_pseries *ps = s->series->proc[top[i].proc];
        char name[64], r[32], m[32];
        snap_proc_label(s, p, name, sizeof name);
        fmt_rate(rate_of(ps), r, sizeof r);
        fmt_bytes(snap_mem_now(p), m, sizeof m);
        sb_printf(sb, "%-34.34s %8u  ", name, ps->mq[ps->n - 1]);
        sparkline(sb, ps->mq, ps->n, 1);
        sb_printf(sb, " %10s  ", r);
        sparkline(sb, ps->reds, ps->n, 50);
        sb_printf(sb, " %9s\n", m);
    }
    sb_puts(sb, "\nfindings over the watch\n");
    int any = 0;
    for (size_t i = 0; i < w->wf.len; i++) {
        const wfinding *f = vec_at(&w->wf, i);
        char a[16], b[16];
        clock_text(f->since_ds, a, sizeof a);
        clock_text(f->until_ds, b, sizeof b);
        if (f->active)
            sb_printf(sb, "  %-8s %-30s %s   since %s\n", severity_name(f->severity), f->rule, f->subject, a);
        else
            sb_printf(sb, "  cleared  %-30s %s   from %s to %s\n", f->rule, f->subject, a, b);
        any = 1;
    }
    if (!any)
        sb_puts(sb, "  (none)\n");
    sb_printf(sb, "\nq quit · s sort by %s · Ctrl-C quit\n", w->sort == 0 ? "rate" : w->sort == 1 ? "memory" : "queue");
}

/* ---- findings over time -------------------------------------------------------------- */

static void finding_event(watch *w, const wfinding *f, const char *event, strbuf *out)
{
    if (!w->json)
        return;
    json_w j;
    json_init(&j, out, 0);
    json_obj(&j);
    json_kstr(&j, "type", "finding");
    json_kstr(&j, "event", event);
    json_knum(&j, "t_s", (event[0] == 'a' ? f->since_ds : f->until_ds) / 10.0);
    json_kstr(&j, "rule", f->rule);
    json_kstr(&j, "severity", severity_name(f->severity));
    json_kstr(&j, "subject", f->subject);
    json_kstr(&j, "summary", f->summary);
    json_obj_end(&j);
    sb_putc(out, '\n');
}

/* compare the rules' findings now with those of the watch so far: appeared, still, cleared */
static void track_findings(watch *w, const findings *f, strbuf *out)
{
    uint32_t t = ds_now(w);
    for (size_t i = 0; i < w->wf.len; i++)
        ((wfinding *)vec_at(&w->wf, i))->seen_now = 0;
    for (size_t k = 0; k < f->items.len; k++) {
        const finding *x = vec_at(&f->items, k);
        char key[512];
        /* a group's subject carries its count ("4 × yaws_server", "2 static workers"): the
         * same finding when the count moves */
        const char *subj = x->subject ? x->subject : "";
        if (x->count > 1)
            while (*subj && (strchr("0123456789 ,", *subj) || !strncmp(subj, "\xc3\x97", 2)))
                subj += !strncmp(subj, "\xc3\x97", 2) ? 2 : 1;
        snprintf(key, sizeof key, "%s|%s|%s", x->rule, subj, x->count > 1 ? "" : x->path ? x->path : "");
        wfinding *hit = NULL, *old = NULL;
        for (size_t i = 0; i < w->wf.len && !hit; i++) {
            wfinding *e = vec_at(&w->wf, i);
            if (!strcmp(e->key, key)) {
                if (e->active)
                    hit = e;
                else
                    old = e;
            }
        }
        if (!hit) {
            /* one entry a finding: one that comes back takes its old entry (the list stays
             * as long as the distinct findings, however long the watch) */
            hit = old ? old : vec_push(&w->wf);
            snprintf(hit->key, sizeof hit->key, "%s", key);
            snprintf(hit->rule, sizeof hit->rule, "%s", x->rule);
            snprintf(hit->subject, sizeof hit->subject, "%s", x->subject ? x->subject : "");
            hit->since_ds = t;
            hit->active = 1;
            hit->severity = x->severity;
            snprintf(hit->summary, sizeof hit->summary, "%s", x->summary ? x->summary : "");
            finding_event(w, hit, "appeared", out);
        }
        snprintf(hit->summary, sizeof hit->summary, "%s", x->summary ? x->summary : "");
        snprintf(hit->subject, sizeof hit->subject, "%s", x->subject ? x->subject : "");
        if (hit->severity != x->severity) { /* the same finding, judged on a longer watch */
            hit->severity = x->severity;
            hit->until_ds = t;
            finding_event(w, hit, "severity", out);
        }
        hit->until_ds = t;
        hit->seen_now = 1;
    }
    for (size_t i = 0; i < w->wf.len; i++) {
        wfinding *e = vec_at(&w->wf, i);
        if (e->active && !e->seen_now) {
            e->active = 0;
            e->until_ds = t;
            finding_event(w, e, "cleared", out);
        }
    }
}

/* ---- samples and refreshes ------------------------------------------------------------ */

static int full_snapshot(watch *w, snap **out, char *err)
{
    collect_opts co = w->o->col;
    co.window_ms = 0;
    co.sample = 0;
    co.into = NULL;
    co.progress = NULL;
    int rc = collect_snapshot(&w->c, &co, &w->cst, w->stop, out, err);
    fputs(w->cst.notes.text, stderr), notes_clear(&w->cst.notes);
    if (!rc && w->o->judge_otp) { /* classified again, OTP's library applications as the user's */
        (*out)->judge_otp = 1;
        (*out)->finished = 0;
        rc = snap_finish(*out, err);
        if (rc) {
            snap_free(*out);
            *out = NULL;
        }
    }
    return rc;
}

/* carry the watch's start over to a newly read tree: a process known before keeps its first
 * sample; one not known was born during the watch */
static void adopt(watch *w, snap *nw)
{
    uint8_t *late = xcalloc(nw->procs.len + 1, 1);
    for (uint32_t i = 0; i < nw->procs.len; i++) {
        snap_proc *p = snap_proc_at(nw, i);
        uint32_t o = w->base ? snap_find_pid(w->base, p->pid) : SNAP_NONE;
        if (o == SNAP_NONE) {
            late[i] = w->base != NULL;
            continue;
        }
        const snap_proc *q = snap_proc_at(w->base, o);
        p->mq = q->mq, p->reds = q->reds, p->mem = q->mem, p->monby = q->monby;
        late[i] = w->born_late[o];
    }
    /* restarts: a static child whose id now has another pid than at the last read */
    if (w->base)
        for (uint32_t k = 0; k < nw->sups.len; k++) {
            const snap_sup *ns = snap_sup_at(nw, k);
            if (snap_sup_on_demand(nw, ns))
                continue;
            uint32_t op = snap_find_pid(w->base, ns->pid);
            if (op == SNAP_NONE || snap_proc_at(w->base, op)->own_sup == SNAP_NONE)
                continue;
            const snap_sup *os = snap_sup_at(w->base, snap_proc_at(w->base, op)->own_sup);
            for (uint32_t a = 0; a < ns->n_children; a++) {
                const snap_child *nc = &VEC_AT(&nw->children, snap_child, ns->children + a);
                if (nc->pid.kind != PK_PID)
                    continue;
                const char *id = snap_str(nw, nc->id);
                for (uint32_t b = 0; b < os->n_children; b++) {
                    const snap_child *oc = &VEC_AT(&w->base->children, snap_child, os->children + b);
                    if (strcmp(snap_str(w->base, oc->id), id))
                        continue;
                    if (oc->pid.kind == PK_PID && (oc->pid.num != nc->pid.num || oc->pid.serial != nc->pid.serial))
                        *(restart_ev *)vec_push(&w->restarts) = (restart_ev){ns->pid, ds_now(w)};
                    break;
                }
            }
        }
    free(w->born_late);
    w->born_late = late;
    free(w->seen);
    w->seen = NULL; /* until the next light sample */
    if (w->base)
        snap_free(w->base);
    w->base = nw;
}

static int light_sample(watch *w, char *err)
{
    snap *s = w->base;
    for (uint32_t i = 0; i < s->procs.len; i++)
        snap_proc_at(s, i)->flags &= (uint8_t)~PF_SAMPLE2;
    s->info.advisor.len = 0; /* this sample's collector: the list does not grow a sample */
    collect_opts co = w->o->col;
    co.window_ms = 0;
    co.sample = 1;
    co.into = s;
    co.progress = NULL;
    snap *got;
    int64_t t = now_us();
    int rc = collect_snapshot(&w->c, &co, &w->cst, w->stop, &got, err);
    fputs(w->cst.notes.text, stderr), notes_clear(&w->cst.notes);
    if (rc)
        return rc;
    int64_t e2e = now_us() - t;
    w->samples++;
    w->since_refresh++;
    w->cost_us_sum += s->info.walk2_us;
    w->e2e_us_sum += e2e;
    if (s->info.walk2_us > w->cost_us_max)
        w->cost_us_max = s->info.walk2_us;
    uint32_t tnow = ds_now(w);
    w->seen = xrealloc(w->seen, s->procs.len + 1);
    for (uint32_t i = 0; i < s->procs.len; i++) {
        snap_proc *p = snap_proc_at(s, i);
        w->seen[i] = (p->flags & PF_SAMPLE2) != 0;
        if (!w->seen[i])
            continue;
        uint32_t si = series_for(w, s, p);
        uint64_t *lr = vec_at(&w->last_reds, si);
        uint64_t d = p->reds2 > *lr ? p->reds2 - *lr : 0;
        d = d > SAMPLE_REDS ? d - SAMPLE_REDS : 0;
        *lr = p->reds2;
        series_push(vec_at(&w->ser, si), tnow, p->mq2, d > UINT32_MAX ? UINT32_MAX : (uint32_t)d);
    }
    return 0;
}

/* did a supervisor work, or the process count move, since the last sample? */
static int tree_moved(watch *w)
{
    const snap *s = w->base;
    /* the first sample after a read counts the read's own which_children and sys:get_state
     * as the supervisors' work: a read would call for the next one, on every sample */
    if (now_us() - w->last_refresh_us < REFRESH_MIN_US || w->since_refresh < 2)
        return 0;
    int64_t drift = s->info.process_count - (int64_t)s->procs.len;
    if (drift < 0)
        drift = -drift;
    if (drift > 20 && drift * 50 > (int64_t)s->procs.len)
        return 1;
    for (uint32_t k = 0; k < s->sups.len; k++) {
        const snap_sup *sp = snap_sup_at(s, k);
        if (sp->proc == SNAP_NONE)
            continue;
        const snap_proc *p = snap_proc_at(s, sp->proc);
        if (!w->seen || !w->seen[sp->proc])
            return 1; /* gone: its tree changed */
        uint32_t si = series_for(w, s, p);
        const snap_pseries *ps = vec_at(&w->ser, si);
        if (ps->n >= 2 && ps->reds[ps->n - 1] > SUP_WORK_REDS)
            return 1;
    }
    return 0;
}

/* the rules over the watch so far: its first sample and the latest as one long window */
static void judge(watch *w, findings *f, snap_series *ss, snap_pseries ***ptrs, snap_restart **rs)
{
    snap *s = w->base;
    *ptrs = xrealloc(*ptrs, (s->procs.len + 1) * sizeof **ptrs);
    for (uint32_t i = 0; i < s->procs.len; i++) {
        snap_proc *p = snap_proc_at(s, i);
        (*ptrs)[i] = (p->flags & PF_SAMPLE2) ? vec_at(&w->ser, series_for(w, s, p)) : NULL;
        if (w->born_late[i]) /* not there when the watch began: its window would be shorter */
            p->flags &= (uint8_t)~PF_SAMPLE2;
    }
    *rs = xrealloc(*rs, (w->restarts.len + 1) * sizeof **rs);
    uint32_t nr = 0;
    for (size_t k = 0; k < w->restarts.len; k++) {
        const restart_ev *e = vec_at(&w->restarts, k);
        uint32_t pi = snap_find_pid(s, e->sup);
        if (pi != SNAP_NONE && snap_proc_at(s, pi)->own_sup != SNAP_NONE)
            (*rs)[nr++] = (snap_restart){snap_proc_at(s, pi)->own_sup, e->t_ds};
    }
    *ss = (snap_series){.proc = *ptrs,
                        .n_procs = (uint32_t)s->procs.len,
                        .samples = w->samples,
                        .span_ds = ds_now(w),
                        .restarts = *rs,
                        .n_restarts = nr};
    s->series = ss;
    s->has_sample2 = w->samples > 1;
    s->info.sample_gap_us = now_us() - w->t0_us;
    /* the first reading came from the first tree's own walks; each light sample after the
     * first costs each process SAMPLE_REDS more */
    s->info.extra_walk_reds = (int64_t)(w->samples > 1 ? w->samples - 1 : 0) * SAMPLE_REDS +
                              (int64_t)w->refreshes * SAMPLE_REDS; /* a read walks every process too */
    findings_init(f);
    rules_run(s, &w->ro, NULL, NULL, f);
}

static void sample_line(watch *w, strbuf *out)
{
    json_w j;
    json_init(&j, out, 0);
    json_obj(&j);
    json_kstr(&j, "type", "sample");
    json_kint(&j, "n", w->samples);
    json_knum(&j, "t_s", ds_now(w) / 10.0);
    json_kint(&j, "processes", (int64_t)w->base->info.process_count);
    json_knum(&j, "sample_ms", w->base->info.walk2_us / 1000.0);
    json_key(&j, "busiest");
    json_arr(&j);
    ranked top[5];
    size_t n = busiest(w, top, 5);
    for (size_t i = 0; i < n; i++) {
        const snap_proc *p = snap_proc_at(w->base, top[i].proc);
        const snap_pseries *ps = w->base->series->proc[top[i].proc];
        char name[256], pid[64];
        snap_proc_label(w->base, p, name, sizeof name);
        snap_pid_text(w->base, p->pid, pid, sizeof pid);
        json_obj(&j);
        json_kstr(&j, "name", name);
        json_kstr(&j, "pid", pid);
        json_kint(&j, "queue", ps->mq[ps->n - 1]);
        json_kint(&j, "reds_per_s", (int64_t)llround(rate_of(ps)));
        json_kint(&j, "memory", (int64_t)snap_mem_now(p));
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    sb_putc(out, '\n');
}

static void summary(watch *w, strbuf *out)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double per_ms = w->samples ? w->cost_us_sum / 1000.0 / w->samples : 0;
    double e2e_ms = w->samples ? w->e2e_us_sum / 1000.0 / w->samples : 0;
    size_t nser = w->ser.len;
    double series_kb = (nser * (sizeof(snap_pseries) + sizeof(uint64_t)) + w->map_cap * sizeof(pslot)) / 1024.0;
    char el[16];
    clock_text(ds_now(w), el, sizeof el);
    if (w->json) {
        json_w j;
        json_init(&j, out, 0);
        json_obj(&j);
        json_kstr(&j, "type", "summary");
        json_kstr(&j, "node", snap_str(w->base, w->base->info.node));
        json_kint(&j, "samples", w->samples);
        json_knum(&j, "duration_s", ds_now(w) / 10.0);
        json_kint(&j, "tree_reads", w->refreshes + 1);
        json_knum(&j, "sample_in_node_ms_mean", per_ms);
        json_knum(&j, "sample_in_node_ms_max", w->cost_us_max / 1000.0);
        json_knum(&j, "sample_end_to_end_ms_mean", e2e_ms);
        json_kint(&j, "series", (int64_t)nser);
        json_knum(&j, "series_kb", series_kb);
        json_kint(&j, "maxrss_kb", ru.ru_maxrss);
        json_key(&j, "findings");
        json_arr(&j);
        for (size_t i = 0; i < w->wf.len; i++) {
            const wfinding *f = vec_at(&w->wf, i);
            json_obj(&j);
            json_kstr(&j, "rule", f->rule);
            json_kstr(&j, "severity", severity_name(f->severity));
            json_kstr(&j, "subject", f->subject);
            json_kbool(&j, "active", f->active);
            json_knum(&j, "since_s", f->since_ds / 10.0);
            json_knum(&j, "until_s", f->until_ds / 10.0);
            json_kstr(&j, "summary", f->summary);
            json_obj_end(&j);
        }
        json_arr_end(&j);
        json_obj_end(&j);
        sb_putc(out, '\n');
        return;
    }
    sb_printf(out, "watched %s for %s: %u samples every %.1f s, the trees read %u time%s\n",
              snap_str(w->base, w->base->info.node), el, w->samples, w->o->watch_every_ms / 1000.0, w->refreshes + 1,
              w->refreshes ? "s" : "");
    sb_printf(out,
              "a sample: %.1f ms in the node on average (%.1f ms at most), %.1f ms end to end; %zu series in "
              "%.0f KB (%.0f B a process), this process %ld KB at most\n",
              per_ms, w->cost_us_max / 1000.0, e2e_ms, nser, series_kb, nser ? series_kb * 1024 / nser : 0,
              ru.ru_maxrss);
    if (!w->wf.len) {
        sb_puts(out, "no findings over the watch\n");
        return;
    }
    sb_puts(out, "findings over the watch:\n");
    for (size_t i = 0; i < w->wf.len; i++) {
        const wfinding *f = vec_at(&w->wf, i);
        char a[16], b[16];
        clock_text(f->since_ds, a, sizeof a);
        clock_text(f->until_ds, b, sizeof b);
        if (f->active)
            sb_printf(out, "  %-8s %s  %s  (since %s, still at the end)\n    %s\n", severity_name(f->severity), f->rule,
                      f->subject, a, f->summary);
        else
            sb_printf(out, "  cleared  %s  %s  (from %s to %s)\n", f->rule, f->subject, a, b);
    }
}

static void put(const strbuf *sb)
{
    if (sb->len) {
        fwrite(sb->buf, 1, sb->len, stdout);
        fflush(stdout);
    }
}

int watch_main(oa_opts *o, volatile sig_atomic_t *interrupted)
{
    char err[OA_ERRLEN];
    watch w;
    memset(&w, 0, sizeof w);
    w.o = o;
    w.stop = interrupted;
    w.json = o->json || !isatty(STDOUT_FILENO);
    w.tty = !w.json;
    vec_init(&w.ser, sizeof(snap_pseries));
    vec_init(&w.last_reds, sizeof(uint64_t));
    vec_init(&w.restarts, sizeof(restart_ev));
    vec_init(&w.wf, sizeof(wfinding));
    if (o->watch_every_ms <= 0)
        o->watch_every_ms = 2000;
    rule_opts_default(&w.ro);
    for (int i = 0; i < o->n_sets; i++)
        if (rule_opts_set(&w.ro, o->sets[i], err)) {
            fprintf(stderr, "otp-advisor: %s\n", err);
            rule_opts_free(&w.ro);
            return EXIT_ERROR;
        }
    if (!o->node && !o->copts.address) {
        fprintf(stderr, "otp-advisor: which node? give NODE (name@host) or --address HOST:PORT\n");
        rule_opts_free(&w.ro);
        return EXIT_ERROR;
    }
    int opened = conn_open(&w.c, o->node, &o->copts, err);
    fputs(w.c.notes.text, stderr); /* the cookie's and TLS's warnings */
    if (opened) {
        fprintf(stderr, "otp-advisor: %s\n", err);
        rule_opts_free(&w.ro);
        return EXIT_ERROR;
    }
    int rc = EXIT_OK;
    snap *first = NULL;
    /* the watch begins with the first tree's walk: its reductions are every process's start */
    w.t0_us = now_us();
    if (full_snapshot(&w, &first, err)) {
        fprintf(stderr, "otp-advisor: %s\n", err);
        rc = *interrupted ? EXIT_INTERRUPTED : EXIT_ERROR;
        goto out;
    }
    adopt(&w, first);
    w.last_refresh_us = now_us();
    tty_raw(&w);
    snap_series ss;
    snap_pseries **ptrs = NULL;
    snap_restart *rs = NULL;
    int64_t next = now_us();
    int quit = 0;
    while (!quit && !*interrupted) {
        if (light_sample(&w, err)) {
            if (*interrupted)
                break;
            fprintf(stderr, "otp-advisor: %s\n", err);
            rc = EXIT_ERROR;
            break;
        }
        findings f;
        judge(&w, &f, &ss, &ptrs, &rs);
        strbuf out;
        sb_init(&out);
        if (w.json)
            sample_line(&w, &out);
        if (w.samples > 1) /* one sample is no window: judged from the second on */
            track_findings(&w, &f, &out);
        if (w.tty)
            render_live(&w, &out);
        put(&out);
        sb_free(&out);
        findings_free(&f);
        w.base->series = NULL;
        if (o->watch_for_ms && now_us() - w.t0_us >= (int64_t)o->watch_for_ms * 1000)
            break;            /* over: no tree read the last judgement would not see sampled */
        if (tree_moved(&w)) { /* read the trees again; the watch's start carries over */
            snap *nw = NULL;
            if (full_snapshot(&w, &nw, err) == 0) {
                adopt(&w, nw);
                w.refreshes++;
                w.since_refresh = 0;
            } else if (!*interrupted)
                fprintf(stderr, "otp-advisor: the trees could not be read again: %s\n", err);
            w.last_refresh_us = now_us();
        }
        next += (int64_t)o->watch_every_ms * 1000;
        /* wait for the next sample: keys on a terminal, ticks on the connection */
        while (!quit && !*interrupted && now_us() < next) {
            int64_t left = (next - now_us()) / 1000;
            struct pollfd p = {STDIN_FILENO, POLLIN, 0};
            int r = poll(&p, w.raw ? 1 : 0, (int)(left > 200 ? 200 : left > 0 ? left : 0));
            if (r > 0 && w.raw) {
                char ch;
                if (read(STDIN_FILENO, &ch, 1) == 1) {
                    if (ch == 'q' || ch == 'Q' || ch == 4)
                        quit = 1;
                    else if (ch == 's' || ch == 'S')
                        w.sort = (w.sort + 1) % 3; /* the next sample's view is in the new order */
                }
            }
            if (conn_poll(&w.c, err) < 0) {
                fprintf(stderr, "otp-advisor: %s\n", err);
                rc = EXIT_ERROR;
                quit = 1;
            }
        }
        if (now_us() > next + (int64_t)o->watch_every_ms * 1000)
            next = now_us(); /* a sample took longer than the interval: no catching up */
    }
    tty_restore(&w);
    if (o->watch_save && w.base && w.samples) { /* judged once more: a read may have come since */
        char err2[512];                         /* the trees were just read ('q' right after): sampled once more, or the
                                                 * saved file would carry no series for the new tree's processes */
        if (w.since_refresh == 0 && !*interrupted)
            (void)light_sample(&w, err2);
        findings fs;
        judge(&w, &fs, &ss, &ptrs, &rs);
        findings_free(&fs);
        w.base->series = &ss;
        if (snap_save(w.base, o->watch_save, err)) {
            fprintf(stderr, "otp-advisor: %s\n", err);
            rc = EXIT_ERROR;
        } else
            fprintf(stderr, "otp-advisor: the watch (%u samples, %zu series) saved to %s\n", w.samples, w.ser.len,
                    o->watch_save);
        w.base->series = NULL;
    }
    {
        strbuf out;
        sb_init(&out);
        if (w.tty)
            sb_puts(&out, "\n");
        if (w.base)
            summary(&w, &out);
        put(&out);
        sb_free(&out);
    }
    free(ptrs);
    free(rs);
    if (*interrupted && rc == EXIT_OK)
        rc = EXIT_INTERRUPTED;
out:
    if (conn_up(&w.c) && w.cst.loaded && collect_unload(&w.c, &w.cst, err))
        fprintf(stderr, "otp-advisor: warning: could not remove the probe: %s\n", err);
    conn_close(&w.c);
    if (w.base)
        snap_free(w.base);
    free(w.born_late);
    free(w.seen);
    free(w.map);
    vec_free(&w.ser);
    vec_free(&w.last_reds);
    vec_free(&w.restarts);
    vec_free(&w.wf);
    rule_opts_free(&w.ro);
    return rc;
}
