/* test_allowlist.c — conn_allowed: the local refusal of every remote call that is not a
 * read-only one this tool needs (src/conn.c). Arguments are encoded lists without a
 * version byte, exactly as conn_rpc receives them. */
#include "conn.h"
#include "probe_blobs.h"
#include "testutil.h"

/* Check one call; the argument buffer is copied to an exact-size allocation first. */
static int allowed(const char *mod, const char *fun, const ei_x_buff *args, char *why)
{
    why[0] = 0;
    unsigned char *c = tu_dup(args->buff, (size_t)args->index);
    int rc = conn_allowed(mod, fun, (const char *)c, args->index, why);
    free(c);
    return rc;
}

static void expect_ok(const char *mod, const char *fun, ei_x_buff *args)
{
    char why[OA_ERRLEN];
    int rc = allowed(mod, fun, args, why);
    ei_x_free(args);
    if (rc != 0)
        fail_msg("%s:%s refused: %s", mod, fun, why);
}

/* refused, with a reason containing `reason` */
static void expect_refused(const char *mod, const char *fun, ei_x_buff *args, const char *reason)
{
    char why[OA_ERRLEN];
    int rc = allowed(mod, fun, args, why);
    ei_x_free(args);
    if (rc == 0)
        fail_msg("%s:%s was allowed", mod, fun);
    if (!why[0] || (reason && !strstr(why, reason)))
        fail_msg("%s:%s refused with an unexpected reason: '%s'", mod, fun, why);
}

static ei_x_buff args_nil(void)
{
    ei_x_buff a;
    ei_x_new(&a);
    ei_x_encode_empty_list(&a);
    return a;
}

static ei_x_buff args_atom(const char *atom)
{
    ei_x_buff a;
    ei_x_new(&a);
    ei_x_encode_list_header(&a, 1);
    tu_atom(&a, atom);
    ei_x_encode_empty_list(&a);
    return a;
}

/* [Module, File, Binary] as collect.c sends it to code:load_binary */
static ei_x_buff args_load(const char *mod, const unsigned char *beam, size_t len)
{
    ei_x_buff a;
    ei_x_new(&a);
    ei_x_encode_list_header(&a, 3);
    tu_atom(&a, mod);
    ei_x_encode_string(&a, "otp_advisor_probe.erl");
    ei_x_encode_binary(&a, beam, (long)len);
    ei_x_encode_empty_list(&a);
    return a;
}

static void enc_opts(ei_x_buff *a)
{
    ei_x_encode_map_header(a, 2);
    tu_atom(a, "window_ms");
    ei_x_encode_long(a, 1000);
    tu_atom(a, "session");
    ei_x_encode_long(a, 42);
}

/* erl_eval:exprs(Body, [{'CPid', Self}, {'Opts', Opts}]) with body bytes (no version byte) */
static ei_x_buff args_eval(const unsigned char *body, size_t len)
{
    ei_x_buff a;
    ei_x_new(&a);
    ei_x_encode_list_header(&a, 2);
    tu_append(&a, body, len);
    ei_x_encode_list_header(&a, 2);
    ei_x_encode_tuple_header(&a, 2);
    tu_atom(&a, "CPid");
    tu_enc_pid_on(&a, "otp-advisor-1@h", 1, 0, 1);
    ei_x_encode_tuple_header(&a, 2);
    tu_atom(&a, "Opts");
    enc_opts(&a);
    ei_x_encode_empty_list(&a);
    ei_x_encode_empty_list(&a);
    return a;
}

/* ---- allowed ---------------------------------------------------------------------------- */

static void test_blobs_present(void **state)
{
    /* the embedded probe is what the rest of this file relies on */
    assert_true(strncmp(probe_module, "otp_advisor_probe_", 18) == 0);
    assert_true(strlen(probe_module) > 18);
    assert_true(probe_beam_len > 100);
    assert_memory_equal(probe_beam, "FOR1", 4);
    assert_true(probe_body_etf_len > 10);
    assert_int_equal(probe_body_etf[0], ETF_VERSION);
}

static void test_allowed_plain_calls(void **state)
{
    ei_x_buff a = args_atom("hidden");
    expect_ok("erlang", "nodes", &a);
    a = args_nil();
    expect_ok("erlang", "nodes", &a);
    a = args_nil();
    expect_ok("erlang", "loaded", &a);
    static const char *infos[] = {"otp_release", "version", "process_count", "schedulers_online"};
    for (size_t i = 0; i < sizeof infos / sizeof infos[0]; i++) {
        a = args_atom(infos[i]);
        expect_ok("erlang", "system_info", &a);
    }
}

static void test_allowed_probe_module_management(void **state)
{
    static const char *funs[] = {"purge", "delete", "soft_purge", "is_loaded"};
    for (size_t i = 0; i < sizeof funs / sizeof funs[0]; i++) {
        ei_x_buff a = args_atom(probe_module);
        expect_ok("code", funs[i], &a);
        a = args_atom("otp_advisor_probe_0123456789"); /* a stale one of another build */
        expect_ok("code", funs[i], &a);
    }
}

static void test_allowed_load_binary_of_the_probe(void **state)
{
    ei_x_buff a = args_load(probe_module, probe_beam, probe_beam_len);
    expect_ok("code", "load_binary", &a);
}

static void test_allowed_eval_of_the_body(void **state)
{
    ei_x_buff a = args_eval(probe_body_etf + 1, probe_body_etf_len - 1);
    expect_ok("erl_eval", "exprs", &a);
}

static void test_allowed_probe_start(void **state)
{
    ei_x_buff a;
    ei_x_new(&a);
    ei_x_encode_list_header(&a, 2);
    tu_enc_pid_on(&a, "otp-advisor-1@h", 1, 0, 1);
    enc_opts(&a);
    ei_x_encode_empty_list(&a);
    expect_ok(probe_module, "start", &a);
}

/* ---- refused ---------------------------------------------------------------------------- */

static void test_refused_unlisted_calls(void **state)
{
    ei_x_buff a = args_nil();
    expect_refused("erlang", "halt", &a, "allowlist");
    a = args_atom("abort");
    expect_refused("erlang", "halt", &a, "allowlist");
    a = args_atom("init");
    expect_refused("init", "stop", &a, "allowlist");
    ei_x_new(&a);
    ei_x_encode_list_header(&a, 1);
    ei_x_encode_string(&a, "rm -rf /");
    ei_x_encode_empty_list(&a);
    expect_refused("os", "cmd", &a, "allowlist");
    ei_x_new(&a);
    ei_x_encode_list_header(&a, 2);
    tu_enc_pid(&a, 100);
    tu_atom(&a, "kill");
    ei_x_encode_empty_list(&a);
    expect_refused("erlang", "exit", &a, "allowlist");
    ei_x_new(&a);
    ei_x_encode_list_header(&a, 2);
    tu_atom(&a, "Elixir.Zoo.Cache");
    tu_atom(&a, "undefined");
    ei_x_encode_empty_list(&a);
    expect_refused("sys", "replace_state", &a, "allowlist");
    a = args_atom("Elixir.Zoo.Cache");
    expect_refused("sys", "suspend", &a, "allowlist");
    ei_x_new(&a);
    ei_x_encode_list_header(&a, 2);
    tu_atom(&a, "Elixir.Zoo.Supervisor");
    tu_atom(&a, "Elixir.Zoo.Cache");
    ei_x_encode_empty_list(&a);
    expect_refused("supervisor", "terminate_child", &a, "allowlist");
    a = args_atom("zoo");
    expect_refused("application", "stop", &a, "allowlist");
    a = args_nil();
    expect_refused("rpc", "call", &a, "allowlist");
    /* names are matched whole: no prefix or case games */
    a = args_nil();
    expect_refused("erlang", "nodes_", &a, "allowlist");
    a = args_nil();
    expect_refused("erlan", "nodes", &a, "allowlist");
    a = args_nil();
    expect_refused("Erlang", "loaded", &a, "allowlist");
    a = args_nil(); /* replaced by erlang:loaded: not needed any more */
    expect_refused("code", "all_loaded", &a, "allowlist");
    a = args_nil();
    expect_refused("code", "", &a, "allowlist");
}

static void test_refused_system_info_items(void **state)
{
    ei_x_buff a = args_atom("some_other_item");
    expect_refused("erlang", "system_info", &a, "not needed");
    a = args_atom("otp_release_");
    expect_refused("erlang", "system_info", &a, "not needed");
    a = args_atom("otp_releas");
    expect_refused("erlang", "system_info", &a, "not needed");
    a = args_nil();
    expect_refused("erlang", "system_info", &a, "unexpected argument");
    ei_x_new(&a); /* system_info({allocator, ...}) */
    ei_x_encode_list_header(&a, 1);
    ei_x_encode_tuple_header(&a, 2);
    tu_atom(&a, "allocator");
    tu_atom(&a, "binary_alloc");
    ei_x_encode_empty_list(&a);
    expect_refused("erlang", "system_info", &a, "unexpected argument");
    ei_x_new(&a); /* two arguments */
    ei_x_encode_list_header(&a, 2);
    tu_atom(&a, "otp_release");
    tu_atom(&a, "version");
    ei_x_encode_empty_list(&a);
    expect_refused("erlang", "system_info", &a, "unexpected argument");
    ei_x_new(&a); /* the item as a binary, not an atom */
    ei_x_encode_list_header(&a, 1);
    tu_bin(&a, "otp_release");
    ei_x_encode_empty_list(&a);
    expect_refused("erlang", "system_info", &a, "unexpected argument");
}

static void test_refused_other_modules(void **state)
{
    static const char *funs[] = {"purge", "delete", "soft_purge", "is_loaded"};
    static const char *mods[] = {"lists", "otp_advisor_probe", "otp_advisor_probe_", "xotp_advisor_probe_1",
                                 "Elixir.Zoo.Cache"};
    for (size_t i = 0; i < sizeof funs / sizeof funs[0]; i++)
        for (size_t m = 0; m < sizeof mods / sizeof mods[0]; m++) {
            ei_x_buff a = args_atom(mods[m]);
            expect_refused("code", funs[i], &a, "probe");
        }
    /* two modules at once, one of them ours */
    ei_x_buff a;
    ei_x_new(&a);
    ei_x_encode_list_header(&a, 2);
    tu_atom(&a, probe_module);
    tu_atom(&a, "lists");
    ei_x_encode_empty_list(&a);
    expect_refused("code", "purge", &a, "probe");
    a = args_nil();
    expect_refused("code", "delete", &a, "probe");
    /* the module name as a string */
    ei_x_new(&a);
    ei_x_encode_list_header(&a, 1);
    ei_x_encode_string(&a, probe_module);
    ei_x_encode_empty_list(&a);
    expect_refused("code", "purge", &a, "probe");
}

static void test_refused_other_binaries(void **state)
{
    unsigned char *beam = tu_dup(probe_beam, probe_beam_len);
    beam[probe_beam_len / 2] ^= 0x01; /* one bit changed */
    ei_x_buff a = args_load(probe_module, beam, probe_beam_len);
    expect_refused("code", "load_binary", &a, "embedded probe");
    beam[probe_beam_len / 2] ^= 0x01;
    a = args_load(probe_module, beam, probe_beam_len - 1); /* truncated */
    expect_refused("code", "load_binary", &a, "embedded probe");
    a = args_load(probe_module, (const unsigned char *)"FOR1\0\0\0\4BEAM", 12);
    expect_refused("code", "load_binary", &a, "embedded probe");
    /* the right binary under another name, even one that looks like a probe */
    a = args_load("lists", beam, probe_beam_len);
    expect_refused("code", "load_binary", &a, "embedded probe");
    a = args_load("otp_advisor_probe_0000000000", beam, probe_beam_len);
    expect_refused("code", "load_binary", &a, "embedded probe");
    /* wrong shapes */
    ei_x_new(&a);
    ei_x_encode_list_header(&a, 2);
    tu_atom(&a, probe_module);
    ei_x_encode_binary(&a, beam, (long)probe_beam_len);
    ei_x_encode_empty_list(&a);
    expect_refused("code", "load_binary", &a, "embedded probe");
    a = args_nil();
    expect_refused("code", "load_binary", &a, "embedded probe");
    free(beam);
}

static void test_refused_other_expressions(void **state)
{
    /* [{call,1,{remote,1,{atom,1,os},{atom,1,cmd}},[{string,1,"id"}]}] */
    ei_x_buff e;
    ei_x_new(&e);
    ei_x_encode_list_header(&e, 1);
    ei_x_encode_tuple_header(&e, 4);
    tu_atom(&e, "call");
    ei_x_encode_long(&e, 1);
    ei_x_encode_tuple_header(&e, 4);
    tu_atom(&e, "remote");
    ei_x_encode_long(&e, 1);
    ei_x_encode_tuple_header(&e, 3);
    tu_atom(&e, "atom");
    ei_x_encode_long(&e, 1);
    tu_atom(&e, "os");
    ei_x_encode_tuple_header(&e, 3);
    tu_atom(&e, "atom");
    ei_x_encode_long(&e, 1);
    tu_atom(&e, "cmd");
    ei_x_encode_list_header(&e, 1);
    ei_x_encode_tuple_header(&e, 3);
    tu_atom(&e, "string");
    ei_x_encode_long(&e, 1);
    ei_x_encode_string(&e, "id");
    ei_x_encode_empty_list(&e);
    ei_x_encode_empty_list(&e);
    ei_x_buff a = args_eval((const unsigned char *)e.buff, (size_t)e.index);
    expect_refused("erl_eval", "exprs", &a, "collector");
    ei_x_free(&e);

    /* the body with one byte changed, at the start, the middle and the end */
    size_t blen = probe_body_etf_len - 1;
    size_t at[] = {0, blen / 2, blen - 1};
    for (size_t i = 0; i < 3; i++) {
        unsigned char *b = tu_dup(probe_body_etf + 1, blen);
        b[at[i]] ^= 0x20;
        a = args_eval(b, blen);
        expect_refused("erl_eval", "exprs", &a, "collector");
        free(b);
    }
    /* the body cut short: a prefix of it */
    a = args_eval(probe_body_etf + 1, blen / 2);
    expect_refused("erl_eval", "exprs", &a, "collector");
    /* the body with its version byte (wrongly) left in */
    a = args_eval(probe_body_etf, probe_body_etf_len);
    expect_refused("erl_eval", "exprs", &a, "collector");
    /* not a list at all, or nothing */
    ei_x_new(&a);
    ei_x_encode_tuple_header(&a, 2);
    tu_append(&a, probe_body_etf + 1, blen);
    ei_x_encode_empty_list(&a);
    expect_refused("erl_eval", "exprs", &a, "collector");
    a = args_nil();
    expect_refused("erl_eval", "exprs", &a, "collector");
    ei_x_new(&a);
    expect_refused("erl_eval", "exprs", &a, "collector");
    /* other evaluators are not on the list at all */
    a = args_eval(probe_body_etf + 1, blen);
    expect_refused("erl_eval", "expr", &a, "allowlist");
    a = args_eval(probe_body_etf + 1, blen);
    expect_refused("erl_eval", "exprs_", &a, "allowlist");
}

static void test_refused_start_of_other_modules(void **state)
{
    ei_x_buff a = args_nil();
    expect_refused("otp_advisor_probe_0000000000", "start", &a, "allowlist");
    a = args_nil();
    expect_refused("lists", "start", &a, "allowlist");
    a = args_nil();
    expect_refused("application", "start", &a, "allowlist");
    a = args_nil();
    expect_refused(probe_module, "body", &a, "allowlist");
    a = args_nil();
    expect_refused(probe_module, "module_info", &a, "allowlist");
}

/* Regression: chk_eval once compared only a prefix, so erl_eval:exprs/4 with extra
 * arguments (function handlers) after the embedded body passed. */
static void test_known_issue_eval_extra_args(void **state)
{
    ei_x_buff a;
    ei_x_new(&a);
    ei_x_encode_list_header(&a, 4);
    tu_append(&a, probe_body_etf + 1, probe_body_etf_len - 1);
    ei_x_encode_empty_list(&a);
    ei_x_encode_tuple_header(&a, 2); /* a LocalFunctionHandler, {value, none} */
    tu_atom(&a, "value");
    tu_atom(&a, "none");
    tu_atom(&a, "none");
    ei_x_encode_empty_list(&a);
    expect_refused("erl_eval", "exprs", &a, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blobs_present),
        cmocka_unit_test(test_allowed_plain_calls),
        cmocka_unit_test(test_allowed_probe_module_management),
        cmocka_unit_test(test_allowed_load_binary_of_the_probe),
        cmocka_unit_test(test_allowed_eval_of_the_body),
        cmocka_unit_test(test_allowed_probe_start),
        cmocka_unit_test(test_refused_unlisted_calls),
        cmocka_unit_test(test_refused_system_info_items),
        cmocka_unit_test(test_refused_other_modules),
        cmocka_unit_test(test_refused_other_binaries),
        cmocka_unit_test(test_refused_other_expressions),
        cmocka_unit_test(test_refused_start_of_other_modules),
        cmocka_unit_test(test_known_issue_eval_extra_args),
    };
    return cmocka_run_group_tests_name("allowlist", tests, NULL, NULL);
}
