/* fmt.h — numbers and names for people: what findings, views and reports share.
 * Every function writes a NUL-terminated string into the caller's buf (cut to n bytes). */
#ifndef OA_FMT_H
#define OA_FMT_H

#include <stddef.h>
#include <stdint.h>

/* "Elixir.Zoo.Cache:init/1" -> "Zoo.Cache.init/1"; "" or NULL -> "-" */
void fmt_mfa(const char *mfa, char *buf, size_t n);
/* 1234567 -> "1,234,567" */
void fmt_num(uint64_t v, char *buf, size_t n);
/* 1536 -> "1.5 KB" */
void fmt_bytes(uint64_t v, char *buf, size_t n);
/* a rate rounded, with separators: 6122454.3 -> "6,122,454" */
void fmt_rate(double v, char *buf, size_t n);

#endif
