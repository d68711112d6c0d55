/* conn.h — the connection to the target: a hidden C node over Erlang distribution.
 *
 * Opening and closing it (conn.c), from its parts: the cookie (cookie.h), the node's names
 * and epmd (resolve.h), the transport (transport.h, ssh.h). Remote calls and messages over
 * it, and their allowlist, are in rpc.h, which this header includes.
 *
 * Ownership: a conn owns its fd; conn_close releases it. The cookie is never printed
 * and never kept: it is read from its source for each handshake, and wiped, with libei's
 * copy, as soon as the handshake is done (a core or a memory read finds no cookie). */
#ifndef OA_CONN_H
#define OA_CONN_H

#include <ei.h>
#include <stddef.h>

#include "notes.h"
#include "resolve.h"
#include "rpc.h"
#include "transport.h"

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

struct conn {
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
    /* what opening it had to say on the side (the cookie file's permissions, TLS without
     * verification, an optfile's options left out): the front end prints it, on stderr,
     * after conn_open returns, whether it succeeded or not, and clears it */
    oa_notes notes;
};

/* The cookie, from where o says (cookie.h), without its permissions warning: for hiding it
 * from what is shown or saved. */
int conn_find_cookie(const conn_opts *o, char *cookie, size_t n, char *err);
int conn_open(conn *c, const char *target, const conn_opts *o, char *err);
int conn_reopen(conn *c, char *err);
void conn_close(conn *c);
static inline int conn_up(const conn *c)
{
    return c->fd >= 0;
}

#endif
