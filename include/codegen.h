/* codegen.h — literals for the code that findings and reports print.
 *
 * Every printed line of code is built from the subject's real module, name and child id
 * through these, so that it parses (Code.string_to_quoted!/1, erl_parse) and names what
 * runs on the node. Raw atoms are as the snapshot stores them ("Elixir.Foo.Bar", "foo").
 * All functions write a NUL-terminated string into buf (truncated to n) and return buf. */
#ifndef OA_CODEGEN_H
#define OA_CODEGEN_H

#include <stddef.h>

/* is raw an Elixir module whose alias can be written as-is (Foo.Bar)? */
int cg_is_ex_alias(const char *raw);
/* Elixir literal of an atom: Foo.Bar for an Elixir module, :foo, or :"foo-bar" */
const char *cg_ex_atom(const char *raw, char *buf, size_t n);
/* Erlang literal of an atom: foo, or 'Foo'/'foo-bar'/'Elixir.Foo' quoted */
const char *cg_erl_atom(const char *raw, char *buf, size_t n);
/* an Erlang or Elixir identifier made from raw: letters, digits and _ only, lower case
 * first (for table names and ids derived from a module) */
const char *cg_snake(const char *raw, char *buf, size_t n);

#endif
