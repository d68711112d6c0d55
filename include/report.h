/* report.h — the "OTP Analysis" evidence report: the framework's output format, with
 * every answer of its BEAM Architecture Context decided by numbers from the snapshot.
 * Pure: snapshot and findings in, markdown or JSON out.
 * The front door (report.c), what the command line, the shell, the cluster and the MCP
 * server call; the renderers behind it are in report_analysis.h and do not include this.
 * Ownership: the output is appended to the caller's strbuf; the snapshot and the findings
 * are borrowed for the call. */
#ifndef OA_REPORT_H
#define OA_REPORT_H

#include "findings.h"
#include "snap.h"
#include "util.h"

/* target: NULL for the whole node (one section per application), else an application,
 * a supervisor, a registered name or a pid. Returns 0, or -1 with err set. */
int report_markdown(snap *s, const findings *f, const char *target, strbuf *out, char *err);
int report_json(snap *s, const findings *f, const char *target, strbuf *out, char *err);

/* `report`, in the shell and on the command line alike: markdown (or JSON) of target, to
 * file when given (atomically for a regular file, outfile.h), else appended to out.
 * Returns 0, or -1 with err (nothing written). */
int report_to(snap *s, const findings *f, const char *target, int json, const char *file, strbuf *out, char *err);

#endif
