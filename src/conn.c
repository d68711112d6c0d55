/* conn.c — hidden C node connection, epmd diagnosis, allowlisted remote calls.
 *
 * We ask epmd ourselves before connecting so that each failure gets its own message:
 * host unknown, epmd unreachable, node not registered (with the names that are),
 * distribution version too old, cookie rejected. libei alone reports most of these as
 * the same EIO. */
#define _POSIX_C_SOURCE 200809L
#include "conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "etf.h"
#include "probe_blobs.h"
#include "ssh.h"
#include "transport.h"
#include "util.h"

/* like erl, honour ERL_EPMD_PORT */
static int epmd_port_no(void)
{
    const char *e = getenv("ERL_EPMD_PORT");
    int p = e ? atoi(e) : 0;
    return p > 0 && p < 65536 ? p : 4369;
}
#define EPMD_PORT epmd_port_no()

/* once per process, also when several threads attach at once (--cluster) */
static pthread_once_t ei_once = PTHREAD_ONCE_INIT;
static int ei_ready;
static void ei_init_once(void)
{
    ei_ready = ei_init() == 0;
}

int conn_find_cookie(const conn_opts *o, char *cookie, size_t n, char *err)
{
    char path[4096];
    const char *src = NULL;
    if (o->cookie && *o->cookie) {
        snprintf(cookie, n, "%s", o->cookie);
        return 0;
    }
    if (o->cookie_file)
        src = o->cookie_file;
    else if (getenv("OTP_ADVISOR_COOKIE") && *getenv("OTP_ADVISOR_COOKIE")) {
        snprintf(cookie, n, "%s", getenv("OTP_ADVISOR_COOKIE"));
        return 0;
    } else {
        const char *home = getenv("HOME");
        snprintf(path, sizeof path, "%s/.erlang.cookie", home ? home : ".");
        src = path;
    }
    /* non-blocking open: a FIFO must not hang us; then it must be a regular file */
    int fd = open(src, O_RDONLY | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return errf(err, "cannot read the cookie from %s: %s (use --cookie-file or $OTP_ADVISOR_COOKIE)", src,
                    strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return errf(err, "the cookie file %s is %s, not a regular file", src,
                    S_ISDIR(st.st_mode) ? "a directory" : "something else");
    }
    static int warned; /* once a run: the shell reconnects */
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) && !warned++)
        /* as ssh does for keys: a cookie others can read lets them run code on the node */
        fprintf(stderr,
                "otp-advisor: warning: the cookie file %s is readable by %s (mode %03o): anyone who reads it can "
                "run code on the node; fix it with: chmod 400 %s\n",
                src, (st.st_mode & S_IRWXO) ? "other users" : "its group", (unsigned)(st.st_mode & 0777), src);
    FILE *f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        return errf(err, "cannot read the cookie from %s: %s", src, strerror(errno));
    }
    size_t got = fread(cookie, 1, n - 1, f);
    fclose(f);
    cookie[got] = 0;
    while (got > 0 && (cookie[got - 1] == '\n' || cookie[got - 1] == '\r' || cookie[got - 1] == ' '))
        cookie[--got] = 0;
    if (got == 0)
        return errf(err, "the cookie file %s is empty", src);
    return 0;
}

/* epmd is never TLS: it is plain TCP on the node's host, or the forward ssh keeps for it */
static xconn *epmd_dial(conn *c, int ms, char *err)
{
    int uh;
    char e[OA_ERRLEN];
    xconn *x = xconn_dial(c->xs, &c->epmd, 0, ms, &uh, e);
    if (!x) {
        if (uh)
            errf(err, "%s", e);
        else if (c->epmd.path[0])
            errf(err, "epmd on %s not reachable through ssh (%s)", c->host, e);
        else
            errf(err, "epmd not reachable: %s: is an Erlang node running there?", e);
    }
    return x;
}

static int read_full(xconn *x, unsigned char *buf, size_t n, int ms)
{
    size_t got = 0;
    int64_t until = now_us() + (int64_t)ms * 1000;
    while (got < n) {
        int64_t left = (until - now_us()) / 1000;
        ssize_t r = xconn_read(x, buf + got, n - got, left > 0 ? (int)left : 0);
        if (r <= 0)
            return got ? (int)got : -1;
        got += (size_t)r;
    }
    return (int)got;
}

/* epmd NAMES_REQ: the names registered on host, for a helpful error. */
static void epmd_names(conn *c, int ms, char *out, size_t n)
{
    char e[OA_ERRLEN];
    out[0] = 0;
    xconn *x = epmd_dial(c, ms, e);
    if (!x)
        return;
    unsigned char req[3] = {0, 1, 110};
    if (xconn_write(x, req, 3, ms) != 0) {
        xconn_close(x);
        return;
    }
    unsigned char buf[4096];
    int got = 0;
    for (;;) {
        ssize_t r = xconn_read(x, buf + got, sizeof buf - 1 - (size_t)got, ms);
        if (r <= 0)
            break;
        got += (int)r;
        if (got >= (int)sizeof buf - 1)
            break;
    }
    xconn_close(x);
    if (got <= 4)
        return;
    buf[got] = 0;
    size_t len = 0;
    char *save = NULL;
    for (char *line = strtok_r((char *)buf + 4, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char name[256];
        if (sscanf(line, "name %255s at port", name) == 1) {
            int w = snprintf(out + len, n - len, "%s%s", len ? ", " : "", name);
            if (w < 0 || (size_t)w >= n - len)
                break;
            len += (size_t)w;
        }
    }
}

/* PORT_PLEASE2: returns the node's port, or <0 with err set. */
static int epmd_port(conn *c, int ms, int *highest, char *err)
{
    const char *host = c->host, *alive = c->alive;
    xconn *x = epmd_dial(c, ms, err);
    if (!x)
        return -1;
    size_t al = strlen(alive);
    unsigned char req[300];
    req[0] = (unsigned char)((al + 1) >> 8);
    req[1] = (unsigned char)(al + 1);
    req[2] = 122;
    memcpy(req + 3, alive, al);
    if (xconn_write(x, req, 3 + al, ms) != 0) {
        xconn_close(x);
        return errf(err, "epmd on %s closed the connection", host);
    }
    unsigned char resp[12];
    int got = read_full(x, resp, 2, ms);
    if (got < 2 || resp[0] != 119) {
        xconn_close(x);
        char why[OA_ERRLEN];
        ssh_why(c->ssh, why, sizeof why);
        if (why[0]) /* through ssh: the far side refused the forward or found nothing there */
            return errf(err, "epmd on %s not reachable: %s", host, why);
        return errf(err, "epmd on %s gave no answer", host);
    }
    if (resp[1] != 0) {
        xconn_close(x);
        char names[1024];
        epmd_names(c, ms, names, sizeof names);
        return errf(err, "node not registered: no node named '%s' on %s (epmd knows: %s)", alive, host,
                    names[0] ? names : "none");
    }
    got = read_full(x, resp + 2, 8, ms);
    xconn_close(x);
    if (got < 8)
        return errf(err, "epmd on %s sent a short answer", host);
    *highest = resp[6] << 8 | resp[7];
    return resp[2] << 8 | resp[3];
}

static int split_target(conn *c, const char *target, char *err)
{
    const char *at = strchr(target, '@');
    if (!target[0] || (at && (at == target || !at[1])))
        return errf(err, "bad node name '%s' (expected name@host)", target);
    if (at) {
        if ((size_t)(at - target) > EI_MAXALIVELEN || strlen(at + 1) > OA_MAXHOST)
            return errf(err, "node name too long: %s", target);
        snprintf(c->alive, sizeof c->alive, "%.*s", (int)(at - target), target);
        snprintf(c->host, sizeof c->host, "%s", at + 1);
    } else {
        char h[OA_MAXHOST + 1];
        if (gethostname(h, sizeof h) != 0)
            return errf(err, "cannot tell this host's name");
        h[OA_MAXHOST] = 0;
        char *dot = strchr(h, '.');
        if (dot)
            *dot = 0;
        if (strlen(target) > EI_MAXALIVELEN)
            return errf(err, "node name too long: %s", target);
        snprintf(c->alive, sizeof c->alive, "%s", target);
        snprintf(c->host, sizeof c->host, "%s", h);
    }
    /* epmd knows only such names: anything else (a non-UTF-8 byte, a space) would come back
     * as "epmd gave no answer", which blames the wrong thing */
    for (const char *q = c->alive; *q; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_' ||
              *q == '-'))
            return errf(err, "bad node name '%.60s%s': its name part may hold only letters, digits, '_' and '-'",
                        target, strlen(target) > 60 ? "…" : "");
    snprintf(c->target, sizeof c->target, "%s@%s", c->alive, c->host);
    if (strlen(c->target) >= MAXNODELEN)
        return errf(err, "node name too long: %s", target);
    return 0;
}

/* libei says only that its handshake failed. A second, bare attempt tells why, from the
 * status the peer sends after our name (the distribution protocol's send_name and
 * recv_status): it closed at once, it is not an Erlang node at all (an HTTP server), it
 * refused our name, or it accepted the name, and then only the challenge, the cookie, can
 * have failed. We stop before the challenge: nothing of ours proves or guesses a cookie. */
static void diagnose_handshake(conn *c, char *err)
{
    int uh;
    char e2[OA_ERRLEN];
    xconn *x = xconn_dial(c->xs, &c->dist, xsetup_tls(c->xs), c->timeout_ms, &uh, e2);
    if (!x) {
        errf(err, "%s: the handshake failed and its port no longer answers (%s)", c->target, e2);
        return;
    }
    /* the flags a hidden node of OTP 23..27 must offer (the peer's mandatory set) */
    const uint64_t flags = 0x4 | 0x8 | 0x10 | 0x20 | 0x80 | 0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x20000 |
                           0x40000 | 0x1000000 | 0x2000000;
    size_t nl = strlen(c->own);
    /* handshake messages carry 2 bytes of length (inet_tcp_dist), 4 under TLS (inet_tls_dist) */
    const size_t hl = xsetup_tls(c->xs) ? 4 : 2;
    unsigned char msg[20 + 2 * MAXNODELEN];
    size_t len = 1 + 8 + 4 + 2 + nl;
    for (size_t i = 0; i < hl; i++)
        msg[i] = (unsigned char)(len >> (8 * (hl - 1 - i)));
    unsigned char *m = msg + hl;
    m[0] = 'N';
    for (int i = 0; i < 8; i++)
        m[1 + i] = (unsigned char)(flags >> (56 - 8 * i));
    uint32_t creation = (uint32_t)getpid() | 1u;
    for (int i = 0; i < 4; i++)
        m[9 + i] = (unsigned char)(creation >> (24 - 8 * i));
    m[13] = (unsigned char)(nl >> 8);
    m[14] = (unsigned char)nl;
    memcpy(m + 15, c->own, nl);
    unsigned char raw[80];
    memset(raw, 0, sizeof raw);
    int got = -1;
    if (xconn_write(x, msg, hl + len, c->timeout_ms) == 0)
        got = read_full(x, raw, hl, c->timeout_ms);
    size_t rl = 0;
    for (size_t i = 0; got == (int)hl && i < hl; i++)
        rl = rl << 8 | raw[i];
    /* from here as with 2 bytes of length: resp[2] is the message's first byte */
    unsigned char *resp = raw + hl - 2;
    if (got == (int)hl)
        got = 2;
    int gotp = rl > 0 && rl < 64 ? read_full(x, resp + 2, rl, c->timeout_ms) : -1;
    int extra = 0;
    if (got == 2 && gotp < 0) /* not a frame: a little more of what it says, to show it */
        extra = read_full(x, resp + 2, 20, 500);
    xconn_close(x);
    if (got == 2 && resp[0] == 0x15 && resp[1] == 0x03 && !xsetup_tls(c->xs)) {
        errf(err, "%s answered with a TLS alert: it runs TLS distribution (-proto_dist inet_tls); attach with --tls",
             c->target);
        return;
    }
    if (got <= 0) {
        errf(err,
             "%s closed the connection during the handshake, before any status: is it an Erlang node, "
             "and does it accept hidden nodes?",
             c->target);
        return;
    }
    if (gotp != (int)rl || resp[2] != 's') {
        char shown[24];
        size_t k = 0;
        size_t have = (size_t)got + (size_t)(gotp > 0 ? gotp : 0) + (size_t)(extra > 0 ? extra : 0);
        for (size_t i = 0; i < have && k + 1 < sizeof shown; i++)
            shown[k++] = resp[i] >= 32 && resp[i] < 127 ? (char)resp[i] : '.';
        shown[k] = 0;
        errf(err, "%s does not speak the Erlang distribution protocol (it answered \"%s\")", c->target, shown);
        return;
    }
    char status[64];
    snprintf(status, sizeof status, "%.*s", (int)(rl - 1), (const char *)resp + 3);
    if (!strncmp(status, "ok", 2) || !strncmp(status, "named:", 6))
        errf(err,
             "cookie rejected by %s: it accepted our name, so the challenge failed (check --cookie-file / "
             "$OTP_ADVISOR_COOKIE)",
             c->target);
    else if (!strcmp(status, "not_allowed"))
        errf(err,
             "%s refused our node name %s (not_allowed: it restricts who may connect, e.g. "
             "net_kernel:allow/1); choose one with --name/--sname",
             c->target, c->own);
    else if (!strcmp(status, "alive"))
        errf(err, "%s is already connected to a node named %s: choose another with --name/--sname", c->target, c->own);
    else
        errf(err, "%s refused the connection during the handshake (status %s)", c->target, status);
}

static int conn_connect(conn *c, char *err)
{
    /* The cookie lives only for the handshake: read (a cookie that cannot be read is the
     * first thing to say, before any network), handed to libei, wiped in both. */
    char cookie[512];
    if (conn_find_cookie(&c->opts, cookie, sizeof cookie, err)) {
        explicit_bzero(cookie, sizeof cookie);
        return CONN_ERR;
    }
    int highest = 0;
    int port = c->dist.port;
    if (!c->direct) {
        port = epmd_port(c, c->timeout_ms, &highest, err);
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
        diagnose_handshake(c, err);
        return CONN_ERR;
    }
    c->fd = fd;
    return 0;
}

/* --address HOST:PORT, HOST an IPv6 address in brackets or bare (the last colon is the port's) */
static int split_address(conn *c, const char *a, char *err)
{
    const char *colon = strrchr(a, ':');
    char *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : 0;
    if (!colon || colon == a || !end || *end || port <= 0 || port > 65535)
        return errf(err, "bad --address '%s' (expected HOST:PORT, e.g. 10.0.0.5:9100 or [::1]:9100)", a);
    const char *h = a;
    size_t hl = (size_t)(colon - a);
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']')
        h++, hl -= 2;
    if (hl == 0 || hl > XDEST_HOSTLEN)
        return errf(err, "bad --address '%s' (expected HOST:PORT)", a);
    snprintf(c->dist.host, sizeof c->dist.host, "%.*s", (int)hl, h);
    c->dist.port = (int)port;
    c->direct = 1;
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
    if (o->address && split_address(c, o->address, err))
        return CONN_ERR;
    if (target && *target && !(o->address && !strcmp(target, o->address))) {
        if (split_target(c, target, err))
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
        c->epmd.port = EPMD_PORT;
    }
    /* a long name has a dot in its host, or is an IP address (IPv6 has colons) */
    int long_names = strchr(c->host, '.') != NULL || strchr(c->host, ':') != NULL;
    char *ownalive = c->ownalive, *ownhost = c->ownhost;
    const size_t alive_n = sizeof c->ownalive, host_n = sizeof c->ownhost;
    const char *want = o->name ? o->name : o->sname;
    if (want) {
        const char *at = strchr(want, '@');
        snprintf(ownalive, alive_n, "%.*s", at ? (int)(at - want) : (int)strlen(want), want);
        if (at)
            snprintf(ownhost, host_n, "%s", at + 1);
        else
            snprintf(ownhost, host_n, "%s", c->host); /* same host part: same name form */
    } else {
        snprintf(ownalive, alive_n, "otp-advisor-%d", (int)getpid());
        if (long_names)
            snprintf(ownhost, host_n, "%s", c->host);
        else {
            char h[OA_MAXHOST + 1];
            if (gethostname(h, sizeof h) != 0)
                snprintf(h, sizeof h, "localhost");
            h[OA_MAXHOST] = 0;
            char *dot = strchr(h, '.');
            if (dot)
                *dot = 0;
            /* a short-name target on another host is fine: names only need the same form */
            snprintf(ownhost, host_n, "%s", h);
        }
    }
    snprintf(c->own, sizeof c->own, "%s@%s", ownalive, ownhost);
    if (strlen(c->own) >= MAXNODELEN)
        return errf(err, "own node name too long: %s", c->own);
    c->xs = xsetup_new(&o->tls, err);
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

/* libei returns ERL_ERROR/EIO both for a closed socket and for a control message it does
 * not know (beam-facts §1.11), after reading that message whole. Only the first is a lost
 * connection: look at the socket itself. */
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
