/* util.h — allocation, error strings and growable buffers shared by every module.
 *
 * Ownership: xmalloc & co never return NULL: on exhaustion they run the hook set with
 * util_set_oom_hook (the shell restores the terminal there) and abort. That is the one
 * place the program dies below main. Every other failure is returned as a status with a
 * message in a caller-owned char buffer of OA_ERRLEN bytes. */
#ifndef OA_UTIL_H
#define OA_UTIL_H

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define OA_ERRLEN 512

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
void util_set_oom_hook(void (*hook)(void));

/* Format into err (OA_ERRLEN bytes); returns -1 so callers can `return errf(...)`. */
int errf(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Growable byte/string buffer; always NUL-terminated when len > 0 or after sb_init. */
typedef struct {
    char *buf;
    size_t len, cap;
} strbuf;

void sb_init(strbuf *sb);
void sb_free(strbuf *sb);
void sb_reset(strbuf *sb);
void sb_add(strbuf *sb, const char *s, size_t n);
void sb_puts(strbuf *sb, const char *s);
void sb_putc(strbuf *sb, char c);
void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(strbuf *sb, const char *fmt, va_list ap);

/* The stop request of the front end (Ctrl-C in the shell): long local steps (loading a
 * file, the rules, rendering) poll oa_stop_requested() and end early, so the shell is back
 * at its prompt within a fraction of a second. Set once by the front end; NULL: never. */
void util_set_stop_flag(volatile sig_atomic_t *flag);
int oa_stop_requested(void);

/* Monotonic clock in microseconds. */
int64_t now_us(void);

/* Whether output to fd is in colour: forced when it is 0 or 1 (--no-color sets 0), else
 * (-1, auto) on when fd is a terminal, NO_COLOR is not set and the output is not going to a
 * file instead (to_file). */
int util_color(int forced, int fd, int to_file);

/* Generic growable vector of fixed-size items. */
typedef struct {
    void *items;
    size_t len, cap, size;
} vec;
void vec_init(vec *v, size_t item_size);
void *vec_push(vec *v); /* returns a zeroed slot */
void *vec_at(const vec *v, size_t i);
void vec_free(vec *v);

#define VEC_AT(v, type, i) (((type *)(v)->items)[i])

#endif
