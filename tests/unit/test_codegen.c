/* test_codegen.c — literals for printed code: what the first version printed wrong
 * (`defmodule gen.Worker`, `name: <0.147.0>`, `supervisor.Partitions`) cannot come out. */
#include "testutil.h"

#include "codegen.h"

static void test_ex_alias(void **state)
{
    (void)state;
    assert_true(cg_is_ex_alias("Elixir.Foo"));
    assert_true(cg_is_ex_alias("Elixir.Foo.Bar_2"));
    assert_false(cg_is_ex_alias("Elixir."));
    assert_false(cg_is_ex_alias("Elixir.foo")); /* not an alias */
    assert_false(cg_is_ex_alias("Elixir.Foo..Bar"));
    assert_false(cg_is_ex_alias("Elixir.Foo.Bar-1"));
    assert_false(cg_is_ex_alias("gen"));
    assert_false(cg_is_ex_alias("supervisor"));
}

static void test_ex_atom(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(cg_ex_atom("Elixir.Zoo.Cache", b, sizeof b), "Zoo.Cache");
    assert_string_equal(cg_ex_atom("gen", b, sizeof b), ":gen");
    assert_string_equal(cg_ex_atom("my_table", b, sizeof b), ":my_table");
    assert_string_equal(cg_ex_atom("foo-bar", b, sizeof b), ":\"foo-bar\"");
    assert_string_equal(cg_ex_atom("Elixir.foo", b, sizeof b), ":\"Elixir.foo\"");
    assert_string_equal(cg_ex_atom("a\"b", b, sizeof b), ":\"a\\\"b\"");
    assert_string_equal(cg_ex_atom("Foo", b, sizeof b), ":\"Foo\""); /* an atom, not an alias */
}

static void test_erl_atom(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(cg_erl_atom("counter", b, sizeof b), "counter");
    assert_string_equal(cg_erl_atom("node@host", b, sizeof b), "node@host");
    assert_string_equal(cg_erl_atom("Elixir.Zoo", b, sizeof b), "'Elixir.Zoo'");
    assert_string_equal(cg_erl_atom("Foo", b, sizeof b), "'Foo'");
    assert_string_equal(cg_erl_atom("receive", b, sizeof b), "'receive'"); /* a reserved word */
    assert_string_equal(cg_erl_atom("it's", b, sizeof b), "'it\\'s'");
    assert_string_equal(cg_erl_atom("", b, sizeof b), "''");
}

static void test_snake(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(cg_snake("Elixir.Zoo.GenServerAsCache", b, sizeof b), "zoo_gen_server_as_cache");
    assert_string_equal(cg_snake("yaws_server", b, sizeof b), "yaws_server");
    assert_string_equal(cg_snake("Elixir.HTTP.Pool", b, sizeof b), "http_pool");
    assert_string_equal(cg_snake("2fast", b, sizeof b), "t_2fast");
    assert_string_equal(cg_snake("<0.1.0>", b, sizeof b), "t_0_1_0");
    /* truncation keeps it a string */
    char small[6];
    cg_snake("Elixir.VeryLongName", small, sizeof small);
    assert_true(strlen(small) < sizeof small);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ex_alias),
        cmocka_unit_test(test_ex_atom),
        cmocka_unit_test(test_erl_atom),
        cmocka_unit_test(test_snake),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
