/* test_fmt.c — numbers and tables for people (src/fmt.c): tables sized from their data,
 * real names 40 characters long, columns that give way to a narrow terminal with an
 * ellipsis, never a column run into the next. */
#include "testutil.h"

#include "fmt.h"
#include "json.h"

static const char *render(fmt_table *t, int width, strbuf *out)
{
    sb_reset(out);
    fmt_table_render(t, width, "", "", out);
    return out->buf;
}

/* the display column where needle starts on line k (0-based), -1 if absent */
static int col_of(const char *text, int k, const char *needle)
{
    const char *l = text;
    for (int i = 0; i < k && l; i++) {
        l = strchr(l, '\n');
        l = l ? l + 1 : NULL;
    }
    if (!l)
        return -1;
    const char *e = strchr(l, '\n'), *p = strstr(l, needle);
    if (!p || (e && p > e))
        return -1;
    int cols = 0;
    for (const char *q = l; q < p; q++)
        cols += ((unsigned char)*q & 0xC0) != 0x80;
    return cols;
}

static void test_table_sized_from_data(void **state)
{
    (void)state;
    static const char *const head[] = {"APP", "VSN", "PROCS", "DESCRIPTION"};
    fmt_table t;
    fmt_table_init(&t, 4, "llrl", head);
    const char *long_name = "a_forty_character_application_name_xxxxx"; /* 41 */
    const char *r1[] = {long_name, "1.2.3", "7", "first"};
    const char *r2[] = {"kernel", "9.2", "31", "ERTS  CXC 138 10"};
    fmt_table_row(&t, r1, NULL, NULL);
    fmt_table_row(&t, r2, NULL, NULL);
    strbuf sb;
    sb_init(&sb);
    const char *o = render(&t, 0, &sb);
    /* the version starts after the longest name, on every row: no version runs into a name */
    assert_int_equal(col_of(o, 1, "1.2.3"), (int)strlen(long_name) + 1);
    assert_int_equal(col_of(o, 2, "9.2"), (int)strlen(long_name) + 1);
    assert_int_equal(col_of(o, 0, "VSN"), (int)strlen(long_name) + 1);
    /* counts right-aligned, the last column not padded */
    assert_int_equal(col_of(o, 1, "7 "), col_of(o, 2, "31 ") + 1);
    assert_non_null(strstr(o, "first\n"));
    /* a narrow terminal: the widest column gives way, with an ellipsis, and every line fits
     * before its last column */
    o = render(&t, 40, &sb);
    assert_non_null(strstr(o, "\xe2\x80\xa6"));
    assert_int_equal(col_of(o, 1, "1.2.3"), col_of(o, 2, "9.2"));
    assert_true(col_of(o, 1, "1.2.3") < 40);
    sb_free(&sb);
    fmt_table_free(&t);
}

static void test_table_cap_and_utf8(void **state)
{
    (void)state;
    static const char *const head[] = {"NAME", "X"};
    fmt_table t;
    fmt_table_init(&t, 2, "ll", head);
    char huge[200];
    memset(huge, 'n', sizeof huge - 1);
    huge[sizeof huge - 1] = 0;
    const char *r1[] = {huge, "x"};
    const char *r2[] = {"\xc3\xa9t\xc3\xa9", "y"}; /* été: 3 columns, 5 bytes */
    fmt_table_row(&t, r1, NULL, NULL);
    fmt_table_row(&t, r2, NULL, NULL);
    strbuf sb;
    sb_init(&sb);
    const char *o = render(&t, 0, &sb);
    /* a column is at most FMT_COL_MAX wide, the cut ends in an ellipsis */
    assert_int_equal(col_of(o, 1, "x"), FMT_COL_MAX + 1);
    assert_int_equal(col_of(o, 2, "y"), FMT_COL_MAX + 1); /* UTF-8 counted in characters */
    assert_non_null(strstr(o, "n\xe2\x80\xa6 x"));
    sb_free(&sb);
    fmt_table_free(&t);
}

/* JSON strings are valid UTF-8 whatever the target sent: well-formed sequences kept, every
 * other byte U+FFFD (a stray continuation, an overlong form, a surrogate, a cut sequence) */
static void test_json_utf8(void **state)
{
    (void)state;
    strbuf b;
    sb_init(&b);
    json_escape(&b, "caf\xc3\xa9 \xe2\x9c\x96 \xf0\x9f\x98\x80");
    assert_string_equal(b.buf, "\"caf\xc3\xa9 \xe2\x9c\x96 \xf0\x9f\x98\x80\"");
    sb_reset(&b);
    json_escape(&b, "a\x80"
                    "b\xc0\xaf"
                    "c\xed\xa0\x80"
                    "d\xe2\x9c");
    assert_string_equal(b.buf, "\"a\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffd\\ufffdd\\ufffd\\ufffd\"");
    sb_free(&b);
}

static void test_numbers(void **state)
{
    (void)state;
    char b[64];
    fmt_num(1234567, b, sizeof b);
    assert_string_equal(b, "1,234,567");
    fmt_rate(6122454.3, b, sizeof b);
    assert_string_equal(b, "6,122,454");
    fmt_mfa("Elixir.Zoo.Cache:init/1", b, sizeof b);
    assert_string_equal(b, "Zoo.Cache.init/1");
    fmt_mfa("", b, sizeof b);
    assert_string_equal(b, "-");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_sized_from_data),
        cmocka_unit_test(test_table_cap_and_utf8),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_json_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
