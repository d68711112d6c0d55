/* test_resolve.c — the pure parts of src/resolve.c: NODE and --address parsed, our own
 * node name of the target's form, epmd's list of names, and what a peer's answer to our
 * name means after a failed handshake. */
#include "resolve.h"
#include "testutil.h"

static void short_host(char *h, size_t n)
{
    assert_int_equal(gethostname(h, n), 0);
    h[n - 1] = 0;
    char *dot = strchr(h, '.');
    if (dot)
        *dot = 0;
}

static void test_target(void **state)
{
    (void)state;
    char alive[MAXNODELEN + 1], host[OA_MAXHOST + 1], full[2 * MAXNODELEN + 2], err[OA_ERRLEN];
    assert_int_equal(resolve_target("shop@db1.example.com", alive, host, full, err), 0);
    assert_string_equal(alive, "shop");
    assert_string_equal(host, "db1.example.com");
    assert_string_equal(full, "shop@db1.example.com");
    /* a bare name is on this host, by its short name */
    char h[OA_MAXHOST + 1], want[2 * MAXNODELEN + 2];
    short_host(h, sizeof h);
    assert_int_equal(resolve_target("shop", alive, host, full, err), 0);
    assert_string_equal(host, h);
    snprintf(want, sizeof want, "shop@%s", h);
    assert_string_equal(full, want);
    static const char *bad[] = {"", "@h", "shop@"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(resolve_target(bad[i], alive, host, full, err), -1);
        assert_non_null(strstr(err, "expected name@host"));
    }
    assert_int_equal(resolve_target("my shop@h", alive, host, full, err), -1);
    assert_non_null(strstr(err, "may hold only letters, digits, '_' and '-'"));
    char longname[400];
    memset(longname, 'a', 300);
    snprintf(longname + 300, sizeof longname - 300, "@h");
    assert_int_equal(resolve_target(longname, alive, host, full, err), -1);
    assert_non_null(strstr(err, "node name too long"));
}

static void test_address(void **state)
{
    (void)state;
    xdest d;
    char err[OA_ERRLEN];
    memset(&d, 0, sizeof d);
    assert_int_equal(resolve_address("10.0.0.5:9100", &d, err), 0);
    assert_string_equal(d.host, "10.0.0.5");
    assert_int_equal(d.port, 9100);
    assert_int_equal(resolve_address("[::1]:9101", &d, err), 0);
    assert_string_equal(d.host, "::1");
    assert_int_equal(d.port, 9101);
    assert_int_equal(resolve_address("fe80::1:9102", &d, err), 0); /* bare: the last colon is the port's */
    assert_string_equal(d.host, "fe80::1");
    assert_int_equal(d.port, 9102);
    static const char *bad[] = {"db1", "db1:", ":9100", "db1:0", "db1:65536", "db1:91x", "[]:9100"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(resolve_address(bad[i], &d, err), -1);
        assert_non_null(strstr(err, "bad --address"));
    }
}

static void test_own_name(void **state)
{
    (void)state;
    char alive[EI_MAXALIVELEN + 1], host[OA_MAXHOST + 1], own[2 * MAXNODELEN + 2], err[OA_ERRLEN], want[128];
    /* the default, on a long-name target: the target's host */
    assert_int_equal(resolve_own(NULL, "db1.example.com", alive, host, own, err), 0);
    snprintf(want, sizeof want, "otp-advisor-%d@db1.example.com", (int)getpid());
    assert_string_equal(own, want);
    assert_int_equal(resolve_own(NULL, "10.0.0.5", alive, host, own, err), 0);
    assert_string_equal(host, "10.0.0.5");
    /* on a short-name target: this host's short name */
    char h[OA_MAXHOST + 1];
    short_host(h, sizeof h);
    assert_int_equal(resolve_own(NULL, "db1", alive, host, own, err), 0);
    assert_string_equal(host, h);
    /* --sname/--name: with its own host, or the target's */
    assert_int_equal(resolve_own("me", "db1", alive, host, own, err), 0);
    assert_string_equal(own, "me@db1");
    assert_int_equal(resolve_own("me@there.example.com", "db1", alive, host, own, err), 0);
    assert_string_equal(alive, "me");
    assert_string_equal(own, "me@there.example.com");
}

static void test_epmd_names(void **state)
{
    (void)state;
    char out[64];
    epmd_parse_names("name shop at port 40123\nname otp-advisor-7 at port 40999\n", out, sizeof out);
    assert_string_equal(out, "shop, otp-advisor-7");
    epmd_parse_names("", out, sizeof out);
    assert_string_equal(out, "");
    epmd_parse_names("garbage\n\nname a at port 1\n", out, sizeof out);
    assert_string_equal(out, "a");
    /* no room: whole names only */
    char small[12];
    epmd_parse_names("name abcd at port 1\nname efghijk at port 2\n", small, sizeof small);
    assert_string_equal(small, "abcd");
}

/* an answer as handshake_explain sees it: a 2-byte length, then the message */
static void explain_frame(const char *msg, int tls, char *err)
{
    unsigned char resp[80];
    size_t rl = strlen(msg);
    resp[0] = (unsigned char)(rl >> 8);
    resp[1] = (unsigned char)rl;
    memcpy(resp + 2, msg, rl);
    handshake_explain(resp, 2, (int)rl, 0, rl, tls, "shop@db1", "me@h", err);
}

static void test_handshake_explain(void **state)
{
    (void)state;
    char err[OA_ERRLEN];
    explain_frame("sok", 0, err);
    assert_non_null(strstr(err, "cookie rejected by shop@db1: it accepted our name"));
    explain_frame("snamed:", 0, err);
    assert_non_null(strstr(err, "cookie rejected by shop@db1"));
    explain_frame("snot_allowed", 0, err);
    assert_non_null(strstr(err, "shop@db1 refused our node name me@h (not_allowed"));
    explain_frame("salive", 0, err);
    assert_non_null(strstr(err, "already connected to a node named me@h"));
    explain_frame("snok", 0, err);
    assert_non_null(strstr(err, "refused the connection during the handshake (status nok)"));
    /* closed before any status */
    unsigned char none[4] = {0};
    handshake_explain(none, -1, -1, 0, 0, 0, "shop@db1", "me@h", err);
    assert_non_null(strstr(err, "shop@db1 closed the connection during the handshake, before any status"));
    /* a TLS alert to a plain handshake: it runs TLS distribution */
    unsigned char alert[8] = {0x15, 0x03, 0x03, 0, 2, 2, 40};
    handshake_explain(alert, 2, -1, 5, 0x1503, 0, "shop@db1", "me@h", err);
    assert_non_null(strstr(err, "answered with a TLS alert"));
    assert_non_null(strstr(err, "attach with --tls"));
    /* an HTTP server: what it said, printable, at most 23 bytes of it */
    const char *http = "HTTP/1.1 400 Bad Request\r\n";
    unsigned char h[40];
    memcpy(h, http, 22);
    handshake_explain(h, 2, -1, 20, (size_t)('H' << 8 | 'T'), 0, "shop@db1", "me@h", err);
    assert_string_equal(err, "shop@db1 does not speak the Erlang distribution protocol (it answered "
                             "\"HTTP/1.1 400 Bad Reque\")");
    /* a frame whose message is not a status */
    explain_frame("x?", 0, err);
    assert_non_null(strstr(err, "does not speak the Erlang distribution protocol (it answered \"..x?\")"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target),     cmocka_unit_test(test_address),           cmocka_unit_test(test_own_name),
        cmocka_unit_test(test_epmd_names), cmocka_unit_test(test_handshake_explain),
    };
    return cmocka_run_group_tests_name("resolve", tests, NULL, NULL);
}
