/* etf.h — a bounded reader for the Erlang external term format.
 *
 * Why our own: libei's ei_decode_* take no buffer length, so a truncated or hostile
 * snapshot file would make them read past the end. Every read here checks the bounds
 * and fails with r->err set; once set, every later call fails too, so decoders may
 * check once at the end of a record. Returned strings point into the buffer and are
 * not NUL-terminated.
 *
 * Lists of small integers arrive as STRING_EXT; etf_list handles that transparently:
 * its elements are then read with etf_int. */
#ifndef OA_ETF_H
#define OA_ETF_H

#include <stddef.h>
#include <stdint.h>

enum {
    ETF_VERSION = 131,
    ETF_NEW_FLOAT = 70,
    ETF_BIT_BINARY = 77,
    ETF_NEW_PID = 88,
    ETF_NEW_PORT = 89,
    ETF_NEWER_REF = 90,
    ETF_SMALL_INT = 97,
    ETF_INT = 98,
    ETF_FLOAT = 99,
    ETF_ATOM = 100,
    ETF_REF = 101,
    ETF_PORT = 102,
    ETF_PID = 103,
    ETF_SMALL_TUPLE = 104,
    ETF_LARGE_TUPLE = 105,
    ETF_NIL = 106,
    ETF_STRING = 107,
    ETF_LIST = 108,
    ETF_BINARY = 109,
    ETF_SMALL_BIG = 110,
    ETF_LARGE_BIG = 111,
    ETF_NEW_FUN = 112,
    ETF_EXPORT = 113,
    ETF_NEW_REF = 114,
    ETF_SMALL_ATOM = 115,
    ETF_MAP = 116,
    ETF_ATOM_UTF8 = 118,
    ETF_SMALL_ATOM_UTF8 = 119,
    ETF_V4_PORT = 120,
};

typedef struct {
    const unsigned char *p, *end;
    const unsigned char *str; /* STRING_EXT elements pending */
    uint32_t str_left;
    int noend; /* the last etf_list read [] */
    int err;
} etf_rd;

typedef struct {
    const char *node;
    size_t node_len;
    uint32_t num, serial, creation;
} etf_pid_t;

typedef struct {
    const char *node;
    size_t node_len;
    uint64_t id;
    uint32_t creation;
} etf_port_t;

typedef struct {
    const char *node;
    size_t node_len;
    uint32_t words;           /* ID words, at most 5 */
    const unsigned char *ids; /* words big-endian 32-bit ID words, as sent */
} etf_ref_t;

void etf_init(etf_rd *r, const void *buf, size_t len);
int etf_version(etf_rd *r);    /* consume the 131 byte */
int etf_peek(const etf_rd *r); /* tag of next term, -1 at end/error */
int etf_tuple(etf_rd *r, uint32_t *arity);
int etf_list(etf_rd *r, uint32_t *len); /* NIL, LIST or STRING */
int etf_list_end(etf_rd *r);            /* consume the tail after the elements */
int etf_map(etf_rd *r, uint32_t *pairs);
int etf_atom(etf_rd *r, const char **s, size_t *len);
int etf_int(etf_rd *r, int64_t *v);                  /* small, integer, bigs that fit in int64 */
int etf_bin(etf_rd *r, const char **s, size_t *len); /* binary, or "" for [] */
int etf_pid(etf_rd *r, etf_pid_t *pid);
int etf_port(etf_rd *r, etf_port_t *port);
int etf_ref(etf_rd *r, etf_ref_t *ref); /* NEW_REF or NEWER_REF */
int etf_skip(etf_rd *r);
int etf_is_atom(const etf_rd *r, const char *name); /* peek: next term is this atom */
int etf_atom_eq(const char *s, size_t len, const char *name);
static inline int etf_ok(const etf_rd *r)
{
    return !r->err;
}
/* for readers of tags this file does not decode (termtext.c): fail, check, big-endian */
static inline int etf_fail(etf_rd *r)
{
    r->err = 1;
    return -1;
}
static inline int etf_need(etf_rd *r, size_t n)
{
    return r->err || (size_t)(r->end - r->p) < n ? etf_fail(r) : 0;
}
static inline uint32_t etf_be16(const unsigned char *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}
static inline uint32_t etf_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline int etf_at_end(const etf_rd *r)
{
    return r->p == r->end && !r->str_left;
}

#endif
