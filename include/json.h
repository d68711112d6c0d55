/* json.h — a small streaming JSON writer into a strbuf (commas handled for you).
 * Ownership: a json_w borrows the caller's strbuf and allocates nothing; strings given to
 * it are copied out at once. */
#ifndef OA_JSON_H
#define OA_JSON_H

#include <stdint.h>

#include "util.h"

typedef struct {
    strbuf *out;
    int depth;
    int first[64]; /* per level: no element written yet */
    int pretty;
    int after_key; /* a key was just written: its value needs no separator */
} json_w;

void json_init(json_w *j, strbuf *out, int pretty);
void json_obj(json_w *j);
void json_obj_end(json_w *j);
void json_arr(json_w *j);
void json_arr_end(json_w *j);
void json_key(json_w *j, const char *k);
void json_str(json_w *j, const char *s);
void json_int(json_w *j, int64_t v);
void json_num(json_w *j, double v);
void json_bool(json_w *j, int v);
/* shorthands: key + value */
void json_kstr(json_w *j, const char *k, const char *v);
void json_kint(json_w *j, const char *k, int64_t v);
void json_knum(json_w *j, const char *k, double v);
void json_kbool(json_w *j, const char *k, int v);
void json_escape(strbuf *out, const char *s);
/* a value already written as JSON text (a report, a schema), copied without the whitespace
 * between its tokens, so a pretty-printed document fits on one line (the MCP server's
 * messages are one line each) */
void json_raw(json_w *j, const char *text);

#endif
