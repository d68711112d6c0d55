/* render_findings.h — findings as text and JSON, and rule explanations.
 * Ownership: everything is appended to the caller's strbuf; nothing is kept. */
#ifndef OA_RENDER_FINDINGS_H
#define OA_RENDER_FINDINGS_H

#include "findings.h"
#include "render.h"
#include "thresholds.h"

void render_finding_text(const snap *s, const finding *x, const render_ctx *c, strbuf *out);
void render_findings_text(const snap *s, const findings *f, int min_sev, const render_ctx *c, strbuf *out);
void render_findings_json(const snap *s, const findings *f, strbuf *out);
/* `explain`, for the shell and the command line alike: one rule (id), all (NULL), or
 * "thresholds" (every threshold with its value, unit and meaning). -1 with err for an
 * unknown rule. */
int render_explain(const char *id, const rule_opts *o, strbuf *out, char *err);

#endif
