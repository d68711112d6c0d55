/* fmt.h — numbers and names for people: what findings, views and reports share.
 * Every function writes a NUL-terminated string into the caller's buf (cut to n bytes). */
#ifndef OA_FMT_H
#define OA_FMT_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* "Elixir.Zoo.Cache:init/1" -> "Zoo.Cache.init/1"; "" or NULL -> "-" */
void fmt_mfa(const char *mfa, char *buf, size_t n);
/* 1234567 -> "1,234,567" */
void fmt_num(uint64_t v, char *buf, size_t n);
/* 1536 -> "1.5 KB" */
void fmt_bytes(uint64_t v, char *buf, size_t n);
/* a rate rounded, with separators: 6122454.3 -> "6,122,454" */
void fmt_rate(double v, char *buf, size_t n);

/* A table sized from its data: each column as wide as its widest cell (its heading
 * included), at most FMT_COL_MAX display columns, and when the terminal is narrower
 * (width > 0), the widest columns give way first, down to 8; a cell longer than its
 * column ends in an ellipsis. The last column is never padded.
 * Ownership: the table owns copies of its cells until fmt_table_free. */
#define FMT_COL_MAX 48
typedef struct {
    int ncol;
    const char *align; /* one letter a column: 'l' or 'r' */
    vec cells;         /* char *, row-major, heading first */
    vec rows_style;    /* per row: const char *on, *off (static), or NULL */
} fmt_table;

void fmt_table_init(fmt_table *t, int ncol, const char *align, const char *const *head);
/* one row of ncol cells; style wraps the whole row (e.g. dim), NULL for none */
void fmt_table_row(fmt_table *t, const char *const *cells, const char *style_on, const char *style_off);
/* heading in head_on/head_off (bold), then the rows */
void fmt_table_render(const fmt_table *t, int width, const char *head_on, const char *head_off, strbuf *out);
void fmt_table_free(fmt_table *t);

#endif
