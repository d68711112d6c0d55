/* rpc.c — the allowlist, and remote calls and messages with deadlines (rpc.h). */
#define _POSIX_C_SOURCE 200809L
#include "rpc.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conn.h"
#include "etf.h"
#include "probe_blobs.h"
#include "transport.h"
#include "util.h"

/* ---- the allowlist ------------------------------------------------------------------ */

typedef int (*arg_check)(const char *args, int len, char *why);

static int is_probe_module(const char *s, size_t n)
{
    return n == strlen(probe_module) && memcmp(s, probe_module, n) == 0;
}

static int is_any_probe_module(const char *s, size_t n)
{
    return n > 18 && memcmp(s, "otp_advisor_probe_", 18) == 0;
}

/* [Module] where Module is one of ours (any version: stale ones are cleaned up) */
static int chk_probe_mod_arg(const char *args, int len, char *why)
{
    etf_rd r;
    uint32_t n;
    const char *s;
    size_t l;
    etf_init(&r, args, (size_t)len);
    if (etf_list(&r, &n) || n != 1 || etf_atom(&r, &s, &l) || !is_any_probe_module(s, l))
        return errf(why, "only otp-advisor's own probe modules may be purged or deleted");
    return 0;
}

/* [Module, File, Binary]: only our embedded probe */
static int chk_load_binary(const char *args, int len, char *why)
{
    etf_rd r;
    uint32_t n;
    const char *s;
    size_t l;
    etf_init(&r, args, (size_t)len);
    if (etf_list(&r, &n) || n != 3 || etf_atom(&r, &s, &l) || !is_probe_module(s, l) || etf_skip(&r) ||
        etf_bin(&r, &s, &l) || l != probe_beam_len || memcmp(s, probe_beam, l) != 0)
        return errf(why, "only the embedded probe may be loaded");
    return 0;
}

/* [Exprs, Bindings]: exactly two arguments, the first our embedded collector body */
static int chk_eval(const char *args, int len, char *why)
{
    size_t body = probe_body_etf_len - 1; /* without the version byte */
    etf_rd r;
    uint32_t n;
    etf_init(&r, args, (size_t)len);
    if (etf_list(&r, &n) || n != 2 || (size_t)(r.end - r.p) < body || memcmp(r.p, probe_body_etf + 1, body) != 0)
        return errf(why, "erl_eval may only run otp-advisor's own read-only collector");
    r.p += body;
    if (etf_skip(&r) || etf_list_end(&r) || !etf_at_end(&r))
        return errf(why, "erl_eval may only run otp-advisor's own read-only collector");
    return 0;
}

static int chk_system_info(const char *args, int len, char *why)
{
    static const char *ok[] = {"otp_release", "version", "process_count", "schedulers_online", NULL};
    etf_rd r;
    uint32_t n;
    const char *s;
    size_t l;
    etf_init(&r, args, (size_t)len);
    if (etf_list(&r, &n) || n != 1 || etf_atom(&r, &s, &l))
        return errf(why, "erlang:system_info/1 with an unexpected argument");
    for (int i = 0; ok[i]; i++)
        if (etf_atom_eq(s, l, ok[i]))
            return 0;
    return errf(why, "erlang:system_info(%.*s) is not needed by this tool", (int)l, s);
}

static const struct {
    const char *mod, *fun;
    arg_check check;
} allowlist[] = {
    {"erlang", "system_info", chk_system_info},
    {"erlang", "nodes", NULL},
    {"erlang", "loaded", NULL}, /* a BIF: no code_server round trip on a busy node */
    {"code", "is_loaded", chk_probe_mod_arg},
    {"code", "load_binary", chk_load_binary},
    {"code", "delete", chk_probe_mod_arg},
    {"code", "purge", chk_probe_mod_arg},
    {"code", "soft_purge", chk_probe_mod_arg},
    {"erl_eval", "exprs", chk_eval},
    {NULL, "start", NULL}, /* NULL module: the embedded probe */
};

int conn_allowed(const char *mod, const char *fun, const char *args, int len, char *why)
{
    for (size_t i = 0; i < sizeof allowlist / sizeof allowlist[0]; i++) {
        const char *m = allowlist[i].mod ? allowlist[i].mod : probe_module;
        if (strcmp(m, mod) == 0 && strcmp(allowlist[i].fun, fun) == 0)
            return allowlist[i].check ? allowlist[i].check(args, len, why) : 0;
    }
    return errf(why, "%s:%s is not on otp-advisor's allowlist of read-only calls", mod, fun);
}

/* ---- calls and messages -------------------------------------------------------------- */

/* libei returns ERL_ERROR/EIO both for a closed socket and for a distribution control
 * message it does not know (anything but SEND, REG_SEND, LINK, UNLINK, EXIT, EXIT2 and
 * GROUP_LEADER), after reading that message whole, the socket still fine. Only the first is
 * a lost connection: look at the socket itself. */
static int socket_dead(int fd)
{
    struct pollfd pfd = {fd, POLLIN, 0};
    if (poll(&pfd, 1, 0) < 0)
        return 1;
    if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
        return 1;
    if (pfd.revents & POLLIN) {
        char b;
        ssize_t r = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
        return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
    }
    return 0;
}

static int lost(conn *c, char *err)
{
    if (c->fd >= 0 && ei_close_connection(c->fd) < 0) {
        xconn *x = xport_of_fd(c->xs, c->fd);
        if (x)
            xconn_close(x);
    }
    c->fd = -1;
    errf(err, "connection to %s lost", c->target);
    return CONN_LOST;
}

int conn_rpc(conn *c, const char *mod, const char *fun, const ei_x_buff *args, ei_x_buff *reply, char *err)
{
    char why[OA_ERRLEN];
    if (conn_allowed(mod, fun, args->buff, args->index, why)) {
        errf(err, "refused locally: %s", why);
        return CONN_REFUSED;
    }
    if (c->fd < 0)
        return errf(err, "not connected to %s", c->target[0] ? c->target : "a node"), CONN_LOST;
    if (ei_rpc_to(&c->ec, c->fd, (char *)mod, (char *)fun, args->buff, args->index) < 0)
        return lost(c, err);
    int64_t deadline = now_us() + (int64_t)c->timeout_ms * 1000;
    erlang_msg msg;
    ei_x_buff x;
    ei_x_new(&x);
    for (;;) {
        int64_t left = (deadline - now_us()) / 1000;
        if (left <= 0) {
            ei_x_free(&x);
            /* rex replies are untagged: a late one would answer the next call */
            char e2[OA_ERRLEN];
            int rr = conn_reopen(c, e2);
            errf(err, "%s:%s on %s timed out after %d ms%s", mod, fun, c->target, c->timeout_ms,
                 rr ? " and the connection could not be re-opened" : "");
            return CONN_TIMEOUT;
        }
        x.index = 0;
        int r = ei_xreceive_msg_tmo(c->fd, &msg, &x, (unsigned)(left > 0 ? left : 1));
        if (r == ERL_TICK)
            continue;
        if (r == ERL_ERROR) {
            if (erl_errno == ETIMEDOUT || !socket_dead(c->fd))
                continue;
            ei_x_free(&x);
            return lost(c, err);
        }
        if (msg.msgtype != ERL_SEND && msg.msgtype != ERL_REG_SEND)
            continue;
        etf_rd rd;
        uint32_t ar;
        etf_init(&rd, x.buff, (size_t)x.index);
        if (etf_version(&rd) || etf_tuple(&rd, &ar) || ar != 2 || !etf_is_atom(&rd, "rex"))
            continue; /* a stray message (an old probe's chunk): not our reply */
        etf_skip(&rd);
        int off = (int)(rd.p - (const unsigned char *)x.buff);
        reply->index = 0;
        ei_x_append_buf(reply, x.buff + off, x.index - off);
        ei_x_free(&x);
        etf_init(&rd, reply->buff, (size_t)reply->index);
        if (etf_tuple(&rd, &ar) == 0 && ar == 2 && etf_is_atom(&rd, "badrpc")) {
            char *txt = NULL;
            int idx = 0;
            ei_x_buff tmp;
            ei_x_new_with_version(&tmp);
            ei_x_append_buf(&tmp, reply->buff, reply->index);
            idx = 0;
            int ver;
            ei_decode_version(tmp.buff, &idx, &ver);
            ei_s_print_term(&txt, tmp.buff, &idx);
            errf(err, "%s:%s failed on %s: %.300s", mod, fun, c->target, txt ? txt : "badrpc");
            free(txt);
            ei_x_free(&tmp);
            return CONN_ERR;
        }
        return 0;
    }
}

int conn_send(conn *c, const erlang_pid *to, const ei_x_buff *msg, char *err)
{
    if (c->fd < 0)
        return errf(err, "not connected"), CONN_LOST;
    if (ei_send_tmo(c->fd, (erlang_pid *)to, msg->buff, msg->index, (unsigned)c->timeout_ms) < 0)
        return lost(c, err);
    return 0;
}

int conn_recv(conn *c, erlang_msg *msg, ei_x_buff *x, int ms, char *err)
{
    if (c->fd < 0)
        return errf(err, "not connected"), CONN_LOST;
    int64_t deadline = now_us() + (int64_t)(ms > 0 ? ms : 1) * 1000;
    for (;;) {
        int64_t left = (deadline - now_us()) / 1000;
        if (left <= 0)
            return 0;
        x->index = 0;
        int r = ei_xreceive_msg_tmo(c->fd, msg, x, (unsigned)left);
        if (r == ERL_TICK)
            continue;
        if (r == ERL_ERROR) {
            if (erl_errno == ETIMEDOUT)
                return 0;
            if (!socket_dead(c->fd))
                continue; /* a control message libei does not know: skipped */
            return lost(c, err);
        }
        if (msg->msgtype == ERL_SEND || msg->msgtype == ERL_REG_SEND)
            return 1;
    }
}

int conn_poll(conn *c, char *err)
{
    if (c->fd < 0)
        return CONN_LOST;
    xconn *xc = xport_of_fd(c->xs, c->fd);
    int rd;
    while ((rd = xc ? xconn_readable(xc, 0) : -1) != 0) {
        if (rd < 0 || socket_dead(c->fd))
            return lost(c, err);
        erlang_msg msg;
        ei_x_buff x;
        ei_x_new(&x);
        int r = ei_xreceive_msg_tmo(c->fd, &msg, &x, 50);
        ei_x_free(&x);
        if (r == ERL_ERROR && erl_errno != ETIMEDOUT && socket_dead(c->fd))
            return lost(c, err);
    }
    return 0;
}
