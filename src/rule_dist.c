/* rule_dist.c — busy-dist-link: a distribution link to another node that does not keep up.
 * A node rule (each node's own links, looked at through the window by the probe), so it
 * speaks with or without --cluster. */
#include <stdio.h>
#include <string.h>

#include "advice.h"
#include "fmt.h"
#include "rules.h"

/* processes suspended in a distributed send: the runtime parks a sender whose link is over
 * dist_buf_busy_limit in erts_internal:dsend_continue_trap/1 (the busy_dist_port state) */
static uint32_t senders_blocked(const snap *s)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->procs.len; i++)
        n += !strcmp(snap_str(s, snap_proc_at(s, i)->current_function), "erts_internal:dsend_continue_trap/1");
    return n;
}

static void run(const rule *self, const snap *s, const rule_opts *o, findings *out)
{
    double share_thr = rule_opt(o, "dist.pending_share");
    if (!s->info.has_dist || !s->dist.len)
        return;
    uint32_t blocked = senders_blocked(s);
    size_t worst = s->dist.len;
    for (size_t i = 0; i < s->dist.len; i++) {
        const snap_dist *d = vec_at(&s->dist, i);
        if (d->kind == DK_PORT && d->looks_pending &&
            (worst == s->dist.len || d->max_pending > ((snap_dist *)vec_at(&s->dist, worst))->max_pending))
            worst = i;
    }
    for (size_t i = 0; i < s->dist.len; i++) {
        const snap_dist *d = vec_at(&s->dist, i);
        const char *peer = snap_str(s, d->node);
        if (!strncmp(peer, "otp-advisor", 11) || d->kind != DK_PORT || !d->looks)
            continue; /* a session of this tool; a process controller (TLS) shows no bytes */
        double share = 100.0 * d->looks_pending / d->looks;
        int by_share = d->looks >= 3 && share >= share_thr;
        int by_senders = blocked > 0 && i == worst;
        if (!by_share && !by_senders)
            continue;
        finding *x = findings_add(out, self->id, SEV_WARNING);
        x->subject = findings_printf(out, "%s → %s", snap_str(s, s->info.node), peer);
        x->node = findings_strdup(out, snap_str(s, s->info.node));
        double bps = d->span_us > 0 ? (double)d->bytes_sent * 1e6 / (double)d->span_us : 0;
        char rate[32], most[32], lim[32];
        fmt_bytes((uint64_t)bps, rate, sizeof rate);
        fmt_bytes(d->max_pending, most, sizeof most);
        fmt_bytes((uint64_t)(s->info.dist_busy_limit > 0 ? s->info.dist_busy_limit : 0), lim, sizeof lim);
        x->summary = findings_printf(
            out,
            "bytes waiting for the socket in %u of %u looks (%.0f %%), up to %s; %s/s sent over %.1f s%s; "
            "dist_buf_busy_limit %s",
            d->looks_pending, d->looks, share, most, rate, (double)d->span_us / 1e6,
            blocked ? findings_printf(out, "; %u process%s suspended in a distributed send (busy_dist_port)", blocked,
                                      blocked == 1 ? "" : "es")
                    : "",
            lim);
        finding_ev(x, "looks", d->looks, "");
        finding_ev(x, "looks_pending", d->looks_pending, "");
        finding_ev(x, "pending_share", share, "%");
        finding_ev(x, "max_pending_bytes", (double)d->max_pending, "B");
        finding_ev(x, "bytes_per_s", bps, "B/s");
        finding_ev(x, "senders_blocked", blocked, "processes");
        finding_ev(x, "busy_limit_bytes", (double)s->info.dist_busy_limit, "B");
        x->weight = share + blocked * 10;
        x->recommendation = advice_text(out, s, self->id, ADV_DEFAULT, NULL);
    }
}

const rule rule_busy_dist_link = {
    .id = "busy-dist-link",
    .title = "a distribution link that does not keep up",
    .max_severity = SEV_WARNING,
    .framework = "Distribution is one ordered connection per pair of nodes: a bulk sender delays everyone on it.",
    .explain = "A link to another node (each node's own, with or without --cluster) looked at every 20 ms through "
               "the window: bytes waiting in its driver queue because the socket would not take them (the peer "
               "or the network does not keep up) in dist.pending_share % of the looks (three looks at least), or "
               "processes suspended in a distributed send (erts_internal:dsend_continue_trap: the runtime parks "
               "senders while a link is over dist_buf_busy_limit) with this link the one with the most bytes "
               "waiting. A warning with the numbers: looks, bytes waiting, bytes sent per second, the busy limit. "
               "Cannot see: the distribution entry's own queue (no call reads it), nor a TLS link's bytes (its "
               "controller is a process). Fix: send less, cache on the receiver, or move bulk data to its own "
               "connection.",
    .run = run,
    .thresholds =
        (const threshold_def[]){
            {"dist.pending_share", 50, "%", "share of the looks that saw bytes waiting on a link"},
            {NULL, 0, NULL, NULL},
        },
};
