/* test_report.c — the report's rebuilt tree and its answers (issue 19, part 4): children
 * started at run time are never listed as static children; children of one module keep
 * their own ids; a module names the processes that run it; the answers agree with the
 * findings; every tree is in start order. Snapshots built in C, no node. */
#include "testutil.h"

#include "render.h"
#include "report.h"
#include "rules.h"
#include "views.h"

/* ---- building ------------------------------------------------------------------------ */

typedef struct {
    const char *id;           /* id text */
    const char *pid;          /* token */
    int sup;                  /* type supervisor */
    const char *restart;      /* permanent/transient/temporary */
    const char *modules;      /* one module */
    const char *m, *f, *args; /* its start, args as source text; m NULL: undefined */
} row6;

/* {sup_children, Pid, [{Id, Pid, Type, Restart, [Module], {M, F, ArgsText}}]}, the rows as
 * which_children gives them */
static void children6(snap *s, unsigned sup, const row6 *rs, size_t n)
{
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 3);
    tu_atom(&x, "sup_children");
    tu_enc_pid(&x, sup);
    if (n)
        ei_x_encode_list_header(&x, (long)n);
    for (size_t i = 0; i < n; i++) {
        const row6 *r = &rs[i];
        ei_x_encode_tuple_header(&x, 6);
        if (r->id)
            tu_bin(&x, r->id);
        else
            tu_atom(&x, "undefined");
        tu_enc_ref(&x, r->pid);
        tu_atom(&x, r->sup ? "supervisor" : "worker");
        tu_atom(&x, r->restart ? r->restart : "permanent");
        ei_x_encode_list_header(&x, 1);
        tu_atom(&x, r->modules);
        ei_x_encode_empty_list(&x);
        if (r->m) {
            ei_x_encode_tuple_header(&x, 3);
            tu_atom(&x, r->m);
            tu_atom(&x, r->f);
            tu_bin(&x, r->args);
        } else
            tu_atom(&x, "undefined");
    }
    ei_x_encode_empty_list(&x);
    tu_feed(s, &x);
}

#define N_JOBS 1000

/* The works (Elixir): Works.Supervisor holds, in start order, Works.Repo, an unnamed
 * module-based supervisor Works.System with three database connections of one module
 * ({:db, 1} to {:db, 3}), and the DynamicSupervisor Works.Jobs with 1,000 jobs started at
 * run time, 94 callers waiting on it. Rows as which_children lists them: newest first. */
static snap *build_works(void)
{
    snap *s = snap_new();
    tu_node_spec ns = {.elixir = "1.14.0", .schedulers = 2, .process_count = 1100, .window_ms = 1000};
    tu_node(s, &ns);
    static tu_proc ps[N_JOBS + 16];
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
                        .name = "Elixir.Works.Supervisor",
                        .ic = "proc_lib:init_p/5",
                        .dic = "supervisor:Elixir.Works.Supervisor/1",
                        .anc = "101",
                        .gl = "100",
                        .links = "101 103 104 105",
                        .trap_exit = 1};
    ps[n++] = (tu_proc){.num = 103,
                        .name = "Elixir.Works.Repo",
                        .ic = "proc_lib:init_p/5",
                        .dic = "Elixir.Works.Repo:init/1",
                        .anc = "Elixir.Works.Supervisor 101",
                        .gl = "100",
                        .links = "102"};
    ps[n++] = (tu_proc){.num = 104,
                        .name = "Elixir.Works.Jobs",
                        .ic = "proc_lib:init_p/5",
                        .dic = "supervisor:Elixir.Supervisor.Default/1",
                        .anc = "Elixir.Works.Supervisor 101",
                        .gl = "100",
                        .links = "102",
                        .monby = 94,
                        .mq = 40,
                        .trap_exit = 1};
    ps[n++] = (tu_proc){.num = 105,
                        .ic = "proc_lib:init_p/5",
                        .dic = "supervisor:Elixir.Works.System/1",
                        .anc = "Elixir.Works.Supervisor 101",
                        .gl = "100",
                        .links = "102 106 107 108",
                        .trap_exit = 1};
    for (unsigned i = 106; i <= 108; i++)
        ps[n++] = (tu_proc){.num = i,
                            .ic = "proc_lib:init_p/5",
                            .dic = "Elixir.Works.DbWorker:init/1",
                            .anc = "105 Elixir.Works.Supervisor 101",
                            .gl = "100",
                            .links = "105"};
    for (unsigned i = 0; i < N_JOBS; i++)
        ps[n++] = (tu_proc){.num = 1000 + i,
                            .ic = "proc_lib:init_p/5",
                            .dic = "Elixir.Works.Job:init/1",
                            .anc = "Elixir.Works.Jobs Elixir.Works.Supervisor 101",
                            .gl = "100",
                            .links = "104"};
    tu_procs(s, ps, n);
    tu_app(s, "works", "The works", "1.0.0", "100", "102", "Elixir.Works.Application");
    tu_sup top = {.num = 102,
                  .name = "Elixir.Works.Supervisor",
                  .strategy = "one_for_one",
                  .intensity = 3,
                  .period = 5,
                  .nchildren = 3,
                  .callback = "Elixir.Works.Supervisor"};
    tu_sup_msg(s, &top);
    static const row6 tc[] = {
        {"Elixir.Works.Jobs", "104", 1, "permanent", "Elixir.DynamicSupervisor", "Elixir.DynamicSupervisor",
         "start_link", "[[strategy: :one_for_one, name: Works.Jobs]]"},
        {"Elixir.Works.System", "105", 1, "permanent", "Elixir.Works.System", "Elixir.Works.System", "start_link",
         "[[]]"},
        {"Elixir.Works.Repo", "103", 0, "permanent", "Elixir.Works.Repo", "Elixir.Works.Repo", "start_link", "[[]]"},
    };
    children6(s, 102, tc, 3);
    tu_sup sys = {.num = 105,
                  .strategy = "one_for_one",
                  .intensity = 3,
                  .period = 5,
                  .nchildren = 3,
                  .callback = "Elixir.Works.System"};
    tu_sup_msg(s, &sys);
    static const row6 dc[] = {
        {"{:db, 3}", "108", 0, "permanent", "Elixir.Works.DbWorker", "Elixir.Works.DbWorker", "start_link", "[3]"},
        {"{:db, 2}", "107", 0, "permanent", "Elixir.Works.DbWorker", "Elixir.Works.DbWorker", "start_link", "[2]"},
        {"{:db, 1}", "106", 0, "permanent", "Elixir.Works.DbWorker", "Elixir.Works.DbWorker", "start_link", "[1]"},
    };
    children6(s, 105, dc, 3);
    tu_sup jobs = {.num = 104,
                   .name = "Elixir.Works.Jobs",
                   .kind = "dynamic",
                   .strategy = "one_for_one",
                   .intensity = 3,
                   .period = 5,
                   .nchildren = N_JOBS,
                   .callback = "Elixir.Supervisor.Default"};
    tu_sup_msg(s, &jobs);
    static row6 jc[N_JOBS];
    static char pids[N_JOBS][8], args[N_JOBS][16];
    for (unsigned i = 0; i < N_JOBS; i++) {
        snprintf(pids[i], sizeof pids[i], "%u", 1000 + i);
        snprintf(args[i], sizeof args[i], "[%u]", i + 1);
        jc[i] = (row6){NULL, pids[i], 0, "temporary", "Elixir.Works.Job", "Elixir.Works.Job", "start_link", args[i]};
    }
    children6(s, 104, jc, N_JOBS);
    char err[OA_ERRLEN] = "";
    assert_int_equal(snap_finish(s, err), 0);
    return s;
}

/* missing-partition-supervisor on Works.Jobs, as the rule says it: 94 callers waiting */
static void jobs_finding(snap *s, findings *f)
{
    findings_init(f);
    finding *x = findings_add(f, "missing-partition-supervisor", SEV_WARNING);
    finding_subject_sup(f, x, s, tu_proc_of(s, 104)->own_sup);
    x->summary = "DynamicSupervisor with 1,000 children: 94 callers were waiting in calls on it";
    x->recommendation = "partition it:\n  {PartitionSupervisor, child_spec: DynamicSupervisor, name: Works.Jobs}";
    finding_ev(x, "children", N_JOBS, "");
    finding_ev(x, "callers_waiting", 94, "");
}

static char *report_of(snap *s, const findings *f, const char *target)
{
    strbuf out;
    sb_init(&out);
    char err[OA_ERRLEN] = "";
    if (report_markdown(s, f, target, &out, err))
        fail_msg("report %s: %s", target ? target : "(node)", err);
    return out.buf; /* the caller frees */
}

/* the first fenced block of lang in md, as a new string */
static char *first_block(const char *md, const char *lang)
{
    char open[32];
    snprintf(open, sizeof open, "```%s\n", lang);
    const char *b = strstr(md, open);
    assert_non_null(b);
    b += strlen(open);
    const char *e = strstr(b, "```");
    assert_non_null(e);
    char *c = malloc((size_t)(e - b) + 1);
    memcpy(c, b, (size_t)(e - b));
    c[e - b] = 0;
    return c;
}

/* the section of md from the line that starts with `from` to the next "## " heading */
static char *section(const char *md, const char *from)
{
    const char *b = strstr(md, from);
    assert_non_null(b);
    const char *e = strstr(b + 1, "\n## ");
    size_t n = e ? (size_t)(e - b) : strlen(b);
    char *c = malloc(n + 1);
    memcpy(c, b, n);
    c[n] = 0;
    return c;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

#define assert_contains(h, n)                                                                                          \
    do {                                                                                                               \
        if (!strstr((h), (n)))                                                                                         \
            fail_msg("missing \"%s\" in:\n%s", (n), (h));                                                              \
    } while (0)
#define assert_not_contains(h, n)                                                                                      \
    do {                                                                                                               \
        if (strstr((h), (n)))                                                                                          \
            fail_msg("unexpected \"%s\" in:\n%s", (n), (h));                                                           \
    } while (0)
#define assert_before(h, a, b)                                                                                         \
    do {                                                                                                               \
        assert_contains(h, a);                                                                                         \
        assert_contains(h, b);                                                                                         \
        if (strstr((h), (a)) > strstr((h), (b)))                                                                       \
            fail_msg("\"%s\" is not before \"%s\" in:\n%s", (a), (b), (h));                                            \
    } while (0)

/* every fenced code block of md is free of pid text: a pid is no code (tests/codecheck) */
static void assert_no_pid_in_code(const char *md)
{
    int in = 0;
    for (const char *l = md; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        if (n >= 3 && !strncmp(l, "```", 3))
            in = !in && n > 3 && strncmp(l, "```text", 7) && strncmp(l, "```mermaid", 10);
        else if (in) {
            char line[4096];
            snprintf(line, sizeof line, "%.*s", (int)n, l);
            if (strstr(line, "<0."))
                fail_msg("pid text in printed code: %s", line);
        }
        l += n + (e ? 1 : 0);
    }
}

/* ---- children started at run time ---------------------------------------------------- */

static void test_dynamic_children_not_listed(void **state)
{
    (void)state;
    snap *s = build_works();
    findings f;
    findings_init(&f);
    /* the DynamicSupervisor itself: rebuilt as itself, its 1,000 jobs said, not listed */
    char *md = report_of(s, &f, "Works.Jobs");
    char *code = first_block(md, "elixir");
    assert_contains(code, "children = [\n  {DynamicSupervisor, [strategy: :one_for_one, name: Works.Jobs]}\n]\n");
    assert_int_equal(count(code, "\n  {Works.Job,"), 0); /* no job is a child */
    assert_int_equal(count(code, "{Works.Job, "), 1);    /* one example start, in a comment */
    assert_contains(code, "# Works.Jobs starts its children at run time, not here (1,000 now, running Works.Job)");
    assert_contains(code, "#   DynamicSupervisor.start_child(Works.Jobs, {Works.Job, ");
    assert_contains(code, "Supervisor.start_link(children, strategy: :one_for_one)\n");
    char *tests = section(md, "## Testing Approach");
    assert_int_equal(count(tests, "start_supervised!"), 1);
    assert_contains(tests, "start_supervised!({DynamicSupervisor, [strategy: :one_for_one, name: Works.Jobs]})");
    assert_contains(tests, "{:ok, _} = DynamicSupervisor.start_child(Works.Jobs, {Works.Job, ");
    /* the whole report stays short: no line per child (a 2,081-line report was seen) */
    assert_true(count(md, "\n") < 150);
    free(tests);
    free(code);
    free(md);
    /* one of its jobs: the same tree, its parent's; its test named by its module */
    md = report_of(s, &f, "<0.1500.0>");
    assert_no_pid_in_code(md);
    assert_contains(md, "test \"Works.Job starts and serves\" do");
    code = first_block(md, "elixir");
    assert_contains(code, "{DynamicSupervisor, [strategy: :one_for_one, name: Works.Jobs]}");
    assert_int_equal(count(code, "{Works.Job, "), 1);
    free(code);
    free(md);
    /* the application: three children, the DynamicSupervisor one line */
    md = report_of(s, &f, "works");
    code = first_block(md, "elixir");
    assert_int_equal(count(code, "{Works.Job,"), 0);
    assert_contains(code, "  {DynamicSupervisor, [strategy: :one_for_one, name: Works.Jobs]}\n");
    tests = section(md, "## Testing Approach");
    assert_int_equal(count(tests, "{Works.Job,"), 0);
    free(tests);
    free(code);
    free(md);
    findings_free(&f);
    snap_free(s);
}

/* the recommended PartitionSupervisor replaces the DynamicSupervisor, and its callers start
 * children through it */
static void test_dynamic_partitioned(void **state)
{
    (void)state;
    snap *s = build_works();
    findings f;
    jobs_finding(s, &f);
    char *md = report_of(s, &f, "Works.Jobs");
    char *code = first_block(md, "elixir");
    assert_contains(code, "  # was: {DynamicSupervisor, name: Works.Jobs} (F1: missing-partition-supervisor)\n"
                          "  {PartitionSupervisor, child_spec: DynamicSupervisor, name: Works.Jobs}\n]");
    assert_contains(code, "DynamicSupervisor.start_child({:via, PartitionSupervisor, {Works.Jobs, self()}}, "
                          "{Works.Job, ");
    free(code);
    free(md);
    findings_free(&f);
    snap_free(s);
}

/* an Erlang simple_one_for_one at the root of a tree (no parent row): its own init, with a
 * template, so that it starts (a simple_one_for_one with no child spec does not) */
static snap *build_erl_pool(int unprintable_ids)
{
    snap *s = snap_new();
    tu_node_spec ns = {.schedulers = 2, .process_count = 20, .window_ms = 1000};
    tu_node(s, &ns);
    tu_proc ps[16];
    size_t n = 0;
    memset(ps, 0, sizeof ps);
    ps[n++] = (tu_proc){.num = 0, .name = "init", .ic = "otp_ring0:start/2", .gl = "0", .links = "10"};
    ps[n++] = (tu_proc){.num = 10, .name = "application_controller", .ic = "erlang:apply/2", .gl = "0"};
    ps[n++] = (tu_proc){.num = 100,
                        .ic = "proc_lib:init_p/5",
                        .dic = "application_master:init/4",
                        .gl = "100",
                        .links = "10 101",
                        .trap_exit = 1};
    ps[n++] = (tu_proc){.num = 101, .ic = "application_master:start_it/4", .gl = "100", .links = "100 102"};
    ps[n++] = (tu_proc){.num = 102,
                        .name = "erl_top",
                        .ic = "proc_lib:init_p/5",
                        .dic = "supervisor:erl_top/1",
                        .anc = "101",
                        .gl = "100",
                        .links = "101 103 104 105",
                        .trap_exit = 1};
    for (unsigned i = 103; i <= 105; i++)
        ps[n++] = (tu_proc){.num = i,
                            .ic = "proc_lib:init_p/5",
                            .dic = "erl_db:init/1",
                            .anc = "erl_top 101",
                            .gl = "100",
                            .links = "102"};
    /* a simple_one_for_one started by a worker, outside the application's tree */
    ps[n++] = (tu_proc){.num = 200,
                        .ic = "proc_lib:init_p/5",
                        .dic = "supervisor:erl_pool_sup/1",
                        .anc = "103 erl_top 101",
                        .gl = "100",
                        .links = "201 202",
                        .trap_exit = 1};
    for (unsigned i = 201; i <= 202; i++)
        ps[n++] = (tu_proc){.num = i,
                            .ic = "proc_lib:init_p/5",
                            .dic = "erl_conn:init/1",
                            .anc = "200 103 erl_top 101",
                            .gl = "100",
                            .links = "200"};
    tu_procs(s, ps, n);
    tu_app(s, "erlapp", "An Erlang app", "1.0.0", "100", "102", "erl_app");
    tu_sup top = {.num = 102,
                  .name = "erl_top",
                  .strategy = "one_for_one",
                  .intensity = 1,
                  .period = 5,
                  .nchildren = 3,
                  .callback = "erl_top"};
    tu_sup_msg(s, &top);
    /* ids that cannot be written as code (a reference), start arguments that are not plain data */
    static const row6 printable[] = {
        {"{db,3}", "105", 0, "permanent", "erl_db", "erl_db", "start_link", "[3]"},
        {"{db,2}", "104", 0, "permanent", "erl_db", "erl_db", "start_link", "[2]"},
        {"{db,1}", "103", 0, "permanent", "erl_db", "erl_db", "start_link", "[1]"},
    };
    static const row6 unprintable[] = {
        {"{db,#Ref<0.1.2.5>}", "105", 0, "permanent", "erl_db", "erl_db", "start_link", "[3]"},
        {"{db,#Ref<0.1.2.4>}", "104", 0, "permanent", "erl_db", "erl_db", "start_link", "[2]"},
        {"{db,#Ref<0.1.2.3>}", "103", 0, "permanent", "erl_db", "erl_db", "start_link", "[1]"},
    };
    children6(s, 102, unprintable_ids ? unprintable : printable, 3);
    tu_sup pool = {.num = 200,
                   .strategy = "simple_one_for_one",
                   .intensity = 10,
                   .period = 10,
                   .nchildren = 2,
                   .callback = "erl_pool_sup"};
    tu_sup_msg(s, &pool);
    static const row6 pc[] = {
        {NULL, "202", 0, "temporary", "erl_conn", NULL, NULL, NULL},
        {NULL, "201", 0, "temporary", "erl_conn", NULL, NULL, NULL},
    };
    children6(s, 200, pc, 2);
    char err[OA_ERRLEN] = "";
    assert_int_equal(snap_finish(s, err), 0);
    return s;
}

static void test_erlang_sofo_rebuilt_as_itself(void **state)
{
    (void)state;
    snap *s = build_erl_pool(0);
    findings f;
    findings_init(&f);
    char *md = report_of(s, &f, "<0.200.0>");
    assert_no_pid_in_code(md);
    char *code = first_block(md, "erlang");
    assert_contains(code, "    Children = [\n        #{id => erl_conn, start => {erl_conn, start_link, []}, "
                          "restart => temporary}\n    ],\n");
    assert_contains(code, "{ok, {#{strategy => simple_one_for_one, intensity => 10, period => 10}, Children}}.");
    assert_contains(code, "%% this supervisor starts its children at run time, not here (2 now, running erl_conn)");
    assert_not_contains(code, "<0.200.0>"); /* a pid is no code */
    assert_int_equal(count(code, "#{id =>"), 1);
    free(code);
    free(md);
    findings_free(&f);
    snap_free(s);
}

/* ---- children of one module: each its own id ------------------------------------------ */

static void test_pool_ids_elixir(void **state)
{
    (void)state;
    snap *s = build_works();
    findings f;
    findings_init(&f);
    char *md = report_of(s, &f, "Works.System");
    char *code = first_block(md, "elixir");
    assert_contains(code, "children = [\n"
                          "  Supervisor.child_spec({Works.DbWorker, 1}, id: {:db, 1}),\n"
                          "  Supervisor.child_spec({Works.DbWorker, 2}, id: {:db, 2}),\n"
                          "  Supervisor.child_spec({Works.DbWorker, 3}, id: {:db, 3})\n"
                          "]\n");
    char *tests = section(md, "## Testing Approach");
    assert_contains(tests, "start_supervised!(Supervisor.child_spec({Works.DbWorker, 2}, id: {:db, 2}))");
    free(tests);
    free(code);
    free(md);
    findings_free(&f);
    snap_free(s);
}

static void test_pool_ids_erlang(void **state)
{
    (void)state;
    for (int unprintable = 0; unprintable < 2; unprintable++) {
        snap *s = build_erl_pool(unprintable);
        findings f;
        findings_init(&f);
        char *md = report_of(s, &f, "erlapp");
        char *code = first_block(md, "erlang");
        const char *ids[2][3] = {{"{db,1}", "{db,2}", "{db,3}"}, {"{erl_db, 1}", "{erl_db, 2}", "{erl_db, 3}"}};
        for (int i = 0; i < 3; i++) {
            char want[128];
            snprintf(want, sizeof want, "#{id => %s, start => {erl_db, start_link, [%d]}", ids[unprintable][i], i + 1);
            assert_contains(code, want);
        }
        assert_before(code, ids[unprintable][0], ids[unprintable][2]);
        free(code);
        free(md);
        findings_free(&f);
        snap_free(s);
    }
}

/* ---- a module names the processes that run it ----------------------------------------- */

static void test_resolve_module(void **state)
{
    (void)state;
    snap *s = build_works();
    uint32_t sup, proc;
    char err[OA_ERRLEN] = "";
    uint32_t system = tu_proc_of(s, 105)->own_sup, jobs = tu_proc_of(s, 104)->own_sup;
    /* the unnamed supervisor whose callback it is */
    assert_int_equal(view_resolve_target(s, "Works.System", &sup, &proc, err), 1);
    assert_int_equal(sup, system);
    assert_int_equal(proc, SNAP_NONE);
    assert_int_equal(view_resolve_target(s, "Elixir.Works.System", &sup, &proc, err), 1);
    assert_int_equal(sup, system);
    /* a name still wins, and says so */
    assert_int_equal(view_resolve_target(s, "Works.Repo", &sup, &proc, err), 0);
    assert_int_equal(proc, tu_find(s, 103));
    /* the three connections: the supervisor they all are children of */
    assert_int_equal(view_resolve_target(s, "Works.DbWorker", &sup, &proc, err), 1);
    assert_int_equal(sup, system);
    assert_int_equal(view_resolve_target(s, "Works.Job", &sup, &proc, err), 1);
    assert_int_equal(sup, jobs);
    assert_int_equal(view_resolve_target(s, "Works.Nothing", &sup, &proc, err), -1);
    assert_contains(err, "no application, supervisor, process or name 'Works.Nothing'");
    /* the report is labelled by the module, the tree is the supervisor's */
    findings f;
    findings_init(&f);
    char *md = report_of(s, &f, "Works.System");
    assert_true(!strncmp(md, "# OTP Analysis: Works.System\n", 29));
    assert_contains(md, "Works.System \\<0.105.0\\> (supervisor one\\_for\\_one");
    free(md);
    findings_free(&f);
    snap_free(s);

    /* Erlang: the topmost supervisor whose callback it is; processes under different parents
     * are named, not guessed between */
    s = build_erl_pool(0);
    assert_int_equal(view_resolve_target(s, "erl_pool_sup", &sup, &proc, err), 1);
    assert_int_equal(sup, tu_proc_of(s, 200)->own_sup);
    assert_int_equal(view_resolve_target(s, ":erl_top", &sup, &proc, err), 0); /* its registered name */
    assert_int_equal(view_resolve_target(s, "erl_conn", &sup, &proc, err), 1);
    assert_int_equal(sup, tu_proc_of(s, 200)->own_sup);
    snap_free(s);
}

static void test_resolve_module_ambiguous(void **state)
{
    (void)state;
    /* two trees started outside every application, each by the same module, and a worker
     * module running under both */
    snap *s = snap_new();
    tu_node_spec ns = {.schedulers = 1, .process_count = 10};
    tu_node(s, &ns);
    tu_proc ps[8];
    memset(ps, 0, sizeof ps);
    ps[0] = (tu_proc){.num = 1, .ic = "erlang:apply/2", .links = "2 3"};
    ps[1] = (tu_proc){.num = 2,
                      .ic = "proc_lib:init_p/5",
                      .dic = "supervisor:twin_sup/1",
                      .anc = "1",
                      .links = "1 4",
                      .trap_exit = 1};
    ps[2] = (tu_proc){.num = 3,
                      .ic = "proc_lib:init_p/5",
                      .dic = "supervisor:twin_sup/1",
                      .anc = "1",
                      .links = "1 5",
                      .trap_exit = 1};
    ps[3] = (tu_proc){.num = 4, .ic = "proc_lib:init_p/5", .dic = "twin_worker:init/1", .anc = "2 1", .links = "2"};
    ps[4] = (tu_proc){.num = 5, .ic = "proc_lib:init_p/5", .dic = "twin_worker:init/1", .anc = "3 1", .links = "3"};
    tu_procs(s, ps, 5);
    for (unsigned k = 2; k <= 3; k++) {
        tu_sup sp = {
            .num = k, .strategy = "one_for_one", .intensity = 1, .period = 5, .nchildren = 1, .callback = "twin_sup"};
        tu_sup_msg(s, &sp);
        char pid[8];
        snprintf(pid, sizeof pid, "%u", k + 2);
        row6 r = {"worker", pid, 0, "permanent", "twin_worker", "twin_worker", "start_link", "[]"};
        children6(s, k, &r, 1);
    }
    char err[OA_ERRLEN] = "";
    assert_int_equal(snap_finish(s, err), 0);
    uint32_t sup, proc;
    assert_int_equal(view_resolve_target(s, "twin_sup", &sup, &proc, err), -1);
    assert_contains(err, "twin_sup is the callback module of 2 supervisors in separate trees: <0.2.0>, <0.3.0>");
    assert_int_equal(view_resolve_target(s, "twin_worker", &sup, &proc, err), -1);
    assert_contains(err, "twin_worker runs in 2 processes under different parents: <0.4.0> under <0.2.0>, "
                         "<0.5.0> under <0.3.0>; name one by its pid");
    snap_free(s);
}

/* ---- the answers agree with the findings ------------------------------------------------ */

static void test_answers_agree_with_findings(void **state)
{
    (void)state;
    snap *s = build_works();
    findings f;
    jobs_finding(s, &f);
    char *md = report_of(s, &f, "Works.Jobs");
    char *ctx = section(md, "## BEAM Architecture Context");
    /* 94 callers wait on Works.Jobs: no answer may say nobody waits, or that no process works */
    assert_not_contains(ctx, "nobody waiting");
    assert_contains(ctx, "**Does this need concurrency?** yes");
    assert_contains(ctx, "callers wait on Works.Jobs (DynamicSupervisor, 94 waiting)");
    assert_contains(ctx, "findings: F1 missing-partition-supervisor (Works.Jobs: 94 callers waiting)");
    assert_contains(ctx, "no state other processes call for: the callers waiting on Works.Jobs (DynamicSupervisor, "
                         "94 waiting) wait for children to be started");
    assert_contains(ctx, "no worker under the target");
    free(ctx);
    free(md);
    findings_free(&f);

    /* a finding of state on a worker: not stateless, shared state, whatever its heap */
    findings_init(&f);
    finding *x = findings_add(&f, "genserver-as-cache", SEV_WARNING);
    finding_subject_proc(&f, x, s, tu_find(s, 103));
    finding_ev(x, "heap", 2097152, "B");
    md = report_of(s, &f, "Works.Repo");
    ctx = section(md, "## BEAM Architecture Context");
    assert_contains(ctx, "**Does this need shared state?** yes — state other processes reach, as its findings show; "
                         "findings: F1 genserver-as-cache (Works.Repo)");
    assert_not_contains(ctx, "nobody waiting");
    assert_contains(ctx, "**Is this stateless?** no");
    assert_contains(ctx, "F1 genserver-as-cache (Works.Repo: 2.0 MB heap)");
    free(ctx);
    free(md);
    findings_free(&f);
    snap_free(s);
}

/* ---- start order everywhere ------------------------------------------------------------ */

static void test_start_order_everywhere(void **state)
{
    (void)state;
    snap *s = build_works();
    render_ctx c;
    render_ctx_default(&c);
    strbuf o;
    sb_init(&o);
    /* which_children listed Jobs, System, Repo: they were started Repo, System, Jobs */
    render_tree(s, SNAP_NONE, &c, &o);
    assert_before(o.buf, "Works.Repo", "{:db, 1}");
    assert_before(o.buf, "{:db, 1}", "{:db, 3}");
    assert_before(o.buf, "{:db, 3}", "Works.Jobs");
    sb_reset(&o);
    render_dot(s, SNAP_NONE, &c, &o);
    assert_before(o.buf, "Works.Repo", "Works.Jobs");
    assert_before(o.buf, "{:db, 1}", "{:db, 2}");
    sb_reset(&o);
    render_mermaid(s, tu_proc_of(s, 102)->own_sup, &c, &o);
    assert_before(o.buf, "Works.Repo", "Works.Jobs");
    sb_reset(&o);
    render_dump_json(s, &o);
    assert_before(o.buf, "\"<0.103.0>\"", "\"<0.105.0>\"");
    assert_before(o.buf, "\"<0.105.0>\"", "\"<0.104.0>\"");
    assert_before(o.buf, "\"<0.106.0>\"", "\"<0.108.0>\"");
    /* on demand: the order they were listed in, kept */
    assert_before(o.buf, "\"<0.1000.0>\"", "\"<0.1999.0>\"");
    sb_free(&o);
    findings f;
    findings_init(&f);
    char *md = report_of(s, &f, "works");
    char *code = first_block(md, "elixir");
    assert_before(code, "Works.Repo", "Works.System");
    assert_before(code, "Works.System", "Works.Jobs");
    free(code);
    free(md);
    findings_free(&f);
    snap_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dynamic_children_not_listed),
        cmocka_unit_test(test_dynamic_partitioned),
        cmocka_unit_test(test_erlang_sofo_rebuilt_as_itself),
        cmocka_unit_test(test_pool_ids_elixir),
        cmocka_unit_test(test_pool_ids_erlang),
        cmocka_unit_test(test_resolve_module),
        cmocka_unit_test(test_resolve_module_ambiguous),
        cmocka_unit_test(test_answers_agree_with_findings),
        cmocka_unit_test(test_start_order_everywhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
