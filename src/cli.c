/* cli.c — option parsing and the one-shot front ends. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "outfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "render.h"
#include "render_findings.h"
#include "rules.h"
#include "report.h"
#include "shell.h"
#include "snap.h"
#include "util.h"

static void usage(FILE *f)
{
    fputs("usage:\n"
          "  otp-advisor [OPTIONS] NODE                  interactive shell\n"
          "  otp-advisor snapshot [OPTIONS] NODE -o FILE save a snapshot (Erlang term format)\n"
          "  otp-advisor dump [OPTIONS] NODE|--from FILE summary, supervision trees and counts\n"
          "  otp-advisor check [OPTIONS] NODE|--from FILE findings; --json; --fail-on SEVERITY\n"
          "  otp-advisor report [OPTIONS] NODE|--from FILE [TARGET] [-o FILE]\n"
          "                                              markdown OTP Analysis (--json: the same as data)\n"
          "  otp-advisor explain [RULE|thresholds]       what a rule checks and how to fix it\n"
          "\n"
          "options:\n"
          "  --cookie-file FILE   cookie (default: $OTP_ADVISOR_COOKIE, then ~/.erlang.cookie)\n"
          "  --cookie COOKIE      discouraged: other users can read it with ps\n"
          "  --name NAME | --sname NAME   this tool's own node name (default otp-advisor-PID)\n"
          "  --window SECONDS     two samples this far apart (default 1; 0 for one sample)\n"
          "  --timeout MS         deadline for each remote call (default 5000)\n"
          "  --sup-timeout MS     deadline for each supervisor call (default 2000)\n"
          "  --no-load            stock OTP calls only: no code is loaded on the target\n"
          "  --from FILE          read a saved snapshot instead of attaching\n"
          "  -o FILE              output file\n"
          "  --no-color           plain output\n"
          "  --json               JSON output (dump: otp-advisor/dump/1, check: otp-advisor/findings/2)\n"
          "  --judge-otp          judge OTP's and Elixir's library applications (ssh, inets, mnesia, ...) too\n"
          "  --fail-on SEVERITY   check: exit 1 when a finding is at least info|warning|critical\n"
          "  --rule ID, --ignore ID   check: only / not these rules (repeatable)\n"
          "  --set NAME=VALUE     change a threshold (otp-advisor explain thresholds)\n"
          "  -s SEVERITY          check: show findings from this severity up\n"
          "exit codes: 0 ok, 1 findings at or above --fail-on, 2 error, 130 interrupted\n",
          f);
}

static int parse(int argc, char **argv, int start, cli_opts *o, char *err)
{
    for (int i = start; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define WANT()                                                   \
    do {                                                         \
        if (!v)                                                  \
            return errf(err, "option %s needs a value", a);      \
        i++;                                                     \
    } while (0)
        if (!strcmp(a, "--cookie-file")) {
            WANT();
            o->copts.cookie_file = v;
        } else if (!strcmp(a, "--cookie")) {
            WANT();
            o->copts.cookie = v;
            fprintf(stderr, "otp-advisor: warning: --cookie is visible to other users in ps; prefer --cookie-file\n");
        } else if (!strcmp(a, "--name")) {
            WANT();
            o->copts.name = v;
        } else if (!strcmp(a, "--sname")) {
            WANT();
            o->copts.sname = v;
        } else if (!strcmp(a, "--window")) {
            WANT();
            char *end;
            double w = strtod(v, &end);
            if (end == v || *end || !(w >= 0 && w <= 600))
                return errf(err, "--window takes seconds between 0 and 600, not '%s'", v);
            o->col.window_ms = (int)(w * 1000);
        } else if (!strcmp(a, "--timeout") || !strcmp(a, "--sup-timeout")) {
            WANT();
            char *end;
            long ms = strtol(v, &end, 10);
            if (end == v || *end || ms <= 0 || ms > 3600000)
                return errf(err, "%s takes milliseconds, not '%s'", a, v);
            if (a[2] == 't')
                o->copts.timeout_ms = (int)ms;
            else
                o->col.sup_timeout_ms = (int)ms;
        } else if (!strcmp(a, "--no-load")) {
            o->col.no_load = 1;
        } else if (!strcmp(a, "--from")) {
            WANT();
            o->from = v;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            WANT();
            o->output = v;
        } else if (!strcmp(a, "--json")) {
            o->json = 1;
        } else if (!strcmp(a, "--no-color")) {
            o->color = 0;
        } else if (!strcmp(a, "--fail-on")) {
            WANT();
            o->fail_on = v;
        } else if (!strcmp(a, "--rule")) {
            WANT();
            if (o->n_rules < 32)
                o->rules[o->n_rules++] = v;
        } else if (!strcmp(a, "--ignore")) {
            WANT();
            if (o->n_ignores < 32)
                o->ignores[o->n_ignores++] = v;
        } else if (!strcmp(a, "--chunk") || !strcmp(a, "--credit")) {
            WANT();
            char *end;
            long n = strtol(v, &end, 10);
            if (end == v || *end || n < 1 || n > 100000)
                return errf(err, "%s takes a count, not '%s'", a, v);
            if (a[3] == 'h')
                o->col.chunk = (int)n;
            else
                o->col.credit = (int)n;
        } else if (!strcmp(a, "--set")) {
            WANT();
            if (o->n_sets < 32)
                o->sets[o->n_sets++] = v;
        } else if (!strcmp(a, "-s") || !strcmp(a, "--severity")) {
            WANT();
            o->min_severity = v;
        } else if (!strcmp(a, "--judge-otp")) {
            o->judge_otp = 1;
        } else if (!strcmp(a, "--stats")) {
            o->stats = 1;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            o->col.quiet = 1;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 1;
        } else if (a[0] == '-' && a[1]) {
            return errf(err, "unknown option %s (see --help)", a);
        } else if (!o->node && !o->from) {
            o->node = a;
        } else {
            o->rest[o->n_rest++] = argv[i];
        }
#undef WANT
    }
    return 0;
}

volatile sig_atomic_t cli_remote_busy, cli_in_shell;

int cli_collect(const cli_opts *o, volatile sig_atomic_t *interrupted, snap **out, char *err)
{
    conn c;
    *out = NULL;
    cli_remote_busy = 1; /* from here a signal stops the work cooperatively */
    if (conn_open(&c, o->node, &o->copts, err)) {
        cli_remote_busy = 0;
        return -1;
    }
    collect_state st;
    memset(&st, 0, sizeof st);
    int rc = collect_snapshot(&c, &o->col, &st, interrupted, out, err);
    char e2[OA_ERRLEN];
    if (conn_up(&c) && collect_unload(&c, &st, e2) && !rc)
        fprintf(stderr, "otp-advisor: warning: could not remove the probe: %s\n", e2);
    conn_close(&c);
    cli_remote_busy = 0;
    if (*interrupted) /* a signal came during the collection: leave now, as promised */
        return rc ? rc : (snap_free(*out), *out = NULL, errf(err, "interrupted"));
    return rc;
}

static int get_snapshot(const cli_opts *o, volatile sig_atomic_t *interrupted, snap **out, char *err)
{
    int rc;
    if (o->from) {
        *out = snap_load(o->from, err);
        rc = *out ? 0 : -1;
    } else if (!o->node)
        return errf(err, "which node? give NODE (name@host) or --from FILE");
    else
        rc = cli_collect(o, interrupted, out, err);
    if (!rc && o->judge_otp) { /* classify again, OTP's library applications as the user's */
        (*out)->judge_otp = 1;
        (*out)->finished = 0;
        rc = snap_finish(*out, err);
    }
    return rc;
}

static int cmd_snapshot(cli_opts *o, volatile sig_atomic_t *interrupted)
{
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
        fprintf(stderr, "stats: processes=%zu collect_us=%lld walk1_us=%lld walk2_us=%lld save_us=%lld maxrss_kb=%ld\n",
                s->procs.len, (long long)s->info.e2e_us, (long long)s->info.walk1_us, (long long)s->info.walk2_us,
                (long long)(now_us() - t_saved), ru.ru_maxrss);
    }
    if (rc)
        fprintf(stderr, "otp-advisor: %s\n", err);
    else
        fprintf(stderr, "otp-advisor: saved %zu processes, %zu supervisors of %s to %s\n", s->procs.len, s->sups.len,
                snap_str(s, s->info.node), o->output);
    snap_free(s);
    return rc ? EXIT_ERROR : EXIT_OK;
}

/* the output, to -o FILE (atomically for a regular file; outfile.h) or standard output;
 * every write is checked: -1 and one line on stderr when it fails */
static int emit(const cli_opts *o, const strbuf *sb)
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

static int cmd_dump(cli_opts *o, volatile sig_atomic_t *interrupted)
{
    char err[OA_ERRLEN];
    snap *s;
    if (get_snapshot(o, interrupted, &s, err)) {
        fprintf(stderr, "otp-advisor: %s\n", err);
        return *interrupted ? EXIT_INTERRUPTED : EXIT_ERROR;
    }
    render_ctx rc;
    render_ctx_default(&rc);
    rc.color = o->color < 0 ? (isatty(1) && !getenv("NO_COLOR") && !o->output) : o->color;
    strbuf sb;
    sb_init(&sb);
    if (o->json) {
        render_dump_json(s, &sb);
        int bad = emit(o, &sb);
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
    int bad = emit(o, &sb);
    sb_free(&sb);
    snap_free(s);
    return bad ? EXIT_ERROR : EXIT_OK;
}

/* thresholds from --set, rule filters checked against the table */
static int setup_rules(const cli_opts *o, rule_opts *ro, char *err)
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
static int analyse(cli_opts *o, volatile sig_atomic_t *interrupted, int filtered, analysed *a)
{
    char err[OA_ERRLEN];
    if (setup_rules(o, &a->ro, err)) {
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

static int cmd_check(cli_opts *o, volatile sig_atomic_t *interrupted)
{
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
        c.color = o->color < 0 ? (isatty(1) && !getenv("NO_COLOR") && !o->output) : o->color;
        render_findings_text(a.s, &a.f, min_sev, &c, &sb);
    }
    rc = emit(o, &sb) ? EXIT_ERROR : findings_count(&a.f, fail_on) > 0 ? EXIT_FINDINGS : EXIT_OK;
    sb_free(&sb);
    analysed_free(&a);
    return rc;
}

static int cmd_report(cli_opts *o, volatile sig_atomic_t *interrupted)
{
    char err[OA_ERRLEN];
    analysed a;
    int rc = analyse(o, interrupted, 0, &a);
    if (rc)
        return rc;
    strbuf sb;
    sb_init(&sb);
    const char *target = o->n_rest > 0 ? o->rest[0] : NULL;
    rc = o->json ? report_json(a.s, &a.f, target, &sb, err) : report_markdown(a.s, &a.f, target, &sb, err);
    if (rc)
        fprintf(stderr, "otp-advisor: %s\n", err);
    else if (emit(o, &sb))
        rc = -1;
    else if (o->output)
        fprintf(stderr, "otp-advisor: report written to %s\n", o->output);
    sb_free(&sb);
    analysed_free(&a);
    return rc ? EXIT_ERROR : EXIT_OK;
}

static int cmd_explain(cli_opts *o)
{
    rule_opts ro;
    rule_opts_default(&ro);
    const char *id = o->node; /* the first free word */
    if (id && !strcmp(id, "thresholds")) {
        for (int i = 0; i < ro.n; i++)
            printf("%-22s %10.15g %-9s %s\n", ro.t[i].name, ro.t[i].value, ro.t[i].unit, ro.t[i].help);
        rule_opts_free(&ro);
        return EXIT_OK;
    }
    if (id && !rule_find(id)) {
        fprintf(stderr, "otp-advisor: unknown rule '%.80s%s'; rules:", id, strlen(id) > 80 ? "…" : "");
        for (int i = 0; i < n_rules; i++)
            fprintf(stderr, " %s", rule_at(i)->id);
        fprintf(stderr, "\n");
        rule_opts_free(&ro);
        return EXIT_ERROR;
    }
    strbuf sb;
    sb_init(&sb);
    render_explain(id, &ro, &sb);
    fwrite(sb.buf, 1, sb.len, stdout);
    sb_free(&sb);
    rule_opts_free(&ro);
    return EXIT_OK;
}

int cli_main(int argc, char **argv, volatile sig_atomic_t *interrupted)
{
    cli_opts o;
    memset(&o, 0, sizeof o);
    collect_defaults(&o.col);
    o.color = -1;
    char *rest[64];
    o.rest = rest;
    char err[OA_ERRLEN];
    const char *cmd = argc > 1 ? argv[1] : NULL;
    if (!cmd) {
        usage(stderr);
        return EXIT_ERROR;
    }
    int start = 2;
    static const char *cmds[] = {"snapshot", "dump", "check", "report", "shell", "explain", NULL};
    int known = 0;
    for (int i = 0; cmds[i]; i++)
        known |= !strcmp(cmd, cmds[i]);
    if (!known) {
        cmd = "shell";
        start = 1;
    }
    if (argc - start > 60) {
        fprintf(stderr, "otp-advisor: too many arguments\n");
        return EXIT_ERROR;
    }
    int pr = parse(argc, argv, start, &o, err);
    if (pr > 0)
        return EXIT_OK;
    if (pr < 0) {
        fprintf(stderr, "otp-advisor: %s\n", err);
        return EXIT_ERROR;
    }
    if (!strcmp(cmd, "snapshot"))
        return cmd_snapshot(&o, interrupted);
    if (!strcmp(cmd, "check"))
        return cmd_check(&o, interrupted);
    if (!strcmp(cmd, "explain"))
        return cmd_explain(&o);
    if (!strcmp(cmd, "report")) {
        /* report --from FILE [TARGET]: the first free word is the target, not a node */
        if (o.from && o.node) {
            o.rest[o.n_rest++] = (char *)o.node;
            o.node = NULL;
        }
        return cmd_report(&o, interrupted);
    }
    if (!strcmp(cmd, "dump"))
        return cmd_dump(&o, interrupted);
    if (!strcmp(cmd, "shell")) {
        if (!o.node && !o.from) {
            fprintf(stderr, "otp-advisor: which node? give NODE (name@host) or --from FILE\n");
            return EXIT_ERROR;
        }
        cli_in_shell = 1; /* the shell stops commands and leaves on its own terms */
        return shell_main(&o, interrupted);
    }
    fprintf(stderr, "otp-advisor: '%s' is not implemented yet\n", cmd);
    return EXIT_ERROR;
}
