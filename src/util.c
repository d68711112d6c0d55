/* util.c — see util.h. */
#define _POSIX_C_SOURCE 200809L
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void (*oom_hook)(void);

void util_set_oom_hook(void (*hook)(void))
{
    oom_hook = hook;
}

static volatile sig_atomic_t *stop_flag;
void util_set_stop_flag(volatile sig_atomic_t *flag)
{
    stop_flag = flag;
}
int oa_stop_requested(void)
{
    return stop_flag && *stop_flag;
}

static void oom(size_t n)
{
    if (oom_hook)
        oom_hook();
    fprintf(stderr, "otp-advisor: out of memory (%zu bytes)\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz ? sz : 1);
    if (!p)
        oom(n * sz);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

int errf(char *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, OA_ERRLEN, fmt, ap);
        va_end(ap);
    }
    return -1;
}

void sb_init(strbuf *sb)
{
    sb->cap = 64;
    sb->len = 0;
    sb->buf = xmalloc(sb->cap);
    sb->buf[0] = 0;
}

void sb_free(strbuf *sb)
{
    free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
}

void sb_reset(strbuf *sb)
{
    sb->len = 0;
    if (sb->buf)
        sb->buf[0] = 0;
}

static void sb_grow(strbuf *sb, size_t extra)
{
    if (!sb->buf)
        sb_init(sb);
    if (sb->len + extra + 1 <= sb->cap)
        return;
    size_t cap = sb->cap;
    while (sb->len + extra + 1 > cap)
        cap *= 2;
    sb->buf = xrealloc(sb->buf, cap);
    sb->cap = cap;
}

void sb_add(strbuf *sb, const char *s, size_t n)
{
    sb_grow(sb, n);
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = 0;
}

void sb_puts(strbuf *sb, const char *s)
{
    sb_add(sb, s, strlen(s));
}

void sb_putc(strbuf *sb, char c)
{
    sb_add(sb, &c, 1);
}

void sb_vprintf(strbuf *sb, const char *fmt, va_list ap)
{
    if (!fmt)
        return;
    va_list ap2;
    va_copy(ap2, ap);
    char probe[1];
    int n = vsnprintf(probe, sizeof probe, fmt, ap2);
    va_end(ap2);
    if (n <= 0)
        return;
    sb_grow(sb, (size_t)n);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void sb_printf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(sb, fmt, ap);
    va_end(ap);
}

int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void vec_init(vec *v, size_t item_size)
{
    v->items = NULL;
    v->len = v->cap = 0;
    v->size = item_size;
}

void *vec_push(vec *v)
{
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 16;
        v->items = xrealloc(v->items, v->cap * v->size);
    }
    void *slot = (char *)v->items + v->len * v->size;
    memset(slot, 0, v->size);
    v->len++;
    return slot;
}

void *vec_at(const vec *v, size_t i)
{
    return (char *)v->items + i * v->size;
}

void vec_free(vec *v)
{
    free(v->items);
    v->items = NULL;
    v->len = v->cap = 0;
}

int util_color(int forced, int fd, int to_file)
{
    if (forced >= 0)
        return forced;
    return isatty(fd) && !getenv("NO_COLOR") && !to_file;
}
