/* test_cluster.c — the cluster rules (src/rule_cluster.c) and busy-dist-link
 * (src/rule_dist.c) on snapshots built in C: for each rule a planted case that fires and a
 * clean counterpart that stays silent; pids of two snapshots compared by node name. */
#include "testutil.h"

#include "cluster.h"
#include "rules.h"

/* one node: an application `app` at vsn whose top supervisor (102) has the static children
 * ids (blank-separated), pg scopes, :global names ("name=token ..."), and n_callers processes
 * waiting in gen:do_call on the pid token `calls` (e.g. "a@h/300") */
typedef struct {
    const char *app, *vsn, *children, *scopes, *globals, *calls;
    int n_callers;
    const char *app2; /* a second application (no tree), or NULL */
} node_spec;

static snap *mk(const node_spec *ns)
{
    snap *s = snap_new();
    tu_node_spec n = {.schedulers = 4, .process_count = 10, .window_ms = 0};
    tu_node(s, &n);
    tu_proc ps[64];
    size_t np = 0;
    memset(ps, 0, sizeof ps);
    ps[np++] = (tu_proc){.num = 100, .ic = "proc_lib:init_p/5", .dic = "application_master:init/4", .gl = "100"};
    ps[np++] = (tu_proc){.num = 102,
                         .name = "x_sup",
                         .ic = "proc_lib:init_p/5",
                         .dic = "supervisor:x_sup/1",
                         .anc = "100",
                         .gl = "100",
                         .trap_exit = 1};
    tu_child ch[16];
    size_t nc = 0;
    char ids[16][32];
    for (const char *p = ns->children ? ns->children : ""; *p && nc < 16;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t l = strcspn(p, " ");
        snprintf(ids[nc], sizeof ids[nc], "%.*s", (int)l, p);
        char *tok = malloc(8);
        snprintf(tok, 8, "%u", (unsigned)(110 + nc));
        ps[np++] = (tu_proc){.num = 110 + (unsigned)nc,
                             .ic = "proc_lib:init_p/5",
                             .dic = "gen_server:x_worker/1",
                             .anc = "x_sup 100",
                             .gl = "100",
                             .links = "102"};
        ch[nc] = (tu_child){.id = ids[nc], .pid = tok, .restart = "permanent", .modules = "x_worker"};
        nc++;
        p += l;
    }
    for (int i = 0; i < ns->n_callers && np < 64; i++)
        ps[np++] = (tu_proc){.num = 200 + (unsigned)i,
                             .ic = "erlang:apply/2",
                             .cf = "gen:do_call/4",
                             .status = "waiting",
                             .mons = ns->calls,
                             .gl = "100"};
    tu_procs(s, ps, np);
    tu_app(s, ns->app ? ns->app : "x", "the app", ns->vsn ? ns->vsn : "1.0.0", "100", "102", "x_app");
    if (ns->app2)
        tu_app(s, ns->app2, "another", "1.0.0", "undefined", "undefined", "undefined");
    tu_sup sp = {
        .num = 102, .name = "x_sup", .strategy = "one_for_one", .intensity = 3, .period = 5, .nchildren = (long)nc};
    tu_sup_msg(s, &sp);
    tu_children(s, 102, ch, nc);
    for (size_t i = 0; i < nc; i++)
        free((char *)ch[i].pid);
    for (const char *p = ns->scopes ? ns->scopes : ""; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t l = strcspn(p, " ");
        char sc[64];
        snprintf(sc, sizeof sc, "%.*s", (int)l, p);
        tu_pg(s, sc, 1, 2);
        p += l;
    }
    tu_key ks[4];
    char keys[4][64], toks[4][64];
    size_t nk = 0;
    for (const char *p = ns->globals ? ns->globals : ""; *p && nk < 4;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t l = strcspn(p, " ");
        const char *eq = memchr(p, '=', l);
        assert_non_null(eq);
        snprintf(keys[nk], sizeof keys[nk], "%.*s", (int)(eq - p), p);
        snprintf(toks[nk], sizeof toks[nk], "%.*s", (int)(l - (size_t)(eq - p) - 1), eq + 1);
        ks[nk] = (tu_key){keys[nk], toks[nk]};
        nk++;
        p += l;
    }
    if (nk)
        tu_global(s, ks, nk);
    char err[OA_ERRLEN];
    if (snap_finish(s, err))
        fail_msg("snap_finish: %s", err);
    return s;
}

/* a cluster of n nodes named a@h, b@h, c@h …; a NULL spec: a node not collected */
static void mk_cluster(cluster *cl, const node_spec *const *specs, size_t n)
{
    memset(cl, 0, sizeof *cl);
    cl->n = n;
    cl->nodes = calloc(n, sizeof *cl->nodes);
    assert_non_null(cl->nodes);
    for (size_t i = 0; i < n; i++) {
        snprintf(cl->nodes[i].name, sizeof cl->nodes[i].name, "%c@h", (char)('a' + i));
        if (specs[i])
            cl->nodes[i].s = mk(specs[i]);
        else
            snprintf(cl->nodes[i].error, sizeof cl->nodes[i].error, "connection to %c@h lost", (char)('a' + i));
    }
}

/* the cluster findings of one rule, as "severity subject @node" lines */
static void run_rule(cluster *cl, const char *rule_id, strbuf *out)
{
    rule_opts ro;
    rule_opts_default(&ro);
    const char *only[2] = {rule_id, NULL};
    cluster_analyse(cl, &ro, only, NULL, 0);
    for (size_t i = 0; i < cl->f.items.len; i++) {
        const finding *x = vec_at(&cl->f.items, i);
        sb_printf(out, "%s %s @%s\n", severity_name(x->severity), x->subject, x->node);
    }
    rule_opts_free(&ro);
}

static void expect(const node_spec *const *specs, size_t n, const char *rule_id, const char *want)
{
    cluster cl;
    mk_cluster(&cl, specs, n);
    strbuf got;
    sb_init(&got);
    run_rule(&cl, rule_id, &got);
    if (strcmp(got.buf ? got.buf : "", want))
        fail_msg("%s: expected\n%s\ngot\n%s", rule_id, want, got.buf ? got.buf : "");
    sb_free(&got);
    cluster_free(&cl);
}

static void test_version_skew(void **state)
{
    (void)state;
    node_spec v1 = {.vsn = "1.0.0", .children = "w1 w2"}, v2 = {.vsn = "1.1.0", .children = "w1 w2"};
    const node_spec *planted[] = {&v1, &v1, &v2}, *clean[] = {&v1, &v1, &v1};
    expect(planted, 3, "app-version-skew", "warning application x @\n");
    expect(clean, 3, "app-version-skew", "");
}

static void test_tree_differs(void **state)
{
    (void)state;
    node_spec base = {.children = "w1 w2"}, extra = {.children = "w1 w2 w3"},
              ahead = {.vsn = "2.0.0", .children = "w1"};
    const node_spec *planted[] = {&base, &extra, &ahead}, *clean[] = {&base, &base, &ahead};
    /* b differs at the same version; c is another version (app-version-skew's, not this rule's) */
    expect(planted, 3, "app-tree-differs", "warning application x @b@h\n");
    expect(clean, 3, "app-tree-differs", "");
}

static void test_app_missing(void **state)
{
    (void)state;
    node_spec with = {.children = "w1", .app2 = "extra"}, without = {.children = "w1"};
    const node_spec *odd_one[] = {&with, &with, &without}, *role[] = {&with, &without, &without},
                    *all[] = {&with, &with, &with}, *two[] = {&with, &without};
    expect(odd_one, 3, "app-missing-on-node", "warning application extra @c@h\n");
    expect(role, 3, "app-missing-on-node", ""); /* one node alone runs it: its role */
    expect(all, 3, "app-missing-on-node", "");
    expect(two, 2, "app-missing-on-node", "info application extra @b@h\n");
    /* a node not collected is not judged */
    const node_spec *dead[] = {&with, &with, NULL};
    expect(dead, 3, "app-missing-on-node", "");
}

static void test_pg_scope_missing(void **state)
{
    (void)state;
    node_spec both = {.children = "w1", .scopes = "s_all s_part"}, one = {.children = "w1", .scopes = "s_all"};
    const node_spec *planted[] = {&both, &both, &one}, *clean[] = {&one, &one, &one};
    expect(planted, 3, "pg-scope-missing", "warning pg scope s_part @c@h\n");
    expect(clean, 3, "pg-scope-missing", "");
}

static void test_global_callers(void **state)
{
    (void)state;
    const char *g = "single=a@h/300 quiet=a@h/301";
    node_spec owner = {.children = "w1", .globals = g},
              callers = {.children = "w1", .globals = g, .n_callers = 3, .calls = "a@h/300"},
              one = {.children = "w1", .globals = g, .n_callers = 1, .calls = "a@h/300"},
              other_pid = {.children = "w1", .globals = g, .n_callers = 3, .calls = "a@h/999"};
    const node_spec *planted[] = {&owner, &callers, &callers};
    expect(planted, 3, "global-name-callers", "warning {:global, single} @a@h\n");
    const node_spec *few[] = {&owner, &one, &owner};
    expect(few, 3, "global-name-callers", "info {:global, single} @a@h\n");
    /* callers of another pid, or nobody elsewhere waiting: silent (quiet never fires) */
    const node_spec *clean[] = {&owner, &other_pid, &owner}, *idle[] = {&owner, &owner, &owner};
    expect(clean, 3, "global-name-callers", "");
    expect(idle, 3, "global-name-callers", "");
    /* the owner's node dead: callers elsewhere still show */
    const node_spec *dead[] = {NULL, &callers, &callers};
    expect(dead, 3, "global-name-callers", "warning {:global, single} @a@h\n");
    /* the evidence counts callers on other nodes, per node */
    cluster cl;
    mk_cluster(&cl, planted, 3);
    strbuf got;
    sb_init(&got);
    run_rule(&cl, "global-name-callers", &got);
    const finding *x = vec_at(&cl.f.items, 0);
    int seen = 0;
    for (int e = 0; e < x->n_ev; e++)
        if (!strcmp(x->ev[e].key, "callers_other_nodes")) {
            assert_int_equal((int)x->ev[e].value, 6);
            seen = 1;
        }
    assert_true(seen);
    sb_free(&got);
    cluster_free(&cl);
}

static void test_busy_dist_link(void **state)
{
    (void)state;
    node_spec n = {.children = "w1"};
    struct {
        const char *peer;
        uint32_t looks, pending;
        int fires;
    } cases[] = {
        {"b@h", 50, 40, 1},             /* bytes waiting in 80 % of the looks */
        {"b@h", 50, 0, 0},              /* an idle link */
        {"b@h", 50, 10, 0},             /* 20 %: below dist.pending_share */
        {"b@h", 2, 2, 0},               /* two looks are too few */
        {"otp-advisor-1@h", 50, 50, 0}, /* a session of this tool */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snap *s = mk(&n);
        s->info.has_dist = 1;
        s->info.dist_busy_limit = 1048576;
        snap_dist *d = vec_push(&s->dist);
        memset(d, 0, sizeof *d);
        d->node = snap_intern(s, cases[i].peer);
        d->looks = cases[i].looks;
        d->looks_pending = cases[i].pending;
        d->max_pending = cases[i].pending ? 200000 : 0;
        d->bytes_sent = 100000000;
        d->span_us = 1000000;
        rule_opts ro;
        rule_opts_default(&ro);
        findings f;
        findings_init(&f);
        const char *only[2] = {"busy-dist-link", NULL};
        rules_run(s, &ro, only, NULL, &f);
        if ((int)f.items.len != cases[i].fires)
            fail_msg("case %zu: %zu findings, expected %d", i, f.items.len, cases[i].fires);
        if (cases[i].fires)
            assert_non_null(strstr(((finding *)vec_at(&f.items, 0))->subject, "→ b@h"));
        findings_free(&f);
        rule_opts_free(&ro);
        snap_free(s);
    }
}

static void test_pid_eq_across_snapshots(void **state)
{
    (void)state;
    node_spec a = {.children = "w1", .globals = "g=a@h/300"}, b = {.children = "w1", .globals = "g=a@h/300 h=b@h/300"};
    snap *sa = mk(&a), *sb = mk(&b);
    const snap_name *ga = vec_at(&sa->globals, 0), *gb = vec_at(&sb->globals, 0), *hb = vec_at(&sb->globals, 1);
    assert_true(cluster_pid_eq(sa, ga->pid, sb, gb->pid));
    assert_false(cluster_pid_eq(sa, ga->pid, sb, hb->pid)); /* the same number on another node */
    assert_string_equal(cluster_pid_node(sb, hb->pid), "b@h");
    snap_free(sa);
    snap_free(sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_skew),
        cmocka_unit_test(test_tree_differs),
        cmocka_unit_test(test_app_missing),
        cmocka_unit_test(test_pg_scope_missing),
        cmocka_unit_test(test_global_callers),
        cmocka_unit_test(test_busy_dist_link),
        cmocka_unit_test(test_pid_eq_across_snapshots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
