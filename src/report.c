/* report.c — the report's front door (report.h), shared by the shell, the command line, the
 * cluster and the MCP server: the target resolved once, then rendered by report_md.c or
 * report_json.c (report_analysis.h); the report itself is report_analysis.c. */
#include "report.h"

#include "outfile.h"
#include "report_analysis.h"

typedef void (*renderer)(snap *s, const findings *f, const report_target *t, strbuf *out);

static int render(snap *s, const findings *f, const char *target, renderer fn, strbuf *out, char *err)
{
    report_target t;
    if (report_target_resolve(s, target, &t, err))
        return -1;
    fn(s, f, &t, out);
    return 0;
}

int report_markdown(snap *s, const findings *f, const char *target, strbuf *out, char *err)
{
    return render(s, f, target, report_md_render, out, err);
}

int report_json(snap *s, const findings *f, const char *target, strbuf *out, char *err)
{
    return render(s, f, target, report_json_render, out, err);
}

int report_to(snap *s, const findings *f, const char *target, int json, const char *file, strbuf *out, char *err)
{
    strbuf text;
    sb_init(&text);
    int rc = json ? report_json(s, f, target, &text, err) : report_markdown(s, f, target, &text, err);
    if (!rc && file)
        rc = outfile_write_all(file, text.buf, text.len, err);
    else if (!rc)
        sb_add(out, text.buf, text.len);
    sb_free(&text);
    return rc ? -1 : 0;
}
