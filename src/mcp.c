/* mcp.c — the MCP server's transport and protocol (see mcp.h).
 *
 * One message a line on stdin, one a line on stdout; nothing else ever reaches stdout (the
 * protocol gets its own descriptor, and fd 1 is pointed at stderr, so a stray print from
 * any library cannot corrupt the stream). Lines are read with poll() into a buffer capped
 * at MCP_MAX_LINE: a longer one is skipped to its end, never kept, and refused. Each line
 * is parsed with jansson (which rejects invalid UTF-8); the answers are written with json.h.
 *
 * Two revisions are served side by side, as the 2026-07-28 specification's dual-era rules
 * say: a request carrying `_meta["io.modelcontextprotocol/protocolVersion"]` is served
 * statelessly under 2026-07-28 (every result with resultType and the serverInfo envelope,
 * tools/list and server/discover with ttlMs and cacheScope, ping gone); without it, the
 * session is the one `initialize` opened (2025-11-25, or the 2025-06-18 and 2025-03-26 a
 * client asks for). A 2.x client spawns a throw-away copy of the server for its
 * server/discover probe and closes it at once: nothing here attaches to a node before a
 * tool needs it, so that copy never touches the target.
 *
 * A call runs to its end before the next message is handled, except what must not wait:
 * while a call talks to the node (a collection), the hooks read stdin, stop the call on
 * its notifications/cancelled (the probe is removed, and no answer is sent), answer a
 * ping, and keep every other message for afterwards. */
#define _POSIX_C_SOURCE 200809L
#include "mcp.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "version.h"

#define MCP_MAX_LINE (4u << 20) /* bytes: a longer message is refused, never kept whole */
#define MODERN "2026-07-28"

/* the legacy revisions a client may ask for in initialize, the latest first */
static const char *const legacy_versions[] = {"2025-11-25", "2025-06-18", "2025-03-26", NULL};

enum {
    E_PARSE = -32700,
    E_INVALID_REQUEST = -32600,
    E_METHOD = -32601,
    E_PARAMS = -32602,
    E_UNSUPPORTED_VERSION = -32022, /* 2026-07-28 */
};

static const char *const instructions =
    "otp-advisor reads the process architecture of a running Erlang/Elixir node (supervision "
    "trees, every process, Registries, ETS tables) and holds it against the OTP decision "
    "framework: what is wrong, and which OTP pattern fixes it. It only reads: nothing on the node "
    "changes. Start with summary, then findings (each names its subject, its evidence, the fix "
    "and the source file of the code); context answers \"does this need a process?\" for a "
    "module, application, name or pid with the numbers behind it; report writes the OTP "
    "Analysis. connect and snapshot take a new snapshot; every other tool reads the one the "
    "session holds. Long lists are paged (limit, offset) or narrowed (a subtree, a rule).";

/* a line read: parsed, or why not */
enum line_kind { L_MSG, L_PARSE_ERROR, L_OVERSIZED };
typedef struct {
    enum line_kind kind;
    json_t *msg;   /* L_MSG: owned */
    char why[160]; /* L_PARSE_ERROR */
} line_ev;

typedef struct {
    mcp_session ss;
    int in_fd, out_fd;
    char *buf; /* the line being read */
    size_t len, cap;
    int skipping; /* a line over the limit: dropped up to its newline */
    int eof, out_dead;
    vec queue; /* line_ev: read while a call ran, handled after it */
    size_t qhead;
    int initialized; /* a legacy initialize was answered */
    /* the call that runs */
    json_t *running_id;     /* borrowed from its request */
    json_t *progress_token; /* borrowed; NULL: none sent */
    double last_progress;
    int64_t last_progress_us;
} server;

/* ---- output -------------------------------------------------------------------------- */

static void send_line(server *sv, strbuf *sb)
{
    sb_putc(sb, '\n');
    size_t off = 0;
    while (off < sb->len && !sv->out_dead) {
        ssize_t n = write(sv->out_fd, sb->buf + off, sb->len - off);
        if (n > 0)
            off += (size_t)n;
        else if (n < 0 && errno != EINTR && errno != EAGAIN) {
            sv->out_dead = 1; /* the client is gone: leave */
            fprintf(stderr, "otp-advisor mcp: cannot write to the client: %s\n", strerror(errno));
        }
    }
}

static void put_id(json_w *j, json_t *id)
{
    if (json_is_string(id))
        json_str(j, json_string_value(id));
    else if (json_is_integer(id))
        json_int(j, (int64_t)json_integer_value(id));
    else
        json_raw(j, "null");
}

static void server_info(json_w *j)
{
    json_obj(j);
    json_kstr(j, "name", "otp-advisor");
    json_kstr(j, "title", "otp-advisor: OTP architecture advisor");
    json_kstr(j, "version", OA_VERSION);
    json_obj_end(j);
}

static void send_error(server *sv, json_t *id, int code, const char *message, json_t *requested)
{
    strbuf sb;
    sb_init(&sb);
    json_w j;
    json_init(&j, &sb, 0);
    json_obj(&j);
    json_kstr(&j, "jsonrpc", "2.0");
    json_key(&j, "id");
    put_id(&j, id);
    json_key(&j, "error");
    json_obj(&j);
    json_kint(&j, "code", code);
    json_kstr(&j, "message", message);
    if (code == E_UNSUPPORTED_VERSION) {
        json_key(&j, "data");
        json_obj(&j);
        json_key(&j, "supported");
        json_arr(&j);
        json_str(&j, MODERN);
        for (int i = 0; legacy_versions[i]; i++)
            json_str(&j, legacy_versions[i]);
        json_arr_end(&j);
        if (json_is_string(requested))
            json_kstr(&j, "requested", json_string_value(requested));
        json_obj_end(&j);
    }
    json_obj_end(&j);
    json_obj_end(&j);
    send_line(sv, &sb);
    sb_free(&sb);
}

static void result_open(json_w *j, strbuf *sb, json_t *id, int modern)
{
    json_init(j, sb, 0);
    json_obj(j);
    json_kstr(j, "jsonrpc", "2.0");
    json_key(j, "id");
    put_id(j, id);
    json_key(j, "result");
    json_obj(j);
    if (modern) /* 2026-07-28: every result says it is complete */
        json_kstr(j, "resultType", "complete");
}

static void result_close(server *sv, json_w *j, strbuf *sb, int modern)
{
    if (modern) {
        json_key(j, "_meta");
        json_obj(j);
        json_key(j, "io.modelcontextprotocol/serverInfo");
        server_info(j);
        json_obj_end(j);
    }
    json_obj_end(j);
    json_obj_end(j);
    send_line(sv, sb);
}

/* ---- input --------------------------------------------------------------------------- */

static void push_ev(server *sv, line_ev ev)
{
    *(line_ev *)vec_push(&sv->queue) = ev;
}

/* a complete line: parsed now (jansson: a document of any type, strict UTF-8, no NUL in
 * strings), so a cancellation can be acted on while a call runs */
static void take_line(server *sv, const char *line, size_t n)
{
    while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
        n--;
    size_t k = 0;
    while (k < n && (line[k] == ' ' || line[k] == '\t'))
        k++;
    if (k == n)
        return; /* a blank line is no message */
    json_error_t e;
    line_ev ev = {.kind = L_MSG};
    ev.msg = json_loadb(line, n, JSON_DECODE_ANY, &e);
    if (!ev.msg) {
        /* never the input itself in the answer: it may hold anything (a secret, bytes that
         * are not UTF-8) */
        ev.kind = L_PARSE_ERROR;
        const char *what = json_error_code(&e) == json_error_invalid_utf8             ? "invalid UTF-8"
                           : json_error_code(&e) == json_error_premature_end_of_input ? "unexpected end of the message"
                           : json_error_code(&e) == json_error_null_character         ? "a NUL character"
                           : json_error_code(&e) == json_error_numeric_overflow       ? "a number out of range"
                                                                                      : "not valid JSON";
        snprintf(ev.why, sizeof ev.why, "Parse error: %s at byte %d", what, e.position);
    }
    push_ev(sv, ev);
}

/* Read what stdin has (waiting up to wait_ms for something): complete lines are queued. */
static void read_input(server *sv, int wait_ms)
{
    if (sv->eof)
        return;
    struct pollfd p = {sv->in_fd, POLLIN, 0};
    int r = poll(&p, 1, wait_ms);
    if (r <= 0)
        return;
    char chunk[65536];
    ssize_t got = read(sv->in_fd, chunk, sizeof chunk);
    if (got < 0) {
        if (errno == EINTR || errno == EAGAIN)
            return;
        got = 0;
    }
    if (got == 0) { /* the client closed stdin: a last line without its newline still counts */
        if (sv->len && !sv->skipping)
            take_line(sv, sv->buf, sv->len);
        sv->len = 0;
        sv->eof = 1;
        return;
    }
    const char *p0 = chunk, *end = chunk + got;
    while (p0 < end) {
        const char *nl = memchr(p0, '\n', (size_t)(end - p0));
        size_t n = nl ? (size_t)(nl - p0) : (size_t)(end - p0);
        if (sv->skipping) {
            if (nl) { /* the end of a line over the limit: refuse it */
                sv->skipping = 0;
                push_ev(sv, (line_ev){.kind = L_OVERSIZED});
            }
        } else if (sv->len + n > MCP_MAX_LINE) {
            sv->len = 0; /* never kept whole: skipped to its end */
            free(sv->buf);
            sv->buf = NULL;
            sv->cap = 0;
            if (nl)
                push_ev(sv, (line_ev){.kind = L_OVERSIZED});
            else
                sv->skipping = 1;
        } else if (nl && !sv->len) {
            take_line(sv, p0, n); /* the whole line in this chunk: no copy */
        } else {
            if (sv->len + n + 1 > sv->cap) {
                sv->cap = (sv->len + n + 1) * 2;
                sv->buf = xrealloc(sv->buf, sv->cap);
            }
            memcpy(sv->buf + sv->len, p0, n);
            sv->len += n;
            if (nl) {
                take_line(sv, sv->buf, sv->len);
                sv->len = 0;
            }
        }
        p0 += n + (nl ? 1 : 0);
    }
}

static int pop_ev(server *sv, line_ev *ev)
{
    if (sv->qhead >= sv->queue.len) {
        sv->queue.len = sv->qhead = 0;
        return 0;
    }
    *ev = *(line_ev *)vec_at(&sv->queue, sv->qhead++);
    return 1;
}

/* ---- the protocol -------------------------------------------------------------------- */

static json_t *meta_of(json_t *params)
{
    json_t *m = params ? json_object_get(params, "_meta") : NULL;
    return json_is_object(m) ? m : NULL;
}

static void describe_tools(server *sv, json_t *id, int modern)
{
    strbuf sb;
    sb_init(&sb);
    json_w j;
    result_open(&j, &sb, id, modern);
    json_key(&j, "tools");
    json_arr(&j);
    for (int i = 0; i < mcp_n_tools; i++)
        mcp_tool_describe(&mcp_tools[i], &j);
    json_arr_end(&j);
    if (modern) { /* the list is this build's: the same for every client and connection */
        json_kint(&j, "ttlMs", 3600000);
        json_kstr(&j, "cacheScope", "public");
    }
    result_close(sv, &j, &sb, modern);
    sb_free(&sb);
}

static void capabilities(json_w *j)
{
    /* tools only, and no listChanged: the list never changes (and 2026-07-28 would then
     * need subscriptions/listen) */
    json_key(j, "capabilities");
    json_obj(j);
    json_key(j, "tools");
    json_obj(j);
    json_obj_end(j);
    json_obj_end(j);
}

static void on_initialize(server *sv, json_t *id, json_t *params)
{
    json_t *v = params ? json_object_get(params, "protocolVersion") : NULL;
    if (!json_is_string(v)) {
        send_error(sv, id, E_PARAMS, "Invalid params: initialize needs protocolVersion (a string)", NULL);
        return;
    }
    /* the version asked for when it is one of ours, else our latest: never an error, and
     * never 2026-07-28 (a 2025 client rejects it; that revision has no initialize) */
    const char *chosen = legacy_versions[0];
    for (int i = 0; legacy_versions[i]; i++)
        if (!strcmp(json_string_value(v), legacy_versions[i]))
            chosen = legacy_versions[i];
    sv->initialized = 1;
    strbuf sb;
    sb_init(&sb);
    json_w j;
    result_open(&j, &sb, id, 0);
    json_kstr(&j, "protocolVersion", chosen);
    capabilities(&j);
    json_key(&j, "serverInfo");
    server_info(&j);
    json_kstr(&j, "instructions", instructions);
    result_close(sv, &j, &sb, 0);
    sb_free(&sb);
}

static void on_discover(server *sv, json_t *id)
{
    strbuf sb;
    sb_init(&sb);
    json_w j;
    result_open(&j, &sb, id, 1);
    json_key(&j, "supportedVersions");
    json_arr(&j);
    json_str(&j, MODERN);
    for (int i = 0; legacy_versions[i]; i++)
        json_str(&j, legacy_versions[i]);
    json_arr_end(&j);
    capabilities(&j);
    json_kstr(&j, "instructions", instructions);
    json_kint(&j, "ttlMs", 3600000);
    json_kstr(&j, "cacheScope", "public");
    result_close(sv, &j, &sb, 1);
    sb_free(&sb);
}

static void on_ping(server *sv, json_t *id)
{
    strbuf sb;
    sb_init(&sb);
    json_w j;
    result_open(&j, &sb, id, 0);
    result_close(sv, &j, &sb, 0);
    sb_free(&sb);
}

static void on_call(server *sv, json_t *id, json_t *params, int modern)
{
    json_t *name = params ? json_object_get(params, "name") : NULL;
    if (!json_is_string(name)) {
        send_error(sv, id, E_PARAMS, "Invalid params: tools/call needs name (a string)", NULL);
        return;
    }
    const mcp_tool *t = mcp_tool_find(json_string_value(name));
    char err[OA_ERRLEN];
    if (!t) {
        /* the name as given, cut, only when it is short plain text */
        const char *nm = json_string_value(name);
        int plain = strlen(nm) <= 64;
        for (const char *p = nm; plain && *p; p++)
            plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
                    *p == '-' || *p == '.';
        snprintf(err, sizeof err, "Unknown tool: %s (tools/list names them)", plain ? nm : "(a name not shown)");
        send_error(sv, id, E_PARAMS, err, NULL);
        return;
    }
    json_t *args = json_object_get(params, "arguments");
    json_t *empty = NULL;
    if (!args || json_is_null(args))
        args = empty = json_object();
    if (!json_is_object(args)) {
        snprintf(err, sizeof err, "Invalid arguments for tool %s: arguments must be an object", t->name);
        send_error(sv, id, E_PARAMS, err, NULL);
        json_decref(empty);
        return;
    }
    char why[OA_ERRLEN];
    if (mcp_tool_check_args(&sv->ss, t, args, why)) {
        snprintf(err, sizeof err, "Invalid arguments for tool %s: %.400s", t->name, why);
        send_error(sv, id, E_PARAMS, err, NULL);
        json_decref(empty);
        return;
    }
    json_t *meta = meta_of(params);
    json_t *tok = meta ? json_object_get(meta, "progressToken") : NULL;
    sv->progress_token = json_is_string(tok) || json_is_integer(tok) ? tok : NULL;
    sv->running_id = id;
    sv->last_progress = -1;
    sv->last_progress_us = 0;
    sv->ss.cancel = 0;
    mcp_result r;
    mcp_result_init(&r);
    mcp_tool_call(&sv->ss, t, args, &r);
    sv->running_id = sv->progress_token = NULL; /* no progress after the answer */
    if (!r.cancelled) {                         /* a cancelled request gets no answer */
        strbuf sb;
        sb_init(&sb);
        json_w j;
        result_open(&j, &sb, id, modern);
        json_key(&j, "content");
        json_arr(&j);
        json_obj(&j);
        json_kstr(&j, "type", "text");
        json_kstr(&j, "text", r.text.len ? r.text.buf : "");
        json_obj_end(&j);
        json_arr_end(&j);
        if (!r.is_error && r.data.len) {
            json_key(&j, "structuredContent");
            json_raw(&j, r.data.buf);
        }
        json_kbool(&j, "isError", r.is_error);
        result_close(sv, &j, &sb, modern);
        sb_free(&sb);
    }
    mcp_result_free(&r);
    json_decref(empty);
}

static void on_cancelled(server *sv, json_t *params)
{
    json_t *rid = params ? json_object_get(params, "requestId") : NULL;
    if (sv->running_id && rid && json_equal(rid, sv->running_id))
        sv->ss.cancel = 1; /* the collection stops at its next turn; the probe is removed */
}

/* a request of the 2026-07-28 revision: its version and capabilities travel with it */
static void modern_request(server *sv, json_t *id, const char *method, json_t *params, json_t *meta)
{
    json_t *pv = json_object_get(meta, "io.modelcontextprotocol/protocolVersion");
    if (!json_is_string(pv) || strcmp(json_string_value(pv), MODERN)) {
        send_error(sv, id, E_UNSUPPORTED_VERSION, "Unsupported protocol version", pv);
        return;
    }
    if (!json_is_object(json_object_get(meta, "io.modelcontextprotocol/clientCapabilities"))) {
        send_error(sv, id, E_PARAMS,
                   "Invalid params: _meta needs io.modelcontextprotocol/clientCapabilities (an object)", NULL);
        return;
    }
    if (!strcmp(method, "server/discover"))
        on_discover(sv, id);
    else if (!strcmp(method, "tools/list")) {
        if (json_object_get(params, "cursor"))
            send_error(sv, id, E_PARAMS, "Invalid cursor", NULL); /* one page: no cursor is ours */
        else
            describe_tools(sv, id, 1);
    } else if (!strcmp(method, "tools/call"))
        on_call(sv, id, params, 1);
    else
        send_error(sv, id, E_METHOD,
                   !strcmp(method, "ping") ? "Method not found: ping is not part of 2026-07-28" : "Method not found",
                   NULL);
}

static void handle(server *sv, json_t *m)
{
    if (json_is_array(m)) {
        send_error(sv, NULL, E_INVALID_REQUEST, "Invalid Request: batches are not part of MCP", NULL);
        return;
    }
    if (!json_is_object(m)) {
        send_error(sv, NULL, E_INVALID_REQUEST, "Invalid Request: a message is a JSON object", NULL);
        return;
    }
    json_t *id = json_object_get(m, "id"), *method = json_object_get(m, "method");
    json_t *params = json_object_get(m, "params");
    if (id && !json_is_string(id) && !json_is_integer(id)) {
        send_error(sv, NULL, E_INVALID_REQUEST, "Invalid Request: id must be a string or an integer", NULL);
        return;
    }
    json_t *jr = json_object_get(m, "jsonrpc");
    if (!json_is_string(jr) || strcmp(json_string_value(jr), "2.0")) {
        send_error(sv, id, E_INVALID_REQUEST, "Invalid Request: jsonrpc must be \"2.0\"", NULL);
        return;
    }
    if (!method) {
        if (id && (json_object_get(m, "result") || json_object_get(m, "error")))
            return; /* a response: we send no requests, so it answers nothing of ours */
        send_error(sv, id, E_INVALID_REQUEST, "Invalid Request: no method", NULL);
        return;
    }
    if (!json_is_string(method)) {
        send_error(sv, id, E_INVALID_REQUEST, "Invalid Request: method must be a string", NULL);
        return;
    }
    const char *me = json_string_value(method);
    if (params && !json_is_object(params)) {
        if (id)
            send_error(sv, id, E_PARAMS, "Invalid params: params must be an object", NULL);
        return;
    }
    if (!id) { /* a notification: never answered */
        if (!strcmp(me, "notifications/cancelled"))
            on_cancelled(sv, params);
        return;
    }
    json_t *meta = meta_of(params);
    if (!strcmp(me, "initialize"))
        on_initialize(sv, id, params);
    else if (meta && json_object_get(meta, "io.modelcontextprotocol/protocolVersion"))
        modern_request(sv, id, me, params, meta);
    else if (!strcmp(me, "ping"))
        on_ping(sv, id); /* either side may ping, before initialize too */
    else if (strcmp(me, "tools/list") && strcmp(me, "tools/call") && strcmp(me, "server/discover"))
        send_error(sv, id, E_METHOD, "Method not found", NULL);
    else if (!sv->initialized)
        send_error(sv, id, E_PARAMS,
                   !strcmp(me, "server/discover")
                       ? "Invalid params: server/discover needs _meta io.modelcontextprotocol/protocolVersion"
                       : "Invalid params: no session: send initialize first (2025-11-25), or give "
                         "io.modelcontextprotocol/protocolVersion in _meta (2026-07-28)",
                   NULL);
    else if (!strcmp(me, "tools/list")) {
        if (params && json_object_get(params, "cursor"))
            send_error(sv, id, E_PARAMS, "Invalid cursor", NULL);
        else
            describe_tools(sv, id, 0);
    } else if (!strcmp(me, "tools/call"))
        on_call(sv, id, params, 0);
    else
        send_error(sv, id, E_METHOD, "Method not found: server/discover is 2026-07-28's, with its _meta", NULL);
}

static void handle_ev(server *sv, line_ev *ev)
{
    if (ev->kind == L_OVERSIZED) {
        char m[128];
        snprintf(m, sizeof m, "Invalid Request: a message of more than %u bytes (not read)", MCP_MAX_LINE);
        send_error(sv, NULL, E_INVALID_REQUEST, m, NULL);
    } else if (ev->kind == L_PARSE_ERROR)
        send_error(sv, NULL, E_PARSE, ev->why, NULL);
    else {
        handle(sv, ev->msg);
        json_decref(ev->msg);
    }
}

/* ---- while a call talks to the node -------------------------------------------------- */

/* is this parsed message one to act on at once: a cancellation, or a legacy ping? */
static int urgent(server *sv, line_ev *ev)
{
    if (ev->kind != L_MSG || !json_is_object(ev->msg))
        return 0;
    json_t *method = json_object_get(ev->msg, "method"), *id = json_object_get(ev->msg, "id");
    json_t *params = json_object_get(ev->msg, "params");
    if (!json_is_string(method))
        return 0;
    if (!id && !strcmp(json_string_value(method), "notifications/cancelled")) {
        on_cancelled(sv, json_is_object(params) ? params : NULL);
        return 1;
    }
    json_t *meta = json_is_object(params) ? meta_of(params) : NULL;
    if ((json_is_string(id) || json_is_integer(id)) && !strcmp(json_string_value(method), "ping") &&
        !(meta && json_object_get(meta, "io.modelcontextprotocol/protocolVersion"))) {
        on_ping(sv, id);
        return 1;
    }
    return 0;
}

static void pump(void *transport)
{
    server *sv = transport;
    size_t before = sv->queue.len;
    read_input(sv, 0);
    /* act on the new ones that cannot wait; keep the others in order */
    size_t w = before;
    for (size_t i = before; i < sv->queue.len; i++) {
        line_ev *ev = vec_at(&sv->queue, i);
        if (urgent(sv, ev))
            json_decref(ev->msg);
        else
            *(line_ev *)vec_at(&sv->queue, w++) = *ev;
    }
    sv->queue.len = w;
    /* nobody to answer, or told to leave (SIGTERM: a client that closed stdin and waited):
     * stop the work. Stdin closed alone is not that: what was asked before is answered. */
    if (sv->out_dead || (sv->ss.interrupted && *sv->ss.interrupted))
        sv->ss.cancel = 1;
}

static void progress(void *transport, double done, double total, const char *message)
{
    server *sv = transport;
    if (!sv->progress_token || done <= sv->last_progress)
        return; /* none asked for, or no step forward (progress must increase) */
    int64_t now = now_us();
    if (sv->last_progress_us && now - sv->last_progress_us < 100000)
        return; /* at most ten a second */
    sv->last_progress = done;
    sv->last_progress_us = now;
    strbuf sb;
    sb_init(&sb);
    json_w j;
    json_init(&j, &sb, 0);
    json_obj(&j);
    json_kstr(&j, "jsonrpc", "2.0");
    json_kstr(&j, "method", "notifications/progress");
    json_key(&j, "params");
    json_obj(&j);
    json_key(&j, "progressToken");
    put_id(&j, sv->progress_token);
    json_knum(&j, "progress", done);
    json_knum(&j, "total", total);
    json_kstr(&j, "message", message);
    json_obj_end(&j);
    json_obj_end(&j);
    send_line(sv, &sb);
    sb_free(&sb);
}

/* ---- the loop ------------------------------------------------------------------------ */

int mcp_main(oa_opts *o, volatile sig_atomic_t *interrupted)
{
    server sv;
    memset(&sv, 0, sizeof sv);
    /* stdout is the protocol's alone: it gets a descriptor of its own, and whatever else
     * prints to fd 1 goes to stderr */
    sv.in_fd = STDIN_FILENO;
    sv.out_fd = dup(STDOUT_FILENO);
    if (sv.out_fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
        fprintf(stderr, "otp-advisor: mcp: cannot set up standard output: %s\n", strerror(errno));
        return EXIT_ERROR;
    }
    vec_init(&sv.queue, sizeof(line_ev));
    mcp_session_init(&sv.ss, o, interrupted);
    sv.ss.pump = pump;
    sv.ss.progress = progress;
    sv.ss.transport = &sv;
    int rc = EXIT_OK;
    char err0[OA_ERRLEN];
    if (mcp_session_set_rules(&sv.ss, err0)) {
        fprintf(stderr, "otp-advisor: %s\n", err0);
        rc = EXIT_ERROR;
    } else if (o->from) { /* a snapshot to read from the start: a bad file is the command's error */
        char err[OA_ERRLEN];
        if (mcp_session_load(&sv.ss, o->from, err)) { /* one node, or every node of a cluster file */
            fprintf(stderr, "otp-advisor: %s\n", err);
            rc = EXIT_ERROR;
        }
    }
    while (rc == EXIT_OK && !sv.out_dead) {
        if (interrupted && *interrupted) {
            rc = EXIT_INTERRUPTED;
            break;
        }
        line_ev ev;
        if (pop_ev(&sv, &ev)) {
            handle_ev(&sv, &ev);
            continue;
        }
        if (sv.eof)
            break;
        /* wait for the client, answering the node's ticks meanwhile */
        int cfd = mcp_session_conn_fd(&sv.ss);
        struct pollfd p[2] = {{sv.in_fd, POLLIN, 0}, {cfd, POLLIN, 0}};
        int r = poll(p, cfd >= 0 ? 2 : 1, 1000);
        if (r < 0)
            continue; /* EINTR: the flag is looked at above */
        if (cfd >= 0 && p[1].revents)
            mcp_session_conn_poll(&sv.ss);
        if (p[0].revents)
            read_input(&sv, 0);
    }
    line_ev ev;
    while (pop_ev(&sv, &ev))
        if (ev.kind == L_MSG)
            json_decref(ev.msg);
    mcp_session_free(&sv.ss); /* removes the probe if one is left, closes the connection */
    vec_free(&sv.queue);
    free(sv.buf);
    close(sv.out_fd);
    return rc;
}
