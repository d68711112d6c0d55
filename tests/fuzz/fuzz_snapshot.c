/* libFuzzer harness: arbitrary bytes as a snapshot file. Loading must fail cleanly or
 * give a snapshot every view, rule and report can run on — no crash, no leak, no UB.
 * make fuzz (FUZZ_SECONDS=60 by default), seeded with the golden snapshots. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "render.h"
#include "render_findings.h"
#include "report.h"
#include "rules.h"
#include "snap.h"
#include "views.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[OA_ERRLEN];
    snap *s = snap_load_buf(data, size, err);
    if (!s)
        return 0;
    render_ctx c;
    render_ctx_default(&c);
    c.width = 80;
    strbuf out;
    sb_init(&out);
    render_summary(s, &c, &out);
    render_apps(s, &c, &out);
    render_tree(s, SNAP_NONE, &c, &out);
    render_dump_json(s, &out);
    rule_opts ro;
    rule_opts_default(&ro);
    findings f;
    findings_init(&f);
    rules_run(s, &ro, NULL, NULL, &f);
    render_findings_text(s, &f, SEV_INFO, &c, &out);
    render_findings_json(s, &f, &out);
    view_top(s, TOP_MEM, 10, &c, &out);
    view_ets(s, 1, 10, &c, &out);
    view_registries(s, &c, &out);
    if (s->procs.len)
        view_info(s, 0, &f, &c, &out);
    report_markdown(s, &f, NULL, &out, err);
    report_json(s, &f, NULL, &out, err);
    findings_free(&f);
    rule_opts_free(&ro);
    sb_free(&out);
    snap_free(s);
    return 0;
}
