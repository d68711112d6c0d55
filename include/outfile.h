/* outfile.h — writing the files a user names (-o, the shell's save and report -o).
 *
 * A regular file (or a path that does not exist yet) is written atomically: into a
 * temporary file beside it, renamed over it only when every write and the close
 * succeeded, so a failed write leaves the old file (or none), never half a file. A symlink
 * is followed: its target is written, the link stays. Anything else (a device such as
 * /dev/null or /dev/full, a FIFO) is written in place and never replaced. Every write and
 * the final close are checked: a full disk is an error, with its cause.
 *
 * Ownership: an outfile owns its FILE and paths until outfile_close, which always frees
 * them (on success and on failure). */
#ifndef OA_OUTFILE_H
#define OA_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
    FILE *f;
    char *path; /* where the data ends up (a symlink's target) */
    char *tmp;  /* NULL when written in place */
    int failed; /* a write failed: errno in err_no */
    int err_no;
} outfile;

int outfile_open(outfile *o, const char *path, char *err);
/* append n bytes; errors are remembered for outfile_close */
void outfile_write(outfile *o, const void *buf, size_t n);
/* 0, or -1 with err set; the temporary file is removed on failure */
int outfile_close(outfile *o, char *err);
/* the three together, for a buffer */
int outfile_write_all(const char *path, const void *buf, size_t n, char *err);

#endif
