/* fmt.c — numbers and names for people (see fmt.h). */
#include "fmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fmt_mfa(const char *mfa, char *buf, size_t n)
{
    if (!mfa || !*mfa) {
        snprintf(buf, n, "-");
        return;
    }
    const char *colon = strchr(mfa, ':');
    if (strncmp(mfa, "Elixir.", 7) == 0 && colon)
        snprintf(buf, n, "%.*s.%s", (int)(colon - mfa - 7), mfa + 7, colon + 1);
    else
        snprintf(buf, n, "%s", mfa);
}

void fmt_num(uint64_t v, char *buf, size_t n)
{
    char tmp[32];
    int len = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
    size_t o = 0;
    for (int i = 0; i < len && o + 2 < n; i++) {
        buf[o++] = tmp[i];
        int left = len - i - 1;
        if (left > 0 && left % 3 == 0 && o + 2 < n)
            buf[o++] = ',';
    }
    buf[o] = 0;
}

void fmt_bytes(uint64_t v, char *buf, size_t n)
{
    const char *u[] = {"B", "KB", "MB", "GB", "TB"};
    double d = (double)v;
    int i = 0;
    while (d >= 1024 && i < 4) {
        d /= 1024;
        i++;
    }
    if (i == 0)
        snprintf(buf, n, "%llu B", (unsigned long long)v);
    else
        snprintf(buf, n, "%.1f %s", d, u[i]);
}

void fmt_rate(double v, char *buf, size_t n)
{
    fmt_num(v > 0 ? (uint64_t)(v + 0.5) : 0, buf, n);
}

/* display columns of UTF-8 text: one per code point (names here are letters, not wide) */
static size_t text_cols(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* s cut to cols display columns, with an ellipsis when cut, padded to cols unless last */
static void put_cell(strbuf *out, const char *s, size_t cols, char align, int pad)
{
    size_t w = text_cols(s);
    if (w > cols) {
        size_t keep = cols ? cols - 1 : 0, seen = 0;
        const char *p = s;
        while (*p && seen < keep) {
            p++;
            while (((unsigned char)*p & 0xC0) == 0x80)
                p++;
            seen++;
        }
        sb_add(out, s, (size_t)(p - s));
        if (cols)
            sb_puts(out, "\xe2\x80\xa6");
        return;
    }
    if (align == 'r')
        for (size_t i = w; i < cols; i++)
            sb_putc(out, ' ');
    sb_puts(out, s);
    if (align != 'r' && pad)
        for (size_t i = w; i < cols; i++)
            sb_putc(out, ' ');
}

void fmt_table_init(fmt_table *t, int ncol, const char *align, const char *const *head)
{
    t->ncol = ncol;
    t->align = align;
    vec_init(&t->cells, sizeof(char *));
    vec_init(&t->rows_style, 2 * sizeof(const char *));
    fmt_table_row(t, head, NULL, NULL);
}

void fmt_table_row(fmt_table *t, const char *const *cells, const char *style_on, const char *style_off)
{
    for (int i = 0; i < t->ncol; i++)
        *(char **)vec_push(&t->cells) = xstrdup(cells[i] ? cells[i] : "");
    const char **st = vec_push(&t->rows_style);
    st[0] = style_on;
    st[1] = style_off;
}

void fmt_table_render(const fmt_table *t, int width, const char *head_on, const char *head_off, strbuf *out)
{
    size_t rows = t->cells.len / (size_t)t->ncol;
    size_t *w = xcalloc((size_t)t->ncol, sizeof *w);
    for (size_t r = 0; r < rows; r++)
        for (int c = 0; c < t->ncol; c++) {
            size_t cw = text_cols(VEC_AT(&t->cells, char *, r *(size_t)t->ncol + (size_t)c));
            if (cw > w[c])
                w[c] = cw;
        }
    for (int c = 0; c + 1 < t->ncol; c++)
        if (w[c] > FMT_COL_MAX)
            w[c] = FMT_COL_MAX;
    if (width > 0) { /* the widest padded columns give way first, down to 8 */
        for (;;) {
            size_t total = 0;
            for (int c = 0; c < t->ncol; c++)
                total += w[c] + (c + 1 < t->ncol ? 1 : 0);
            if (total <= (size_t)width)
                break;
            int widest = -1;
            for (int c = 0; c + 1 < t->ncol; c++)
                if (w[c] > 8 && (widest < 0 || w[c] > w[widest]))
                    widest = c;
            if (widest < 0)
                break; /* the last column is cut by the line fitting (render_fit) */
            w[widest]--;
        }
    }
    for (size_t r = 0; r < rows; r++) {
        const char *const *st = vec_at(&t->rows_style, r);
        const char *on = r == 0 ? head_on : st[0], *off = r == 0 ? head_off : st[1];
        if (on)
            sb_puts(out, on);
        for (int c = 0; c < t->ncol; c++) {
            const char *cell = VEC_AT(&t->cells, char *, r *(size_t)t->ncol + (size_t)c);
            int last = c + 1 == t->ncol;
            put_cell(out, cell, last ? text_cols(cell) : w[c], t->align[c], !last);
            if (!last)
                sb_putc(out, ' ');
        }
        if (off)
            sb_puts(out, off);
        sb_putc(out, '\n');
    }
    free(w);
}

void fmt_table_free(fmt_table *t)
{
    for (size_t i = 0; i < t->cells.len; i++)
        free(VEC_AT(&t->cells, char *, i));
    vec_free(&t->cells);
    vec_free(&t->rows_style);
}
