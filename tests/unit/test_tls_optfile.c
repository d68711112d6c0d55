/* test_tls_optfile.c — the client section of an ssl_dist_optfile, as an operator writes it
 * for -ssl_dist_optfile (src/tls_optfile.c): what is taken, what is refused with a line
 * that says where, and what is named as not applied. */
#include "testutil.h"
#include "transport.h"

static int parse(const char *text, tls_client_cfg *cfg, char *err)
{
    err[0] = 0;
    /* an exact-size copy: a read past the end is ASan's to catch */
    size_t n = strlen(text);
    char *c = (char *)tu_dup(text, n);
    int rc = tls_optfile_parse(c, n, cfg, err);
    free(c);
    return rc;
}

static void test_full_client_section(void **state)
{
    (void)state;
    tls_client_cfg cfg;
    char err[OA_ERRLEN];
    const char *t = "%% the node's own file\n"
                    "[{server, [{certfile, \"/etc/ssl/node.pem\"}, {verify, verify_none}]},\n"
                    " {client, [{certfile, \"/etc/ssl/client.pem\"},\n"
                    "           {keyfile, \"/etc/ssl/client.key\"},  % a comment\n"
                    "           {cacertfile, \"/etc/ssl/ca.pem\"},\n"
                    "           {verify, verify_peer}, {secure_renegotiate, true},\n"
                    "           {server_name_indication, \"node.internal\"},\n"
                    "           {depth, 3}, {versions, ['tlsv1.3', 'tlsv1.2']},\n"
                    "           {password, <<\"s3cret\">>}]}].\n";
    assert_int_equal(parse(t, &cfg, err), 0);
    assert_string_equal(cfg.cert, "/etc/ssl/client.pem");
    assert_string_equal(cfg.key, "/etc/ssl/client.key");
    assert_string_equal(cfg.cacert, "/etc/ssl/ca.pem");
    assert_string_equal(cfg.sni, "node.internal");
    assert_string_equal(cfg.password, "s3cret");
    assert_int_equal(cfg.verify, TLS_VERIFY_PEER);
    assert_int_equal(cfg.depth, 3);
    assert_int_equal(cfg.min_version, 12);
    assert_int_equal(cfg.sni_disable, 0);
    assert_string_equal(cfg.ignored, ""); /* secure_renegotiate changes nothing for us */
}

static void test_server_section_is_not_ours(void **state)
{
    (void)state;
    tls_client_cfg cfg;
    char err[OA_ERRLEN];
    /* the server's certfile must not be taken for the client's */
    assert_int_equal(parse("[{server,[{certfile,\"/s.pem\"}]}].", &cfg, err), -1);
    assert_non_null(strstr(err, "no client section"));
    assert_string_equal(cfg.cert, "");
}

static void test_verify_none_and_sni_disable(void **state)
{
    (void)state;
    tls_client_cfg cfg;
    char err[OA_ERRLEN];
    assert_int_equal(parse("[{client,[{verify,verify_none},{server_name_indication,disable}]}].", &cfg, err), 0);
    assert_int_equal(cfg.verify, TLS_VERIFY_NONE);
    assert_int_equal(cfg.sni_disable, 1);
    assert_int_equal(cfg.depth, -1);
}

static void test_unknown_options_are_named(void **state)
{
    (void)state;
    tls_client_cfg cfg;
    char err[OA_ERRLEN];
    assert_int_equal(parse("[{client,[{ciphers,[\"TLS_AES_128_GCM_SHA256\"]},{crl_check,peer},"
                           "{reuse_sessions,false}]}].",
                           &cfg, err),
                     0);
    assert_string_equal(cfg.ignored, "ciphers, crl_check");
}

static void test_refusals_say_where(void **state)
{
    (void)state;
    tls_client_cfg cfg;
    char err[OA_ERRLEN];
    assert_int_equal(parse("[{client,[{certfile,\"/a.pem\"}]}]", &cfg, err), -1); /* no full stop */
    assert_non_null(strstr(err, "full stop"));
    assert_int_equal(parse("[{client,\n[{certfile,\"/a.pem}]}].", &cfg, err), -1);
    assert_non_null(strstr(err, "quote is not closed"));
    assert_int_equal(parse("[{client,[{verify,Fun}]}].", &cfg, err), -1);
    assert_non_null(strstr(err, "line 1"));
    assert_int_equal(parse("[{client,[{verify,maybe}]}].", &cfg, err), -1);
    assert_non_null(strstr(err, "verify_peer"));
    assert_int_equal(parse("[{client,[{versions,['tlsv1.1']}]}].", &cfg, err), -1);
    assert_non_null(strstr(err, "tlsv1.2"));
    assert_int_equal(parse("[{client,[{certfile,42}]}].", &cfg, err), -1);
    assert_non_null(strstr(err, "certfile"));
    assert_int_equal(parse("{client,[]}.", &cfg, err), -1);
    assert_non_null(strstr(err, "expected a list"));
    assert_int_equal(parse("", &cfg, err), -1);
    assert_int_equal(
        parse("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]].", &cfg, err), -1);
    assert_non_null(strstr(err, "nested too deep"));
}

static void test_file_errors(void **state)
{
    (void)state;
    tls_client_cfg cfg;
    char err[OA_ERRLEN];
    assert_int_equal(tls_optfile_read("/nonexistent/dist.conf", &cfg, err), -1);
    assert_non_null(strstr(err, "/nonexistent/dist.conf"));
    char path[256];
    tu_tmp_path(path, sizeof path);
    const char *t = "[{client,[{certfile,\"/c.pem\"},{verify,verify_peer}]}].\n";
    tu_write_file(path, t, strlen(t));
    assert_int_equal(tls_optfile_read(path, &cfg, err), 0);
    assert_string_equal(cfg.cert, "/c.pem");
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_client_section),         cmocka_unit_test(test_server_section_is_not_ours),
        cmocka_unit_test(test_verify_none_and_sni_disable), cmocka_unit_test(test_unknown_options_are_named),
        cmocka_unit_test(test_refusals_say_where),          cmocka_unit_test(test_file_errors),
    };
    return cmocka_run_group_tests_name("tls_optfile", tests, NULL, NULL);
}
