/* termtext.h — a term of the external format written as Erlang or Elixir source text.
 *
 * The probe sends child ids, start arguments, Registry keys, global names and error
 * reasons as terms, cut to a bounded size on the target, and they are written here the
 * way the subject's own language writes them. So the target loads no printer for us
 * (io_lib_format, io_lib_pretty, Inspect.*), and the text is ours to make parse: data
 * prints as code that reads back as the same value (tuples, lists, keyword lists, maps,
 * binaries, charlists, atoms, numbers, external funs); pids, refs, ports and local funs
 * print as the shells print them.
 *
 * The probe's cut (see Cut in probes/otp_advisor_probe.erl) leaves these marks, printed
 * as `...`: the atom '$oa_cut' (a part left out; as a list's tail, the rest of the list),
 * {'$oa_cut', Bin} (a binary's first bytes), {'$oa_tuple', Elements} and
 * {'$oa_map', Pairs} (containers, whose element list may end in '$oa_cut'), and
 * {'$oa_fun', Module, Name, Arity} (a local fun, without its environment).
 *
 * Ownership: every function appends to a caller-owned strbuf and keeps nothing. Output
 * is capped at TT_MAX_OUT bytes (then `...`); nesting deeper than 64 fails. */
#ifndef OA_TERMTEXT_H
#define OA_TERMTEXT_H

#include <stddef.h>

#include "etf.h"
#include "util.h"

#define TT_MAX_OUT (64 * 1024)

typedef struct {
    int elixir;       /* 1: Elixir syntax; 0: Erlang */
    const char *node; /* the target's node name (not NUL-terminated): its pids are <0.N.S> */
    size_t node_len;
} tt_style;

/* The next term of r, as source text. Returns 0, or -1 with r->err set. */
int tt_term(etf_rd *r, const tt_style *st, strbuf *out);

/* The next term of r as a name is shown: a binary as its bytes, an atom as its name, an
 * integer in decimal, {oa_text, Parts} as its parts joined (binaries as they are, other
 * parts as names), anything else as tt_term writes it. */
int tt_text(etf_rd *r, const tt_style *st, strbuf *out);

/* Is the atom (s, n) an Elixir module whose alias can be written as it is (Foo.Bar)? */
int tt_is_ex_alias(const char *s, size_t n);

/* An atom as a literal: foo, 'Foo' (Erlang); :foo, Foo.Bar, :"foo-bar", nil (Elixir). */
void tt_atom(strbuf *out, const char *s, size_t n, int elixir);

/* The ASCII classes of the languages' names (not the locale's, as <ctype.h>'s are): is c
 * a lower-case letter, an upper-case letter, a digit? Any other byte, a negative char
 * included, is none of them. */
int tt_is_lower(int c);
int tt_is_upper(int c);
int tt_is_digit(int c);

#endif
