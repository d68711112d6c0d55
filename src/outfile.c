/* outfile.c — see outfile.h. */
#define _POSIX_C_SOURCE 200809L
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static int fail(outfile *o, char *err, const char *path, int e)
{
    if (o->f)
        fclose(o->f);
    if (o->tmp)
        unlink(o->tmp);
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
    return errf(err, "cannot write %s: %s", path, strerror(e ? e : EIO));
}

/* the stream over an open descriptor */
static int attach(outfile *o, int fd, char *err, const char *path)
{
    o->f = fdopen(fd, "wb");
    if (!o->f) {
        int e = errno;
        close(fd);
        return fail(o, err, path, e);
    }
    return 0;
}

int outfile_open(outfile *o, const char *path, char *err)
{
    memset(o, 0, sizeof *o);
    struct stat st;
    char *target = NULL;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        /* write through the link to its target; a dangling link names where to create it */
        target = realpath(path, NULL);
        if (!target) {
            char buf[PATH_MAX];
            ssize_t n = readlink(path, buf, sizeof buf - 1);
            if (n < 0)
                return errf(err, "cannot write %s: %s", path, strerror(errno));
            buf[n] = 0;
            if (buf[0] == '/' || !strchr(path, '/'))
                target = xstrdup(buf);
            else { /* relative to the link's directory */
                const char *slash = strrchr(path, '/');
                target = xmalloc((size_t)(slash - path) + 2 + (size_t)n);
                memcpy(target, path, (size_t)(slash - path) + 1);
                memcpy(target + (slash - path) + 1, buf, (size_t)n + 1);
            }
        }
    } else
        target = xstrdup(path);
    o->path = target;
    if (stat(target, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            int e = EISDIR;
            return fail(o, err, path, e);
        }
        /* a device or a FIFO: in place, never replaced (O_NONBLOCK: a FIFO without a
         * reader is an error, not a hang) */
        int fd = open(target, O_WRONLY | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
            return fail(o, err, path, errno);
        int fl = fcntl(fd, F_GETFL);
        if (fl >= 0)
            fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
        return attach(o, fd, err, path);
    }
    size_t n = strlen(target);
    o->tmp = xmalloc(n + 16);
    snprintf(o->tmp, n + 16, "%s.tmp%ld", target, (long)getpid() % 100000);
    int fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        int e = errno;
        free(o->tmp);
        o->tmp = NULL; /* nothing to remove */
        return fail(o, err, path, e);
    }
    return attach(o, fd, err, path);
}

void outfile_write(outfile *o, const void *buf, size_t n)
{
    if (o->failed || !n)
        return;
    if (fwrite(buf, 1, n, o->f) != n) {
        o->failed = 1;
        o->err_no = errno;
    }
}

int outfile_close(outfile *o, char *err)
{
    char shown[512];
    snprintf(shown, sizeof shown, "%s", o->path ? o->path : "");
    if (!o->failed && fflush(o->f) != 0) {
        o->failed = 1;
        o->err_no = errno;
    }
    if (!o->failed && o->tmp && fsync(fileno(o->f)) != 0 && errno != EINVAL) {
        o->failed = 1;
        o->err_no = errno;
    }
    FILE *f = o->f;
    o->f = NULL;
    if (fclose(f) != 0 && !o->failed) {
        o->failed = 1;
        o->err_no = errno;
    }
    if (o->failed)
        return fail(o, err, shown, o->err_no);
    if (o->tmp && rename(o->tmp, o->path) != 0)
        return fail(o, err, shown, errno);
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
    return 0;
}

int outfile_write_all(const char *path, const void *buf, size_t n, char *err)
{
    outfile o;
    if (outfile_open(&o, path, err))
        return -1;
    outfile_write(&o, buf, n);
    return outfile_close(&o, err);
}
