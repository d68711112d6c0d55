/* snap_text.c — a snapshot written by hand: the text form, for rule cases and bug reports.
 *
 * The text compiles to the canonical messages (probes/otp_advisor_probe.erl, header) and
 * goes through snap_ingest and snap_finish like a saved .etf file, so what a case says is
 * what a probe would have sent, and the fuzzer (tests/fuzz) reads this form too. Only what a
 * case needs is written; everything else is defaulted.
 *
 *   %% otp-advisor snapshot text 1          the first line (SNAP_TEXT_MAGIC)
 *   # a comment; blank lines are ignored
 *   node elixir=1.15.7 schedulers=2         the node (default: n@h, Erlang, OTP 26, 4
 *                                           schedulers, window=1000 ms; window=0: one sample)
 *   runtime                                 init, application_controller, kernel's master (20),
 *                                           start_it (21) and kernel_sup (22): the runtime
 *   app zoo                                 an application: master 100, start_it 101, top
 *                                           supervisor 102 Elixir.Zoo.Supervisor (one_for_one
 *                                           3/5s); at=N moves them, topname=, mod=, vsn=
 *   proc 200 name=Elixir.Zoo.Cache dic=Elixir.Zoo.Cache:init/1 sup=102 mq=40..120
 *
 * A line is a word and its arguments: positional words, `key=value` fields and bare flags;
 * a value with blanks, or one that starts with #, is "quoted" (\" and \\ inside); a # at the
 * start of a word starts a comment to the end of the line. Pids are written as in testutil.h:
 * `12` (or <0.12.0>) on this node, `other@h/7` on another, `port:5`, `undefined`; any other
 * word in a pid list is an atom (a registered name, as in '$ancestors'). Lists are quoted
 * and blank-separated: links="102 140".
 *
 *   proc N|N..M   one process (a range: one per pid, `{}` in name and id is the pid number).
 *                 name= ic= dic= (its '$initial_call'; gives ic=proc_lib:init_p/5) cf=
 *                 (default gen_server:loop/7) status= (waiting) anc= gl= links= mons=
 *                 callers= src= (where '$initial_call' came from); heap= (words); mq= reds=
 *                 mem= monby=, each `A` or `A..B` (first sample A, second B; default the
 *                 same); flags: trap (trap_exit), skipped (memory not read: queue too long),
 *                 gone (exited between the samples). sup=S: a child of supervisor S, which
 *                 fills anc (proc_lib only), gl and links from S unless given, and adds its
 *                 row to S's children: id= (its name, else its module; `undefined` under a
 *                 dynamic supervisor) restart= (permanent; temporary under a dynamic one)
 *                 type= (supervisor when it has a sup line) modules= (its module).
 *                 A second line for the same pid changes the first's fields.
 *   sup N         a supervisor (name from its process): kind= (supervisor, dynamic, task,
 *                 partition, registry, bridge, declared, fork, special) strategy=
 *                 intensity= period= restarts="2 40" (seconds ago) status= (ok, timeout,
 *                 error, busy, not_asked, slow) error= callback=. Again: changes fields.
 *   child S       an explicit row of S: id= pid= (a pid, A..B, restarting, undefined)
 *                 type= restart= modules= (comma-separated, or dynamic)
 *   app NAME master= top= desc= vsn= mod= needs= libdir=
 *                                           an application as the probe sends it
 *   ets ID owner= name= heir= type= protection= size= mem= (words) read_conc write_conc=
 *       named
 *   registry NAME sup= kind= partitions= keys= (the count); key NAME TEXT PID
 *   global NAME PID   pg SCOPE groups= members=   pg_group SCOPE GROUP local= total=
 *   start_links MODULE ARITY... source= md5=
 *   dist NODE kind=port|process looks= pending= max_pending= sent= us= (busy_limit= on node)
 *   done gap_us= walk1_us= walk2_us= total_us= reds_delta=   (defaults from the window)
 *   error TEXT    the collector failed (the file is refused, as with a probe's error)
 *
 * `node` takes the node map's keys: otp= erts= elixir= method= advisor="150", and any
 * integer the node map carries (atom_count=, process_count= (default: the processes),
 * mq_threshold=, sup_timeout_ms=, dict_skipped=, busy_limit=, …). In a file of several
 * nodes (a cluster: check --cluster --from) each starts with its `node` line. Messages are
 * sent in the probe's order: node, processes, applications, supervisors with their
 * children, tables, registries, names, the second sample, done. Any mistake is refused
 * with its line. */
#include <ei.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snap_text.h"
#include "util.h"

#define MAX_WORDS 32
#define MAX_PROCS 200000 /* a node's processes, ranges expanded: bounds what a crafted file costs */
#define MAX_DEPTH 64     /* supervisors nested */

typedef struct {
    const char *k, *v; /* v NULL: a bare word */
} word;

typedef struct {
    int line;
    const char *kw;
    word w[MAX_WORDS];
    int n;
} rec;

typedef struct {
    const rec *r;
    uint32_t first, last;
    const char *name, *ic, *dic, *anc, *cf, *status, *links, *mons, *gl, *callers, *src;
    const char *id, *restart, *type, *modules;
    int64_t mq[2], reds[2], mem[2], monby[2], heap;
    int trap, gone, skipped, has_sup, state, listed;
    uint32_t sup;
    char *own[3]; /* derived anc, gl, links */
} tproc;

typedef struct {
    const rec *r;
    uint32_t num;
    const char *name, *kind, *strategy, *restarts, *status, *error, *callback;
    int64_t intensity, period;
} tsup;

typedef struct {
    const rec *r;   /* a child line, or */
    const tproc *p; /* a process with sup= */
    uint32_t sup;
    size_t seq; /* the order written */
} tchild;

typedef struct {
    char *err;
    const char *node;
    int erlang_fail;
    /* a node's parts */
    const rec **recs;
    size_t n_recs;
    tproc *procs; /* sorted by first */
    size_t n_procs;
    tsup *sups;
    size_t n_sups;
    tchild *kids; /* sorted by supervisor, then as written */
    size_t n_kids;
    const rec **keys; /* key lines, sorted by registry, then as written */
    size_t n_keys;
    const char **regs; /* registry names, sorted */
    size_t n_regs;
} ctx;

/* ---- reading lines ------------------------------------------------------------------- */

static int lerr(char *err, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int lerr(char *err, int line, const char *fmt, ...)
{
    char msg[OA_ERRLEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return errf(err, "snapshot text, line %d: %s", line, msg);
}

/* a quoted value, unescaped in place; *pp is past its closing quote */
static int unquote(char **pp, char **out, int line, char *err)
{
    char *p = *pp + 1, *o = p;
    *out = o;
    while (*p && *p != '"') {
        if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
            p++;
        *o++ = *p++;
    }
    if (*p != '"')
        return lerr(err, line, "a quote is not closed");
    p++;
    if (*p && *p != ' ' && *p != '\t')
        return lerr(err, line, "text right after a closing quote");
    *o = 0;
    *pp = p;
    return 0;
}

/* split one line (NUL-terminated, writable) into r */
static int split_line(char *p, int line, rec *r, char *err)
{
    memset(r, 0, sizeof *r);
    r->line = line;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#') /* the rest of the line is a comment */
            break;
        if (r->n == MAX_WORDS)
            return lerr(err, line, "more than %d words", MAX_WORDS);
        word *w = &r->w[r->n];
        if (*p == '"') {
            char *v;
            if (unquote(&p, &v, line, err))
                return -1;
            w->k = v;
        } else {
            char *b = p;
            while (*p && *p != ' ' && *p != '\t' && *p != '=' && *p != '"')
                p++;
            if (*p == '=') {
                *p++ = 0;
                w->k = b;
                if (!*b)
                    return lerr(err, line, "a field without a name");
                if (*p == '"') {
                    char *v;
                    if (unquote(&p, &v, line, err))
                        return -1;
                    w->v = v;
                } else {
                    w->v = p;
                    while (*p && *p != ' ' && *p != '\t')
                        p++;
                }
            } else if (*p == '"')
                return lerr(err, line, "a quote inside a word");
            else
                w->k = b;
        }
        r->n++;
        if (*p)
            *p++ = 0;
    }
    if (r->n == 0)
        return 0;
    if (r->w[0].v)
        return lerr(err, line, "a line starts with a word, not a field");
    r->kw = r->w[0].k;
    return 0;
}

/* ---- values ---------------------------------------------------------------------------- */

static int parse_int(const char *s, int64_t *v)
{
    if (!s || !*s)
        return -1;
    char *e;
    long long x = strtoll(s, &e, 10);
    if (*e)
        return -1;
    *v = x;
    return 0;
}

/* A or A..B */
static int parse_pair(const char *s, int64_t v[2])
{
    const char *dots = s ? strstr(s, "..") : NULL;
    if (!dots) {
        if (parse_int(s, &v[0]))
            return -1;
        v[1] = v[0];
        return 0;
    }
    char a[32];
    size_t n = (size_t)(dots - s);
    if (n == 0 || n >= sizeof a)
        return -1;
    memcpy(a, s, n);
    a[n] = 0;
    return parse_int(a, &v[0]) || parse_int(dots + 2, &v[1]) ? -1 : 0;
}

static int parse_num(const char *s, uint32_t *n)
{
    int64_t v;
    if (s && s[0] == '<') { /* <0.12.0> */
        unsigned a, b, c;
        char end;
        if (sscanf(s, "<%u.%u.%u%c", &a, &b, &c, &end) != 4 || end != '>' || a != 0)
            return -1;
        v = b;
    } else if (parse_int(s, &v))
        return -1;
    if (v < 0 || v > 0x7fffffff)
        return -1;
    *n = (uint32_t)v;
    return 0;
}

/* N or N..M */
static int parse_range(const char *s, uint32_t *a, uint32_t *b)
{
    const char *dots = strstr(s, "..");
    if (!dots)
        return parse_num(s, a) ? -1 : (*b = *a, 0);
    char x[32];
    size_t n = (size_t)(dots - s);
    if (n == 0 || n >= sizeof x)
        return -1;
    memcpy(x, s, n);
    x[n] = 0;
    if (parse_num(x, a) || parse_num(dots + 2, b) || *b < *a)
        return -1;
    return 0;
}

static int is_true(const char *v)
{
    return !v || strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
}

/* `{}` in a name or id of a range: the pid number */
static const char *subst(const char *t, uint32_t num, char *buf, size_t n)
{
    const char *at = t ? strstr(t, "{}") : NULL;
    if (!at)
        return t;
    snprintf(buf, n, "%.*s%u%s", (int)(at - t), t, num, at + 2);
    return buf;
}

/* the module of "m:f/a" */
static void module_of(const char *mfa, char *buf, size_t n)
{
    const char *c = mfa ? strchr(mfa, ':') : NULL;
    snprintf(buf, n, "%.*s", c ? (int)(c - mfa) : 0, c ? mfa : "");
}

/* ---- encoding ---------------------------------------------------------------------------- */

static void e_atom(ctx *c, ei_x_buff *x, const char *a)
{
    size_t n = strlen(a);
    if (n > 255 || ei_x_encode_atom_len_as(x, a, (int)n, ERLANG_UTF8, ERLANG_UTF8) < 0) {
        c->erlang_fail = 1;
        ei_x_encode_atom(x, "undefined");
    }
}

static void e_bin(ei_x_buff *x, const char *s)
{
    ei_x_encode_binary(x, s, (long)strlen(s));
}

static void e_int(ei_x_buff *x, int64_t v)
{
    ei_x_encode_longlong(x, (long long)v);
}

static void e_pid_on(ei_x_buff *x, const char *node, uint32_t num)
{
    erlang_pid p;
    memset(&p, 0, sizeof p);
    snprintf(p.node, sizeof p.node, "%s", node);
    p.num = num;
    p.creation = 1;
    ei_x_encode_pid(x, &p);
}

/* one pid token (see the header) */
static void e_tok(ctx *c, ei_x_buff *x, const char *t)
{
    uint32_t num;
    const char *slash = strrchr(t, '/');
    if (parse_num(t, &num) == 0)
        e_pid_on(x, c->node, num);
    else if (strncmp(t, "port:", 5) == 0) {
        erlang_port p;
        memset(&p, 0, sizeof p);
        snprintf(p.node, sizeof p.node, "%s", c->node);
        p.id = strtoull(t + 5, NULL, 10);
        p.creation = 1;
        ei_x_encode_port(x, &p);
    } else if (slash && strchr(t, '@') && parse_num(slash + 1, &num) == 0) {
        char node[256];
        snprintf(node, sizeof node, "%.*s", (int)(slash - t), t);
        e_pid_on(x, node, num);
    } else
        e_atom(c, x, t);
}

static void e_ref(ctx *c, ei_x_buff *x, const char *t)
{
    e_tok(c, x, t ? t : "undefined");
}

/* a blank-separated list of pid tokens; NULL: [] */
static void e_toks(ctx *c, ei_x_buff *x, const char *s)
{
    char buf[256];
    long n = 0;
    for (const char *p = s; p && *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        n++;
        while (*p && *p != ' ')
            p++;
    }
    if (n)
        ei_x_encode_list_header(x, n);
    for (const char *p = s; p && *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *b = p;
        while (*p && *p != ' ')
            p++;
        size_t l = (size_t)(p - b) < sizeof buf ? (size_t)(p - b) : sizeof buf - 1;
        memcpy(buf, b, l);
        buf[l] = 0;
        e_tok(c, x, buf);
    }
    ei_x_encode_empty_list(x);
}

/* "m:f/a" -> {m, f, a}; NULL or a malformed one -> undefined */
static void e_mfa(ctx *c, ei_x_buff *x, const char *mfa)
{
    const char *colon = mfa ? strchr(mfa, ':') : NULL, *slash = mfa ? strrchr(mfa, '/') : NULL;
    int64_t a;
    if (!colon || !slash || slash < colon || parse_int(slash + 1, &a)) {
        ei_x_encode_atom(x, "undefined");
        return;
    }
    char m[256], f[256];
    snprintf(m, sizeof m, "%.*s", (int)(colon - mfa), mfa);
    snprintf(f, sizeof f, "%.*s", (int)(slash - colon - 1), colon + 1);
    ei_x_encode_tuple_header(x, 3);
    e_atom(c, x, m);
    e_atom(c, x, f);
    e_int(x, a);
}

static int feed(ctx *c, snap *s, ei_x_buff *x, int line)
{
    char e2[OA_ERRLEN];
    int rc = 0;
    if (c->erlang_fail)
        rc = lerr(c->err, line, "an atom longer than 255 characters");
    else if (snap_ingest(s, x->buff, (size_t)x->index, e2))
        rc = lerr(c->err, line, "%s", e2);
    ei_x_free(x);
    c->erlang_fail = 0;
    return rc;
}

/* ---- the parts of a node ----------------------------------------------------------------- */

static const char *fget(const rec *r, const char *k)
{
    for (int i = 1; i < r->n; i++)
        if (r->w[i].v && strcmp(r->w[i].k, k) == 0)
            return r->w[i].v;
    return NULL;
}

/* positional word i (after the keyword), NULL if none */
static const char *pos(const rec *r, int i)
{
    for (int j = 1; j < r->n; j++)
        if (!r->w[j].v && i-- == 0)
            return r->w[j].k;
    return NULL;
}

/* every field and flag of r is one it may have; positional words beyond npos are flags */
static int check_words(const rec *r, int npos, const char *const *fields, const char *const *flags, char *err)
{
    int p = 0;
    for (int i = 1; i < r->n; i++) {
        const word *w = &r->w[i];
        const char *const *list = w->v ? fields : flags;
        if (!w->v && p < npos) {
            p++;
            continue;
        }
        int ok = 0;
        for (; list && *list && !ok; list++)
            ok = strcmp(*list, w->k) == 0 || (*list)[0] == '*';
        if (!ok)
            return lerr(err, r->line, "%s: unknown %s '%s'", r->kw, w->v ? "field" : "word", w->k);
    }
    if (p < npos)
        return lerr(err, r->line, "%s needs %d argument%s", r->kw, npos, npos > 1 ? "s" : "");
    return 0;
}

static const char *const proc_fields[] = {"name", "ic",      "dic",     "anc",  "cf",      "status", "links", "mons",
                                          "gl",   "callers", "src",     "heap", "mq",      "reds",   "mem",   "monby",
                                          "sup",  "id",      "restart", "type", "modules", NULL};
static const char *const proc_flags[] = {"trap", "gone", "skipped", NULL};

/* apply a proc line's fields to t */
static int proc_apply(tproc *t, const rec *r, char *err)
{
    if (check_words(r, 1, proc_fields, proc_flags, err))
        return -1;
    static const char *const strs[] = {"name", "ic",      "dic", "anc", "cf",      "status", "links",  "mons",
                                       "gl",   "callers", "src", "id",  "restart", "type",   "modules"};
    const char **dst[] = {&t->name, &t->ic,      &t->dic, &t->anc, &t->cf,      &t->status, &t->links,  &t->mons,
                          &t->gl,   &t->callers, &t->src, &t->id,  &t->restart, &t->type,   &t->modules};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        const char *v = fget(r, strs[i]);
        if (v)
            *dst[i] = v;
    }
    static const char *const pairs[] = {"mq", "reds", "mem", "monby"};
    int64_t *pd[] = {t->mq, t->reds, t->mem, t->monby};
    for (size_t i = 0; i < 4; i++) {
        const char *v = fget(r, pairs[i]);
        if (v && parse_pair(v, pd[i]))
            return lerr(err, r->line, "%s=%s: expected a number or A..B", pairs[i], v);
    }
    const char *v = fget(r, "heap");
    if (v && parse_int(v, &t->heap))
        return lerr(err, r->line, "heap=%s: expected a number", v);
    if ((v = fget(r, "sup"))) {
        if (parse_num(v, &t->sup))
            return lerr(err, r->line, "sup=%s: expected a pid number", v);
        t->has_sup = 1;
    }
    for (int i = 1; i < r->n; i++)
        if (!r->w[i].v && i > 1) {
            const char *f = r->w[i].k;
            if (strcmp(f, "trap") == 0)
                t->trap = 1;
            else if (strcmp(f, "gone") == 0)
                t->gone = 1;
            else if (strcmp(f, "skipped") == 0)
                t->skipped = 1;
        }
    return 0;
}

static int cmp_proc(const void *a, const void *b)
{
    const tproc *x = a, *y = b;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    return x->r->line < y->r->line ? -1 : x->r->line > y->r->line; /* a second line applies after */
}

static tproc *find_proc(const ctx *c, uint32_t num)
{
    size_t lo = 0, hi = c->n_procs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        tproc *t = &c->procs[mid];
        if (num < t->first)
            hi = mid;
        else if (num > t->last)
            lo = mid + 1;
        else
            return t;
    }
    return NULL;
}

static tsup *find_sup(const ctx *c, uint32_t num)
{
    size_t lo = 0, hi = c->n_sups;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->sups[mid].num < num)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->n_sups && c->sups[lo].num == num ? &c->sups[lo] : NULL;
}

/* every table is sorted once, then searched: a crafted file stays O(n log n) */
static int cmp_sup(const void *a, const void *b)
{
    const tsup *x = a, *y = b;
    if (x->num != y->num)
        return x->num < y->num ? -1 : 1;
    return x->r->line < y->r->line ? -1 : x->r->line > y->r->line;
}

static int cmp_kid(const void *a, const void *b)
{
    const tchild *x = a, *y = b;
    if (x->sup != y->sup)
        return x->sup < y->sup ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_key(const void *a, const void *b)
{
    const rec *x = *(const rec *const *)a, *y = *(const rec *const *)b;
    int d = strcmp(pos(x, 0), pos(y, 0));
    return d ? d : x->line < y->line ? -1 : x->line > y->line;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int sup_on_demand(const tsup *sp)
{
    return (sp->kind && (strcmp(sp->kind, "dynamic") == 0 || strcmp(sp->kind, "task") == 0)) ||
           (sp->strategy && strcmp(sp->strategy, "simple_one_for_one") == 0);
}

static int is_proc_lib(const tproc *t)
{
    return t->ic ? strcmp(t->ic, "proc_lib:init_p/5") == 0 || strcmp(t->ic, "proc_lib:init_p/3") == 0 : !!t->dic;
}

/* fill what sup= implies: anc, gl, links from the supervisor's process */
static int resolve(ctx *c, tproc *t, int depth)
{
    if (t->state == 2 || !t->has_sup)
        return t->state = 2, 0;
    if (t->state == 1 || depth > MAX_DEPTH)
        return lerr(c->err, t->r->line, "sup=%u: supervisors form a cycle or nest deeper than %d", t->sup, MAX_DEPTH);
    t->state = 1;
    tproc *p = find_proc(c, t->sup);
    if (!p)
        return lerr(c->err, t->r->line, "sup=%u: no such process", t->sup);
    if (!find_sup(c, t->sup))
        return lerr(c->err, t->r->line, "sup=%u: no sup line for it", t->sup);
    if (p == t)
        return lerr(c->err, t->r->line, "sup=%u: its own supervisor", t->sup);
    if (resolve(c, p, depth + 1))
        return -1;
    char nb[300];
    const char *pname = subst(p->name, t->sup, nb, sizeof nb);
    strbuf b;
    if (!t->anc && is_proc_lib(t)) {
        sb_init(&b);
        if (pname)
            sb_puts(&b, pname);
        else
            sb_printf(&b, "%u", t->sup);
        if (p->anc && *p->anc)
            sb_printf(&b, " %s", p->anc);
        t->anc = t->own[0] = b.buf;
    }
    if (!t->gl && p->gl)
        t->gl = t->own[1] = xstrdup(p->gl);
    if (!t->links) {
        sb_init(&b);
        sb_printf(&b, "%u", t->sup);
        t->links = t->own[2] = b.buf;
    }
    t->state = 2;
    return 0;
}

/* ---- expansions: runtime and the short app line ------------------------------------------ */

static const char runtime_text[] =
    "proc 0 name=init ic=otp_ring0:start/2 cf=init:loop/1 gl=0 links=10 reds=5000 mem=30000 heap=2000\n"
    "proc 10 name=application_controller ic=erlang:apply/2 gl=0 links=\"0 20 100\" trap reds=3000 mem=10000 "
    "heap=700\n"
    "proc 20 dic=application_master:init/4 gl=20 links=\"10 21\" trap\n"
    "proc 21 ic=application_master:start_it/4 gl=20 links=\"20 22\"\n"
    "proc 22 name=kernel_sup dic=supervisor:kernel/1 anc=21 gl=20 links=21 trap\n"
    "app kernel master=20 top=22 desc=\"ERTS  CXC 138 10\" vsn=9.2 mod=kernel libdir=/usr/lib/erlang/lib/kernel-9.2\n";

typedef struct {
    rec *v;
    size_t n, cap;
    char **bufs; /* owned text the records point into */
    size_t n_bufs;
} recs;

static rec *recs_push(recs *rs)
{
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 64;
        rs->v = xrealloc(rs->v, rs->cap * sizeof *rs->v);
    }
    return &rs->v[rs->n++];
}

static char *recs_own(recs *rs, char *buf)
{
    rs->bufs = xrealloc(rs->bufs, (rs->n_bufs + 1) * sizeof *rs->bufs);
    return rs->bufs[rs->n_bufs++] = buf;
}

static int read_lines(recs *rs, char *text, int line0, int expand, char *err);

/* an expansion's lines, each reported at the line that asked for it */
static int expand_text(recs *rs, const char *text, int line, char *err)
{
    char *copy = recs_own(rs, xstrdup(text));
    return read_lines(rs, copy, line, 0, err);
}

static int expand_app(recs *rs, const rec *r, char *err)
{
    static const char *const fields[] = {"at", "topname", "mod", "vsn", "desc", "needs", "libdir", NULL};
    if (check_words(r, 1, fields, NULL, err))
        return -1;
    uint32_t at = 100;
    const char *v = fget(r, "at");
    if (v && (parse_num(v, &at) || at > 0x7ffffff0))
        return lerr(err, r->line, "at=%s: expected a pid number", v);
    const char *top = fget(r, "topname") ? fget(r, "topname") : "Elixir.Zoo.Supervisor";
    const char *mod = fget(r, "mod") ? fget(r, "mod") : "Elixir.Zoo.Application";
    strbuf b;
    sb_init(&b);
    sb_printf(&b, "proc %u dic=application_master:init/4 gl=%u links=\"10 %u\" trap\n", at, at, at + 1);
    sb_printf(&b, "proc %u ic=application_master:start_it/4 gl=%u links=\"%u %u\"\n", at + 1, at, at, at + 2);
    sb_printf(&b, "proc %u name=\"%s\" dic=\"supervisor:%s/1\" anc=%u gl=%u links=%u trap reds=900 mem=6000 heap=376\n",
              at + 2, top, top, at + 1, at, at + 1);
    sb_printf(&b, "sup %u strategy=one_for_one intensity=3 period=5 callback=\"%s\"\n", at + 2, top);
    const char *needs = fget(r, "needs") ? fget(r, "needs") : "", *libdir = fget(r, "libdir") ? fget(r, "libdir") : "";
    sb_printf(&b, "app \"%s\" master=%u top=%u desc=\"%s\" vsn=\"%s\" mod=\"%s\" needs=\"%s\" libdir=\"%s\"\n",
              pos(r, 0), at, at + 2, fget(r, "desc") ? fget(r, "desc") : "planted",
              fget(r, "vsn") ? fget(r, "vsn") : "0.1.0", mod, needs, libdir);
    int rc = strchr(top, '"') || strchr(mod, '"') || strchr(pos(r, 0), '"') || strchr(needs, '"') || strchr(libdir, '"')
                 ? lerr(err, r->line, "app: a quote in a name")
                 : expand_text(rs, b.buf, r->line, err);
    sb_free(&b);
    return rc;
}

/* split text (writable, owned by rs) into records; line0: the first line's number, or,
 * with !expand, the line every record is reported at */
static int read_lines(recs *rs, char *text, int line0, int expand, char *err)
{
    int line = line0;
    for (char *p = text; p && *p; line += expand) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = 0;
        size_t n = strlen(p);
        if (n && p[n - 1] == '\r')
            p[n - 1] = 0;
        char *q = p;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q && *q != '#' && *q != '%') {
            rec r;
            if (split_line(q, line, &r, err))
                return -1;
            if (r.n && expand && strcmp(r.kw, "runtime") == 0) {
                if (r.n > 1)
                    return lerr(err, line, "runtime takes nothing");
                if (expand_text(rs, runtime_text, line, err))
                    return -1;
            } else if (r.n && expand && strcmp(r.kw, "app") == 0 && !fget(&r, "master")) {
                if (!pos(&r, 0))
                    return lerr(err, line, "app needs a name");
                if (expand_app(rs, &r, err))
                    return -1;
            } else if (r.n)
                *recs_push(rs) = r;
        }
        p = nl ? nl + 1 : NULL;
    }
    return 0;
}

/* ---- one node ------------------------------------------------------------------------------ */

static void ctx_free(ctx *c)
{
    for (size_t i = 0; i < c->n_procs; i++)
        for (int k = 0; k < 3; k++)
            free(c->procs[i].own[k]);
    free(c->procs);
    free(c->sups);
    free(c->kids);
    free(c->keys);
    free(c->regs);
    memset(c, 0, sizeof *c);
}

static int build_parts(ctx *c)
{
    size_t np = 0, total = 0;
    for (size_t i = 0; i < c->n_recs; i++)
        np += strcmp(c->recs[i]->kw, "proc") == 0;
    tproc *all = xcalloc(np ? np : 1, sizeof *all);
    size_t k = 0;
    for (size_t i = 0; i < c->n_recs; i++) {
        const rec *r = c->recs[i];
        if (strcmp(r->kw, "proc") != 0)
            continue;
        tproc *t = &all[k++];
        t->r = r;
        const char *pn = pos(r, 0);
        if (!pn || parse_range(pn, &t->first, &t->last)) {
            free(all);
            return lerr(c->err, r->line, "proc needs a pid number or a range N..M, not '%s'", pn ? pn : "");
        }
        total += (size_t)(t->last - t->first) + 1;
        if (total > MAX_PROCS) {
            free(all);
            return lerr(c->err, r->line, "more than %d processes", MAX_PROCS);
        }
    }
    qsort(all, np, sizeof *all, cmp_proc);
    /* lines for one pid merge into its first; ranges may not overlap */
    c->procs = xcalloc(np ? np : 1, sizeof *c->procs);
    for (size_t i = 0; i < np; i++) {
        tproc *prev = c->n_procs ? &c->procs[c->n_procs - 1] : NULL;
        if (prev && all[i].first <= prev->last) {
            if (all[i].first != prev->first || all[i].last != prev->last || prev->first != prev->last) {
                int line = all[i].r->line;
                uint32_t first = all[i].first;
                free(all);
                return lerr(c->err, line, "proc %u: its pids overlap another line's range", first);
            }
            if (proc_apply(prev, all[i].r, c->err)) {
                free(all);
                return -1;
            }
            continue;
        }
        tproc *t = &c->procs[c->n_procs++];
        *t = all[i];
        if (proc_apply(t, t->r, c->err)) {
            free(all);
            return -1;
        }
    }
    free(all);
    /* supervisors, merged the same way */
    size_t ns = 0;
    tsup *lines = xcalloc(c->n_recs ? c->n_recs : 1, sizeof *lines);
    static const char *const sup_fields[] = {"name",     "kind",   "strategy", "intensity", "period",
                                             "restarts", "status", "error",    "callback",  NULL};
    for (size_t i = 0; i < c->n_recs; i++) {
        const rec *r = c->recs[i];
        if (strcmp(r->kw, "sup") != 0)
            continue;
        if (check_words(r, 1, sup_fields, NULL, c->err) ||
            (parse_num(pos(r, 0), &lines[ns].num) && lerr(c->err, r->line, "sup needs a pid number"))) {
            free(lines);
            return -1;
        }
        lines[ns++].r = r;
    }
    qsort(lines, ns, sizeof *lines, cmp_sup);
    c->sups = xcalloc(ns ? ns : 1, sizeof *c->sups);
    for (size_t i = 0; i < ns; i++) {
        const rec *r = lines[i].r;
        tsup *sp = c->n_sups ? &c->sups[c->n_sups - 1] : NULL;
        if (!sp || sp->num != lines[i].num) { /* later lines for one pid change the first's fields */
            sp = &c->sups[c->n_sups++];
            sp->r = r;
            sp->num = lines[i].num;
            sp->intensity = sp->period = -1;
        }
        const char *names[] = {"name", "kind", "strategy", "restarts", "status", "error", "callback"};
        const char **dst[] = {&sp->name,   &sp->kind,  &sp->strategy, &sp->restarts,
                              &sp->status, &sp->error, &sp->callback};
        for (size_t j = 0; j < 7; j++)
            if (fget(r, names[j]))
                *dst[j] = fget(r, names[j]);
        const char *v;
        if (((v = fget(r, "intensity")) && parse_int(v, &sp->intensity)) ||
            ((v = fget(r, "period")) && parse_int(v, &sp->period))) {
            free(lines);
            return lerr(c->err, r->line, "%s: expected a number", v);
        }
    }
    free(lines);
    for (size_t i = 0; i < c->n_procs; i++)
        if (resolve(c, &c->procs[i], 0))
            return -1;
    /* children in the order they are written: a process with sup=, or a child line */
    c->kids = xcalloc(c->n_recs ? c->n_recs : 1, sizeof *c->kids);
    for (size_t i = 0; i < c->n_recs; i++) {
        const rec *r = c->recs[i];
        if (strcmp(r->kw, "child") == 0) {
            static const char *const f[] = {"id", "pid", "type", "restart", "modules", NULL};
            uint32_t num;
            if (check_words(r, 1, f, NULL, c->err))
                return -1;
            if (parse_num(pos(r, 0), &num) || !find_sup(c, num))
                return lerr(c->err, r->line, "child needs a supervisor's pid number (one with a sup line)");
            c->kids[c->n_kids] = (tchild){.r = r, .sup = num, .seq = c->n_kids};
            c->n_kids++;
        } else if (strcmp(r->kw, "proc") == 0) {
            uint32_t a, b;
            parse_range(pos(r, 0), &a, &b);
            tproc *t = find_proc(c, a);
            if (t && t->r == r && t->has_sup) {
                c->kids[c->n_kids] = (tchild){.p = t, .sup = t->sup, .seq = c->n_kids};
                c->n_kids++;
                t->listed = 1;
            }
        }
    }
    /* a merged line may set sup= on a process whose first line did not */
    for (size_t i = 0; i < c->n_procs; i++) {
        tproc *t = &c->procs[i];
        if (t->has_sup && !t->listed) {
            c->kids = xrealloc(c->kids, (c->n_kids + 1) * sizeof *c->kids);
            c->kids[c->n_kids] = (tchild){.p = t, .sup = t->sup, .seq = c->n_kids};
            c->n_kids++;
        }
    }
    qsort(c->kids, c->n_kids, sizeof *c->kids, cmp_kid);
    /* registries and their keys */
    c->keys = xcalloc(c->n_recs ? c->n_recs : 1, sizeof *c->keys);
    c->regs = xcalloc(c->n_recs ? c->n_recs : 1, sizeof *c->regs);
    for (size_t i = 0; i < c->n_recs; i++) {
        const rec *r = c->recs[i];
        if (strcmp(r->kw, "key") == 0) {
            if (check_words(r, 3, NULL, NULL, c->err))
                return -1;
            c->keys[c->n_keys++] = r;
        } else if (strcmp(r->kw, "registry") == 0 && pos(r, 0))
            c->regs[c->n_regs++] = pos(r, 0);
    }
    qsort(c->keys, c->n_keys, sizeof *c->keys, cmp_key);
    qsort(c->regs, c->n_regs, sizeof *c->regs, cmp_str);
    for (size_t i = 0; i < c->n_keys; i++) {
        const char *reg = pos(c->keys[i], 0);
        if (!bsearch(&reg, c->regs, c->n_regs, sizeof *c->regs, cmp_str))
            return lerr(c->err, c->keys[i]->line, "key: no registry line for %s", reg);
    }
    return 0;
}

/* the first of the sorted key lines of registry `name` */
static size_t first_key(const ctx *c, const char *name)
{
    size_t lo = 0, hi = c->n_keys;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(pos(c->keys[mid], 0), name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int64_t node_int(const rec *node, const char *k, int64_t dflt)
{
    int64_t v;
    const char *s = node ? fget(node, k) : NULL;
    return s && parse_int(s, &v) == 0 ? v : dflt;
}

static const char *const node_strs[] = {"otp", "erts", "elixir", "method", "tool_version", "advisor", NULL};
static const char *const node_ints[] = {
    "schedulers", "process_count",  "process_limit", "atom_count",   "atom_limit",      "port_count",
    "port_limit", "ets_count",      "ets_limit",     "uptime_ms",    "collected_at_ms", "wordsize",
    "window",     "sup_timeout_ms", "mq_threshold",  "dict_skipped", "busy_limit",      NULL};

static int emit_node(ctx *c, snap *s, const rec *node, size_t n_procs)
{
    if (node) {
        const char *all[64];
        size_t k = 0;
        for (size_t i = 0; node_strs[i]; i++)
            all[k++] = node_strs[i];
        for (size_t i = 0; node_ints[i]; i++)
            all[k++] = node_ints[i];
        all[k] = NULL;
        if (check_words(node, pos(node, 0) ? 1 : 0, all, NULL, c->err))
            return -1;
        for (size_t i = 0; node_ints[i]; i++) {
            const char *v = fget(node, node_ints[i]);
            int64_t x;
            if (v && parse_int(v, &x))
                return lerr(c->err, node->line, "%s=%s: expected a number", node_ints[i], v);
        }
        if (pos(node, 1))
            return lerr(c->err, node->line, "node: one name at most");
    }
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 2);
    ei_x_encode_atom(&x, "node");
    int n_extra = 0;
    static const char *const extra[] = {
        "uptime_ms", "collected_at_ms", "sup_timeout_ms", "mq_threshold", "dict_skipped", "busy_limit", NULL};
    for (size_t i = 0; extra[i]; i++)
        n_extra += node && fget(node, extra[i]) != NULL;
    int strs = node && fget(node, "method") ? 1 : 0;
    strs += node && fget(node, "tool_version") ? 1 : 0;
    ei_x_encode_map_header(&x, 17 + n_extra + strs);
    ei_x_encode_atom(&x, "node");
    e_atom(c, &x, c->node);
    const char *v;
    ei_x_encode_atom(&x, "otp_release");
    e_bin(&x, (v = node ? fget(node, "otp") : NULL) ? v : "26");
    ei_x_encode_atom(&x, "erts_version");
    e_bin(&x, (v = node ? fget(node, "erts") : NULL) ? v : "14.2");
    ei_x_encode_atom(&x, "elixir_version");
    if ((v = node ? fget(node, "elixir") : NULL))
        e_bin(&x, v);
    else
        ei_x_encode_atom(&x, "undefined");
    if ((v = node ? fget(node, "method") : NULL)) {
        ei_x_encode_atom(&x, "method");
        e_bin(&x, v);
    }
    if ((v = node ? fget(node, "tool_version") : NULL)) {
        ei_x_encode_atom(&x, "tool_version");
        e_bin(&x, v);
    }
    static const struct {
        const char *key, *atom;
        int64_t dflt;
    } ints[] = {{"schedulers", "schedulers", 4},
                {"process_count", "process_count", -1},
                {"process_limit", "process_limit", 262144},
                {"atom_count", "atom_count", 20000},
                {"atom_limit", "atom_limit", 1048576},
                {"port_count", "port_count", 7},
                {"port_limit", "port_limit", 65536},
                {"ets_count", "ets_count", 30},
                {"ets_limit", "ets_limit", 8192},
                {"wordsize", "wordsize", 8},
                {"window", "window_ms", 1000}};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        ei_x_encode_atom(&x, ints[i].atom);
        int64_t d = ints[i].dflt < 0 ? (int64_t)n_procs : ints[i].dflt;
        e_int(&x, node_int(node, ints[i].key, d));
    }
    for (size_t i = 0; extra[i]; i++)
        if (node && fget(node, extra[i])) {
            ei_x_encode_atom(&x, extra[i]);
            e_int(&x, node_int(node, extra[i], 0));
        }
    ei_x_encode_atom(&x, "memory");
    static const char *const mk[] = {"total", "processes", "ets"};
    static const long long mv[] = {50000000, 20000000, 1000000};
    ei_x_encode_list_header(&x, 3);
    for (int i = 0; i < 3; i++) {
        ei_x_encode_tuple_header(&x, 2);
        ei_x_encode_atom(&x, mk[i]);
        ei_x_encode_longlong(&x, mv[i]);
    }
    ei_x_encode_empty_list(&x);
    ei_x_encode_atom(&x, "advisor");
    e_toks(c, &x, node ? fget(node, "advisor") : NULL);
    return feed(c, s, &x, node ? node->line : 1);
}

static void emit_proc_row(ctx *c, ei_x_buff *x, const tproc *t, uint32_t num)
{
    char nb[300];
    const char *name = subst(t->name, num, nb, sizeof nb);
    const char *ic = t->ic ? t->ic : t->dic ? "proc_lib:init_p/5" : NULL;
    ei_x_encode_tuple_header(x, t->src ? 18 : 17);
    e_pid_on(x, c->node, num);
    if (name)
        e_atom(c, x, name);
    else
        ei_x_encode_empty_list(x);
    e_mfa(c, x, ic);
    e_mfa(c, x, t->dic);
    e_toks(c, x, t->anc);
    e_mfa(c, x, t->cf ? t->cf : "gen_server:loop/7");
    e_atom(c, x, t->status ? t->status : "waiting");
    e_int(x, t->mq[0]);
    e_int(x, t->reds[0]);
    if (t->skipped) {
        ei_x_encode_atom(x, "undefined");
        ei_x_encode_atom(x, "undefined");
    } else {
        e_int(x, t->mem[0]);
        e_int(x, t->heap);
    }
    e_toks(c, x, t->links);
    e_toks(c, x, t->mons);
    e_int(x, t->monby[0]);
    ei_x_encode_atom(x, t->trap ? "true" : "false");
    e_ref(c, x, t->gl);
    if (t->callers)
        e_toks(c, x, t->callers);
    else
        ei_x_encode_atom(x, "undefined");
    if (t->src)
        e_atom(c, x, t->src);
}

static int emit_procs(ctx *c, snap *s, int second)
{
    ei_x_buff x;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 2);
    ei_x_encode_atom(&x, second ? "procs2" : "procs");
    long total = 0;
    for (size_t i = 0; i < c->n_procs; i++)
        total += second && c->procs[i].gone ? 0 : (long)(c->procs[i].last - c->procs[i].first) + 1;
    if (total)
        ei_x_encode_list_header(&x, total);
    for (size_t i = 0; i < c->n_procs; i++) {
        const tproc *t = &c->procs[i];
        if (second && t->gone)
            continue;
        for (uint32_t n = t->first;; n++) {
            if (!second)
                emit_proc_row(c, &x, t, n);
            else {
                ei_x_encode_tuple_header(&x, 5);
                e_pid_on(&x, c->node, n);
                e_int(&x, t->mq[1]);
                e_int(&x, t->reds[1]);
                if (t->skipped)
                    ei_x_encode_atom(&x, "undefined");
                else
                    e_int(&x, t->mem[1]);
                e_int(&x, t->monby[1]);
            }
            if (n == t->last)
                break;
        }
    }
    ei_x_encode_empty_list(&x);
    return feed(c, s, &x, c->n_procs ? c->procs[0].r->line : 1);
}

static void e_modules(ctx *c, ei_x_buff *x, const char *m)
{
    if (strcmp(m, "dynamic") == 0) {
        ei_x_encode_atom(x, "dynamic");
        return;
    }
    char buf[256];
    long n = 0;
    for (const char *q = m; *q;) {
        size_t l = strcspn(q, ",");
        n += l > 0;
        q += l + (q[l] == ',');
    }
    if (n)
        ei_x_encode_list_header(x, n);
    while (*m) {
        size_t l = strcspn(m, ",");
        snprintf(buf, sizeof buf, "%.*s", (int)(l < 255 ? l : 255), m);
        if (*buf)
            e_atom(c, x, buf);
        m += l + (m[l] == ',');
    }
    ei_x_encode_empty_list(x);
}

/* one child row; x NULL: only count it */
static void e_child(ctx *c, ei_x_buff *x, long *count, const char *id, const char *pid, uint32_t num, const char *type,
                    const char *restart, const char *modules)
{
    (*count)++;
    if (!x)
        return;
    ei_x_encode_tuple_header(x, 5);
    e_bin(x, id);
    if (pid)
        e_ref(c, x, pid);
    else
        e_pid_on(x, c->node, num);
    e_atom(c, x, type);
    e_atom(c, x, restart);
    e_modules(c, x, modules);
}

static int emit_children(ctx *c, ei_x_buff *x, long *count, const tsup *sp)
{
    int dyn = sup_on_demand(sp);
    size_t lo = 0, hi = c->n_kids;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->kids[mid].sup < sp->num)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < c->n_kids && c->kids[i].sup == sp->num; i++) {
        const tchild *k = &c->kids[i];
        if (k->p) {
            const tproc *t = k->p;
            char mod[256], ib[300];
            module_of(t->dic ? t->dic : t->ic, mod, sizeof mod);
            if (t->dic && strncmp(t->dic, "supervisor:", 11) == 0) /* {supervisor, Callback, 1} */
                snprintf(mod, sizeof mod, "%.*s", (int)strcspn(t->dic + 11, "/"), t->dic + 11);
            const char *type = t->type ? t->type : find_sup(c, t->first) ? "supervisor" : "worker";
            const char *restart = t->restart ? t->restart : dyn ? "temporary" : "permanent";
            for (uint32_t n = t->first;; n++) {
                char nb[300];
                const char *name = subst(t->name, n, nb, sizeof nb);
                const char *id = t->id ? subst(t->id, n, ib, sizeof ib) : dyn ? "undefined" : name ? name : mod;
                e_child(c, x, count, id, NULL, n, type, restart, t->modules ? t->modules : mod);
                if (n == t->last)
                    break;
            }
        } else {
            const rec *r = k->r;
            const char *pid = fget(r, "pid") ? fget(r, "pid") : "undefined";
            const char *id = fget(r, "id") ? fget(r, "id") : "undefined";
            const char *type = fget(r, "type") ? fget(r, "type") : "worker";
            const char *restart = fget(r, "restart") ? fget(r, "restart") : dyn ? "temporary" : "permanent";
            const char *mods = fget(r, "modules") ? fget(r, "modules") : "";
            uint32_t a, b;
            if (strstr(pid, "..")) {
                if (parse_range(pid, &a, &b) || (uint64_t)b - a >= MAX_PROCS)
                    return lerr(c->err, r->line, "pid=%s: expected a range N..M", pid);
                for (uint32_t n = a;; n++) {
                    char ib[300];
                    e_child(c, x, count, subst(id, n, ib, sizeof ib), NULL, n, type, restart, mods);
                    if (n == b)
                        break;
                }
            } else
                e_child(c, x, count, id, pid, 0, type, restart, mods);
        }
    }
    return 0;
}

static int emit_sups(ctx *c, snap *s)
{
    for (size_t i = 0; i < c->n_sups; i++) {
        const tsup *sp = &c->sups[i];
        const tproc *t = find_proc(c, sp->num);
        char nb[300];
        const char *name = sp->name ? sp->name : t ? subst(t->name, sp->num, nb, sizeof nb) : NULL;
        ei_x_buff x;
        ei_x_new(&x);
        ei_x_encode_tuple_header(&x, 12);
        ei_x_encode_atom(&x, "sup");
        e_pid_on(&x, c->node, sp->num);
        e_atom(c, &x, name ? name : "undefined");
        e_atom(c, &x, sp->kind ? sp->kind : "supervisor");
        e_atom(c, &x, sp->strategy ? sp->strategy : "undefined");
        e_int(&x, sp->intensity);
        e_int(&x, sp->period);
        long nr = 0;
        for (const char *p = sp->restarts; p && *p;) {
            char *e;
            strtoll(p, &e, 10);
            nr += e != p;
            p = e != p ? e : p + 1;
        }
        if (nr)
            ei_x_encode_list_header(&x, nr);
        for (const char *p = sp->restarts; p && *p;) {
            char *e;
            long long v = strtoll(p, &e, 10);
            if (e == p) {
                if (*p != ' ') {
                    ei_x_free(&x);
                    return lerr(c->err, sp->r->line, "restarts=%s: expected numbers", sp->restarts);
                }
                p++;
                continue;
            }
            ei_x_encode_longlong(&x, v);
            p = e;
        }
        ei_x_encode_empty_list(&x);
        e_atom(c, &x, sp->status ? sp->status : "ok");
        e_bin(&x, sp->error ? sp->error : "");
        e_int(&x, 0);
        e_atom(c, &x, sp->callback ? sp->callback : "undefined");
        if (feed(c, s, &x, sp->r->line))
            return -1;
        ei_x_new(&x);
        ei_x_encode_tuple_header(&x, 3);
        ei_x_encode_atom(&x, "sup_children");
        e_pid_on(&x, c->node, sp->num);
        long n = 0;
        if (emit_children(c, NULL, &n, sp)) {
            ei_x_free(&x);
            return -1;
        }
        if (n)
            ei_x_encode_list_header(&x, n);
        n = 0;
        emit_children(c, &x, &n, sp);
        ei_x_encode_empty_list(&x);
        if (feed(c, s, &x, sp->r->line))
            return -1;
    }
    return 0;
}

static int64_t fint(const rec *r, const char *k, int64_t dflt, int *bad)
{
    int64_t v;
    const char *s = fget(r, k);
    if (!s)
        return dflt;
    if (parse_int(s, &v)) {
        *bad = 1;
        return dflt;
    }
    return v;
}

static int flag_or_field(const rec *r, const char *k)
{
    const char *v = fget(r, k);
    if (v)
        return is_true(v);
    for (int i = 1; i < r->n; i++)
        if (!r->w[i].v && strcmp(r->w[i].k, k) == 0)
            return 1;
    return 0;
}

/* the one-line messages, each in its own message as the probe may chunk them */
static int emit_line(ctx *c, snap *s, const rec *r)
{
    ei_x_buff x;
    int bad = 0;
    const char *kw = r->kw;
    if (strcmp(kw, "app") == 0) {
        static const char *const f[] = {"master", "top", "desc", "vsn", "mod", "needs", "libdir", NULL};
        if (check_words(r, 1, f, NULL, c->err))
            return -1;
        ei_x_new(&x);
        ei_x_encode_tuple_header(&x, 9);
        ei_x_encode_atom(&x, "app");
        e_atom(c, &x, pos(r, 0));
        e_bin(&x, fget(r, "desc") ? fget(r, "desc") : "");
        e_bin(&x, fget(r, "vsn") ? fget(r, "vsn") : "");
        e_ref(c, &x, fget(r, "master"));
        e_ref(c, &x, fget(r, "top"));
        e_atom(c, &x, fget(r, "mod") ? fget(r, "mod") : "undefined");
        e_bin(&x, fget(r, "needs") ? fget(r, "needs") : "");
        e_bin(&x, fget(r, "libdir") ? fget(r, "libdir") : "");
    } else if (strcmp(kw, "ets") == 0) {
        static const char *const f[] = {"owner", "name",      "heir",       "type",  "protection", "size",
                                        "mem",   "read_conc", "write_conc", "named", NULL};
        static const char *const fl[] = {"read_conc", "named", NULL};
        if (check_words(r, 1, f, fl, c->err))
            return -1;
        ei_x_new(&x);
        ei_x_encode_tuple_header(&x, 2);
        ei_x_encode_atom(&x, "ets");
        ei_x_encode_list_header(&x, 1);
        ei_x_encode_tuple_header(&x, 11);
        e_bin(&x, pos(r, 0));
        e_atom(c, &x, fget(r, "name") ? fget(r, "name") : "undefined");
        e_ref(c, &x, fget(r, "owner"));
        e_ref(c, &x, fget(r, "heir") ? fget(r, "heir") : "none");
        e_atom(c, &x, fget(r, "type") ? fget(r, "type") : "set");
        e_atom(c, &x, fget(r, "protection") ? fget(r, "protection") : "protected");
        e_int(&x, fint(r, "size", 0, &bad));
        e_int(&x, fint(r, "mem", 0, &bad));
        ei_x_encode_atom(&x, flag_or_field(r, "read_conc") ? "true" : "false");
        e_atom(c, &x, fget(r, "write_conc") ? fget(r, "write_conc") : "false");
        ei_x_encode_atom(&x, flag_or_field(r, "named") ? "true" : "false");
        ei_x_encode_empty_list(&x);
    } else if (strcmp(kw, "registry") == 0) {
        static const char *const f[] = {"sup", "kind", "partitions", "keys", NULL};
        if (check_words(r, 1, f, NULL, c->err))
            return -1;
        ei_x_new(&x);
        ei_x_encode_tuple_header(&x, 6);
        ei_x_encode_atom(&x, "registry");
        e_atom(c, &x, pos(r, 0));
        e_ref(c, &x, fget(r, "sup"));
        e_atom(c, &x, fget(r, "kind") ? fget(r, "kind") : "unique");
        e_int(&x, fint(r, "partitions", 1, &bad));
        e_int(&x, fint(r, "keys", 0, &bad));
        if (feed(c, s, &x, r->line))
            return -1;
        /* its keys, in one message */
        ei_x_new(&x);
        ei_x_encode_tuple_header(&x, 3);
        ei_x_encode_atom(&x, "registry_keys");
        e_atom(c, &x, pos(r, 0));
        size_t k0 = first_key(c, pos(r, 0)), k1 = k0;
        while (k1 < c->n_keys && strcmp(pos(c->keys[k1], 0), pos(r, 0)) == 0)
            k1++;
        if (k1 > k0)
            ei_x_encode_list_header(&x, (long)(k1 - k0));
        for (size_t i = k0; i < k1; i++) {
            ei_x_encode_tuple_header(&x, 2);
            e_bin(&x, pos(c->keys[i], 1));
            e_ref(c, &x, pos(c->keys[i], 2));
        }
        ei_x_encode_empty_list(&x);
    } else if (strcmp(kw, "global") == 0) {
        if (check_words(r, 2, NULL, NULL, c->err))
            return -1;
        ei_x_new(&x);
        ei_x_encode_tuple_header(&x, 2);
        ei_x_encode_atom(&x, "global");
        ei_x_encode_list_header(&x, 1);
        ei_x_encode_tuple_header(&x, 2);
        e_bin(&x, pos(r, 0));
        e_ref(c, &x, pos(r, 1));
        ei_x_encode_empty_list(&x);
    } else if (strcmp(kw, "pg") == 0 || strcmp(kw, "pg_group") == 0) {
        int grp = kw[2] == '_';
        static const char *const f1[] = {"groups", "members", NULL}, *const f2[] = {"local", "total", NULL};
        if (check_words(r, grp ? 2 : 1, grp ? f2 : f1, NULL, c->err))
            return -1;
        ei_x_new(&x);
        ei_x_encode_tuple_header(&x, 2);
        ei_x_encode_atom(&x, grp ? "pg_groups" : "pg");
        ei_x_encode_list_header(&x, 1);
        ei_x_encode_tuple_header(&x, grp ? 4 : 3);
        e_atom(c, &x, pos(r, 0));
        if (grp)
            e_bin(&x, pos(r, 1));
        e_int(&x, fint(r, grp ? "local" : "groups", 0, &bad));
        e_int(&x, fint(r, grp ? "total" : "members", 0, &bad));
        ei_x_encode_empty_list(&x);
    } else if (strcmp(kw, "start_links") == 0) {
        static const char *const f[] = {"source", "md5", NULL}, *const fl[] = {"*", NULL};
        if (check_words(r, 1, f, fl, c->err))
            return -1;
        ei_x_new(&x);
        ei_x_encode_tuple_header(&x, 2);
        ei_x_encode_atom(&x, "start_links");
        ei_x_encode_list_header(&x, 1);
        int ar = fget(r, "md5") ? 4 : fget(r, "source") ? 3 : 2;
        ei_x_encode_tuple_header(&x, ar);
        e_atom(c, &x, pos(r, 0));
        int na = 0;
        while (pos(r, na + 1))
            na++;
        if (na)
            ei_x_encode_list_header(&x, na);
        for (int i = 1; pos(r, i); i++) {
            int64_t a = 0;
            if (parse_int(pos(r, i), &a))
                bad = 1;
            e_int(&x, a);
        }
        ei_x_encode_empty_list(&x);
        if (ar >= 3) {
            if (fget(r, "source"))
                e_bin(&x, fget(r, "source"));
            else
                ei_x_encode_atom(&x, "undefined");
        }
        if (ar == 4)
            e_bin(&x, fget(r, "md5"));
        ei_x_encode_empty_list(&x);
    } else if (strcmp(kw, "error") == 0) {
        if (check_words(r, 1, NULL, NULL, c->err))
            return -1;
        ei_x_new(&x);
        ei_x_encode_tuple_header(&x, 2);
        ei_x_encode_atom(&x, "error");
        e_bin(&x, pos(r, 0));
    } else
        return 0;
    if (bad) {
        ei_x_free(&x);
        return lerr(c->err, r->line, "%s: a field that should be a number is not", kw);
    }
    return feed(c, s, &x, r->line);
}

static int emit_dist(ctx *c, snap *s, const rec *node)
{
    ei_x_buff x;
    int any = 0, bad = 0;
    for (size_t i = 0; i < c->n_recs; i++)
        any += strcmp(c->recs[i]->kw, "dist") == 0;
    if (!any)
        return 0;
    ei_x_new(&x);
    ei_x_encode_tuple_header(&x, 3);
    ei_x_encode_atom(&x, "dist");
    ei_x_encode_map_header(&x, 1);
    ei_x_encode_atom(&x, "busy_limit");
    e_int(&x, node_int(node, "busy_limit", 1024 * 1024));
    int line = 1;
    ei_x_encode_list_header(&x, any);
    for (size_t i = 0; i < c->n_recs; i++) {
        const rec *r = c->recs[i];
        static const char *const f[] = {"kind", "looks", "pending", "max_pending", "sent", "us", NULL};
        if (strcmp(r->kw, "dist") != 0)
            continue;
        if (check_words(r, 1, f, NULL, c->err)) {
            ei_x_free(&x);
            return -1;
        }
        line = r->line;
        ei_x_encode_tuple_header(&x, 7);
        e_atom(c, &x, pos(r, 0));
        e_atom(c, &x, fget(r, "kind") ? fget(r, "kind") : "port");
        e_int(&x, fint(r, "looks", 50, &bad));
        e_int(&x, fint(r, "pending", 0, &bad));
        e_int(&x, fint(r, "max_pending", 0, &bad));
        e_int(&x, fint(r, "sent", 0, &bad));
        e_int(&x, fint(r, "us", 1000000, &bad));
    }
    ei_x_encode_empty_list(&x);
    if (bad) {
        ei_x_free(&x);
        return lerr(c->err, line, "dist: a field that should be a number is not");
    }
    return feed(c, s, &x, line);
}

static const char *const known[] = {"node",   "proc", "sup",      "child",       "app",  "ets",  "registry", "key",
                                    "global", "pg",   "pg_group", "start_links", "dist", "done", "error",    NULL};

/* one node's records into a finished snap */
static snap *compile_node(ctx *c, const rec *node)
{
    for (size_t i = 0; i < c->n_recs; i++) {
        int ok = 0;
        for (size_t k = 0; known[k] && !ok; k++)
            ok = strcmp(known[k], c->recs[i]->kw) == 0;
        if (!ok) {
            lerr(c->err, c->recs[i]->line, "unknown line '%s'", c->recs[i]->kw);
            return NULL;
        }
    }
    if (build_parts(c))
        return NULL;
    size_t n_procs = 0;
    for (size_t i = 0; i < c->n_procs; i++)
        n_procs += (size_t)(c->procs[i].last - c->procs[i].first) + 1;
    snap *s = snap_new();
    int64_t window = node_int(node, "window", 1000);
    if (emit_node(c, s, node, n_procs) || emit_procs(c, s, 0))
        goto fail;
    for (size_t i = 0; i < c->n_recs; i++)
        if (strcmp(c->recs[i]->kw, "app") == 0 && emit_line(c, s, c->recs[i]))
            goto fail;
    if (emit_sups(c, s))
        goto fail;
    for (size_t i = 0; i < c->n_recs; i++)
        if (strcmp(c->recs[i]->kw, "app") != 0 && emit_line(c, s, c->recs[i]))
            goto fail;
    if (emit_dist(c, s, node))
        goto fail;
    const rec *done = NULL;
    for (size_t i = 0; i < c->n_recs; i++)
        if (strcmp(c->recs[i]->kw, "done") == 0)
            done = c->recs[i];
    if (window > 0 || done) {
        if (window > 0 && emit_procs(c, s, 1))
            goto fail;
        static const char *const f[] = {"gap_us", "walk1_us", "walk2_us", "total_us", "reds_delta", NULL};
        if (done && check_words(done, 0, f, NULL, c->err))
            goto fail;
        int bad = 0;
        int64_t gap = done ? fint(done, "gap_us", window * 1000, &bad) : window * 1000;
        int64_t v[5] = {gap, 1500, 1400, gap + 10000, 0};
        for (int i = 1; done && i < 5; i++)
            v[i] = fint(done, f[i], v[i], &bad);
        if (bad) {
            lerr(c->err, done->line, "done: a field that should be a number is not");
            goto fail;
        }
        ei_x_buff x;
        ei_x_new(&x);
        ei_x_encode_tuple_header(&x, 2);
        ei_x_encode_atom(&x, "done");
        ei_x_encode_map_header(&x, 5);
        for (int i = 0; i < 5; i++) {
            ei_x_encode_atom(&x, f[i]);
            e_int(&x, v[i]);
        }
        if (feed(c, s, &x, done ? done->line : 1))
            goto fail;
    }
    char e2[OA_ERRLEN];
    if (snap_finish(s, e2)) {
        errf(c->err, "snapshot text: %s", e2);
        goto fail;
    }
    return s;
fail:
    snap_free(s);
    return NULL;
}

int snap_text_is(const void *buf, size_t len)
{
    size_t m = strlen(SNAP_TEXT_MAGIC);
    return len >= m && memcmp(buf, SNAP_TEXT_MAGIC, m) == 0;
}

int snap_text_load_nodes(const void *buf, size_t len, snap_loaded **out, size_t *n_out, char *err)
{
    *out = NULL;
    *n_out = 0;
    if (!snap_text_is(buf, len))
        return errf(err, "not an otp-advisor snapshot text (its first line is \"%s 1\")", SNAP_TEXT_MAGIC);
    if (memchr(buf, 0, len))
        return errf(err, "snapshot text: a NUL byte in the text");
    char *text = xmalloc(len + 1);
    memcpy(text, buf, len);
    text[len] = 0;
    char *nl = strchr(text, '\n');
    const char *ver = text + strlen(SNAP_TEXT_MAGIC);
    while (*ver == ' ')
        ver++;
    if (strncmp(ver, "1", 1) != 0 || (ver[1] != '\n' && ver[1] != '\r' && ver[1] != ' ' && ver[1] != 0)) {
        free(text);
        return errf(err, "snapshot text: unsupported version (this build reads 1)");
    }
    recs rs = {0};
    recs_own(&rs, text);
    int rc = nl ? read_lines(&rs, nl + 1, 2, 1, err) : 0;
    /* nodes: the first starts at the top; each later `node` line starts the next, and a
     * file of several nodes names each first */
    size_t *starts = xcalloc(rs.n + 1, sizeof *starts), n_nodes = 1;
    for (size_t i = 1; rc == 0 && i < rs.n; i++)
        if (strcmp(rs.v[i].kw, "node") == 0) {
            if (strcmp(rs.v[0].kw, "node") != 0)
                rc = lerr(err, rs.v[i].line, "a node line after other lines: each node starts with its own");
            starts[n_nodes++] = i;
        }
    snap_loaded *l = rc ? NULL : xcalloc(n_nodes, sizeof *l);
    for (size_t k = 0; rc == 0 && k < n_nodes; k++) {
        size_t a = starts[k], b = k + 1 < n_nodes ? starts[k + 1] : rs.n;
        const rec *node = a < rs.n && strcmp(rs.v[a].kw, "node") == 0 ? &rs.v[a] : NULL;
        if (node && pos(node, 0) && strlen(pos(node, 0)) > 255) {
            rc = lerr(err, node->line, "a node name longer than 255 characters");
            break;
        }
        ctx c = {.err = err, .node = node && pos(node, 0) ? pos(node, 0) : "n@h"};
        c.recs = xcalloc(b - a + 1, sizeof *c.recs);
        for (size_t i = a + (node != NULL); i < b; i++)
            c.recs[c.n_recs++] = &rs.v[i];
        if (rc == 0) {
            l[k].node = xstrdup(c.node);
            if (!(l[k].s = compile_node(&c, node)))
                rc = -1;
        }
        free(c.recs);
        ctx_free(&c);
    }
    for (size_t i = 0; i < rs.n_bufs; i++)
        free(rs.bufs[i]);
    free(rs.bufs);
    free(rs.v);
    free(starts);
    if (rc) {
        snap_loaded_free(l, n_nodes);
        return -1;
    }
    *out = l;
    *n_out = n_nodes;
    return 0;
}
