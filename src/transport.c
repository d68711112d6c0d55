/* transport.c — TCP/Unix sockets, OpenSSL on top, and ei's socket callbacks over them.
 *
 * Sockets are non-blocking; every wait is a poll() bounded by the caller's deadline. With
 * TLS, readiness is OpenSSL's first (SSL_pending: bytes already decrypted), the socket's
 * second: a poll on the socket alone would sleep while a record waits in OpenSSL. */
#define _POSIX_C_SOURCE 200809L
#include "transport.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "util.h"

struct xconn {
    int fd;
    SSL *ssl;
    xsetup *s;
    struct xconn *next; /* the setup's list, for xport_of_fd */
};

struct xsetup {
    SSL_CTX *ctx;
    int verify; /* peer verification on */
    int sni_disable;
    char sni[256]; /* the optfile's server_name_indication */
    char verify_host[XDEST_HOSTLEN + 1];
    xdest dist; /* where ei's connect really goes */
    char why[OA_ERRLEN];
    xconn *live;
    char pw[256];   /* the key's passphrase (the optfile's), for OpenSSL's callback; wiped after */
    int default_ms; /* libei's "no deadline" becomes this (a node that stops reading) */
};

static int64_t deadline_of(int ms)
{
    return ms < 0 ? -1 : now_us() + (int64_t)ms * 1000;
}

static int left_ms(int64_t dl)
{
    if (dl < 0)
        return -1;
    int64_t l = (dl - now_us()) / 1000;
    return l > 0 ? (int)l : 0;
}

/* ---- TLS setup ------------------------------------------------------------------------ */

static void ssl_errstr(char *out, size_t n)
{
    unsigned long e = ERR_get_error(), last = e;
    while (e) {
        last = e;
        e = ERR_get_error();
    }
    if (last)
        ERR_error_string_n(last, out, n);
    else
        snprintf(out, n, "no detail");
}

/* OpenSSL asks for an encrypted key's passphrase: the optfile's, or none. Never a prompt: a
 * prompt would read the terminal or, under `mcp`, the JSON-RPC stream. */
static int pw_cb(char *buf, int size, int rwflag, void *u)
{
    (void)rwflag;
    const char *pw = u;
    int n = (int)strlen(pw);
    if (n == 0 || n >= size)
        return -1;
    memcpy(buf, pw, (size_t)n);
    return n;
}

xsetup *xsetup_new(const tls_opts *t, oa_notes *notes, char *err)
{
    xsetup *s = calloc(1, sizeof *s);
    if (!s) {
        errf(err, "out of memory");
        return NULL;
    }
    if (!t || !t->on)
        return s;
    tls_client_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.depth = -1;
    if (t->optfile && tls_optfile_read(t->optfile, &cfg, err))
        goto fail;
    static atomic_int noted; /* once a run: --cluster opens one setup a node */
    if (cfg.ignored[0] && notes && atomic_exchange(&noted, 1) == 0)
        notes_add(notes, "otp-advisor: note: %s: client options not applied by otp-advisor: %s", t->optfile,
                  cfg.ignored);
    const char *cert = t->cert ? t->cert : cfg.cert[0] ? cfg.cert : NULL;
    const char *key = t->key ? t->key : cfg.key[0] ? cfg.key : NULL;
    const char *ca = t->cacert ? t->cacert : cfg.cacert[0] ? cfg.cacert : NULL;
    enum tls_verify v = t->verify != TLS_VERIFY_DEFAULT ? t->verify : cfg.verify;
    s->verify = v != TLS_VERIFY_NONE;
    s->sni_disable = cfg.sni_disable;
    snprintf(s->sni, sizeof s->sni, "%s", cfg.sni);
    s->ctx = SSL_CTX_new(TLS_client_method());
    if (!s->ctx) {
        errf(err, "cannot set up TLS (OpenSSL)");
        goto fail;
    }
    SSL_CTX_set_min_proto_version(s->ctx, cfg.min_version == 13 ? TLS1_3_VERSION : TLS1_2_VERSION);
    char e[256];
    if (ca) {
        if (SSL_CTX_load_verify_locations(s->ctx, ca, NULL) != 1) {
            ssl_errstr(e, sizeof e);
            errf(err, "cannot load the CA certificates from %s (%s)", ca, e);
            goto fail;
        }
    } else if (SSL_CTX_set_default_verify_paths(s->ctx) != 1) {
        errf(err, "cannot load the system's CA certificates: give --tls-cacert");
        goto fail;
    }
    if (key && !cert) {
        errf(err, "a TLS key without a certificate: give --tls-cert too");
        goto fail;
    }
    snprintf(s->pw, sizeof s->pw, "%s", cfg.password);
    SSL_CTX_set_default_passwd_cb(s->ctx, pw_cb);
    SSL_CTX_set_default_passwd_cb_userdata(s->ctx, s->pw);
    if (cert) {
        if (SSL_CTX_use_certificate_chain_file(s->ctx, cert) != 1) {
            ssl_errstr(e, sizeof e);
            errf(err, "cannot load the client certificate %s (%s)", cert, e);
            goto fail;
        }
        const char *k = key ? key : cert; /* Erlang's default: the key in the certificate file */
        int ok = SSL_CTX_use_PrivateKey_file(s->ctx, k, SSL_FILETYPE_PEM) == 1;
        explicit_bzero(s->pw, sizeof s->pw);
        explicit_bzero(cfg.password, sizeof cfg.password);
        if (!ok) {
            ssl_errstr(e, sizeof e);
            errf(err, "cannot load the client key %s (%s%s)", k, e,
                 cfg.password[0] ? "" : "; an encrypted key needs the optfile's password");
            goto fail;
        }
        if (SSL_CTX_check_private_key(s->ctx) != 1) {
            errf(err, "the client key %s does not match the certificate %s", k, cert);
            goto fail;
        }
    }
    SSL_CTX_set_verify(s->ctx, s->verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
    if (cfg.depth >= 0)
        SSL_CTX_set_verify_depth(s->ctx, cfg.depth);
    explicit_bzero(s->pw, sizeof s->pw);
    static atomic_int warned;
    if (!s->verify && notes && atomic_exchange(&warned, 1) == 0)
        notes_add(notes, "otp-advisor: warning: TLS without peer verification (verify none): any host that answers "
                         "is taken for the node, and sees the cookie's challenge");
    return s;
fail:
    explicit_bzero(cfg.password, sizeof cfg.password);
    explicit_bzero(s->pw, sizeof s->pw);
    xsetup_free(s);
    return NULL;
}

void xsetup_free(xsetup *s)
{
    if (!s)
        return;
    while (s->live)
        xconn_close(s->live);
    if (s->ctx)
        SSL_CTX_free(s->ctx);
    free(s);
}

int xsetup_tls(const xsetup *s)
{
    return s && s->ctx;
}

void xsetup_deadline(xsetup *s, int ms)
{
    s->default_ms = ms;
}

void xsetup_target(xsetup *s, const char *verify_host, const xdest *dist)
{
    snprintf(s->verify_host, sizeof s->verify_host, "%s", s->sni[0] ? s->sni : verify_host);
    s->dist = *dist;
    s->why[0] = 0;
}

const char *xsetup_why(const xsetup *s)
{
    return s->why;
}

/* ---- sockets -------------------------------------------------------------------------- */

static int wait_fd(int fd, short ev, int64_t dl)
{
    for (;;) {
        struct pollfd p = {fd, ev, 0};
        int r = poll(&p, 1, left_ms(dl));
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            return -2;
        return r < 0 ? -1 : 0;
    }
}

static int connect_one(int fam, const struct sockaddr *sa, socklen_t sl, int64_t dl, int *err_no)
{
    int fd = socket(fam, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        *err_no = errno;
        return -1;
    }
    if (connect(fd, sa, sl) != 0) {
        if (errno != EINPROGRESS) {
            *err_no = errno;
            close(fd);
            return -1;
        }
        if (wait_fd(fd, POLLOUT, dl) != 0) {
            *err_no = ETIMEDOUT;
            close(fd);
            return -1;
        }
        int so = 0;
        socklen_t l = sizeof so;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &l);
        if (so) {
            *err_no = so;
            close(fd);
            return -1;
        }
    }
    if (fam != AF_UNIX) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return fd;
}

static int dial_fd(const xdest *d, int64_t dl, int *unknown_host, char *err)
{
    int en = ECONNREFUSED;
    *unknown_host = 0;
    if (d->path[0]) {
        struct sockaddr_un un;
        memset(&un, 0, sizeof un);
        un.sun_family = AF_UNIX;
        snprintf(un.sun_path, sizeof un.sun_path, "%s", d->path);
        int fd = connect_one(AF_UNIX, (struct sockaddr *)&un, sizeof un, dl, &en);
        if (fd < 0)
            return errf(err, "the forward at %s does not answer (%s)", d->path, strerror(en));
        return fd;
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    char ps[16];
    snprintf(ps, sizeof ps, "%d", d->port);
    int rc = getaddrinfo(d->host, ps, &hints, &res);
    if (rc != 0) {
        *unknown_host = 1;
        return errf(err, "host unknown: %s (%s)", d->host, gai_strerror(rc));
    }
    int fd = -1, left = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
        left++;
    /* each address its share of what is left: a dead first one (an IPv6 route that drops
     * packets) must not use up the time of a working second */
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next, left--) {
        int ms = left_ms(dl);
        int64_t adl = dl < 0 || left <= 1 ? dl : now_us() + (int64_t)(ms / left > 500 ? ms / left : ms) * 1000;
        fd = connect_one(ai->ai_family, ai->ai_addr, ai->ai_addrlen, adl, &en);
    }
    freeaddrinfo(res);
    if (fd < 0) {
        errno = en;
        return errf(err, "%s:%d does not answer (%s)", d->host, d->port, strerror(en));
    }
    return fd;
}

/* ---- TLS handshake and its failures, said plainly ------------------------------------- */

static void tls_why(xsetup *s, SSL *ssl, int ssl_err, const char *host)
{
    long vr = SSL_get_verify_result(ssl);
    unsigned long e = ERR_peek_last_error();
    char detail[256];
    ssl_errstr(detail, sizeof detail);
    if (vr != X509_V_OK && s->verify) {
        const char *vs = X509_verify_cert_error_string(vr);
        if (vr == X509_V_ERR_HOSTNAME_MISMATCH || vr == X509_V_ERR_IP_ADDRESS_MISMATCH)
            errf(s->why,
                 "the node's TLS certificate does not name %s (hostname mismatch): it is not the node asked for, or "
                 "its certificate lacks that name",
                 host);
        else if (vr == X509_V_ERR_CERT_HAS_EXPIRED)
            errf(s->why, "the node's TLS certificate has expired");
        else if (vr == X509_V_ERR_CERT_NOT_YET_VALID)
            errf(s->why, "the node's TLS certificate is not valid yet");
        else
            errf(s->why,
                 "the node's TLS certificate is not trusted (%s): give the CA that signed it with "
                 "--tls-cacert or the optfile's cacertfile",
                 vs);
        return;
    }
    int reason = e ? ERR_GET_REASON(e) : 0;
    if (reason == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED ||
        (reason == SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE && !SSL_get_certificate(ssl)))
        errf(s->why, "the node requires a client certificate (fail_if_no_peer_cert): give --tls-cert and "
                     "--tls-key, or an optfile whose client section has certfile and keyfile");
    else if (reason == SSL_R_TLSV1_ALERT_UNKNOWN_CA || reason == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE ||
             reason == SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN || reason == SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED)
        errf(s->why, "the node refused our client certificate (%s)", detail);
    else if (reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_PACKET_LENGTH_TOO_LONG)
        errf(s->why, "the node did not answer in TLS (%s): is it started with -proto_dist inet_tls?", detail);
    else if (ssl_err == SSL_ERROR_SYSCALL || ssl_err == SSL_ERROR_ZERO_RETURN)
        errf(s->why, "the node closed the connection during the TLS handshake: is it started with "
                     "-proto_dist inet_tls?");
    else
        errf(s->why, "TLS handshake failed (%s)", detail);
}

static int is_ip_literal(const char *h)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_flags = AI_NUMERICHOST;
    if (getaddrinfo(h, NULL, &hints, &res) != 0)
        return 0;
    freeaddrinfo(res);
    return 1;
}

static int tls_handshake(xconn *x, int64_t dl, char *err)
{
    xsetup *s = x->s;
    x->ssl = SSL_new(s->ctx);
    if (!x->ssl)
        return errf(err, "cannot start a TLS session (OpenSSL)");
    SSL_set_fd(x->ssl, x->fd);
    char host[XDEST_HOSTLEN + 1];
    snprintf(host, sizeof host, "%s", s->verify_host);
    char *zone = strchr(host, '%'); /* fe80::1%eth0: the address is what a certificate names */
    if (zone)
        *zone = 0;
    if (host[0] && !s->sni_disable) {
        int ip = is_ip_literal(host), ok = 1;
        if (!ip)
            ok &= SSL_set_tlsext_host_name(x->ssl, host) == 1;
        if (s->verify) {
            X509_VERIFY_PARAM *vp = SSL_get0_param(x->ssl);
            if (ip)
                ok &= X509_VERIFY_PARAM_set1_ip_asc(vp, host) == 1;
            else {
                X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
                ok &= SSL_set1_host(x->ssl, host) == 1;
            }
        }
        if (!ok) { /* a check that cannot be set up is not skipped */
            errf(s->why, "cannot check the node's certificate against '%s'", host);
            return errf(err, "%s", s->why);
        }
    }
    ERR_clear_error();
    for (;;) {
        int r = SSL_connect(x->ssl);
        if (r == 1)
            return 0;
        int e = SSL_get_error(x->ssl, r);
        int w = e == SSL_ERROR_WANT_READ    ? wait_fd(x->fd, POLLIN, dl)
                : e == SSL_ERROR_WANT_WRITE ? wait_fd(x->fd, POLLOUT, dl)
                                            : -3;
        if (w == 0)
            continue;
        if (w == -2)
            errf(s->why, "no TLS answer within the deadline: is the node started with -proto_dist inet_tls?");
        else
            tls_why(s, x->ssl, e, host);
        return errf(err, "%s", s->why);
    }
}

xconn *xconn_dial(xsetup *s, const xdest *d, int tls, int ms, int *unknown_host, char *err)
{
    int64_t dl = deadline_of(ms);
    int fd = dial_fd(d, dl, unknown_host, err);
    if (fd < 0)
        return NULL;
    xconn *x = calloc(1, sizeof *x);
    if (!x) {
        close(fd);
        errf(err, "out of memory");
        return NULL;
    }
    x->fd = fd;
    x->s = s;
    if (tls && s->ctx && tls_handshake(x, dl, err)) {
        SSL_free(x->ssl);
        close(fd);
        free(x);
        return NULL;
    }
    x->next = s->live;
    s->live = x;
    return x;
}

ssize_t xconn_read(xconn *x, void *buf, size_t n, int ms)
{
    int64_t dl = deadline_of(ms);
    for (;;) {
        if (x->ssl) {
            ERR_clear_error();
            int r = SSL_read(x->ssl, buf, (int)(n > 1 << 30 ? 1 << 30 : n));
            if (r > 0)
                return r;
            int e = SSL_get_error(x->ssl, r);
            if (e == SSL_ERROR_ZERO_RETURN)
                return 0;
            int w = e == SSL_ERROR_WANT_READ    ? wait_fd(x->fd, POLLIN, dl)
                    : e == SSL_ERROR_WANT_WRITE ? wait_fd(x->fd, POLLOUT, dl)
                                                : -3;
            if (w == 0)
                continue;
            if (w == -2)
                return -2;
            /* an alert after the handshake (TLS 1.3 asks for a client certificate only then)
             * says why; a plain end of stream is the peer's to explain, not TLS's */
            unsigned long le = ERR_peek_last_error();
            int eof = e == SSL_ERROR_SYSCALL || (le && ERR_GET_REASON(le) == SSL_R_UNEXPECTED_EOF_WHILE_READING);
            if (!eof && x->s && !x->s->why[0])
                tls_why(x->s, x->ssl, e, x->s->verify_host);
            return eof ? 0 : -1;
        }
        ssize_t r = read(x->fd, buf, n);
        if (r >= 0)
            return r;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -1;
        int w = wait_fd(x->fd, POLLIN, dl);
        if (w)
            return w;
    }
}

int xconn_write(xconn *x, const void *buf, size_t n, int ms)
{
    int64_t dl = deadline_of(ms);
    const char *p = buf;
    while (n > 0) {
        if (x->ssl) {
            ERR_clear_error();
            int r = SSL_write(x->ssl, p, (int)(n > 1 << 30 ? 1 << 30 : n));
            if (r > 0) {
                p += r;
                n -= (size_t)r;
                continue;
            }
            int e = SSL_get_error(x->ssl, r);
            int w = e == SSL_ERROR_WANT_READ    ? wait_fd(x->fd, POLLIN, dl)
                    : e == SSL_ERROR_WANT_WRITE ? wait_fd(x->fd, POLLOUT, dl)
                                                : -1;
            if (w)
                return w;
            continue;
        }
        ssize_t r = send(x->fd, p, n, MSG_NOSIGNAL);
        if (r > 0) {
            p += r;
            n -= (size_t)r;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int w = wait_fd(x->fd, POLLOUT, dl);
            if (w)
                return w;
            continue;
        }
        return -1;
    }
    return 0;
}

int xconn_readable(xconn *x, int ms)
{
    if (x->ssl && SSL_pending(x->ssl) > 0)
        return 1;
    struct pollfd p = {x->fd, POLLIN, 0};
    int r = poll(&p, 1, ms);
    if (r < 0)
        return errno == EINTR ? 0 : -1;
    if (r == 0)
        return 0;
    if (p.revents & (POLLERR | POLLNVAL))
        return -1;
    return 1; /* POLLIN or POLLHUP: a read will tell */
}

static void unlink_live(xconn *x)
{
    if (!x->s)
        return;
    for (xconn **pp = &x->s->live; *pp; pp = &(*pp)->next)
        if (*pp == x) {
            *pp = x->next;
            break;
        }
}

void xconn_close(xconn *x)
{
    if (!x)
        return;
    unlink_live(x);
    if (x->ssl)
        SSL_free(x->ssl);
    if (x->fd >= 0)
        close(x->fd);
    free(x);
}

void xconn_close_seen(xconn *x, int ms)
{
    if (!x)
        return;
    xconn_shutdown(x, ms);
    xconn_close(x);
}

void xconn_shutdown(xconn *x, int ms)
{
    if (x->ssl) {
        ERR_clear_error();
        SSL_shutdown(x->ssl); /* close_notify; its answer is not awaited beyond the end below */
    }
    shutdown(x->fd, SHUT_WR);
    int64_t dl = deadline_of(ms);
    char buf[4096];
    for (;;) {
        struct pollfd p = {x->fd, POLLIN, 0};
        int l = left_ms(dl);
        if (l <= 0 || poll(&p, 1, l) <= 0 || read(x->fd, buf, sizeof buf) <= 0)
            break;
    }
}

xconn *xport_of_fd(xsetup *s, int fd)
{
    for (xconn *x = s ? s->live : NULL; x; x = x->next)
        if (x->fd == fd)
            return x;
    return NULL;
}

/* ---- ei's socket callbacks -------------------------------------------------------------
 * ei asks for a socket, connects it to the address it resolved, and then reads and writes
 * through us. The address ei passes is ignored: the setup knows where the node really is
 * (an IPv6 host, a Unix socket ssh forwards), which ei's own resolver cannot reach. */

static int cb_socket(void **ctx, void *setup)
{
    xconn *x = calloc(1, sizeof *x);
    if (!x)
        return ENOMEM;
    x->fd = -1;
    x->s = setup;
    *ctx = x;
    return 0;
}

static int cb_close(void *ctx)
{
    xconn *x = ctx;
    if (x->fd >= 0)
        xconn_close(x);
    else
        free(x);
    return 0;
}

static int cb_listen(void *ctx, void *addr, int *len, int backlog)
{
    (void)ctx, (void)addr, (void)len, (void)backlog;
    return EOPNOTSUPP;
}

static int cb_accept(void **ctx, void *addr, int *len, unsigned tmo)
{
    (void)ctx, (void)addr, (void)len, (void)tmo;
    return EOPNOTSUPP;
}

static int tmo_ms(const xconn *x, unsigned tmo)
{
    /* libei has no deadline for some calls (ei_rpc_to's send): ours is the remote call's */
    if (tmo == EI_SCLBK_INF_TMO)
        return x->s && x->s->default_ms > 0 ? x->s->default_ms : -1;
    return tmo > 0x7fffffffu ? 0x7fffffff : (int)tmo;
}

static int cb_connect(void *ctx, void *addr, int len, unsigned tmo)
{
    (void)addr, (void)len;
    xconn *x = ctx;
    xsetup *s = x->s;
    int uh;
    char err[OA_ERRLEN];
    int64_t dl = deadline_of(tmo_ms(x, tmo));
    int fd = dial_fd(&s->dist, dl, &uh, err);
    if (fd < 0) {
        snprintf(s->why, sizeof s->why, "%s", err);
        return errno ? errno : ECONNREFUSED;
    }
    x->fd = fd;
    if (s->ctx && tls_handshake(x, dl, err)) {
        SSL_free(x->ssl);
        x->ssl = NULL;
        close(fd);
        x->fd = -1;
        return EIO;
    }
    x->next = s->live;
    s->live = x;
    return 0;
}

static int io_errno(ssize_t r)
{
    return r == -2 ? ETIMEDOUT : EIO;
}

static int cb_writev(void *ctx, const void *viov, int iovcnt, ssize_t *len, unsigned tmo)
{
    const struct iovec *iov = viov;
    ssize_t done = 0;
    for (int i = 0; i < iovcnt; i++) {
        int r = xconn_write(ctx, iov[i].iov_base, iov[i].iov_len, tmo_ms(ctx, tmo));
        if (r)
            return io_errno(r);
        done += (ssize_t)iov[i].iov_len;
    }
    *len = done;
    return 0;
}

static int cb_write(void *ctx, const char *buf, ssize_t *len, unsigned tmo)
{
    int r = xconn_write(ctx, buf, (size_t)*len, tmo_ms(ctx, tmo));
    return r ? io_errno(r) : 0;
}

static int cb_read(void *ctx, char *buf, ssize_t *len, unsigned tmo)
{
    ssize_t r = xconn_read(ctx, buf, (size_t)*len, tmo_ms(ctx, tmo));
    if (r < 0)
        return io_errno(r);
    *len = r;
    return 0;
}

/* inet_tcp_dist frames handshake messages with 2 bytes of length, inet_tls_dist with 4 */
static int cb_hs_header(void *ctx, int *sz)
{
    xconn *x = ctx;
    *sz = x->ssl ? 4 : 2;
    return 0;
}

static int cb_hs_complete(void *ctx)
{
    (void)ctx;
    return 0;
}

static int cb_get_fd(void *ctx, int *fd)
{
    xconn *x = ctx;
    if (x->fd < 0)
        return EBADF;
    *fd = x->fd;
    return 0;
}

ei_socket_callbacks xport_ei_callbacks = {
    .flags = EI_SCLBK_FLG_FULL_IMPL,
    .socket = cb_socket,
    .close = cb_close,
    .listen = cb_listen,
    .EI_ACCEPT_NAME = cb_accept,
    .connect = cb_connect,
    .writev = cb_writev,
    .write = cb_write,
    .read = cb_read,
    .handshake_packet_header_size = cb_hs_header,
    .connect_handshake_complete = cb_hs_complete,
    .accept_handshake_complete = cb_hs_complete,
    .get_fd = cb_get_fd,
};
