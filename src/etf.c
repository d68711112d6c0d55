/* etf.c — see etf.h. Every read checks the remaining length first. */
#include "etf.h"

#include <string.h>

#define ETF_MAX_DEPTH 64

static int fail(etf_rd *r)
{
    return etf_fail(r);
}
static int need(etf_rd *r, size_t n)
{
    return etf_need(r, n);
}
static uint32_t be16(const unsigned char *p)
{
    return etf_be16(p);
}
static uint32_t be32(const unsigned char *p)
{
    return etf_be32(p);
}

void etf_init(etf_rd *r, const void *buf, size_t len)
{
    r->p = buf;
    r->end = r->p + len;
    r->str = NULL;
    r->str_left = 0;
    r->noend = 0;
    r->err = 0;
}

int etf_version(etf_rd *r)
{
    if (need(r, 1) || r->p[0] != ETF_VERSION)
        return fail(r);
    r->p++;
    return 0;
}

int etf_peek(const etf_rd *r)
{
    if (r->err)
        return -1;
    if (r->str_left)
        return ETF_SMALL_INT;
    if (r->p >= r->end)
        return -1;
    return r->p[0];
}

/* A term read while STRING_EXT elements are pending must be an integer. */
static int in_string(etf_rd *r)
{
    return r->str_left ? fail(r) : 0;
}

int etf_tuple(etf_rd *r, uint32_t *arity)
{
    if (in_string(r) || need(r, 1))
        return -1;
    if (r->p[0] == ETF_SMALL_TUPLE) {
        if (need(r, 2))
            return -1;
        *arity = r->p[1];
        r->p += 2;
    } else if (r->p[0] == ETF_LARGE_TUPLE) {
        if (need(r, 5))
            return -1;
        *arity = be32(r->p + 1);
        r->p += 5;
    } else
        return fail(r);
    /* each element takes at least one byte: a cheap sanity bound on hostile arities */
    if (*arity > (size_t)(r->end - r->p))
        return fail(r);
    return 0;
}

int etf_list(etf_rd *r, uint32_t *len)
{
    if (in_string(r) || need(r, 1))
        return -1;
    switch (r->p[0]) {
    case ETF_NIL:
        r->p++;
        *len = 0;
        r->noend = 1; /* [] has no tail: the matching etf_list_end is a no-op */
        return 0;
    case ETF_STRING:
        if (need(r, 3))
            return -1;
        *len = be16(r->p + 1);
        r->p += 3;
        if (need(r, *len))
            return -1;
        r->str = r->p;
        r->str_left = *len;
        r->p += *len;
        return 0;
    case ETF_LIST:
        if (need(r, 5))
            return -1;
        *len = be32(r->p + 1);
        r->p += 5;
        if (*len > (size_t)(r->end - r->p))
            return fail(r);
        return 0;
    default:
        return fail(r);
    }
}

int etf_list_end(etf_rd *r)
{
    if (r->err)
        return -1;
    if (r->str_left)
        return fail(r); /* caller read fewer elements than announced */
    if (r->noend) {
        r->noend = 0;
        return 0;
    }
    if (r->str) { /* a STRING_EXT has no tail */
        r->str = NULL;
        return 0;
    }
    if (need(r, 1))
        return -1;
    if (r->p[0] == ETF_NIL) {
        r->p++;
        return 0;
    }
    return etf_skip(r); /* improper tail: tolerated, ignored */
}

int etf_map(etf_rd *r, uint32_t *pairs)
{
    if (in_string(r) || need(r, 5) || r->p[0] != ETF_MAP)
        return fail(r);
    *pairs = be32(r->p + 1);
    r->p += 5;
    if (*pairs > (size_t)(r->end - r->p) / 2)
        return fail(r);
    return 0;
}

int etf_atom(etf_rd *r, const char **s, size_t *len)
{
    if (in_string(r) || need(r, 1))
        return -1;
    size_t hdr, n;
    switch (r->p[0]) {
    case ETF_ATOM:
    case ETF_ATOM_UTF8:
        if (need(r, 3))
            return -1;
        n = be16(r->p + 1);
        hdr = 3;
        break;
    case ETF_SMALL_ATOM:
    case ETF_SMALL_ATOM_UTF8:
        if (need(r, 2))
            return -1;
        n = r->p[1];
        hdr = 2;
        break;
    default:
        return fail(r);
    }
    if (need(r, hdr + n))
        return -1;
    *s = (const char *)r->p + hdr;
    *len = n;
    r->p += hdr + n;
    return 0;
}

int etf_atom_eq(const char *s, size_t len, const char *name)
{
    return strlen(name) == len && memcmp(s, name, len) == 0;
}

int etf_is_atom(const etf_rd *r, const char *name)
{
    etf_rd c = *r;
    const char *s;
    size_t n;
    if (etf_atom(&c, &s, &n))
        return 0;
    return etf_atom_eq(s, n, name);
}

int etf_int(etf_rd *r, int64_t *v)
{
    if (r->err)
        return -1;
    if (r->str_left) {
        *v = *r->str++;
        r->str_left--;
        return 0;
    }
    if (need(r, 1))
        return -1;
    switch (r->p[0]) {
    case ETF_SMALL_INT:
        if (need(r, 2))
            return -1;
        *v = r->p[1];
        r->p += 2;
        return 0;
    case ETF_INT:
        if (need(r, 5))
            return -1;
        *v = (int32_t)be32(r->p + 1);
        r->p += 5;
        return 0;
    case ETF_SMALL_BIG: {
        if (need(r, 3))
            return -1;
        uint32_t n = r->p[1];
        int sign = r->p[2];
        if (need(r, 3 + n))
            return -1;
        if (n > 8)
            return fail(r);
        uint64_t u = 0;
        for (uint32_t i = 0; i < n; i++)
            u |= (uint64_t)r->p[3 + i] << (8 * i);
        if (sign ? u > (uint64_t)INT64_MAX + 1 : u > (uint64_t)INT64_MAX)
            return fail(r);
        *v = sign ? (int64_t)(0 - u) : (int64_t)u;
        r->p += 3 + n;
        return 0;
    }
    default:
        return fail(r);
    }
}

int etf_bin(etf_rd *r, const char **s, size_t *len)
{
    if (in_string(r) || need(r, 1))
        return -1;
    if (r->p[0] == ETF_NIL) { /* "" charlist */
        r->p++;
        *s = "";
        *len = 0;
        return 0;
    }
    if (r->p[0] == ETF_STRING) { /* a charlist of bytes reads as text too */
        if (need(r, 3))
            return -1;
        size_t n = be16(r->p + 1);
        if (need(r, 3 + n))
            return -1;
        *s = (const char *)r->p + 3;
        *len = n;
        r->p += 3 + n;
        return 0;
    }
    if (r->p[0] != ETF_BINARY || need(r, 5))
        return fail(r);
    size_t n = be32(r->p + 1);
    if (need(r, 5 + n))
        return -1;
    *s = (const char *)r->p + 5;
    *len = n;
    r->p += 5 + n;
    return 0;
}

int etf_pid(etf_rd *r, etf_pid_t *pid)
{
    if (in_string(r) || need(r, 1))
        return -1;
    int tag = r->p[0];
    if (tag != ETF_NEW_PID && tag != ETF_PID)
        return fail(r);
    r->p++;
    if (etf_atom(r, &pid->node, &pid->node_len))
        return -1;
    size_t tail = tag == ETF_NEW_PID ? 12 : 9;
    if (need(r, tail))
        return -1;
    pid->num = be32(r->p);
    pid->serial = be32(r->p + 4);
    pid->creation = tag == ETF_NEW_PID ? be32(r->p + 8) : r->p[8];
    r->p += tail;
    return 0;
}

int etf_port(etf_rd *r, etf_port_t *port)
{
    if (in_string(r) || need(r, 1))
        return -1;
    int tag = r->p[0];
    if (tag != ETF_NEW_PORT && tag != ETF_PORT && tag != ETF_V4_PORT)
        return fail(r);
    r->p++;
    if (etf_atom(r, &port->node, &port->node_len))
        return -1;
    size_t tail = tag == ETF_PORT ? 5 : tag == ETF_NEW_PORT ? 8 : 12;
    if (need(r, tail))
        return -1;
    if (tag == ETF_V4_PORT) {
        port->id = (uint64_t)be32(r->p) << 32 | be32(r->p + 4);
        port->creation = be32(r->p + 8);
    } else {
        port->id = be32(r->p);
        port->creation = tag == ETF_PORT ? r->p[4] : be32(r->p + 4);
    }
    r->p += tail;
    return 0;
}

int etf_ref(etf_rd *r, etf_ref_t *ref)
{
    if (in_string(r) || need(r, 3))
        return -1;
    int tag = r->p[0];
    if (tag != ETF_NEW_REF && tag != ETF_NEWER_REF)
        return fail(r);
    ref->words = be16(r->p + 1);
    r->p += 3;
    if (etf_atom(r, &ref->node, &ref->node_len))
        return -1;
    size_t cre = tag == ETF_NEW_REF ? 1 : 4;
    if (ref->words > 5 || need(r, cre + 4 * (size_t)ref->words))
        return fail(r);
    ref->ids = r->p + cre;
    r->p += cre + 4 * (size_t)ref->words;
    return 0;
}

static int skip_n(etf_rd *r, size_t n)
{
    if (need(r, n))
        return -1;
    r->p += n;
    return 0;
}

static int skip_depth(etf_rd *r, int depth)
{
    if (depth > ETF_MAX_DEPTH)
        return fail(r);
    if (r->str_left) {
        r->str++;
        r->str_left--;
        return 0;
    }
    if (need(r, 1))
        return -1;
    int tag = r->p[0];
    uint32_t n;
    const char *s;
    size_t l;
    switch (tag) {
    case ETF_SMALL_INT:
        return skip_n(r, 2);
    case ETF_INT:
        return skip_n(r, 5);
    case ETF_NEW_FLOAT:
        return skip_n(r, 9);
    case ETF_FLOAT:
        return skip_n(r, 32);
    case ETF_ATOM:
    case ETF_ATOM_UTF8:
    case ETF_SMALL_ATOM:
    case ETF_SMALL_ATOM_UTF8:
        return etf_atom(r, &s, &l);
    case ETF_NIL:
        return skip_n(r, 1);
    case ETF_STRING:
        if (need(r, 3))
            return -1;
        return skip_n(r, 3 + be16(r->p + 1));
    case ETF_BINARY:
        return etf_bin(r, &s, &l);
    case ETF_BIT_BINARY:
        if (need(r, 6))
            return -1;
        return skip_n(r, 6 + (size_t)be32(r->p + 1));
    case ETF_SMALL_BIG:
        if (need(r, 2))
            return -1;
        return skip_n(r, 3 + (size_t)r->p[1]);
    case ETF_LARGE_BIG:
        if (need(r, 5))
            return -1;
        return skip_n(r, 6 + (size_t)be32(r->p + 1));
    case ETF_NEW_PID:
    case ETF_PID: {
        etf_pid_t pid;
        return etf_pid(r, &pid);
    }
    case ETF_NEW_PORT:
    case ETF_PORT:
    case ETF_V4_PORT: {
        etf_port_t port;
        return etf_port(r, &port);
    }
    case ETF_REF:
        r->p++;
        if (etf_atom(r, &s, &l))
            return -1;
        return skip_n(r, 5);
    case ETF_NEW_REF:
    case ETF_NEWER_REF: {
        etf_ref_t ref;
        return etf_ref(r, &ref);
    }
    case ETF_SMALL_TUPLE:
    case ETF_LARGE_TUPLE:
        if (etf_tuple(r, &n))
            return -1;
        for (uint32_t i = 0; i < n; i++)
            if (skip_depth(r, depth + 1))
                return -1;
        return 0;
    case ETF_LIST:
        if (etf_list(r, &n))
            return -1;
        for (uint32_t i = 0; i < n; i++)
            if (skip_depth(r, depth + 1))
                return -1;
        return skip_depth(r, depth + 1); /* tail */
    case ETF_MAP:
        if (etf_map(r, &n))
            return -1;
        for (uint32_t i = 0; i < 2 * n; i++)
            if (skip_depth(r, depth + 1))
                return -1;
        return 0;
    case ETF_EXPORT:
        r->p++;
        for (int i = 0; i < 3; i++)
            if (skip_depth(r, depth + 1))
                return -1;
        return 0;
    case ETF_NEW_FUN:
        if (need(r, 5))
            return -1;
        {
            uint32_t size = be32(r->p + 1);
            if (size < 4)
                return fail(r);
            return skip_n(r, 1 + (size_t)size);
        }
    default:
        return fail(r);
    }
}

int etf_skip(etf_rd *r)
{
    return skip_depth(r, 0);
}
