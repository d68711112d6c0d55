/* json.c — see json.h. */
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void json_init(json_w *j, strbuf *out, int pretty)
{
    j->out = out;
    j->depth = 0;
    j->first[0] = 1;
    j->pretty = pretty;
    j->after_key = 0;
}

static void indent(json_w *j)
{
    if (!j->pretty)
        return;
    sb_putc(j->out, '\n');
    for (int i = 0; i < j->depth; i++)
        sb_puts(j->out, "  ");
}

/* before a value in an array, or a key in an object */
static void sep(json_w *j)
{
    if (j->depth == 0)
        return;
    if (!j->first[j->depth])
        sb_putc(j->out, ',');
    j->first[j->depth] = 0;
    indent(j);
}

static void pre_value(json_w *j)
{
    if (j->after_key)
        j->after_key = 0;
    else
        sep(j);
}

static void open(json_w *j, char c)
{
    pre_value(j);
    sb_putc(j->out, c);
    if (j->depth < 63)
        j->depth++;
    j->first[j->depth] = 1;
}

static void close_(json_w *j, char c)
{
    int empty = j->first[j->depth];
    if (j->depth > 0)
        j->depth--;
    if (!empty)
        indent(j);
    sb_putc(j->out, c);
}

void json_obj(json_w *j)
{
    open(j, '{');
}
void json_obj_end(json_w *j)
{
    close_(j, '}');
}
void json_arr(json_w *j)
{
    open(j, '[');
}
void json_arr_end(json_w *j)
{
    close_(j, ']');
}

/* the length of the well-formed UTF-8 sequence at p (1 to 4), or 0 when it is not one
 * (a stray continuation byte, an overlong form, a surrogate, past U+10FFFF, cut short) */
static int utf8_len(const unsigned char *p)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    int n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    for (int k = 1; k < n; k++)
        if ((p[k] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F) || (c == 0xF0 && p[1] < 0x90) ||
        (c == 0xF4 && p[1] > 0x8F))
        return 0;
    return n;
}

/* A JSON string. Text from the target (a binary Registry key, a source path) need not be
 * UTF-8: a byte that does not begin a well-formed sequence is written U+FFFD, so that every
 * document is valid UTF-8 (an MCP client decoding strictly would drop the session). */
void json_escape(strbuf *out, const char *s)
{
    sb_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x80) {
            int n = utf8_len(p);
            if (!n)
                sb_puts(out, "\\ufffd");
            else {
                sb_add(out, (const char *)p, (size_t)n);
                p += n - 1;
            }
            continue;
        }
        switch (*p) {
        case '"':
            sb_puts(out, "\\\"");
            break;
        case '\\':
            sb_puts(out, "\\\\");
            break;
        case '\n':
            sb_puts(out, "\\n");
            break;
        case '\r':
            sb_puts(out, "\\r");
            break;
        case '\t':
            sb_puts(out, "\\t");
            break;
        default:
            if (*p < 0x20)
                sb_printf(out, "\\u%04x", *p);
            else
                sb_putc(out, (char)*p);
        }
    }
    sb_putc(out, '"');
}

void json_raw(json_w *j, const char *text)
{
    pre_value(j);
    int in_str = 0;
    for (const char *p = text; *p; p++) {
        if (in_str) {
            sb_putc(j->out, *p);
            if (*p == '\\' && p[1])
                sb_putc(j->out, *++p);
            else if (*p == '"')
                in_str = 0;
        } else if (*p == '"') {
            in_str = 1;
            sb_putc(j->out, *p);
        } else if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t')
            sb_putc(j->out, *p);
    }
}

void json_key(json_w *j, const char *k)
{
    sep(j);
    json_escape(j->out, k);
    sb_puts(j->out, j->pretty ? ": " : ":");
    j->after_key = 1;
}

void json_str(json_w *j, const char *s)
{
    pre_value(j);
    json_escape(j->out, s ? s : "");
}

void json_int(json_w *j, int64_t v)
{
    pre_value(j);
    sb_printf(j->out, "%lld", (long long)v);
}

void json_num(json_w *j, double v)
{
    pre_value(j);
    if (!isfinite(v)) {
        sb_puts(j->out, "null");
        return;
    }
    /* integers exactly (every integer below 2^53 is one double); other values with the
     * fewest digits that read back as the same double */
    if (v == floor(v) && fabs(v) < 9007199254740992.0) {
        sb_printf(j->out, "%.0f", v);
        return;
    }
    char b[40];
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(b, sizeof b, "%.*g", prec, v);
        if (strtod(b, NULL) == v)
            break;
    }
    sb_puts(j->out, b);
}

void json_bool(json_w *j, int v)
{
    pre_value(j);
    sb_puts(j->out, v ? "true" : "false");
}

void json_kstr(json_w *j, const char *k, const char *v)
{
    json_key(j, k);
    json_str(j, v);
}
void json_kint(json_w *j, const char *k, int64_t v)
{
    json_key(j, k);
    json_int(j, v);
}
void json_knum(json_w *j, const char *k, double v)
{
    json_key(j, k);
    json_num(j, v);
}
void json_kbool(json_w *j, const char *k, int v)
{
    json_key(j, k);
    json_bool(j, v);
}
