/* conn.c — open and close the hidden C node's connection, built from its parts: the cookie
 * (cookie.c), the node's names and epmd (resolve.c), the transport (transport.c, ssh.c);
 * the remote calls over it are rpc.c's.
 *
 * Before libei connects we ask epmd ourselves, and after a failed handshake we ask the node
 * why (resolve.c), so that each failure gets its own message: host unknown, epmd
 * unreachable, node not registered (with the names that are), distribution version too old,
 * cookie rejected. libei alone reports most of these as the same EIO. */
#define _POSIX_C_SOURCE 200809L
#include "conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cookie.h"
#include "etf.h"
#include "resolve.h"
#include "ssh.h"
#include "transport.h"
#include "util.h"

/* once per process, also when several threads attach at once (--cluster) */
static pthread_once_t ei_once = PTHREAD_ONCE_INIT;
static int ei_ready;
static void ei_init_once(void)
{
    ei_ready = ei_init() == 0;
}

int conn_find_cookie(const conn_opts *o, char *cookie, size_t n, char *err)
{
    return cookie_find(o->cookie, o->cookie_file, cookie, n, NULL, 0, err);
}

static int conn_connect(conn *c, char *err)
{
    /* The cookie lives only for the handshake: read (a cookie that cannot be read is the
     * first thing to say, before any network), handed to libei, wiped in both. */
    char cookie[512], warn[OA_ERRLEN + 8192];
    if (cookie_find(c->opts.cookie, c->opts.cookie_file, cookie, sizeof cookie, warn, sizeof warn, err)) {
        explicit_bzero(cookie, sizeof cookie);
        return CONN_ERR;
    }
    static atomic_int warned; /* once a run: the shell reconnects, --cluster opens one a node */
    if (warn[0] && atomic_exchange(&warned, 1) == 0)
        notes_add(&c->notes, "%s", warn);
    int highest = 0;
    int port = c->dist.port;
    if (!c->direct) {
        port = epmd_port(c->xs, &c->epmd, c->ssh, c->host, c->alive, c->timeout_ms, &highest, err);
        if (port < 0) {
            explicit_bzero(cookie, sizeof cookie);
            return CONN_ERR;
        }
        c->dist.port = port;
    }
    c->port = port;
    if (c->ssh && ssh_forward(c->ssh, c->dist.host, port, c->dist.path, sizeof c->dist.path, c->timeout_ms, err)) {
        explicit_bzero(cookie, sizeof cookie);
        return CONN_ERR;
    }
    xsetup_target(c->xs, c->host, &c->dist);
    struct in_addr addr;
    addr.s_addr = htonl(INADDR_LOOPBACK);
    /* libei's handshake, over our transport: the address it is given is not where it goes
     * (its resolver knows IPv4 only; the transport knows IPv6, ssh's forward and TLS) */
    int rc = ei_connect_xinit_ussi(&c->ec, c->ownhost, c->ownalive, c->own, &addr, cookie, (unsigned)time(NULL),
                                   &xport_ei_callbacks, sizeof xport_ei_callbacks, c->xs);
    explicit_bzero(cookie, sizeof cookie);
    if (rc < 0)
        return errf(err, "cannot initialise the C node %s", c->own);
    int fd = ei_xconnect_host_port_tmo(&c->ec, &addr, port, (unsigned)c->timeout_ms);
    explicit_bzero(c->ec.ei_connect_cookie, sizeof c->ec.ei_connect_cookie);
    if (fd < 0) {
        int e = erl_errno;
        if (highest && highest < 6)
            return errf(err,
                        "%s speaks distribution version %d only: it is older than OTP 23, outside this "
                        "tool's distribution window (OTP 23 and later)",
                        c->target, highest),
                   CONN_ERR;
        if (xsetup_why(c->xs)[0])
            return errf(err, "%s: %s", c->target, xsetup_why(c->xs)), CONN_ERR;
        char why[OA_ERRLEN];
        ssh_why(c->ssh, why, sizeof why);
        if (why[0])
            return errf(err, "%s: %s", c->target, why), CONN_ERR;
        if (e == ETIMEDOUT)
            return errf(err, "%s did not complete the handshake within %d ms", c->target, c->timeout_ms), CONN_ERR;
        diagnose_handshake(c->xs, &c->dist, c->target, c->own, c->timeout_ms, err);
        return CONN_ERR;
    }
    c->fd = fd;
    return 0;
}

static void conn_release(conn *c)
{
    xsetup_free(c->xs);
    c->xs = NULL;
    ssh_stop(c->ssh); /* the ssh process ends with the session */
    c->ssh = NULL;
}

int conn_open(conn *c, const char *target, const conn_opts *o, char *err)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 5000;
    pthread_once(&ei_once, ei_init_once);
    if (!ei_ready)
        return errf(err, "cannot initialise erl_interface");
    if (o->address) {
        if (resolve_address(o->address, &c->dist, err))
            return CONN_ERR;
        c->direct = 1;
    }
    if (target && *target && !(o->address && !strcmp(target, o->address))) {
        if (resolve_target(target, c->alive, c->host, c->target, err))
            return CONN_ERR;
    } else if (o->address) {
        /* no name given: the node is known by its address until it says its name */
        snprintf(c->host, sizeof c->host, "%s", c->dist.host);
        snprintf(c->target, sizeof c->target, "%s", o->address);
    } else
        return errf(err, "no node given");
    c->opts = *o;
    if (!c->direct) {
        snprintf(c->dist.host, sizeof c->dist.host, "%s", c->host);
        snprintf(c->epmd.host, sizeof c->epmd.host, "%s", c->host);
        c->epmd.port = epmd_port_no();
    }
    if (resolve_own(o->name ? o->name : o->sname, c->host, c->ownalive, c->ownhost, c->own, err))
        return CONN_ERR;
    c->xs = xsetup_new(&o->tls, &c->notes, err);
    if (!c->xs)
        return CONN_ERR;
    xsetup_deadline(c->xs, c->timeout_ms);
    if (o->ssh) {
        /* epmd and the distribution port as the ssh host reaches them; the login may take
         * longer than a remote call */
        int ms = c->timeout_ms > 10000 ? c->timeout_ms : 10000;
        c->ssh = ssh_start(o->ssh, o->ssh_command, c->dist.host, ms, err);
        if (!c->ssh)
            return conn_release(c), CONN_ERR;
        snprintf(c->epmd.path, sizeof c->epmd.path, "%s", ssh_epmd_path(c->ssh));
    }
    c->inited = 1;
    if (conn_connect(c, err))
        return conn_release(c), c->inited = 0, CONN_ERR;
    /* the release, also our check of the distribution window */
    ei_x_buff args, reply;
    ei_x_new(&args);
    ei_x_new(&reply);
    ei_x_encode_list_header(&args, 1);
    ei_x_encode_atom(&args, "otp_release");
    ei_x_encode_empty_list(&args);
    int rc = conn_rpc(c, "erlang", "system_info", &args, &reply, err);
    if (rc == 0) {
        etf_rd r;
        const char *s;
        size_t n;
        etf_init(&r, reply.buff, (size_t)reply.index);
        if (etf_bin(&r, &s, &n) == 0 && n < 8) {
            char tmp[8];
            memcpy(tmp, s, n);
            tmp[n] = 0;
            c->otp_release = atoi(tmp);
        }
    }
    ei_x_free(&args);
    ei_x_free(&reply);
    if (rc)
        return conn_close(c), rc;
    if (c->otp_release && c->otp_release < 23) {
        conn_close(c);
        return errf(err, "%s runs OTP %d, older than this tool's distribution window (OTP 23 and later)", c->target,
                    c->otp_release),
               CONN_ERR;
    }
    return 0;
}

/* Close so that the target has seen it: our side is shut, and its own close awaited (at
 * most a second). The node tears a connection down when it reads our end of stream; a new
 * handshake under the same name before that was refused ("alive": connect right after
 * disconnect failed, in the shell as in the MCP server). libei holds the connection: its
 * close releases our transport (a close(fd) of ours would leave libei a stale entry). */
static void close_seen(conn *c)
{
    xconn *x = xport_of_fd(c->xs, c->fd);
    if (x)
        xconn_shutdown(x, 1000);
    if (ei_close_connection(c->fd) < 0 && x)
        xconn_close(x);
    c->fd = -1;
}

int conn_reopen(conn *c, char *err)
{
    if (c->fd >= 0)
        close_seen(c);
    c->fd = -1;
    if (!c->inited)
        return errf(err, "not connected");
    return conn_connect(c, err);
}

void conn_close(conn *c)
{
    if (c->fd >= 0)
        close_seen(c);
    c->fd = -1;
    c->inited = 0;
    conn_release(c);
}
