/* advice.c — every rule's advice, one entry per (rule, variant), and its rendering in the
 * subject's language (advice.h). */
#include "advice.h"

#include <string.h>

#include "codegen.h"

/* An entry: `text` is the advice in both languages; ⟨code⟩ in it stands for the code in the
 * subject's language (ex or erl). text NULL: the advice is ⟨code⟩ alone (two different texts).
 * erl NULL: ex is language-neutral, used for both. */
typedef struct {
    const char *rule;
    int variant;
    const char *text;
    const char *ex, *erl;
} advice_entry;

/* pieces several entries share */
#define SUPERVISE                                                                                                      \
    "Every long-lived process belongs in a supervision tree, so it is restarted, shut down in order and visible. "
#define ERL_CHILD_SPEC                                                                                                 \
    " to its supervisor's children:\n"                                                                                 \
    "  #{id => ⟨atom|my_worker⟩, start => {⟨atom|my_worker⟩, start_link, []}, restart => permanent, type => worker}"
#define EX_TASK_WORKER                                                                                                 \
    " and start it from a supervisor, e.g.\n"                                                                          \
    "  defmodule ⟨atom|MyApp⟩.Worker do\n    use Task, restart: :permanent\n    def start_link(arg), do: "         \
    "Task.start_link(__MODULE__, :run, [arg])\n    def run(_arg), do: :ok\n  end\n"                                    \
    "  children = [{⟨atom|MyApp⟩.Worker, []}]"

static const advice_entry entries[] = {
    /* unsupervised-process, a process: ⟨1⟩ its code's module (or what stands for it), ⟨atom⟩
     * that module when its code is seen; Erlang's on an Erlang node, Elixir's on an Elixir one */
    {"unsupervised-process", ADV_UNSUPERVISED_ERL_ARITY, NULL,
     SUPERVISE "⟨1⟩ exports start_link/⟨2⟩ (not start_link/0): make {⟨atom⟩, start_link, Args} a child of its "
               "supervisor, Args being what it is started with now (start arguments cannot be read from outside).",
     NULL},
    {"unsupervised-process", ADV_UNSUPERVISED_ERL_EXPORTS, NULL,
     SUPERVISE "⟨1⟩ exports start_link/0: add it" ERL_CHILD_SPEC, NULL},
    {"unsupervised-process", ADV_UNSUPERVISED_ERL_GIVE, NULL,
     SUPERVISE "Give ⟨1⟩ a start_link/0 that uses proc_lib (or make it a gen_server) and add it" ERL_CHILD_SPEC, NULL},
    {"unsupervised-process", ADV_UNSUPERVISED_ERL_UNSEEN, NULL,
     SUPERVISE "Its code cannot be seen (⟨1⟩, started with a plain spawn): move it into a module, here my_worker, "
               "with a start_link/0 that uses proc_lib, and add it" ERL_CHILD_SPEC,
     NULL},
    {"unsupervised-process", ADV_UNSUPERVISED_EX_FUN, NULL,
     SUPERVISE "This one runs code from ⟨1⟩: give it a module with a child spec" EX_TASK_WORKER, NULL},
    {"unsupervised-process", ADV_UNSUPERVISED_EX_UNSEEN, NULL,
     SUPERVISE "Its code cannot be seen from outside (⟨1⟩): move that code into a module with a child spec "
               "(MyApp.Worker below stands for it)" EX_TASK_WORKER,
     NULL},
    {"unsupervised-process", ADV_UNSUPERVISED_EX_MODULE, NULL,
     SUPERVISE "Start ⟨1⟩ from its supervisor:\n"
               "  children = [{⟨atom⟩, []}]\n"
               "or, for dynamic ones, DynamicSupervisor.start_child(MyApp.DynamicSupervisor, {⟨atom⟩, []}).",
     NULL},
    /* appended to the advice above for a linked helper */
    {"unsupervised-process", ADV_UNSUPERVISED_HELPER_NOTE, NULL,
     "\nA linked helper is acceptable when it is truly part of its owner's state; then keep it, knowingly.", NULL},
    {"unsupervised-process", ADV_UNSUPERVISED_ORPHAN_ROOT, NULL,
     "Start this tree from your application: put the child spec you now pass to start_link into the "
     "children of the supervisor your Application.start/2 starts, so the application owns it.",
     "Start this tree from your application: add its child spec to the children of the supervisor "
     "your application's start/2 starts (type => supervisor), so the application owns it."},
    {"unsupervised-process", ADV_UNSUPERVISED_SCRIPT, NULL,
     "A long-lived service belongs in an application: start its processes from the supervisor your "
     "Application.start/2 starts (mix new --sup gives one) and run the node with `mix run --no-halt` or a "
     "release, not from the script's own process.",
     NULL},
    /* ⟨1⟩ the window, in seconds, long enough for a warning */
    {"process-without-runtime-reason", ADV_IDLE_SHORT_WINDOW, NULL,
     "Watch longer before deciding: `check --window ⟨1⟩` (or `--set idle.window_s=N` to judge a shorter "
     "window). A process that stays idle that long and only groups functions or holds constants belongs in "
     "a plain module.",
     NULL},
    /* ⟨1⟩ the process's module */
    {"process-without-runtime-reason", ADV_DEFAULT,
     "NO PROCESS WITHOUT A RUNTIME REASON. Processes model concurrency, shared resources, error isolation "
     "and state that survives between operations, not code organisation. If ⟨1⟩ only groups functions or "
     "holds constants, make it a plain module (functions, module attributes, or ⟨code⟩ for "
     "read-mostly configuration) and remove it from the children list.",
     ":persistent_term", "persistent_term"},
    {"process-without-runtime-reason", ADV_IDLE_LIBRARY, NULL,
     "Nothing to change here: an idle server of a library usually waits for a part of its API that "
     "this system did not call while it was watched. Judge your own processes.",
     NULL},
    /* ⟨1⟩ the process: its name and pid */
    {"mailbox-buildup", ADV_DEFAULT, NULL,
     "Complex coordination needs a design that keeps up. Find who sends to ⟨1⟩ and why it is slow: make "
     "slow work asynchronous (a Task.Supervisor per job), shed or batch messages, apply back-pressure "
     "(GenServer.call instead of cast so senders wait), or partition the work over several processes.",
     NULL},
    /* cluster rules: in the language of the node the subject lives on, or of none */
    {"global-name-callers", ADV_DEFAULT,
     "A :global name is one process for the whole cluster: every call from another node crosses "
     "the network and queues behind all the others. Serve reads on the callers' node: one "
     "process (or ETS table) per node, found through a pg group, fed by the writer:\n"
     "⟨code⟩\n"
     "or partition the state by key across nodes; keep :global for what must be serialised "
     "once for the whole cluster.",
     "  :pg.join(MyApp.Scope, :my_service, self())          # in each node's server init\n"
     "  [pid | _] = :pg.get_local_members(MyApp.Scope, :my_service)",
     "  ok = pg:join(my_scope, my_service, self()),          % in each node's server init\n"
     "  [Pid | _] = pg:get_local_members(my_scope, my_service)"},
    {"app-missing-on-node", ADV_DEFAULT, NULL,
     "Every node of a cluster that shares work should run the same applications: a node without one "
     "answers the calls routed to it with errors, or serves nothing of that part. Start it there (the "
     "release's applications list, or the node's boot script), or, if the node has another role on "
     "purpose, give that role its own release so the difference is declared, not drifted into.",
     NULL},
    {"pg-scope-missing", ADV_DEFAULT, NULL,
     "pg only sees the nodes that run the scope: processes on a node without it cannot join its "
     "groups, and its peers never list them. Start the scope on every node that takes part (a child "
     "of the application's supervisor: {:pg, Scope} in Elixir's children, #{id => Scope, start => "
     "{pg, start_link, [Scope]}} in Erlang).",
     NULL},
    {"app-version-skew", ADV_VERSION_SKEW_RUNTIME, NULL,
     "Nodes of one cluster on different runtimes is a rolling upgrade left half "
     "done: finish it (every node on one release), or plan the mixed period.",
     NULL},
    {"app-version-skew", ADV_DEFAULT, NULL,
     "The same application at two versions in one cluster answers the same request two ways, and "
     "messages between its processes cross versions (a changed state, message or ETS layout breaks "
     "there). Finish the deploy on every node, or make the mixed period explicit (versioned "
     "messages, a feature switch).",
     NULL},
    {"app-tree-differs", ADV_DEFAULT, NULL,
     "One release, two trees: a child started only under some configuration, or "
     "code changed without a new version. Make the difference explicit (a "
     "configuration read in the supervisor's init, the same on every node), or "
     "bump the application's version with the change so deploys show it.",
     NULL},
    /* Agent is Elixir's: ⟨ex_atom⟩ the table, named after the Agent */
    {"agent-under-load", ADV_DEFAULT, NULL,
     "Agent is for simple get/update state with little traffic. Hot shared state belongs in ETS (one table "
     "keyed by id replaces one Agent per entity):\n"
     "  :ets.new(⟨ex_atom⟩, [:named_table, :public, read_concurrency: true, write_concurrency: true])\n"
     "and :ets.update_counter/4 or :ets.insert/2 from the callers: no process round trip.\n"
     "Keep a GenServer only if updates need coordination (then measure it as a bottleneck).",
     NULL},
    {"busy-dist-link", ADV_DEFAULT, NULL,
     "One distribution connection carries every message between two nodes, in order: bulk data on it "
     "delays every call and monitor behind it (and node ticks: a saturated link can be taken for a dead "
     "node). Send less over it (ids instead of large terms, data cached on the receiving node, batches), "
     "move the producer next to its consumer, or carry bulk transfers on their own connection (gen_tcp, "
     "ssl); raise the busy limit (+zdbbl) only for short bursts.",
     NULL},
    {"mailbox-growing", ADV_DEFAULT, NULL,
     "A process that falls behind for minutes needs less work or more workers: make the slow part "
     "asynchronous (a Task.Supervisor per job), apply back-pressure (call instead of cast), or partition "
     "the work (PartitionSupervisor, or erlang:phash2(Key, N) over N workers).",
     NULL},
    {"saturated-over-time", ADV_DEFAULT, NULL,
     "A single process that is busy most of the time is a bottleneck: every message waits behind the "
     "others. Partition its work by key (PartitionSupervisor, or a pool keyed with erlang:phash2/2), "
     "move reads to ETS (read_concurrency), or make its slow work asynchronous.",
     NULL},
    {"restarts-over-time", ADV_DEFAULT, NULL,
     "Restarts that never stop are a crash the supervisor hides: find the child's crash reason in the "
     "logs and fix it. A supervisor restarts to recover from the unexpected, not to run a loop.",
     NULL},
    /* ⟨1⟩ the supervisor */
    {"restart-churn", ADV_DEFAULT, NULL,
     "Fault isolation is firing: a child of ⟨1⟩ keeps crashing. Read its crash reports (Logger) and fix the "
     "cause; raising max_restarts only hides it. If the crashes are expected (a flaky dependency), isolate "
     "that child under its own supervisor with its own max_restarts/max_seconds so it cannot exhaust this "
     "one's budget.",
     NULL},
    /* ⟨atom⟩ the supervisor's registered name; ⟨atom2⟩ its callback module (Erlang's
     * simple_one_for_one); ⟨1⟩ what it starts: DynamicSupervisor or Task.Supervisor */
    {"missing-partition-supervisor", ADV_DEFAULT, NULL,
     "When a DynamicSupervisor becomes a bottleneck, partition it:\n"
     "  {PartitionSupervisor, child_spec: ⟨1⟩, name: ⟨atom|MyApp.DynamicSupervisor|my_sup⟩}\n"
     "  ⟨1⟩.start_child({:via, PartitionSupervisor, {⟨atom|MyApp.DynamicSupervisor|my_sup⟩, key}}, child_spec)\n"
     "One partition per scheduler by default; the key (e.g. self() or the session id) picks the partition.",
     NULL},
    {"missing-partition-supervisor", ADV_PARTITION_SOFO, NULL,
     "A single simple_one_for_one supervisor serialises every start. Run N of them (one per scheduler) "
     "and pick one by hash:\n"
     "  [#{id => {⟨atom|my_sup⟩, I}, start => {⟨atom2|my_sup⟩, start_link, [I]}, type => supervisor} || I <- "
     "lists:seq(1, erlang:system_info(schedulers_online))]\n"
     "  supervisor:start_child(element(erlang:phash2(Key, N) + 1, Sups), Args)",
     NULL},
    /* appended when callers wait on a supervisor that does little work: on their children's init */
    {"missing-partition-supervisor", ADV_PARTITION_SLOW_INIT, NULL,
     "\nEach start also waits for the child's init: work init does (loading state, "
     "connecting) belongs in handle_continue, so that the start returns at once.",
     NULL},
    /* Registry is Elixir's: ⟨1⟩ its keys (unique, duplicate), ⟨2⟩ its name */
    {"registry-single-partition", ADV_DEFAULT, NULL,
     "Give it one partition per scheduler:\n"
     "  {Registry, keys: :⟨1⟩, name: ⟨2⟩, partitions: System.schedulers_online()}",
     NULL},
    /* Task.start is Elixir's: the advice is the same on any node */
    {"unsupervised-task", ADV_DEFAULT, NULL,
     "Task.start/1 gives no supervision and no shutdown. Run one-off work under a Task.Supervisor:\n"
     "  children = [{Task.Supervisor, name: MyApp.TaskSupervisor}]\n"
     "  Task.Supervisor.start_child(MyApp.TaskSupervisor, fn -> :ok end)\n"
     "(Task.Supervisor.async_nolink/2 when the caller needs the result).",
     NULL},
    {"global-bottleneck", ADV_DEFAULT,
     "Global processes are bottlenecks. Reads that need no coordination belong in ETS:\n⟨code⟩",
     "  :ets.new(⟨atom⟩, [:named_table, :set, :public, read_concurrency: true])\n"
     "and keep the process (⟨1⟩) only to own the table and serialise writes. If the state must stay in "
     "processes, partition it: one process per key range, picked with :erlang.phash2(key, n).",
     "  ets:new(⟨atom⟩, [named_table, set, public, {read_concurrency, true}])\n"
     "and keep ⟨1⟩ only to own the table and serialise writes. If the state must stay in processes, "
     "run one ⟨1⟩ per key range and pick it with erlang:phash2(Key, N)."},
    /* Elixir only (the rule picks it on an Elixir node): ⟨atom2⟩ is the module */
    {"global-bottleneck", ADV_BOTTLENECK_PARTITION_SUP,
     "Global processes are bottlenecks. Reads that need no coordination belong in ETS:\n⟨code⟩",
     "  :ets.new(⟨atom⟩, [:named_table, :set, :public, read_concurrency: true])\n"
     "and keep the process (⟨1⟩) only to own the table and serialise writes. If the state must stay in "
     "processes, partition it (one process per key range) behind a PartitionSupervisor, each "
     "partition started without the global name:\n"
     "  {PartitionSupervisor, child_spec: ⟨atom2⟩, name: ⟨atom2⟩.Partitions}",
     NULL},
    {"genserver-as-cache", ADV_DEFAULT,
     "\"Global cache ⟨gen_server⟩ → ETS is usually better\": many readers, no serialization.\n"
     "⟨code⟩\n"
     "Keep ⟨1⟩ only to own the table (it dies with its owner) and to serialise writes or expiry.",
     "  :ets.new(⟨atom⟩, [:named_table, :set, :public, read_concurrency: true])\n"
     "  :ets.lookup(⟨atom⟩, key)            # readers, in their own process",
     "  ets:new(⟨atom⟩, [named_table, set, public, {read_concurrency, true}])\n"
     "  ets:lookup(⟨atom⟩, Key)            % readers, in their own process"},
    {"ets-owner-at-risk", ADV_DEFAULT,
     "Tables die with their owner. Create the table in the init/1 of a supervised ⟨gen_server⟩ that exists "
     "for that purpose (it is restarted and recreates the table), or give it an heir:\n"
     "⟨code⟩",
     "  :ets.new(⟨atom⟩, [:named_table, :public, {:heir, heir_pid, :data}, read_concurrency: true])",
     "  ets:new(⟨atom⟩, [named_table, public, {read_concurrency, true}, {heir, HeirPid, data}])"},
    {"atom-named-dynamic-processes", ADV_DEFAULT, NULL,
     "Name dynamic processes with via tuples on a Registry: any term is a key, no atom is created.\n"
     "  {Registry, keys: :unique, name: MyApp.Registry}\n"
     "  GenServer.start_link(__MODULE__, id, name: {:via, Registry, {MyApp.Registry, {:⟨1⟩, id}}})\n"
     "  DynamicSupervisor.start_child(MyApp.DynamicSupervisor, {__MODULE__, id})",
     "Never make atoms at run time (list_to_atom/1): name dynamic processes by any term through a "
     "registry, e.g. global or a via module such as gproc, or keep id -> pid in ETS:\n"
     "  gen_server:start_link({via, global, {⟨1⟩, Id}}, ?MODULE, Id, [])"},
    {"unresponsive-supervisor", ADV_DEFAULT,
     "A supervisor must never block. A child whose init/1 waits (a connection, a long computation) stalls "
     "its supervisor: return from init quickly and finish the work in handle_continue/2:\n"
     "⟨code⟩",
     "  def init(args), do: {:ok, args, {:continue, :connect}}\n"
     "  def handle_continue(:connect, state), do: {:noreply, connect(state)}",
     "  init(Args) -> {ok, Args, {continue, connect}}.\n"
     "  handle_continue(connect, State) -> {noreply, connect(State)}."},
    {"unresponsive-supervisor", ADV_UNRESPONSIVE_STARTING, NULL,
     "One supervisor starts children one at a time, each after the previous child's init: "
     "spread the starts over a PartitionSupervisor, and return from init quickly "
     "(handle_continue/2):\n"
     "  {PartitionSupervisor, child_spec: DynamicSupervisor, name: MyApp.Sessions}\n"
     "  DynamicSupervisor.start_child({:via, PartitionSupervisor, {MyApp.Sessions, key}}, spec)\n"
     "To read its children, give it longer: --sup-timeout MS.",
     "One supervisor starts children one at a time, each after the previous child's init: "
     "spread the starts over N supervisors chosen by erlang:phash2(Key, N), and return from "
     "init quickly (handle_continue/2). To read its children, give it longer: --sup-timeout MS."},
};

static const advice_entry *find(const char *rule_id, int variant)
{
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++)
        if (entries[i].variant == variant && !strcmp(entries[i].rule, rule_id))
            return &entries[i];
    return NULL;
}

int advice_has(const char *rule_id, int variant)
{
    return find(rule_id, variant) != NULL;
}

int advice_at(int i, const char **rule_id, int *variant)
{
    if (i < 0 || (size_t)i >= sizeof entries / sizeof entries[0])
        return 0;
    *rule_id = entries[i].rule;
    *variant = entries[i].variant;
    return 1;
}

/* ⟨atom⟩ or ⟨atom2⟩ (name, len), with its optional defaults ⟨atom|EX|ERL⟩: the atom as a
 * literal of the language; none given, the default of the language (ERL omitted: EX) */
static void fill_atom(strbuf *sb, const char *name, int len, const char *atom, int elixir)
{
    /* an atom is at most 255 characters; the longest escape codegen writes for one is
     * \x{10FFFF}: the literal fits whole, never cut inside a character */
    char lit[4096];
    if (atom) {
        sb_printf(sb, "%s", elixir ? cg_ex_atom(atom, lit, sizeof lit) : cg_erl_atom(atom, lit, sizeof lit));
        return;
    }
    const char *ex = memchr(name, '|', (size_t)len), *end = name + len;
    if (!ex) {
        sb_printf(sb, "\xe2\x9f\xa8%.*s\xe2\x9f\xa9", len, name); /* no atom, no default: as written */
        return;
    }
    ex++;
    const char *erl = memchr(ex, '|', (size_t)(end - ex));
    if (!erl)
        sb_printf(sb, "%.*s", (int)(end - ex), ex);
    else if (elixir)
        sb_printf(sb, "%.*s", (int)(erl - ex), ex);
    else
        sb_printf(sb, "%.*s", (int)(end - erl - 1), erl + 1);
}

/* is the placeholder (name, len) `word`, alone or followed by '|'? */
static int is_placeholder(const char *name, int len, const char *word)
{
    int n = (int)strlen(word);
    return len >= n && !strncmp(name, word, (size_t)n) && (len == n || name[n] == '|');
}

/* append template t to sb, its placeholders filled */
static void fill(strbuf *sb, const char *t, const char *code, int elixir, const advice_args *a)
{
    static const char open[] = "\xe2\x9f\xa8", close[] = "\xe2\x9f\xa9"; /* ⟨ ⟩ */
    while (*t) {
        const char *p = strstr(t, open);
        const char *q = p ? strstr(p, close) : NULL;
        if (!q) {
            sb_printf(sb, "%s", t);
            return;
        }
        sb_printf(sb, "%.*s", (int)(p - t), t);
        const char *name = p + sizeof open - 1;
        int len = (int)(q - name);
        if (len == 4 && !strncmp(name, "code", 4) && code)
            fill(sb, code, NULL, elixir, a);
        else if (is_placeholder(name, len, "atom"))
            fill_atom(sb, name, len, a ? a->atom : NULL, elixir);
        else if (is_placeholder(name, len, "ex_atom"))
            fill_atom(sb, name, len, a ? a->atom : NULL, 1);
        else if (is_placeholder(name, len, "atom2"))
            fill_atom(sb, name, len, a ? a->atom2 : NULL, elixir);
        else if (len == 1 && *name >= '1' && *name <= '4' && a && a->arg[*name - '1'])
            sb_printf(sb, "%s", a->arg[*name - '1']);
        else if (len == 10 && !strncmp(name, "gen_server", 10))
            sb_printf(sb, "%s", elixir ? "GenServer" : "gen_server");
        else
            sb_printf(sb, "%.*s", (int)(q + sizeof close - 1 - p), p); /* unknown: as written */
        t = q + sizeof close - 1;
    }
}

const char *advice_text(findings *out, const snap *s, const char *rule_id, int variant, const advice_args *a)
{
    const advice_entry *e = find(rule_id, variant);
    if (!e)
        return "";
    int elixir = s && s->info.elixir_version != 0;
    const char *code = elixir || !e->erl ? e->ex : e->erl;
    strbuf sb;
    sb_init(&sb);
    fill(&sb, e->text ? e->text : code, e->text ? code : NULL, elixir, a);
    const char *r = findings_strdup(out, sb.buf);
    sb_free(&sb);
    return r;
}
