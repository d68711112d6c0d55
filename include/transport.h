/* transport.h — how bytes reach a node: TCP (IPv4 or IPv6), or a Unix socket that ssh
 * forwards, with TLS on top when the node runs `-proto_dist inet_tls`.
 *
 * The distribution handshake stays libei's: the transport is plugged in under it through
 * ei's user-supplied socket callbacks (ei_connect_xinit_ussi), so libei speaks its own
 * protocol over our bytes. TLS is OpenSSL's; nothing of TLS is written here but the calls.
 * The same dialer serves epmd (never TLS) and the handshake diagnosis.
 *
 * Every wait is bounded by a deadline in milliseconds. A failure leaves one line in the
 * setup's `why` (the transport knows why a TLS handshake failed; libei says only EIO), so
 * conn.c can report it.
 *
 * Ownership: an xsetup owns its SSL_CTX (xsetup_free); an xconn owns its socket and TLS
 * session (xconn_close). The setup outlives every xconn dialled through it. */
#ifndef OA_TRANSPORT_H
#define OA_TRANSPORT_H

#include <ei.h>
#include <stddef.h>
#include <sys/types.h>

#include "notes.h"

#define XDEST_HOSTLEN 255
#define XDEST_PATHLEN 107

/* Where to connect: host:port, or a Unix socket path (a forward ssh listens on). */
typedef struct {
    char host[XDEST_HOSTLEN + 1];
    int port;
    char path[XDEST_PATHLEN + 1];
} xdest;

/* TLS, as asked on the command line or read from an ssl_dist_optfile's client section. */
enum tls_verify { TLS_VERIFY_DEFAULT = 0, TLS_VERIFY_PEER, TLS_VERIFY_NONE };
typedef struct {
    int on;                          /* --tls (or any --tls-* option) */
    const char *optfile;             /* --tls-optfile FILE, or --tls FILE */
    const char *cert, *key, *cacert; /* --tls-cert/--tls-key/--tls-cacert: over the optfile's */
    enum tls_verify verify;          /* --tls-verify peer|none */
} tls_opts;

/* What an ssl_dist_optfile's client section says (tls_optfile.c). */
typedef struct {
    char cert[1024], key[1024], cacert[1024], password[256];
    enum tls_verify verify;
    char sni[256];     /* server_name_indication "host"; empty: the node's host */
    int sni_disable;   /* {server_name_indication, disable}: no host name check */
    int depth;         /* -1: OpenSSL's default */
    int min_version;   /* 0, or 12 / 13: the lowest of {versions, [...]} */
    char ignored[256]; /* options read but not applied, for a warning */
} tls_client_cfg;

/* Parse the text of an ssl_dist_optfile (one Erlang term: [{server, Opts}, {client, Opts}])
 * into cfg (the client section). Returns 0, or -1 with err. Pure: no file, no network. */
int tls_optfile_parse(const char *text, size_t len, tls_client_cfg *cfg, char *err);
int tls_optfile_read(const char *path, tls_client_cfg *cfg, char *err);

typedef struct xsetup xsetup;
typedef struct xconn xconn;

/* Build a setup: TLS when t->on (certificates loaded now, so a missing file is said before
 * any network). Returns NULL with err. Once a run, a setup without peer verification, and
 * an optfile's options that are not applied, add a line to notes (may be NULL) for the
 * front end to print. */
xsetup *xsetup_new(const tls_opts *t, oa_notes *notes, char *err);
void xsetup_free(xsetup *s);
int xsetup_tls(const xsetup *s);
/* The host the node's certificate must name (the node name's host part, or the optfile's
 * server_name_indication), and where the distribution port is. */
void xsetup_target(xsetup *s, const char *verify_host, const xdest *dist);
/* What libei's "no deadline" becomes on this setup's connections (ms). */
void xsetup_deadline(xsetup *s, int ms);
/* The last failure, one line ("" if none); cleared by xsetup_target. */
const char *xsetup_why(const xsetup *s);

/* Connect (and, with tls, handshake). Returns NULL with err. unknown_host is set when the
 * name did not resolve. */
xconn *xconn_dial(xsetup *s, const xdest *d, int tls, int ms, int *unknown_host, char *err);
/* Read up to n bytes: >0 read, 0 end of stream, -1 error, -2 timeout. */
ssize_t xconn_read(xconn *x, void *buf, size_t n, int ms);
/* Write all n bytes: 0, or -1 error / -2 timeout. */
int xconn_write(xconn *x, const void *buf, size_t n, int ms);
/* Bytes readable now (TLS-buffered or on the socket): 1 yes, 0 no, -1 closed/error. */
int xconn_readable(xconn *x, int ms);
void xconn_close(xconn *x);
/* Close so that the peer has seen it (TLS close_notify, shutdown, its end awaited up to ms). */
void xconn_close_seen(xconn *x, int ms);
/* The same without closing: for a connection libei owns (ei_close_connection closes it). */
void xconn_shutdown(xconn *x, int ms);

/* ei's socket callbacks over these (flags: full implementation, timeouts ours). */
extern ei_socket_callbacks xport_ei_callbacks;
/* The xconn libei holds for a connected fd, or NULL. */
xconn *xport_of_fd(xsetup *s, int fd);

#endif
