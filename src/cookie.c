/* cookie.c — find the cookie and check its file's permissions (cookie.h). */
#define _POSIX_C_SOURCE 200809L
#include "cookie.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int cookie_find(const char *cookie_arg, const char *cookie_file, char *cookie, size_t n, char *warn, size_t warn_n,
                char *err)
{
    char path[4096];
    const char *src = NULL;
    if (warn && warn_n)
        warn[0] = 0;
    if (cookie_arg && *cookie_arg) {
        snprintf(cookie, n, "%s", cookie_arg);
        return 0;
    }
    if (cookie_file)
        src = cookie_file;
    else if (getenv("OTP_ADVISOR_COOKIE") && *getenv("OTP_ADVISOR_COOKIE")) {
        snprintf(cookie, n, "%s", getenv("OTP_ADVISOR_COOKIE"));
        return 0;
    } else {
        const char *home = getenv("HOME");
        snprintf(path, sizeof path, "%s/.erlang.cookie", home ? home : ".");
        src = path;
    }
    /* non-blocking open: a FIFO must not hang us; then it must be a regular file */
    int fd = open(src, O_RDONLY | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return errf(err, "cannot read the cookie from %s: %s (use --cookie-file or $OTP_ADVISOR_COOKIE)", src,
                    strerror(errno));
    struct stat st;
    memset(&st, 0, sizeof st);
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return errf(err, "the cookie file %s is %s, not a regular file", src,
                    S_ISDIR(st.st_mode) ? "a directory" : "something else");
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) && warn && warn_n)
        /* as ssh does for keys: a cookie others can read lets them run code on the node */
        snprintf(warn, warn_n,
                 "otp-advisor: warning: the cookie file %s is readable by %s (mode %03o): anyone who reads it can "
                 "run code on the node; fix it with: chmod 400 %s",
                 src, (st.st_mode & S_IRWXO) ? "other users" : "its group", (unsigned)(st.st_mode & 0777), src);
    FILE *f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        return errf(err, "cannot read the cookie from %s: %s", src, strerror(errno));
    }
    size_t got = fread(cookie, 1, n - 1, f);
    fclose(f);
    cookie[got] = 0;
    while (got > 0 && (cookie[got - 1] == '\n' || cookie[got - 1] == '\r' || cookie[got - 1] == ' '))
        cookie[--got] = 0;
    if (got == 0)
        return errf(err, "the cookie file %s is empty", src);
    return 0;
}
