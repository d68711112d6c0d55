/* shell_tty.c — the shell's terminal side: libedit with history and completion when
 * stdin is a terminal; plain lines (no prompt) when commands are piped in.
 *
 * While waiting at the prompt we keep answering distribution ticks (the target drops a
 * C node that stays silent for ~60 s): our read function polls the terminal and the
 * connection together. */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <histedit.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

#include "shell.h"
#include "util.h"

static shell *the_shell; /* for libedit callbacks */
static int tty_lost;

static int term_width(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
        return ws.ws_col;
    const char *c = getenv("COLUMNS");
    return c && atoi(c) > 20 ? atoi(c) : 100;
}

/* The prompt for libedit: its colour sequences are marked as not printing (between two
 * PROMPT_ESC characters, EL_PROMPT_ESC), or libedit counts them as columns and a terminal
 * shows them as text. */
#define PROMPT_ESC '\1'
static char *prompt_fn(EditLine *el)
{
    (void)el;
    static char raw[700], buf[800];
    shell_prompt(the_shell, raw, sizeof raw);
    size_t o = 0;
    for (const char *p = raw; *p && o + 4 < sizeof buf; p++) {
        if (*p == '\033') { /* ESC [ ... final byte */
            const char *e = p + 1;
            if (*e == '[')
                for (e++; *e && !(*e >= '@' && *e <= '~'); e++)
                    ;
            size_t len = (size_t)(*e ? e - p + 1 : e - p);
            if (o + len + 3 >= sizeof buf)
                break;
            buf[o++] = PROMPT_ESC;
            memcpy(buf + o, p, len);
            o += len;
            buf[o++] = PROMPT_ESC;
            p += len - 1;
            continue;
        }
        buf[o++] = *p;
    }
    buf[o] = 0;
    return buf;
}

/* read one character, answering ticks on the connection meanwhile */
static int getc_fn(EditLine *el, wchar_t *wc)
{
    static mbstate_t st;
    shell *sh = the_shell;
    for (;;) {
        /* a signal that came while we were not in poll (printing the prompt, answering a
         * tick) interrupts no call: look at the flag on every turn, at least once a second */
        if (sh->interrupted && *sh->interrupted)
            return -1;
        struct pollfd p[2] = {{STDIN_FILENO, POLLIN, 0}, {sh->c.fd, POLLIN, 0}};
        int n = conn_up(&sh->c) ? 2 : 1;
        int r = poll(p, (nfds_t)n, 1000);
        if (r < 0) {
            if (errno == EINTR && sh->interrupted && *sh->interrupted)
                return -1; /* Ctrl-C at the prompt: abandon the line */
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 2 && p[1].revents) {
            char e[OA_ERRLEN];
            if (conn_poll(&sh->c, e) < 0) {
                fprintf(stdout, "\r\n[%s]\r\n", e);
                fflush(stdout);
                el_set(el, EL_REFRESH);
            }
        }
        if (!p[0].revents)
            continue;
        char ch;
        ssize_t got = read(STDIN_FILENO, &ch, 1);
        if (got == 0) {
            tty_lost = 1;
            return 0;
        }
        if (got < 0) {
            if (errno == EINTR)
                continue;
            tty_lost = 1;
            return -1;
        }
        /* Ctrl-D on an empty line leaves, whatever libedit's key map holds (~/.editrc may
         * bind it otherwise). The literal ^D once seen in a line in CI was the key after a
         * ^D the line discipline had taken, read as a quoted insert: see editor_open */
        if (ch == 4) {
            const LineInfo *li = el_line(el);
            if (li && li->buffer == li->lastchar)
                return 0;
        }
        size_t k = mbrtowc(wc, &ch, 1, &st);
        if (k == (size_t)-2)
            continue; /* incomplete multibyte sequence */
        if (k == (size_t)-1) {
            memset(&st, 0, sizeof st);
            *wc = (wchar_t)(unsigned char)ch;
        }
        return 1;
    }
}

static unsigned char complete_fn(EditLine *el, int ch)
{
    (void)ch;
    const LineInfo *li = el_line(el);
    size_t upto = (size_t)(li->cursor - li->buffer);
    char line[1024];
    if (upto >= sizeof line)
        return CC_ERROR;
    memcpy(line, li->buffer, upto);
    line[upto] = 0;
    /* the word under the cursor and its position */
    char *start = line + upto;
    while (start > line && start[-1] != ' ')
        start--;
    int pos = 0;
    char cmd[64] = "";
    for (char *p = line; p < start;) {
        while (p < start && *p == ' ')
            p++;
        if (p >= start)
            break;
        char *e = p;
        while (e < start && *e != ' ')
            e++;
        if (pos == 0)
            snprintf(cmd, sizeof cmd, "%.*s", (int)(e - p), p);
        pos++;
        p = e;
    }
    vec cands;
    vec_init(&cands, sizeof(char *));
    shell_complete(the_shell, cmd, pos, start, &cands);
    unsigned char rc = CC_REFRESH;
    size_t plen = strlen(start);
    if (cands.len == 0)
        rc = CC_ERROR;
    else if (cands.len == 1) {
        const char *c = *(char **)vec_at(&cands, 0);
        char ins[600];
        if (strchr(c, ' ')) {
            /* {:global, X}, {:via, …}: one word for the shell, so quote it whole */
            el_deletestr(el, (int)plen);
            snprintf(ins, sizeof ins, "'%s' ", c);
        } else /* a directory: the user goes on typing inside it */
            snprintf(ins, sizeof ins, "%s%s", c + plen, c[strlen(c) - 1] == '/' ? "" : " ");
        el_insertstr(el, ins);
    } else {
        /* the common prefix, then the list */
        const char *first = *(char **)vec_at(&cands, 0);
        size_t common = strlen(first);
        for (size_t i = 1; i < cands.len; i++) {
            const char *c = *(char **)vec_at(&cands, i);
            size_t k = 0;
            while (k < common && c[k] == first[k])
                k++;
            common = k;
        }
        if (common > plen) {
            char ins[600];
            snprintf(ins, sizeof ins, "%.*s", (int)(common - plen), first + plen);
            el_insertstr(el, ins);
        } else {
            fputs("\n", stdout);
            for (size_t i = 0; i < cands.len && i < 60; i++)
                fprintf(stdout, "%s%s", *(char **)vec_at(&cands, i), (i + 1) % 4 ? "  " : "\n");
            if (cands.len > 60)
                fprintf(stdout, "… %zu in all", cands.len);
            fputs("\n", stdout);
            rc = CC_REDISPLAY;
        }
    }
    for (size_t i = 0; i < cands.len; i++)
        free(*(char **)vec_at(&cands, i));
    vec_free(&cands);
    return rc;
}

static void print_out(shell *sh, strbuf *out, strbuf *errs)
{
    if (out->len) {
        if (sh->interactive && sh->width > 0) {
            strbuf fit;
            sb_init(&fit);
            render_fit(out->buf, sh->width, &fit);
            fwrite(fit.buf, 1, fit.len, stdout);
            sb_free(&fit);
        } else
            fwrite(out->buf, 1, out->len, stdout);
    }
    fflush(stdout);
    if (errs->len) {
        fwrite(errs->buf, 1, errs->len, sh->interactive ? stdout : stderr);
        fflush(sh->interactive ? stdout : stderr);
    }
}

static int run_line(shell *sh, const char *line)
{
    strbuf out, errs;
    sb_init(&out);
    sb_init(&errs);
    if (sh->interactive)
        sh->width = term_width();
    int rc = shell_exec(sh, line, &out, &errs);
    print_out(sh, &out, &errs);
    sb_free(&out);
    sb_free(&errs);
    return rc;
}

static void history_path(char *buf, size_t n)
{
    const char *env = getenv("OTP_ADVISOR_HISTORY");
    if (env && *env) {
        snprintf(buf, n, "%s", env);
        return;
    }
    const char *home = getenv("HOME");
    snprintf(buf, n, "%s/.otp_advisor_history", home ? home : ".");
}

static struct termios saved_tty;
static int have_saved_tty;

/* out of memory in the middle of line editing: give the terminal back before aborting */
static void restore_tty(void)
{
    if (have_saved_tty)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
}

/* The line editor, set up before the shell's first command (the startup connection and
 * collection): from then on the terminal is in libedit's modes, so no key typed during
 * that first collection is taken by the line discipline either (see editor_open). */
typedef struct {
    EditLine *el;
    History *hist;
    char hpath[4096];
} editor;

static void editor_open(editor *ed)
{
    setlocale(LC_CTYPE, "");
    have_saved_tty = tcgetattr(STDIN_FILENO, &saved_tty) == 0;
    util_set_oom_hook(restore_tty);
    EditLine *el = ed->el = el_init("otp-advisor", stdin, stdout, stderr);
    History *hist = ed->hist = history_init();
    HistEvent ev;
    history_path(ed->hpath, sizeof ed->hpath);
    history(hist, &ev, H_SETSIZE, 2000);
    history(hist, &ev, H_SETUNIQUE, 1);
    history(hist, &ev, H_LOAD, ed->hpath);
    el_set(el, EL_EDITOR, "emacs");
    el_set(el, EL_PROMPT_ESC, prompt_fn, PROMPT_ESC);
    el_set(el, EL_HIST, history, hist);
    el_set(el, EL_GETCFN, getc_fn);
    el_set(el, EL_ADDFN, "oa-complete", "complete a command, name or rule", complete_fn);
    el_set(el, EL_BIND, "^I", "oa-complete", NULL);
    el_source(el, NULL); /* ~/.editrc, like other libedit programs */
    /* Between two lines (a command running, and the prompt being drawn: libedit draws it
     * before it puts the terminal into its editing mode) libedit leaves the terminal in
     * its execute mode, by default the canonical mode it found. There the line discipline
     * takes a ^D as an end-of-file mark, which becomes a NUL byte once libedit switches
     * to its editing mode: the Ctrl-D is gone, and the NUL is bound to ed-quoted-insert
     * (^V is disabled in that mode, and a disabled character is NUL), so the key after it
     * goes into the line as it is. A person typing ^D during a command, or a script
     * answering the prompt on a loaded machine, lost it. Our commands never read the
     * terminal, so its execute mode needs no line discipline: every key typed while a
     * command runs stays a byte for the editor to read. Signals stay on (Ctrl-C stops a
     * collection); no echo: the editor shows the keys once the prompt is up. After
     * ~/.editrc, so that a setty there cannot bring the race back; only where libedit
     * drives the terminal (its output a terminal too), or the mode would outlive us. */
    if (have_saved_tty && isatty(STDOUT_FILENO))
        el_set(el, EL_SETTY, "-x", "-icanon", "-echo", "-iexten", NULL);
}

static void editor_close(editor *ed)
{
    history_end(ed->hist);
    el_end(ed->el); /* gives the terminal back as it was */
    util_set_oom_hook(NULL);
}

static int interactive_loop(shell *sh, editor *ed)
{
    EditLine *el = ed->el;
    History *hist = ed->hist;
    HistEvent ev;
    while (!sh->quit) {
        int count = 0;
        const char *line = el_gets(el, &count);
        if (sh->interrupted && *sh->interrupted == 2)
            break; /* SIGTERM or SIGHUP: leave, removing the probe on the way out */
        if (!line || count <= 0) {
            if (sh->interrupted && *sh->interrupted && !tty_lost) {
                *sh->interrupted = 0;
                fputs("^C\n", stdout);
                el_reset(el);
                continue;
            }
            fputs("\n", stdout);
            break; /* Ctrl-D or the terminal went away */
        }
        char copy[4096];
        snprintf(copy, sizeof copy, "%s", line);
        copy[strcspn(copy, "\r\n")] = 0;
        if (!copy[0])
            continue;
        /* a cookie, named or by its value, never reaches the history file */
        if (!shell_holds_secret(sh, copy)) {
            history(hist, &ev, H_ENTER, copy);
            history(hist, &ev, H_SAVE, ed->hpath);
        }
        run_line(sh, copy);
        if (sh->interrupted && *sh->interrupted == 2)
            break;
        if (sh->interrupted)
            *sh->interrupted = 0;
    }
    return 0;
}

static int batch_loop(shell *sh)
{
    char *line = NULL;
    size_t cap = 0;
    int failed = 0;
    while (!sh->quit && getline(&line, &cap, stdin) > 0) {
        line[strcspn(line, "\r\n")] = 0;
        if (run_line(sh, line))
            failed = 1;
        if (sh->interrupted && *sh->interrupted)
            break;
    }
    free(line);
    return failed;
}

int shell_main(oa_opts *o, volatile sig_atomic_t *interrupted)
{
    shell sh;
    shell_init(&sh, o, interrupted);
    the_shell = &sh;
    sh.interactive = isatty(STDIN_FILENO);
    sh.color = util_color(o->color, STDOUT_FILENO, 0);
    sh.width = sh.interactive ? term_width() : 0;
    int rc = 0;
    strbuf out, errs;
    sb_init(&out);
    sb_init(&errs);
    char err[OA_ERRLEN];
    int startup_failed = 0;
    strbuf info;
    sb_init(&info);
    editor ed;
    if (sh.interactive)
        editor_open(&ed);
    if (o->from) {
        strbuf said;
        sb_init(&said);
        if (shell_load_file(&sh, o->from, &said, err)) {
            sb_printf(&errs, "error: %s\n", err);
            startup_failed = 1;
        }
        sb_free(&said);
    } else if (o->node) {
        char line[600];
        snprintf(line, sizeof line, "connect '%s'", o->node);
        /* piped: what connect says is for the person, not the script reading stdout */
        startup_failed = shell_exec(&sh, line, sh.interactive ? &out : &info, &errs) != 0;
        if (!sh.interactive && info.len)
            fwrite(info.buf, 1, info.len, stderr);
    }
    sb_free(&info);
    if (sh.interactive)
        sb_puts(&out, "type `help` for commands, Tab to complete, Ctrl-D to quit\n");
    print_out(&sh, &out, &errs);
    sb_free(&out);
    sb_free(&errs);
    if (!sh.interactive && startup_failed)
        rc = 2;
    else
        rc = sh.interactive ? interactive_loop(&sh, &ed) : (batch_loop(&sh) ? 2 : 0);
    if (sh.interactive)
        editor_close(&ed);
    shell_free(&sh);
    return rc;
}
