/* notes.c — lines for the front end to print (notes.h). */
#include "notes.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Add the line in s (n bytes, no newline) to the text, cut to fit with "…". */
static void add_line(oa_notes *dst, const char *s, size_t n)
{
    size_t len = strlen(dst->text), room = sizeof dst->text - len;
    static const char cut[] = "…\n";
    if (room < sizeof cut) /* full: nothing more fits, not even the sign of a cut */
        return;
    if (n + 2 <= room) {
        memcpy(dst->text + len, s, n);
        memcpy(dst->text + len + n, "\n", 2);
        return;
    }
    size_t keep = room - sizeof cut;
    while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80) /* not inside a UTF-8 character */
        keep--;
    memcpy(dst->text + len, s, keep);
    memcpy(dst->text + len + keep, cut, sizeof cut);
}

void notes_add(oa_notes *n, const char *fmt, ...)
{
    char line[OA_NOTES_LEN];
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (w < 0)
        return;
    size_t l = strlen(line);
    while (l > 0 && line[l - 1] == '\n')
        l--;
    add_line(n, line, l);
}

void notes_append(oa_notes *dst, const oa_notes *src)
{
    const char *p = src->text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        add_line(dst, p, l);
        p += l + (nl ? 1 : 0);
    }
}
