/* report.c — the `report` command's work, shared by the shell and the command line (see
 * report.h); the report itself is report_analysis.c and its renderers. */
#include "report.h"

#include "outfile.h"

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
