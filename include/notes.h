/* notes.h — warnings and notes that library code hands back instead of printing them.
 *
 * Nothing below the front ends prints: a module that has something to say on the side (a
 * cookie file others can read, TLS without peer verification, a probe that could not be
 * loaded) adds a line here, and the front end (cli.c, shell.c, watch.c, mcp_tools.c,
 * cli_cluster.c) prints the lines, on stderr, when the call returns. Each line ends with a
 * newline, so the text prints as it is. A line that does not fit is cut, and ends with "…". */
#ifndef OA_NOTES_H
#define OA_NOTES_H

#include <stddef.h>

#define OA_NOTES_LEN 4096

typedef struct {
    char text[OA_NOTES_LEN]; /* "" when there is nothing to say */
} oa_notes;

/* Add one line (without its newline). */
void notes_add(oa_notes *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Add src's lines to dst's. */
void notes_append(oa_notes *dst, const oa_notes *src);
static inline void notes_clear(oa_notes *n)
{
    n->text[0] = 0;
}

#endif
