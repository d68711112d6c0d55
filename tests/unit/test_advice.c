/* test_advice.c — the placeholders of src/advice.c that stand for what a subject may lack:
 * ⟨atom|EX|ERL⟩ (a placeholder name in each language when the subject has none), ⟨atom2⟩,
 * ⟨ex_atom⟩, ⟨1⟩ … ⟨4⟩, advice on no one node (s NULL), and entries appended to others. The
 * variants the golden outputs and rule cases show are checked there, byte for byte. */
#include "testutil.h"

#include "advice.h"
#include "rules.h"

static snap erl, ex;

static int setup(void **state)
{
    (void)state;
    memset(&erl, 0, sizeof erl);
    memset(&ex, 0, sizeof ex);
    ex.info.elixir_version = 1;
    return 0;
}

/* a name in each language; a placeholder of each language when there is none */
static void test_atom_defaults(void **state)
{
    (void)state;
    findings f;
    findings_init(&f);
    advice_args named = {.atom = "Elixir.Zoo.Sessions", .arg = {"DynamicSupervisor"}},
                none = {.arg = {"Task.Supervisor"}};
    const char *t = advice_text(&f, &ex, "missing-partition-supervisor", ADV_DEFAULT, &named);
    assert_non_null(strstr(t, "  {PartitionSupervisor, child_spec: DynamicSupervisor, name: Zoo.Sessions}\n"));
    assert_non_null(strstr(t, "  DynamicSupervisor.start_child({:via, PartitionSupervisor, {Zoo.Sessions, key}}"));
    t = advice_text(&f, &erl, "missing-partition-supervisor", ADV_DEFAULT, &named);
    assert_non_null(strstr(t, "name: 'Elixir.Zoo.Sessions'}\n"));
    t = advice_text(&f, &ex, "missing-partition-supervisor", ADV_DEFAULT, &none);
    assert_non_null(strstr(t, "{PartitionSupervisor, child_spec: Task.Supervisor, name: MyApp.DynamicSupervisor}\n"));
    t = advice_text(&f, &erl, "missing-partition-supervisor", ADV_DEFAULT, &none);
    assert_non_null(strstr(t, "{PartitionSupervisor, child_spec: Task.Supervisor, name: my_sup}\n"));
    assert_null(strstr(t, "\xe2\x9f\xa8")); /* no placeholder left */
    findings_free(&f);
}

/* ⟨atom2⟩: a second atom (a callback module beside a registered name), its own default */
static void test_atom2(void **state)
{
    (void)state;
    findings f;
    findings_init(&f);
    const char *t = advice_text(&f, &erl, "missing-partition-supervisor", ADV_PARTITION_SOFO,
                                &(advice_args){.atom = "conn_sup", .atom2 = "conn_sup_cb"});
    assert_non_null(
        strstr(t, "  [#{id => {conn_sup, I}, start => {conn_sup_cb, start_link, [I]}, type => supervisor}"));
    t = advice_text(&f, &erl, "missing-partition-supervisor", ADV_PARTITION_SOFO, &(advice_args){0});
    assert_non_null(strstr(t, "  [#{id => {my_sup, I}, start => {my_sup, start_link, [I]}, type => supervisor}"));
    findings_free(&f);
}

/* the child spec of an unsupervised process: named after its module when it is seen, a
 * placeholder module otherwise; the linked helper's note is an entry of its own */
static void test_unsupervised_child_specs(void **state)
{
    (void)state;
    findings f;
    findings_init(&f);
    const char *t = advice_text(&f, &erl, "unsupervised-process", ADV_UNSUPERVISED_ERL_ARITY,
                                &(advice_args){.atom = "Elixir.W", .arg = {"W", "1 and /2"}});
    assert_non_null(strstr(t, "W exports start_link/1 and /2 (not start_link/0): make {'Elixir.W', start_link, "
                              "Args} a child"));
    t = advice_text(&f, &erl, "unsupervised-process", ADV_UNSUPERVISED_ERL_UNSEEN,
                    &(advice_args){.arg = {"a spawned fun named x"}});
    assert_non_null(strstr(t, "Its code cannot be seen (a spawned fun named x, started with a plain spawn)"));
    assert_non_null(strstr(t, "  #{id => my_worker, start => {my_worker, start_link, []}, restart => permanent"));
    t = advice_text(&f, &ex, "unsupervised-process", ADV_UNSUPERVISED_EX_UNSEEN, &(advice_args){.arg = {"gen"}});
    assert_non_null(strstr(t, "  defmodule MyApp.Worker do\n"));
    assert_non_null(strstr(t, "  children = [{MyApp.Worker, []}]"));
    t = advice_text(&f, &ex, "unsupervised-process", ADV_UNSUPERVISED_EX_FUN,
                    &(advice_args){.atom = "Elixir.Zoo.Jobs", .arg = {"Zoo.Jobs"}});
    assert_non_null(strstr(t, "This one runs code from Zoo.Jobs: give it a module with a child spec and start it"));
    assert_non_null(strstr(t, "  defmodule Zoo.Jobs.Worker do\n"));
    assert_string_equal(advice_text(&f, &ex, "unsupervised-process", ADV_UNSUPERVISED_HELPER_NOTE, NULL),
                        "\nA linked helper is acceptable when it is truly part of its owner's state; then keep it, "
                        "knowingly.");
    findings_free(&f);
}

/* ⟨ex_atom⟩: an API only Elixir has (Agent) is written in Elixir whatever the node says */
static void test_ex_atom_on_any_node(void **state)
{
    (void)state;
    findings f;
    findings_init(&f);
    const char *t = advice_text(&f, &erl, "agent-under-load", ADV_DEFAULT, &(advice_args){.atom = "zoo_table"});
    assert_non_null(strstr(t, "  :ets.new(:zoo_table, [:named_table, :public, read_concurrency: true"));
    findings_free(&f);
}

/* a cluster rule's advice concerns no one node: s NULL; an Elixir node's text otherwise */
static void test_no_node_and_args(void **state)
{
    (void)state;
    findings f;
    findings_init(&f);
    assert_non_null(strstr(advice_text(&f, NULL, "app-tree-differs", ADV_DEFAULT, NULL), "One release, two trees"));
    assert_non_null(strstr(advice_text(&f, NULL, "global-name-callers", ADV_DEFAULT, NULL), "pg:join(my_scope"));
    assert_non_null(strstr(advice_text(&f, &ex, "global-name-callers", ADV_DEFAULT, NULL), ":pg.join(MyApp.Scope"));
    const char *t =
        advice_text(&f, &erl, "process-without-runtime-reason", ADV_DEFAULT, &(advice_args){.arg = {"zoo_consts"}});
    assert_non_null(strstr(t, "If zoo_consts only groups functions or holds constants"));
    assert_non_null(strstr(t, "module attributes, or persistent_term for"));
    t = advice_text(&f, &ex, "process-without-runtime-reason", ADV_DEFAULT, &(advice_args){.arg = {"Zoo.Consts"}});
    assert_non_null(strstr(t, "module attributes, or :persistent_term for"));
    assert_string_equal(advice_text(&f, NULL, "app-version-skew", ADV_VERSION_SKEW_RUNTIME, NULL),
                        "Nodes of one cluster on different runtimes is a rolling upgrade left half done: finish it "
                        "(every node on one release), or plan the mixed period.");
    assert_string_equal(advice_text(&f, &ex, "no-such-rule", ADV_DEFAULT, NULL), "");
    assert_false(advice_has("restart-churn", 7));
    findings_free(&f);
}

/* every rule in the table has an entry, every entry names a rule in the table, and each
 * entry, its placeholders all given, leaves none unfilled in either language */
static void test_every_rule_has_advice(void **state)
{
    (void)state;
    for (int i = 0; i < n_rules; i++) {
        int found = 0;
        const char *id;
        int v;
        for (int k = 0; advice_at(k, &id, &v); k++)
            found |= !strcmp(id, rule_at(i)->id);
        if (!found)
            fail_msg("rule %s has no advice entry", rule_at(i)->id);
    }
    findings f;
    findings_init(&f);
    advice_args all = {.atom = "my_name", .atom2 = "my_mod", .arg = {"a1", "a2", "a3", "a4"}};
    const char *id;
    int v, k;
    for (k = 0; advice_at(k, &id, &v); k++) {
        if (!rule_find(id))
            fail_msg("advice entry %d names no rule: %s", k, id);
        for (int lang = 0; lang < 2; lang++) {
            const char *t = advice_text(&f, lang ? &ex : &erl, id, v, &all);
            if (!*t || strstr(t, "\xe2\x9f\xa8"))
                fail_msg("%s variant %d (%s): %s", id, v, lang ? "Elixir" : "Erlang", *t ? t : "(empty)");
        }
    }
    assert_true(k > n_rules / 2);
    findings_free(&f);
}

/* an atom of 255 four-byte characters is written whole, never cut inside a character */
static void test_long_atom_whole(void **state)
{
    (void)state;
    char atom[255 * 4 + 1] = "";
    for (int i = 0; i < 255; i++)
        strcat(atom, "\xf0\x9f\x98\x80"); /* U+1F600 */
    findings f;
    findings_init(&f);
    const char *t =
        advice_text(&f, &erl, "genserver-as-cache", ADV_DEFAULT, &(advice_args){.atom = atom, .arg = {"x"}});
    assert_non_null(strstr(t, atom));
    t = advice_text(&f, &ex, "genserver-as-cache", ADV_DEFAULT, &(advice_args){.atom = atom, .arg = {"x"}});
    assert_non_null(strstr(t, atom));
    findings_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_atom_defaults, setup),
        cmocka_unit_test_setup(test_atom2, setup),
        cmocka_unit_test_setup(test_unsupervised_child_specs, setup),
        cmocka_unit_test_setup(test_ex_atom_on_any_node, setup),
        cmocka_unit_test_setup(test_no_node_and_args, setup),
        cmocka_unit_test_setup(test_every_rule_has_advice, setup),
        cmocka_unit_test_setup(test_long_atom_whole, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
