/* cli.c — option parsing and the one-shot front ends. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "cli_cluster.h"
#include "diff.h"
#include "outfile.h"
#include "source.h"
#include "watch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "mcp.h"
#include "probe_blobs.h"
#include "render.h"
#include "render_findings.h"
#include "report.h"
#include "rules.h"
#include "shell.h"
#include "snap.h"
#include "util.h"
#include "version.h"

/* ---- options: one table, for parsing and for help ------------------------------------ */

/* which commands take an option */
enum {
    G_ATTACH = 1, /* attaching to a node: cookie, names, window, deadlines, --no-load */
    G_FROM = 2,   /* --from FILE */
    G_OUT = 4,    /* -o FILE */
    G_JSON = 8,
    G_COLOR = 16,
    G_RULES = 32,     /* --set, --judge-otp */
    G_CHECK = 64,     /* --fail-on, --rule, --ignore, -s */
    G_DOT = 128,      /* --dot */
    G_SOURCE = 256,   /* --source-root */
    G_BASELINE = 512, /* --baseline FILE */
    G_WATCH = 1024,   /* --every, --for */
    G_ALL = 2047,
};

enum opt_id {
    O_COOKIE_FILE,
    O_COOKIE,
    O_NAME,
    O_SNAME,
    O_WINDOW,
    O_TIMEOUT,
    O_SUP_TIMEOUT,
    O_NO_LOAD,
    O_FROM,
    O_OUTPUT,
    O_JSON,
    O_NO_COLOR,
    O_FAIL_ON,
    O_RULE,
    O_IGNORE,
    O_CHUNK,
    O_CREDIT,
    O_SET,
    O_SEVERITY,
    O_JUDGE_OTP,
    O_STATS,
    O_QUIET,
    O_HELP,
    O_VERSION,
    O_DOT,
    O_SOURCE_ROOT,
    O_CLUSTER,
    O_HIDDEN,
    O_TLS,
    O_TLS_CERT,
    O_TLS_KEY,
    O_TLS_CACERT,
    O_TLS_VERIFY,
    O_ADDRESS,
    O_SSH,
    O_SSH_COMMAND,
    O_BASELINE,
    O_EVERY,
    O_FOR,
    O_SAVE,
};

typedef struct {
    enum opt_id id;
    const char *name, *alt; /* "--output", "-o" */
    const char *value;      /* its value's name, NULL for a flag */
    unsigned groups;
    const char *help; /* NULL: not listed (for make bench and the tests) */
} cli_option;

static const cli_option options[] = {
    {O_COOKIE_FILE, "--cookie-file", NULL, "FILE", G_ATTACH,
     "cookie (default: $OTP_ADVISOR_COOKIE, then ~/.erlang.cookie)"},
    {O_COOKIE, "--cookie", NULL, "COOKIE", G_ATTACH, "discouraged: other users can read it with ps"},
    {O_NAME, "--name", NULL, "NAME", G_ATTACH, "this tool's own long node name (default otp-advisor-PID)"},
    {O_SNAME, "--sname", NULL, "NAME", G_ATTACH, "this tool's own short node name"},
    {O_WINDOW, "--window", NULL, "SECONDS", G_ATTACH, "two samples this far apart (default 1; 0 for one sample)"},
    {O_TIMEOUT, "--timeout", NULL, "MS", G_ATTACH, "deadline for each remote call (default 5000)"},
    {O_SUP_TIMEOUT, "--sup-timeout", NULL, "MS", G_ATTACH, "deadline for each supervisor call (default 2000)"},
    {O_NO_LOAD, "--no-load", NULL, NULL, G_ATTACH, "stock OTP calls only: no code is loaded on the target"},
    {O_TLS, "--tls", NULL, "OPTFILE", G_ATTACH,
     "TLS distribution (-proto_dist inet_tls), with the node's ssl_dist_optfile (its client section)"},
    {O_TLS_CERT, "--tls-cert", NULL, "FILE", G_ATTACH, "TLS: our client certificate (PEM), over the optfile's"},
    {O_TLS_KEY, "--tls-key", NULL, "FILE", G_ATTACH, "TLS: its private key (PEM)"},
    {O_TLS_CACERT, "--tls-cacert", NULL, "FILE", G_ATTACH, "TLS: the CAs the node's certificate must chain to"},
    {O_TLS_VERIFY, "--tls-verify", NULL, "peer|none", G_ATTACH, "TLS: check the node's certificate (default peer)"},
    {O_ADDRESS, "--address", NULL, "HOST:PORT", G_ATTACH,
     "the node's distribution port, without epmd ([::1]:9100 for IPv6; NODE may then be left out)"},
    {O_SSH, "--ssh", NULL, "[USER@]HOST[:PORT]", G_ATTACH,
     "reach the node through ssh to its host (epmd and the port forwarded over one ssh process)"},
    {O_EVERY, "--every", NULL, "SECONDS", G_WATCH, "watch: a light sample this often (default 2)"},
    {O_FOR, "--for", NULL, "DURATION", G_WATCH, "watch: stop after this long (90, 90s, 10m, 2h; default: until q)"},
    {O_SAVE, "--save", NULL, "FILE", G_WATCH,
     "watch: at the end, the snapshot with the whole series (check, report, the shell and mcp read it)"},
    {O_BASELINE, "--baseline", NULL, "FILE", G_BASELINE,
     "report: a section on what changed since this saved snapshot (see diff)"},
    {O_SSH_COMMAND, "--ssh-command", NULL, "CMD", G_ATTACH,
     "the ssh client to run instead of ssh (e.g. 'ssh -J jump')"},
    {O_FROM, "--from", NULL, "FILE", G_FROM, "read a saved snapshot instead of attaching"},
    {O_OUTPUT, "--output", "-o", "FILE", G_OUT, "output file"},
    {O_JSON, "--json", NULL, NULL, G_JSON, "JSON output (dump: otp-advisor/dump/1, check: otp-advisor/findings/2)"},
    {O_NO_COLOR, "--no-color", NULL, NULL, G_COLOR, "plain output"},
    {O_JUDGE_OTP, "--judge-otp", NULL, NULL, G_RULES,
     "judge OTP's and Elixir's library applications (ssh, inets, mnesia, ...) too"},
    {O_FAIL_ON, "--fail-on", NULL, "SEVERITY", G_CHECK, "exit 1 when a finding is at least info|warning|critical"},
    {O_RULE, "--rule", NULL, "ID", G_CHECK, "only this rule (repeatable)"},
    {O_IGNORE, "--ignore", NULL, "ID", G_CHECK, "not this rule (repeatable)"},
    {O_SET, "--set", NULL, "NAME=VALUE", G_RULES, "change a threshold (otp-advisor explain thresholds)"},
    {O_SEVERITY, "--severity", "-s", "SEVERITY", G_CHECK, "show findings from this severity up"},
    {O_CHUNK, "--chunk", NULL, "N", G_ATTACH, NULL},
    {O_CREDIT, "--credit", NULL, "N", G_ATTACH, NULL},
    {O_STATS, "--stats", NULL, NULL, G_ALL, NULL},
    {O_QUIET, "--quiet", "-q", NULL, G_ATTACH, NULL},
    {O_HELP, "--help", "-h", NULL, G_ALL, "this help"},
    {O_VERSION, "--version", "-V", NULL, G_ALL, "the version of otp-advisor and of its probe"},
    {O_DOT, "--dot", NULL, NULL, G_DOT, "the supervision trees as Graphviz DOT (dot -Tsvg draws them)"},
    {O_SOURCE_ROOT, "--source-root", NULL, "DIR", G_SOURCE,
     "print the source files of your code relative to this project directory"},
    {O_CLUSTER, "--cluster", NULL, NULL, G_ATTACH | G_FROM,
     "every node of the cluster NODE is in (erlang:nodes()), attached in parallel; --from: every node of the file"},
    {O_HIDDEN, "--hidden", NULL, NULL, G_ATTACH, "--cluster: the hidden nodes too (never otp-advisor's own)"},
};
#define N_OPTIONS (int)(sizeof options / sizeof options[0])

/* ---- commands: one table, for dispatch, usage and help ------------------------------- */

typedef struct {
    const char *name;
    const char *args; /* after the name and its options */
    const char *help;
    unsigned groups; /* the options it takes */
    int (*run)(oa_opts *o, volatile sig_atomic_t *interrupted);
} cli_cmd;

static int cmd_shell(oa_opts *o, volatile sig_atomic_t *interrupted);
static int cmd_snapshot(oa_opts *o, volatile sig_atomic_t *interrupted);
static int cmd_dump(oa_opts *o, volatile sig_atomic_t *interrupted);
static int cmd_check(oa_opts *o, volatile sig_atomic_t *interrupted);
static int cmd_report(oa_opts *o, volatile sig_atomic_t *interrupted);
static int cmd_explain(oa_opts *o, volatile sig_atomic_t *interrupted);
static int cmd_help(oa_opts *o, volatile sig_atomic_t *interrupted);
static int cmd_mcp(oa_opts *o, volatile sig_atomic_t *interrupted);
static int cmd_diff(oa_opts *o, volatile sig_atomic_t *interrupted);
static int cmd_watch(oa_opts *o, volatile sig_atomic_t *interrupted);

static const cli_cmd commands[] = {
    {.name = "shell",
     .args = "NODE|--from FILE",
     .groups = G_ATTACH | G_FROM | G_COLOR | G_RULES | G_SOURCE,
     .run = cmd_shell,
     .help = "the interactive shell (also: otp-advisor NODE)"},
    {.name = "snapshot",
     .args = "NODE -o FILE",
     .groups = G_ATTACH | G_FROM | G_OUT,
     .run = cmd_snapshot,
     .help = "save a snapshot (Erlang term format)"},
    {.name = "dump",
     .args = "NODE|--from FILE",
     .groups = G_ATTACH | G_FROM | G_OUT | G_JSON | G_COLOR | G_RULES | G_DOT,
     .run = cmd_dump,
     .help = "summary, supervision trees and counts"},
    {.name = "check",
     .args = "NODE|--from FILE",
     .groups = G_ATTACH | G_FROM | G_OUT | G_JSON | G_COLOR | G_RULES | G_CHECK | G_SOURCE,
     .run = cmd_check,
     .help = "findings; --json; --fail-on SEVERITY"},
    {.name = "report",
     .args = "NODE|--from FILE [TARGET]",
     .groups = G_ATTACH | G_FROM | G_OUT | G_JSON | G_RULES | G_SOURCE | G_BASELINE,
     .run = cmd_report,
     .help = "markdown OTP Analysis (--json: the same as data)"},
    {.name = "mcp",
     .args = "[NODE|--from FILE]",
     .groups = G_ATTACH | G_FROM | G_RULES | G_SOURCE,
     .run = cmd_mcp,
     .help = "Model Context Protocol server on stdio, for coding agents (the shell's operations as tools)"},
    {.name = "watch",
     .args = "NODE [--every S] [--for D]",
     .groups = G_ATTACH | G_JSON | G_RULES | G_WATCH,
     .run = cmd_watch,
     .help = "light samples over minutes: findings that need time (live view, or JSON lines)"},
    {.name = "diff",
     .args = "BEFORE.etf AFTER.etf",
     .groups = G_OUT | G_JSON | G_RULES | G_CHECK,
     .run = cmd_diff,
     .help = "what changed between two snapshots (a deploy gate: --fail-on new-warning)"},
    {.name = "explain",
     .args = "[RULE|thresholds]",
     .groups = G_RULES,
     .run = cmd_explain,
     .help = "what a rule checks and how to fix it"},
    {.name = "help", .args = "[COMMAND]", .groups = 0, .run = cmd_help, .help = "this help, or one command's"},
};
#define N_COMMANDS (int)(sizeof commands / sizeof commands[0])

static const cli_cmd *find_command(const char *name)
{
    for (int i = 0; name && i < N_COMMANDS; i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

static void option_lines(strbuf *out, unsigned groups)
{
    for (int i = 0; i < N_OPTIONS; i++) {
        const cli_option *op = &options[i];
        if (!op->help || !(op->groups & groups))
            continue;
        char head[64];
        snprintf(head, sizeof head, "%s%s%s%s%s", op->alt ? op->alt : "", op->alt ? ", " : "", op->name,
                 op->value ? " " : "", op->value ? op->value : "");
        sb_printf(out, "  %-26s %s\n", head, op->help);
    }
}

static void print_version(void)
{
    printf("otp-advisor %s (probe %s)\n", OA_VERSION, probe_module);
}

static void usage(FILE *f, const cli_cmd *only)
{
    strbuf sb;
    sb_init(&sb);
    if (only) {
        sb_printf(&sb, "usage: otp-advisor %s [OPTIONS] %s\n  %s\n", only->name, only->args, only->help);
        if (only->groups) {
            sb_puts(&sb, "\noptions:\n");
            option_lines(&sb, only->groups);
        }
    } else {
        sb_puts(&sb, "usage:\n");
        for (int i = 0; i < N_COMMANDS; i++) {
            char head[80];
            snprintf(head, sizeof head, "otp-advisor %s %s", commands[i].name, commands[i].args);
            sb_printf(&sb, "  %-46s %s\n", head, commands[i].help);
        }
        sb_puts(&sb, "\noptions (`otp-advisor help COMMAND`: the ones a command takes):\n");
        option_lines(&sb, G_ALL);
    }
    sb_puts(&sb, "exit codes: 0 ok, 1 findings at or above --fail-on, 2 error, 130 interrupted\n");
    fwrite(sb.buf, 1, sb.len, f);
    sb_free(&sb);
}

static int set_option(oa_opts *o, const cli_option *op, const char *a, const char *v, char *err)
{
    char *end;
    switch (op->id) {
    case O_COOKIE_FILE:
        o->copts.cookie_file = v;
        break;
    case O_COOKIE:
        o->copts.cookie = v;
        fprintf(stderr, "otp-advisor: warning: --cookie is visible to other users in ps; prefer --cookie-file\n");
        break;
    case O_NAME:
        o->copts.name = v;
        break;
    case O_SNAME:
        o->copts.sname = v;
        break;
    case O_WINDOW: {
        double w = strtod(v, &end);
        if (end == v || *end || !(w >= 0 && w <= 600))
            return errf(err, "--window takes seconds between 0 and 600, not '%s'", v);
        o->col.window_ms = (int)(w * 1000);
        break;
    }
    case O_TIMEOUT:
    case O_SUP_TIMEOUT: {
        long ms = strtol(v, &end, 10);
        if (end == v || *end || ms <= 0 || ms > 3600000)
            return errf(err, "%s takes milliseconds, not '%s'", a, v);
        if (op->id == O_TIMEOUT)
            o->copts.timeout_ms = (int)ms;
        else
            o->col.sup_timeout_ms = (int)ms;
        break;
    }
    case O_NO_LOAD:
        o->col.no_load = 1;
        break;
    case O_FROM:
        o->from = v;
        break;
    case O_OUTPUT:
        o->output = v;
        break;
    case O_JSON:
        o->json = 1;
        break;
    case O_DOT:
        o->dot = 1;
        break;
    case O_NO_COLOR:
        o->color = 0;
        break;
    case O_FAIL_ON:
        o->fail_on = v;
        break;
    case O_RULE:
    case O_IGNORE:
    case O_SET: {
        const char **list = op->id == O_RULE ? o->rules : op->id == O_IGNORE ? o->ignores : o->sets;
        int *n = op->id == O_RULE ? &o->n_rules : op->id == O_IGNORE ? &o->n_ignores : &o->n_sets;
        if (*n >= 32)
            return errf(err, "%s is given more than 32 times", a);
        list[(*n)++] = v;
        break;
    }
    case O_CHUNK:
    case O_CREDIT: {
        long n = strtol(v, &end, 10);
        if (end == v || *end || n < 1 || n > 100000)
            return errf(err, "%s takes a count, not '%s'", a, v);
        if (op->id == O_CHUNK)
            o->col.chunk = (int)n;
        else
            o->col.credit = (int)n;
        break;
    }
    case O_SEVERITY:
        o->min_severity = v;
        break;
    case O_JUDGE_OTP:
        o->judge_otp = 1;
        break;
    case O_STATS:
        o->stats = 1;
        break;
    case O_QUIET:
        o->col.quiet = 1;
        break;
    case O_TLS:
    case O_TLS_CERT:
    case O_TLS_KEY:
    case O_TLS_CACERT:
        o->copts.tls.on = 1;
        *(op->id == O_TLS        ? &o->copts.tls.optfile
          : op->id == O_TLS_CERT ? &o->copts.tls.cert
          : op->id == O_TLS_KEY  ? &o->copts.tls.key
                                 : &o->copts.tls.cacert) = v;
        break;
    case O_TLS_VERIFY:
        if (strcmp(v, "peer") && strcmp(v, "none"))
            return errf(err, "--tls-verify takes peer or none, not '%s'", v);
        o->copts.tls.verify = !strcmp(v, "peer") ? TLS_VERIFY_PEER : TLS_VERIFY_NONE;
        break;
    case O_ADDRESS:
        o->copts.address = v;
        break;
    case O_SSH:
        o->copts.ssh = v;
        break;
    case O_SSH_COMMAND:
        o->copts.ssh_command = v;
        break;
    case O_BASELINE:
        o->baseline = v;
        break;
    case O_SAVE:
        o->watch_save = v;
        break;
    case O_EVERY: {
        double e = strtod(v, &end);
        if (end == v || *end || !(e >= 0.2 && e <= 3600))
            return errf(err, "--every takes seconds between 0.2 and 3600, not '%s'", v);
        o->watch_every_ms = (int)(e * 1000);
        break;
    }
    case O_FOR: {
        double d = strtod(v, &end);
        double mul = !*end || !strcmp(end, "s") ? 1 : !strcmp(end, "m") ? 60 : !strcmp(end, "h") ? 3600 : -1;
        if (end == v || mul < 0 || !(d > 0 && d * mul <= 7 * 86400))
            return errf(err, "--for takes a duration (90, 90s, 10m, 2h; at most a week), not '%s'", v);
        o->watch_for_ms = (int64_t)(d * mul * 1000);
        break;
    }
    case O_CLUSTER:
        o->cluster = 1;
        break;
    case O_HIDDEN:
        o->hidden = 1;
        break;
    case O_SOURCE_ROOT:
        o->source_root = v;
        source_set_root(v);
        break;
    case O_HELP:
    case O_VERSION:
        break;
    }
    return 0;
}

/* The words after the command against the tables: options it takes, then free words (the
 * node, then the rest). 1: --help was asked (printed), 0, or -1 with err. */
static int parse(int argc, char **argv, int start, const cli_cmd *cmd, oa_opts *o, char *err)
{
    for (int i = start; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1]) {
            if (!o->node && !o->from)
                o->node = a;
            else
                o->rest[o->n_rest++] = argv[i];
            continue;
        }
        const cli_option *op = NULL;
        for (int k = 0; k < N_OPTIONS && !op; k++)
            if (!strcmp(options[k].name, a) || (options[k].alt && !strcmp(options[k].alt, a)))
                op = &options[k];
        if (!op)
            return errf(err, "unknown option %s (see otp-advisor help %s)", a, cmd->name);
        if (op->id == O_HELP) {
            usage(stdout, cmd);
            return 1;
        }
        if (op->id == O_VERSION) {
            print_version();
            return 1;
        }
        if (!(op->groups & cmd->groups))
            return errf(err, "%s does not take %s (see otp-advisor help %s)", cmd->name, a, cmd->name);
        const char *v = NULL;
        if (op->value) {
            if (i + 1 >= argc)
                return errf(err, "option %s needs a value", a);
            v = argv[++i];
        }
        if (set_option(o, op, a, v, err))
            return -1;
    }
    return 0;
}

volatile sig_atomic_t cli_remote_busy, cli_in_shell;
static int64_t cli_attach_us; /* the last attach (conn_open), for --stats */

int cli_collect(const oa_opts *o, volatile sig_atomic_t *interrupted, snap **out, char *err)
{
    conn c;
    *out = NULL;
    cli_remote_busy = 1; /* from here a signal stops the work cooperatively */
    int64_t t0 = now_us();
    int opened = conn_open(&c, o->node, &o->copts, err);
    fputs(c.notes.text, stderr); /* the cookie's and TLS's warnings */
    if (opened) {
        cli_remote_busy = 0;
        return -1;
    }
    cli_attach_us = now_us() - t0;
    collect_state st;
    memset(&st, 0, sizeof st);
    int rc = collect_snapshot(&c, &o->col, &st, interrupted, out, err);
    fputs(st.notes.text, stderr);
    char e2[OA_ERRLEN];
    if (conn_up(&c) && collect_unload(&c, &st, e2) && !rc)
        fprintf(stderr, "otp-advisor: warning: could not remove the probe: %s\n", e2);
    conn_close(&c);
    cli_remote_busy = 0;
    if (*interrupted) /* a signal came during the collection: leave now, as promised */
        return rc ? rc : (snap_free(*out), *out = NULL, errf(err, "interrupted"));
    return rc;
}

static int get_snapshot(const oa_opts *o, volatile sig_atomic_t *interrupted, snap **out, char *err)
{
    int rc;
    if (o->from) {
        *out = snap_load(o->from, err);
        rc = *out ? 0 : -1;
    } else if (!o->node && !o->copts.address)
        return errf(err, "which node? give NODE (name@host), --address HOST:PORT or --from FILE");
    else
        rc = cli_collect(o, interrupted, out, err);
    if (!rc && o->judge_otp) { /* classify again, OTP's library applications as the user's */
        (*out)->judge_otp = 1;
        (*out)->finished = 0;
        rc = snap_finish(*out, err);
    }
    return rc;
}

static int cmd_snapshot(oa_opts *o, volatile sig_atomic_t *interrupted)
{
    if (o->cluster) /* --cluster: every node (cli_cluster.c) */
        return cli_cluster_cmd(o, interrupted, "snapshot");
    char err[OA_ERRLEN];
    if (!o->output) {
        fprintf(stderr, "otp-advisor: snapshot needs -o FILE\n");
        return EXIT_ERROR;
    }
    snap *s;
    if (get_snapshot(o, interrupted, &s, err)) {
        fprintf(stderr, "otp-advisor: %s\n", err);
        return *interrupted ? EXIT_INTERRUPTED : EXIT_ERROR;
    }
    int64_t t_saved = now_us();
    int rc = snap_save(s, o->output, err);
    if (o->stats) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        /* machine-readable, for make bench */
        fprintf(stderr,
                "stats: processes=%zu attach_us=%lld collect_us=%lld walk1_us=%lld walk2_us=%lld save_us=%lld "
                "maxrss_kb=%ld\n",
                s->procs.len, (long long)cli_attach_us, (long long)s->info.e2e_us, (long long)s->info.walk1_us,
                (long long)s->info.walk2_us, (long long)(now_us() - t_saved), ru.ru_maxrss);
    }
    if (rc)
        fprintf(stderr, "otp-advisor: %s\n", err);
    else
        fprintf(stderr, "otp-advisor: saved %zu processes, %zu supervisors of %s to %s\n", s->procs.len, s->sups.len,
                snap_str(s, s->info.node), o->output);
    snap_free(s);
    return rc ? EXIT_ERROR : EXIT_OK;
}

int cli_emit(const oa_opts *o, const strbuf *sb)
{
    char err[OA_ERRLEN];
    if (o->output) {
        if (outfile_write_all(o->output, sb->buf, sb->len, err) == 0)
            return 0;
    } else {
        errno = 0;
        if (fwrite(sb->buf, 1, sb->len, stdout) == sb->len && fflush(stdout) == 0)
            return 0;
        errf(err, "cannot write the standard output: %s", strerror(errno ? errno : EIO));
    }
    fprintf(stderr, "otp-advisor: %s\n", err);
    return -1;
}

static int cmd_dump(oa_opts *o, volatile sig_atomic_t *interrupted)
{
    if (o->cluster) /* --cluster: every node (cli_cluster.c) */
        return cli_cluster_cmd(o, interrupted, "dump");
    char err[OA_ERRLEN];
    snap *s;
    if (get_snapshot(o, interrupted, &s, err)) {
        fprintf(stderr, "otp-advisor: %s\n", err);
        return *interrupted ? EXIT_INTERRUPTED : EXIT_ERROR;
    }
    render_ctx rc;
    render_ctx_default(&rc);
    rc.color = util_color(o->color, STDOUT_FILENO, o->output != NULL);
    strbuf sb;
    sb_init(&sb);
    if (o->json || o->dot) {
        if (o->dot)
            render_dot(s, SNAP_NONE, &rc, &sb);
        else
            render_dump_json(s, &sb);
        int bad = cli_emit(o, &sb);
        sb_free(&sb);
        snap_free(s);
        return bad ? EXIT_ERROR : EXIT_OK;
    }
    render_summary(s, &rc, &sb);
    sb_putc(&sb, '\n');
    render_apps(s, &rc, &sb);
    sb_putc(&sb, '\n');
    render_tree(s, SNAP_NONE, &rc, &sb);
    render_class_counts(s, &rc, &sb);
    sb_putc(&sb, '\n');
    render_unsupervised(s, &rc, &sb);
    int bad = cli_emit(o, &sb);
    sb_free(&sb);
    snap_free(s);
    return bad ? EXIT_ERROR : EXIT_OK;
}

int cli_setup_rules(const oa_opts *o, rule_opts *ro, char *err)
{
    rule_opts_default(ro);
    for (int i = 0; i < o->n_sets; i++)
        if (rule_opts_set(ro, o->sets[i], err))
            return -1;
    for (int i = 0; i < o->n_rules; i++)
        if (!rule_find(o->rules[i]))
            return errf(err, "unknown rule '%s' (otp-advisor explain lists them)", o->rules[i]);
    for (int i = 0; i < o->n_ignores; i++)
        if (!rule_find(o->ignores[i]))
            return errf(err, "unknown rule '%s' (otp-advisor explain lists them)", o->ignores[i]);
    return 0;
}

/* A snapshot (attached or from a file) with its findings: what check and report share. */
typedef struct {
    snap *s;
    findings f;
    rule_opts ro;
} analysed;

static void analysed_free(analysed *a)
{
    findings_free(&a->f);
    rule_opts_free(&a->ro);
    snap_free(a->s);
}

/* Returns an exit code: EXIT_OK with *a filled, else an error already printed. */
static int analyse(oa_opts *o, volatile sig_atomic_t *interrupted, int filtered, analysed *a)
{
    char err[OA_ERRLEN];
    if (cli_setup_rules(o, &a->ro, err)) {
        fprintf(stderr, "otp-advisor: %s\n", err);
        rule_opts_free(&a->ro);
        return EXIT_ERROR;
    }
    if (get_snapshot(o, interrupted, &a->s, err)) {
        fprintf(stderr, "otp-advisor: %s\n", err);
        rule_opts_free(&a->ro);
        return *interrupted ? EXIT_INTERRUPTED : EXIT_ERROR;
    }
    const char *only[33] = {0}, *ignore[33] = {0};
    for (int i = 0; filtered && i < o->n_rules; i++)
        only[i] = o->rules[i];
    for (int i = 0; filtered && i < o->n_ignores; i++)
        ignore[i] = o->ignores[i];
    findings_init(&a->f);
    rules_run(a->s, &a->ro, only, ignore, &a->f);
    return EXIT_OK;
}

static int cmd_check(oa_opts *o, volatile sig_atomic_t *interrupted)
{
    if (o->cluster) /* --cluster: every node (cli_cluster.c) */
        return cli_cluster_cmd(o, interrupted, "check");
    int fail_on = SEV_WARNING + 100; /* default: findings never fail the run */
    if (o->fail_on && (fail_on = severity_parse(o->fail_on)) < 0) {
        fprintf(stderr, "otp-advisor: --fail-on takes info, warning or critical\n");
        return EXIT_ERROR;
    }
    int min_sev = SEV_INFO;
    if (o->min_severity && (min_sev = severity_parse(o->min_severity)) < 0) {
        fprintf(stderr, "otp-advisor: -s takes info, warning or critical\n");
        return EXIT_ERROR;
    }
    analysed a;
    int rc = analyse(o, interrupted, 1, &a);
    if (rc)
        return rc;
    strbuf sb;
    sb_init(&sb);
    if (o->json)
        render_findings_json(a.s, &a.f, &sb);
    else {
        render_ctx c;
        render_ctx_default(&c);
        c.color = util_color(o->color, STDOUT_FILENO, o->output != NULL);
        render_findings_text(a.s, &a.f, min_sev, &c, &sb);
    }
    rc = cli_emit(o, &sb) ? EXIT_ERROR : findings_count(&a.f, fail_on) > 0 ? EXIT_FINDINGS : EXIT_OK;
    sb_free(&sb);
    analysed_free(&a);
    return rc;
}

/* report --baseline FILE: the diff from FILE to this snapshot, as the report's last section
 * (markdown), or as its "since_baseline" member (JSON) */
static int since_baseline(const oa_opts *o, analysed *a, strbuf *sb, char *err)
{
    snap *old = snap_load(o->baseline, err);
    if (!old)
        return -1;
    findings fo;
    findings_init(&fo);
    rules_run(old, &a->ro, NULL, NULL, &fo);
    strbuf d;
    sb_init(&d);
    diff_counts dc;
    diff_render(old, &fo, o->baseline, a->s, &a->f, "this snapshot", o->json, &d, &dc);
    if (o->json) { /* into the report's object, before its closing brace */
        size_t end = sb->len;
        while (end > 0 && sb->buf[end - 1] != '}')
            end--;
        while (d.len && (d.buf[d.len - 1] == '\n' || d.buf[d.len - 1] == ' '))
            d.len--;
        if (end > 0) {
            sb->len = end - 1;
            sb_puts(sb, ",\n  \"since_baseline\": ");
            sb_add(sb, d.buf, d.len);
            sb_puts(sb, "\n}\n");
        }
    } else {
        int nnew = dc.new_at[0] + dc.new_at[1] + dc.new_at[2];
        sb_printf(sb,
                  "\n## Since the last snapshot\n\nCompared with `%s`: %d new finding%s (%d critical, %d warning), "
                  "%d resolved. Processes are matched by name and by their place in the tree, never by pid "
                  "(`otp-advisor diff` gives the same).\n\n```text\n",
                  o->baseline, nnew, nnew == 1 ? "" : "s", dc.new_at[SEV_CRITICAL], dc.new_at[SEV_WARNING],
                  dc.resolved);
        sb_add(sb, d.buf, d.len);
        sb_puts(sb, "```\n");
    }
    sb_free(&d);
    findings_free(&fo);
    snap_free(old);
    return 0;
}

static int cmd_report(oa_opts *o, volatile sig_atomic_t *interrupted)
{
    if (o->cluster) /* --cluster: every node (cli_cluster.c) */
        return cli_cluster_cmd(o, interrupted, "report");
    char err[OA_ERRLEN];
    if ((o->from || (o->copts.address && !o->n_rest && o->node && !strchr(o->node, '@'))) && o->node) {
        /* report --from FILE [TARGET] (or --address without NODE): the first free word is the target */
        o->rest[o->n_rest++] = (char *)o->node;
        o->node = NULL;
    }
    analysed a;
    int rc = analyse(o, interrupted, 0, &a);
    if (rc)
        return rc;
    strbuf sb;
    sb_init(&sb);
    const char *target = o->n_rest > 0 ? o->rest[0] : NULL;
    if (o->baseline) { /* the report, then what changed since the baseline: written together */
        rc = report_to(a.s, &a.f, target, o->json, NULL, &sb, err);
        if (!rc)
            rc = since_baseline(o, &a, &sb, err);
    } else
        rc = report_to(a.s, &a.f, target, o->json, o->output, &sb, err);
    int written = o->output && !o->baseline; /* report_to wrote the file itself */
    if (rc)
        fprintf(stderr, "otp-advisor: %s\n", err);
    else if (!written && cli_emit(o, &sb))
        rc = -1;
    else if (o->output)
        fprintf(stderr, "otp-advisor: report written to %s\n", o->output);
    sb_free(&sb);
    analysed_free(&a);
    return rc ? EXIT_ERROR : EXIT_OK;
}

static int cmd_watch(oa_opts *o, volatile sig_atomic_t *interrupted)
{
    cli_remote_busy = 1; /* a signal ends the watch cooperatively: a summary, the probe removed */
    cli_in_shell = 1;
    int rc = watch_main(o, interrupted);
    cli_remote_busy = 0;
    return rc;
}

/* diff BEFORE AFTER: both files judged by the same rules, then compared (diff.c) */
static int cmd_diff(oa_opts *o, volatile sig_atomic_t *interrupted)
{
    (void)interrupted;
    char err[OA_ERRLEN];
    const char *fa = o->node, *fb = o->n_rest ? o->rest[0] : NULL;
    if (!fa || !fb || o->n_rest > 1) {
        fprintf(stderr, "otp-advisor: diff takes two snapshot files: otp-advisor diff BEFORE.etf AFTER.etf\n");
        return EXIT_ERROR;
    }
    int fail_on = SEV_CRITICAL + 100; /* default: never fails the run */
    if (o->fail_on) {
        const char *w = o->fail_on;
        fail_on = severity_parse(!strncmp(w, "new-", 4) ? w + 4 : w);
        if (fail_on < 0) {
            fprintf(stderr, "otp-advisor: diff's --fail-on takes new-info, new-warning or new-critical\n");
            return EXIT_ERROR;
        }
    }
    rule_opts ro;
    if (cli_setup_rules(o, &ro, err)) {
        fprintf(stderr, "otp-advisor: %s\n", err);
        rule_opts_free(&ro);
        return EXIT_ERROR;
    }
    snap *s[2] = {NULL, NULL};
    const char *files[2] = {fa, fb};
    for (int i = 0; i < 2; i++) {
        s[i] = snap_load(files[i], err);
        if (s[i] && o->judge_otp) {
            s[i]->judge_otp = 1;
            s[i]->finished = 0;
            if (snap_finish(s[i], err))
                snap_free(s[i]), s[i] = NULL;
        }
        if (!s[i]) {
            fprintf(stderr, "otp-advisor: %s\n", err);
            snap_free(s[0]);
            rule_opts_free(&ro);
            return EXIT_ERROR;
        }
    }
    const char *only[33] = {0}, *ignore[33] = {0};
    for (int i = 0; i < o->n_rules; i++)
        only[i] = o->rules[i];
    for (int i = 0; i < o->n_ignores; i++)
        ignore[i] = o->ignores[i];
    findings f[2];
    for (int i = 0; i < 2; i++) {
        findings_init(&f[i]);
        rules_run(s[i], &ro, only, ignore, &f[i]);
    }
    strbuf sb;
    sb_init(&sb);
    diff_counts dc;
    diff_render(s[0], &f[0], fa, s[1], &f[1], fb, o->json, &sb, &dc);
    int gate = 0;
    for (int sev = fail_on; sev <= SEV_CRITICAL; sev++)
        gate += sev >= 0 ? dc.new_at[sev] : 0;
    int rc = cli_emit(o, &sb) ? EXIT_ERROR : gate ? EXIT_FINDINGS : EXIT_OK;
    sb_free(&sb);
    for (int i = 0; i < 2; i++) {
        findings_free(&f[i]);
        snap_free(s[i]);
    }
    rule_opts_free(&ro);
    return rc;
}

static int cmd_explain(oa_opts *o, volatile sig_atomic_t *interrupted)
{
    (void)interrupted;
    char err[OA_ERRLEN];
    rule_opts ro;
    rule_opts_default(&ro);
    for (int i = 0; i < o->n_sets; i++) /* the values a run with these --set would use */
        if (rule_opts_set(&ro, o->sets[i], err)) {
            fprintf(stderr, "otp-advisor: %s\n", err);
            rule_opts_free(&ro);
            return EXIT_ERROR;
        }
    strbuf sb;
    sb_init(&sb);
    int rc = render_explain(o->node, &ro, &sb, err); /* the first free word */
    if (rc)
        fprintf(stderr, "otp-advisor: %s\n", err);
    else
        fwrite(sb.buf, 1, sb.len, stdout);
    sb_free(&sb);
    rule_opts_free(&ro);
    return rc ? EXIT_ERROR : EXIT_OK;
}

static int cmd_help(oa_opts *o, volatile sig_atomic_t *interrupted)
{
    (void)interrupted;
    const cli_cmd *c = o->node ? find_command(o->node) : NULL;
    if (o->node && !c) {
        fprintf(stderr, "otp-advisor: no command '%.80s' (otp-advisor help lists them)\n", o->node);
        return EXIT_ERROR;
    }
    usage(stdout, c);
    return EXIT_OK;
}

static int cmd_mcp(oa_opts *o, volatile sig_atomic_t *interrupted)
{
    if (o->n_rest) {
        fprintf(stderr, "otp-advisor: mcp takes one node (or --from FILE), not '%s'\n", o->rest[0]);
        return EXIT_ERROR;
    }
    if (!o->node && o->copts.address)
        o->node = o->copts.address; /* known by its address until it says its name */
    cli_in_shell = 1;               /* like the shell, it stops its work and leaves on its own terms */
    return mcp_main(o, interrupted);
}

static int cmd_shell(oa_opts *o, volatile sig_atomic_t *interrupted)
{
    if (!o->node && !o->from && !o->copts.address) {
        fprintf(stderr, "otp-advisor: which node? give NODE (name@host), --address HOST:PORT or --from FILE\n");
        return EXIT_ERROR;
    }
    if (!o->node && !o->from)
        o->node = o->copts.address; /* known by its address until it says its name */
    cli_in_shell = 1;               /* the shell stops commands and leaves on its own terms */
    return shell_main(o, interrupted);
}

int cli_main(int argc, char **argv, volatile sig_atomic_t *interrupted)
{
    oa_opts o;
    memset(&o, 0, sizeof o);
    collect_defaults(&o.col);
    o.color = -1;
    char *rest[64];
    o.rest = rest;
    char err[OA_ERRLEN];
    if (argc < 2) {
        usage(stderr, NULL);
        return EXIT_ERROR;
    }
    /* otp-advisor NODE [OPTIONS] is the shell */
    const cli_cmd *cmd = find_command(argv[1]);
    int start = cmd ? 2 : 1;
    if (!cmd) {
        if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
            usage(stdout, NULL);
            return EXIT_OK;
        }
        if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
            print_version();
            return EXIT_OK;
        }
        cmd = find_command("shell");
    }
    if (argc - start > 60) {
        fprintf(stderr, "otp-advisor: too many arguments\n");
        return EXIT_ERROR;
    }
    int pr = parse(argc, argv, start, cmd, &o, err);
    if (pr > 0)
        return EXIT_OK;
    if (pr < 0) {
        fprintf(stderr, "otp-advisor: %s\n", err);
        return EXIT_ERROR;
    }
    return cmd->run(&o, interrupted);
}
