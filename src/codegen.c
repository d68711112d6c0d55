/* codegen.c — literals for printed code (see codegen.h). */
#include "codegen.h"

#include <stdio.h>
#include <string.h>

static int is_lower(char c) { return c >= 'a' && c <= 'z'; }
static int is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_word(char c) { return is_lower(c) || is_upper(c) || is_digit(c) || c == '_'; }

int cg_is_ex_alias(const char *raw)
{
    if (strncmp(raw, "Elixir.", 7) != 0 || !raw[7])
        return 0;
    const char *p = raw + 7;
    for (;;) { /* Segment(.Segment)*, each [A-Z][A-Za-z0-9_]* */
        if (!is_upper(*p))
            return 0;
        while (is_word(*p))
            p++;
        if (!*p)
            return 1;
        if (*p != '.')
            return 0;
        p++;
    }
}

static int plain_identifier(const char *raw, int erlang)
{
    if (!is_lower(raw[0]))
        return 0;
    for (const char *p = raw; *p; p++)
        if (!is_word(*p) && !(erlang && *p == '@'))
            return 0;
    if (erlang) {
        static const char *const reserved[] = {"after", "and", "andalso", "band", "begin", "bnot", "bor", "bsl",
                                               "bsr", "bxor", "case", "catch", "cond", "div", "end", "fun", "if",
                                               "let", "not", "of", "or", "orelse", "receive", "rem", "try", "when",
                                               "xor", "maybe", "else", NULL};
        for (int i = 0; reserved[i]; i++)
            if (!strcmp(reserved[i], raw))
                return 0;
    }
    return 1;
}

static const char *quoted(const char *raw, char q, const char *pre, char *buf, size_t n)
{
    size_t w = 0;
    if (n == 0)
        return buf;
    for (const char *s = pre; *s && w + 1 < n; s++)
        buf[w++] = *s;
    if (w + 1 < n)
        buf[w++] = q;
    for (const char *p = raw; *p && w + 3 < n; p++) {
        if (*p == q || *p == '\\')
            buf[w++] = '\\';
        buf[w++] = *p;
    }
    if (w + 1 < n)
        buf[w++] = q;
    buf[w] = 0;
    return buf;
}

const char *cg_ex_atom(const char *raw, char *buf, size_t n)
{
    if (cg_is_ex_alias(raw))
        snprintf(buf, n, "%s", raw + 7);
    else if (plain_identifier(raw, 0))
        snprintf(buf, n, ":%s", raw);
    else
        quoted(raw, '"', ":", buf, n);
    return buf;
}

const char *cg_erl_atom(const char *raw, char *buf, size_t n)
{
    if (plain_identifier(raw, 1))
        snprintf(buf, n, "%s", raw);
    else
        quoted(raw, '\'', "", buf, n);
    return buf;
}

const char *cg_snake(const char *raw, char *buf, size_t n)
{
    if (!strncmp(raw, "Elixir.", 7))
        raw += 7;
    size_t w = 0;
    if (n == 0)
        return buf;
    for (const char *p = raw; *p && w + 2 < n; p++) {
        char c = *p;
        if (is_upper(c)) {
            if (w && buf[w - 1] != '_' && p > raw && !is_upper(p[-1]))
                buf[w++] = '_';
            buf[w++] = (char)(c - 'A' + 'a');
        } else if (is_lower(c) || is_digit(c))
            buf[w++] = c;
        else if (w && buf[w - 1] != '_')
            buf[w++] = '_';
    }
    while (w && buf[w - 1] == '_')
        w--;
    buf[w] = 0;
    if (!w || !is_lower(buf[0])) { /* empty, or starts with a digit */
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%s", buf);
        snprintf(buf, n, "t_%s", tmp);
    }
    return buf;
}
