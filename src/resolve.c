/* resolve.c — node names, epmd, and the diagnosis of a failed handshake (resolve.h). */
#define _POSIX_C_SOURCE 200809L
#include "resolve.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* like erl, honour ERL_EPMD_PORT */
int epmd_port_no(void)
{
    const char *e = getenv("ERL_EPMD_PORT");
    int p = e ? atoi(e) : 0;
    return p > 0 && p < 65536 ? p : 4369;
}

/* ---- names ---------------------------------------------------------------------------- */

/* this host's name, without its domain */
static int short_hostname(char *out, size_t n)
{
    char h[OA_MAXHOST + 1];
    if (gethostname(h, sizeof h) != 0)
        return -1;
    h[OA_MAXHOST] = 0;
    char *dot = strchr(h, '.');
    if (dot)
        *dot = 0;
    snprintf(out, n, "%s", h);
    return 0;
}

int resolve_target(const char *target, char *alive, char *host, char *full, char *err)
{
    const char *at = strchr(target, '@');
    if (!target[0] || (at && (at == target || !at[1])))
        return errf(err, "bad node name '%s' (expected name@host)", target);
    if (at) {
        if ((size_t)(at - target) > EI_MAXALIVELEN || strlen(at + 1) > OA_MAXHOST)
            return errf(err, "node name too long: %s", target);
        snprintf(alive, MAXNODELEN + 1, "%.*s", (int)(at - target), target);
        snprintf(host, OA_MAXHOST + 1, "%s", at + 1);
    } else {
        char h[OA_MAXHOST + 1];
        if (short_hostname(h, sizeof h) != 0)
            return errf(err, "cannot tell this host's name");
        if (strlen(target) > EI_MAXALIVELEN)
            return errf(err, "node name too long: %s", target);
        snprintf(alive, MAXNODELEN + 1, "%s", target);
        snprintf(host, OA_MAXHOST + 1, "%s", h);
    }
    /* epmd knows only such names: anything else (a non-UTF-8 byte, a space) would come back
     * as "epmd gave no answer", which blames the wrong thing */
    for (const char *q = alive; *q; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_' ||
              *q == '-'))
            return errf(err, "bad node name '%.60s%s': its name part may hold only letters, digits, '_' and '-'",
                        target, strlen(target) > 60 ? "…" : "");
    snprintf(full, 2 * MAXNODELEN + 2, "%s@%s", alive, host);
    if (strlen(full) >= MAXNODELEN)
        return errf(err, "node name too long: %s", target);
    return 0;
}

/* --address HOST:PORT, HOST an IPv6 address in brackets or bare (the last colon is the port's) */
int resolve_address(const char *a, xdest *dist, char *err)
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
    snprintf(dist->host, sizeof dist->host, "%.*s", (int)hl, h);
    dist->port = (int)port;
    return 0;
}

int resolve_own(const char *want, const char *target_host, char *ownalive, char *ownhost, char *own, char *err)
{
    const size_t alive_n = EI_MAXALIVELEN + 1, host_n = OA_MAXHOST + 1;
    /* a long name has a dot in its host, or is an IP address (IPv6 has colons) */
    int long_names = strchr(target_host, '.') != NULL || strchr(target_host, ':') != NULL;
    if (want) {
        const char *at = strchr(want, '@');
        snprintf(ownalive, alive_n, "%.*s", at ? (int)(at - want) : (int)strlen(want), want);
        if (at)
            snprintf(ownhost, host_n, "%s", at + 1);
        else
            snprintf(ownhost, host_n, "%s", target_host); /* same host part: same name form */
    } else {
        snprintf(ownalive, alive_n, "otp-advisor-%d", (int)getpid());
        if (long_names)
            snprintf(ownhost, host_n, "%s", target_host);
        else {
            char h[OA_MAXHOST + 1];
            if (short_hostname(h, sizeof h) != 0)
                snprintf(h, sizeof h, "localhost");
            /* a short-name target on another host is fine: names only need the same form */
            snprintf(ownhost, host_n, "%s", h);
        }
    }
    snprintf(own, 2 * MAXNODELEN + 2, "%s@%s", ownalive, ownhost);
    if (strlen(own) >= MAXNODELEN)
        return errf(err, "own node name too long: %s", own);
    return 0;
}

/* ---- epmd ----------------------------------------------------------------------------- */

/* epmd is never TLS: it is plain TCP on the node's host, or the forward ssh keeps for it */
static xconn *epmd_dial(xsetup *xs, const xdest *epmd, const char *host, int ms, char *err)
{
    int uh;
    char e[OA_ERRLEN];
    xconn *x = xconn_dial(xs, epmd, 0, ms, &uh, e);
    if (!x) {
        if (uh)
            errf(err, "%s", e);
        else if (epmd->path[0])
            errf(err, "epmd on %s not reachable through ssh (%s)", host, e);
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

void epmd_parse_names(const char *body, char *out, size_t n)
{
    out[0] = 0;
    size_t len = 0;
    const char *line = body;
    while (*line) {
        const char *nl = strchr(line, '\n');
        size_t ll = nl ? (size_t)(nl - line) : strlen(line);
        char one[512];
        snprintf(one, sizeof one, "%.*s", (int)(ll < sizeof one ? ll : sizeof one - 1), line);
        char name[256];
        if (sscanf(one, "name %255s at port", name) == 1) {
            int w = snprintf(out + len, n - len, "%s%s", len ? ", " : "", name);
            if (w < 0 || (size_t)w >= n - len) {
                out[len] = 0;
                break;
            }
            len += (size_t)w;
        }
        if (!nl)
            break;
        line = nl + 1;
    }
}

/* epmd NAMES_REQ: the names registered on host, for a helpful error. */
static void epmd_names(xsetup *xs, const xdest *epmd, const char *host, int ms, char *out, size_t n)
{
    char e[OA_ERRLEN];
    out[0] = 0;
    xconn *x = epmd_dial(xs, epmd, host, ms, e);
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
    epmd_parse_names((const char *)buf + 4, out, n);
}

int epmd_port(xsetup *xs, const xdest *epmd, ssh_fwd *ssh, const char *host, const char *alive, int ms, int *highest,
              char *err)
{
    xconn *x = epmd_dial(xs, epmd, host, ms, err);
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
        ssh_why(ssh, why, sizeof why);
        if (why[0]) /* through ssh: the far side refused the forward or found nothing there */
            return errf(err, "epmd on %s not reachable: %s", host, why);
        return errf(err, "epmd on %s gave no answer", host);
    }
    if (resp[1] != 0) {
        xconn_close(x);
        char names[1024];
        epmd_names(xs, epmd, host, ms, names, sizeof names);
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

/* ---- the handshake's diagnosis ---------------------------------------------------------- */

/* libei says only that its handshake failed. A second, bare attempt tells why, from the
 * status the peer sends after our name (the distribution protocol's send_name and
 * recv_status): it closed at once, it is not an Erlang node at all (an HTTP server), it
 * refused our name, or it accepted the name, and then only the challenge, the cookie, can
 * have failed. We stop before the challenge: nothing of ours proves or guesses a cookie. */
void diagnose_handshake(xsetup *xs, const xdest *dist, const char *target, const char *own, int ms, char *err)
{
    int uh;
    char e2[OA_ERRLEN];
    xconn *x = xconn_dial(xs, dist, xsetup_tls(xs), ms, &uh, e2);
    if (!x) {
        errf(err, "%s: the handshake failed and its port no longer answers (%s)", target, e2);
        return;
    }
    /* the flags a hidden node of OTP 23..27 must offer (the peer's mandatory set) */
    const uint64_t flags = 0x4 | 0x8 | 0x10 | 0x20 | 0x80 | 0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x20000 |
                           0x40000 | 0x1000000 | 0x2000000;
    size_t nl = strlen(own);
    /* handshake messages carry 2 bytes of length (inet_tcp_dist), 4 under TLS (inet_tls_dist) */
    const size_t hl = xsetup_tls(xs) ? 4 : 2;
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
    memcpy(m + 15, own, nl);
    unsigned char raw[80];
    memset(raw, 0, sizeof raw);
    int got = -1;
    if (xconn_write(x, msg, hl + len, ms) == 0)
        got = read_full(x, raw, hl, ms);
    size_t rl = 0;
    for (size_t i = 0; got == (int)hl && i < hl; i++)
        rl = rl << 8 | raw[i];
    /* from here as with 2 bytes of length: resp[2] is the message's first byte */
    unsigned char *resp = raw + hl - 2;
    if (got == (int)hl)
        got = 2;
    int gotp = rl > 0 && rl < 64 ? read_full(x, resp + 2, rl, ms) : -1;
    int extra = 0;
    if (got == 2 && gotp < 0) /* not a frame: a little more of what it says, to show it */
        extra = read_full(x, resp + 2, 20, 500);
    xconn_close(x);
    handshake_explain(resp, got, gotp, extra, rl, xsetup_tls(xs), target, own, err);
}

void handshake_explain(const unsigned char *resp, int got, int gotp, int extra, size_t rl, int tls, const char *target,
                       const char *own, char *err)
{
    if (got == 2 && resp[0] == 0x15 && resp[1] == 0x03 && !tls) {
        errf(err, "%s answered with a TLS alert: it runs TLS distribution (-proto_dist inet_tls); attach with --tls",
             target);
        return;
    }
    if (got <= 0) {
        errf(err,
             "%s closed the connection during the handshake, before any status: is it an Erlang node, "
             "and does it accept hidden nodes?",
             target);
        return;
    }
    if (gotp != (int)rl || resp[2] != 's') {
        char shown[24];
        size_t k = 0;
        size_t have = (size_t)got + (size_t)(gotp > 0 ? gotp : 0) + (size_t)(extra > 0 ? extra : 0);
        for (size_t i = 0; i < have && k + 1 < sizeof shown; i++)
            shown[k++] = resp[i] >= 32 && resp[i] < 127 ? (char)resp[i] : '.';
        shown[k] = 0;
        errf(err, "%s does not speak the Erlang distribution protocol (it answered \"%s\")", target, shown);
        return;
    }
    char status[64];
    snprintf(status, sizeof status, "%.*s", (int)(rl - 1), (const char *)resp + 3);
    if (!strncmp(status, "ok", 2) || !strncmp(status, "named:", 6))
        errf(err,
             "cookie rejected by %s: it accepted our name, so the challenge failed (check --cookie-file / "
             "$OTP_ADVISOR_COOKIE)",
             target);
    else if (!strcmp(status, "not_allowed"))
        errf(err,
             "%s refused our node name %s (not_allowed: it restricts who may connect, e.g. "
             "net_kernel:allow/1); choose one with --name/--sname",
             target, own);
    else if (!strcmp(status, "alive"))
        errf(err, "%s is already connected to a node named %s: choose another with --name/--sname", target, own);
    else
        errf(err, "%s refused the connection during the handshake (status %s)", target, status);
}
