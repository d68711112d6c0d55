/* mcp.h — `otp-advisor mcp`: a Model Context Protocol server on stdio, for coding agents.
 *
 * The transport and the protocol live in mcp.c: JSON-RPC 2.0, one message a line (parsed
 * with jansson, written with json.h), revisions 2025-11-25 (initialize; 2025-06-18 and
 * 2025-03-26 accepted) and 2026-07-28 (server/discover, a `_meta` envelope on each request),
 * progress and cancellation. The tools live in mcp_tools.c: one table (name, description,
 * arguments, output schema, handler) from which tools/list, the argument checks and the
 * calls all come, over one session that keeps its connection and its snapshot, like the
 * shell's. Every tool is read-only towards the target; each answer is bounded (pages with
 * limit/offset, subtrees), never megabytes.
 *
 * Ownership: a session owns its connection, snapshot and findings; mcp_session_free
 * releases them (and removes the probe, should one be left). A result owns its buffers
 * (mcp_result_free). Arguments (jansson values) are borrowed for the call. */
#ifndef OA_MCP_H
#define OA_MCP_H

#include <jansson.h>
#include <signal.h>

#include "cluster.h"
#include "collect.h"
#include "conn.h"
#include "findings.h"
#include "json.h"
#include "opts.h"
#include "snap.h"
#include "thresholds.h"
#include "util.h"

int mcp_main(oa_opts *o, volatile sig_atomic_t *interrupted);

/* ---- the session (mcp_tools.c), as the transport sees it ----------------------------- */

typedef struct mcp_session mcp_session;
struct mcp_session {
    oa_opts *opts;
    volatile sig_atomic_t *interrupted; /* a signal came: stop, then leave */
    volatile sig_atomic_t cancel;       /* the running call was cancelled (or a signal came) */
    conn c;
    int connected;
    char node[2 * MAXNODELEN + 2]; /* what to attach to: NODE, or connect's node */
    char source[4096];             /* the node's name or the file the snapshot came from */
    collect_state cst;
    snap *s;
    findings f;
    int have_findings;
    rule_opts ro;
    int64_t trees_from; /* progress: messages received before the trees began */
    /* the transport's hooks, while a call talks to the node: read what came on stdin
     * meanwhile (a cancellation sets cancel; a ping is answered), and tell the client how
     * far it is (only when it sent a progress token) */
    void (*pump)(void *transport);
    void (*progress)(void *transport, double done, double total, const char *message);
    void *transport;
    /* --cluster (or a file of several nodes): every node's snapshot; the current node's
     * snapshot and findings are moved into s and f (a tool's `node` argument makes another
     * node current for that call) */
    cluster cl;
    int clustered;
    int cur;
};

void mcp_session_init(mcp_session *ss, oa_opts *o, volatile sig_atomic_t *interrupted);
/* the thresholds of --set: 0, or -1 with err (an unknown name or a bad value) */
int mcp_session_set_rules(mcp_session *ss, char *err);
void mcp_session_free(mcp_session *ss);
/* hold s (taken over) as the session's snapshot, read from source (a node or a file) */
void mcp_session_set_snapshot(mcp_session *ss, snap *s, const char *source);
/* read a snapshot file: one node, or every node of a cluster file (the first current) */
int mcp_session_load(mcp_session *ss, const char *path, char *err);
/* the connection's fd when one is open (the transport polls it to answer ticks), else -1 */
int mcp_session_conn_fd(const mcp_session *ss);
/* the connection had activity between calls: answer ticks, notice a lost node */
void mcp_session_conn_poll(mcp_session *ss);

/* ---- the tools (mcp_tools.c) --------------------------------------------------------- */

enum mcp_arg_type { MA_STRING, MA_INTEGER, MA_NUMBER, MA_BOOLEAN };

typedef struct {
    const char *name; /* NULL ends the list */
    enum mcp_arg_type type;
    int required;
    double min, max;            /* numbers: the range (both 0: any) */
    const char *const *choices; /* strings: one of these (NULL: any) */
    const char *help;
} mcp_arg;

/* what a call returns: a short text an agent reads as is, and the same as data (a JSON
 * object matching the tool's output schema); an error is one line, as the CLI says it */
typedef struct {
    strbuf text;
    strbuf data;   /* empty: no structuredContent */
    int is_error;  /* a tool execution error: text is its message */
    int cancelled; /* cancelled by the client: no answer is sent */
} mcp_result;

void mcp_result_init(mcp_result *r);
void mcp_result_free(mcp_result *r);

/* hints for the client (tools/list annotations) */
enum { MH_READ_ONLY = 1, MH_IDEMPOTENT = 2, MH_OPEN_WORLD = 4, MH_DESTRUCTIVE = 8 };

typedef struct {
    const char *name, *title;
    const char *description; /* what it does and when to call it */
    mcp_arg args[7];
    const char *output_schema; /* JSON text of its outputSchema */
    unsigned hints;
    int needs; /* 1: a snapshot (taken first when the server was started with a node) */
    int (*run)(mcp_session *ss, json_t *args, mcp_result *r, char *err);
} mcp_tool;

extern const mcp_tool mcp_tools[];
extern const int mcp_n_tools;
const mcp_tool *mcp_tool_find(const char *name);
/* Check arguments against the tool's table: 0, or -1 with err ("target must be a string").
 * A string holding the cookie is refused here too: never used, never echoed. */
int mcp_tool_check_args(mcp_session *ss, const mcp_tool *t, json_t *args, char *err);
/* Run a checked call: r filled (r->is_error for a tool error, r->cancelled when cancelled) */
void mcp_tool_call(mcp_session *ss, const mcp_tool *t, json_t *args, mcp_result *r);
/* the tool's entry in tools/list, written with j (inputSchema from its arguments) */
void mcp_tool_describe(const mcp_tool *t, json_w *j);

#endif
