/* ssh.c — forwards over one OpenSSH client process, ended by a keeper of ours.
 *
 * Between fork and exec only async-signal-safe calls are made (the caller may have
 * threads): the program's path is resolved and every argument built before the fork. */
#define _GNU_SOURCE
#include "ssh.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

#define SSH_MAXW 48
#define SSH_MAXFWD 16

struct ssh_fwd {
    char dir[96];
    char ctl[XDEST_PATHLEN + 1], epmd[XDEST_PATHLEN + 1];
    char *words[SSH_MAXW]; /* the command: ssh, or --ssh-command split like a shell would */
    int nwords;
    char wordbuf[2048];
    char prog[1024]; /* words[0] resolved on PATH */
    char dest[300];  /* [USER@]HOST */
    char port[8];    /* -p PORT, or "" */
    char shown[300]; /* the host, for messages */
    pid_t keeper;
    int lifeline; /* our end: closing it ends ssh */
    int errfd;    /* ssh's stderr: a file in the private folder (a pipe would fill and stop ssh) */
    char errpath[XDEST_PATHLEN + 1];
    char errs[2048];
    size_t nerrs;
    int fwd_port[SSH_MAXFWD];
    char fwd_host[SSH_MAXFWD][XDEST_HOSTLEN + 1];
    int nfwd;
};

/* --ssh-command CMD into words: blanks separate, '...' and "..." quote, \ escapes */
static int split_words(ssh_fwd *f, const char *cmd, char *err)
{
    char *o = f->wordbuf, *end = f->wordbuf + sizeof f->wordbuf - 1;
    const char *p = cmd;
    f->nwords = 0;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        if (f->nwords >= SSH_MAXW - 32)
            return errf(err, "--ssh-command has too many words");
        f->words[f->nwords++] = o;
        char q = 0;
        while (*p && (q || (*p != ' ' && *p != '\t'))) {
            if (o >= end)
                return errf(err, "--ssh-command is too long");
            if (!q && (*p == '\'' || *p == '"'))
                q = *p++;
            else if (q && *p == q)
                q = 0, p++;
            else if (*p == '\\' && q != '\'' && p[1])
                *o++ = p[1], p += 2;
            else
                *o++ = *p++;
        }
        if (q)
            return errf(err, "--ssh-command has an unclosed quote");
        *o++ = 0;
    }
    if (!f->nwords)
        return errf(err, "--ssh-command is empty");
    return 0;
}

static int resolve_prog(ssh_fwd *f, char *err)
{
    const char *w = f->words[0];
    if (strchr(w, '/')) {
        if (access(w, X_OK) != 0)
            return errf(err, "cannot run %s: %s", w, strerror(errno));
        snprintf(f->prog, sizeof f->prog, "%s", w);
        return 0;
    }
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *c = strchr(path, ':');
        size_t l = c ? (size_t)(c - path) : strlen(path);
        snprintf(f->prog, sizeof f->prog, "%.*s/%s", (int)l, path, w);
        if (l && access(f->prog, X_OK) == 0)
            return 0;
        path += l + (c ? 1 : 0);
    }
    return errf(err, "%s not found on PATH: --ssh needs an OpenSSH client (apt install openssh-client)", w);
}

/* the latest of what ssh wrote on its stderr (the file's last 2 KB) */
static void drain_errs(ssh_fwd *f)
{
    f->nerrs = 0;
    f->errs[0] = 0;
    if (f->errfd < 0)
        return;
    off_t end = lseek(f->errfd, 0, SEEK_END);
    off_t from = end > (off_t)sizeof f->errs - 1 ? end - (off_t)sizeof f->errs + 1 : 0;
    ssize_t r = pread(f->errfd, f->errs, sizeof f->errs - 1, from);
    f->nerrs = r > 0 ? (size_t)r : 0;
    f->errs[f->nerrs] = 0;
}

/* the last line ssh wrote that says something (not "Warning: Permanently added ...") */
static void last_line(const char *text, char *out, size_t n)
{
    out[0] = 0;
    const char *p = text;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        while (l && (p[l - 1] == '\r' || p[l - 1] == ' '))
            l--;
        if (l && strncmp(p, "Warning: Permanently added", 26) && strncmp(p, "debug", 5))
            snprintf(out, n, "%.*s", (int)l, p);
        if (!e)
            break;
        p = e + 1;
    }
}

static void say_login_failure(ssh_fwd *f, int status, char *err)
{
    char line[512];
    drain_errs(f);
    last_line(f->errs, line, sizeof line);
    if (strstr(f->errs, "Host key verification failed") || strstr(f->errs, "REMOTE HOST IDENTIFICATION"))
        errf(err,
             "ssh refused %s: its host key is not known here, or has changed (Host key verification failed); "
             "check it and record it with one interactive ssh first",
             f->shown);
    else if (strstr(f->errs, "Permission denied"))
        errf(err, "ssh login to %s failed: %s (batch mode: the user's keys and agent only, no password)", f->shown,
             line);
    else if (strstr(f->errs, "forwarding") || strstr(f->errs, "forward"))
        errf(err, "ssh to %s refused the forward: %s", f->shown, line);
    else if (line[0])
        errf(err, "ssh to %s failed: %s", f->shown, line);
    else
        errf(err, "ssh to %s failed (exit %d) without saying why", f->shown, status);
}

/* fork the keeper, which forks ssh with argv and ends it when our lifeline closes */
static int spawn(ssh_fwd *f, char *const argv[], char *err)
{
    int life[2], errp[2];
    if (pipe2(life, O_CLOEXEC) != 0)
        return errf(err, "pipe: %s", strerror(errno));
    snprintf(f->errpath, sizeof f->errpath, "%s/ssh.err", f->dir);
    errp[1] = open(f->errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    errp[0] = errp[1] >= 0 ? open(f->errpath, O_RDONLY | O_CLOEXEC) : -1;
    if (errp[0] < 0) {
        if (errp[1] >= 0)
            close(errp[1]);
        close(life[0]), close(life[1]);
        return errf(err, "cannot write in the ssh folder %s: %s", f->dir, strerror(errno));
    }
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    /* every descriptor the keeper may have inherited, up to the process's limit */
    struct rlimit rl;
    int maxfd = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (1u << 20)
                    ? (int)rl.rlim_cur
                    : 1 << 20;
    pid_t k = fork();
    if (k < 0) {
        close(life[0]), close(life[1]), close(errp[0]), close(errp[1]);
        if (devnull >= 0)
            close(devnull);
        return errf(err, "fork: %s", strerror(errno));
    }
    if (k == 0) {
        /* the keeper: its own process group (a Ctrl-C at the terminal is ours to handle,
         * not ssh's: the shell cancels a command and stays attached) */
        setpgid(0, 0);
        /* hold nothing but our pipes: another session's lifeline kept open here would keep
         * that session's ssh alive */
        for (int fd = 3; fd < maxfd; fd++)
            if (fd != life[0] && fd != errp[1] && fd != devnull)
                close(fd);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        pid_t s = fork();
        if (s < 0)
            _exit(126);
        if (s == 0) {
            signal(SIGINT, SIG_DFL);
            if (devnull >= 0) {
                dup2(devnull, 0);
                dup2(devnull, 1);
            }
            dup2(errp[1], 2);
            execv(f->prog, argv);
            static const char m[] = "cannot run the ssh client\n";
            ssize_t w = write(2, m, sizeof m - 1);
            (void)w;
            _exit(127);
        }
        close(errp[1]);
        for (;;) {
            struct pollfd p = {life[0], POLLIN, 0};
            int r = poll(&p, 1, 200);
            int st;
            if (waitpid(s, &st, WNOHANG) == s)
                _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
            if (r > 0 || (r < 0 && errno != EINTR)) {
                /* our end closed (the session is over, or we are gone): end ssh */
                kill(s, SIGTERM);
                for (int i = 0; i < 40; i++) {
                    if (waitpid(s, &st, WNOHANG) == s)
                        _exit(0);
                    poll(NULL, 0, 50);
                }
                kill(s, SIGKILL);
                waitpid(s, &st, 0);
                _exit(0);
            }
        }
    }
    close(life[0]);
    close(errp[1]);
    if (devnull >= 0)
        close(devnull);
    f->keeper = k;
    f->lifeline = life[1];
    f->errfd = errp[0];
    return 0;
}

static int keeper_status(ssh_fwd *f, int *status)
{
    int st;
    if (f->keeper > 0 && waitpid(f->keeper, &st, WNOHANG) == f->keeper) {
        f->keeper = 0;
        *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return 1;
    }
    return 0;
}

static int is_socket(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* argv: the command's words, then ours, then the destination */
static void build_argv(ssh_fwd *f, char **argv, const char **ours, int nours)
{
    int n = 0;
    for (int i = 0; i < f->nwords; i++)
        argv[n++] = f->words[i];
    for (int i = 0; i < nours; i++)
        argv[n++] = (char *)ours[i];
    if (f->port[0]) {
        argv[n++] = "-p";
        argv[n++] = f->port;
    }
    argv[n++] = "--";
    argv[n++] = f->dest;
    argv[n] = NULL;
}

static void fwd_spec(char *out, size_t n, const char *path, const char *host, int port)
{
    if (strchr(host, ':'))
        snprintf(out, n, "%s:[%s]:%d", path, host, port);
    else
        snprintf(out, n, "%s:%s:%d", path, host, port);
}

ssh_fwd *ssh_start(const char *dest, const char *cmd, const char *node_host, int ms, char *err)
{
    if (!dest || !*dest || dest[0] == '-') {
        errf(err, "bad --ssh '%s' (expected [USER@]HOST[:PORT])", dest ? dest : "");
        return NULL;
    }
    for (const char *p = dest; *p; p++)
        if ((unsigned char)*p <= ' ') {
            errf(err, "bad --ssh '%s': no blanks or control characters", dest);
            return NULL;
        }
    ssh_fwd *f = calloc(1, sizeof *f);
    if (!f) {
        errf(err, "out of memory");
        return NULL;
    }
    f->lifeline = f->errfd = -1;
    /* [USER@]HOST[:PORT]; an IPv6 host in brackets */
    const char *at = strrchr(dest, '@');
    const char *host = at ? at + 1 : dest;
    const char *colon = host[0] == '[' ? strstr(host, "]:") : strchr(host, ':');
    if (colon && host[0] == '[')
        colon++;
    if (colon && strchr(colon + 1, ':') == NULL && strspn(colon + 1, "0123456789") == strlen(colon + 1) && colon[1] &&
        strlen(colon + 1) < sizeof f->port) {
        snprintf(f->port, sizeof f->port, "%s", colon + 1);
        snprintf(f->dest, sizeof f->dest, "%.*s", (int)(colon - dest), dest);
    } else
        snprintf(f->dest, sizeof f->dest, "%s", dest);
    /* brackets are ours to strip: ssh takes an IPv6 destination bare */
    char *lb = strchr(f->dest, '[');
    if (lb && f->dest[strlen(f->dest) - 1] == ']') {
        memmove(lb, lb + 1, strlen(lb));
        f->dest[strlen(f->dest) - 1] = 0;
    }
    snprintf(f->shown, sizeof f->shown, "%s", f->dest);
    if (split_words(f, cmd ? cmd : "ssh", err) || resolve_prog(f, err)) {
        free(f);
        return NULL;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof f->dir, "%s/oa-ssh-XXXXXX", tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (!mkdtemp(f->dir)) {
        errf(err, "cannot make a private directory for the ssh forwards: %s", strerror(errno));
        free(f);
        return NULL;
    }
    snprintf(f->ctl, sizeof f->ctl, "%s/ctl", f->dir);
    snprintf(f->epmd, sizeof f->epmd, "%s/epmd.sock", f->dir);
    char spec[XDEST_PATHLEN + XDEST_HOSTLEN + 16];
    fwd_spec(spec, sizeof spec, f->epmd, node_host, 4369);
    const char *ours[] = {"-N", "-M",
                          "-S", f->ctl,
                          "-o", "ControlPersist=no",
                          "-o", "BatchMode=yes",
                          "-o", "ExitOnForwardFailure=yes",
                          "-o", "StreamLocalBindUnlink=yes",
                          "-o", "ServerAliveInterval=15",
                          "-o", "ServerAliveCountMax=3",
                          "-L", spec};
    char *argv[SSH_MAXW];
    build_argv(f, argv, ours, (int)(sizeof ours / sizeof ours[0]));
    if (spawn(f, argv, err)) {
        rmdir(f->dir);
        free(f);
        return NULL;
    }
    /* logged in once ssh listens on the epmd forward */
    int64_t until = now_us() + (int64_t)ms * 1000;
    for (;;) {
        int status;
        if (is_socket(f->epmd) && is_socket(f->ctl))
            return f;
        if (keeper_status(f, &status)) {
            say_login_failure(f, status, err);
            ssh_stop(f);
            return NULL;
        }
        if (now_us() > until) {
            drain_errs(f);
            char line[512];
            last_line(f->errs, line, sizeof line);
            errf(err, "ssh to %s did not log in within %d ms%s%s", f->shown, ms, line[0] ? ": " : "", line);
            ssh_stop(f);
            return NULL;
        }
        poll(NULL, 0, 20);
    }
}

const char *ssh_epmd_path(const ssh_fwd *f)
{
    return f->epmd;
}

int ssh_forward(ssh_fwd *f, const char *host, int port, char *path, size_t n, int ms, char *err)
{
    for (int i = 0; i < f->nfwd; i++)
        if (f->fwd_port[i] == port && !strcmp(f->fwd_host[i], host)) {
            snprintf(path, n, "%s/d%d-%d.sock", f->dir, i, port);
            return 0;
        }
    if (f->nfwd >= SSH_MAXFWD)
        return errf(err, "too many ssh forwards in one session");
    int status;
    if (f->keeper <= 0 || keeper_status(f, &status)) {
        say_login_failure(f, 255, err);
        return -1;
    }
    snprintf(path, n, "%s/d%d-%d.sock", f->dir, f->nfwd, port);
    char spec[XDEST_PATHLEN + XDEST_HOSTLEN + 16];
    fwd_spec(spec, sizeof spec, path, host, port);
    /* the master adds the forward: a short-lived client asks it over the control socket */
    const char *ours[] = {"-S", f->ctl, "-o", "BatchMode=yes", "-O", "forward", "-L", spec};
    char *argv[SSH_MAXW];
    build_argv(f, argv, ours, (int)(sizeof ours / sizeof ours[0]));
    int errp[2];
    if (pipe2(errp, O_CLOEXEC) != 0)
        return errf(err, "pipe: %s", strerror(errno));
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    pid_t c = fork();
    if (c < 0) {
        close(errp[0]), close(errp[1]);
        if (devnull >= 0)
            close(devnull);
        return errf(err, "fork: %s", strerror(errno));
    }
    if (c == 0) {
        setpgid(0, 0);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 1);
        }
        dup2(errp[1], 2);
        execv(f->prog, argv);
        _exit(127);
    }
    close(errp[1]);
    if (devnull >= 0)
        close(devnull);
    char out[1024];
    size_t no = 0;
    int64_t until = now_us() + (int64_t)ms * 1000;
    int st = -1, done = 0;
    while (!done) {
        struct pollfd p = {errp[0], POLLIN, 0};
        if (poll(&p, 1, 20) > 0) {
            ssize_t r = read(errp[0], out + no, sizeof out - 1 - no);
            if (r > 0)
                no += (size_t)r;
        }
        if (waitpid(c, &st, WNOHANG) == c)
            done = 1;
        else if (now_us() > until) {
            kill(c, SIGKILL);
            waitpid(c, &st, 0);
            close(errp[0]);
            return errf(err, "ssh to %s did not add the forward to port %d within %d ms", f->shown, port, ms);
        }
    }
    close(errp[0]);
    out[no] = 0;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || !is_socket(path)) {
        char line[512];
        last_line(out, line, sizeof line);
        return errf(err, "ssh to %s refused the forward to %s:%d%s%s", f->shown, host, port, line[0] ? ": " : "", line);
    }
    f->fwd_port[f->nfwd] = port;
    snprintf(f->fwd_host[f->nfwd], sizeof f->fwd_host[0], "%s", host);
    f->nfwd++;
    return 0;
}

void ssh_why(ssh_fwd *f, char *out, size_t n)
{
    out[0] = 0;
    if (!f)
        return;
    poll(NULL, 0, 30); /* ssh writes why a channel failed just after closing it */
    drain_errs(f);
    const char *e = f->errs;
    if (strstr(e, "administratively prohibited"))
        snprintf(out, n,
                 "the ssh server on %s refuses this forward (administratively prohibited: "
                 "its AllowTcpForwarding or PermitOpen)",
                 f->shown);
    else if (strstr(e, "open failed")) {
        char line[400];
        last_line(e, line, sizeof line);
        snprintf(out, n, "ssh on %s could not open the forward (%s)", f->shown, line);
    }
}

void ssh_stop(ssh_fwd *f)
{
    if (!f)
        return;
    if (f->lifeline >= 0)
        close(f->lifeline); /* the keeper ends ssh */
    if (f->keeper > 0) {
        int st;
        int gone = 0;
        for (int i = 0; i < 100 && !gone; i++) { /* at most 5 s: ssh gets TERM, then KILL after 2 s */
            if (waitpid(f->keeper, &st, WNOHANG) == f->keeper)
                gone = 1;
            else
                poll(NULL, 0, 50);
        }
        if (!gone) {
            kill(f->keeper, SIGKILL);
            waitpid(f->keeper, &st, 0);
        }
    }
    if (f->errfd >= 0)
        close(f->errfd);
    char p[XDEST_PATHLEN + 64];
    unlink(f->epmd);
    unlink(f->ctl);
    if (f->errpath[0])
        unlink(f->errpath);
    for (int i = 0; i < f->nfwd; i++) {
        snprintf(p, sizeof p, "%s/d%d-%d.sock", f->dir, i, f->fwd_port[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
}
