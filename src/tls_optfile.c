/* tls_optfile.c — read the client section of an ssl_dist_optfile.
 *
 * The file an operator already has for `-ssl_dist_optfile` is one Erlang term:
 * [{server, [Opt]}, {client, [Opt]}]. We read the subset of Erlang's term syntax such a
 * file uses (lists, tuples, atoms, quoted atoms, strings, binaries of a string, integers,
 * % comments) and take the options that decide how a client connects. Options we do not
 * apply are named, so a user is told rather than silently ignored. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport.h"
#include "util.h"

enum tkind { T_ATOM, T_STR, T_INT, T_LIST, T_TUPLE };
typedef struct term {
    enum tkind k;
    char *s; /* atom or string text */
    long i;
    struct term **el;
    int n;
} term;

typedef struct {
    const char *p, *end;
    int line;
    char *err;
    int depth;
} rd;

static void tfree(term *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n; i++)
        tfree(t->el[i]);
    free(t->el);
    free(t->s);
    free(t);
}

static void skip_ws(rd *r)
{
    while (r->p < r->end) {
        if (*r->p == '%') {
            while (r->p < r->end && *r->p != '\n')
                r->p++;
        } else if (isspace((unsigned char)*r->p)) {
            if (*r->p == '\n')
                r->line++;
            r->p++;
        } else
            break;
    }
}

static term *tnew(enum tkind k)
{
    term *t = calloc(1, sizeof *t);
    if (t)
        t->k = k;
    return t;
}

/* a quoted run ("..." or '...') with Erlang's common escapes */
static char *quoted(rd *r, char q)
{
    r->p++;
    size_t cap = 64, n = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    while (r->p < r->end && *r->p != q) {
        char c = *r->p++;
        if (c == '\\' && r->p < r->end) {
            char e = *r->p++;
            c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 's' ? ' ' : e;
        }
        if (c == '\n')
            r->line++;
        if (n + 2 > cap) {
            char *g = realloc(s, cap *= 2);
            if (!g)
                return free(s), NULL;
            s = g;
        }
        s[n++] = c;
    }
    if (r->p >= r->end) {
        free(s);
        errf(r->err, "line %d: a quote is not closed", r->line);
        return NULL;
    }
    r->p++;
    s[n] = 0;
    return s;
}

static term *parse(rd *r);

static int push(term *t, term *e)
{
    term **g = realloc(t->el, (size_t)(t->n + 1) * sizeof *g);
    if (!g)
        return -1;
    t->el = g;
    t->el[t->n++] = e;
    return 0;
}

static term *seq(rd *r, enum tkind k, char close)
{
    term *t = tnew(k);
    if (!t)
        return NULL;
    r->p++;
    skip_ws(r);
    if (r->p < r->end && *r->p == close) {
        r->p++;
        return t;
    }
    for (;;) {
        term *e = parse(r);
        if (!e || push(t, e)) {
            tfree(e);
            tfree(t);
            return NULL;
        }
        skip_ws(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        if (r->p < r->end && *r->p == close) {
            r->p++;
            return t;
        }
        errf(r->err, "line %d: expected ',' or '%c'", r->line, close);
        tfree(t);
        return NULL;
    }
}

static term *parse(rd *r)
{
    skip_ws(r);
    if (r->p >= r->end) {
        errf(r->err, "line %d: the term ends too early", r->line);
        return NULL;
    }
    if (++r->depth > 32) {
        errf(r->err, "line %d: nested too deep", r->line);
        return NULL;
    }
    term *t = NULL;
    char c = *r->p;
    if (c == '[')
        t = seq(r, T_LIST, ']');
    else if (c == '{')
        t = seq(r, T_TUPLE, '}');
    else if (c == '"' || c == '\'') {
        t = tnew(c == '"' ? T_STR : T_ATOM);
        if (t && !(t->s = quoted(r, c)))
            tfree(t), t = NULL;
    } else if (c == '<' && r->end - r->p >= 2 && r->p[1] == '<') {
        r->p += 2;
        skip_ws(r);
        if (r->p >= r->end || *r->p != '"') {
            errf(r->err, "line %d: only binaries of a string (<<\"...\">>) are read", r->line);
            return NULL;
        }
        t = tnew(T_STR);
        if (t && !(t->s = quoted(r, '"')))
            tfree(t), t = NULL;
        skip_ws(r);
        if (t && (r->end - r->p < 2 || r->p[0] != '>' || r->p[1] != '>')) {
            errf(r->err, "line %d: a binary is not closed with >>", r->line);
            tfree(t), t = NULL;
        } else if (t)
            r->p += 2;
    } else if (isdigit((unsigned char)c) || c == '-') {
        /* by hand: the text has no terminating NUL, and strtol would read past its end */
        int neg = c == '-';
        const char *q = r->p + neg;
        long v = 0;
        if (q >= r->end || !isdigit((unsigned char)*q)) {
            errf(r->err, "line %d: unexpected '%c'", r->line, c);
            return NULL;
        }
        while (q < r->end && isdigit((unsigned char)*q) && v < 100000000)
            v = v * 10 + (*q++ - '0');
        r->p = q;
        v = neg ? -v : v;
        t = tnew(T_INT);
        if (t)
            t->i = v;
    } else if (islower((unsigned char)c)) {
        const char *b = r->p;
        while (r->p < r->end && (isalnum((unsigned char)*r->p) || *r->p == '_' || *r->p == '@'))
            r->p++;
        t = tnew(T_ATOM);
        if (t && !(t->s = strndup(b, (size_t)(r->p - b))))
            tfree(t), t = NULL;
    } else {
        errf(r->err, "line %d: unexpected '%c' (a fun or a variable cannot be read from a file)", r->line, c);
        return NULL;
    }
    r->depth--;
    return t;
}

static int is_atom(const term *t, const char *a)
{
    return t && t->k == T_ATOM && !strcmp(t->s, a);
}

static int take_str(const term *v, char *out, size_t n, const char *key, char *err)
{
    if (!v || v->k != T_STR)
        return errf(err, "client option %s: expected a string", key);
    if (strlen(v->s) >= n)
        return errf(err, "client option %s: too long", key);
    snprintf(out, n, "%s", v->s);
    return 0;
}

static void note_ignored(tls_client_cfg *cfg, const char *key)
{
    size_t l = strlen(cfg->ignored);
    if (l + strlen(key) + 3 < sizeof cfg->ignored)
        snprintf(cfg->ignored + l, sizeof cfg->ignored - l, "%s%s", l ? ", " : "", key);
}

/* options that change nothing for a client connecting once: read silently */
static const char *harmless[] = {"secure_renegotiate", "reuse_sessions", "log_level",    "log_alert",
                                 "hibernate_after",    "handshake",      "keep_secrets", NULL};

static int client_opts(const term *opts, tls_client_cfg *cfg, char *err)
{
    if (opts->k != T_LIST)
        return errf(err, "the client section is not a list of options");
    for (int i = 0; i < opts->n; i++) {
        const term *o = opts->el[i];
        if (o->k == T_ATOM) /* a bare atom is {Atom, true} in proplists */
            continue;
        if (o->k != T_TUPLE || o->n != 2 || o->el[0]->k != T_ATOM)
            return errf(err, "client option %d is not a {Key, Value} pair", i + 1);
        const char *k = o->el[0]->s;
        const term *v = o->el[1];
        if (!strcmp(k, "certfile")) {
            if (take_str(v, cfg->cert, sizeof cfg->cert, k, err))
                return -1;
        } else if (!strcmp(k, "keyfile")) {
            if (take_str(v, cfg->key, sizeof cfg->key, k, err))
                return -1;
        } else if (!strcmp(k, "cacertfile")) {
            if (take_str(v, cfg->cacert, sizeof cfg->cacert, k, err))
                return -1;
        } else if (!strcmp(k, "password")) {
            if (take_str(v, cfg->password, sizeof cfg->password, k, err))
                return -1;
        } else if (!strcmp(k, "verify")) {
            if (is_atom(v, "verify_peer"))
                cfg->verify = TLS_VERIFY_PEER;
            else if (is_atom(v, "verify_none"))
                cfg->verify = TLS_VERIFY_NONE;
            else
                return errf(err, "client option verify: expected verify_peer or verify_none");
        } else if (!strcmp(k, "server_name_indication")) {
            if (is_atom(v, "disable"))
                cfg->sni_disable = 1;
            else if (take_str(v, cfg->sni, sizeof cfg->sni, k, err))
                return -1;
        } else if (!strcmp(k, "depth")) {
            if (v->k != T_INT || v->i < 0 || v->i > 100)
                return errf(err, "client option depth: expected an integer 0..100");
            cfg->depth = (int)v->i;
        } else if (!strcmp(k, "versions")) {
            if (v->k != T_LIST)
                return errf(err, "client option versions: expected a list");
            int lo = 0;
            for (int j = 0; j < v->n; j++) {
                int ver = is_atom(v->el[j], "tlsv1.3") ? 13 : is_atom(v->el[j], "tlsv1.2") ? 12 : 0;
                if (!ver)
                    return errf(err, "client option versions: only 'tlsv1.2' and 'tlsv1.3' are supported");
                if (!lo || ver < lo)
                    lo = ver;
            }
            cfg->min_version = lo;
        } else {
            int h = 0;
            for (int j = 0; harmless[j]; j++)
                h |= !strcmp(k, harmless[j]);
            if (!h)
                note_ignored(cfg, k);
        }
    }
    return 0;
}

int tls_optfile_parse(const char *text, size_t len, tls_client_cfg *cfg, char *err)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->depth = -1;
    rd r = {text, text + len, 1, err, 0};
    term *t = parse(&r);
    if (!t)
        return -1;
    skip_ws(&r);
    int rc = 0;
    if (r.p >= r.end || *r.p != '.')
        rc = errf(err, "line %d: the term must end with a full stop", r.line);
    else if (t->k != T_LIST)
        rc = errf(err, "expected a list: [{server, Opts}, {client, Opts}]");
    else {
        const term *client = NULL;
        for (int i = 0; i < t->n; i++) {
            const term *e = t->el[i];
            if (e->k == T_TUPLE && e->n == 2 && is_atom(e->el[0], "client"))
                client = e->el[1];
        }
        if (!client)
            rc = errf(err, "no client section: otp-advisor connects as a client ({client, [...]})");
        else
            rc = client_opts(client, cfg, err);
    }
    tfree(t);
    return rc;
}

int tls_optfile_read(const char *path, tls_client_cfg *cfg, char *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return errf(err, "cannot read the TLS options file %s: %s", path, strerror(errno));
    char *buf = malloc(65537);
    if (!buf) {
        fclose(f);
        return errf(err, "out of memory");
    }
    size_t n = fread(buf, 1, 65537, f);
    fclose(f);
    int rc;
    if (n > 65536)
        rc = errf(err, "the TLS options file %s is larger than 64 KB", path);
    else {
        char e2[OA_ERRLEN];
        rc = tls_optfile_parse(buf, n, cfg, e2);
        if (rc)
            errf(err, "%s: %s", path, e2);
    }
    free(buf);
    return rc;
}
