/* codegen.c — literals for printed code (see codegen.h). */
#include "codegen.h"

#include <stdio.h>
#include <string.h>

#include "termtext.h"

int cg_is_ex_alias(const char *raw)
{
    return tt_is_ex_alias(raw, strlen(raw));
}

/* the literal, from termtext (one definition of what needs quotes), cut to n bytes */
static const char *atom_literal(const char *raw, int elixir, char *buf, size_t n)
{
    strbuf b;
    sb_init(&b);
    tt_atom(&b, raw, strlen(raw), elixir);
    snprintf(buf, n, "%s", b.buf);
    sb_free(&b);
    return buf;
}

const char *cg_ex_atom(const char *raw, char *buf, size_t n)
{
    return atom_literal(raw, 1, buf, n);
}

const char *cg_erl_atom(const char *raw, char *buf, size_t n)
{
    return atom_literal(raw, 0, buf, n);
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
        if (tt_is_upper(c)) {
            if (w && buf[w - 1] != '_' && p > raw && !tt_is_upper(p[-1]))
                buf[w++] = '_';
            buf[w++] = (char)(c - 'A' + 'a');
        } else if (tt_is_lower(c) || tt_is_digit(c))
            buf[w++] = c;
        else if (w && buf[w - 1] != '_')
            buf[w++] = '_';
    }
    while (w && buf[w - 1] == '_')
        w--;
    buf[w] = 0;
    if (!w || !tt_is_lower(buf[0])) { /* empty, or starts with a digit */
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%s", buf);
        snprintf(buf, n, "t_%s", tmp);
    }
    return buf;
}
