/* test_cookie.c — where the cookie comes from (src/cookie.c): --cookie, --cookie-file,
 * $OTP_ADVISOR_COOKIE, ~/.erlang.cookie, in that order; what is refused (a missing, empty,
 * or not regular file) and the warning handed back for a file others can read. */
#include <sys/stat.h>

#include "cookie.h"
#include "testutil.h"

static char home[64];

/* a fresh $HOME, no $OTP_ADVISOR_COOKIE */
static int setup(void **state)
{
    (void)state;
    snprintf(home, sizeof home, "/tmp/oa-unit-home-XXXXXX");
    if (!mkdtemp(home))
        return -1;
    setenv("HOME", home, 1);
    unsetenv("OTP_ADVISOR_COOKIE");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char p[128];
    snprintf(p, sizeof p, "%s/.erlang.cookie", home);
    unlink(p);
    rmdir(home);
    return 0;
}

/* a cookie file with this text and mode */
static void cookie_file(char *path, size_t n, const char *text, mode_t mode)
{
    tu_tmp_path(path, n);
    tu_write_file(path, text, strlen(text));
    assert_int_equal(chmod(path, mode), 0);
}

static void test_missing_file(void **state)
{
    (void)state;
    char ck[64], warn[OA_ERRLEN], err[OA_ERRLEN];
    assert_int_equal(cookie_find(NULL, "/nonexistent/cookie", ck, sizeof ck, warn, sizeof warn, err), -1);
    assert_non_null(strstr(err, "cannot read the cookie from /nonexistent/cookie"));
    assert_non_null(strstr(err, "--cookie-file or $OTP_ADVISOR_COOKIE"));
    /* nothing given and no ~/.erlang.cookie: the default path is named */
    assert_int_equal(cookie_find(NULL, NULL, ck, sizeof ck, warn, sizeof warn, err), -1);
    assert_non_null(strstr(err, "/.erlang.cookie"));
    assert_non_null(strstr(err, home));
}

static void test_explicit_file(void **state)
{
    (void)state;
    char path[64], ck[64], warn[OA_ERRLEN], err[OA_ERRLEN];
    cookie_file(path, sizeof path, "SECRETCOOKIE\r\n \n", 0400);
    assert_int_equal(cookie_find(NULL, path, ck, sizeof ck, warn, sizeof warn, err), 0);
    assert_string_equal(ck, "SECRETCOOKIE"); /* trailing newlines and spaces go */
    assert_string_equal(warn, "");           /* mode 400: nothing to say */
    /* the file wins over $OTP_ADVISOR_COOKIE; --cookie over both */
    setenv("OTP_ADVISOR_COOKIE", "FROMENV", 1);
    assert_int_equal(cookie_find(NULL, path, ck, sizeof ck, NULL, 0, err), 0);
    assert_string_equal(ck, "SECRETCOOKIE");
    assert_int_equal(cookie_find("FROMARG", path, ck, sizeof ck, NULL, 0, err), 0);
    assert_string_equal(ck, "FROMARG");
    unsetenv("OTP_ADVISOR_COOKIE");
    unlink(path);
}

static void test_env_var_and_home(void **state)
{
    (void)state;
    char ck[64], warn[OA_ERRLEN], err[OA_ERRLEN];
    char p[128];
    snprintf(p, sizeof p, "%s/.erlang.cookie", home);
    tu_write_file(p, "HOMECOOKIE\n", 11);
    assert_int_equal(chmod(p, 0400), 0);
    assert_int_equal(cookie_find(NULL, NULL, ck, sizeof ck, warn, sizeof warn, err), 0);
    assert_string_equal(ck, "HOMECOOKIE");
    /* the variable wins over ~/.erlang.cookie; empty, it is not there */
    setenv("OTP_ADVISOR_COOKIE", "FROMENV", 1);
    assert_int_equal(cookie_find(NULL, NULL, ck, sizeof ck, warn, sizeof warn, err), 0);
    assert_string_equal(ck, "FROMENV");
    assert_string_equal(warn, "");
    setenv("OTP_ADVISOR_COOKIE", "", 1);
    assert_int_equal(cookie_find(NULL, NULL, ck, sizeof ck, warn, sizeof warn, err), 0);
    assert_string_equal(ck, "HOMECOOKIE");
    unsetenv("OTP_ADVISOR_COOKIE");
}

static void test_bad_permissions(void **state)
{
    (void)state;
    char path[64], ck[64], warn[OA_ERRLEN], err[OA_ERRLEN], want[512];
    cookie_file(path, sizeof path, "C1", 0644);
    /* still used, with the warning handed back (never printed) */
    assert_int_equal(cookie_find(NULL, path, ck, sizeof ck, warn, sizeof warn, err), 0);
    assert_string_equal(ck, "C1");
    snprintf(want, sizeof want,
             "otp-advisor: warning: the cookie file %s is readable by other users (mode 644): anyone who "
             "reads it can run code on the node; fix it with: chmod 400 %s",
             path, path);
    assert_string_equal(warn, want);
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(cookie_find(NULL, path, ck, sizeof ck, warn, sizeof warn, err), 0);
    assert_non_null(strstr(warn, "is readable by its group (mode 640)"));
    /* no room for the warning: the cookie all the same */
    assert_int_equal(cookie_find(NULL, path, ck, sizeof ck, NULL, 0, err), 0);
    assert_string_equal(ck, "C1");
    unlink(path);
}

static void test_not_a_cookie_file(void **state)
{
    (void)state;
    char path[64], ck[64], err[OA_ERRLEN];
    cookie_file(path, sizeof path, "\n\n", 0400);
    assert_int_equal(cookie_find(NULL, path, ck, sizeof ck, NULL, 0, err), -1);
    assert_non_null(strstr(err, "is empty"));
    unlink(path);
    assert_int_equal(cookie_find(NULL, home, ck, sizeof ck, NULL, 0, err), -1);
    assert_non_null(strstr(err, "is a directory, not a regular file"));
    /* a FIFO does not hang the open */
    char fifo[128];
    snprintf(fifo, sizeof fifo, "%s/fifo", home);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(cookie_find(NULL, fifo, ck, sizeof ck, NULL, 0, err), -1);
    assert_non_null(strstr(err, "is something else, not a regular file"));
    unlink(fifo);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explicit_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_var_and_home, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_permissions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_cookie_file, setup, teardown),
    };
    return cmocka_run_group_tests_name("cookie", tests, NULL, NULL);
}
