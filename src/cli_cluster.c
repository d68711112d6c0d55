/* cli_cluster.c — snapshot, dump, check and report with --cluster. */
#define _POSIX_C_SOURCE 200809L
#include "cli_cluster.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"
#include "outfile.h"
#include "render.h"

int cli_cluster_get(const oa_opts *o, volatile sig_atomic_t *interrupted, cluster *cl, char *err)
{
    if (o->from)
        return cluster_load(o->from, cl, err);
    /* with --address alone the entry node is known by its address until it says its name */
    const char *entry = o->node ? o->node : o->copts.address;
    if (!entry)
        return errf(err, "which node? give NODE (name@host): --cluster starts from it");
    cli_remote_busy = 1; /* from here a signal stops the work cooperatively */
    int rc = cluster_collect(&o->copts, &o->col, entry, o->hidden, interrupted, cl, err);
    fputs(cl->notes.text, stderr);
    cli_remote_busy = 0;
    if (!rc && *interrupted) {
        cluster_free(cl);
        return errf(err, "interrupted");
    }
    return rc;
}

/* machine-readable, for the measurements in the README: each node's attach and collection */
static void stats(const cluster *cl)
{
    fprintf(stderr, "stats: cluster nodes=%zu collected=%zu wall_us=%lld\n", cl->n, cluster_collected(cl),
            (long long)cl->wall_us);
    for (size_t i = 0; i < cl->n; i++)
        fprintf(stderr, "stats: node=%s attach_us=%lld collect_us=%lld processes=%zu\n", cl->nodes[i].name,
                (long long)cl->nodes[i].attach_us, (long long)cl->nodes[i].collect_us,
                cl->nodes[i].s ? cl->nodes[i].s->procs.len : 0);
}

int cli_cluster_cmd(oa_opts *o, volatile sig_atomic_t *interrupted, const char *cmd)
{
    char err[OA_ERRLEN];
    int snapshot = !strcmp(cmd, "snapshot"), report = !strcmp(cmd, "report"), check = !strcmp(cmd, "check");
    if (snapshot && !o->output) {
        fprintf(stderr, "otp-advisor: snapshot needs -o FILE\n");
        return EXIT_ERROR;
    }
    int fail_on = SEV_WARNING + 100, min_sev = SEV_INFO;
    if (o->fail_on && (fail_on = severity_parse(o->fail_on)) < 0) {
        fprintf(stderr, "otp-advisor: --fail-on takes info, warning or critical\n");
        return EXIT_ERROR;
    }
    if (o->min_severity && (min_sev = severity_parse(o->min_severity)) < 0) {
        fprintf(stderr, "otp-advisor: -s takes info, warning or critical\n");
        return EXIT_ERROR;
    }
    if (report && o->from && o->node) { /* report --from FILE [TARGET] */
        o->rest[o->n_rest++] = (char *)o->node;
        o->node = NULL;
    }
    rule_opts ro;
    if (cli_setup_rules(o, &ro, err)) {
        fprintf(stderr, "otp-advisor: %s\n", err);
        rule_opts_free(&ro);
        return EXIT_ERROR;
    }
    cluster cl;
    if (cli_cluster_get(o, interrupted, &cl, err)) {
        fprintf(stderr, "otp-advisor: %s\n", err);
        rule_opts_free(&ro);
        return *interrupted ? EXIT_INTERRUPTED : EXIT_ERROR;
    }
    if (o->stats)
        stats(&cl);
    for (size_t i = 0; i < cl.n; i++) /* a node that died midway is named; the others report */
        if (!cl.nodes[i].s)
            fprintf(stderr, "otp-advisor: warning: %s was not collected: %s\n", cl.nodes[i].name, cl.nodes[i].error);
    int rc = EXIT_OK;
    if (snapshot) {
        if (cluster_save(&cl, o->output, err)) {
            fprintf(stderr, "otp-advisor: %s\n", err);
            rc = EXIT_ERROR;
        } else
            fprintf(stderr, "otp-advisor: saved %zu of %zu nodes of the cluster of %s to %s\n", cluster_collected(&cl),
                    cl.n, cl.nodes[0].name, o->output);
        cluster_free(&cl);
        rule_opts_free(&ro);
        return rc;
    }
    const char *only[33] = {0}, *ignore[33] = {0};
    for (int i = 0; check && i < o->n_rules; i++)
        only[i] = o->rules[i];
    for (int i = 0; check && i < o->n_ignores; i++)
        ignore[i] = o->ignores[i];
    cluster_analyse(&cl, &ro, only, ignore, o->judge_otp);
    render_ctx c;
    render_ctx_default(&c);
    c.color = util_color(o->color, STDOUT_FILENO, o->output != NULL);
    strbuf sb;
    sb_init(&sb);
    if (check) {
        if (o->json)
            cluster_render_json(&cl, &sb);
        else
            cluster_render_text(&cl, min_sev, &c, &sb);
        int hits = cl.have_f ? findings_count(&cl.f, fail_on) : 0;
        for (size_t i = 0; i < cl.n; i++)
            hits += cl.nodes[i].have_f ? findings_count(&cl.nodes[i].f, fail_on) : 0;
        rc = cli_emit(o, &sb) ? EXIT_ERROR : hits > 0 ? EXIT_FINDINGS : EXIT_OK;
    } else if (report) {
        if (cluster_report(&cl, o->n_rest > 0 ? o->rest[0] : NULL, o->json, &sb, err)) {
            fprintf(stderr, "otp-advisor: %s\n", err);
            rc = EXIT_ERROR;
        } else if (cli_emit(o, &sb))
            rc = EXIT_ERROR;
        else if (o->output)
            fprintf(stderr, "otp-advisor: report written to %s\n", o->output);
    } else if (o->json) { /* dump --json: each node's otp-advisor/dump/1 */
        json_w j;
        json_init(&j, &sb, 1);
        json_obj(&j);
        json_kstr(&j, "schema", "otp-advisor/cluster-dump/1");
        json_kint(&j, "schema_version", 1);
        json_kstr(&j, "entry", cl.nodes[0].name);
        json_key(&j, "nodes");
        json_arr(&j);
        for (size_t i = 0; i < cl.n; i++) {
            json_obj(&j);
            json_kstr(&j, "node", cl.nodes[i].name);
            if (cl.nodes[i].s) {
                strbuf one;
                sb_init(&one);
                render_dump_json(cl.nodes[i].s, &one);
                json_key(&j, "dump");
                json_raw(&j, one.buf);
                sb_free(&one);
            } else
                json_kstr(&j, "error", cl.nodes[i].error);
            json_obj_end(&j);
        }
        json_arr_end(&j);
        json_obj_end(&j);
        sb_putc(&sb, '\n');
        rc = cli_emit(o, &sb) ? EXIT_ERROR : EXIT_OK;
    } else { /* dump: each node's summary and trees, then the cluster */
        for (size_t i = 0; i < cl.n; i++) {
            sb_printf(&sb, "== %s ==\n", cl.nodes[i].name);
            if (!cl.nodes[i].s) {
                sb_printf(&sb, "not collected: %s\n\n", cl.nodes[i].error);
                continue;
            }
            render_summary(cl.nodes[i].s, &c, &sb);
            sb_putc(&sb, '\n');
            render_tree(cl.nodes[i].s, SNAP_NONE, &c, &sb);
            sb_putc(&sb, '\n');
        }
        cluster_render_nodes(&cl, &c, &sb);
        rc = cli_emit(o, &sb) ? EXIT_ERROR : EXIT_OK;
    }
    sb_free(&sb);
    cluster_free(&cl);
    rule_opts_free(&ro);
    return rc;
}
