/* source.h — where the code a process runs lives (src/source.c): findings, info, the report,
 * JSON and the MCP server point an agent at the file to change.
 * Ownership: results are written into the caller's buffer; the root is borrowed for the run. */
#ifndef OA_SOURCE_H
#define OA_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "snap.h"

/* --source-root DIR: source files are printed relative to it (NULL: as the node has them) */
void source_set_root(const char *root);

/* the module whose code a process runs ("" and 0 when it cannot be seen: a plain spawn) */
int proc_code_module(const snap *s, const snap_proc *p, char *buf, size_t n);

/* the source file of the code process i runs, when that code is the target's own (not the
 * runtime's, OTP's or Elixir's); NULL otherwise or when the snapshot does not record it */
const char *proc_source(const snap *s, uint32_t i, char *buf, size_t n);

#endif
