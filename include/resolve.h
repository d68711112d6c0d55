/* resolve.h — where a node is, and why it could not be reached.
 *
 * Names: NODE as name@host (a bare name is on this host), --address HOST:PORT (no epmd), and
 * our own node name, of the same form as the target's. epmd: we ask it ourselves before
 * libei connects, so that each failure gets its own message (host unknown, epmd unreachable,
 * node not registered, with the names that are; distribution version too old). After a
 * failed handshake, a second, bare attempt says why (cookie rejected, name refused, not an
 * Erlang node, TLS expected). libei alone reports most of these as the same EIO.
 *
 * The name functions and the explanation of a peer's answer are pure (no network); the
 * others dial through the transport. Every buffer is the caller's. */
#ifndef OA_RESOLVE_H
#define OA_RESOLVE_H

#include <ei.h>
#include <stddef.h>

#include "ssh.h"
#include "transport.h"

#define OA_MAXHOST 255

/* epmd's port: $ERL_EPMD_PORT as erl honours it, else 4369. */
int epmd_port_no(void);

/* NODE, name@host or a bare name (this host's short name), into alive (MAXNODELEN + 1 bytes),
 * host (OA_MAXHOST + 1) and full, name@host (2 * MAXNODELEN + 2). Returns 0 or -1 with err. */
int resolve_target(const char *target, char *alive, char *host, char *full, char *err);
/* --address HOST:PORT (HOST an IPv6 address in brackets or bare) into dist's host and port. */
int resolve_address(const char *a, xdest *dist, char *err);
/* Our own node name: want (--name/--sname, with or without @host), or otp-advisor-PID, on
 * the target's host for a long name and on this host's short name for a short one. ownalive
 * is EI_MAXALIVELEN + 1 bytes, ownhost OA_MAXHOST + 1, own 2 * MAXNODELEN + 2. */
int resolve_own(const char *want, const char *target_host, char *ownalive, char *ownhost, char *own, char *err);

/* epmd's NAMES answer after its 4-byte port: the node names, comma-separated, into out. */
void epmd_parse_names(const char *body, char *out, size_t n);
/* PORT_PLEASE2 for alive on host, through epmd (plain TCP, or ssh's forward when ssh is not
 * NULL). Returns the node's port and its highest distribution version, or -1 with err. */
int epmd_port(xsetup *xs, const xdest *epmd, ssh_fwd *ssh, const char *host, const char *alive, int ms, int *highest,
              char *err);

/* After libei's handshake failed: dial dist again, send our name, and say why from what
 * the peer answers. Stops before the challenge: nothing proves or guesses a cookie. */
void diagnose_handshake(xsetup *xs, const xdest *dist, const char *target, const char *own, int ms, char *err);
/* What the peer's answer to our name means, into err. resp holds it as with 2 bytes of
 * length (resp[2] is the message's first byte); got is 2 when a length was read (<= 0:
 * none), gotp the bytes of the message read (< 0: none), extra the bytes read past a length
 * that was no frame, rl the length; tls whether we spoke TLS. */
void handshake_explain(const unsigned char *resp, int got, int gotp, int extra, size_t rl, int tls, const char *target,
                       const char *own, char *err);

#endif
