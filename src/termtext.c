/* termtext.c — terms as Erlang or Elixir source text (see termtext.h). */
#include "termtext.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TT_MAX_DEPTH 64

typedef struct {
    etf_rd *r;
    const tt_style *st;
    strbuf *o;
    size_t start; /* out->len when the term began: the cap counts from here */
} pr;

int tt_is_lower(int c)
{
    return c >= 'a' && c <= 'z';
}
int tt_is_upper(int c)
{
    return c >= 'A' && c <= 'Z';
}
int tt_is_digit(int c)
{
    return c >= '0' && c <= '9';
}
static int is_word(int c)
{
    return tt_is_lower(c) || tt_is_upper(c) || tt_is_digit(c) || c == '_';
}

static int full(const pr *p)
{
    return p->o->len - p->start >= TT_MAX_OUT;
}

/* ---- strings and atoms ---------------------------------------------------------- */

/* the length of the UTF-8 sequence at s (at most n bytes), and its code point; 0 if invalid */
static size_t utf8_at(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len = s[0] >= 0xF0 && s[0] < 0xF5 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 && s[0] < 0xE0 ? 2 : 0;
    if (!len || len > n || (s[0] >= 0xF0 && len != 4))
        return 0;
    uint32_t c = s[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3F);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10FFFF)) || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

static int escape_letter(uint32_t c)
{
    switch (c) {
    case '\n':
        return 'n';
    case '\r':
        return 'r';
    case '\t':
        return 't';
    case '\v':
        return 'v';
    case '\b':
        return 'b';
    case '\f':
        return 'f';
    case 27:
        return 'e';
    default:
        return 0;
    }
}

static void put_utf8(strbuf *o, uint32_t c)
{
    char b[4];
    size_t n;
    if (c < 0x80) {
        b[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        b[0] = (char)(0xC0 | c >> 6);
        b[1] = (char)(0x80 | (c & 0x3F));
        n = 2;
    } else if (c < 0x10000) {
        b[0] = (char)(0xE0 | c >> 12);
        b[1] = (char)(0x80 | (c >> 6 & 0x3F));
        b[2] = (char)(0x80 | (c & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | c >> 18);
        b[1] = (char)(0x80 | (c >> 12 & 0x3F));
        b[2] = (char)(0x80 | (c >> 6 & 0x3F));
        b[3] = (char)(0x80 | (c & 0x3F));
        n = 4;
    }
    sb_add(o, b, n);
}

/* one code point inside quotes q: escaped where the language needs it */
static void put_char(strbuf *o, uint32_t c, char q, int elixir, const unsigned char *next, size_t left)
{
    int e = escape_letter(c);
    if (c == (uint32_t)q || c == '\\')
        sb_putc(o, '\\'), sb_putc(o, (char)c);
    else if (e)
        sb_putc(o, '\\'), sb_putc(o, (char)e);
    else if (elixir && c == '#' && left > 0 && next[0] == '{')
        sb_puts(o, "\\#"); /* no interpolation */
    else if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0))
        sb_printf(o, elixir ? "\\u{%X}" : "\\x{%X}", (unsigned)c);
    else
        put_utf8(o, c);
}

/* UTF-8 text (invalid bytes escaped one by one) between quotes q */
static void put_quoted_utf8(strbuf *o, const unsigned char *s, size_t n, char q, int elixir)
{
    sb_putc(o, q);
    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t l = utf8_at(s + i, n - i, &c);
        if (!l) {
            sb_printf(o, elixir ? "\\x%02X" : "\\x{%X}", s[i]);
            i++;
            continue;
        }
        put_char(o, c, q, elixir, s + i + l, n - i - l);
        i += l;
    }
    sb_putc(o, q);
}

static int erl_plain_atom(const char *s, size_t n)
{
    static const char *const reserved[] = {"after", "and",  "andalso", "band",  "begin", "bnot",   "bor",     "bsl",
                                           "bsr",   "bxor", "case",    "catch", "cond",  "div",    "end",     "fun",
                                           "if",    "let",  "not",     "of",    "or",    "orelse", "receive", "rem",
                                           "try",   "when", "xor",     "maybe", "else",  NULL};
    if (!n || !tt_is_lower((unsigned char)s[0]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_word((unsigned char)s[i]) && s[i] != '@')
            return 0;
    for (int i = 0; reserved[i]; i++)
        if (strlen(reserved[i]) == n && !memcmp(reserved[i], s, n))
            return 0;
    return 1;
}

/* foo, foo_bar?, valid! : an Elixir atom that needs no quotes (keyword: also as a key) */
static int ex_plain_atom(const char *s, size_t n, int keyword)
{
    if (!n || !(tt_is_lower((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_word(c) || (!keyword && c == '@'))
            continue;
        if ((c == '?' || c == '!') && i == n - 1 && i > 0)
            continue;
        return 0;
    }
    return 1;
}

int tt_is_ex_alias(const char *s, size_t n)
{
    if (n <= 7 || memcmp(s, "Elixir.", 7) != 0)
        return 0;
    size_t i = 7;
    for (;;) { /* Segment(.Segment)*, each [A-Z][A-Za-z0-9_]* */
        if (i >= n || !tt_is_upper((unsigned char)s[i]))
            return 0;
        while (i < n && is_word((unsigned char)s[i]))
            i++;
        if (i == n)
            return 1;
        if (s[i] != '.')
            return 0;
        i++;
    }
}

void tt_atom(strbuf *o, const char *s, size_t n, int elixir)
{
    if (!elixir) {
        if (erl_plain_atom(s, n))
            sb_add(o, s, n);
        else
            put_quoted_utf8(o, (const unsigned char *)s, n, '\'', 0);
        return;
    }
    if (etf_atom_eq(s, n, "nil") || etf_atom_eq(s, n, "true") || etf_atom_eq(s, n, "false"))
        sb_add(o, s, n);
    else if (tt_is_ex_alias(s, n))
        sb_add(o, s + 7, n - 7);
    else if (ex_plain_atom(s, n, 0)) {
        sb_putc(o, ':');
        sb_add(o, s, n);
    } else {
        sb_putc(o, ':');
        put_quoted_utf8(o, (const unsigned char *)s, n, '"', 1);
    }
}

/* ---- numbers ---------------------------------------------------------------------- */

static void put_double(strbuf *o, double d)
{
    if (!isfinite(d)) { /* not in the external format; a hostile file */
        sb_puts(o, "...");
        return;
    }
    char b[400]; /* the fewest digits that read back the same */
    snprintf(b, sizeof b, "%.1g", d);
    /* those digits, fixed for exponents -4..15 (100.0, 0.1) and scientific beyond
     * (1.0e20, -2.5e-7): a dot and a digit on each side, valid in both languages */
    int prec = 1;
    while (prec < 17 && strtod(b, NULL) != d)
        snprintf(b, sizeof b, "%.*g", ++prec, d);
    char e[48];
    snprintf(e, sizeof e, "%.*e", prec - 1, d);
    int ex = atoi(strchr(e, 'e') + 1);
    if (ex >= -4 && ex < 16) {
        snprintf(b, sizeof b, "%.*f", prec - 1 - ex > 1 ? prec - 1 - ex : 1, d);
        sb_puts(o, b);
        return;
    }
    char *m = e, *x = strchr(e, 'e');
    *x = 0;
    sb_puts(o, m);
    if (!strchr(m, '.'))
        sb_puts(o, ".0");
    sb_printf(o, "e%d", ex);
}

/* a big integer: n little-endian magnitude bytes */
static void put_big(strbuf *o, const unsigned char *mag, size_t n, int neg)
{
    if (n > 1024) {
        sb_puts(o, "...");
        return;
    }
    size_t words = (n + 3) / 4;
    uint32_t *w = xcalloc(words ? words : 1, sizeof *w);
    for (size_t i = 0; i < n; i++)
        w[i / 4] |= (uint32_t)mag[i] << (8 * (i % 4));
    char *digits = xmalloc(n * 3 + 2);
    size_t nd = 0, live = words;
    while (live && !w[live - 1])
        live--;
    while (live) { /* divide by 10^9, collect 9 digits per round */
        uint64_t rem = 0;
        for (size_t i = live; i-- > 0;) {
            uint64_t cur = rem << 32 | w[i];
            w[i] = (uint32_t)(cur / 1000000000u);
            rem = cur % 1000000000u;
        }
        while (live && !w[live - 1])
            live--;
        for (int k = 0; k < 9 && (live || rem); k++) {
            digits[nd++] = (char)('0' + rem % 10);
            rem /= 10;
        }
    }
    if (!nd)
        digits[nd++] = '0';
    if (neg)
        sb_putc(o, '-');
    while (nd)
        sb_putc(o, digits[--nd]);
    free(digits);
    free(w);
}

/* ---- terms ------------------------------------------------------------------------- */

static int term(pr *p, int depth);

/* the next term is this atom? / a tuple of this arity whose first element is the atom tag? */
static int next_is(const etf_rd *r, const char *name)
{
    return etf_is_atom(r, name);
}
static int next_marked(const etf_rd *r, const char *tag, uint32_t arity)
{
    etf_rd c = *r;
    uint32_t a;
    if (etf_peek(&c) != ETF_SMALL_TUPLE || etf_tuple(&c, &a) || a != arity)
        return 0;
    return etf_is_atom(&c, tag);
}

static void put_pidish(pr *p, const char *kind, const char *node, size_t nl, const char *rest)
{
    int local = p->st->node && nl == p->st->node_len && !memcmp(node, p->st->node, nl);
    sb_puts(p->o, kind);
    sb_putc(p->o, '<');
    if (local)
        sb_putc(p->o, '0');
    else
        sb_add(p->o, node, nl);
    sb_puts(p->o, rest);
    sb_putc(p->o, '>');
}

static void put_byte_seq(pr *p, const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (full(p)) {
            sb_puts(p->o, i ? (p->st->elixir ? ", ..." : ",...") : "...");
            return;
        }
        sb_printf(p->o, "%s%u", i ? (p->st->elixir ? ", " : ",") : "", s[i]);
    }
}

/* a STRING_EXT (bytes): a charlist when printable, else a list of integers */
static void put_bytes_list(pr *p, const unsigned char *s, size_t n)
{
    int elixir = p->st->elixir, printable = 1;
    for (size_t i = 0; i < n && printable; i++) {
        unsigned c = s[i];
        printable = (c >= 32 && c < 127) || escape_letter(c) || (!elixir && c >= 160);
    }
    if (printable) {
        if (elixir)
            sb_puts(p->o, "~c");
        sb_putc(p->o, '"');
        for (size_t i = 0; i < n; i++)
            put_char(p->o, s[i], '"', elixir, s + i + 1, n - i - 1);
        sb_putc(p->o, '"');
        return;
    }
    sb_putc(p->o, '[');
    put_byte_seq(p, s, n);
    sb_putc(p->o, ']');
}

/* a binary: a string when it is printable UTF-8, else its bytes; cut: the probe kept only
 * these first bytes (a character cut in two at the end is dropped) */
static void put_binary(pr *p, const unsigned char *s, size_t n, int cut)
{
    int elixir = p->st->elixir, ok = 1, ascii = 1;
    size_t end = n;
    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t l = utf8_at(s + i, n - i, &c);
        if (!l) {
            if (cut && n - i < 4)
                end = i;
            else
                ok = 0;
            break;
        }
        if (!((c >= 0x20 && c != 0x7F && (c < 0x80 || c >= 0xA0)) || escape_letter(c))) {
            ok = 0;
            break;
        }
        ascii = ascii && c < 0x80;
        i += l;
    }
    if (ok) {
        if (!elixir)
            sb_puts(p->o, "<<");
        put_quoted_utf8(p->o, s, end, '"', elixir);
        if (cut) { /* ..." inside the quotes: the string went on */
            p->o->len--;
            sb_puts(p->o, "...\"");
        }
        if (!elixir)
            sb_puts(p->o, ascii ? ">>" : "/utf8>>");
        return;
    }
    sb_puts(p->o, "<<");
    put_byte_seq(p, s, n);
    if (cut)
        sb_puts(p->o, n ? (elixir ? ", ..." : ",...") : "...");
    sb_puts(p->o, ">>");
}

/* Printing stopped at the cap: the rest of a sequence is read and left out. */
static int skip_rest(pr *p, uint32_t left, int tail)
{
    while (left--)
        if (etf_skip(p->r))
            return -1;
    return tail ? etf_skip(p->r) : 0;
}

enum { SEQ_PLAIN, SEQ_KEYWORD, SEQ_PAIRS };

/* n elements (the header read already), then, for a list, its tail: [] ends it, the
 * probe's '$oa_cut' says the rest was left out, anything else is an improper tail.
 * SEQ_KEYWORD prints {key, value} elements as key: value, SEQ_PAIRS a flat K, V, K, V... */
static int seq(pr *p, uint32_t n, int depth, int mode, int list, int string)
{
    int elixir = p->st->elixir;
    const char *sep = elixir ? ", " : ",";
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            sb_puts(p->o, mode == SEQ_PAIRS && i % 2 ? " => " : sep);
        if (full(p)) {
            sb_puts(p->o, "...");
            return skip_rest(p, n - i, list && !string);
        }
        if (mode == SEQ_KEYWORD) {
            uint32_t a;
            const char *k;
            size_t kl;
            if (etf_tuple(p->r, &a) || etf_atom(p->r, &k, &kl))
                return -1;
            sb_add(p->o, k, kl);
            sb_puts(p->o, ": ");
        }
        if (term(p, depth + 1))
            return -1;
    }
    if (string)
        return etf_list_end(p->r);
    if (!list)
        return 0;
    if (etf_peek(p->r) == ETF_NIL)
        return etf_skip(p->r);
    if (next_is(p->r, "$oa_cut")) {
        etf_skip(p->r);
        if (!n)
            sb_puts(p->o, "...");
        else if (mode == SEQ_PAIRS && n % 2)
            sb_puts(p->o, " => ...");
        else
            sb_puts(p->o, elixir ? ", ..." : list == 2 ? ",..." : "|...");
        return 0;
    }
    if (mode != SEQ_PLAIN || list == 2)
        return etf_fail(p->r);
    sb_puts(p->o, elixir ? " | " : "|");
    return term(p, depth + 1);
}

/* is the LIST_EXT at r (header included) a keyword list: {plain_atom, _} elements? */
static int is_keyword(const etf_rd *r)
{
    etf_rd c = *r;
    uint32_t n;
    if (etf_peek(&c) != ETF_LIST || etf_list(&c, &n) || !n)
        return 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t a;
        const char *k;
        size_t kl;
        if (etf_peek(&c) != ETF_SMALL_TUPLE || etf_tuple(&c, &a) || a != 2 || etf_atom(&c, &k, &kl) ||
            !ex_plain_atom(k, kl, 1) || etf_skip(&c))
            return 0;
    }
    return etf_peek(&c) == ETF_NIL;
}

/* the probe's {'$oa_tuple', Elements} or {'$oa_map', [K, V, K, V...]}: the tag is read */
static int marked_container(pr *p, int depth, int map)
{
    int elixir = p->st->elixir;
    int t = etf_peek(p->r);
    uint32_t n;
    sb_puts(p->o, map ? (elixir ? "%{" : "#{") : "{");
    if (t == ETF_NIL) {
        if (etf_skip(p->r))
            return -1;
    } else if (t == ETF_LIST || t == ETF_STRING) {
        if (etf_list(p->r, &n) || seq(p, n, depth, map ? SEQ_PAIRS : SEQ_PLAIN, 2, t == ETF_STRING))
            return -1;
    } else
        return etf_fail(p->r);
    sb_putc(p->o, '}');
    return 0;
}

static int term(pr *p, int depth)
{
    etf_rd *r = p->r;
    strbuf *o = p->o;
    int elixir = p->st->elixir;
    if (depth > TT_MAX_DEPTH)
        return etf_fail(r);
    if (full(p)) {
        sb_puts(o, "...");
        return etf_skip(r);
    }
    int t = etf_peek(r);
    const char *s;
    size_t n;
    uint32_t a;
    switch (t) {
    case ETF_SMALL_INT:
    case ETF_INT: {
        int64_t v;
        if (etf_int(r, &v))
            return -1;
        sb_printf(o, "%" PRId64, v);
        return 0;
    }
    case ETF_SMALL_BIG:
    case ETF_LARGE_BIG: {
        size_t hdr = t == ETF_SMALL_BIG ? 2 : 5;
        if (etf_need(r, hdr + 1))
            return -1;
        size_t len = t == ETF_SMALL_BIG ? r->p[1] : etf_be32(r->p + 1);
        if (etf_need(r, hdr + 1 + len))
            return -1;
        put_big(o, r->p + hdr + 1, len, r->p[hdr]);
        r->p += hdr + 1 + len;
        return 0;
    }
    case ETF_NEW_FLOAT: {
        if (etf_need(r, 9))
            return -1;
        uint64_t bits = (uint64_t)etf_be32(r->p + 1) << 32 | etf_be32(r->p + 5);
        double d;
        memcpy(&d, &bits, sizeof d);
        put_double(o, d);
        r->p += 9;
        return 0;
    }
    case ETF_FLOAT: {
        if (etf_need(r, 32))
            return -1;
        char b[32];
        memcpy(b, r->p + 1, 31);
        b[31] = 0;
        put_double(o, strtod(b, NULL));
        r->p += 32;
        return 0;
    }
    case ETF_ATOM:
    case ETF_ATOM_UTF8:
    case ETF_SMALL_ATOM:
    case ETF_SMALL_ATOM_UTF8:
        if (etf_atom(r, &s, &n))
            return -1;
        if (etf_atom_eq(s, n, "$oa_cut"))
            sb_puts(o, "...");
        else
            tt_atom(o, s, n, elixir);
        return 0;
    case ETF_NIL:
        sb_puts(o, "[]");
        return etf_skip(r);
    case ETF_STRING:
        if (etf_bin(r, &s, &n))
            return -1;
        put_bytes_list(p, (const unsigned char *)s, n);
        return 0;
    case ETF_LIST: {
        int kw = elixir && is_keyword(r);
        if (etf_list(r, &a))
            return -1;
        sb_putc(o, '[');
        if (seq(p, a, depth, kw ? SEQ_KEYWORD : SEQ_PLAIN, 1, 0))
            return -1;
        sb_putc(o, ']');
        return 0;
    }
    case ETF_BINARY:
        if (etf_bin(r, &s, &n))
            return -1;
        put_binary(p, (const unsigned char *)s, n, 0);
        return 0;
    case ETF_BIT_BINARY: {
        if (etf_need(r, 6))
            return -1;
        size_t len = etf_be32(r->p + 1);
        unsigned bits = r->p[5];
        if (etf_need(r, 6 + len) || !len || bits < 1 || bits > 8)
            return etf_fail(r);
        const unsigned char *d = r->p + 6;
        sb_puts(o, "<<");
        for (size_t i = 0; i + 1 < len && !full(p); i++)
            sb_printf(o, "%u%s", d[i], elixir ? ", " : ",");
        unsigned last = d[len - 1] >> (8 - bits);
        if (bits == 8)
            sb_printf(o, "%u", last);
        else
            sb_printf(o, elixir ? "%u::size(%u)" : "%u:%u", last, bits);
        sb_puts(o, ">>");
        r->p += 6 + len;
        return 0;
    }
    case ETF_SMALL_TUPLE:
    case ETF_LARGE_TUPLE: {
        if (next_marked(r, "$oa_cut", 2)) {
            if (etf_tuple(r, &a) || etf_skip(r) || etf_bin(r, &s, &n))
                return etf_fail(r);
            put_binary(p, (const unsigned char *)s, n, 1);
            return 0;
        }
        if (next_marked(r, "$oa_tuple", 2) || next_marked(r, "$oa_map", 2)) {
            int map = next_marked(r, "$oa_map", 2);
            if (etf_tuple(r, &a) || etf_skip(r))
                return -1;
            return marked_container(p, depth, map);
        }
        if (next_marked(r, "$oa_fun", 4)) {
            const char *m, *f;
            size_t ml, fl;
            int64_t ar;
            if (etf_tuple(r, &a) || etf_skip(r) || etf_atom(r, &m, &ml) || etf_atom(r, &f, &fl) || etf_int(r, &ar))
                return etf_fail(r);
            if (elixir) {
                sb_puts(o, "#Function<");
                sb_add(o, f, fl);
                sb_printf(o, "/%" PRId64 " in ", ar);
                tt_atom(o, m, ml, 1);
                sb_putc(o, '>');
            } else {
                sb_printf(o, "#Fun<%.*s.%.*s/%" PRId64 ">", (int)ml, m, (int)fl, f, ar);
            }
            return 0;
        }
        if (etf_tuple(r, &a))
            return -1;
        sb_putc(o, '{');
        if (seq(p, a, depth, SEQ_PLAIN, 0, 0))
            return -1;
        sb_putc(o, '}');
        return 0;
    }
    case ETF_MAP: {
        if (etf_map(r, &a))
            return -1;
        /* %{a: 1} when every key is a plain atom */
        int kw = 0;
        if (elixir && a) {
            etf_rd c = *r;
            kw = 1;
            for (uint32_t i = 0; i < a && kw; i++) {
                kw = etf_atom(&c, &s, &n) == 0 && ex_plain_atom(s, n, 1) && etf_skip(&c) == 0;
            }
        }
        sb_puts(o, elixir ? "%{" : "#{");
        for (uint32_t i = 0; i < a; i++) {
            if (i)
                sb_puts(o, elixir ? ", " : ",");
            if (full(p)) {
                sb_puts(o, "...");
                return skip_rest(p, 2 * (a - i), 0);
            }
            if (kw) {
                if (etf_atom(r, &s, &n))
                    return -1;
                sb_add(o, s, n);
                sb_puts(o, ": ");
            } else {
                if (term(p, depth + 1))
                    return -1;
                sb_puts(o, " => ");
            }
            if (term(p, depth + 1))
                return -1;
        }
        sb_putc(o, '}');
        return 0;
    }
    case ETF_NEW_PID:
    case ETF_PID: {
        etf_pid_t pid;
        if (etf_pid(r, &pid))
            return -1;
        char rest[32];
        snprintf(rest, sizeof rest, ".%u.%u", pid.num, pid.serial);
        put_pidish(p, elixir ? "#PID" : "", pid.node, pid.node_len, rest);
        return 0;
    }
    case ETF_NEW_PORT:
    case ETF_PORT:
    case ETF_V4_PORT: {
        etf_port_t port;
        if (etf_port(r, &port))
            return -1;
        char rest[32];
        snprintf(rest, sizeof rest, ".%" PRIu64, port.id);
        put_pidish(p, "#Port", port.node, port.node_len, rest);
        return 0;
    }
    case ETF_NEW_REF:
    case ETF_NEWER_REF: {
        etf_ref_t ref;
        if (etf_ref(r, &ref))
            return -1;
        char rest[64] = "";
        size_t rl = 0;
        for (uint32_t i = ref.words; i-- > 0;) /* printed last word first, as the shells do */
            rl += (size_t)snprintf(rest + rl, sizeof rest - rl, ".%u", etf_be32(ref.ids + 4 * i));
        put_pidish(p, elixir ? "#Reference" : "#Ref", ref.node, ref.node_len, rest);
        return 0;
    }
    case ETF_EXPORT: {
        const char *m, *f;
        size_t ml, fl;
        int64_t ar;
        r->p++;
        if (etf_atom(r, &m, &ml) || etf_atom(r, &f, &fl) || etf_int(r, &ar))
            return etf_fail(r);
        if (elixir) {
            sb_putc(o, '&');
            tt_atom(o, m, ml, 1);
            sb_putc(o, '.');
            if (ex_plain_atom(f, fl, 1))
                sb_add(o, f, fl);
            else
                put_quoted_utf8(o, (const unsigned char *)f, fl, '"', 1);
        } else {
            sb_puts(o, "fun ");
            tt_atom(o, m, ml, 0);
            sb_putc(o, ':');
            tt_atom(o, f, fl, 0);
        }
        sb_printf(o, "/%" PRId64, ar);
        return 0;
    }
    case ETF_NEW_FUN: { /* Size[4] Arity Uniq[16] Index[4] NumFree[4] Module ... */
        if (etf_need(r, 30))
            return -1;
        etf_rd c = *r;
        c.p += 30;
        const char *m;
        size_t ml;
        if (etf_atom(&c, &m, &ml))
            return etf_fail(r);
        unsigned arity = r->p[5], index = etf_be32(r->p + 22);
        if (elixir) {
            sb_printf(o, "#Function<%u/%u in ", index, arity);
            tt_atom(o, m, ml, 1);
            sb_putc(o, '>');
        } else
            sb_printf(o, "#Fun<%.*s.%u/%u>", (int)ml, m, index, arity);
        return etf_skip(r);
    }
    default:
        return etf_fail(r);
    }
}

int tt_term(etf_rd *r, const tt_style *st, strbuf *out)
{
    pr p = {r, st, out, out->len};
    if (!out->buf)
        sb_puts(out, "");
    return term(&p, 0);
}

int tt_text(etf_rd *r, const tt_style *st, strbuf *out)
{
    const char *s;
    size_t n;
    int t = etf_peek(r);
    if (!out->buf)
        sb_puts(out, "");
    if (t == ETF_BINARY) {
        if (etf_bin(r, &s, &n))
            return -1;
        sb_add(out, s, n > TT_MAX_OUT ? TT_MAX_OUT : n);
        return 0;
    }
    if (t == ETF_ATOM || t == ETF_ATOM_UTF8 || t == ETF_SMALL_ATOM || t == ETF_SMALL_ATOM_UTF8) {
        if (etf_atom(r, &s, &n))
            return -1;
        sb_add(out, s, n);
        return 0;
    }
    if (next_marked(r, "oa_text", 2)) {
        uint32_t a, len;
        if (etf_tuple(r, &a) || etf_skip(r))
            return -1;
        if (etf_peek(r) == ETF_NIL)
            return etf_skip(r);
        if (etf_peek(r) != ETF_LIST || etf_list(r, &len))
            return etf_fail(r);
        for (uint32_t i = 0; i < len; i++)
            if (tt_text(r, st, out))
                return -1;
        return etf_peek(r) == ETF_NIL ? etf_skip(r) : etf_fail(r);
    }
    if (t == ETF_SMALL_INT || t == ETF_INT || t == ETF_SMALL_BIG || t == ETF_LARGE_BIG)
        return tt_term(r, st, out);
    return tt_term(r, st, out);
}
