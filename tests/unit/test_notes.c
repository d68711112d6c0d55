/* test_notes.c — the lines library code hands back for the front end to print
 * (src/notes.c): one newline each, appended in order, cut to fit with "…". */
#include "notes.h"
#include "testutil.h"

static void test_lines(void **state)
{
    (void)state;
    oa_notes a, b;
    notes_clear(&a);
    notes_clear(&b);
    assert_string_equal(a.text, "");
    notes_add(&a, "otp-advisor: warning: %s", "one");
    notes_add(&a, "two\n"); /* a newline of its own is not doubled */
    assert_string_equal(a.text, "otp-advisor: warning: one\ntwo\n");
    notes_add(&b, "three");
    notes_append(&b, &a);
    assert_string_equal(b.text, "three\notp-advisor: warning: one\ntwo\n");
    notes_append(&b, &(oa_notes){.text = ""});
    assert_string_equal(b.text, "three\notp-advisor: warning: one\ntwo\n");
    notes_clear(&b);
    assert_string_equal(b.text, "");
}

static void test_cut_to_fit(void **state)
{
    (void)state;
    oa_notes n;
    notes_clear(&n);
    char big[OA_NOTES_LEN + 100];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    notes_add(&n, "%s", big);
    size_t len = strlen(n.text);
    assert_int_equal(len, OA_NOTES_LEN - 1);
    assert_string_equal(n.text + len - 4, "…\n");
    notes_add(&n, "more"); /* full: left out */
    assert_int_equal(strlen(n.text), OA_NOTES_LEN - 1);
    /* a cut never splits a UTF-8 character */
    notes_clear(&n);
    memset(big, 'x', OA_NOTES_LEN - 6);
    snprintf(big + OA_NOTES_LEN - 6, sizeof big - (OA_NOTES_LEN - 6), "ééééé");
    notes_add(&n, "%s", big);
    len = strlen(n.text);
    assert_string_equal(n.text + len - 4, "…\n");
    assert_true(((unsigned char)n.text[len - 5] & 0xC0) != 0xC0); /* no lead byte left alone */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_cut_to_fit),
    };
    return cmocka_run_group_tests_name("notes", tests, NULL, NULL);
}
