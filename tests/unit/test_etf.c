/* test_etf.c — the bounded ETF reader (src/etf.c).
 *
 * Every buffer handed to the reader is an exact-size heap copy (tu_dup), so a read one
 * byte past the end is an ASan report, not a silent pass. */
#include "testutil.h"

/* ---- raw byte helpers ------------------------------------------------------------------ */

static void put8(ei_x_buff *x, unsigned v)
{
    unsigned char b = (unsigned char)v;
    tu_append(x, &b, 1);
}
static void put16(ei_x_buff *x, unsigned v)
{
    unsigned char b[2] = {(unsigned char)(v >> 8), (unsigned char)v};
    tu_append(x, b, 2);
}
static void put32(ei_x_buff *x, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
                          (unsigned char)v};
    tu_append(x, b, 4);
}
static void small_atom(ei_x_buff *x, const char *a)
{
    put8(x, ETF_SMALL_ATOM_UTF8);
    put8(x, (unsigned)strlen(a));
    tu_append(x, a, strlen(a));
}

/* Run the reader over an exact-size copy of bytes. */
typedef struct {
    unsigned char *buf;
    etf_rd r;
} rd_t;

static void rd_open(rd_t *t, const void *p, size_t n)
{
    t->buf = tu_dup(p, n);
    etf_init(&t->r, t->buf, n);
}
static void rd_close(rd_t *t)
{
    free(t->buf);
}

/* ---- getters on valid input ------------------------------------------------------------- */

static void test_version_and_peek(void **state)
{
    static const unsigned char ok[] = {131, ETF_SMALL_INT, 7};
    rd_t t;
    rd_open(&t, ok, sizeof ok);
    assert_int_equal(etf_peek(&t.r), 131);
    assert_int_equal(etf_version(&t.r), 0);
    assert_int_equal(etf_peek(&t.r), ETF_SMALL_INT);
    int64_t v = 0;
    assert_int_equal(etf_int(&t.r, &v), 0);
    assert_int_equal(v, 7);
    assert_true(etf_at_end(&t.r));
    assert_int_equal(etf_peek(&t.r), -1); /* at end */
    assert_true(etf_ok(&t.r));
    rd_close(&t);

    static const unsigned char bad[] = {130, ETF_SMALL_INT, 7};
    rd_open(&t, bad, sizeof bad);
    assert_int_equal(etf_version(&t.r), -1);
    assert_false(etf_ok(&t.r));
    assert_int_equal(etf_peek(&t.r), -1); /* error is sticky */
    rd_close(&t);

    rd_open(&t, "", 0);
    assert_int_equal(etf_version(&t.r), -1);
    assert_false(etf_ok(&t.r));
    rd_close(&t);
}

static void test_ints(void **state)
{
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_long(&x, 0);
    ei_x_encode_long(&x, 255);              /* SMALL_INT */
    ei_x_encode_long(&x, -1);               /* INT */
    ei_x_encode_long(&x, 100000);           /* INT */
    ei_x_encode_long(&x, -2147483647L - 1); /* INT: most negative */
    ei_x_encode_longlong(&x, 1LL << 40);    /* SMALL_BIG */
    ei_x_encode_longlong(&x, -(1LL << 40)); /* SMALL_BIG, negative */
    ei_x_encode_longlong(&x, INT64_MAX);    /* SMALL_BIG, 8 bytes */
    ei_x_encode_longlong(&x, -INT64_MAX);
    static const int64_t want[] = {0,         255,          -1,        100000,    -2147483647LL - 1,
                                   1LL << 40, -(1LL << 40), INT64_MAX, -INT64_MAX};
    rd_t t;
    rd_open(&t, x.buff, (size_t)x.index);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        int64_t v = 12345;
        assert_int_equal(etf_int(&t.r, &v), 0);
        assert_true(v == want[i]);
    }
    assert_true(etf_at_end(&t.r));
    rd_close(&t);
    ei_x_free(&x);
}

static void test_int_big_beyond_int64(void **state)
{
    int64_t v = 99;
    rd_t t;
    /* 2^63: eight bytes, top bit set */
    static const unsigned char b63[] = {ETF_SMALL_BIG, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0x80};
    rd_open(&t, b63, sizeof b63);
    assert_int_equal(etf_int(&t.r, &v), -1);
    assert_false(etf_ok(&t.r));
    assert_int_equal(v, 99); /* untouched */
    rd_close(&t);
    /* 2^64 - 1, as ei encodes an unsigned long long */
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_ulonglong(&x, UINT64_MAX);
    assert_int_equal((unsigned char)x.buff[0], ETF_SMALL_BIG);
    rd_open(&t, x.buff, (size_t)x.index);
    assert_int_equal(etf_int(&t.r, &v), -1);
    assert_false(etf_ok(&t.r));
    rd_close(&t);
    ei_x_free(&x);
    /* nine bytes: 2^64 */
    static const unsigned char b64[] = {ETF_SMALL_BIG, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    rd_open(&t, b64, sizeof b64);
    assert_int_equal(etf_int(&t.r, &v), -1);
    assert_false(etf_ok(&t.r));
    rd_close(&t);
    /* but a nine-byte big is still skippable as a term */
    rd_open(&t, b64, sizeof b64);
    assert_int_equal(etf_skip(&t.r), 0);
    assert_true(etf_at_end(&t.r));
    rd_close(&t);
    /* LARGE_BIG is never an int64 */
    static const unsigned char lb[] = {ETF_LARGE_BIG, 0, 0, 0, 1, 0, 5};
    rd_open(&t, lb, sizeof lb);
    assert_int_equal(etf_int(&t.r, &v), -1);
    rd_close(&t);
    rd_open(&t, lb, sizeof lb);
    assert_int_equal(etf_skip(&t.r), 0);
    assert_true(etf_at_end(&t.r));
    rd_close(&t);
    /* a float is not an int */
    ei_x_new(&x);
    ei_x_encode_double(&x, 2.0);
    rd_open(&t, x.buff, (size_t)x.index);
    assert_int_equal(etf_int(&t.r, &v), -1);
    rd_close(&t);
    ei_x_free(&x);
}

static void test_atoms_and_bins(void **state)
{
    ei_x_buff x;
    ei_x_new(&x);
    tu_atom(&x, "Elixir.Zoo.Cache"); /* SMALL_ATOM_UTF8 */
    put8(&x, ETF_ATOM_UTF8);         /* ATOM_UTF8, 2-byte length */
    put16(&x, 3);
    tu_append(&x, "m\xc3\xa4", 3);
    put8(&x, ETF_ATOM); /* legacy ATOM_EXT */
    put16(&x, 2);
    tu_append(&x, "ok", 2);
    put8(&x, ETF_SMALL_ATOM);
    put8(&x, 0); /* '' */
    tu_bin(&x, "hello");
    ei_x_encode_binary(&x, "", 0);
    ei_x_encode_empty_list(&x);   /* "" as a charlist */
    ei_x_encode_string(&x, "hi"); /* STRING_EXT as text */
    rd_t t;
    rd_open(&t, x.buff, (size_t)x.index);
    const char *s;
    size_t n;
    assert_true(etf_is_atom(&t.r, "Elixir.Zoo.Cache"));
    assert_false(etf_is_atom(&t.r, "Elixir.Zoo"));
    assert_int_equal(etf_peek(&t.r), ETF_SMALL_ATOM_UTF8); /* etf_is_atom does not consume */
    assert_int_equal(etf_atom(&t.r, &s, &n), 0);
    assert_true(etf_atom_eq(s, n, "Elixir.Zoo.Cache"));
    assert_false(etf_atom_eq(s, n, "Elixir.Zoo.Cach"));
    assert_int_equal(etf_atom(&t.r, &s, &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(s, "m\xc3\xa4", 3);
    assert_int_equal(etf_atom(&t.r, &s, &n), 0);
    assert_true(etf_atom_eq(s, n, "ok"));
    assert_int_equal(etf_atom(&t.r, &s, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(etf_bin(&t.r, &s, &n), 0);
    assert_int_equal(n, 5);
    assert_memory_equal(s, "hello", 5);
    assert_int_equal(etf_bin(&t.r, &s, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(etf_bin(&t.r, &s, &n), 0);
    assert_int_equal(n, 0);
    assert_string_equal(s, "");
    assert_int_equal(etf_bin(&t.r, &s, &n), 0);
    assert_int_equal(n, 2);
    assert_memory_equal(s, "hi", 2);
    assert_true(etf_at_end(&t.r));
    assert_true(etf_ok(&t.r));
    rd_close(&t);
    ei_x_free(&x);

    /* wrong types fail and stick */
    ei_x_new(&x);
    ei_x_encode_long(&x, 5);
    tu_atom(&x, "after");
    rd_open(&t, x.buff, (size_t)x.index);
    assert_int_equal(etf_atom(&t.r, &s, &n), -1);
    assert_false(etf_ok(&t.r));
    int64_t v;
    assert_int_equal(etf_int(&t.r, &v), -1); /* would be valid, but the error sticks */
    assert_int_equal(etf_skip(&t.r), -1);
    assert_false(etf_is_atom(&t.r, "after"));
    rd_close(&t);
    ei_x_free(&x);
    ei_x_new(&x);
    tu_atom(&x, "notbin");
    rd_open(&t, x.buff, (size_t)x.index);
    assert_int_equal(etf_bin(&t.r, &s, &n), -1);
    assert_false(etf_ok(&t.r));
    rd_close(&t);
    ei_x_free(&x);
}

static void test_pids_and_ports(void **state)
{
    ei_x_buff x;
    ei_x_new(&x);
    tu_enc_pid_on(&x, "n@h", 5, 6, 0x01020304); /* NEW_PID_EXT */
    put8(&x, ETF_PID);                          /* PID_EXT: one-byte creation */
    small_atom(&x, "old@h");
    put32(&x, 8);
    put32(&x, 9);
    put8(&x, 2);
    tu_enc_port(&x, "n@h", 77); /* NEW_PORT_EXT */
    put8(&x, ETF_PORT);         /* PORT_EXT */
    small_atom(&x, "p@h");
    put32(&x, 78);
    put8(&x, 1);
    tu_enc_port(&x, "n@h", (1ULL << 40) + 1); /* V4_PORT_EXT */
    rd_t t;
    rd_open(&t, x.buff, (size_t)x.index);
    etf_pid_t p;
    etf_port_t q;
    assert_int_equal(etf_peek(&t.r), ETF_NEW_PID);
    assert_int_equal(etf_pid(&t.r, &p), 0);
    assert_int_equal(p.node_len, 3);
    assert_memory_equal(p.node, "n@h", 3);
    assert_int_equal(p.num, 5);
    assert_int_equal(p.serial, 6);
    assert_int_equal(p.creation, 0x01020304);
    assert_int_equal(etf_pid(&t.r, &p), 0);
    assert_int_equal(p.node_len, 5);
    assert_memory_equal(p.node, "old@h", 5);
    assert_int_equal(p.num, 8);
    assert_int_equal(p.serial, 9);
    assert_int_equal(p.creation, 2);
    assert_int_equal(etf_peek(&t.r), ETF_NEW_PORT);
    assert_int_equal(etf_port(&t.r, &q), 0);
    assert_int_equal(q.id, 77);
    assert_int_equal(q.creation, TU_CREATION);
    assert_int_equal(etf_port(&t.r, &q), 0);
    assert_memory_equal(q.node, "p@h", 3);
    assert_int_equal(q.id, 78);
    assert_int_equal(q.creation, 1);
    assert_int_equal(etf_peek(&t.r), ETF_V4_PORT);
    assert_int_equal(etf_port(&t.r, &q), 0);
    assert_true(q.id == (1ULL << 40) + 1);
    assert_int_equal(q.creation, TU_CREATION);
    assert_true(etf_at_end(&t.r));
    rd_close(&t);
    /* a port is not a pid and vice versa */
    rd_open(&t, x.buff, (size_t)x.index);
    assert_int_equal(etf_port(&t.r, &q), -1);
    assert_false(etf_ok(&t.r));
    rd_close(&t);
    ei_x_free(&x);
}

static void test_tuples_lists_maps(void **state)
{
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 2);
    tu_atom(&x, "a");
    ei_x_encode_list_header(&x, 2);
    ei_x_encode_long(&x, 1000);
    ei_x_encode_empty_list(&x); /* an element that is [] */
    ei_x_encode_empty_list(&x);
    put8(&x, ETF_LARGE_TUPLE);
    put32(&x, 1);
    ei_x_encode_long(&x, 3);
    ei_x_encode_map_header(&x, 1);
    tu_atom(&x, "k");
    tu_bin(&x, "v");
    ei_x_encode_map_header(&x, 0);
    rd_t t;
    rd_open(&t, x.buff, (size_t)x.index);
    uint32_t n = 0;
    int64_t v;
    const char *s;
    size_t l;
    assert_int_equal(etf_tuple(&t.r, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(etf_atom(&t.r, &s, &l), 0);
    assert_int_equal(etf_list(&t.r, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(etf_int(&t.r, &v), 0);
    assert_int_equal(v, 1000);
    assert_int_equal(etf_list(&t.r, &n), 0); /* the inner [] */
    assert_int_equal(n, 0);
    assert_int_equal(etf_list_end(&t.r), 0); /* no tail to read for [] */
    assert_int_equal(etf_list_end(&t.r), 0); /* the outer list's NIL tail */
    assert_int_equal(etf_tuple(&t.r, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(etf_int(&t.r, &v), 0);
    assert_int_equal(v, 3);
    assert_int_equal(etf_map(&t.r, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(etf_atom(&t.r, &s, &l), 0);
    assert_int_equal(etf_bin(&t.r, &s, &l), 0);
    assert_memory_equal(s, "v", 1);
    assert_int_equal(etf_map(&t.r, &n), 0);
    assert_int_equal(n, 0);
    assert_true(etf_at_end(&t.r));
    assert_true(etf_ok(&t.r));
    rd_close(&t);
    /* a list is not a tuple, a tuple is not a map */
    rd_open(&t, x.buff, (size_t)x.index);
    assert_int_equal(etf_map(&t.r, &n), -1);
    assert_false(etf_ok(&t.r));
    rd_close(&t);
    ei_x_free(&x);
}

static void test_string_ext_lists(void **state)
{
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_string(&x, "\x01\x02\xff"); /* [1, 2, 255] as STRING_EXT */
    tu_atom(&x, "next");
    rd_t t;
    rd_open(&t, x.buff, (size_t)x.index);
    assert_int_equal(etf_peek(&t.r), ETF_STRING);
    uint32_t n = 0;
    int64_t v;
    assert_int_equal(etf_list(&t.r, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(etf_peek(&t.r), ETF_SMALL_INT); /* elements read as small ints */
    assert_false(etf_at_end(&t.r));
    assert_int_equal(etf_int(&t.r, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(etf_int(&t.r, &v), 0);
    assert_int_equal(v, 2);
    assert_int_equal(etf_int(&t.r, &v), 0);
    assert_int_equal(v, 255); /* unsigned */
    assert_int_equal(etf_list_end(&t.r), 0);
    assert_true(etf_is_atom(&t.r, "next"));
    assert_int_equal(etf_skip(&t.r), 0);
    assert_true(etf_at_end(&t.r));
    rd_close(&t);

    /* elements pending: a non-integer read, or an early end, is an error */
    const char *s;
    size_t l;
    rd_open(&t, x.buff, (size_t)x.index);
    assert_int_equal(etf_list(&t.r, &n), 0);
    assert_int_equal(etf_atom(&t.r, &s, &l), -1);
    assert_false(etf_ok(&t.r));
    rd_close(&t);
    rd_open(&t, x.buff, (size_t)x.index);
    assert_int_equal(etf_list(&t.r, &n), 0);
    assert_int_equal(etf_int(&t.r, &v), 0);
    assert_int_equal(etf_list_end(&t.r), -1);
    assert_false(etf_ok(&t.r));
    rd_close(&t);
    /* etf_skip consumes one pending element at a time */
    rd_open(&t, x.buff, (size_t)x.index);
    assert_int_equal(etf_list(&t.r, &n), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(etf_skip(&t.r), 0);
    assert_int_equal(etf_list_end(&t.r), 0);
    assert_true(etf_is_atom(&t.r, "next"));
    rd_close(&t);
    ei_x_free(&x);
}

static void test_improper_list(void **state)
{
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_list_header(&x, 2); /* [a, b | {c}] */
    tu_atom(&x, "a");
    tu_atom(&x, "b");
    ei_x_encode_tuple_header(&x, 1);
    tu_atom(&x, "c");
    tu_atom(&x, "z");
    rd_t t;
    rd_open(&t, x.buff, (size_t)x.index);
    uint32_t n;
    const char *s;
    size_t l;
    assert_int_equal(etf_list(&t.r, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(etf_atom(&t.r, &s, &l), 0);
    assert_int_equal(etf_atom(&t.r, &s, &l), 0);
    assert_true(etf_atom_eq(s, l, "b"));
    assert_int_equal(etf_list_end(&t.r), 0); /* improper tail skipped */
    assert_true(etf_is_atom(&t.r, "z"));
    rd_close(&t);
    rd_open(&t, x.buff, (size_t)x.index);
    assert_int_equal(etf_skip(&t.r), 0);
    assert_true(etf_is_atom(&t.r, "z"));
    rd_close(&t);
    ei_x_free(&x);
}

static void test_skip_every_kind(void **state)
{
    ei_x_buff x;
    ei_x_new(&x);
    int count = 0;
    ei_x_encode_double(&x, 3.25), count++; /* NEW_FLOAT */
    put8(&x, ETF_FLOAT), count++;          /* FLOAT_EXT: 31 bytes of text */
    static const char ftxt[31] = "3.25000000000000000000e+00";
    tu_append(&x, ftxt, sizeof ftxt);
    erlang_ref ref;
    memset(&ref, 0, sizeof ref);
    strcpy(ref.node, "n@h");
    ref.len = 3;
    ref.n[0] = 1, ref.n[1] = 2, ref.n[2] = 3;
    ref.creation = 4;
    ei_x_encode_ref(&x, &ref), count++; /* NEWER_REFERENCE */
    put8(&x, ETF_NEW_REF), count++;     /* NEW_REFERENCE: 1-byte creation */
    put16(&x, 2);
    small_atom(&x, "n@h");
    put8(&x, 1);
    put32(&x, 10);
    put32(&x, 11);
    put8(&x, ETF_REF), count++; /* REFERENCE_EXT */
    small_atom(&x, "n@h");
    put32(&x, 12);
    put8(&x, 1);
    put8(&x, ETF_EXPORT), count++; /* fun lists:map/2 */
    small_atom(&x, "lists");
    small_atom(&x, "map");
    put8(&x, ETF_SMALL_INT);
    put8(&x, 2);
    put8(&x, ETF_NEW_FUN), count++; /* opaque: Size covers itself */
    put32(&x, 4 + 6);
    tu_append(&x, "abcdef", 6);
    ei_x_encode_bitstring(&x, "\xab\xcd", 0, 13), count++; /* BIT_BINARY */
    put8(&x, ETF_LARGE_BIG), count++;
    put32(&x, 2);
    put8(&x, 1);
    put8(&x, 0xff);
    put8(&x, 0xff);
    tu_enc_pid(&x, 3), count++;
    tu_enc_port(&x, "n@h", 4), count++;
    ei_x_encode_map_header(&x, 1), count++;
    ei_x_encode_list_header(&x, 1);
    ei_x_encode_string(&x, "xy");
    ei_x_encode_empty_list(&x);
    ei_x_encode_string(&x, "value");
    tu_atom(&x, "end"), count++;
    rd_t t;
    rd_open(&t, x.buff, (size_t)x.index);
    for (int i = 0; i < count - 1; i++) {
        int tag = etf_peek(&t.r);
        if (etf_skip(&t.r) != 0)
            fail_msg("etf_skip failed on term %d (tag %d)", i, tag);
    }
    assert_true(etf_is_atom(&t.r, "end"));
    assert_int_equal(etf_skip(&t.r), 0);
    assert_true(etf_at_end(&t.r));
    assert_true(etf_ok(&t.r));
    rd_close(&t);
    ei_x_free(&x);
}

/* ---- a realistic nested term, and every truncation of it -------------------------------- */

static void build_nested(ei_x_buff *x)
{
    ei_x_encode_tuple_header(x, 16);
    tu_atom(x, "oa_test");
    ei_x_encode_string(x, "abc");  /* 2: STRING_EXT, read with etf_int */
    ei_x_encode_empty_list(x);     /* 3: [] then etf_list_end */
    ei_x_encode_list_header(x, 1); /* 4: [a | b] */
    tu_atom(x, "a");
    tu_atom(x, "b");
    ei_x_encode_list_header(x, 2); /* 5: [x, <<"yz">>] */
    tu_atom(x, "x");
    tu_bin(x, "yz");
    ei_x_encode_empty_list(x);
    ei_x_encode_map_header(x, 2); /* 6: #{k1 => <<"bin">>, k2 => Pid} */
    tu_atom(x, "k1");
    tu_bin(x, "bin");
    tu_atom(x, "k2");
    tu_enc_pid_on(x, "n@h", 5, 6, 7);
    put8(x, ETF_PID); /* 7: PID_EXT */
    small_atom(x, "old@h");
    put32(x, 8);
    put32(x, 9);
    put8(x, 2);
    tu_enc_port(x, "n@h", 77); /* 8: NEW_PORT */
    put8(x, ETF_PORT);         /* 9: PORT_EXT */
    small_atom(x, "p@h");
    put32(x, 78);
    put8(x, 1);
    ei_x_encode_longlong(x, 1LL << 40);    /* 10: SMALL_BIG */
    ei_x_encode_longlong(x, -(1LL << 40)); /* 11 */
    ei_x_encode_long(x, -5);               /* 12: INT */
    ei_x_encode_long(x, 7);                /* 13: SMALL_INT */
    ei_x_encode_list_header(x, 1);         /* 14: [{1.5, Ref}] — skipped whole */
    ei_x_encode_tuple_header(x, 2);
    ei_x_encode_double(x, 1.5);
    erlang_ref ref;
    memset(&ref, 0, sizeof ref);
    strcpy(ref.node, "n@h");
    ref.len = 2;
    ref.n[0] = 1, ref.n[1] = 2;
    ei_x_encode_ref(x, &ref);
    ei_x_encode_empty_list(x);
    ei_x_encode_binary(x, "", 0);            /* 15: <<>> */
    tu_enc_port(x, "n@h", (1ULL << 40) + 1); /* 16: V4 port */
}

typedef struct {
    int64_t str[3], big, nbig, neg, small;
    uint32_t pid_num, pid2_num, pid2_creation;
    uint64_t port1, port2, port3;
    size_t bin_len, empty_len;
} nested_vals;

/* Decode build_nested's term completely; 0 only if everything was read and nothing is left.
 * Deliberately keeps going after a failure (errors are sticky, so that must be safe). */
static int decode_nested(etf_rd *r, nested_vals *o)
{
    uint32_t n = 0;
    const char *s = NULL;
    size_t l = 0;
    etf_pid_t p;
    etf_port_t q;
    int bad = 0;
    memset(o, 0, sizeof *o);
    if (etf_tuple(r, &n) || n != 16)
        bad = 1;
    if (!etf_is_atom(r, "oa_test"))
        bad = 1;
    etf_atom(r, &s, &l);
    n = 0;
    etf_list(r, &n);
    if (n != 3 && etf_ok(r))
        bad = 1;
    for (uint32_t i = 0; i < n && i < 3; i++)
        etf_int(r, &o->str[i]);
    etf_list_end(r);
    n = 99;
    etf_list(r, &n);
    if (n != 0 && etf_ok(r))
        bad = 1;
    etf_list_end(r);
    n = 0;
    etf_list(r, &n); /* improper */
    for (uint32_t i = 0; i < n && i < 1; i++)
        etf_atom(r, &s, &l);
    etf_list_end(r);
    n = 0;
    etf_list(r, &n);
    if (n == 2) {
        etf_atom(r, &s, &l);
        etf_bin(r, &s, &l);
        o->bin_len = l;
    }
    etf_list_end(r);
    n = 0;
    etf_map(r, &n);
    if (n == 2) {
        etf_atom(r, &s, &l);
        etf_bin(r, &s, &l);
        etf_atom(r, &s, &l);
        if (etf_pid(r, &p) == 0)
            o->pid_num = p.num;
    }
    if (etf_pid(r, &p) == 0) {
        o->pid2_num = p.num;
        o->pid2_creation = p.creation;
    }
    if (etf_port(r, &q) == 0)
        o->port1 = q.id;
    if (etf_port(r, &q) == 0)
        o->port2 = q.id;
    etf_int(r, &o->big);
    etf_int(r, &o->nbig);
    etf_int(r, &o->neg);
    etf_int(r, &o->small);
    etf_skip(r);
    l = 99;
    etf_bin(r, &s, &l);
    o->empty_len = l;
    if (etf_port(r, &q) == 0)
        o->port3 = q.id;
    if (bad || !etf_ok(r) || !etf_at_end(r))
        return -1;
    return 0;
}

static void test_nested_full(void **state)
{
    ei_x_buff x;
    ei_x_new(&x);
    build_nested(&x);
    rd_t t;
    rd_open(&t, x.buff, (size_t)x.index);
    nested_vals o;
    assert_int_equal(decode_nested(&t.r, &o), 0);
    assert_int_equal(o.str[0], 'a');
    assert_int_equal(o.str[1], 'b');
    assert_int_equal(o.str[2], 'c');
    assert_int_equal(o.bin_len, 2);
    assert_int_equal(o.pid_num, 5);
    assert_int_equal(o.pid2_num, 8);
    assert_int_equal(o.pid2_creation, 2);
    assert_int_equal(o.port1, 77);
    assert_int_equal(o.port2, 78);
    assert_true(o.port3 == (1ULL << 40) + 1);
    assert_true(o.big == 1LL << 40);
    assert_true(o.nbig == -(1LL << 40));
    assert_true(o.neg == -5);
    assert_int_equal(o.small, 7);
    assert_int_equal(o.empty_len, 0);
    rd_close(&t);
    /* skip sees one term, exactly */
    rd_open(&t, x.buff, (size_t)x.index);
    assert_int_equal(etf_skip(&t.r), 0);
    assert_true(etf_at_end(&t.r));
    rd_close(&t);
    ei_x_free(&x);
}

static void test_nested_every_truncation(void **state)
{
    ei_x_buff x;
    ei_x_new(&x);
    build_nested(&x);
    size_t full = (size_t)x.index;
    assert_true(full > 100);
    for (size_t len = 0; len < full; len++) {
        rd_t t;
        nested_vals o;
        rd_open(&t, x.buff, len);
        if (decode_nested(&t.r, &o) == 0)
            fail_msg("decoding a %zu-byte prefix of %zu succeeded", len, full);
        assert_false(etf_ok(&t.r));
        assert_true(t.r.p <= t.r.end);
        rd_close(&t);
        rd_open(&t, x.buff, len);
        if (etf_skip(&t.r) == 0)
            fail_msg("skipping a %zu-byte prefix of %zu succeeded", len, full);
        assert_false(etf_ok(&t.r));
        assert_true(t.r.p <= t.r.end);
        rd_close(&t);
    }
    ei_x_free(&x);
}

/* ---- hostile lengths -------------------------------------------------------------------- */

typedef struct {
    const char *what;
    unsigned char b[16];
    size_t n;
} hostile;

static const hostile hostiles[] = {
    {"large tuple arity 2^32-1", {ETF_LARGE_TUPLE, 0xff, 0xff, 0xff, 0xff, ETF_NIL, ETF_NIL}, 7},
    {"small tuple arity 255", {ETF_SMALL_TUPLE, 255, ETF_NIL, ETF_NIL}, 4},
    {"list length 2^32-1", {ETF_LIST, 0xff, 0xff, 0xff, 0xff, ETF_NIL, ETF_NIL}, 7},
    {"list length 2^31", {ETF_LIST, 0x80, 0, 0, 0, ETF_SMALL_INT, 1, ETF_NIL}, 8},
    {"string length 65535", {ETF_STRING, 0xff, 0xff, 'a', 'b'}, 5},
    {"binary length 2^32-1", {ETF_BINARY, 0xff, 0xff, 0xff, 0xff, 'a'}, 6},
    {"binary length 2^31-1", {ETF_BINARY, 0x7f, 0xff, 0xff, 0xff, 'a'}, 6},
    {"bit binary length 2^32-1", {ETF_BIT_BINARY, 0xff, 0xff, 0xff, 0xff, 3, 'a'}, 7},
    {"map pairs 2^32-1", {ETF_MAP, 0xff, 0xff, 0xff, 0xff, ETF_NIL, ETF_NIL}, 7},
    {"map pairs 3 with 4 bytes", {ETF_MAP, 0, 0, 0, 3, ETF_NIL, ETF_NIL, ETF_NIL, ETF_NIL}, 9},
    {"atom length 65535", {ETF_ATOM_UTF8, 0xff, 0xff, 'a'}, 4},
    {"small atom length 255", {ETF_SMALL_ATOM_UTF8, 255, 'a'}, 3},
    {"small big 255 bytes", {ETF_SMALL_BIG, 255, 0, 1, 2}, 5},
    {"large big 2^32-1 bytes", {ETF_LARGE_BIG, 0xff, 0xff, 0xff, 0xff, 0, 1}, 7},
    {"newer ref 65535 words", {ETF_NEWER_REF, 0xff, 0xff, ETF_SMALL_ATOM_UTF8, 1, 'n', 0, 0, 0, 1}, 10},
    {"fun size 2^32-1", {ETF_NEW_FUN, 0xff, 0xff, 0xff, 0xff, 0}, 6},
    {"fun size below its own field", {ETF_NEW_FUN, 0, 0, 0, 2, 0}, 6},
    {"pid with a huge node atom", {ETF_NEW_PID, ETF_ATOM_UTF8, 0xff, 0xff, 'n'}, 5},
    {"pid without its numbers", {ETF_NEW_PID, ETF_SMALL_ATOM_UTF8, 1, 'n', 0, 0, 0, 1}, 8},
    {"port without its id", {ETF_V4_PORT, ETF_SMALL_ATOM_UTF8, 1, 'n', 0, 0}, 6},
    {"unknown tag 0", {0, 1, 2}, 3},
    {"unknown tag 200", {200, 1, 2}, 3},
    {"version byte inside a term", {ETF_VERSION, ETF_NIL}, 2},
};

static void test_hostile_lengths(void **state)
{
    for (size_t i = 0; i < sizeof hostiles / sizeof hostiles[0]; i++) {
        const hostile *h = &hostiles[i];
        rd_t t;
        rd_open(&t, h->b, h->n);
        if (etf_skip(&t.r) == 0)
            fail_msg("etf_skip accepted: %s", h->what);
        assert_false(etf_ok(&t.r));
        rd_close(&t);
    }
    /* and the typed getters on the same bytes */
    uint32_t n;
    const char *s;
    size_t l;
    int64_t v;
    etf_pid_t p;
    etf_port_t q;
    rd_t t;
#define EXPECT_FAIL(idx, call)                                                                                         \
    do {                                                                                                               \
        rd_open(&t, hostiles[idx].b, hostiles[idx].n);                                                                 \
        if ((call) == 0)                                                                                               \
            fail_msg("accepted: %s", hostiles[idx].what);                                                              \
        assert_false(etf_ok(&t.r));                                                                                    \
        rd_close(&t);                                                                                                  \
    } while (0)
    EXPECT_FAIL(0, etf_tuple(&t.r, &n));
    EXPECT_FAIL(1, etf_tuple(&t.r, &n));
    EXPECT_FAIL(2, etf_list(&t.r, &n));
    EXPECT_FAIL(3, etf_list(&t.r, &n));
    EXPECT_FAIL(4, etf_list(&t.r, &n));
    EXPECT_FAIL(4, etf_bin(&t.r, &s, &l));
    EXPECT_FAIL(5, etf_bin(&t.r, &s, &l));
    EXPECT_FAIL(6, etf_bin(&t.r, &s, &l));
    EXPECT_FAIL(8, etf_map(&t.r, &n));
    EXPECT_FAIL(9, etf_map(&t.r, &n));
    EXPECT_FAIL(10, etf_atom(&t.r, &s, &l));
    EXPECT_FAIL(11, etf_atom(&t.r, &s, &l));
    EXPECT_FAIL(12, etf_int(&t.r, &v));
    EXPECT_FAIL(13, etf_int(&t.r, &v));
    EXPECT_FAIL(17, etf_pid(&t.r, &p));
    EXPECT_FAIL(18, etf_pid(&t.r, &p));
    EXPECT_FAIL(19, etf_port(&t.r, &q));
#undef EXPECT_FAIL
}

/* ---- nesting ---------------------------------------------------------------------------- */

static void nest_tuples(ei_x_buff *x, int depth)
{
    for (int i = 0; i < depth; i++)
        ei_x_encode_tuple_header(x, 1);
    tu_atom(x, "core");
}

static void test_deep_nesting(void **state)
{
    ei_x_buff x;
    rd_t t;
    /* 64 levels (the leaf at depth 64) is fine */
    ei_x_new(&x);
    nest_tuples(&x, 64);
    rd_open(&t, x.buff, (size_t)x.index);
    assert_int_equal(etf_skip(&t.r), 0);
    assert_true(etf_at_end(&t.r));
    rd_close(&t);
    ei_x_free(&x);
    /* one more is not */
    ei_x_new(&x);
    nest_tuples(&x, 65);
    rd_open(&t, x.buff, (size_t)x.index);
    assert_int_equal(etf_skip(&t.r), -1);
    assert_false(etf_ok(&t.r));
    rd_close(&t);
    ei_x_free(&x);
    /* a hostile depth would blow the stack without the limit */
    ei_x_new(&x);
    nest_tuples(&x, 200000);
    rd_open(&t, x.buff, (size_t)x.index);
    assert_int_equal(etf_skip(&t.r), -1);
    assert_false(etf_ok(&t.r));
    rd_close(&t);
    ei_x_free(&x);
    /* nested lists and maps count too: [[[...]]] and #{k => #{k => ...}} */
    ei_x_new(&x);
    for (int i = 0; i < 100; i++)
        ei_x_encode_list_header(&x, 1);
    ei_x_encode_long(&x, 1);
    for (int i = 0; i < 100; i++)
        ei_x_encode_empty_list(&x);
    rd_open(&t, x.buff, (size_t)x.index);
    assert_int_equal(etf_skip(&t.r), -1);
    rd_close(&t);
    ei_x_free(&x);
    ei_x_new(&x);
    for (int i = 0; i < 100; i++) {
        ei_x_encode_map_header(&x, 1);
        tu_atom(&x, "k");
    }
    ei_x_encode_long(&x, 1);
    rd_open(&t, x.buff, (size_t)x.index);
    assert_int_equal(etf_skip(&t.r), -1);
    rd_close(&t);
    ei_x_free(&x);
    /* ten levels of lists is fine */
    ei_x_new(&x);
    for (int i = 0; i < 10; i++)
        ei_x_encode_list_header(&x, 1);
    ei_x_encode_long(&x, 1);
    for (int i = 0; i < 10; i++)
        ei_x_encode_empty_list(&x);
    rd_open(&t, x.buff, (size_t)x.index);
    assert_int_equal(etf_skip(&t.r), 0);
    assert_true(etf_at_end(&t.r));
    rd_close(&t);
    ei_x_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_and_peek),
        cmocka_unit_test(test_ints),
        cmocka_unit_test(test_int_big_beyond_int64),
        cmocka_unit_test(test_atoms_and_bins),
        cmocka_unit_test(test_pids_and_ports),
        cmocka_unit_test(test_tuples_lists_maps),
        cmocka_unit_test(test_string_ext_lists),
        cmocka_unit_test(test_improper_list),
        cmocka_unit_test(test_skip_every_kind),
        cmocka_unit_test(test_nested_full),
        cmocka_unit_test(test_nested_every_truncation),
        cmocka_unit_test(test_hostile_lengths),
        cmocka_unit_test(test_deep_nesting),
    };
    return cmocka_run_group_tests_name("etf", tests, NULL, NULL);
}
