/* test_rules.c — the findings engine (src/findings.c, src/thresholds.c, src/rules.c), the findings renderers, and the
 * facts the rules rest on.
 *
 * The rules' own cases (every rule: a planted snapshot where it fires, near misses that
 * stay silent, the runtime exemption, the one-sample case, the regressions) are data, not
 * C: the .test files in tests/rules, snapshot text in and findings out (tests/rules/run.sh,
 * under `make golden`; the text form is src/snap_text.c). A new rule case is a paragraph
 * there. What stays here cannot be said as a snapshot and its findings: the rule table and
 * thresholds, only/ignore and sorting, the JSON and text renderers, and model facts read
 * from the snapshot itself (pools, who started whom, the script's process, our own walks'
 * cost, start_link arities through save and load).
 *
 * Snapshots are built in C from the canonical messages (testutil.h) around a small base
 * node: init, application_controller, kernel's master (20) and start_it (21), kernel_sup
 * (22), and one application ("zoo" unless a test says otherwise) with master 100,
 * start_it 101 and top supervisor 102 Elixir.Zoo.Supervisor (the text form's `runtime`
 * and `app zoo`). Planted processes are 200 and up. Unless a test gives second-sample rows,
 * every process is in the second sample unchanged, so its rate is 0.
 *
 * Tests named test_regression_* are regressions: each asserts the correct behaviour of
 * something these tests once found wrong (the comment above each names the fix). */
#include <fcntl.h>
#include <math.h>
#include <sys/wait.h>

#include "advice.h"
#include "json.h"
#include "render.h"
#include "render_findings.h"
#include "rules.h"
#include "testutil.h"

/* UBSan stops at its first report, as under `make unit` (UBSAN_OPTIONS), also when this
 * binary is run by hand: test_regression_findings_sort_empty relies on it. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

/* ---- regressions ------------------------------------------------------------------------ */

/* Regressions: bugs these tests found in the rules, fixed since. */
static void regression(int correct, const char *what)
{
    if (!correct)
        fail_msg("regression: %s", what);
}

/* ---- the base node and planted shapes ---------------------------------------------------- */

enum {
    B_INIT = 0,
    B_APPCTL = 10,
    B_KMASTER = 20,
    B_KSTART = 21,
    B_KSUP = 22,
    B_MASTER = 100,
    B_START = 101,
    B_TOP = 102
};

static const tu_proc base_procs[] = {
    {.num = B_INIT,
     .name = "init",
     .ic = "otp_ring0:start/2",
     .cf = "init:loop/1",
     .gl = "0",
     .links = "10",
     .reds = 5000,
     .mem = 30000,
     .heap = 2000},
    {.num = B_APPCTL,
     .name = "application_controller",
     .ic = "erlang:apply/2",
     .gl = "0",
     .links = "0 20 100",
     .trap_exit = 1,
     .reds = 3000,
     .mem = 10000,
     .heap = 700},
    {.num = B_KMASTER,
     .ic = "proc_lib:init_p/5",
     .dic = "application_master:init/4",
     .gl = "20",
     .links = "10 21",
     .trap_exit = 1},
    {.num = B_KSTART, .ic = "application_master:start_it/4", .gl = "20", .links = "20 22"},
    {.num = B_KSUP,
     .name = "kernel_sup",
     .ic = "proc_lib:init_p/5",
     .dic = "supervisor:kernel/1",
     .anc = "21",
     .gl = "20",
     .links = "21",
     .trap_exit = 1},
    {.num = B_MASTER,
     .ic = "proc_lib:init_p/5",
     .dic = "application_master:init/4",
     .gl = "100",
     .links = "10 101",
     .trap_exit = 1},
    {.num = B_START, .ic = "application_master:start_it/4", .gl = "100", .links = "100 102"},
    {.num = B_TOP,
     .name = "Elixir.Zoo.Supervisor",
     .ic = "proc_lib:init_p/5",
     .dic = "supervisor:Elixir.Zoo.Supervisor/1",
     .anc = "101",
     .gl = "100",
     .links = "101",
     .trap_exit = 1,
     .reds = 900,
     .mem = 6000,
     .heap = 376},
};
#define N_BASE (sizeof base_procs / sizeof base_procs[0])

typedef struct {
    const char *app;     /* NULL: "zoo"; a runtime name ("logger") makes every planted process runtime */
    int one_sample;      /* no second sample */
    int erlang;          /* no Elixir on the node */
    long schedulers;     /* 0: 4 */
    long gap_us;         /* 0: 1 s */
    const char *advisor; /* tokens */
    const tu_proc *procs;
    size_t n_procs;
    const tu_proc2 *p2; /* second-sample rows; every other process is in it unchanged */
    size_t n_p2;
    const tu_child *top; /* the top supervisor's children */
    size_t n_top;
    const char *gone; /* pid numbers absent from the second sample (exited in the window) */
} world;

#define PROCS(a) .procs = (a), .n_procs = sizeof(a) / sizeof((a)[0])
#define P2(a) .p2 = (a), .n_p2 = sizeof(a) / sizeof((a)[0])
#define TOP(a) .top = (a), .n_top = sizeof(a) / sizeof((a)[0])

/* a static child of the top supervisor */
#define TOP_CHILD(N, NAME, DIC)                                                                                        \
    .num = (N), .name = (NAME), .ic = "proc_lib:init_p/5", .dic = (DIC), .anc = "Elixir.Zoo.Supervisor 101",           \
    .gl = "100", .links = "102"

/* node, processes, applications and the top supervisor with its children; the caller may
 * then feed more supervisors, ETS tables, registries, and ends with w_end */
static void w_begin(snap *s, const world *w)
{
    tu_node_spec ns = {.elixir = w->erlang ? NULL : "1.15.7",
                       .advisor = w->advisor,
                       .schedulers = w->schedulers ? w->schedulers : 4,
                       .process_count = (long)(N_BASE + w->n_procs),
                       .window_ms = w->one_sample ? 0 : 1000};
    tu_node(s, &ns);
    size_t n = N_BASE + w->n_procs;
    tu_proc *all = calloc(n, sizeof *all);
    assert_non_null(all);
    memcpy(all, base_procs, sizeof base_procs);
    if (w->n_procs)
        memcpy(all + N_BASE, w->procs, w->n_procs * sizeof *all);
    tu_procs(s, all, n);
    free(all);
    tu_app(s, "kernel", "ERTS  CXC 138 10", "9.2", "20", "22", "kernel");
    tu_app(s, w->app ? w->app : "zoo", "planted", "0.1.0", "100", "102", "Elixir.Zoo.Application");
    tu_sup top = {.num = B_TOP,
                  .name = "Elixir.Zoo.Supervisor",
                  .strategy = "one_for_one",
                  .intensity = 3,
                  .period = 5,
                  .nchildren = (long)w->n_top,
                  .callback = "Elixir.Zoo.Supervisor"};
    tu_sup_msg(s, &top);
    tu_children(s, B_TOP, w->top, w->n_top);
}

static int in_tokens(const char *toks, unsigned num)
{
    for (const char *p = toks; p && *p;) {
        char *e;
        unsigned long v = strtoul(p, &e, 10);
        if (e == p)
            break;
        if (v == num)
            return 1;
        p = e;
    }
    return 0;
}

static tu_proc2 same_as_first(const tu_proc *p)
{
    return (tu_proc2){
        .num = p->num, .mq = p->mq, .reds = p->reds, .mem = p->mem_skipped ? -1 : p->mem, .monby = p->monby};
}

/* the second sample (unless one_sample), the done message, snap_finish */
static void w_end(snap *s, const world *w)
{
    if (!w->one_sample) {
        size_t n = N_BASE + w->n_procs, m = 0;
        tu_proc2 *rows = calloc(n, sizeof *rows);
        assert_non_null(rows);
        for (size_t i = 0; i < n; i++) {
            const tu_proc *p = i < N_BASE ? &base_procs[i] : &w->procs[i - N_BASE];
            if (in_tokens(w->gone, p->num))
                continue;
            rows[m] = same_as_first(p);
            for (size_t k = 0; k < w->n_p2; k++)
                if (w->p2[k].num == p->num)
                    rows[m] = w->p2[k];
            m++;
        }
        tu_procs2(s, rows, m);
        free(rows);
        long gap = w->gap_us ? w->gap_us : 1000000;
        tu_done(s, gap, 1500, 1400, gap + 10000, 0);
    }
    char err[OA_ERRLEN] = "";
    if (snap_finish(s, err))
        fail_msg("snap_finish: %s", err);
}

static snap *w_build(const world *w)
{
    snap *s = snap_new();
    w_begin(s, w);
    w_end(s, w);
    return s;
}

/* ---- running rules and reading findings --------------------------------------------------- */

/* A sentinel finding goes in before the rules run and comes out after: it also checks that
 * rules_run keeps findings already in the set (once a workaround for findings_sort on an
 * empty set, see test_regression_findings_sort_empty). */
static const char sentinel_id[] = "(sentinel)";

static void rules_run_safe(const snap *s, const rule_opts *o, const char *const *only, const char *const *ignore,
                           findings *f)
{
    size_t before = f->items.len;
    findings_add(f, sentinel_id, -1);
    rules_run(s, o, only, ignore, f);
    /* every threshold a rule reads is declared by a rule (rules.def) */
    for (size_t i = 0; i < f->skipped.len; i++)
        assert_null(strstr(((not_evaluated *)vec_at(&f->skipped, i))->reason, "internal error"));
    int found = 0;
    for (size_t i = 0; i < f->items.len; i++) {
        finding *x = vec_at(&f->items, i);
        if (x->rule != sentinel_id)
            continue;
        memmove(x, x + 1, (f->items.len - i - 1) * sizeof *x);
        f->items.len--;
        found = 1;
        break;
    }
    assert_true(found);
    assert_true(f->items.len >= before);
}

static void run_rules(const snap *s, const rule_opts *o, const char *only_id, findings *f)
{
    rule_opts def;
    const rule_opts *use = o;
    if (!use) {
        rule_opts_default(&def);
        use = &def;
    }
    const char *only[] = {only_id, NULL};
    findings_init(f);
    rules_run_safe(s, use, only_id ? only : NULL, NULL, f);
    if (!o)
        rule_opts_free(&def);
}

static void dump_findings(const findings *f)
{
    for (size_t i = 0; i < f->items.len; i++) {
        const finding *x = vec_at(&f->items, i);
        print_message("  finding: %s %s [%s] %s\n", severity_name(x->severity), x->rule, x->subject, x->summary);
    }
    for (size_t i = 0; i < f->skipped.len; i++) {
        const not_evaluated *n = vec_at(&f->skipped, i);
        print_message("  not evaluated: %s: %s\n", n->rule, n->reason);
    }
}

static int n_of(const findings *f, const char *rid)
{
    int n = 0;
    for (size_t i = 0; i < f->items.len; i++)
        n += strcmp(((finding *)vec_at(&f->items, i))->rule, rid) == 0;
    return n;
}

/* the finding of `rid` whose subject process has this pid */
static const finding *about_pid(const findings *f, const char *rid, const char *pid)
{
    for (size_t i = 0; i < f->items.len; i++) {
        const finding *x = vec_at(&f->items, i);
        if (strcmp(x->rule, rid) == 0 && strcmp(x->pid, pid) == 0)
            return x;
    }
    dump_findings(f);
    fail_msg("no %s finding about %s", rid, pid);
    return NULL;
}

static void expect_none(const findings *f, const char *rid)
{
    if (n_of(f, rid)) {
        dump_findings(f);
        fail_msg("expected no %s finding, got %d", rid, n_of(f, rid));
    }
}

static double ev_of(const finding *x, const char *key)
{
    for (int i = 0; i < x->n_ev; i++)
        if (strcmp(x->ev[i].key, key) == 0)
            return x->ev[i].value;
    fail_msg("%s finding about %s has no evidence '%s'", x->rule, x->subject, key);
    return NAN;
}

#define expect_ev(x, key, want)                                                                                        \
    do {                                                                                                               \
        double got_ = ev_of((x), (key)), want_ = (double)(want);                                                       \
        if (!(fabs(got_ - want_) <= 1e-6 * fmax(1.0, fabs(want_))))                                                    \
            fail_msg("%s: evidence %s = %.9g, expected %.9g", (x)->rule, (key), got_, want_);                          \
    } while (0)

#define assert_contains(hay, needle)                                                                                   \
    do {                                                                                                               \
        const char *h_ = (hay), *n_ = (needle);                                                                        \
        if (!strstr(h_, n_))                                                                                           \
            fail_msg("expected to find\n  \"%s\"\nin\n  \"%s\"", n_, h_);                                              \
    } while (0)

#define assert_not_contains(hay, needle)                                                                               \
    do {                                                                                                               \
        const char *h_ = (hay), *n_ = (needle);                                                                        \
        if (strstr(h_, n_))                                                                                            \
            fail_msg("did not expect\n  \"%s\"\nin\n  \"%s\"", n_, h_);                                                \
    } while (0)

static int skipped(const findings *f, const char *rid)
{
    int n = 0;
    for (size_t i = 0; i < f->skipped.len; i++)
        n += strcmp(((not_evaluated *)vec_at(&f->skipped, i))->rule, rid) == 0;
    return n;
}

/* ======================================================================================== */
/* the rules' cases                                                                          */
/* ======================================================================================== */

/* Each rule's planted cases, near misses, runtime exemptions, one-sample cases and
 * regressions are data: the .test files in tests/rules (snapshot text in, findings out; run by
 * tests/rules/run.sh under `make golden`). What stays here cannot be said as a snapshot and
 * its findings: the engine (the rule table, thresholds, only/ignore, sorting), the
 * renderers, and facts the rules rest on (who started whom, pools, our own walks' cost,
 * the script's process) read from the model itself. */

/* the start_link arities the collector records survive save and load (the advice they
 * shape is tests/rules/unsupervised-process.test) */
static void test_start_link_arities_saved(void **state)
{
    tu_proc ps[] = {
        {.num = 200, .name = "ets_cache_options", .ic = "proc_lib:init_p/5", .dic = "p1_options:init/1", .gl = "100"},
        {.num = 210, .name = "pg", .ic = "proc_lib:init_p/5", .dic = "pg:init/1", .gl = "100"},
        {.num = 220, .name = "my_clock", .ic = "proc_lib:init_p/5", .dic = "my_clock:init/1", .gl = "100"},
        {.num = 230, .name = "old_clock", .ic = "proc_lib:init_p/5", .dic = "old_clock:init/1", .gl = "100"},
    };
    world w = {.erlang = 1, PROCS(ps)};
    snap *s = snap_new();
    w_begin(s, &w);
    tu_start_links(s, "p1_options", (const long[]){1}, 1);
    tu_start_links(s, "pg", (const long[]){0, 1}, 2);
    tu_start_links(s, "my_clock", NULL, 0);
    w_end(s, &w);
    char path[64], err[OA_ERRLEN] = "";
    tu_tmp_path(path, sizeof path);
    assert_int_equal(snap_save(s, path, err), 0);
    snap *r = snap_load(path, err);
    unlink(path);
    assert_non_null(r);
    assert_int_equal(snap_start_link_arities(r, "p1_options"), 2);
    assert_int_equal(snap_start_link_arities(r, "pg"), 3);
    assert_int_equal(snap_start_link_arities(r, "my_clock"), 0);
    assert_int_equal(snap_start_link_arities(r, "old_clock"), -1);
    snap_free(r);
    snap_free(s);
}

/* ======================================================================================== */
/* the engine: table, thresholds, only/ignore, sorting, severities                           */
/* ======================================================================================== */

static const char *const all_ids[] = {
    "unsupervised-process",
    "unsupervised-task",
    "global-bottleneck",
    "genserver-as-cache",
    "agent-under-load",
    "missing-partition-supervisor",
    "registry-single-partition",
    "atom-named-dynamic-processes",
    "process-without-runtime-reason",
    "mailbox-buildup",
    "restart-churn",
    "ets-owner-at-risk",
    "unresponsive-supervisor",
    "busy-dist-link",
    "global-name-callers",
    "app-version-skew",
    "app-tree-differs",
    "app-missing-on-node",
    "pg-scope-missing",
    "mailbox-growing",
    "saturated-over-time",
    "restarts-over-time",
};

static void test_rule_table(void **state)
{
    assert_int_equal(n_rules, (int)(sizeof all_ids / sizeof all_ids[0]));
    for (int i = 0; i < n_rules; i++) {
        const rule *r = rule_at(i);
        assert_non_null(r);
        assert_string_equal(r->id, all_ids[i]);
        assert_ptr_equal(rule_find(all_ids[i]), r);
        assert_true(!r->run != !r->run_cluster); /* a node rule or a cluster rule */
        assert_true(r->title && *r->title);
        assert_true(r->framework && *r->framework);
        assert_true(r->explain && *r->explain);
        assert_true(r->max_severity >= SEV_INFO && r->max_severity <= SEV_CRITICAL);
    }
    assert_null(rule_at(-1));
    assert_null(rule_at(n_rules));
    assert_null(rule_find("no-such-rule"));
    assert_null(rule_find(""));
    assert_int_equal(rule_find("mailbox-buildup")->max_severity, SEV_CRITICAL);
    assert_int_equal(rule_find("unsupervised-process")->max_severity, SEV_WARNING);
}

static void test_severity_parse_and_name(void **state)
{
    assert_int_equal(severity_parse("info"), SEV_INFO);
    assert_int_equal(severity_parse("warning"), SEV_WARNING);
    assert_int_equal(severity_parse("critical"), SEV_CRITICAL);
    const char *bad[] = {"", "Critical", "warn", "crit", "information", "critical ", " info", "2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (severity_parse(bad[i]) != -1)
            fail_msg("severity_parse(\"%s\") accepted", bad[i]);
    assert_string_equal(severity_name(SEV_INFO), "info");
    assert_string_equal(severity_name(SEV_WARNING), "warning");
    assert_string_equal(severity_name(SEV_CRITICAL), "critical");
    for (int sev = SEV_INFO; sev <= SEV_CRITICAL; sev++)
        assert_int_equal(severity_parse(severity_name(sev)), sev);
}

static void test_rule_opts_set(void **state)
{
    rule_opts o;
    rule_opts_default(&o);
    char err[OA_ERRLEN];
    /* defaults */
    assert_true(o.n >= 21);
    assert_true(rule_opt(&o, "bottleneck.queue") == 50);
    assert_true(rule_opt(&o, "churn.ratio") == 0.5);
    assert_true(rule_opt(&o, "cache.heap") == 1048576);
    assert_null(*o.missing);
    assert_true(rule_opt(&o, "no.such") == 0); /* a rule's bug: recorded, reported by rules_run */
    assert_string_equal(*o.missing, "no.such");
    *o.missing = NULL;
    for (int i = 0; i < o.n; i++) {
        assert_true(o.t[i].help && *o.t[i].help);
        assert_non_null(o.t[i].unit);
        for (int k = 0; k < i; k++) /* one name, one rule */
            assert_string_not_equal(o.t[k].name, o.t[i].name);
        assert_true(o.t[i].value >= 0);
    }
    /* valid: integers, fractions, exponents, zero; the last one wins */
    assert_int_equal(rule_opts_set(&o, "bottleneck.queue=10", err), 0);
    assert_true(rule_opt(&o, "bottleneck.queue") == 10);
    assert_int_equal(rule_opts_set(&o, "bottleneck.queue=1e3", err), 0);
    assert_true(rule_opt(&o, "bottleneck.queue") == 1000);
    assert_int_equal(rule_opts_set(&o, "churn.ratio=0.25", err), 0);
    assert_true(rule_opt(&o, "churn.ratio") == 0.25);
    assert_int_equal(rule_opts_set(&o, "mailbox.queue=0", err), 0);
    assert_true(rule_opt(&o, "mailbox.queue") == 0);
    /* errors leave the value alone and say why */
    struct {
        const char *as, *msg;
    } bad[] = {
        {"bottleneck.queue", "NAME=VALUE"},
        {"bottleneck.queue=", "is not a non-negative number"},
        {"bottleneck.queue=abc", "'abc' is not a non-negative number"},
        {"bottleneck.queue=10x", "is not a non-negative number"},
        {"bottleneck.queue=-1", "is not a non-negative number"},
        {"nope=1", "unknown threshold 'nope'"},
        {"bottleneck=1", "unknown threshold 'bottleneck'"},
        {"bottleneck.queuex=1", "unknown threshold 'bottleneck.queuex'"},
        {"=1", "unknown threshold ''"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        if (rule_opts_set(&o, bad[i].as, err) != -1)
            fail_msg("--set %s accepted", bad[i].as);
        assert_contains(err, bad[i].msg);
    }
    assert_true(rule_opt(&o, "bottleneck.queue") == 1000);
    /* a NULL err is allowed */
    assert_int_equal(rule_opts_set(&o, "nope=1", NULL), -1);
    rule_opts_free(&o);
    assert_null(o.t);
    assert_int_equal(o.n, 0);
}

/* --set NAME=nan is rejected (rule_opts_set, src/thresholds.c): a NaN threshold would
 * silently disable its rule, every comparison with NaN being false. */
static void test_regression_rule_opts_nan(void **state)
{
    rule_opts o;
    rule_opts_default(&o);
    char err[OA_ERRLEN] = "";
    int rc = rule_opts_set(&o, "bottleneck.queue=nan", err);
    rule_opts_free(&o);
    regression(rc == -1, "--set bottleneck.queue=nan is accepted (src/thresholds.c rule_opts_set)");
}

/* `explain` lists a rule's thresholds by the names its explanation mentions
 * (render_explain): a threshold no explanation names is invisible there. */
static void test_regression_every_threshold_explained(void **state)
{
    rule_opts o;
    rule_opts_default(&o);
    int all = 1;
    for (int t = 0; t < o.n; t++) {
        int named = 0;
        for (int i = 0; i < n_rules; i++)
            named |= strstr(rule_at(i)->explain, o.t[t].name) != NULL;
        if (!named) {
            print_message("threshold %s is named by no rule's explanation\n", o.t[t].name);
            all = 0;
        }
    }
    /* render_explain shows the ones that are named */
    strbuf sb;
    sb_init(&sb);
    char err[OA_ERRLEN];
    assert_int_equal(render_explain("mailbox-buildup", &o, &sb, err), 0);
    assert_contains(sb.buf, "mailbox-buildup \xe2\x80\x94 Message queue building up (up to critical)");
    assert_contains(sb.buf, "--set mailbox.queue=1000");
    assert_contains(sb.buf, "--set mailbox.growth=100");
    assert_not_contains(sb.buf, "agent-under-load");
    /* thresholds, and an unknown rule, for the shell and the command line alike */
    sb_reset(&sb);
    assert_int_equal(render_explain("thresholds", &o, &sb, err), 0);
    assert_contains(sb.buf, "bottleneck.queue");
    assert_contains(sb.buf, "messages");
    assert_int_equal(render_explain("no-such-rule", &o, &sb, err), -1);
    assert_contains(err, "no rule 'no-such-rule'");
    sb_free(&sb);
    rule_opts_free(&o);
    regression(all, "a threshold is not shown by `explain` (name it in its rule's explain text)");
}

/* a snapshot where several rules fire: bottleneck (critical), cache (warning), an orphan
 * (warning), a linked helper (info) */
static snap *plant_mix(void)
{
    tu_proc ps[] = {
        {TOP_CHILD(200, "Elixir.Zoo.Counter", "Elixir.Zoo.Counter:init/1"), .mq = 40, .monby = 22, .reds = 1000000},
        {TOP_CHILD(201, "Elixir.Zoo.Cache", "Elixir.Zoo.Cache:init/1"), .heap = 262144, .reds = 10000, .monby = 3},
        {.num = 210, .ic = "proc_lib:init_p/5", .dic = "Elixir.Zoo.Poller:init/1", .gl = "100"},
        {.num = 220, .ic = "erlang:apply/2", .cf = "Elixir.Zoo.Pinger:loop/1", .gl = "100", .links = "102"},
    };
    tu_proc2 p2[] = {{.num = 200, .mq = 120, .reds = 1200000, .monby = 30}, {.num = 201, .reds = 15000, .monby = 3}};
    tu_child top[] = {{"Elixir.Zoo.Counter", "200", 0, "permanent", "Elixir.Zoo.Counter"},
                      {"Elixir.Zoo.Cache", "201", 0, "permanent", "Elixir.Zoo.Cache"}};
    world w = {PROCS(ps), P2(p2), TOP(top)};
    return w_build(&w);
}

static void test_rules_run_only_and_ignore(void **state)
{
    snap *s = plant_mix();
    rule_opts o;
    rule_opts_default(&o);
    findings f;

    findings_init(&f);
    rules_run_safe(s, &o, NULL, NULL, &f);
    assert_int_equal(f.items.len, 4);
    assert_int_equal(n_of(&f, "global-bottleneck"), 1);
    assert_int_equal(n_of(&f, "genserver-as-cache"), 1);
    assert_int_equal(n_of(&f, "unsupervised-process"), 2);
    findings_free(&f);

    /* an empty only list is no filter */
    const char *none[] = {NULL};
    findings_init(&f);
    rules_run_safe(s, &o, none, none, &f);
    assert_int_equal(f.items.len, 4);
    findings_free(&f);

    const char *only[] = {"genserver-as-cache", "unsupervised-process", NULL};
    findings_init(&f);
    rules_run_safe(s, &o, only, NULL, &f);
    assert_int_equal(f.items.len, 3);
    expect_none(&f, "global-bottleneck");
    findings_free(&f);

    const char *ignore[] = {"unsupervised-process", NULL};
    findings_init(&f);
    rules_run_safe(s, &o, only, ignore, &f);
    assert_int_equal(f.items.len, 1);
    assert_int_equal(n_of(&f, "genserver-as-cache"), 1);
    findings_free(&f);

    const char *ignore2[] = {"global-bottleneck", "genserver-as-cache", NULL};
    findings_init(&f);
    rules_run_safe(s, &o, NULL, ignore2, &f);
    assert_int_equal(f.items.len, 2);
    assert_int_equal(n_of(&f, "unsupervised-process"), 2);
    findings_free(&f);

    /* ignoring everything the only list names: nothing runs */
    findings_init(&f);
    rules_run_safe(s, &o, only, only, &f);
    assert_int_equal(f.items.len, 0);
    assert_int_equal(f.skipped.len, 0);
    findings_free(&f);
    rule_opts_free(&o);
    snap_free(s);

    /* skipped entries follow the same filter */
    world w = {.one_sample = 1};
    s = w_build(&w);
    rule_opts_default(&o);
    const char *mb[] = {"mailbox-buildup", NULL};
    findings_init(&f);
    rules_run_safe(s, &o, mb, NULL, &f);
    assert_int_equal(f.skipped.len, 1);
    assert_int_equal(skipped(&f, "mailbox-buildup"), 1);
    findings_free(&f);
    findings_init(&f);
    rules_run_safe(s, &o, NULL, mb, &f);
    assert_int_equal(f.skipped.len, 5);
    assert_int_equal(skipped(&f, "mailbox-buildup"), 0);
    findings_free(&f);
    rule_opts_free(&o);
    snap_free(s);
}

static void test_findings_sort_and_count(void **state)
{
    findings f;
    findings_init(&f);
    struct {
        const char *rule;
        int sev;
        const char *subject;
    } in[] = {
        {"unsupervised-process", SEV_INFO, "b"},  {"mailbox-buildup", SEV_WARNING, "z"},
        {"restart-churn", SEV_CRITICAL, "a"},     {"agent-under-load", SEV_WARNING, "y"},
        {"mailbox-buildup", SEV_CRITICAL, "m"},   {"mailbox-buildup", SEV_WARNING, "c"},
        {"global-bottleneck", SEV_CRITICAL, "q"}, {"unsupervised-process", SEV_INFO, "a"},
    };
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        finding *x = findings_add(&f, in[i].rule, in[i].sev);
        x->subject = findings_strdup(&f, in[i].subject);
        finding_ev(x, "n", (double)i, NULL);
    }
    findings_sort(&f);
    const char *want[][2] = {
        {"global-bottleneck", "q"},    {"mailbox-buildup", "m"},      {"restart-churn", "a"},
        {"agent-under-load", "y"},     {"mailbox-buildup", "c"},      {"mailbox-buildup", "z"},
        {"unsupervised-process", "a"}, {"unsupervised-process", "b"},
    };
    int prev = SEV_CRITICAL;
    for (size_t i = 0; i < f.items.len; i++) {
        const finding *x = vec_at(&f.items, i);
        assert_string_equal(x->rule, want[i][0]);
        assert_string_equal(x->subject, want[i][1]);
        assert_true(x->severity <= prev);
        prev = x->severity;
        /* evidence travels with its finding */
        assert_int_equal(x->n_ev, 1);
        assert_string_equal(x->ev[0].unit, "");
    }
    assert_int_equal(findings_count(&f, SEV_CRITICAL), 3);
    assert_int_equal(findings_count(&f, SEV_WARNING), 6);
    assert_int_equal(findings_count(&f, SEV_INFO), 8);
    /* evidence is capped */
    finding *x = findings_add(&f, "restart-churn", SEV_INFO);
    for (int i = 0; i < FINDING_MAX_EVIDENCE + 5; i++)
        finding_ev(x, "k", i, "s");
    assert_int_equal(x->n_ev, FINDING_MAX_EVIDENCE);
    assert_true(x->ev[FINDING_MAX_EVIDENCE - 1].value == FINDING_MAX_EVIDENCE - 1);
    assert_int_equal(x->proc, SNAP_NONE);
    assert_int_equal(x->sup, SNAP_NONE);
    assert_int_equal(x->ets, SNAP_NONE);
    assert_int_equal(x->reg, SNAP_NONE);
    assert_string_equal(x->summary, "");
    findings_free(&f);
}

/* advice.c: an entry is rendered in the subject's language, its atom by codegen, its text
 * arguments as given; the variants no golden output shows are checked here. */
static void test_advice_in_the_subjects_language(void **state)
{
    (void)state;
    snap erl, ex;
    memset(&erl, 0, sizeof erl);
    memset(&ex, 0, sizeof ex);
    ex.info.elixir_version = 1;
    findings f;
    findings_init(&f);
    const char *t = advice_text(&f, &erl, "genserver-as-cache", ADV_DEFAULT,
                                &(advice_args){.atom = "my_cache", .arg = {"my_cache"}});
    assert_non_null(strstr(t, "\"Global cache gen_server \xe2\x86\x92 ETS is usually better\""));
    assert_non_null(strstr(t, "\n  ets:lookup(my_cache, Key)            % readers, in their own process\n"
                              "Keep my_cache only"));
    t = advice_text(&f, &ex, "genserver-as-cache", ADV_DEFAULT,
                    &(advice_args){.atom = "Elixir.Zoo.Cache", .arg = {"Zoo.Cache"}});
    assert_non_null(strstr(t, "  :ets.new(Zoo.Cache, [:named_table"));
    t = advice_text(&f, &erl, "atom-named-dynamic-processes", ADV_DEFAULT, &(advice_args){.arg = {"worker"}});
    assert_non_null(strstr(t, "  gen_server:start_link({via, global, {worker, Id}}, ?MODULE, Id, [])"));
    t = advice_text(&f, &ex, "unresponsive-supervisor", ADV_UNRESPONSIVE_STARTING, NULL);
    assert_non_null(strstr(t, "{PartitionSupervisor, child_spec: DynamicSupervisor, name: MyApp.Sessions}\n"));
    t = advice_text(&f, &erl, "ets-owner-at-risk", ADV_DEFAULT, &(advice_args){.atom = "Elixir.Foo"});
    assert_non_null(strstr(t, "supervised gen_server that exists"));
    assert_non_null(strstr(t, "  ets:new('Elixir.Foo', [named_table"));
    assert_null(strstr(t, "\xe2\x9f\xa8")); /* no placeholder left */
    t = advice_text(&f, &ex, "global-bottleneck", ADV_DEFAULT, &(advice_args){.atom = "my_table", .arg = {"a fun"}});
    assert_non_null(strstr(t, ":ets.new(:my_table, [:named_table, :set, :public, read_concurrency: true])\n"
                              "and keep the process (a fun) only"));
    assert_non_null(strstr(t, "picked with :erlang.phash2(key, n)."));
    assert_string_equal(advice_text(&f, &ex, "unsupervised-process", ADV_UNSUPERVISED_ORPHAN_ROOT, NULL),
                        "Start this tree from your application: put the child spec you now pass to start_link into "
                        "the children of the supervisor your Application.start/2 starts, so the application owns it.");
    assert_string_equal(advice_text(&f, &erl, "unsupervised-process", ADV_UNSUPERVISED_ORPHAN_ROOT, NULL),
                        "Start this tree from your application: add its child spec to the children of the supervisor "
                        "your application's start/2 starts (type => supervisor), so the application owns it.");
    t = advice_text(&f, &erl, "unsupervised-process", ADV_UNSUPERVISED_SCRIPT, NULL);
    assert_string_equal(t, advice_text(&f, &ex, "unsupervised-process", ADV_UNSUPERVISED_SCRIPT, NULL));
    assert_non_null(strstr(t, "(mix new --sup gives one) and run the node with `mix run --no-halt` or a release"));
    assert_string_equal(advice_text(&f, &erl, "no-such-rule", ADV_DEFAULT, NULL), "");
    findings_free(&f);
}

/* Sorting an empty findings set (findings_sort, src/findings.c) never hands qsort the NULL
 * array of an empty vec, which UBSan would abort on; rules_run sorts on every node with no
 * findings. Run in a child process, its stderr discarded. */
static void test_regression_findings_sort_empty(void **state)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2(devnull, 2);
        findings f;
        findings_init(&f);
        findings_sort(&f);
        findings_free(&f);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    regression(WIFEXITED(status) && WEXITSTATUS(status) == 0,
               "findings_sort of an empty set passes NULL to qsort (UB; src/findings.c findings_sort)");
}

static void test_rules_run_sorts(void **state)
{
    snap *s = plant_mix();
    findings f;
    run_rules(s, NULL, NULL, &f);
    assert_int_equal(f.items.len, 4);
    const finding *x0 = vec_at(&f.items, 0), *x1 = vec_at(&f.items, 1), *x2 = vec_at(&f.items, 2),
                  *x3 = vec_at(&f.items, 3);
    assert_string_equal(x0->rule, "global-bottleneck");
    assert_int_equal(x0->severity, SEV_CRITICAL);
    assert_string_equal(x1->rule, "genserver-as-cache");
    assert_string_equal(x2->rule, "unsupervised-process");
    assert_int_equal(x2->severity, SEV_WARNING);
    assert_string_equal(x3->rule, "unsupervised-process");
    assert_int_equal(x3->severity, SEV_INFO);
    findings_free(&f);
    snap_free(s);
}

/* ======================================================================================== */
/* renderers                                                                                 */
/* ======================================================================================== */

/* a strict JSON validator (RFC 8259 grammar), enough to tell well-formed output */
static const char *js_ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
        p++;
    return p;
}

static const char *js_value(const char *p, int depth);

static const char *js_string(const char *p)
{
    if (*p != '"')
        return NULL;
    for (p++; *p != '"'; p++) {
        if (!*p || (unsigned char)*p < 0x20)
            return NULL;
        if (*p == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
                        return NULL;
                p += 4;
            } else if (!*p || !strchr("\"\\/bfnrt", *p))
                return NULL;
        }
    }
    return p + 1;
}

static const char *js_digits(const char *p)
{
    if (*p < '0' || *p > '9')
        return NULL;
    while (*p >= '0' && *p <= '9')
        p++;
    return p;
}

static const char *js_number(const char *p)
{
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (!(p = js_digits(p)))
        return NULL;
    if (*p == '.' && !(p = js_digits(p + 1)))
        return NULL;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(p = js_digits(p)))
            return NULL;
    }
    return p;
}

static const char *js_value(const char *p, int depth)
{
    if (depth > 64)
        return NULL;
    p = js_ws(p);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        int obj = *p == '{';
        p = js_ws(p + 1);
        if (*p == close)
            return p + 1;
        for (;;) {
            if (obj) {
                if (!(p = js_string(js_ws(p))))
                    return NULL;
                p = js_ws(p);
                if (*p++ != ':')
                    return NULL;
            }
            if (!(p = js_value(p, depth + 1)))
                return NULL;
            p = js_ws(p);
            if (*p == close)
                return p + 1;
            if (*p++ != ',')
                return NULL;
        }
    }
    if (*p == '"')
        return js_string(p);
    if (!strncmp(p, "true", 4))
        return p + 4;
    if (!strncmp(p, "false", 5))
        return p + 5;
    if (!strncmp(p, "null", 4))
        return p + 4;
    return js_number(p);
}

static int json_valid(const char *s)
{
    const char *p = js_value(s, 0);
    return p && !*js_ws(p);
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void test_json_validator(void **state)
{
    assert_true(json_valid("{\"a\": [1, -2.5e+3, true, null, \"x\\n\\u00e9\"], \"b\": {}}\n"));
    assert_true(json_valid("[]"));
    const char *bad[] = {"",     "{",      "{\"a\": 1,}", "[1 2]",       "{\"a\" 1}", "{a: 1}", "[01]",
                         "[1.]", "\"\n\"", "[nul]",       "{\"a\": 1}}", "[\"\\x\"]", "[1e]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (json_valid(bad[i]))
            fail_msg("validator accepted '%s'", bad[i]);
}

/* the evidence standard: every rule says in `explain` what it cannot see */
static void test_every_rule_says_what_it_cannot_see(void **state)
{
    (void)state;
    for (int i = 0; i < n_rules; i++)
        if (!strstr(rule_at(i)->explain, "Cannot see"))
            fail_msg("%s: explain does not say what it cannot see", rule_at(i)->id);
}

/* integers exactly, other doubles with the fewest digits that read back the same */
static void test_json_numbers_exact(void **state)
{
    (void)state;
    const double vals[] = {198009123.0, 1e6,   123456789012345.0, -7.0, 0.1, 1.0 / 3.0,
                           2.5e-9,      1e300, 4503599627370497.0};
    const char *want[] = {"198009123", "1000000", "123456789012345", "-7", "0.1", NULL,
                          "2.5e-09",   NULL,      "4503599627370497"};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        strbuf sb;
        sb_init(&sb);
        json_w j;
        json_init(&j, &sb, 0);
        json_num(&j, vals[i]);
        if (want[i] && strcmp(sb.buf, want[i]))
            fail_msg("%.17g printed as %s, want %s", vals[i], sb.buf, want[i]);
        if (strtod(sb.buf, NULL) != vals[i])
            fail_msg("%.17g printed as %s does not read back", vals[i], sb.buf);
        assert_true(json_valid(sb.buf));
        sb_free(&sb);
    }
}

static void test_render_findings_text(void **state)
{
    snap *s = plant_mix();
    findings f;
    run_rules(s, NULL, NULL, &f);
    render_ctx c;
    render_ctx_default(&c);
    c.color = 0;
    strbuf sb;
    sb_init(&sb);
    render_findings_text(s, &f, SEV_INFO, &c, &sb);
    const char *t = sb.buf;
    assert_contains(t, "\xe2\x9c\x96 critical  global-bottleneck  Zoo.Counter <0.200.0>  (zoo \xe2\x80\xba "
                       "Zoo.Supervisor \xe2\x80\xba Zoo.Counter)\n");
    assert_contains(t, "\xe2\x9a\xa0 warning   genserver-as-cache  Zoo.Cache <0.201.0>");
    assert_contains(t, "\xe2\x9a\xa0 warning   unsupervised-process  Zoo.Poller <0.210.0>\n");
    assert_contains(t, "\xe2\x84\xb9 info      unsupervised-process  a spawned fun <0.220.0>\n");
    /* summary indented by 4, recommendation by 6, line by line */
    assert_contains(t, "\n    queue 40 \xe2\x86\x92 120 in 1.0 s");
    assert_contains(t, "\n      Global processes are bottlenecks.");
    assert_contains(t, "\n        :ets.new(Zoo.Counter,");
    /* critical first, info last */
    const char *crit = strstr(t, "\xe2\x9c\x96 critical"), *warn = strstr(t, "\xe2\x9a\xa0 warning"),
               *info = strstr(t, "\xe2\x84\xb9 info");
    assert_true(crit && warn && info && crit < warn && warn < info);
    assert_contains(t, "1 critical, 2 warning, 1 info on n@h (two samples, 12 processes)\n");
    assert_not_contains(t, "hidden by -s");
    assert_not_contains(t, "\033[");
    assert_not_contains(t, "not fully evaluated");
    sb_free(&sb);

    /* -s warning hides the info and says so */
    sb_init(&sb);
    render_findings_text(s, &f, SEV_WARNING, &c, &sb);
    assert_not_contains(sb.buf, "\xe2\x84\xb9 info");
    assert_contains(
        sb.buf, "1 critical, 2 warning, 1 info on n@h (two samples, 12 processes) \xe2\x80\x94 some hidden by -s\n");
    sb_free(&sb);

    /* colour */
    c.color = 1;
    sb_init(&sb);
    render_findings_text(s, &f, SEV_INFO, &c, &sb);
    assert_contains(sb.buf, "\033[31m\xe2\x9c\x96 critical\033[0m  global-bottleneck  \033[1mZoo.Counter\033[0m");
    sb_free(&sb);
    findings_free(&f);
    snap_free(s);

    /* one sample: the rules not fully evaluated are listed */
    world w = {.one_sample = 1};
    s = w_build(&w);
    run_rules(s, NULL, NULL, &f);
    c.color = 0;
    sb_init(&sb);
    render_findings_text(s, &f, SEV_INFO, &c, &sb);
    assert_contains(sb.buf, "not fully evaluated: mailbox-buildup: one sample only");
    assert_int_equal(count_of(sb.buf, "not fully evaluated: "), 6);
    assert_contains(sb.buf, "0 critical, 0 warning, 0 info on n@h (one sample, 8 processes)\n");
    sb_free(&sb);
    findings_free(&f);
    snap_free(s);
}

static void test_render_findings_json(void **state)
{
    snap *s = plant_mix();
    findings f;
    run_rules(s, NULL, NULL, &f);
    strbuf sb;
    sb_init(&sb);
    render_findings_json(s, &f, &sb);
    const char *j = sb.buf;
    if (!json_valid(j))
        fail_msg("invalid JSON:\n%s", j);
    assert_contains(j, "\"schema\": \"otp-advisor/findings/2\"");
    assert_contains(j, "\"schema_version\": 2");
    assert_contains(j, "\"node\": \"n@h\"");
    assert_contains(j, "\"elixir_version\": \"1.15.7\"");
    assert_contains(j, "\"window_ms\": 1000");
    assert_contains(j, "\"processes\": 12");
    assert_contains(j, "\"critical\": 1");
    assert_contains(j, "\"warning\": 2");
    assert_contains(j, "\"info\": 1");
    assert_int_equal(count_of(j, "\"rule\": "), 4);
    assert_contains(j, "\"rule\": \"global-bottleneck\"");
    assert_contains(j, "\"rule\": \"genserver-as-cache\"");
    assert_int_equal(count_of(j, "\"rule\": \"unsupervised-process\""), 2);
    assert_contains(j, "\"severity\": \"critical\"");
    assert_contains(j, "\"name\": \"Zoo.Counter\"");
    assert_contains(j, "\"pid\": \"<0.200.0>\"");
    assert_contains(j, "\"queue_second\": 120");
    assert_contains(j, "\"reductions_per_s\": 200000");
    assert_contains(j, "\"heap\": 2097152");
    /* the recommendation's newlines are escaped */
    assert_contains(j, "Global processes are bottlenecks. Reads that need no coordination belong in ETS:\\n");
    assert_contains(j, "\"not_evaluated\": []");
    /* critical first, as sorted */
    assert_true(strstr(j, "global-bottleneck") < strstr(j, "genserver-as-cache"));
    /* the validator rejects a cut copy */
    char *cut = strdup(j);
    assert_non_null(cut);
    cut[strlen(cut) / 2] = 0;
    assert_false(json_valid(cut));
    free(cut);
    sb_free(&sb);
    findings_free(&f);
    snap_free(s);

    /* one sample, nothing found: empty findings, the not-evaluated rules, an Erlang node */
    world w = {.one_sample = 1, .erlang = 1};
    s = w_build(&w);
    run_rules(s, NULL, NULL, &f);
    sb_init(&sb);
    render_findings_json(s, &f, &sb);
    if (!json_valid(sb.buf))
        fail_msg("invalid JSON:\n%s", sb.buf);
    assert_contains(sb.buf, "\"findings\": []");
    assert_contains(sb.buf, "\"window_ms\": 0");
    assert_not_contains(sb.buf, "elixir_version");
    assert_int_equal(count_of(sb.buf, "\"rule\": "), 6);
    assert_contains(sb.buf, "\"rule\": \"process-without-runtime-reason\",");
    assert_contains(sb.buf, "\"reason\": \"one sample only: \\\"no traffic\\\" needs --window\"");
    sb_free(&sb);
    findings_free(&f);
    snap_free(s);
}

/* the zoo of testutil.h: every rule over it, rendered both ways */
static void test_render_zoo_findings(void **state)
{
    snap *s = snap_new();
    tu_build_zoo(s, 1);
    findings f;
    run_rules(s, NULL, NULL, &f);
    /* <0.111.0>: queue 250,000 -> 260,000 */
    const finding *x = about_pid(&f, "mailbox-buildup", "<0.111.0>");
    assert_int_equal(x->severity, SEV_CRITICAL);
    expect_ev(x, "queue_second", 260000);
    /* the advisor and the runtime say nothing */
    for (size_t i = 0; i < f.items.len; i++) {
        const finding *y = vec_at(&f.items, i);
        assert_true(y->proc == SNAP_NONE || !rule_exempt(s, snap_proc_at(s, y->proc)));
    }
    strbuf sb;
    sb_init(&sb);
    render_findings_json(s, &f, &sb);
    if (!json_valid(sb.buf))
        fail_msg("invalid JSON:\n%s", sb.buf);
    assert_int_equal(count_of(sb.buf, "\"rule\": "), (int)(f.items.len + f.skipped.len));
    sb_free(&sb);
    render_ctx c;
    render_ctx_default(&c);
    sb_init(&sb);
    render_findings_text(s, &f, SEV_INFO, &c, &sb);
    char line[128];
    snprintf(line, sizeof line, "%d critical, %d warning, %d info on n@h (two samples, 24 processes)\n",
             findings_count(&f, SEV_CRITICAL), findings_count(&f, SEV_WARNING) - findings_count(&f, SEV_CRITICAL),
             findings_count(&f, SEV_INFO) - findings_count(&f, SEV_WARNING));
    assert_contains(sb.buf, line);
    sb_free(&sb);
    findings_free(&f);
    snap_free(s);
}

/* ======================================================================================== */
/* Real systems, part 2: evidence an OTP expert would sign                                  */
/* ======================================================================================== */

/* ======================================================================================== */
/* Issue 19, part 3: findings an expert signs, in the cases still wrong                      */
/* ======================================================================================== */

/* A database server (Db.Server) starts three workers from its init (start_link: their
 * '$ancestors' is the server's name, they are linked to it) and watches them (monitors, from
 * its own receive loop); casts pile up in the first worker: queue q1 -> q2. */
static snap *plant_db_pool(int named, int supervised, long q1, long q2)
{
    const char *wanc = supervised ? "Elixir.Db.Server Elixir.Zoo.Supervisor 101" : "Elixir.Db.Server";
    tu_proc ps[] = {
        {.num = 200,
         .name = "Elixir.Db.Server",
         .ic = "proc_lib:init_p/5",
         .dic = "Elixir.Db.Server:init/1",
         .anc = supervised ? "Elixir.Zoo.Supervisor 101" : "300",
         .gl = supervised ? "100" : NULL,
         .links = supervised ? "102 210 211 212" : "210 211 212",
         .mons = "210 211 212",
         .reds = 5000},
        {.num = 210,
         .name = named ? "db_worker_1" : NULL,
         .ic = "proc_lib:init_p/5",
         .dic = "Elixir.Db.Worker:init/1",
         .anc = wanc,
         .gl = supervised ? "100" : NULL,
         .links = "200",
         .mq = q1,
         .monby = 1,
         .reds = 90000},
        {.num = 211,
         .name = named ? "db_worker_2" : NULL,
         .ic = "proc_lib:init_p/5",
         .dic = "Elixir.Db.Worker:init/1",
         .anc = wanc,
         .gl = supervised ? "100" : NULL,
         .links = "200",
         .monby = 1},
        {.num = 212,
         .name = named ? "db_worker_3" : NULL,
         .ic = "proc_lib:init_p/5",
         .dic = "Elixir.Db.Worker:init/1",
         .anc = wanc,
         .gl = supervised ? "100" : NULL,
         .links = "200",
         .monby = 1},
    };
    tu_proc2 p2[] = {{.num = 210, .mq = q2, .monby = 1, .reds = 150000}};
    tu_child top[] = {{"Elixir.Db.Server", "200", 0, "permanent", "Elixir.Db.Server"}};
    world w = {PROCS(ps), P2(p2)};
    if (supervised) {
        w.top = top;
        w.n_top = 1;
    }
    return w_build(&w);
}

/* item 1's facts: the pool a worker belongs to (the same code started by the same server),
 * the watcher in its own loop that is no caller, who started whom; the findings they lead to
 * are tests/rules/expert-review.test */
static void test_issue19_pool_facts(void **state)
{
    for (int named = 0; named < 2; named++)
        for (int supervised = 0; supervised < 2; supervised++) {
            snap *s = plant_db_pool(named, supervised, 400, 1500);
            uint32_t *pool = procs_pool_size(s), *watch = procs_idle_watchers(s), *par = procs_parent(s);
            assert_int_equal(pool[tu_find(s, 210)], 3);
            assert_int_equal(pool[tu_find(s, 200)], 1);
            assert_int_equal(watch[tu_find(s, 210)], 1); /* the server, in its own loop */
            assert_int_equal(par[tu_find(s, 211)], tu_find(s, 200));
            free(pool);
            free(watch);
            free(par);
            snap_free(s);
        }
}

/* Elixir's CLI (Kernel.CLI, waiting in exec_fun/2) monitors the process that runs the script
 * (`mix run -e`, `elixir FILE`), here now in Process.sleep/1, which started Svc.Supervisor
 * with one child (tree) or nothing (!tree); cli: the CLI is there */
static snap *plant_script(int cli, int tree, int table)
{
    tu_proc ps[] = {
        {.num = 300,
         .ic = "erlang:apply/2",
         .cf = cli ? "Elixir.Kernel.CLI:exec_fun/2" : "init:loop/1",
         .mons = "310",
         .links = "0",
         .trap_exit = 1},
        {.num = 310, .ic = "erlang:apply/2", .cf = "Elixir.Process:sleep/1", .links = tree ? "320" : NULL, .monby = 1},
        {.num = 320,
         .name = "Elixir.Svc.Supervisor",
         .ic = "proc_lib:init_p/5",
         .dic = "supervisor:Elixir.Supervisor.Default/1",
         .anc = "310",
         .links = "310 321",
         .trap_exit = 1},
        {.num = 321,
         .name = "Elixir.Svc.Store",
         .ic = "proc_lib:init_p/5",
         .dic = "Elixir.Svc.Store:init/1",
         .anc = "Elixir.Svc.Supervisor 310",
         .links = "320",
         .reds = 1000},
    };
    tu_proc2 p2[] = {{.num = 321, .reds = 6000}};
    world w = {PROCS(ps), P2(p2)};
    w.n_procs = tree ? 4 : 2;
    snap *s = snap_new();
    w_begin(s, &w);
    if (tree) {
        tu_sup sup = {.num = 320,
                      .name = "Elixir.Svc.Supervisor",
                      .strategy = "one_for_one",
                      .intensity = 3,
                      .period = 5,
                      .nchildren = 1,
                      .callback = "Elixir.Supervisor.Default"};
        tu_sup_msg(s, &sup);
        tu_child ch[] = {{"Elixir.Svc.Store", "321", 0, "permanent", "Elixir.Svc.Store"}};
        tu_children(s, 320, ch, 1);
    }
    if (table) {
        tu_ets_row e = {
            .id = "script_state", .name = "script_state", .owner = "310", .size = 3, .mem_words = 300, .named = 1};
        tu_ets(s, &e, 1);
    }
    w_end(s, &w);
    return s;
}

/* item 3's fact: the script's process is the one Elixir's CLI monitors; without the CLI
 * there is none (the findings: tests/rules/expert-review.test) */
static void test_issue19_script_runner(void **state)
{
    snap *s = plant_script(1, 1, 0);
    assert_int_equal(snap_script_runner(s), tu_find(s, 310));
    assert_int_equal(tu_proc_of(s, 300)->cls, PC_RUNTIME);
    assert_int_equal(tu_proc_of(s, 310)->cls, PC_FOREIGN_ORPHAN);
    snap_free(s);
    s = plant_script(0, 0, 0);
    assert_int_equal(snap_script_runner(s), SNAP_NONE);
    snap_free(s);
}

/* item 5: our own two walks cost every process reductions (a process_info of another process
 * is a signal it handles): 1, and 1 more for a proc_lib process (its dictionary read). A
 * snapshot our collector took has that taken off, never below 0; a hand-built one holds
 * no reading of ours */
static void test_issue19_our_own_cost(void **state)
{
    for (int ours = 0; ours < 2; ours++) {
        tu_proc ps[] = {{TOP_CHILD(200, NULL, "Elixir.Zoo.Idle:init/1"), .reds = 100},
                        {.num = 210, .ic = "erlang:apply/2", .cf = "Elixir.Zoo.Loop:wait/0", .gl = "100", .reds = 50},
                        {TOP_CHILD(220, NULL, "Elixir.Zoo.Busy:init/1"), .reds = 1000},
                        {TOP_CHILD(230, NULL, "Elixir.Zoo.Odd:init/1"), .reds = 10}};
        tu_proc2 p2[] = {{.num = 200, .reds = 102},
                         {.num = 210, .reds = 51},
                         {.num = 220, .reds = 501000},
                         {.num = 230, .reds = 11}};
        tu_child top[] = {{"i", "200", 0, "permanent", "Elixir.Zoo.Idle"},
                          {"b", "220", 0, "permanent", "Elixir.Zoo.Busy"},
                          {"o", "230", 0, "permanent", "Elixir.Zoo.Odd"}};
        world w = {PROCS(ps), P2(p2), TOP(top)};
        snap *s = snap_new();
        w_begin(s, &w);
        if (ours)
            s->info.method = snap_intern(s, ours == 1 ? "probe" : "no-load");
        w_end(s, &w);
        const snap_proc *idle = tu_proc_of(s, 200), *plain = tu_proc_of(s, 210), *busy = tu_proc_of(s, 220),
                        *odd = tu_proc_of(s, 230);
        assert_int_equal(snap_walk_cost(s, idle), ours ? 2 : 0);
        assert_int_equal(snap_walk_cost(s, plain), ours ? 1 : 0);
        assert_true(snap_reds_rate(s, idle) == (ours ? 0.0 : 2.0));
        assert_true(snap_reds_rate(s, plain) == (ours ? 0.0 : 1.0));
        assert_true(snap_reds_rate(s, busy) == (ours ? 499998.0 : 500000.0));
        assert_true(snap_reds_rate(s, odd) == (ours ? 0.0 : 1.0)); /* never below 0 */
        assert_int_equal(snap_reds_delta(s, busy), ours ? 499998 : 500000);
        snap_free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* unsupervised-process */
        cmocka_unit_test(test_start_link_arities_saved),
        /* unsupervised-task */
        /* global-bottleneck */
        /* genserver-as-cache */
        /* agent-under-load */
        /* missing-partition-supervisor */
        /* registry-single-partition */
        /* atom-named-dynamic-processes */
        /* process-without-runtime-reason */
        /* mailbox-buildup */
        /* restart-churn */
        /* ets-owner-at-risk */
        /* unresponsive-supervisor */
        /* the engine */
        cmocka_unit_test(test_rule_table),
        cmocka_unit_test(test_severity_parse_and_name),
        cmocka_unit_test(test_rule_opts_set),
        cmocka_unit_test(test_regression_rule_opts_nan),
        cmocka_unit_test(test_regression_every_threshold_explained),
        cmocka_unit_test(test_rules_run_only_and_ignore),
        cmocka_unit_test(test_findings_sort_and_count),
        cmocka_unit_test(test_rules_run_sorts),
        cmocka_unit_test(test_regression_findings_sort_empty),
        cmocka_unit_test(test_advice_in_the_subjects_language),
        /* renderers */
        cmocka_unit_test(test_json_validator),
        cmocka_unit_test(test_json_numbers_exact),
        cmocka_unit_test(test_every_rule_says_what_it_cannot_see),
        cmocka_unit_test(test_issue19_pool_facts),
        cmocka_unit_test(test_issue19_script_runner),
        cmocka_unit_test(test_issue19_our_own_cost),
        cmocka_unit_test(test_render_findings_text),
        cmocka_unit_test(test_render_findings_json),
        cmocka_unit_test(test_render_zoo_findings),
    };
    return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
