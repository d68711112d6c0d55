/* test_termtext.c — terms written as Erlang and Elixir (src/termtext.c): the shapes the
 * round trip on real nodes covers (t_termtext) plus what no node sends: the probe's marks,
 * the output cap, nesting past the limit, truncated and invalid input. Every buffer is an
 * exact-size heap copy, so a read past its end is an ASan report. */
#include "testutil.h"

#include "termtext.h"

/* print the bare term in x (no version byte) in both languages; returns the reader's status */
static int show(const ei_x_buff *x, int elixir, char *out, size_t n)
{
    unsigned char *buf = tu_dup(x->buff, (size_t)x->index);
    etf_rd r;
    etf_init(&r, buf, (size_t)x->index);
    tt_style st = {.elixir = elixir, .node = "n@h", .node_len = 3};
    strbuf b;
    sb_init(&b);
    int rc = tt_term(&r, &st, &b);
    if (rc == 0 && !etf_at_end(&r))
        rc = -2;
    snprintf(out, n, "%s", b.buf ? b.buf : "");
    sb_free(&b);
    free(buf);
    return rc;
}

static void expect(const ei_x_buff *x, const char *erl, const char *ex)
{
    char b[4096];
    assert_int_equal(show(x, 0, b, sizeof b), 0);
    assert_string_equal(b, erl);
    assert_int_equal(show(x, 1, b, sizeof b), 0);
    assert_string_equal(b, ex);
}

static void atom(ei_x_buff *x, const char *a)
{
    ei_x_encode_atom_len_as(x, a, (int)strlen(a), ERLANG_UTF8, ERLANG_UTF8);
}
static void bin(ei_x_buff *x, const char *s)
{
    ei_x_encode_binary(x, s, (int)strlen(s));
}

static void test_atoms(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"foo", "foo", ":foo"},
        {"Elixir.Zoo.Cache", "'Elixir.Zoo.Cache'", "Zoo.Cache"},
        {"Foo", "'Foo'", ":\"Foo\""},
        {"foo-bar", "'foo-bar'", ":\"foo-bar\""},
        {"it's", "'it\\'s'", ":\"it's\""},
        {"nil", "nil", "nil"},
        {"true", "true", "true"},
        {"and", "'and'", ":and"},
        {"foo?", "'foo?'", ":foo?"},
        {"node@host", "node@host", ":node@host"},
        {"a#{b}", "'a#{b}'", ":\"a\\#{b}\""},
        {"line\nbreak", "'line\\nbreak'", ":\"line\\nbreak\""},
        {"", "''", ":\"\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ei_x_buff x;
        ei_x_new(&x);
        atom(&x, cases[i][0]);
        expect(&x, cases[i][1], cases[i][2]);
        ei_x_free(&x);
    }
}

static void test_numbers(void **state)
{
    (void)state;
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 7);
    ei_x_encode_long(&x, -42);
    ei_x_encode_double(&x, 1.5);
    ei_x_encode_double(&x, 1e20);
    ei_x_encode_double(&x, 0.1);
    ei_x_encode_double(&x, -2.5e-7);
    ei_x_encode_double(&x, 100.0);
    ei_x_encode_ulonglong(&x, 18446744073709551615ULL);
    expect(&x, "{-42,1.5,1.0e20,0.1,-2.5e-7,100.0,18446744073709551615}",
           "{-42, 1.5, 1.0e20, 0.1, -2.5e-7, 100.0, 18446744073709551615}");
    ei_x_free(&x);
    /* a big beyond 64 bits: -(2^70) as SMALL_BIG */
    unsigned char big[] = {ETF_SMALL_BIG, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x40};
    ei_x_new(&x);
    tu_append(&x, big, sizeof big);
    expect(&x, "-1180591620717411303424", "-1180591620717411303424");
    ei_x_free(&x);
}

static void test_strings(void **state)
{
    (void)state;
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_list_header(&x, 6);
    ei_x_encode_string(&x, "abc");
    ei_x_encode_string(&x, "tab\there");
    bin(&x, "bin");
    ei_x_encode_binary(&x, "\x01\x02\xff", 3);
    bin(&x, "\xc3\xa9"); /* é, UTF-8 */
    bin(&x, "q\"b\\#{x}");
    ei_x_encode_empty_list(&x);
    expect(&x, "[\"abc\",\"tab\\there\",<<\"bin\">>,<<1,2,255>>,<<\"\xc3\xa9\"/utf8>>,<<\"q\\\"b\\\\#{x}\">>]",
           "[~c\"abc\", ~c\"tab\\there\", \"bin\", <<1, 2, 255>>, \"\xc3\xa9\", \"q\\\"b\\\\\\#{x}\"]");
    ei_x_free(&x);
    /* a charlist that is not printable, in Elixir: a list of integers */
    ei_x_new(&x);
    ei_x_encode_string(&x, "\x01\x02");
    expect(&x, "[1,2]", "[1, 2]");
    ei_x_free(&x);
}

static void test_containers(void **state)
{
    (void)state;
    ei_x_buff x;
    ei_x_new(&x);
    /* [{key, val}, {other, 2}]: a keyword list in Elixir */
    ei_x_encode_list_header(&x, 2);
    ei_x_encode_tuple_header(&x, 2);
    atom(&x, "key");
    atom(&x, "val");
    ei_x_encode_tuple_header(&x, 2);
    atom(&x, "other");
    ei_x_encode_long(&x, 2);
    ei_x_encode_empty_list(&x);
    expect(&x, "[{key,val},{other,2}]", "[key: :val, other: 2]");
    ei_x_free(&x);
    /* #{a => 1, "k" => {}} and an improper list [a | b] */
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 3);
    ei_x_encode_map_header(&x, 2);
    atom(&x, "a");
    ei_x_encode_long(&x, 1);
    ei_x_encode_string(&x, "k");
    ei_x_encode_tuple_header(&x, 0);
    ei_x_encode_list_header(&x, 1);
    atom(&x, "a");
    atom(&x, "b");
    ei_x_encode_map_header(&x, 1);
    atom(&x, "only");
    ei_x_encode_empty_list(&x);
    expect(&x, "{#{a => 1,\"k\" => {}},[a|b],#{only => []}}", "{%{:a => 1, ~c\"k\" => {}}, [:a | :b], %{only: []}}");
    ei_x_free(&x);
}

static void test_pids_refs_funs(void **state)
{
    (void)state;
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 5);
    erlang_pid p = {.num = 12, .serial = 0, .creation = 1};
    strcpy(p.node, "n@h");
    ei_x_encode_pid(&x, &p);
    strcpy(p.node, "other@h");
    ei_x_encode_pid(&x, &p);
    erlang_ref r = {.len = 3, .creation = 1, .n = {1, 2, 3}};
    strcpy(r.node, "n@h");
    ei_x_encode_ref(&x, &r);
    erlang_fun f = {.arity = -1, .type = EI_FUN_EXPORT};
    strcpy(f.module, "lists");
    f.u.exprt.func = "map";
    f.u.exprt.func_allocated = 0;
    ei_x_encode_fun(&x, &f);
    ei_x_encode_tuple_header(&x, 4); /* the probe's local fun */
    atom(&x, "$oa_fun");
    atom(&x, "Elixir.Zoo");
    atom(&x, "-init/1-fun-0-");
    ei_x_encode_long(&x, 0);
    (void)f;
    char b[512];
    assert_int_equal(show(&x, 0, b, sizeof b), 0);
    assert_non_null(strstr(b, "{<0.12.0>,<other@h.12.0>,#Ref<0.3.2.1>,fun lists:map/"));
    assert_non_null(strstr(b, "#Fun<Elixir.Zoo.-init/1-fun-0-/0>}"));
    assert_int_equal(show(&x, 1, b, sizeof b), 0);
    assert_non_null(strstr(b, "{#PID<0.12.0>, #PID<other@h.12.0>, #Reference<0.3.2.1>, &:lists.map/"));
    assert_non_null(strstr(b, "#Function<-init/1-fun-0-/0 in Zoo>}"));
    ei_x_free(&x);
}

/* the probe's marks: '$oa_cut', {'$oa_cut', Bin}, {'$oa_tuple', L}, {'$oa_map', [K, V...]} */
static void test_cut_marks(void **state)
{
    (void)state;
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 2);
    atom(&x, "$oa_tuple");
    ei_x_encode_list_header(&x, 3);
    atom(&x, "cut");
    ei_x_encode_tuple_header(&x, 2);
    atom(&x, "$oa_cut");
    bin(&x, "xxxx\xc3"); /* a character cut in two at the end */
    ei_x_encode_list_header(&x, 2);
    ei_x_encode_long(&x, 1);
    ei_x_encode_long(&x, 2);
    atom(&x, "$oa_cut"); /* the list's rest left out */
    atom(&x, "$oa_cut"); /* the tuple's */
    expect(&x, "{cut,<<\"xxxx...\">>,[1,2|...],...}", "{:cut, \"xxxx...\", [1, 2, ...], ...}");
    ei_x_free(&x);
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 2);
    atom(&x, "$oa_map");
    ei_x_encode_list_header(&x, 3);
    atom(&x, "a");
    ei_x_encode_long(&x, 1);
    atom(&x, "b");
    atom(&x, "$oa_cut");
    expect(&x, "#{a => 1,b => ...}", "%{:a => 1, :b => ...}");
    ei_x_free(&x);
}

/* hostile input: nesting past the limit fails, output is capped, truncation fails */
static void test_hostile(void **state)
{
    (void)state;
    ei_x_buff x;
    char b[64];
    ei_x_new(&x);
    for (int i = 0; i < 200; i++)
        ei_x_encode_list_header(&x, 1);
    ei_x_encode_empty_list(&x);
    for (int i = 0; i < 200; i++)
        ei_x_encode_empty_list(&x);
    assert_int_equal(show(&x, 0, b, sizeof b), -1);
    ei_x_free(&x);

    ei_x_new(&x); /* 100,000 integers: capped near TT_MAX_OUT, the rest read and left out */
    ei_x_encode_list_header(&x, 100000);
    for (int i = 0; i < 100000; i++)
        ei_x_encode_long(&x, 100000 + i);
    ei_x_encode_empty_list(&x);
    unsigned char *buf = tu_dup(x.buff, (size_t)x.index);
    etf_rd r;
    etf_init(&r, buf, (size_t)x.index);
    tt_style st = {0};
    strbuf sb;
    sb_init(&sb);
    assert_int_equal(tt_term(&r, &st, &sb), 0);
    assert_true(etf_at_end(&r));
    assert_true(sb.len <= TT_MAX_OUT + 16);
    assert_string_equal(sb.buf + sb.len - 4, "...]");
    /* every prefix of the buffer fails cleanly (ASan checks the reads) */
    for (size_t cut = 0; cut < 64; cut++) {
        etf_init(&r, buf, cut);
        sb_reset(&sb);
        assert_int_equal(tt_term(&r, &st, &sb), -1);
    }
    sb_free(&sb);
    free(buf);
    ei_x_free(&x);
}

/* tt_text: names as they are, {oa_text, Parts} joined */
static void test_text(void **state)
{
    (void)state;
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 2);
    atom(&x, "oa_text");
    ei_x_encode_list_header(&x, 5);
    bin(&x, "busy in ");
    ei_x_encode_tuple_header(&x, 3);
    atom(&x, "gen_server");
    atom(&x, "loop");
    ei_x_encode_long(&x, 7);
    bin(&x, ", ");
    ei_x_encode_long(&x, 3);
    atom(&x, "queued");
    ei_x_encode_empty_list(&x);
    unsigned char *buf = tu_dup(x.buff, (size_t)x.index);
    etf_rd r;
    etf_init(&r, buf, (size_t)x.index);
    tt_style st = {.elixir = 1};
    strbuf sb;
    sb_init(&sb);
    assert_int_equal(tt_text(&r, &st, &sb), 0);
    assert_string_equal(sb.buf, "busy in {:gen_server, :loop, 7}, 3queued");
    sb_free(&sb);
    free(buf);
    ei_x_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_atoms),      cmocka_unit_test(test_numbers),        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_containers), cmocka_unit_test(test_pids_refs_funs), cmocka_unit_test(test_cut_marks),
        cmocka_unit_test(test_hostile),    cmocka_unit_test(test_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
