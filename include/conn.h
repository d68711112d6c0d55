/* conn.h — the connection to the target: a hidden C node over Erlang distribution.
 *
 * Every remote call goes through conn_rpc, which refuses, locally, any {module, function}
 * not in the allowlist (conn.c), and checks the argument shapes of the risky ones. Every
 * call has a deadline: libei has none, and rex replies are untagged, so after a timeout
 * the connection is dropped and re-opened (a late reply would otherwise answer the next
 * call). Ownership: a conn owns its fd; conn_close releases it. The cookie is never printed
 * and never kept: it is read from its source for each handshake, and wiped, with libei's
 * copy, as soon as the handshake is done (a core or a memory read finds no cookie). */
#ifndef OA_CONN_H
#define OA_CONN_H

#include <ei.h>
#include <stddef.h>

#include "transport.h"

#define OA_MAXHOST 255

typedef struct {
    const char *cookie_file; /* --cookie-file */
    const char *cookie;      /* --cookie (discouraged: visible in ps) */
    const char *name;        /* --name: own long name */
    const char *sname;       /* --sname: own short name */
    int timeout_ms;          /* per remote call */
    tls_opts tls;            /* --tls, --tls-optfile, --tls-cert/-key/-cacert, --tls-verify */
    const char *address;     /* --address HOST:PORT: the distribution port, no epmd */
    const char *ssh;         /* --ssh [USER@]HOST[:PORT]: epmd and the port through ssh */
    const char *ssh_command; /* --ssh-command CMD: instead of ssh */
} conn_opts;

typedef struct {
    ei_cnode ec;
    int fd;
    char target[2 * MAXNODELEN + 2];
    char alive[MAXNODELEN + 1];
    char host[OA_MAXHOST + 1];
    char own[2 * MAXNODELEN + 2];
    char ownalive[EI_MAXALIVELEN + 1], ownhost[OA_MAXHOST + 1];
    conn_opts opts; /* where the cookie comes from, read again for each handshake */
    int port;
    xsetup *xs;          /* the transport: TCP or ssh's forward, TLS or not */
    xdest epmd, dist;    /* where epmd and the distribution port are reached */
    int direct;          /* --address: no epmd */
    struct ssh_fwd *ssh; /* --ssh: the forwards, and the ssh process that keeps them */
    int timeout_ms;
    int otp_release;
    int inited;
} conn;

enum { CONN_ERR = -1, CONN_TIMEOUT = -2, CONN_LOST = -3, CONN_REFUSED = -4 };

/* Resolve the cookie: --cookie-file, $OTP_ADVISOR_COOKIE, ~/.erlang.cookie. */
int conn_find_cookie(const conn_opts *o, char *cookie, size_t n, char *err);
int conn_open(conn *c, const char *target, const conn_opts *o, char *err);
int conn_reopen(conn *c, char *err);
void conn_close(conn *c);
static inline int conn_up(const conn *c)
{
    return c->fd >= 0;
}

/* Is {mod, fun} with these args (an encoded list, no version byte) allowed? */
int conn_allowed(const char *mod, const char *fun, const char *args, int len, char *why);

/* Remote call with a deadline. reply receives the bare term (no version byte).
 * Returns 0, CONN_REFUSED (allowlist), CONN_TIMEOUT (connection re-opened), CONN_LOST,
 * or CONN_ERR; err says which. A {badrpc, _} reply is returned as an error. */
int conn_rpc(conn *c, const char *mod, const char *fun, const ei_x_buff *args, ei_x_buff *reply, char *err);

/* Send a message (buffer starts with the version byte). */
int conn_send(conn *c, const erlang_pid *to, const ei_x_buff *msg, char *err);
/* Wait up to ms for a message. Returns 1 message, 0 timeout (ticks answered), <0 error. */
int conn_recv(conn *c, erlang_msg *msg, ei_x_buff *x, int ms, char *err);
/* Answer pending ticks without blocking (call from idle loops). Returns <0 if lost. */
int conn_poll(conn *c, char *err);

#endif
