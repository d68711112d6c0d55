/* rpc.h — remote calls, messages and the allowlist, over an open connection (conn.h).
 *
 * Every remote call goes through conn_rpc, which refuses, locally, any {module, function}
 * not in the allowlist (rpc.c), and checks the argument shapes of the risky ones. Every
 * call has a deadline: libei has none, and rex replies are untagged, so after a timeout
 * the connection is dropped and re-opened (a late reply would otherwise answer the next
 * call). conn.h includes this header: a user of the connection needs only conn.h.
 *
 * Ownership: the conn is borrowed; reply and message buffers are the caller's. */
#ifndef OA_RPC_H
#define OA_RPC_H

#include <ei.h>

typedef struct conn conn;

enum { CONN_ERR = -1, CONN_TIMEOUT = -2, CONN_LOST = -3, CONN_REFUSED = -4 };

/* Is {mod, fun} with these args (an encoded list, no version byte) allowed? Pure. */
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
