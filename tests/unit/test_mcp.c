/* test_mcp.c — the MCP server's tools without a transport (src/mcp_tools.c): the argument
 * checks every call goes through, the tools/list entries (schemas that parse, the rule
 * enum), every reading tool on tests/golden/zoo.etf with its answer parsed back, source
 * files (relative to --source-root, the runtime's left out), and the bounds: a supervisor of
 * 100,000 children gives a page, never the whole list. The protocol itself is tested
 * against the official clients (tests/integration/t_mcp.sh). */
#include "testutil.h"

#include <jansson.h>
#include <sys/stat.h>

#include "mcp.h"
#include "opts.h"
#include "rules.h"

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

typedef struct {
    oa_opts o;
    mcp_session ss;
} fx;

static fx *fx_new(snap *s, const char *source_root)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    collect_defaults(&f->o.col);
    f->o.source_root = source_root;
    f->o.copts.cookie_file = "/nonexistent/otp-advisor-test-cookie";
    mcp_session_init(&f->ss, &f->o, NULL);
    if (s)
        mcp_session_set_snapshot(&f->ss, s, "test");
    return f;
}

static void fx_free(fx *f)
{
    mcp_session_free(&f->ss);
    free(f);
}

/* call a tool with arguments given as JSON text; the answer's data parsed (NULL for an
 * error, whose one line is in *text when text is given) */
static json_t *call(fx *f, const char *tool, const char *args, char **text)
{
    const mcp_tool *t = mcp_tool_find(tool);
    assert_non_null(t);
    json_error_t je;
    json_t *a = json_loads(args, 0, &je);
    assert_non_null(a);
    char err[OA_ERRLEN];
    if (mcp_tool_check_args(&f->ss, t, a, err))
        fail_msg("%s %s: %s", tool, args, err);
    mcp_result r;
    mcp_result_init(&r);
    mcp_tool_call(&f->ss, t, a, &r);
    json_decref(a);
    json_t *data = NULL;
    if (!r.is_error) {
        assert_true(r.data.len > 0);
        data = json_loads(r.data.buf, 0, &je);
        if (!data)
            fail_msg("%s: structured content is not JSON: %s", tool, je.text);
        assert_true(r.text.len > 0);
    }
    if (text)
        *text = strdup(r.text.len ? r.text.buf : "");
    mcp_result_free(&r);
    return data;
}

static int check_args(fx *f, const char *tool, const char *args, char *err)
{
    json_error_t je;
    json_t *a = json_loads(args, 0, &je);
    assert_non_null(a);
    int rc = mcp_tool_check_args(&f->ss, mcp_tool_find(tool), a, err);
    json_decref(a);
    return rc;
}

static void test_args(void **state)
{
    (void)state;
    fx *f = fx_new(NULL, NULL);
    char err[OA_ERRLEN];
    assert_int_equal(check_args(f, "top", "{\"n\":5,\"sort\":\"mem\",\"offset\":10}", err), 0);
    assert_int_equal(check_args(f, "top", "{\"n\":5.0}", err), 0);  /* an integral number is an integer */
    assert_int_equal(check_args(f, "top", "{\"n\":null}", err), 0); /* null: not given */
    assert_int_equal(check_args(f, "top", "{\"n\":\"5\"}", err), -1);
    assert_string_equal(err, "n must be an integer");
    assert_int_equal(check_args(f, "top", "{\"n\":2.5}", err), -1);
    assert_int_equal(check_args(f, "top", "{\"n\":0}", err), -1);
    assert_string_equal(err, "n must be between 1 and 200");
    assert_int_equal(check_args(f, "top", "{\"sort\":\"cpu\"}", err), -1);
    assert_int_equal(check_args(f, "summary", "{\"cookie\":\"x\"}", err), -1);
    assert_non_null(strstr(err, "no argument 'cookie'"));
    assert_int_equal(check_args(f, "info", "{}", err), -1);
    assert_string_equal(err, "missing required argument target");
    assert_int_equal(check_args(f, "info", "{\"target\":\"\"}", err), -1);
    assert_int_equal(check_args(f, "findings", "{\"rule\":\"global-bottleneck\"}", err), 0);
    assert_int_equal(check_args(f, "findings", "{\"rule\":\"no-such-rule\"}", err), -1);
    assert_int_equal(check_args(f, "explain", "{\"rule\":\"thresholds\"}", err), 0);
    assert_int_equal(check_args(f, "connect", "{\"window_s\":601}", err), -1);
    assert_int_equal(check_args(f, "connect", "{\"window_s\":0.5}", err), 0);
    fx_free(f);
}

/* a cookie is never an argument: a string that holds it is refused, and not echoed */
static void test_args_cookie(void **state)
{
    (void)state;
    char path[256];
    tu_tmp_path(path, sizeof path);
    tu_write_file(path, "SECRETCOOKIE42", 14);
    fx *f = fx_new(NULL, NULL);
    f->o.copts.cookie_file = path;
    char err[OA_ERRLEN];
    assert_int_equal(check_args(f, "info", "{\"target\":\"x SECRETCOOKIE42\"}", err), -1);
    assert_null(strstr(err, "SECRETCOOKIE42"));
    assert_non_null(strstr(err, "cookie"));
    assert_int_equal(check_args(f, "info", "{\"target\":\"Zoo.Cache\"}", err), 0);
    fx_free(f);
    unlink(path);
}

static void test_describe(void **state)
{
    (void)state;
    assert_int_equal(mcp_n_tools, 17);
    for (int i = 0; i < mcp_n_tools; i++) {
        strbuf sb;
        sb_init(&sb);
        json_w j;
        json_init(&j, &sb, 0);
        mcp_tool_describe(&mcp_tools[i], &j);
        assert_null(strchr(sb.buf, '\n')); /* one line of the stream */
        json_error_t je;
        json_t *t = json_loads(sb.buf, 0, &je);
        if (!t)
            fail_msg("%s: %s at %d", mcp_tools[i].name, je.text, je.position);
        json_t *in = json_object_get(t, "inputSchema"), *out = json_object_get(t, "outputSchema");
        assert_string_equal(json_string_value(json_object_get(in, "type")), "object");
        assert_true(json_is_false(json_object_get(in, "additionalProperties")));
        assert_non_null(out);
        assert_string_equal(json_string_value(json_object_get(out, "type")), "object");
        assert_true(strlen(json_string_value(json_object_get(t, "description"))) > 80);
        if (!strcmp(mcp_tools[i].name, "findings")) {
            json_t *e = json_object_get(json_object_get(json_object_get(in, "properties"), "rule"), "enum");
            assert_int_equal(json_array_size(e), n_rules);
        }
        json_decref(t);
        sb_free(&sb);
    }
}

static void test_zoo_tools(void **state)
{
    (void)state;
    fx *f = fx_new(load_golden("zoo.etf"), NULL);
    char *text;
    json_t *d = call(f, "summary", "{}", &text);
    assert_true(json_integer_value(json_object_get(json_object_get(d, "snapshot"), "processes")) > 1000);
    assert_non_null(strstr(text, "findings  "));
    json_decref(d);
    free(text);

    d = call(f, "findings", "{\"limit\":2}", NULL);
    json_t *pg = json_object_get(d, "page");
    assert_int_equal(json_array_size(json_object_get(d, "items")), 2);
    assert_int_equal(json_integer_value(json_object_get(pg, "next_offset")), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(d, "items"), 0), "severity")),
                        "critical");
    json_decref(d);

    d = call(f, "context", "{\"target\":\"Zoo.NoSuchHelper\"}", &text);
    assert_string_equal(json_string_value(json_object_get(json_object_get(d, "resolved"), "kind")), "no_process");
    assert_true(json_is_false(json_object_get(d, "process_needed")));
    assert_non_null(strstr(text, "no process: plain functions"));
    json_decref(d);
    free(text);

    d = call(f, "context", "{\"target\":\"Zoo.GlobalBottleneck\"}", NULL);
    json_t *conc = json_object_get(json_object_get(d, "answers"), "concurrency");
    assert_true(json_is_true(json_object_get(conc, "answer")));
    assert_true(json_array_size(json_object_get(conc, "processes")) >= 1);
    assert_true(json_is_true(json_object_get(d, "process_needed")));
    json_decref(d);

    d = call(f, "tree", "{\"target\":\"Zoo.Sessions\"}", NULL);
    json_t *nodes = json_object_get(d, "nodes");
    int groups = 0;
    for (size_t i = 0; i < json_array_size(nodes); i++)
        groups += !strcmp(json_string_value(json_object_get(json_array_get(nodes, i), "type")), "group");
    assert_true(groups >= 1);
    json_decref(d);

    json_t *a = call(f, "top", "{\"n\":3}", NULL), *b = call(f, "top", "{\"n\":1,\"offset\":2}", NULL);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(a, "rows"), 2), "pid")),
                        json_string_value(json_object_get(json_array_get(json_object_get(b, "rows"), 0), "pid")));
    json_decref(a);
    json_decref(b);

    static const char *const more[][2] = {
        {"apps", "{}"},
        {"info", "{\"target\":\"Zoo.GlobalBottleneck\"}"},
        {"registry", "{}"},
        {"registry", "{\"name\":\"Zoo.Registry\",\"limit\":3}"},
        {"ets", "{\"sort\":\"size\",\"limit\":3}"},
        {"explain", "{\"rule\":\"global-bottleneck\"}"},
        {"report", "{\"target\":\"zoo\"}"},
    };
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        json_decref(call(f, more[i][0], more[i][1], NULL));

    /* a tool error: one line, no data */
    d = call(f, "info", "{\"target\":\"<0.4242.42>\"}", &text);
    assert_null(d);
    assert_null(strchr(text, '\n'));
    free(text);
    d = call(f, "snapshot", "{}", &text);
    assert_null(d);
    assert_non_null(strstr(text, "not connected"));
    free(text);
    fx_free(f);
}

/* {start_links, [{Module, [], Source}]}: where a module's code is, as the collector reads it */
static void feed_source(snap *s, const char *module, const char *source)
{
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 2);
    tu_atom(&x, "start_links");
    ei_x_encode_list_header(&x, 1);
    ei_x_encode_tuple_header(&x, 3);
    tu_atom(&x, module);
    ei_x_encode_empty_list(&x);
    tu_bin(&x, source);
    ei_x_encode_empty_list(&x);
    tu_feed(s, &x);
}

static void test_sources(void **state)
{
    (void)state;
    snap *s = load_golden("zoo.etf");
    feed_source(s, "Elixir.Zoo.GlobalBottleneck", "/home/u/zoo/lib/global_bottleneck.ex");
    feed_source(s, "Elixir.Registry.Partition", "/build/elixir-lang-1.14/lib/elixir/lib/registry.ex");
    fx *f = fx_new(s, "/home/u/zoo/");
    json_t *d = call(f, "info", "{\"target\":\"Zoo.GlobalBottleneck\"}", NULL);
    assert_string_equal(json_string_value(json_object_get(d, "source")), "lib/global_bottleneck.ex");
    json_decref(d);
    d = call(f, "info", "{\"target\":\"Zoo.Registry.PIDPartition0\"}", NULL);
    assert_null(json_object_get(d, "source")); /* the runtime's code: no source given */
    json_decref(d);
    char *text;
    d = call(f, "findings", "{\"rule\":\"global-bottleneck\"}", &text);
    json_t *subj = json_object_get(json_array_get(json_object_get(d, "items"), 0), "subject");
    assert_string_equal(json_string_value(json_object_get(subj, "source")), "lib/global_bottleneck.ex");
    assert_non_null(strstr(text, "code: lib/global_bottleneck.ex"));
    json_decref(d);
    free(text);
    fx_free(f);
    /* without --source-root: as the node's compile info has it */
    s = load_golden("zoo.etf");
    feed_source(s, "Elixir.Zoo.GlobalBottleneck", "/home/u/zoo/lib/global_bottleneck.ex");
    f = fx_new(s, NULL);
    d = call(f, "info", "{\"target\":\"Zoo.GlobalBottleneck\"}", NULL);
    assert_string_equal(json_string_value(json_object_get(d, "source")), "/home/u/zoo/lib/global_bottleneck.ex");
    json_decref(d);
    fx_free(f);
}

/* one supervisor of N static workers (numbered from 1000), two samples */
static snap *big_tree(unsigned n)
{
    snap *s = snap_new();
    tu_node_spec ns = {.schedulers = 2, .process_count = (long)n + 2, .window_ms = 1000, .advisor = ""};
    tu_node(s, &ns);
    tu_proc top = {.num = 100,
                   .name = "big_sup",
                   .ic = "proc_lib:init_p/5",
                   .dic = "supervisor:big_app/1",
                   .anc = "",
                   .mem = 1000,
                   .heap = 100,
                   .links = "",
                   .mons = "",
                   .gl = "50",
                   .trap_exit = 1};
    tu_procs(s, &top, 1);
    tu_proc *chunk = calloc(1000, sizeof *chunk);
    tu_child *ch = calloc(n, sizeof *ch);
    char(*ids)[24] = calloc(n, sizeof *ids), (*pids)[16] = calloc(n, sizeof *pids);
    assert_true(chunk && ch && ids && pids);
    for (unsigned i = 0; i < n; i += 1000) {
        unsigned m = n - i < 1000 ? n - i : 1000;
        for (unsigned k = 0; k < m; k++)
            chunk[k] = (tu_proc){.num = 1000 + i + k,
                                 .ic = "proc_lib:init_p/5",
                                 .dic = "big_worker:init/1",
                                 .anc = "big_sup",
                                 .mem = 2800,
                                 .heap = 233,
                                 .reds = (long)(i + k) % 977,
                                 .links = "100",
                                 .mons = "",
                                 .gl = "50"};
        tu_procs(s, chunk, m);
    }
    for (unsigned i = 0; i < n; i++) {
        snprintf(ids[i], sizeof ids[i], "w%u", i);
        snprintf(pids[i], sizeof pids[i], "%u", 1000 + i);
        ch[i] = (tu_child){.id = ids[i], .pid = pids[i], .restart = "permanent", .modules = "big_worker"};
    }
    tu_app(s, "big_app", "big", "1.0", "60", "100", "big_app");
    tu_sup tsup = {.num = 100,
                   .name = "big_sup",
                   .strategy = "one_for_one",
                   .intensity = 3,
                   .period = 5,
                   .nchildren = n,
                   .callback = "big_app"};
    tu_sup_msg(s, &tsup);
    tu_children(s, 100, ch, n);
    tu_done(s, 1000000, 1000, 1000, 3000, 1000000);
    char err[OA_ERRLEN];
    assert_int_equal(snap_finish(s, err), 0);
    free(chunk);
    free(ch);
    free(ids);
    free(pids);
    return s;
}

static void test_bounds(void **state)
{
    (void)state;
    fx *f = fx_new(big_tree(100000), NULL);
    static const char *const cases[][2] = {
        {"tree", "{}"},
        {"tree", "{\"target\":\"big_sup\"}"},
        {"tree", "{\"target\":\"big_sup\",\"offset\":99990}"},
        {"top", "{\"n\":200,\"offset\":99000}"},
        {"report", "{\"target\":\"big_app\"}"},
        {"context", "{\"target\":\"big_app\"}"},
        {"findings", "{\"limit\":100}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_error_t je;
        json_t *a = json_loads(cases[i][1], 0, &je);
        mcp_result r;
        mcp_result_init(&r);
        mcp_tool_call(&f->ss, mcp_tool_find(cases[i][0]), a, &r);
        json_decref(a);
        assert_false(r.is_error);
        /* never megabytes: a page, a budget of nodes, a report's blocks elided */
        if (r.data.len + r.text.len > 600000)
            fail_msg("%s %s: %zu bytes", cases[i][0], cases[i][1], r.data.len + r.text.len);
        mcp_result_free(&r);
    }
    json_t *d = call(f, "tree", "{\"target\":\"big_sup\"}", NULL);
    json_t *pg = json_object_get(d, "page");
    assert_int_equal(json_integer_value(json_object_get(pg, "total")), 100000);
    assert_int_equal(json_integer_value(json_object_get(pg, "returned")), 99); /* 100 nodes, the root one */
    assert_int_equal(json_integer_value(json_object_get(pg, "next_offset")), 99);
    json_decref(d);
    d = call(f, "tree", "{\"target\":\"big_sup\",\"offset\":99990}", NULL);
    pg = json_object_get(d, "page");
    assert_int_equal(json_integer_value(json_object_get(pg, "returned")), 10);
    assert_true(json_is_null(json_object_get(pg, "next_offset")));
    json_decref(d);
    d = call(f, "tree", "{}", NULL); /* the whole node: the top's children cut, with a pointer */
    json_t *nodes = json_object_get(d, "nodes"), *last = json_array_get(nodes, json_array_size(nodes) - 1);
    assert_string_equal(json_string_value(json_object_get(last, "type")), "more");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(last, "more"), "offset")), 99);
    assert_true(json_is_true(json_object_get(d, "truncated")));
    json_decref(d);
    char *text;
    d = call(f, "report", "{\"target\":\"big_app\"}", &text);
    assert_non_null(strstr(text, "lines left out here"));
    assert_true(json_is_true(json_object_get(d, "truncated")));
    json_decref(d);
    free(text);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_args),      cmocka_unit_test(test_args_cookie), cmocka_unit_test(test_describe),
        cmocka_unit_test(test_zoo_tools), cmocka_unit_test(test_sources),     cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
