/* snap.h — the snapshot model: one node's process architecture at one moment (two samples).
 *
 * Ownership: a snap owns everything reachable from it: records, strings (interned in
 * snap->strs), arrays. Free the snap with snap_free, never its parts. Records are compact
 * (no erlang_pid, whose node buffer alone is 1 KB): a pid is 16 bytes with an interned
 * node id.
 *
 * A snapshot is built by feeding it the canonical messages (see the header of
 * probes/otp_advisor_probe.erl, and snap_ingest.c) in any order, then calling
 * snap_finish, which indexes pids, links the supervision tree and classifies every
 * process. The same messages are what the probe streams, what the --no-load path
 * produces, and what a saved file contains. */
#ifndef OA_SNAP_H
#define OA_SNAP_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "util.h"

/* 2: one entry a node (a cluster); 1 (one node's messages) is still read */
#define SNAP_FORMAT_VERSION 2
#define SNAP_FORMAT_SERIES 3 /* format 2 with a watch's series (watch --save) */
#define SNAP_NONE UINT32_MAX

enum pid_kind { PK_NONE = 0, PK_PID = 1, PK_ATOM = 2, PK_PORT = 3 };

typedef struct {
    uint32_t num, serial, creation;
    uint16_t node; /* index into snap->nodes */
    uint16_t kind; /* enum pid_kind; PK_ATOM: num is an oa_str (a registered name) */
} oa_pid;

static inline int oa_pid_eq(oa_pid a, oa_pid b)
{
    return a.kind == b.kind && a.num == b.num && a.serial == b.serial && a.node == b.node && a.creation == b.creation;
}

enum proc_status { ST_UNKNOWN, ST_WAITING, ST_RUNNING, ST_RUNNABLE, ST_GARBAGE, ST_SUSPENDED, ST_EXITING };

enum proc_class {
    PC_UNKNOWN = 0,
    PC_SUPERVISED,       /* reachable from an application's top supervisor */
    PC_APP_INFRA,        /* application master and its start_it process */
    PC_RUNTIME,          /* kernel, stdlib, elixir, logger, the shell, init's processes */
    PC_ADVISOR,          /* this tool's own processes on the target */
    PC_LINKED_HELPER,    /* unsupervised, linked to a supervised process */
    PC_SPAWNED_UNLINKED, /* unsupervised, an ancestor is supervised, no link */
    PC_APP_ORPHAN,       /* unsupervised, group leader is an application's master */
    PC_FOREIGN_ORPHAN,   /* unsupervised, from a script, shell or RPC */
    PC__COUNT
};
const char *proc_class_name(enum proc_class c);
static inline int proc_class_unsupervised(int c)
{
    return c >= PC_LINKED_HELPER && c <= PC_FOREIGN_ORPHAN;
}

enum proc_flags {
    PF_TRAP_EXIT = 1,
    PF_SAMPLE2 = 2,       /* present in the second sample */
    PF_MEM_SKIPPED = 4,   /* queue over the threshold: memory not read */
    PF_REGISTRY_PART = 8, /* an Elixir Registry partition (links are registrations) */
    PF_PROBABLE = 16      /* linked child of a declared supervisor that was not asked */
};

typedef struct {
    oa_pid pid;
    oa_str name;              /* locally registered atom, raw Erlang text */
    oa_str alt_name;          /* {:global, N} / {:via, Registry, {R, K}} as text */
    oa_str initial_call;      /* "m:f/a" */
    oa_str dict_initial_call; /* '$initial_call' */
    oa_str current_function;
    uint32_t refs; /* index into snap->refs: gl, ancestors, links, monitors, callers */
    uint32_t n_anc, n_links, n_mons, n_callers;
    uint32_t mq, mq2;
    uint32_t monby, monby2; /* monitored_by counts */
    uint64_t reds, reds2;
    uint64_t mem, mem2, heap;             /* bytes */
    uint32_t app;                         /* index into snap->apps or SNAP_NONE */
    uint32_t sup;                         /* supervisor it is a child of, or SNAP_NONE */
    uint32_t own_sup;                     /* if it is a supervisor: index into snap->sups, else SNAP_NONE */
    uint32_t child;                       /* its row in snap->children, or SNAP_NONE */
    uint8_t status, cls, flags, name_src; /* name_src: enum name_src */
} snap_proc;

/* where a process's '$initial_call' (its code, hence its name) came from: its dictionary; the
 * gen_server callback on its stack (a busy process whose dictionary was not copied); its
 * supervisor's child spec; the code its siblings under the same supervisor run */
enum name_src { NS_NONE, NS_DICT, NS_STACK, NS_CHILD_SPEC, NS_SIBLINGS, NS__COUNT };
const char *name_src_text(int ns);

static inline const oa_pid *snap_proc_gl(const oa_pid *refs, const snap_proc *p)
{
    return &refs[p->refs];
}

enum sup_kind {
    SK_SUPERVISOR,
    SK_BRIDGE,
    SK_DYNAMIC,
    SK_TASK,
    SK_PARTITION,
    SK_REGISTRY,
    SK_DECLARED, /* declared `supervisor` by its parent, but not a known supervisor: never asked */
    SK_FORK,     /* a gen_server fork of supervisor with its protocol (rabbit_common's supervisor2) */
    SK_SPECIAL,  /* a special process on the curated list that answers which_children (ranch, cowboy) */
    SK__COUNT
};
const char *sup_kind_name(int k);
const char *sup_kind_atom(int k); /* the probe's spelling: supervisor, bridge, dynamic, … */
int sup_kind_of_atom(const char *a, size_t n);

/* SS_BUSY: not waiting in its receive loop (blocked in a start, suspended): nothing sent.
 * SS_NOT_ASKED: a declared supervisor whose code is not known to be one: nothing sent.
 * SS_SLOW: seen serving its queue (starting children back to back, work done between
 * looks), asked, and no answer within the deadline: up, but behind its queue. */
enum sup_status { SS_OK, SS_TIMEOUT, SS_ERROR, SS_BUSY, SS_NOT_ASKED, SS_SLOW, SS__COUNT };
const char *sup_status_atom(int st);
int sup_status_of_atom(const char *a, size_t n);
enum child_state { CS_PID, CS_UNDEFINED, CS_RESTARTING };
enum restart_type { RT_UNKNOWN, RT_PERMANENT, RT_TRANSIENT, RT_TEMPORARY };

typedef struct {
    oa_str id; /* child id as text */
    oa_pid pid;
    oa_str modules;                      /* comma-separated, or "dynamic" */
    oa_str start_m, start_f, start_args; /* its start {M, F, Args} from the spec, Args as source
                                            text in the node's language; 0 when not plain data */
    uint8_t state, type /* 0 worker, 1 supervisor */, restart, pad;
    uint32_t proc; /* index into snap->procs, SNAP_NONE if not local or absent */
} snap_child;

typedef struct {
    oa_pid pid;
    oa_str name;
    oa_str strategy;
    oa_str error;
    oa_str callback; /* callback module from the state, when known */
    int32_t intensity, period;
    uint32_t restarts, n_restarts; /* index into snap->ints: seconds ago, newest first */
    uint32_t children, n_children; /* index into snap->children */
    uint32_t proc;                 /* index into procs */
    uint32_t parent;               /* index into sups, SNAP_NONE for a top */
    uint32_t app;
    uint8_t kind, status, pad[2];
} snap_sup;

typedef struct {
    oa_str name, desc, vsn, mod;
    oa_str needs;   /* the applications it declares (applications, included_applications), spaced */
    oa_str lib_dir; /* code:lib_dir/1 as the node answered it; 0 when not asked or not known */
    oa_pid master, top;
    uint32_t top_sup; /* index into sups or SNAP_NONE */
    uint8_t runtime;  /* kernel, stdlib, elixir, logger, … */
} snap_app;

typedef struct {
    oa_str id, name, type, protection;
    oa_pid owner, heir;
    uint64_t size, mem;
    uint8_t read_conc, write_conc, named, pad;
    uint32_t owner_proc;
} snap_ets;

typedef struct {
    oa_str name, kind;
    oa_pid sup;
    uint32_t partitions;
    uint64_t key_count;
    uint32_t keys, n_keys; /* index into snap->reg_keys (a sample, or all up to a cap) */
} snap_registry;

typedef struct {
    oa_str key;
    oa_pid pid;
} snap_name;

typedef struct {
    oa_str scope;
    uint32_t groups, members;
} snap_pg;

/* one pg group: its members on this node and in all, as this node's scope sees them */
typedef struct {
    oa_str scope, group;
    uint32_t local, total;
} snap_pg_group;

/* a distribution link to another node, looked at through the window (the probe's DistLook):
 * how many looks saw bytes waiting in the link's driver queue (the socket did not take them)
 * and the most waiting, and the bytes sent over span_us; a controller that is a process
 * (TLS) gives its queue length in messages instead, and no bytes */
enum dist_kind { DK_PORT = 0, DK_PROCESS = 1 };
typedef struct {
    oa_str node;
    uint32_t kind, looks, looks_pending;
    uint64_t max_pending, bytes_sent;
    int64_t span_us;
} snap_dist;

/* which start_link/0..3 a module the processes run exports (bit N: start_link/N), its
 * source file as its compile info gives it (module_info(compile)'s `source`; 0 if none), and
 * the MD5 of its loaded code */
typedef struct {
    oa_str module;
    uint32_t arities;
    oa_str source;
    oa_str md5; /* the loaded code's MD5 in hex; 0 in snapshots taken before it was recorded */
} snap_exports;

typedef struct {
    oa_str key;
    int64_t value;
} snap_kv;

typedef struct {
    oa_str node, otp_release, erts_version, elixir_version;
    int64_t schedulers, process_count, process_limit, atom_count, atom_limit, port_count, port_limit, ets_count,
        ets_limit, uptime_ms, collected_at_ms;
    int64_t wordsize;
    int64_t window_ms;                    /* asked for */
    int64_t sample_gap_us;                /* measured between the starts of the two process walks */
    int64_t walk1_us, walk2_us, total_us; /* in-node, as the collector measured */
    int64_t e2e_us;                       /* attach to last message, as the C node measured */
    int64_t reds_total_delta;             /* node-wide reductions during the window */
    int64_t dict_skipped;                 /* proc_lib processes whose dictionary was not read (heap too big) */
    oa_str method;                        /* "probe" or "no-load" */
    oa_str tool_version;
    vec memory;  /* snap_kv */
    vec advisor; /* oa_pid: this tool's own processes on the target */
    int64_t sup_timeout_ms;
    int64_t mq_threshold;
    int64_t dist_busy_limit; /* dist_buf_busy_limit, bytes; 0 when not recorded */
    int has_dist;            /* the links were looked at (snapshots before that: not) */
    int64_t extra_walk_reds; /* watch: what our light samples between the two cost each process */
} snap_node;

/* A watch's time series (watch.c fills it, rule_watch.c reads it): per process, the latest
 * samples in a ring, oldest first, and counters over the whole watch. Times are since the
 * watch began, in tenths of a second. NULL in a snapshot that is not a watch. */
#define SERIES_RING 16
typedef struct {
    uint32_t n;                 /* samples in the ring (at most SERIES_RING) */
    uint32_t t_ds[SERIES_RING]; /* when */
    uint32_t mq[SERIES_RING];   /* queue length */
    uint32_t reds[SERIES_RING]; /* reductions since the previous sample, ours taken off */
    uint32_t total;             /* samples over the whole watch */
    uint32_t first_t, last_t;   /* first and last seen */
    uint32_t mq_ge10, mq_ge100; /* samples with a queue of at least 10, 100 */
    uint32_t active;            /* samples with reductions of its own */
    uint32_t mq_max;
    uint32_t run_t, run_mq, run_peak; /* the current run of a queue that has not drained */
} snap_pseries;

typedef struct {
    uint32_t sup;  /* index into sups of the snapshot the series is attached to */
    uint32_t t_ds; /* when it was seen (within one refresh of when it happened) */
} snap_restart;

typedef struct {
    snap_pseries **proc; /* per process index, NULL when it has no series */
    uint32_t n_procs;
    uint32_t samples;             /* light samples so far */
    uint32_t span_ds;             /* from the first to the latest */
    const snap_restart *restarts; /* every restart seen during the watch, oldest first */
    uint32_t n_restarts;
} snap_series;

typedef struct snap {
    strtab strs;
    oa_str *nodes; /* node names, indexed by oa_pid.node */
    uint32_t n_nodes, cap_nodes;
    snap_node info;
    vec procs;    /* snap_proc */
    vec refs;     /* oa_pid */
    vec sups;     /* snap_sup */
    vec children; /* snap_child */
    vec ints;     /* int64_t */
    vec apps;     /* snap_app */
    vec ets;      /* snap_ets */
    vec regs;     /* snap_registry */
    vec reg_keys; /* snap_name */
    vec globals;  /* snap_name */
    vec pgs;      /* snap_pg */
    vec exports;  /* snap_exports; empty in snapshots taken before they were recorded */
    /* snap_pg_group: each group's members here and in all; snap_dist: the links to other
     * nodes (info.has_dist) */
    vec pg_groups, dist;
    /* pid -> proc index, built by snap_finish */
    uint32_t *pidx;
    uint32_t pidx_mask;
    uint32_t pidx_n; /* procs.len when the index was built */
    int finished;
    int judge_otp; /* library applications of OTP and Elixir are classified as the user's */
    int has_sample2;
    uint32_t cur_sup; /* ingest state: the supervisor whose children are arriving */
    uint32_t cur_reg;
    uint32_t local_node;       /* index of the target's node name */
    const snap_series *series; /* a watch's time series, borrowed; NULL otherwise */
    snap_series *own_series;   /* a series read from a file (snap_ingest), owned: series points here */
} snap;

snap *snap_new(void);
void snap_free(snap *s);

/* Ingest one canonical message (a term, without version byte, at r). */
int snap_ingest(snap *s, const void *term, size_t len, char *err);
/* Index, link, classify. Idempotent. */
int snap_finish(snap *s, char *err);

void snap_index_pids(snap *s);
int snap_app_is_runtime(const char *app);
/* is the module of "m:f/a" the runtime's (src/runtime.c)? initial: the initial call or
 * '$initial_call' (prefixes count too), not the current function */
int snap_runtime_module(const char *mfa, int initial);
/* the core of the runtime (kernel, stdlib, elixir, …): never judged, even with --judge-otp */
int snap_app_is_core(const char *app);
extern const char *const snap_runtime_apps[], *const snap_runtime_modules[], *const snap_runtime_prefixes[];

/* Where a supervisor's tree hangs: it has a parent, it is an application's top, or it is the
 * root of a tree started outside every application (a script, iex, a test, a library). */
enum sup_root { SR_CHILD, SR_APP, SR_ORPHAN };
enum sup_root snap_sup_root(const snap *s, uint32_t sup);
const char *sup_root_name(enum sup_root r); /* "", "app", "orphan" */

/* The two samples lay much further apart than asked (a busy node): 1.5 times and 0.5 s more. */
static inline int snap_window_stretched(const snap *s)
{
    return s->has_sample2 && s->info.window_ms > 0 && s->info.sample_gap_us > s->info.window_ms * 1500 &&
           s->info.sample_gap_us > s->info.window_ms * 1000 + 500000;
}

/* ---- Facts, derived from the fields (snap_facts.c) ----------------------------------- */

/* the latest sample of a process: the second when it has one */
static inline uint32_t snap_mq_now(const snap_proc *p)
{
    return (p->flags & PF_SAMPLE2) ? p->mq2 : p->mq;
}
static inline uint32_t snap_monby_now(const snap_proc *p)
{
    return (p->flags & PF_SAMPLE2) ? p->monby2 : p->monby;
}
static inline uint64_t snap_reds_now(const snap_proc *p)
{
    return (p->flags & PF_SAMPLE2) ? p->reds2 : p->reds;
}
static inline uint64_t snap_mem_now(const snap_proc *p)
{
    return (p->flags & PF_SAMPLE2) ? p->mem2 : p->mem;
}
/* over the whole window: the larger of the two samples, so one instant between two bursts
 * does not decide */
static inline uint32_t snap_mq_max(const snap_proc *p)
{
    return (p->flags & PF_SAMPLE2) && p->mq2 > p->mq ? p->mq2 : p->mq;
}
static inline uint32_t snap_monby_max(const snap_proc *p)
{
    return (p->flags & PF_SAMPLE2) && p->monby2 > p->monby ? p->monby2 : p->monby;
}
/* reductions per second between the samples, -1 when there is no second sample */
double snap_reds_rate(const snap *s, const snap_proc *p);
double snap_node_reds_rate(const snap *s); /* sum over processes, -1 without a window */
/* the start_link arities module (a raw atom) exports, bit N for start_link/N; -1 unknown */
int snap_start_link_arities(const snap *s, const char *module);

int snap_sup_is_sofo(const snap *s, const snap_sup *sp); /* simple_one_for_one */
/* children started at run time: DynamicSupervisor, Task.Supervisor, simple_one_for_one */
int snap_sup_on_demand(const snap *s, const snap_sup *sp);
/* children many of one kind: on demand, or a PartitionSupervisor's partitions */
int snap_sup_has_siblings(const snap *s, const snap_sup *sp);

int proc_is_gen_server(const snap *s, const snap_proc *p);
int proc_is_singleton(const snap *s, const snap_proc *p); /* named, not one of many dynamic siblings */
/* a singleton by position: named and not one of many siblings, or unnamed and neither a
 * dynamic child nor one of a pool (siblings running the same code) */
int proc_is_lone(const snap *s, const snap_proc *p);
/* a static child with a sibling running the same code under the same supervisor */
int proc_in_pool(const snap *s, const snap_proc *p);
/* per process: how many processes wait in a call (gen:do_call) while monitoring it, from
 * the first sample's monitors; caller frees */
uint32_t *procs_callers_in_call(const snap *s);
int proc_is_agent(const snap *s, const snap_proc *p);
int proc_is_task(const snap *s, const snap_proc *p);
int proc_owns_ets(const snap *s, uint32_t proc);
/* Is the code a process runs a library's rather than the user's own? Its module's source
 * lies in a dependencies folder (deps/), or its application's code is installed system-wide
 * outside the runtime's root (/usr/lib/yaws-2.1.1), or it is OTP's or Elixir's (judged only
 * under --judge-otp), or another running application declares
 * it needed (an umbrella's inner app, whose source lies under apps/, is the user's). why gets
 * a phrase for people ("a dependency of corpus_ra"). */
int proc_is_library(const snap *s, const snap_proc *p, char *why, size_t n);
const char *proc_child_modules(const snap *s, const snap_proc *p); /* from the parent's row */
/* the module a process runs (raw atom text); 0 and "" when it cannot be seen (a fun
 * started with a plain spawn: its initial call is erlang:apply/2) */
int proc_module_raw(const snap *s, const snap_proc *p, char *buf, size_t n);
/* the same for people: "Foo.Bar", "gen_server", or "a spawned fun" */
int proc_module_name(const snap *s, const snap_proc *p, char *buf, size_t n);
int proc_runs_fun(const snap *s, const snap_proc *p);          /* started from an anonymous function */
const char *proc_kind_name(const snap *s, const snap_proc *p); /* GenServer, Agent, Task, gen_statem… */

/* What our own collection costs a process, who started it, and who else runs its code.
 *
 * snap_walk_cost: the reductions our two process walks cost p inside the window (a
 * process_info of another process is a signal that process handles). Measured on OTP 25
 * (the clean fixture, 3,125 idle processes, both collectors): 1 for every process (the
 * second walk), 1 more for a proc_lib process (the first walk reads its dictionary, or its
 * stack, after its reductions). 0 for a snapshot our collector did not take.
 * snap_reds_delta: the reductions p did in the window, that cost taken off, never below 0
 * (snap_reds_rate divides it by the window). */
uint64_t snap_walk_cost(const snap *s, const snap_proc *p);
uint64_t snap_reds_delta(const snap *s, const snap_proc *p);
/* per process, the process that started it: its supervisor's process when it has one, else
 * its first '$ancestors' entry (a pid or a registered name) when that process is in the
 * snapshot; SNAP_NONE when unknown (a plain spawn has no '$ancestors'). Caller frees. */
uint32_t *procs_parent(const snap *s);
/* per process, the size of its pool: how many processes (itself included) run the same code
 * (its '$initial_call', else its initial call) started by the same parent (its supervisor,
 * else its first '$ancestors' entry), named or not; 1 alone or when the code cannot be seen.
 * A pool's member is never a singleton. O(n log n); caller frees. */
uint32_t *procs_pool_size(const snap *s);
/* per process, how many processes monitoring it wait in their own receive loop (gen_server,
 * gen_statem, gen_event, hibernating) in the first sample: an owner watching its workers, not
 * a caller waiting for a reply. Callers waiting = monitored_by minus these. Caller frees. */
uint32_t *procs_idle_watchers(const snap *s);
/* the process running the code of an Elixir script (`elixir FILE`, `elixir -e`, `mix run
 * -e`, `mix run FILE`): the one Elixir's CLI (Kernel.CLI, a runtime process) monitors while
 * it waits for the script to end; SNAP_NONE when none is running */
uint32_t snap_script_runner(const snap *s);

/* Lookup */
uint32_t snap_find_pid(const snap *s, oa_pid pid);
uint32_t snap_find_name(const snap *s, const char *name);         /* registered, global or via */
int snap_parse_pid(const snap *s, const char *text, oa_pid *out); /* "<0.123.0>" on the local node */
/* A process by pid text (<0.1.0>), registered/global/via name or Elixir spelling (:name). */
uint32_t snap_resolve_proc(const snap *s, const char *what);
/* What a user names as a target: an application (its top supervisor), a supervisor (by
 * pid or name), or another process (proc). Returns 0 with one of *sup, *proc set (the
 * other SNAP_NONE), or -1 with err: an unknown name, a library application. */
int snap_resolve_target(const snap *s, const char *what, uint32_t *sup, uint32_t *proc, char *err);
oa_pid snap_make_pid(snap *s, const char *node, size_t node_len, uint32_t num, uint32_t serial, uint32_t creation);
uint16_t snap_node_id(snap *s, const char *node, size_t len);

static inline snap_proc *snap_proc_at(const snap *s, uint32_t i)
{
    return &VEC_AT(&s->procs, snap_proc, i);
}
static inline snap_sup *snap_sup_at(const snap *s, uint32_t i)
{
    return &VEC_AT(&s->sups, snap_sup, i);
}
static inline const char *snap_str(const snap *s, oa_str id)
{
    return strtab_get(&s->strs, id);
}
oa_str snap_intern(snap *s, const char *text);
/* the source file of a module the processes run, or NULL when it was not recorded */
const char *snap_module_source(const snap *s, const char *module);

/* Text forms. pid_text: "<0.123.0>" (local) or "<node.123.0>"; display_name: the Elixir
 * spelling of an atom ('Elixir.Zoo.Cache' -> Zoo.Cache). */
void snap_pid_text(const snap *s, oa_pid pid, char *buf, size_t n);
void snap_display_atom(const char *raw, char *buf, size_t n);
/* best name of a process: registered, global/via, else its pid */
void snap_proc_label(const snap *s, const snap_proc *p, char *buf, size_t n);
/* path from the application: "zoo › Zoo.Supervisor › Zoo.Cache" */
void snap_proc_path(const snap *s, const snap_proc *p, strbuf *out);

/* Save/load the Erlang external term format. Version 2 (written): {otp_advisor_snapshot, 2,
 * [{node_snapshot, Node, ok, [Msg]} | {node_snapshot, Node, {error, Why}, []}]}, one entry a
 * node, the first the one attached to; version 1 (read): {otp_advisor_snapshot, 1, [Msg]}.
 * snap_load and snap_load_buf give the first node; snap_load_nodes every one. */
typedef struct {
    const char *node;  /* its name */
    const snap *s;     /* NULL: it could not be collected */
    const char *error; /* why not (s NULL) */
} snap_entry;
int snap_save_nodes(const snap_entry *e, size_t n, const char *path, char *err);
int snap_save(const snap *s, const char *path, char *err);
snap *snap_load(const char *path, char *err);
snap *snap_load_buf(const void *buf, size_t len, char *err);
/* every node of a file: an array the caller frees with snap_loaded_free (snaps, names) */
typedef struct {
    char *node;
    snap *s;     /* NULL when it was not collected */
    char *error; /* then why */
} snap_loaded;
int snap_load_nodes(const char *path, snap_loaded **out, size_t *n, char *err);
int snap_load_nodes_buf(const void *buf, size_t len, snap_loaded **out, size_t *n, char *err);
void snap_loaded_free(snap_loaded *l, size_t n);

#endif
