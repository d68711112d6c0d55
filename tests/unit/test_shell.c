/* test_shell.c — the interactive shell (src/shell.c) without a terminal: the command
 * table, the tokeniser, every command through shell_exec (on the C-built zoo of
 * testutil.h and on tests/golden/zoo.etf, a saved snapshot of a real node), errors,
 * save/load, the prompt, completion candidates, and the renderers the shell prints
 * through (render_fit, render_tree).
 *
 * A shell here is what shell_main builds: zeroed oa_opts with collect_defaults, no
 * colour, shell_init, shell_set_snapshot. Nothing connects to a node: the connection
 * states are set by hand where a test needs them (fd -1, never initialised), so every
 * path that would reach the network stops at "not connected".
 *
 * Tests named test_regression_* hold behaviour these tests once found wrong in src/ and
 * that has been fixed since: each comment says what is checked and the mistake it keeps
 * out; a failure says what was expected and what came instead. */
#include <sys/stat.h>

#include "cli.h"
#include "render.h"
#include "rules.h"
#include "shell.h"
#include "testutil.h"
#include "views.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- fixture ---------------------------------------------------------------------------- */

typedef struct {
    oa_opts o;
    volatile sig_atomic_t flag;
    shell sh;
    char **keep; /* strings handed out by run_ok/run_err, freed with the fixture */
    size_t n_keep;
} fx;

static const char *fx_keep(fx *f, const char *s)
{
    f->keep = realloc(f->keep, (f->n_keep + 1) * sizeof *f->keep);
    assert_non_null(f->keep);
    f->keep[f->n_keep] = strdup(s);
    assert_non_null(f->keep[f->n_keep]);
    return f->keep[f->n_keep++];
}

static fx *fx_new(snap *s)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    memset(&f->o, 0, sizeof f->o);
    collect_defaults(&f->o.col);
    f->o.color = 0;
    shell_init(&f->sh, &f->o, &f->flag);
    if (s)
        shell_set_snapshot(&f->sh, s);
    return f;
}

static void fx_free(fx *f)
{
    shell_free(&f->sh);
    for (size_t i = 0; i < f->n_keep; i++)
        free(f->keep[i]);
    free(f->keep);
    free(f);
}

/* tests/golden/NAME: from the repository root (make unit), or next to this file */
static snap *load_golden(const char *name)
{
    char path[4096], err[OA_ERRLEN] = "";
    snprintf(path, sizeof path, "tests/golden/%s", name);
    struct stat st;
    if (stat(path, &st) != 0) {
        const char *slash = strrchr(__FILE__, '/');
        snprintf(path, sizeof path, "%.*s/../golden/%s", slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".",
                 name);
    }
    snap *s = snap_load(path, err);
    if (!s)
        fail_msg("cannot load %s: %s", path, err);
    return s;
}

static snap *czoo(void)
{
    snap *s = snap_new();
    tu_build_zoo(s, 1);
    return s;
}

static int setup_czoo(void **state)
{
    *state = fx_new(czoo());
    return 0;
}

static int setup_czoo1(void **state)
{
    snap *s = snap_new();
    tu_build_zoo(s, 0);
    *state = fx_new(s);
    return 0;
}

static int setup_golden_zoo(void **state)
{
    *state = fx_new(load_golden("zoo.etf"));
    return 0;
}

static snap *build_shop(void);

static int setup_shop(void **state)
{
    *state = fx_new(build_shop());
    return 0;
}

static int setup_empty(void **state)
{
    *state = fx_new(NULL);
    return 0;
}

static int teardown(void **state)
{
    fx_free(*state);
    return 0;
}

/* ---- running lines ------------------------------------------------------------------------ */

/* A line that must succeed: rc 0, nothing in errs. Returns the output. */
static const char *run_ok(fx *f, const char *line)
{
    strbuf out, errs;
    sb_init(&out);
    sb_init(&errs);
    int rc = shell_exec(&f->sh, line, &out, &errs);
    if (rc != 0 || errs.len)
        fail_msg("`%s`: rc %d, errs: %s", line, rc, errs.buf);
    const char *r = fx_keep(f, out.buf);
    sb_free(&out);
    sb_free(&errs);
    return r;
}

static int count_char(const char *s, char c)
{
    int n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

static int count_lines(const char *s)
{
    return count_char(s, '\n') + (*s && s[strlen(s) - 1] != '\n');
}

static int count_str(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* The shell still answers after an error: the snapshot (if any) is the same and a
 * command works. */
static void still_usable(fx *f, const snap *before)
{
    assert_ptr_equal(f->sh.s, before);
    assert_false(f->sh.quit);
    if (f->sh.s) {
        const char *o = run_ok(f, "summary");
        assert_non_null(strstr(o, "findings"));
        assert_non_null(strstr(o, snap_str(f->sh.s, f->sh.s->info.node)));
    } else
        assert_non_null(strstr(run_ok(f, "help"), "summary"));
}

/* A line that must fail: rc != 0, nothing on out, exactly one line "error: ..." in errs
 * containing want; then the shell is still usable. Returns the error line. */
static const char *run_err(fx *f, const char *line, const char *want)
{
    const snap *before = f->sh.s;
    strbuf out, errs;
    sb_init(&out);
    sb_init(&errs);
    int rc = shell_exec(&f->sh, line, &out, &errs);
    if (rc == 0)
        fail_msg("`%s` succeeded, expected an error containing \"%s\"; output:\n%s", line, want ? want : "", out.buf);
    if (out.len)
        fail_msg("`%s` failed but wrote output: %s", line, out.buf);
    if (strncmp(errs.buf, "error: ", 7) != 0 || count_char(errs.buf, '\n') != 1 || errs.buf[errs.len - 1] != '\n')
        fail_msg("`%s`: expected one \"error: ...\" line, got \"%s\"", line, errs.buf);
    if (want && !strstr(errs.buf, want))
        fail_msg("`%s`: error \"%s\" does not contain \"%s\"", line, errs.buf, want);
    const char *r = fx_keep(f, errs.buf);
    sb_free(&out);
    sb_free(&errs);
    still_usable(f, before);
    return r;
}

/* Line k (0-based) of text, without its newline. */
static const char *line_at(fx *f, const char *text, int k)
{
    const char *p = text;
    for (int i = 0; i < k; i++) {
        p = strchr(p, '\n');
        assert_non_null(p);
        p++;
    }
    size_t n = strcspn(p, "\n");
    char *tmp = strndup(p, n);
    assert_non_null(tmp);
    const char *r = fx_keep(f, tmp);
    free(tmp);
    return r;
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- the command table -------------------------------------------------------------------- */

static void test_cmd_table(void **state)
{
    (void)state;
    static const char *required[] = {"summary", "apps",     "tree",       "top",    "info",    "registry",
                                     "ets",     "findings", "explain",    "report", "refresh", "save",
                                     "load",    "connect",  "disconnect", "help",   "quit"};
    assert_true(shell_n_cmds >= (int)(sizeof required / sizeof required[0]));
    for (int i = 0; i < shell_n_cmds; i++) {
        const shell_cmd *c = &shell_cmds[i];
        assert_non_null(c->name);
        assert_true(c->name[0] != 0);
        assert_non_null(c->args);
        assert_non_null(c->help);
        assert_true(c->help[0] != 0);
        assert_non_null(c->run);
        assert_true(c->min_args >= 0 && c->min_args <= c->max_args);
        assert_true(c->needs >= 0 && c->needs <= 2);
        /* a command with required arguments shows them in its usage */
        if (c->min_args > 0)
            assert_true(c->args[0] != 0);
        if (c->alias)
            assert_true(c->alias[0] != 0);
        /* names and aliases are unique, across both */
        for (int j = 0; j < shell_n_cmds; j++) {
            if (j == i)
                continue;
            const shell_cmd *d = &shell_cmds[j];
            if (!strcmp(c->name, d->name) || (d->alias && !strcmp(c->name, d->alias)))
                fail_msg("command name %s is also %s's name or alias", c->name, d->name);
            if (c->alias && (!strcmp(c->alias, d->name) || (d->alias && !strcmp(c->alias, d->alias))))
                fail_msg("alias %s of %s is also %s's name or alias", c->alias, c->name, d->name);
        }
        if (c->alias)
            assert_true(strcmp(c->alias, c->name) != 0);
        /* "exit" is the one name outside the table (an alias of quit) */
        assert_true(strcmp(c->name, "exit") != 0);
    }
    for (size_t r = 0; r < sizeof required / sizeof required[0]; r++) {
        int found = 0;
        for (int i = 0; i < shell_n_cmds; i++)
            found += !strcmp(shell_cmds[i].name, required[r]);
        if (found != 1)
            fail_msg("command %s: %d entries", required[r], found);
    }
}

static void expect_find(const char *what, const char *name)
{
    const shell_cmd *c = shell_cmd_find(what);
    if (!name) {
        if (c)
            fail_msg("shell_cmd_find(\"%s\") = %s, expected none", what, c->name);
        return;
    }
    if (!c)
        fail_msg("shell_cmd_find(\"%s\") = none, expected %s", what, name);
    if (strcmp(c->name, name))
        fail_msg("shell_cmd_find(\"%s\") = %s, expected %s", what, c->name, name);
}

static void test_cmd_find(void **state)
{
    (void)state;
    /* every name and alias finds its own entry (the pointer into the table) */
    for (int i = 0; i < shell_n_cmds; i++) {
        assert_ptr_equal(shell_cmd_find(shell_cmds[i].name), &shell_cmds[i]);
        if (shell_cmds[i].alias)
            assert_ptr_equal(shell_cmd_find(shell_cmds[i].alias), &shell_cmds[i]);
    }
    /* every prefix of two or more characters: the one command it begins, or none when
     * it begins several (an exact name or alias wins) */
    for (int i = 0; i < shell_n_cmds; i++) {
        const char *n = shell_cmds[i].name;
        for (size_t len = 2; len <= strlen(n); len++) {
            char p[64];
            snprintf(p, sizeof p, "%.*s", (int)len, n);
            int begins = 0;
            const shell_cmd *exact = NULL;
            for (int j = 0; j < shell_n_cmds; j++) {
                begins += starts_with(shell_cmds[j].name, p);
                if (!strcmp(shell_cmds[j].name, p) || (shell_cmds[j].alias && !strcmp(shell_cmds[j].alias, p)))
                    exact = &shell_cmds[j];
            }
            const shell_cmd *want = exact ? exact : begins == 1 ? &shell_cmds[i] : NULL;
            if (!strcmp(p, "exit"))
                continue;
            if (shell_cmd_find(p) != want)
                fail_msg("shell_cmd_find(\"%s\") = %s, expected %s", p,
                         shell_cmd_find(p) ? shell_cmd_find(p)->name : "none", want ? want->name : "none");
        }
    }
    /* by name, alias and unique prefix */
    expect_find("summary", "summary");
    expect_find("s", "summary");
    expect_find("t", "tree");
    expect_find("reg", "registry");
    expect_find("?", "help");
    expect_find("q", "quit");
    expect_find("tr", "tree");
    expect_find("to", "top");
    expect_find("sum", "summary");
    expect_find("regis", "registry");
    expect_find("disc", "disconnect");
    expect_find("con", "connect"); /* not disconnect: a prefix, not a substring */
    expect_find("he", "help");
    expect_find("exit", "quit");
    /* ambiguous prefixes */
    expect_find("re", NULL); /* refresh, registry, report */
    expect_find("ex", "explain");
    expect_find("sa", "save");
    /* one character is never a prefix, only an alias */
    expect_find("d", NULL);
    expect_find("a", NULL);
    expect_find("h", NULL);
    expect_find("l", NULL);
    /* unknown */
    expect_find("", NULL);
    expect_find("frobnicate", NULL);
    expect_find("treex", NULL);
    expect_find("tree ", NULL);
    expect_find("exi", NULL);
    expect_find("quitting", NULL);
}

/* ---- the tokeniser ------------------------------------------------------------------------ */

static void expect_split(const char *line, int want, const char *const *words)
{
    char buf[256], *argv[8];
    int n = shell_split(line, argv, 8, buf, sizeof buf);
    if (n != want)
        fail_msg("shell_split(\"%s\") = %d, expected %d", line, n, want);
    for (int i = 0; i < want; i++)
        if (strcmp(argv[i], words[i]))
            fail_msg("shell_split(\"%s\"): word %d is \"%s\", expected \"%s\"", line, i, argv[i], words[i]);
}

static void test_split(void **state)
{
    (void)state;
    expect_split("tree zoo -d 2", 4, (const char *[]){"tree", "zoo", "-d", "2"});
    expect_split("  top\t -n   3  ", 3, (const char *[]){"top", "-n", "3"});
    expect_split("info 'Zoo Cache'", 2, (const char *[]){"info", "Zoo Cache"});
    expect_split("info \"{:session, 44}\"", 2, (const char *[]){"info", "{:session, 44}"});
    expect_split("say \"it's\" 'a \"b\"'", 3, (const char *[]){"say", "it's", "a \"b\""});
    expect_split("a\"b c\"d e", 2, (const char *[]){"ab cd", "e"});
    expect_split("load '' x", 3, (const char *[]){"load", "", "x"});
    expect_split("x \"\"", 2, (const char *[]){"x", ""});
    expect_split("", 0, NULL);
    expect_split("   \t ", 0, NULL);
    /* exactly max words fit; one more does not */
    expect_split("1 2 3 4 5 6 7 8", 8, (const char *[]){"1", "2", "3", "4", "5", "6", "7", "8"});
    expect_split("1 2 3 4 5 6 7 8 9", -1, NULL);
    /* unterminated quotes */
    expect_split("info 'Zoo", -2, NULL);
    expect_split("info \"Zoo", -2, NULL);
    expect_split("'", -2, NULL);
    expect_split("a 'b' \"c", -2, NULL);

    /* the buffer: words and their terminators must fit */
    char small[6], *argv[8];
    assert_int_equal(shell_split("ab cd", argv, 8, small, sizeof small), 2);
    assert_string_equal(argv[0], "ab");
    assert_string_equal(argv[1], "cd");
    assert_int_equal(shell_split("ab cde", argv, 8, small, sizeof small), -1);
    assert_int_equal(shell_split("abcdefgh", argv, 8, small, sizeof small), -1);
    assert_int_equal(shell_split("abcdef", argv, 8, small, sizeof small), -1);
    assert_int_equal(shell_split("abcde", argv, 8, small, sizeof small), 1);
    assert_string_equal(argv[0], "abcde");
    assert_int_equal(shell_split("'abcde'", argv, 8, small, sizeof small), 1);
    assert_string_equal(argv[0], "abcde");
}

static void test_exec_split_errors(void **state)
{
    fx *f = *state;
    assert_string_equal(run_err(f, "info 'Zoo.Cache", NULL), "error: unterminated quote\n");
    run_err(f, "tree \"zoo", "unterminated quote");
    /* more words than the shell takes (32) */
    strbuf many;
    sb_init(&many);
    sb_puts(&many, "tree");
    for (int i = 0; i < 40; i++)
        sb_puts(&many, " x");
    run_err(f, many.buf, NULL);
    /* a line longer than the buffer */
    sb_reset(&many);
    sb_puts(&many, "info ");
    for (int i = 0; i < 5000; i++)
        sb_putc(&many, 'a');
    run_err(f, many.buf, "too long");
    sb_free(&many);
    /* empty lines and comments do nothing */
    assert_string_equal(run_ok(f, ""), "");
    assert_string_equal(run_ok(f, "   "), "");
    assert_string_equal(run_ok(f, "# tree zoo"), "");
    assert_string_equal(run_ok(f, "  #summary"), "");
}

/* ---- commands on the C-built zoo ------------------------------------------------------------ */

static void test_exec_czoo(void **state)
{
    fx *f = *state;
    char want[256];

    const char *o = run_ok(f, "summary");
    assert_true(starts_with(o, "node      n@h   OTP 26 (ERTS 14.2), Elixir 1.14.0\n"));
    int nc = findings_count(&f->sh.f, SEV_CRITICAL), nw = findings_count(&f->sh.f, SEV_WARNING) - nc;
    assert_true(nc + nw > 0);
    snprintf(want, sizeof want, "findings  %d critical, %d warning, %d info", nc, nw,
             findings_count(&f->sh.f, SEV_INFO) - nc - nw);
    assert_non_null(strstr(o, want));
    assert_non_null(strstr(o, "window    two samples 0.50 s apart\n"));
    assert_non_null(strstr(o, "(24 in snapshot)"));
    /* the alias and a prefix run the same command */
    assert_string_equal(run_ok(f, "s"), o);
    assert_string_equal(run_ok(f, "summ"), o);

    o = run_ok(f, "apps");
    assert_true(starts_with(o, "APP "));
    /* columns sized from the data: the version column starts at one offset on every row */
    const char *zl = strstr(o, "\nzoo "), *kl = strstr(o, "\nkernel ");
    assert_non_null(zl);
    assert_non_null(kl);
    assert_int_equal(strstr(zl, " 0.1.0 ") - zl, strstr(kl, " 9.2 ") - kl);
    /* yours before the runtime's */
    assert_true(strstr(o, "\nzoo ") < strstr(o, "\nkernel "));

    o = run_ok(f, "top");
    assert_true(starts_with(o, "PID "));
    assert_int_equal(count_lines(o), 1 + 15); /* the default: 15 rows */
    assert_null(strstr(o, "<0.150.0>"));      /* the advisor's own process is never listed */
    /* sorted by rate (two samples): the busiest first */
    assert_true(starts_with(line_at(f, o, 1), "<0.111.0> "));
    assert_true(starts_with(line_at(f, o, 2), "<0.103.0> "));
    o = run_ok(f, "top -s mq -n 2");
    assert_int_equal(count_lines(o), 3);
    assert_true(starts_with(line_at(f, o, 1), "<0.111.0> "));
    assert_non_null(strstr(line_at(f, o, 1), " 260000 "));
    o = run_ok(f, "top -n 0");
    assert_int_equal(count_lines(o), 1);

    o = run_ok(f, "info Zoo.Cache");
    assert_true(starts_with(o, "Zoo.Cache <0.103.0>  GenServer, supervised\n"));
    assert_non_null(strstr(o, "\nplace          zoo \xe2\x80\xba Zoo.Supervisor \xe2\x80\xba Zoo.Cache\n"));
    assert_non_null(strstr(o, "\nmessage queue  3 \xe2\x86\x92 7\n"));
    assert_non_null(strstr(o, "\nowns ETS       :Zoo.Cache (set, public, 42 rows, "));
    assert_non_null(strstr(o, "global-bottleneck"));
    /* the same process by pid, by raw atom, by alias */
    assert_string_equal(run_ok(f, "info <0.103.0>"), o);
    assert_string_equal(run_ok(f, "info Elixir.Zoo.Cache"), o);
    assert_string_equal(run_ok(f, "i Zoo.Cache"), o);
    /* a :global name */
    o = run_ok(f, "info zoo_leader");
    assert_true(starts_with(o, "{:global, zoo_leader} <0.160.0>"));
    assert_non_null(strstr(o, "\napplication    zoo (outside its supervision tree)\n"));
    /* an Erlang name with the Elixir colon */
    assert_true(starts_with(run_ok(f, "info :code_server"), "code_server <0.23.0>"));

    o = run_ok(f, "registry");
    assert_true(starts_with(o, "REGISTRY "));
    assert_non_null(strstr(o, "\nZoo.Registry "));
    assert_non_null(strstr(o, "\n:global names: 1\n  zoo_leader "));
    assert_non_null(strstr(o, "\npg scope pg: 2 groups, 5 members\n"));
    o = run_ok(f, "registry Zoo.Registry");
    assert_true(starts_with(o, "Zoo.Registry  unique keys, 1 partition, 1 key (1 read)\n"));
    assert_non_null(strstr(o, "\"room:1\""));
    assert_non_null(strstr(o, "<0.130.0>"));
    assert_string_equal(run_ok(f, "registry Elixir.Zoo.Registry"), o);
    assert_string_equal(run_ok(f, "reg Zoo.Registry"), o);
    o = run_ok(f, "registry Zoo.Registry -n 0");
    assert_int_equal(count_lines(o), 2);
    assert_non_null(strstr(o, "1 more read"));

    o = run_ok(f, "ets");
    assert_true(starts_with(o, "TABLE "));
    assert_int_equal(count_lines(o), 3);
    assert_true(starts_with(line_at(f, o, 1), ":Zoo.Cache "));
    assert_non_null(strstr(o, "\n#Ref<0.1.2.3> "));
    assert_int_equal(count_lines(run_ok(f, "ets -n 1")), 2);

    o = run_ok(f, "findings");
    assert_non_null(strstr(o, "mailbox-buildup"));
    assert_non_null(strstr(o, "global-bottleneck"));
    assert_non_null(strstr(o, " on n@h "));
    assert_string_equal(run_ok(f, "f"), o);

    o = run_ok(f, "explain");
    for (int i = 0; i < n_rules; i++) {
        snprintf(want, sizeof want, "%s \xe2\x80\x94 ", rule_at(i)->id);
        if (!strstr(o, want))
            fail_msg("explain does not list %s", rule_at(i)->id);
    }

    o = run_ok(f, "report zoo");
    assert_true(starts_with(o, "# OTP Analysis: zoo\n"));
    assert_non_null(strstr(o, "## Supervision Tree"));
    o = run_ok(f, "report Zoo.Cache");
    assert_non_null(strstr(o, "# OTP Analysis"));
    assert_non_null(strstr(o, "Zoo.Cache"));

    /* the tree resolves applications, supervisors, workers and pids to a supervisor */
    o = run_ok(f, "tree zoo");
    assert_true(starts_with(o, "Zoo.Supervisor  supervisor one_for_one"));
    assert_string_equal(run_ok(f, "tree Zoo.Supervisor"), o);
    assert_string_equal(run_ok(f, "tree Zoo.Cache"), o); /* a worker: its supervisor's tree */
    assert_string_equal(run_ok(f, "tree <0.102.0>"), o);
    o = run_ok(f, "tree Zoo.WorkerSup");
    assert_true(starts_with(o, "Zoo.WorkerSup  DynamicSupervisor one_for_one  3/5s\n"));
    assert_string_equal(run_ok(f, "tree <0.110.0>"), o);
    assert_true(starts_with(run_ok(f, "tree kernel"), "kernel_sup  supervisor one_for_all  0/1s\n"));
    assert_string_equal(run_ok(f, "tree -d 0"), run_ok(f, "tree"));
}

/* One sample: no rates, an info finding (the linked helper), the not-evaluated notes. */
static void test_exec_czoo_one_sample(void **state)
{
    fx *f = *state;
    int nc = findings_count(&f->sh.f, SEV_CRITICAL), nw = findings_count(&f->sh.f, SEV_WARNING) - nc;
    int ni = findings_count(&f->sh.f, SEV_INFO) - nc - nw;
    assert_true(ni > 0);
    char want[256];
    const char *o = run_ok(f, "summary");
    assert_non_null(strstr(o, "\nwindow    one sample (rates unavailable)\n"));
    snprintf(want, sizeof want, "\nfindings  %d critical, %d warning, %d info   (`findings` to list them)\n", nc, nw,
             ni);
    assert_non_null(strstr(o, want));

    /* findings: every severity by default, -s hides below */
    o = run_ok(f, "findings");
    assert_int_equal(count_str(o, "\n\xe2\x84\xb9 info      "), ni);
    assert_non_null(strstr(o, "\xe2\x84\xb9 info      unsupervised-process  "));
    assert_non_null(strstr(o, " <0.140.0>\n"));
    assert_non_null(strstr(o, "not fully evaluated: "));
    assert_null(strstr(o, "some hidden by -s"));
    assert_string_equal(run_ok(f, "findings -s info"), o);
    o = run_ok(f, "findings -s warning");
    assert_null(strstr(o, "\xe2\x84\xb9 info"));
    assert_int_equal(count_str(o, "\xe2\x9a\xa0 warning   "), nw);
    assert_non_null(strstr(o, "some hidden by -s"));
    o = run_ok(f, "findings unsupervised-process");
    assert_non_null(strstr(o, "<0.140.0>"));
    assert_null(strstr(o, "mailbox-buildup"));
    o = run_ok(f, "findings -s warning unsupervised-process");
    assert_null(strstr(o, "<0.140.0>"));
    assert_non_null(strstr(o, "<0.131.0>"));

    /* top: by queue without a window; -s rate says it sorts by reductions */
    o = run_ok(f, "top -n 2");
    assert_true(starts_with(line_at(f, o, 1), "<0.111.0> "));
    assert_non_null(strstr(line_at(f, o, 1), " 250000 "));
    assert_true(starts_with(line_at(f, o, 2), "<0.103.0> "));
    o = run_ok(f, "top -s rate -n 1");
    assert_int_equal(count_lines(o), 3);
    assert_string_equal(line_at(f, o, 1), "(one sample: sorted by total reductions; refresh with a window for rates)");
    assert_true(starts_with(line_at(f, o, 2), "<0.23.0> ")); /* code_server: 200,000 reductions */
    snprintf(want, sizeof want, "%s\n%s\n", line_at(f, o, 0), line_at(f, o, 2));
    assert_string_equal(run_ok(f, "top -s reds -n 1"), want);

    /* info without a window: one queue length, no rate */
    o = run_ok(f, "info Zoo.Cache");
    assert_non_null(strstr(o, "\nmessage queue  3\n"));
    assert_non_null(strstr(o, "\nreductions     1,000\n"));
}

/* ---- commands on a real node's snapshot ----------------------------------------------------- */

static uint32_t must_find(snap *s, const char *name)
{
    uint32_t p = snap_find_name(s, name);
    if (p == SNAP_NONE)
        fail_msg("no %s in the snapshot", name);
    return p;
}

static int cmp_u64_desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* `ets -s size|mem -n n`: a header and the n largest tables by that key, largest first
 * (checked on the ROWS or MEMORY cell, " %10s "). */
static void check_ets_order(fx *f, int by_mem, int n)
{
    snap *s = f->sh.s;
    char line[64];
    snprintf(line, sizeof line, "ets -s %s -n %d", by_mem ? "mem" : "size", n);
    const char *o = run_ok(f, line);
    int rows = (size_t)n < s->ets.len ? n : (int)s->ets.len;
    assert_int_equal(count_lines(o), 1 + rows);
    assert_true(starts_with(o, "TABLE "));
    uint64_t *key = calloc(s->ets.len + 1, sizeof *key);
    assert_non_null(key);
    for (size_t i = 0; i < s->ets.len; i++)
        key[i] = by_mem ? ((snap_ets *)vec_at(&s->ets, i))->mem : ((snap_ets *)vec_at(&s->ets, i))->size;
    qsort(key, s->ets.len, sizeof *key, cmp_u64_desc);
    for (int k = 0; k < rows; k++) {
        char num[32], cell[48];
        if (by_mem)
            fmt_bytes(key[k], num, sizeof num);
        else
            fmt_num(key[k], num, sizeof num);
        snprintf(cell, sizeof cell, " %s ", num); /* its column is sized from the data */
        if (!strstr(line_at(f, o, k + 1), cell)) {
            free(key);
            fail_msg("`%s` row %d is \"%s\", expected \"%s\" in it", line, k + 1, line_at(f, o, k + 1), cell);
        }
    }
    free(key);
}

static void test_exec_golden_zoo(void **state)
{
    fx *f = *state;
    snap *s = f->sh.s;
    const char *node = snap_str(s, s->info.node);
    char want[512];

    const char *o = run_ok(f, "summary");
    assert_non_null(strstr(o, node));
    assert_non_null(strstr(o, "findings"));
    snprintf(want, sizeof want, "findings  %d critical", findings_count(&f->sh.f, SEV_CRITICAL));
    assert_non_null(strstr(o, want));

    /* the whole tree of the application, dynamic children collapsed */
    o = run_ok(f, "tree zoo");
    assert_true(starts_with(o, "Zoo.Supervisor  supervisor one_for_one"));
    assert_non_null(strstr(o, "Zoo.Sessions"));
    const char *coll = strstr(o, " \xc3\x97 Zoo.Session ");
    assert_non_null(coll);
    /* "3,053 × Zoo.Session": the count of children, with thousands separators */
    const snap_proc *sessions = snap_proc_at(s, must_find(s, "Zoo.Sessions"));
    assert_int_not_equal(sessions->own_sup, SNAP_NONE);
    char cnt[32];
    fmt_num(snap_sup_at(s, sessions->own_sup)->n_children, cnt, sizeof cnt);
    assert_non_null(strchr(cnt, ','));
    snprintf(want, sizeof want, "\xe2\x94\x80\xe2\x94\x80 %s \xc3\x97 Zoo.Session ", cnt);
    assert_non_null(strstr(o, want));
    assert_non_null(strstr(o, "3,"));
    /* no child of Zoo.Sessions is listed one by one */
    assert_true(count_lines(o) < 40);
    assert_string_equal(run_ok(f, "t zoo"), o);

    o = run_ok(f, "tree Zoo.Sessions -d 1");
    assert_true(starts_with(o, "Zoo.Sessions  DynamicSupervisor"));
    assert_int_equal(count_lines(o), 2);
    assert_true(starts_with(line_at(f, o, 1), "\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 3,"));
    assert_non_null(strstr(o, "\xc3\x97 Zoo.Session"));
    assert_null(strstr(o, "Zoo.Supervisor"));
    /* -d 1 on the application stops below the top supervisor's children */
    o = run_ok(f, "tree zoo -d 1");
    assert_non_null(strstr(o, "children (-d to see deeper)"));
    assert_null(strstr(o, "\xc3\x97 Zoo.Session"));
    assert_true(count_lines(o) < count_lines(run_ok(f, "tree zoo")) + 10);
    assert_string_equal(run_ok(f, "tree -d 1 zoo"), o);

    /* top 3 by memory: a header and the three largest, largest first */
    o = run_ok(f, "top -n 3 -s mem");
    assert_int_equal(count_lines(o), 4);
    assert_true(starts_with(o, "PID "));
    assert_non_null(strstr(line_at(f, o, 0), "MEMORY"));
    {
        uint64_t *mem = calloc(s->procs.len, sizeof *mem);
        assert_non_null(mem);
        uint32_t m = 0;
        for (uint32_t i = 0; i < s->procs.len; i++) {
            const snap_proc *p = snap_proc_at(s, i);
            if (p->cls != PC_ADVISOR)
                mem[m++] = (p->flags & PF_SAMPLE2) ? p->mem2 : p->mem;
        }
        qsort(mem, m, sizeof *mem, cmp_u64_desc);
        for (int k = 0; k < 3; k++) {
            char b[32];
            fmt_bytes(mem[k], b, sizeof b);
            if (!strstr(line_at(f, o, k + 1), b))
                fail_msg("top -s mem row %d is \"%s\", expected memory %s", k + 1, line_at(f, o, k + 1), b);
        }
        free(mem);
    }
    assert_string_equal(run_ok(f, "top -s mem -n 3"), o);

    /* info by name and by pid */
    o = run_ok(f, "info Zoo.GlobalBottleneck");
    assert_true(starts_with(o, "Zoo.GlobalBottleneck <0."));
    assert_non_null(strstr(o, "\nplace          zoo \xe2\x80\xba Zoo.Supervisor \xe2\x80\xba Zoo.GlobalBottleneck\n"));
    assert_non_null(strstr(o, "global-bottleneck"));
    char pid[64], line[128];
    snap_pid_text(s, snap_proc_at(s, must_find(s, "Zoo.GlobalBottleneck"))->pid, pid, sizeof pid);
    assert_non_null(strstr(line_at(f, o, 0), pid));
    snprintf(line, sizeof line, "info %s", pid);
    assert_string_equal(run_ok(f, line), o);

    /* registries */
    o = run_ok(f, "registry");
    assert_true(starts_with(o, "REGISTRY "));
    assert_non_null(strstr(o, "\nZoo.Registry "));
    o = run_ok(f, "registry Zoo.Registry -n 2");
    assert_true(starts_with(o, "Zoo.Registry  unique keys, 1 partition, "));
    assert_int_equal(count_lines(o), 1 + 2 + 1);
    const snap_registry *rg = vec_at(&s->regs, 0);
    assert_true(rg->n_keys > 2);
    snprintf(want, sizeof want, "  \xe2\x80\xa6 %u more read (registry Zoo.Registry -n N)", rg->n_keys - 2);
    assert_string_equal(line_at(f, o, 3), want);
    assert_true(starts_with(line_at(f, o, 1), "  {:session, "));
    assert_non_null(strstr(line_at(f, o, 1), "Zoo.Session"));

    /* ETS by size: a header and the three largest; by size and by memory differ further down */
    check_ets_order(f, 0, 3);
    check_ets_order(f, 0, 8);
    check_ets_order(f, 1, 8);
    assert_string_equal(run_ok(f, "ets -n 8"), run_ok(f, "ets -n 8 -s mem"));
    assert_int_equal(count_lines(run_ok(f, "ets")), 1 + 25);

    /* findings: only the critical ones */
    o = run_ok(f, "findings -s critical");
    int nc = findings_count(&f->sh.f, SEV_CRITICAL);
    assert_true(nc > 0);
    assert_int_equal(count_str(o, "\xe2\x9c\x96 critical  "), nc);
    assert_null(strstr(o, "warning   "));
    assert_null(strstr(o, "\xe2\x9a\xa0"));
    assert_non_null(strstr(o, "some hidden by -s"));
    o = run_ok(f, "findings -s warning");
    assert_int_equal(count_str(o, "\xe2\x9c\x96 critical  ") + count_str(o, "\xe2\x9a\xa0 warning   "),
                     findings_count(&f->sh.f, SEV_WARNING));
    /* one rule, run alone */
    o = run_ok(f, "findings mailbox-buildup");
    assert_non_null(strstr(o, "mailbox-buildup  Zoo.MailboxBuildup"));
    for (int i = 0; i < n_rules; i++) {
        snprintf(want, sizeof want, "  %s  ", rule_at(i)->id);
        if (strcmp(rule_at(i)->id, "mailbox-buildup") && strstr(o, want))
            fail_msg("findings mailbox-buildup shows %s", rule_at(i)->id);
    }
    assert_string_equal(run_ok(f, "findings -s warning mailbox-buildup"), o);

    o = run_ok(f, "explain restart-churn");
    assert_true(starts_with(o, "restart-churn \xe2\x80\x94 "));
    assert_non_null(strstr(o, "churn.ratio"));
    assert_null(strstr(o, "mailbox-buildup \xe2\x80\x94"));
    assert_string_equal(run_ok(f, "e restart-churn"), o);

    /* help: every command, then one */
    o = run_ok(f, "help");
    for (int i = 0; i < shell_n_cmds; i++) {
        snprintf(want, sizeof want, "\n  %-11s ", shell_cmds[i].name);
        if (i == 0 ? !starts_with(o, want + 1) : !strstr(o, want))
            fail_msg("help does not list %s", shell_cmds[i].name);
    }
    assert_string_equal(run_ok(f, "?"), o);
    o = run_ok(f, "help tree");
    assert_string_equal(o, "tree [APP|SUP|PID|NAME] [-d DEPTH] [--dot] [--node NODE|--all]   (alias: t)\n"
                           "  supervision tree with strategies, intensities and findings; dynamic children collapsed; "
                           "--dot: as Graphviz DOT\n");
    assert_string_equal(run_ok(f, "help t"), o);
    assert_string_equal(run_ok(f, "help apps"), "apps \n  applications, versions, process counts, top supervisors\n");

    o = run_ok(f, "apps");
    assert_non_null(strstr(o, "\nzoo "));
    assert_non_null(strstr(o, "\nstdlib "));
}

static void test_report_to_file(void **state)
{
    fx *f = *state;
    char path[64], line[128];
    tu_tmp_path(path, sizeof path);
    snprintf(line, sizeof line, "report zoo -o %s", path);
    char want[128];
    snprintf(want, sizeof want, "report written to %s\n", path);
    assert_string_equal(run_ok(f, line), want);
    size_t n;
    unsigned char *b = tu_read_file(path, &n);
    assert_true(n > 100);
    assert_memory_equal(b, "# OTP Analysis: zoo\n", 20);
    char *txt = strndup((char *)b, n);
    assert_non_null(txt);
    assert_string_equal(txt, run_ok(f, "report zoo"));
    free(txt);
    free(b);
    unlink(path);
}

/* ---- errors --------------------------------------------------------------------------------- */

static void test_errors_czoo(void **state)
{
    fx *f = *state;
    /* unknown and ambiguous commands */
    assert_string_equal(run_err(f, "frobnicate", NULL),
                        "error: unknown command 'frobnicate' (`help` lists commands)\n");
    run_err(f, "re", "unknown command 're'");
    run_err(f, "'' zoo", "unknown command ''");
    /* wrong arity: the usage line */
    assert_string_equal(run_err(f, "info", NULL), "error: usage: info PID|NAME\n");
    run_err(f, "info Zoo.Cache Zoo.Registry", "usage: info PID|NAME");
    run_err(f, "summary now", "usage: summary");
    run_err(f, "apps zoo", "usage: apps");
    run_err(f, "tree a b", "usage: tree [APP|SUP|PID|NAME] [-d DEPTH]");
    run_err(f, "tree a b c d", "usage: tree [APP|SUP|PID|NAME] [-d DEPTH]");
    run_err(f, "tree zoo -d 1 -d 2", "usage: tree");
    run_err(f, "top zoo", "usage: top [-s mq|reds|rate|mem] [-n N]");
    run_err(f, "top -s mem -n 3 zoo", "usage: top");
    run_err(f, "explain restart-churn mailbox-buildup", "usage: explain [RULE|thresholds]");
    run_err(f, "help tree top", "usage: help [COMMAND]");
    run_err(f, "save", "usage: save FILE");
    run_err(f, "load", "usage: load FILE");
    run_err(f, "quit now", "usage: quit");
    /* a control character in an unknown command is shown, never sent to the terminal */
    assert_string_equal(run_err(f, "\x04quit", NULL), "error: unknown command '^Dquit' (`help` lists commands)\n");
    run_err(f, "disconnect now", "usage: disconnect");
    run_err(f, "refresh 1 2", "usage: refresh [SECONDS]");
    run_err(f, "top -n 3 -n 4", "-n given twice; usage: top");
    run_err(f, "summary -x 1", "unknown option -x; usage: summary");
    run_err(f, "top --sort mq", "unknown option --sort; usage: top");
    run_err(f, "top --dot", "unknown option --dot; usage: top"); /* a long flag only where the entry has it */
    run_err(f, "tree --do", "unknown option --do; usage: tree");
    assert_non_null(strstr(run_ok(f, "tree --dot"), "digraph otp {"));
    run_err(f, "ets -s mem -n 3 x", "usage: ets");
    run_err(f, "registry Zoo.Registry -n 1 x", "usage: registry");
    /* options nobody takes */
    run_err(f, "top -x", "-x");
    run_err(f, "tree zoo -x", "-x");
    run_err(f, "findings -x", "-x");
    run_err(f, "registry -x", "-x");
    run_err(f, "report zoo -x", "-x");
    /* bad option values */
    assert_string_equal(run_err(f, "top -s nope", NULL), "error: top -s takes mq, reds, rate or mem, not 'nope'\n");
    run_err(f, "top -s", "-s needs a value");
    run_err(f, "top -n", "-n needs a number");
    run_err(f, "top -n x", "-n needs a number, not 'x'");
    run_err(f, "top -n -1", "-n needs a number, not '-1'");
    run_err(f, "top -n 3x", "not '3x'");
    run_err(f, "top -n 2000000", "not '2000000'");
    assert_string_equal(run_err(f, "tree -d x", NULL), "error: -d needs a number, not 'x'\n");
    run_err(f, "tree zoo -d", "-d needs a number");
    assert_string_equal(run_err(f, "findings -s loud", NULL),
                        "error: findings -s takes info, warning or critical, not 'loud'\n");
    run_err(f, "findings -s", "-s needs a value");
    run_err(f, "ets -s rows", "ets -s takes mem or size, not 'rows'");
    run_err(f, "ets -n many", "-n needs a number");
    run_err(f, "registry Zoo.Registry -n x", "-n needs a number");
    run_err(f, "report -o", "-o needs a value");
    run_err(f, "refresh abc", "refresh takes seconds between 0 and 600, not 'abc'");
    run_err(f, "refresh 601", "not '601'");
    run_err(f, "refresh -1", "not '-1'");
    run_err(f, "refresh inf", "not 'inf'");
    /* unknown names, rules, registries, commands */
    assert_string_equal(run_err(f, "info Nope.Nobody", NULL),
                        "error: no process Nope.Nobody in this snapshot (a pid like <0.123.0> or a name)\n");
    run_err(f, "info <0.9999.0>", "no process <0.9999.0>");
    run_err(f, "info <0.abc>", "no process <0.abc>");
    run_err(f, "info :", "no process :");
    run_err(f, "tree Nope", "no application, supervisor, process or name 'Nope' in this snapshot");
    run_err(f, "tree <0.130.0>", "<0.130.0> is not in a supervision tree (app-orphan)");
    run_err(f, "tree zoo_leader", "zoo_leader is not in a supervision tree");
    run_err(f, "report Nope", "no application, supervisor, process or name 'Nope'");
    assert_string_equal(run_err(f, "registry Nope", NULL), "error: no Registry named Nope (try `registry`)\n");
    run_err(f, "registry zoo_leader", "no Registry named zoo_leader");
    run_err(f, "findings no-such-rule", "no rule 'no-such-rule' (`explain` lists them)");
    run_err(f, "findings -s critical no-such-rule", "no rule 'no-such-rule'");
    run_err(f, "explain no-such-rule", "no rule 'no-such-rule' (`explain` lists them)");
    run_err(f, "help nope", "no command 'nope' (`help` lists them)");
    /* no connection */
    assert_string_equal(run_err(f, "refresh", NULL),
                        "error: not connected: `connect NODE` first (reading a file? `load FILE`)\n");
    run_err(f, "r 2", "not connected");
    assert_string_equal(run_err(f, "disconnect", NULL), "error: not connected\n");
    run_err(f, "connect", "usage: connect NODE");
    /* files */
    run_err(f, "load /nonexistent-dir/zoo.etf", "/nonexistent-dir/zoo.etf");
    run_err(f, "save /nonexistent-dir/zoo.etf", NULL);
    run_err(f, "report zoo -o /nonexistent-dir/r.md", "cannot write /nonexistent-dir/r.md");
    /* a file that is not a snapshot leaves the loaded one in place */
    char path[64], line[128];
    tu_tmp_path(path, sizeof path);
    tu_write_file(path, "not a snapshot\n", 15);
    snprintf(line, sizeof line, "load %s", path);
    run_err(f, line, "not an otp-advisor snapshot");
    tu_write_file(path, "", 0);
    run_err(f, line, "empty");
    unlink(path);
    char prompt[256];
    assert_string_equal(shell_prompt(&f->sh, prompt, sizeof prompt), "otp-advisor (offline)> ");
}

static void test_errors_golden_zoo(void **state)
{
    fx *f = *state;
    run_err(f, "tree stdlib", "application stdlib has no supervision tree");
    run_err(f, "info Zoo.Nope", "no process Zoo.Nope");
    run_err(f, "registry Zoo.Sessions", "no Registry named Zoo.Sessions");
    run_err(f, "top -s nope", "not 'nope'");
    run_err(f, "tree -d x", "not 'x'");
    run_err(f, "findings -s loud", "not 'loud'");
    run_err(f, "explain nope", "no rule 'nope'");
    run_err(f, "refresh", "not connected");
    run_err(f, "disconnect", "not connected");
}

static void test_no_snapshot(void **state)
{
    fx *f = *state;
    char prompt[256], line[128], want[128];
    assert_null(f->sh.s);
    assert_string_equal(shell_prompt(&f->sh, prompt, sizeof prompt), "otp-advisor (no snapshot)> ");
    /* every command that reads the snapshot says it needs one */
    int n = 0;
    for (int i = 0; i < shell_n_cmds; i++) {
        const shell_cmd *c = &shell_cmds[i];
        if (c->needs != 1)
            continue;
        snprintf(line, sizeof line, "%s%s", c->name, c->min_args ? " x" : "");
        snprintf(want, sizeof want, "error: %s needs a snapshot: `connect NODE` or `load FILE`\n", c->name);
        assert_string_equal(run_err(f, line, NULL), want);
        n++;
    }
    assert_true(n >= 9);
    run_err(f, "summary", "summary needs a snapshot");
    run_err(f, "t zoo", "tree needs a snapshot");
    run_err(f, "top -n 3 -s mem", "top needs a snapshot");
    run_err(f, "info Zoo.Cache", "info needs a snapshot");
    run_err(f, "save /tmp/never-written.etf", "save needs a snapshot");
    /* the others work without one */
    assert_non_null(strstr(run_ok(f, "help"), "summary"));
    assert_true(starts_with(run_ok(f, "help info"), "info PID|NAME"));
    assert_non_null(strstr(run_ok(f, "explain"), "restart-churn"));
    assert_true(starts_with(run_ok(f, "explain restart-churn"), "restart-churn"));
    run_err(f, "explain nope", "no rule 'nope'");
    run_err(f, "disconnect", "not connected");
    run_err(f, "connect", "usage: connect NODE");
    run_err(f, "load /nonexistent-dir/zoo.etf", "/nonexistent-dir/zoo.etf");
    assert_null(f->sh.s);
    assert_string_equal(shell_prompt(&f->sh, prompt, sizeof prompt), "otp-advisor (no snapshot)> ");
    assert_string_equal(run_ok(f, "quit"), "");
    assert_true(f->sh.quit);
}

static void test_quit(void **state)
{
    static const char *lines[] = {"quit", "q", "exit", "qu"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        fx *f = fx_new(NULL);
        assert_false(f->sh.quit);
        assert_string_equal(run_ok(f, lines[i]), "");
        if (!f->sh.quit)
            fail_msg("`%s` did not quit", lines[i]);
        fx_free(f);
    }
    (void)state;
}

/* --set NAME=VALUE (oa_opts.sets) reaches the thresholds the shell's rules run with; a
 * bad one is reported and skipped. */
static void test_init_sets(void **state)
{
    (void)state;
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    collect_defaults(&f->o.col);
    f->o.sets[0] = "mailbox.queue=1000000";
    f->o.sets[1] = "mailbox.growth=1000000";
    f->o.sets[2] = "no.such.threshold=1";
    f->o.sets[3] = "churn.ratio=0.75";
    f->o.n_sets = 4;
    shell_init(&f->sh, &f->o, &f->flag);
    assert_true(rule_opt(&f->sh.ro, "mailbox.queue") == 1000000);
    assert_true(rule_opt(&f->sh.ro, "churn.ratio") == 0.75);
    shell_set_snapshot(&f->sh, czoo());
    assert_non_null(strstr(run_ok(f, "explain restart-churn"), "--set churn.ratio=0.75 "));
    const char *o = run_ok(f, "findings");
    assert_null(strstr(o, "mailbox-buildup"));
    assert_non_null(strstr(o, "global-bottleneck"));
    fx_free(f);
    /* the defaults, for comparison */
    f = fx_new(czoo());
    assert_non_null(strstr(run_ok(f, "findings"), "mailbox-buildup"));
    assert_non_null(strstr(run_ok(f, "explain restart-churn"), "--set churn.ratio=0.5 "));
    fx_free(f);
}

/* Colour only adds escape sequences: the text without them is the text without colour. */
static char *strip_ansi(const char *p)
{
    strbuf b;
    sb_init(&b);
    while (*p) {
        if (*p == 0x1b) {
            const char *m = strchr(p, 'm');
            assert_non_null(m);
            p = m + 1;
        } else
            sb_putc(&b, *p++);
    }
    return b.buf;
}

static void expect_colour_only_adds_escapes(fx *f, const char *const *lines, size_t n, int *coloured)
{
    for (size_t i = 0; i < n; i++) {
        f->sh.color = 0;
        const char *plain = run_ok(f, lines[i]);
        f->sh.color = 1;
        const char *col = run_ok(f, lines[i]);
        f->sh.color = 0;
        char *st = strip_ansi(col);
        *coloured += strchr(col, 0x1b) != NULL;
        if (strcmp(st, plain)) {
            const char *x = plain, *y = st;
            while (*x && *x == *y)
                x++, y++;
            while (x > plain && x[-1] != '\n')
                x--, y--;
            char msg[1024];
            snprintf(msg, sizeof msg, "`%s`: colour changes the text:\n  plain:  %.*s\n  colour: %.*s", lines[i],
                     (int)strcspn(x, "\n"), x, (int)strcspn(y, "\n"), y);
            free(st);
            fail_msg("%s", msg);
        }
        free(st);
    }
}

static void test_colour_only_adds_escapes(void **state)
{
    fx *f = *state;
    static const char *lines[] = {"summary",
                                  "apps",
                                  "tree",
                                  "tree zoo -d 1",
                                  "info Zoo.GlobalBottleneck",
                                  "registry",
                                  "registry Zoo.Registry -n 3",
                                  "ets",
                                  "findings",
                                  "findings -s critical",
                                  "explain",
                                  "help"};
    int coloured = 0;
    expect_colour_only_adds_escapes(f, lines, N(lines), &coloured);
    assert_true(coloured >= 8);
}

/* ---- save, load, prompt --------------------------------------------------------------------- */

static void test_save_load_roundtrip(void **state)
{
    fx *f = *state;
    static const char *views[] = {"summary",
                                  "apps",
                                  "tree",
                                  "top -s mem",
                                  "info Zoo.GlobalBottleneck",
                                  "registry",
                                  "registry Zoo.Registry -n 5",
                                  "ets",
                                  "findings",
                                  "report zoo"};
    const char *before[sizeof views / sizeof views[0]];
    for (size_t i = 0; i < sizeof views / sizeof views[0]; i++)
        before[i] = run_ok(f, views[i]);
    char prompt[4200], path[64], line[128], want[256];
    assert_string_equal(shell_prompt(&f->sh, prompt, sizeof prompt), "otp-advisor (offline)> ");

    tu_tmp_path(path, sizeof path);
    snprintf(line, sizeof line, "save %s", path);
    snprintf(want, sizeof want, "saved to %s\n", path);
    assert_string_equal(run_ok(f, line), want);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size > 1000);

    /* load it into a fresh shell */
    fx *g = fx_new(NULL);
    snprintf(line, sizeof line, "load %s", path);
    snprintf(want, sizeof want, "loaded %s: %zu processes of %s\n", path, f->sh.s->procs.len,
             snap_str(f->sh.s, f->sh.s->info.node));
    assert_string_equal(run_ok(g, line), want);
    snprintf(want, sizeof want, "%s (offline)> ", path);
    assert_string_equal(shell_prompt(&g->sh, prompt, sizeof prompt), want);
    for (size_t i = 0; i < sizeof views / sizeof views[0]; i++)
        if (strcmp(run_ok(g, views[i]), before[i]))
            fail_msg("`%s` differs after save and load:\n%s\n---- before:\n%s", views[i], run_ok(g, views[i]),
                     before[i]);
    fx_free(g);

    /* and over the loaded snapshot of this shell */
    snprintf(want, sizeof want, "loaded %s: %zu processes of %s\n", path, f->sh.s->procs.len,
             snap_str(f->sh.s, f->sh.s->info.node));
    assert_string_equal(run_ok(f, line), want);
    snprintf(want, sizeof want, "%s (offline)> ", path);
    assert_string_equal(shell_prompt(&f->sh, prompt, sizeof prompt), want);
    for (size_t i = 0; i < sizeof views / sizeof views[0]; i++)
        assert_string_equal(run_ok(f, views[i]), before[i]);
    unlink(path);
}

static void test_prompt_states(void **state)
{
    fx *f = *state;
    char prompt[256];
    assert_string_equal(shell_prompt(&f->sh, prompt, sizeof prompt), "otp-advisor (offline)> ");
    f->sh.color = 1;
    shell_prompt(&f->sh, prompt, sizeof prompt);
    assert_string_equal(prompt, "\033[1;33motp-advisor (offline)\033[0m> ");
    f->sh.color = 0;
    /* a node that was attached and is gone (fd -1): "(disconnected)"; refresh says so and
     * keeps the snapshot */
    f->sh.connected = 1;
    snprintf(f->sh.node, sizeof f->sh.node, "gone@nowhere");
    snprintf(f->sh.source, sizeof f->sh.source, "gone@nowhere");
    assert_string_equal(shell_prompt(&f->sh, prompt, sizeof prompt), "gone@nowhere (disconnected)> ");
    run_err(f, "refresh", "gone@nowhere is unreachable");
    run_err(f, "refresh 0.5", "`connect` to retry");
    /* disconnect: the snapshot stays, the prompt says offline */
    assert_string_equal(run_ok(f, "disconnect"),
                        "disconnected from gone@nowhere (probe removed); the snapshot stays loaded\n");
    assert_false(f->sh.connected);
    assert_non_null(f->sh.s);
    assert_string_equal(shell_prompt(&f->sh, prompt, sizeof prompt), "gone@nowhere (offline)> ");
    run_err(f, "disconnect", "not connected");
    /* load detaches: attached to a node that is gone, `load FILE` makes the shell offline */
    char path[64], line[128], want[256];
    tu_tmp_path(path, sizeof path);
    snprintf(line, sizeof line, "save %s", path);
    run_ok(f, line);
    f->sh.connected = 1;
    assert_string_equal(shell_prompt(&f->sh, prompt, sizeof prompt), "gone@nowhere (disconnected)> ");
    snprintf(line, sizeof line, "load %s", path);
    assert_true(starts_with(run_ok(f, line), "loaded "));
    assert_false(f->sh.connected);
    snprintf(want, sizeof want, "%s (offline)> ", path);
    assert_string_equal(shell_prompt(&f->sh, prompt, sizeof prompt), want);
    run_err(f, "refresh", "not connected");
    unlink(path);
    /* a small buffer is cut, never overrun */
    char tiny[8];
    memset(tiny, 'x', sizeof tiny);
    shell_prompt(&f->sh, tiny, 5);
    assert_string_equal(tiny, "/tmp");
    assert_int_equal(tiny[5], 'x');
}

/* ---- completion ----------------------------------------------------------------------------- */

static void cands_free(vec *v)
{
    for (size_t i = 0; i < v->len; i++)
        free(*(char **)vec_at(v, i));
    vec_free(v);
}

static int has(const vec *v, const char *s)
{
    for (size_t i = 0; i < v->len; i++)
        if (!strcmp(*(char **)vec_at(v, i), s))
            return 1;
    return 0;
}

/* Candidates for (cmd, pos, prefix); every one starts with prefix, none twice. */
static void complete(fx *f, const char *cmd, int pos, const char *prefix, vec *out)
{
    vec_init(out, sizeof(char *));
    shell_complete(&f->sh, cmd, pos, prefix, out);
    for (size_t i = 0; i < out->len; i++) {
        const char *c = *(char **)vec_at(out, i);
        if (!starts_with(c, prefix))
            fail_msg("completing %s %d '%s': candidate '%s' does not start with the prefix", cmd, pos, prefix, c);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(c, *(char **)vec_at(out, j)))
                fail_msg("completing %s %d '%s': '%s' twice", cmd, pos, prefix, c);
    }
}

static void expect_exactly(fx *f, const char *cmd, int pos, const char *prefix, const char *const *want, size_t n)
{
    vec v;
    complete(f, cmd, pos, prefix, &v);
    if (v.len != n) {
        strbuf b;
        sb_init(&b);
        for (size_t i = 0; i < v.len; i++)
            sb_printf(&b, " [%s]", *(char **)vec_at(&v, i));
        fail_msg("completing %s %d '%s': %zu candidates (%s), expected %zu", cmd, pos, prefix, v.len, b.buf, n);
    }
    for (size_t i = 0; i < n; i++)
        if (!has(&v, want[i]))
            fail_msg("completing %s %d '%s': no '%s'", cmd, pos, prefix, want[i]);
    cands_free(&v);
}

static void expect_has(fx *f, const char *cmd, int pos, const char *prefix, const char *const *want, size_t n,
                       const char *const * not, size_t nn)
{
    vec v;
    complete(f, cmd, pos, prefix, &v);
    for (size_t i = 0; i < n; i++)
        if (!has(&v, want[i]))
            fail_msg("completing %s %d '%s': no '%s' among %zu", cmd, pos, prefix, want[i], v.len);
    for (size_t i = 0; i < nn; i++)
        if (has(&v, not [i]))
            fail_msg("completing %s %d '%s': '%s' offered", cmd, pos, prefix, not [i]);
    cands_free(&v);
}

/* `timing on` prints how long each later command took; `timing off` stops; anything else is refused */
static void test_timing(void **state)
{
    fx *f = *state;
    const char *o = run_ok(f, "timing on");
    assert_non_null(strstr(o, "timing is on"));
    o = run_ok(f, "summary");
    if (!strstr(o, "czoo") && !strstr(o, "processes"))
        fail_msg("`summary` printed no summary under timing: %s", o);
    const char *t = strstr(o, "time: ");
    if (!t || !strstr(t, " ms\n"))
        fail_msg("`summary` with timing on must end with \"time: N ms\": %s", o);
    o = run_ok(f, "timing off");
    assert_non_null(strstr(o, "timing is off"));
    assert_null(strstr(o, "time: "));
    o = run_ok(f, "summary");
    assert_true(strlen(o) > 0);
    assert_null(strstr(o, "time: "));
    strbuf out, errs;
    sb_init(&out);
    sb_init(&errs);
    int rc = shell_exec(&f->sh, "timing maybe", &out, &errs);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(errs.buf, "timing takes on or off"));
    sb_free(&out);
    sb_free(&errs);
}

static void test_complete_czoo(void **state)
{
    fx *f = *state;
    vec v;
    /* commands at position 0, by prefix */
    static const char *t[] = {"tree", "top", "timing"};
    expect_exactly(f, "", 0, "t", t, N(t));
    static const char *re[] = {"refresh", "registry", "report"};
    expect_exactly(f, "", 0, "re", re, N(re));
    static const char *dis[] = {"disconnect"};
    expect_exactly(f, "", 0, "dis", dis, N(dis));
    expect_exactly(f, "", 0, "zz", NULL, 0);
    expect_exactly(f, "", 0, "treex", NULL, 0);
    complete(f, "", 0, "", &v);
    assert_int_equal(v.len, shell_n_cmds);
    for (int i = 0; i < shell_n_cmds; i++)
        assert_true(has(&v, shell_cmds[i].name));
    cands_free(&v);

    /* rule ids after explain and findings (and their aliases) */
    static const char *cmds_rule[] = {"explain", "findings", "e", "f", "fi"};
    for (size_t k = 0; k < N(cmds_rule); k++) {
        complete(f, cmds_rule[k], 1, "", &v);
        assert_int_equal(v.len, n_rules);
        for (int i = 0; i < n_rules; i++)
            assert_true(has(&v, rule_at(i)->id));
        cands_free(&v);
    }
    static const char *rc[] = {"restart-churn", "restarts-over-time"};
    expect_exactly(f, "explain", 1, "restart", rc, N(rc));
    static const char *mb[] = {"mailbox-buildup", "mailbox-growing"};
    expect_exactly(f, "findings", 1, "mail", mb, N(mb));
    expect_exactly(f, "explain", 1, "zzz", NULL, 0);
    expect_exactly(f, "explain", 1, "Zoo", NULL, 0); /* rules only, no names */

    /* after tree: applications with a tree and supervised names, Elixir spelling */
    static const char *tree_yes[] = {"zoo",          "kernel",     "Zoo.Supervisor", "Zoo.WorkerSup",
                                     "Zoo.Registry", "kernel_sup", "Zoo.Cache",      "code_server"};
    static const char *tree_no[] = {"Elixir.Zoo.Supervisor", "init", "application_controller", "summary",
                                    "restart-churn"};
    expect_has(f, "tree", 1, "", tree_yes, N(tree_yes), tree_no, N(tree_no));
    expect_has(f, "t", 1, "", tree_yes, N(tree_yes), tree_no, N(tree_no));
    static const char *zw[] = {"Zoo.WorkerSup"};
    expect_exactly(f, "tree", 1, "Zoo.W", zw, N(zw));
    static const char *zr[] = {"Zoo.Registry", "Zoo.Registry.PIDPartition0"};
    expect_exactly(f, "tree", 1, "Zoo.R", zr, N(zr));
    static const char *k[] = {"kernel", "kernel_sup"};
    expect_exactly(f, "tree", 1, "ker", k, N(k));

    /* after info: registered names (Elixir spelling), :global names */
    static const char *info_yes[] = {"Zoo.Cache", "Zoo.Supervisor",         "code_server",
                                     "init",      "application_controller", "zoo_leader"};
    static const char *info_no[] = {"Elixir.Zoo.Cache", "zoo", "kernel", "restart-churn"};
    expect_has(f, "info", 1, "", info_yes, N(info_yes), info_no, N(info_no));
    static const char *zc[] = {"Zoo.Cache"};
    expect_exactly(f, "info", 1, "Zoo.C", zc, N(zc));
    static const char *gl[] = {"zoo_leader"};
    expect_exactly(f, "info", 1, "zoo_", gl, N(gl));
    expect_exactly(f, "i", 1, "zoo_", gl, N(gl));
    /* pids after "<0." */
    complete(f, "info", 1, "<0.", &v);
    assert_int_equal(v.len, f->sh.s->procs.len);
    assert_true(has(&v, "<0.103.0>"));
    assert_true(has(&v, "<0.0.0>"));
    cands_free(&v);
    static const char *p11[] = {"<0.110.0>", "<0.111.0>"};
    expect_exactly(f, "info", 1, "<0.11", p11, N(p11));
    expect_exactly(f, "info", 1, "<0.9", NULL, 0);

    /* :global and Registry names of processes, whole, after "{"; they resolve once quoted */
    static const char *brace[] = {"{:global, zoo_leader}", "{:via, Registry, {Zoo.Registry, \"room:1\"}}"};
    expect_exactly(f, "info", 1, "{", brace, N(brace));
    assert_true(starts_with(run_ok(f, "info '{:global, zoo_leader}'"), "{:global, zoo_leader} <0.160.0>"));
    assert_true(starts_with(run_ok(f, "info '{:via, Registry, {Zoo.Registry, \"room:1\"}}'"),
                            "{:via, Registry, {Zoo.Registry, \"room:1\"}} <0.130.0>"));
    assert_true(starts_with(run_ok(f, "info '\"room:1\"'"), "{:via, Registry, {Zoo.Registry, \"room:1\"}} <0.130.0>"));

    /* after registry: Registry names */
    static const char *reg[] = {"Zoo.Registry"};
    expect_exactly(f, "registry", 1, "", reg, N(reg));
    expect_exactly(f, "reg", 1, "Z", reg, N(reg));
    expect_exactly(f, "registry", 1, "x", NULL, 0);

    /* after help: commands */
    static const char *su[] = {"summary"};
    expect_exactly(f, "help", 1, "su", su, N(su));
    expect_exactly(f, "?", 1, "su", su, N(su));

    /* nothing for commands that take no completion, or unknown commands */
    int none = 0;
    for (int i = 0; i < shell_n_cmds; i++)
        if (shell_cmds[i].complete == CK_NONE) {
            expect_exactly(f, shell_cmds[i].name, 1, "", NULL, 0);
            expect_exactly(f, shell_cmds[i].name, 1, "Z", NULL, 0);
            none++;
        }
    assert_true(none >= 6);
    expect_exactly(f, "top", 1, "", NULL, 0);
    expect_exactly(f, "summary", 1, "", NULL, 0);
    expect_exactly(f, "quit", 1, "", NULL, 0);
    expect_exactly(f, "frobnicate", 1, "", NULL, 0);
    expect_exactly(f, "frobnicate", 1, "Zoo", NULL, 0);
}

static void test_complete_golden_zoo(void **state)
{
    fx *f = *state;
    vec v;
    static const char *apps[] = {"zoo", "kernel", "logger", "elixir"};
    static const char *libs[] = {"stdlib", "compiler", "Elixir.Zoo.Sessions"};
    expect_has(f, "tree", 1, "", apps, N(apps), libs, N(libs));
    static const char *zs[] = {"Zoo.Sessions", "Zoo.Supervisor"};
    expect_has(f, "tree", 1, "Zoo.S", zs, N(zs), NULL, 0);
    static const char *gb[] = {"Zoo.GlobalBottleneck"};
    expect_exactly(f, "info", 1, "Zoo.Gl", gb, N(gb));
    static const char *reg[] = {"Zoo.Registry"};
    expect_exactly(f, "registry", 1, "Zoo", reg, N(reg));
    /* :global names of the node */
    for (size_t g = 0; g < f->sh.s->globals.len; g++) {
        const char *name = snap_str(f->sh.s, ((snap_name *)vec_at(&f->sh.s->globals, g))->key);
        const char *one[] = {name};
        expect_has(f, "info", 1, "", one, 1, NULL, 0);
    }
    /* pids: many, all of them pids */
    complete(f, "info", 1, "<0.", &v);
    assert_true(v.len > 100);
    for (size_t i = 0; i < v.len; i++) {
        const char *c = *(char **)vec_at(&v, i);
        assert_int_equal(c[strlen(c) - 1], '>');
    }
    cands_free(&v);
}

static void test_complete_no_snapshot(void **state)
{
    fx *f = *state;
    vec v;
    complete(f, "explain", 1, "", &v);
    assert_int_equal(v.len, n_rules);
    cands_free(&v);
    static const char *t[] = {"tree", "top", "timing"};
    expect_exactly(f, "", 0, "t", t, N(t));
    expect_exactly(f, "tree", 1, "", NULL, 0);
    expect_exactly(f, "info", 1, "<0.", NULL, 0);
    expect_exactly(f, "registry", 1, "", NULL, 0);
}

/* save and load complete file names: entries of the directory typed so far, directories
 * with a trailing slash, dot-files only when asked for */
static void test_complete_files(void **state)
{
    fx *f = *state;
    char dir[] = "/tmp/oa-complete-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    const char *files[] = {"snap_a.etf", "snap_b.etf", ".hidden"};
    for (size_t i = 0; i < N(files); i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        FILE *fp = fopen(path, "w");
        assert_non_null(fp);
        fclose(fp);
    }
    snprintf(path, sizeof path, "%s/sub", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    char prefix[256], a[300], b[300], sub[300], hid[300];
    snprintf(a, sizeof a, "%s/snap_a.etf", dir);
    snprintf(b, sizeof b, "%s/snap_b.etf", dir);
    snprintf(sub, sizeof sub, "%s/sub/", dir);
    snprintf(hid, sizeof hid, "%s/.hidden", dir);
    snprintf(prefix, sizeof prefix, "%s/sn", dir);
    const char *two[] = {a, b};
    expect_exactly(f, "load", 1, prefix, two, N(two));
    snprintf(prefix, sizeof prefix, "%s/snap_a", dir);
    const char *one[] = {a};
    expect_exactly(f, "save", 1, prefix, one, N(one));
    snprintf(prefix, sizeof prefix, "%s/su", dir);
    const char *d[] = {sub};
    expect_exactly(f, "load", 1, prefix, d, N(d));
    snprintf(prefix, sizeof prefix, "%s/", dir);
    const char *all[] = {a, b, sub};
    expect_exactly(f, "load", 1, prefix, all, N(all));
    snprintf(prefix, sizeof prefix, "%s/.h", dir);
    const char *h[] = {hid};
    expect_exactly(f, "load", 1, prefix, h, N(h));
    expect_exactly(f, "summary", 1, prefix, NULL, 0); /* no files where none are taken */
    for (size_t i = 0; i < N(files); i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/sub", dir);
    rmdir(path);
    rmdir(dir);
}

/* ---- render_fit ----------------------------------------------------------------------------- */

/* Display columns of n bytes: UTF-8 code points, ANSI CSI sequences (ESC [ … final byte)
 * count for nothing. */
static int disp_cols(const char *p, size_t n)
{
    int cols = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)p[i];
        if (c == 0x1b) {
            i++;
            if (i < n && p[i] == '[') {
                i++;
                while (i < n && !((unsigned char)p[i] >= 0x40 && (unsigned char)p[i] <= 0x7e))
                    i++;
                i++;
            }
            continue;
        }
        if ((c & 0xC0) != 0x80)
            cols++;
        i++;
    }
    return cols;
}

static void test_disp_cols(void **state)
{
    (void)state;
    assert_int_equal(disp_cols("", 0), 0);
    assert_int_equal(disp_cols("abc", 3), 3);
    assert_int_equal(disp_cols("\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 x", 11), 5);
    assert_int_equal(disp_cols("\033[1;32mab\033[0m", 13), 2);
    assert_int_equal(disp_cols("\xc3\x97\xe2\x80\xa6", 5), 2);
}

static const char *fit(fx *f, const char *text, int width)
{
    strbuf o;
    sb_init(&o);
    render_fit(text, width, &o);
    const char *r = fx_keep(f, o.buf);
    sb_free(&o);
    return r;
}

static void test_render_fit_basic(void **state)
{
    fx *f = *state;
    assert_string_equal(fit(f, "abcdef", 5), "abcd\xe2\x80\xa6");
    assert_string_equal(fit(f, "abcde", 5), "abcde");
    assert_string_equal(fit(f, "abcd", 5), "abcd");
    assert_string_equal(fit(f, "abcdef\n", 5), "abcd\xe2\x80\xa6\n");
    assert_string_equal(fit(f, "ab\n\nabcdefgh\nxy", 3), "ab\n\nab\xe2\x80\xa6\nxy");
    assert_string_equal(fit(f, "abcdef", 1), "\xe2\x80\xa6");
    assert_string_equal(fit(f, "a", 1), "a");
    assert_string_equal(fit(f, "", 10), "");
    assert_string_equal(fit(f, "\n\n", 10), "\n\n");
    /* width 0: no limit */
    assert_string_equal(fit(f, "abcdefghijklmnop\n", 0), "abcdefghijklmnop\n");
    /* multi-byte characters count once and are never split */
    assert_string_equal(fit(f, "\xce\xb1\xce\xb2\xce\xb3\xce\xb4\xce\xb5", 3), "\xce\xb1\xce\xb2\xe2\x80\xa6");
    assert_string_equal(fit(f, "\xce\xb1\xce\xb2\xce\xb3", 3), "\xce\xb1\xce\xb2\xce\xb3");
    assert_string_equal(fit(f, "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 Zoo.Cache", 6),
                        "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 Z\xe2\x80\xa6");
    /* ANSI sequences take no room; a cut line ends with a reset */
    assert_string_equal(fit(f, "\033[1mabc\033[0m", 3), "\033[1mabc\033[0m");
    assert_string_equal(fit(f, "\033[1mabcdef\033[0m", 4), "\033[1mabc\xe2\x80\xa6\033[0m");
    assert_string_equal(fit(f, "ab\033[31mcdef\033[0m", 3), "ab\033[31m\xe2\x80\xa6\033[0m");
    assert_string_equal(fit(f, "ab\033[31mc\033[0m", 3), "ab\033[31mc\033[0m");
}

/* Every line of render_fit(text, w): at most w columns; a line that fits is unchanged; a
 * longer one is cut to exactly w columns, a prefix of it and "…" (then a reset when it
 * has colour). */
static void check_fit(fx *f, const char *what, const char *text, int w)
{
    const char *o = fit(f, text, w);
    assert_int_equal(count_lines(o), count_lines(text));
    const char *p = text, *q = o;
    int cut = 0;
    while (*p) {
        size_t lp = strcspn(p, "\n"), lq = strcspn(q, "\n");
        int cp = disp_cols(p, lp), cq = disp_cols(q, lq);
        if (cq > w)
            fail_msg("%s at width %d: line of %d columns: \"%.*s\"", what, w, cq, (int)lq, q);
        if (cp <= w) {
            if (lp != lq || memcmp(p, q, lp))
                fail_msg("%s at width %d: a line that fits was changed: \"%.*s\" -> \"%.*s\"", what, w, (int)lp, p,
                         (int)lq, q);
        } else {
            cut++;
            int colour = memchr(p, 0x1b, lp) != NULL;
            const char *tail = colour ? "\xe2\x80\xa6\033[0m" : "\xe2\x80\xa6";
            size_t lt = strlen(tail);
            if (cq != w || lq < lt || memcmp(q + lq - lt, tail, lt) || memcmp(p, q, lq - lt))
                fail_msg("%s at width %d: \"%.*s\" was cut to \"%.*s\"", what, w, (int)lp, p, (int)lq, q);
        }
        p += lp + (p[lp] == '\n');
        q += lq + (q[lq] == '\n');
    }
    assert_int_equal(*q, 0);
    if (w <= 40 && !cut)
        fail_msg("%s at width %d: nothing to cut (the test needs long lines)", what, w);
}

static void test_render_fit_views(void **state)
{
    fx *f = *state;
    static const char *views[] = {"tree",     "tree zoo",
                                  "top",      "top -s mem -n 40",
                                  "findings", "info Zoo.GlobalBottleneck",
                                  "ets",      "registry Zoo.Registry -n 5",
                                  "summary",  "help"};
    static const int widths[] = {20, 40, 80};
    for (int colour = 0; colour < 2; colour++) {
        f->sh.color = colour;
        for (size_t v = 0; v < N(views); v++) {
            const char *text = run_ok(f, views[v]);
            if (colour && v < 5 && !strchr(text, 0x1b))
                fail_msg("`%s` has no colour with color = 1", views[v]);
            for (size_t w = 0; w < N(widths); w++)
                check_fit(f, views[v], text, widths[w]);
        }
    }
    f->sh.color = 0;
}

/* ---- render_tree: golden text ----------------------------------------------------------------- */

/* The shop: one application, a top supervisor with a worker, a DynamicSupervisor of 21
 * children in two modules (collapsed: more than 20), and a nested one_for_all supervisor
 * with a named worker, a restarting child and a child whose process is gone. One sample. */
static snap *build_shop(void)
{
    snap *s = snap_new();
    tu_node_spec ns = {.schedulers = 1, .process_count = 28};
    tu_node(s, &ns);
    static char anc_cart[] = "Elixir.Shop.Carts Elixir.Shop.Supervisor 101";
    tu_proc ps[32];
    size_t n = 0;
    memset(ps, 0, sizeof ps);
    ps[n++] = (tu_proc){.num = 0, .name = "init", .ic = "otp_ring0:start/2", .gl = "0", .links = "10"};
    ps[n++] = (tu_proc){.num = 10,
                        .name = "application_controller",
                        .ic = "erlang:apply/2",
                        .gl = "0",
                        .links = "0 100",
                        .trap_exit = 1};
    ps[n++] = (tu_proc){.num = 100,
                        .ic = "proc_lib:init_p/5",
                        .dic = "application_master:init/4",
                        .gl = "100",
                        .links = "10 101",
                        .trap_exit = 1};
    ps[n++] = (tu_proc){.num = 101, .ic = "application_master:start_it/4", .gl = "100", .links = "100 102"};
    ps[n++] = (tu_proc){.num = 102,
                        .name = "Elixir.Shop.Supervisor",
                        .ic = "proc_lib:init_p/5",
                        .dic = "supervisor:Elixir.Shop.Supervisor/1",
                        .anc = "101",
                        .gl = "100",
                        .links = "101 103 104 105",
                        .trap_exit = 1};
    ps[n++] = (tu_proc){.num = 103,
                        .name = "Elixir.Shop.Repo",
                        .ic = "proc_lib:init_p/5",
                        .dic = "Elixir.Shop.Repo:init/1",
                        .anc = "Elixir.Shop.Supervisor 101",
                        .gl = "100",
                        .links = "102",
                        .mq = 2};
    ps[n++] = (tu_proc){.num = 104,
                        .name = "Elixir.Shop.Carts",
                        .ic = "proc_lib:init_p/5",
                        .dic = "Elixir.DynamicSupervisor:init/1",
                        .anc = "Elixir.Shop.Supervisor 101",
                        .gl = "100",
                        .links = "102",
                        .trap_exit = 1};
    ps[n++] = (tu_proc){.num = 105,
                        .name = "Elixir.Shop.Inner",
                        .ic = "proc_lib:init_p/5",
                        .dic = "supervisor:Elixir.Shop.Inner/1",
                        .anc = "Elixir.Shop.Supervisor 101",
                        .gl = "100",
                        .links = "102 106",
                        .trap_exit = 1};
    ps[n++] = (tu_proc){.num = 106,
                        .ic = "proc_lib:init_p/5",
                        .dic = "Elixir.Shop.Inner.Worker:init/1",
                        .anc = "Elixir.Shop.Inner Elixir.Shop.Supervisor 101",
                        .gl = "100",
                        .links = "105"};
    /* outside the tree, registered locally and globally under the same name */
    ps[n++] = (tu_proc){.num = 108, .name = "shop_events", .ic = "erlang:apply/2", .gl = "100"};
    tu_procs(s, ps, n);
    /* the carts: 200..218 Shop.Cart (209 has a queue), 219..220 Shop.Checkout */
    n = 0;
    for (unsigned i = 200; i <= 220; i++)
        ps[n++] = (tu_proc){.num = i,
                            .ic = "proc_lib:init_p/5",
                            .dic = i < 219 ? "Elixir.Shop.Cart:init/1" : "Elixir.Shop.Checkout:init/1",
                            .anc = anc_cart,
                            .gl = "100",
                            .links = "104",
                            .mq = i == 209 ? 5 : 0};
    tu_procs(s, ps, n);
    tu_app(s, "shop", "The shop", "1.0.0", "100", "102", "Elixir.Shop.Application");
    tu_sup top = {.num = 102,
                  .name = "Elixir.Shop.Supervisor",
                  .strategy = "one_for_one",
                  .intensity = 3,
                  .period = 5,
                  .nchildren = 3,
                  .callback = "Elixir.Shop.Supervisor"};
    tu_sup_msg(s, &top);
    /* as which_children lists a static supervisor's children: the newest first (the tree
     * shows them in start order, Repo first) */
    static const tu_child tc[] = {
        {"Elixir.Shop.Inner", "105", 1, "permanent", "Elixir.Shop.Inner"},
        {"Elixir.Shop.Carts", "104", 1, "permanent", "Elixir.DynamicSupervisor"},
        {"Elixir.Shop.Repo", "103", 0, "permanent", "Elixir.Shop.Repo"},
    };
    tu_children(s, 102, tc, 3);
    tu_sup carts = {.num = 104,
                    .name = "Elixir.Shop.Carts",
                    .kind = "dynamic",
                    .strategy = "one_for_one",
                    .intensity = 3,
                    .period = 5,
                    .nchildren = 21,
                    .callback = "Elixir.Shop.Carts"};
    tu_sup_msg(s, &carts);
    tu_child cc[21];
    char pids[21][8];
    for (unsigned i = 0; i < 21; i++) {
        snprintf(pids[i], sizeof pids[i], "%u", 200 + i);
        cc[i] = (tu_child){"undefined", pids[i], 0, "temporary", i < 19 ? "Elixir.Shop.Cart" : "Elixir.Shop.Checkout"};
    }
    tu_children(s, 104, cc, 21);
    tu_sup inner = {.num = 105,
                    .name = "Elixir.Shop.Inner",
                    .strategy = "one_for_all",
                    .intensity = 1,
                    .period = 10,
                    .nchildren = 3,
                    .callback = "Elixir.Shop.Inner"};
    tu_sup_msg(s, &inner);
    static const tu_child ic[] = {
        /* newest first, as which_children lists them */
        {"undefined", "107", 0, "permanent", "Elixir.Shop.Inner.Gone"},
        {"Elixir.Shop.Inner.Flaky", "restarting", 0, "permanent", "Elixir.Shop.Inner.Flaky"},
        {"Elixir.Shop.Inner.Worker", "106", 0, "permanent", "Elixir.Shop.Inner.Worker"},
    };
    tu_children(s, 105, ic, 3);
    static const tu_key gk[] = {{"shop_events", "108"}};
    tu_global(s, gk, 1);
    char err[OA_ERRLEN] = "";
    assert_int_equal(snap_finish(s, err), 0);
    return s;
}

static void assert_text(const char *what, const char *got, const char *want)
{
    if (strcmp(got, want))
        fail_msg("%s:\n---- got:\n%s---- expected:\n%s----", what, got, want);
}

static const char *mark_103(void *ud, uint32_t proc, int *severity)
{
    snap *s = ud;
    if (proc == tu_find(s, 103)) {
        *severity = SEV_WARNING;
        return "\xe2\x9a\xa0 some-rule";
    }
    return NULL;
}

static void test_tree_golden_shop(void **state)
{
    (void)state;
    snap *s = build_shop();
    render_ctx c;
    render_ctx_default(&c);
    strbuf o;
    sb_init(&o);
    render_tree(s, SNAP_NONE, &c, &o);
    assert_text(
        "tree of the shop", o.buf,
        "[shop]\n"
        "Shop.Supervisor  supervisor one_for_one  3/5s\n"
        "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 Shop.Repo  Shop.Repo.init/1  mq 2\n"
        "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 Shop.Carts  DynamicSupervisor one_for_one  3/5s\n"
        "\xe2\x94\x82   \xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 19 \xc3\x97 Shop.Cart   longest queue: <0.209.0> mq 5\n"
        "\xe2\x94\x82   \xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 2 \xc3\x97 Shop.Checkout   longest queue: <0.219.0> mq 0\n"
        "\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 Shop.Inner  supervisor one_for_all  1/10s\n"
        "    \xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 Shop.Inner.Worker  Shop.Inner.Worker.init/1\n"
        "    \xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 Shop.Inner.Flaky\n"
        "    \xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 <0.107.0>  (remote or gone)\n"
        "\n");

    /* depth 1: what is below the top's children is counted */
    sb_reset(&o);
    c.depth = 1;
    render_tree(s, SNAP_NONE, &c, &o);
    assert_text("tree of the shop, depth 1", o.buf,
                "[shop]\n"
                "Shop.Supervisor  supervisor one_for_one  3/5s\n"
                "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 Shop.Repo  Shop.Repo.init/1  mq 2\n"
                "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 Shop.Carts  DynamicSupervisor one_for_one  3/5s\n"
                "\xe2\x94\x82   \xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 \xe2\x80\xa6 21 children (-d to see deeper)\n"
                "\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 Shop.Inner  supervisor one_for_all  1/10s\n"
                "    \xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 \xe2\x80\xa6 3 children (-d to see deeper)\n"
                "\n");

    /* one subtree, no collapsing (collapse 0), with a mark */
    sb_reset(&o);
    render_ctx_default(&c);
    c.collapse = 0;
    c.mark = mark_103;
    c.mark_ud = s;
    uint32_t carts = tu_proc_of(s, 104)->own_sup;
    assert_int_not_equal(carts, SNAP_NONE);
    render_tree(s, carts, &c, &o);
    assert_int_equal(count_lines(o.buf), 1 + 21);
    assert_true(starts_with(o.buf, "Shop.Carts  DynamicSupervisor one_for_one  3/5s\n"
                                   "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 <0.200.0>  Shop.Cart.init/1\n"));
    assert_non_null(strstr(o.buf, "\n\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 <0.209.0>  Shop.Cart.init/1  mq 5\n"));
    assert_non_null(strstr(o.buf, "\n\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 <0.220.0>  Shop.Checkout.init/1\n"));
    sb_reset(&o);
    render_tree(s, tu_proc_of(s, 102)->own_sup, &c, &o);
    assert_non_null(strstr(o.buf, "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 Shop.Repo  Shop.Repo.init/1  mq 2  "
                                  "\xe2\x9a\xa0 some-rule\n"));
    /* colour: the same text once the escapes are taken out */
    sb_reset(&o);
    render_ctx_default(&c);
    c.color = 1;
    render_tree(s, SNAP_NONE, &c, &o);
    assert_non_null(strchr(o.buf, 0x1b));
    strbuf plain;
    sb_init(&plain);
    for (const char *p = o.buf; *p;) {
        if (*p == 0x1b) {
            p = strchr(p, 'm');
            assert_non_null(p);
            p++;
        } else
            sb_putc(&plain, *p++);
    }
    strbuf nocolour;
    sb_init(&nocolour);
    c.color = 0;
    render_tree(s, SNAP_NONE, &c, &nocolour);
    assert_string_equal(plain.buf, nocolour.buf);
    sb_free(&plain);
    sb_free(&nocolour);
    sb_free(&o);
    snap_free(s);
}

/* A name reached two ways (registered and :global) is offered once. */
static void test_complete_no_duplicates(void **state)
{
    fx *f = *state;
    static const char *ev[] = {"shop_events"};
    expect_exactly(f, "info", 1, "shop_", ev, N(ev));
    expect_exactly(f, "info", 1, "shop_events", ev, N(ev));
    static const char *shop[] = {"shop"};
    expect_has(f, "tree", 1, "sho", shop, N(shop), NULL, 0); /* complete() fails on a duplicate */
    assert_true(starts_with(run_ok(f, "info shop_events"), "shop_events <0.108.0>"));
}

/* The C-built zoo through the shell: findings marks next to the processes. */
static void test_tree_golden_czoo(void **state)
{
    fx *f = *state;
    assert_text(
        "tree of the zoo", run_ok(f, "tree"),
        /* in start order: which_children lists Zoo.Cache first, the newest */
        "[zoo]\n"
        "Zoo.Supervisor  supervisor one_for_one  3/5s  1 restart in the last 5 s\n"
        "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 Zoo.Registry  Registry one_for_all  3/5s  unique, 1 partition, 1 key\n"
        "\xe2\x94\x82   \xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 Zoo.Registry.PIDPartition0  Registry.Partition.init/1\n"
        "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 Zoo.WorkerSup  DynamicSupervisor one_for_one  3/5s\n"
        "\xe2\x94\x82   \xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 <0.110.0>  Zoo.Worker.init/1\n"
        "\xe2\x94\x82   \xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 <0.111.0>  Zoo.Worker.init/1  mq 250000\xe2\x86\x92"
        "260000  1,800,000 reds/s  \xe2\x9c\x96 mailbox-buildup\n"
        "\xe2\x94\x82   \xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 (restarting)\n"
        "\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 Zoo.Cache  Zoo.Cache.init/1  mq 3\xe2\x86\x92"
        "7  1,000,000 reds/s"
        "  \xe2\x9a\xa0 global-bottleneck\n"
        "\n"
        "[kernel]\n"
        "kernel_sup  supervisor one_for_all  0/1s\n"
        "\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 code_server  erlang:apply/2\n"
        "\n");
    assert_text(
        "tree zoo -d 1", run_ok(f, "tree zoo -d 1"),
        "Zoo.Supervisor  supervisor one_for_one  3/5s  1 restart in the last 5 s\n"
        "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 Zoo.Registry  Registry one_for_all  3/5s  unique, 1 partition, 1 key\n"
        "\xe2\x94\x82   \xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 \xe2\x80\xa6 1 child (-d to see deeper)\n"
        "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 Zoo.WorkerSup  DynamicSupervisor one_for_one  3/5s\n"
        "\xe2\x94\x82   \xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 \xe2\x80\xa6 3 children (-d to see deeper)\n"
        "\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 Zoo.Cache  Zoo.Cache.init/1  mq 3\xe2\x86\x92"
        "7  1,000,000 reds/s"
        "  \xe2\x9a\xa0 global-bottleneck\n");
}

/* ---- regressions ----------------------------------------------------------------------------- */

typedef struct {
    const char *line, *want; /* want: in the one error line */
} bug_case;

/* Run every case (each must fail with one error line containing want, and leave the shell
 * usable); report all that do not at once, as one failure. */
static void refused_cases(fx *f, const char *what, const bug_case *cases, size_t n)
{
    strbuf bad;
    sb_init(&bad);
    for (size_t i = 0; i < n; i++) {
        strbuf out, errs;
        sb_init(&out);
        sb_init(&errs);
        int rc = shell_exec(&f->sh, cases[i].line, &out, &errs);
        int ok = rc != 0 && out.len == 0 && !strncmp(errs.buf, "error: ", 7) && count_char(errs.buf, '\n') == 1 &&
                 strstr(errs.buf, cases[i].want);
        if (!ok)
            sb_printf(&bad, "  `%s`: rc %d, %zu bytes of output, errs \"%.*s\"; expected \"error: ...%s...\"\n",
                      cases[i].line, rc, out.len, (int)strcspn(errs.buf, "\n"), errs.buf, cases[i].want);
        sb_free(&out);
        sb_free(&errs);
    }
    if (bad.len) {
        char msg[4096];
        snprintf(msg, sizeof msg, "%s", bad.buf);
        sb_free(&bad);
        fail_msg("%s:\n%s", what, msg);
    }
    sb_free(&bad);
    still_usable(f, f->sh.s);
}

/* Extra positional words are refused with the usage line, as tree and top do, by ets,
 * findings, registry and report (src/shell.c c_ets, c_findings, c_registry, c_report);
 * they once ignored them and answered something else (`ets foo` listed every table). */
static void test_regression_extra_words_ignored(void **state)
{
    static const bug_case cases[] = {
        {"ets foo", "usage: ets [-s mem|size] [-n N]"},
        {"ets -s size foo", "usage: ets"},
        {"ets -x", "-x"},
        {"findings mailbox-buildup restart-churn", "usage: findings [-s SEVERITY] [RULE]"},
        {"findings no-such-rule nope", "usage: findings"},
        {"registry Zoo.Registry Nope", "usage: registry [NAME] [-n N]"},
        {"report zoo Nope", "usage: report [TARGET] [-o FILE]"},
    };
    refused_cases(*state, "src/shell.c: extra words must be refused with the usage line", cases, N(cases));
}

/* An empty word or NaN is not a number: `top -n ''` and `tree -d ''` are refused (src/shell.c
 * opt_count: strtol("") consumes nothing), and so are `refresh nan` (NaN fails both bounds
 * of a range test written as `w < 0 || w > 600`) and `refresh ''` (c_refresh). */
static void test_regression_number_validation(void **state)
{
    static const bug_case cases[] = {
        {"top -n ''", "-n needs a number, not ''"},
        {"tree -d ''", "-d needs a number, not ''"},
        {"refresh nan", "refresh takes seconds between 0 and 600, not 'nan'"},
        {"refresh ''", "refresh takes seconds between 0 and 600, not ''"},
    };
    refused_cases(*state, "src/shell.c: empty words and NaN must be refused as numbers", cases, N(cases));
}

/* refresh needs a connection, not a snapshot: after `connect` attached but its first
 * collection failed (interrupted, timed out), `refresh`, the one command that retries,
 * tries again and names the node (src/shell.c shell_exec asks a snapshot only of the
 * commands that need one, NEEDS_SNAPSHOT); with no connection either, it says "not
 * connected". */
static void test_regression_refresh_needs_connection(void **state)
{
    fx *f = *state;
    assert_null(f->sh.s);
    /* attached to a node that is gone, no snapshot yet (fd -1: nothing reaches the network) */
    f->sh.connected = 1;
    snprintf(f->sh.node, sizeof f->sh.node, "gone@nowhere");
    snprintf(f->sh.source, sizeof f->sh.source, "gone@nowhere");
    strbuf out, errs;
    sb_init(&out);
    sb_init(&errs);
    char first[OA_ERRLEN], second[OA_ERRLEN];
    int rc1 = shell_exec(&f->sh, "refresh", &out, &errs);
    snprintf(first, sizeof first, "%.*s", (int)strcspn(errs.buf, "\n"), errs.buf);
    sb_reset(&errs);
    /* and neither attached nor loaded: the reason is the missing connection */
    f->sh.connected = 0;
    int rc2 = shell_exec(&f->sh, "refresh", &out, &errs);
    snprintf(second, sizeof second, "%.*s", (int)strcspn(errs.buf, "\n"), errs.buf);
    sb_free(&out);
    sb_free(&errs);
    assert_int_not_equal(rc1, 0);
    assert_int_not_equal(rc2, 0);
    if (!strstr(first, "gone@nowhere is unreachable") || !strstr(second, "not connected"))
        fail_msg("src/shell.c shell_exec: `refresh` must need a connection, not a snapshot:\n"
                 "  attached, no snapshot: \"%s\"; expected \"error: gone@nowhere is unreachable: ...\"\n"
                 "  not attached, no snapshot: \"%s\"; expected \"error: not connected: ...\"",
                 first, second);
}

/* `tree` completes applications and the names of supervised processes only: every
 * candidate it offers is one `tree` accepts, :global names included (src/shell.c
 * shell_complete skips a name whose process is outside every supervision tree; the
 * globals were once offered unfiltered, so `tree <Tab>` offered zoo_leader, which `tree`
 * refuses as "not in a supervision tree"). */
static void test_regression_tree_completes_unsupervised_globals(void **state)
{
    fx *f = *state;
    vec v;
    strbuf bad;
    sb_init(&bad);
    complete(f, "tree", 1, "", &v);
    for (size_t i = 0; i < v.len; i++) {
        const char *c = *(char **)vec_at(&v, i);
        char err[OA_ERRLEN] = "";
        if (view_resolve_tree(f->sh.s, c, err) == SNAP_NONE)
            sb_printf(&bad, "  `tree %s`: %s\n", c, err);
    }
    cands_free(&v);
    /* the supervised ones stay */
    static const char *yes[] = {"shop", "Shop.Supervisor", "Shop.Carts", "Shop.Repo"};
    expect_has(f, "tree", 1, "", yes, N(yes), NULL, 0);
    if (bad.len) {
        char msg[2048];
        snprintf(msg, sizeof msg, "%s", bad.buf);
        sb_free(&bad);
        fail_msg("src/shell.c shell_complete: `tree` must offer only candidates that `tree` accepts:\n%s", msg);
    }
    sb_free(&bad);
}

/* `top` in colour is `top` in plain text plus escapes: the columns of an unnamed process's
 * row line up as they do without colour (src/views.c view_top: the columns are measured on
 * the visible text; padding the text with its escapes once moved the later columns 8 to
 * the left). */
static void test_regression_top_colour_misaligned(void **state)
{
    fx *f = *state;
    static const char *lines[] = {"top", "top -s mem -n 40"};
    f->sh.color = 0;
    const char *plain = run_ok(f, "top");
    f->sh.color = 1;
    char *st = strip_ansi(run_ok(f, "top"));
    f->sh.color = 0;
    int same = !strcmp(st, plain);
    char row[512] = "";
    if (!same) {
        const char *x = plain, *y = st;
        while (*x && *x == *y)
            x++, y++;
        while (x > plain && x[-1] != '\n')
            x--, y--;
        snprintf(row, sizeof row, "  plain:  %.*s\n  colour: %.*s", (int)strcspn(x, "\n"), x, (int)strcspn(y, "\n"), y);
    }
    free(st);
    if (!same)
        fail_msg("src/views.c view_top: colour must not shift the columns of unnamed processes:\n%s", row);
    int coloured = 0;
    expect_colour_only_adds_escapes(f, lines, N(lines), &coloured);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cmd_table),
        cmocka_unit_test(test_cmd_find),
        cmocka_unit_test(test_split),
        cmocka_unit_test_setup_teardown(test_exec_split_errors, setup_czoo, teardown),
        cmocka_unit_test_setup_teardown(test_exec_czoo, setup_czoo, teardown),
        cmocka_unit_test_setup_teardown(test_exec_czoo_one_sample, setup_czoo1, teardown),
        cmocka_unit_test_setup_teardown(test_exec_golden_zoo, setup_golden_zoo, teardown),
        cmocka_unit_test_setup_teardown(test_report_to_file, setup_czoo, teardown),
        cmocka_unit_test_setup_teardown(test_errors_czoo, setup_czoo, teardown),
        cmocka_unit_test_setup_teardown(test_errors_golden_zoo, setup_golden_zoo, teardown),
        cmocka_unit_test_setup_teardown(test_no_snapshot, setup_empty, teardown),
        cmocka_unit_test(test_quit),
        cmocka_unit_test(test_init_sets),
        cmocka_unit_test_setup_teardown(test_colour_only_adds_escapes, setup_golden_zoo, teardown),
        cmocka_unit_test_setup_teardown(test_save_load_roundtrip, setup_golden_zoo, teardown),
        cmocka_unit_test_setup_teardown(test_prompt_states, setup_czoo, teardown),
        cmocka_unit_test_setup_teardown(test_timing, setup_czoo, teardown),
        cmocka_unit_test_setup_teardown(test_complete_czoo, setup_czoo, teardown),
        cmocka_unit_test_setup_teardown(test_complete_golden_zoo, setup_golden_zoo, teardown),
        cmocka_unit_test_setup_teardown(test_complete_no_snapshot, setup_empty, teardown),
        cmocka_unit_test_setup_teardown(test_complete_files, setup_empty, teardown),
        cmocka_unit_test(test_disp_cols),
        cmocka_unit_test_setup_teardown(test_render_fit_basic, setup_empty, teardown),
        cmocka_unit_test_setup_teardown(test_render_fit_views, setup_golden_zoo, teardown),
        cmocka_unit_test(test_tree_golden_shop),
        cmocka_unit_test_setup_teardown(test_complete_no_duplicates, setup_shop, teardown),
        cmocka_unit_test_setup_teardown(test_tree_golden_czoo, setup_czoo, teardown),
        /* behaviour once found wrong in src/ and fixed since (see each) */
        cmocka_unit_test_setup_teardown(test_regression_extra_words_ignored, setup_czoo, teardown),
        cmocka_unit_test_setup_teardown(test_regression_number_validation, setup_czoo, teardown),
        cmocka_unit_test_setup_teardown(test_regression_refresh_needs_connection, setup_empty, teardown),
        cmocka_unit_test_setup_teardown(test_regression_tree_completes_unsupervised_globals, setup_shop, teardown),
        cmocka_unit_test_setup_teardown(test_regression_top_colour_misaligned, setup_czoo, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
