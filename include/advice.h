/* advice.h — the framework's advice for a finding, written once per (rule, variant).
 *
 * A rule decides (subject, evidence, which variant of the finding); the advice for that
 * variant is an entry in src/advice.c, rendered here in the subject's language (Elixir
 * when the node runs Elixir, Erlang otherwise), its code built by codegen. Adding a rule's
 * advice is one entry there (and, when the rule has several variants, one name below). */
#ifndef OA_ADVICE_H
#define OA_ADVICE_H

#include "findings.h"
#include "snap.h"

/* Variants of a rule's advice; a rule with one variant uses ADV_DEFAULT. Each number is one
 * rule's alone: another rule's variant finds no entry instead of the wrong advice. */
enum {
    ADV_DEFAULT = 0,
    ADV_UNRESPONSIVE_STARTING = 1,     /* unresponsive-supervisor: busy starting children back to back */
    ADV_BOTTLENECK_PARTITION_SUP = 2,  /* global-bottleneck: an Elixir module, partitioned by a PartitionSupervisor */
    ADV_UNSUPERVISED_ORPHAN_ROOT = 3,  /* unsupervised-process: a tree's root started outside every application */
    ADV_UNSUPERVISED_SCRIPT = 4,       /* unsupervised-process: the script's own process */
    ADV_UNSUPERVISED_ERL_ARITY = 5,    /* unsupervised-process (Erlang): exports start_link/N, N > 0 only */
    ADV_UNSUPERVISED_ERL_EXPORTS = 6,  /* unsupervised-process (Erlang): exports start_link/0 */
    ADV_UNSUPERVISED_ERL_GIVE = 7,     /* unsupervised-process (Erlang): seen code without start_link */
    ADV_UNSUPERVISED_ERL_UNSEEN = 8,   /* unsupervised-process (Erlang): code unseen (a plain spawn) */
    ADV_UNSUPERVISED_EX_FUN = 9,       /* unsupervised-process (Elixir): a fun, or code outside an Elixir module */
    ADV_UNSUPERVISED_EX_UNSEEN = 10,   /* unsupervised-process (Elixir): code unseen */
    ADV_UNSUPERVISED_EX_MODULE = 11,   /* unsupervised-process (Elixir): an Elixir module's process */
    ADV_UNSUPERVISED_HELPER_NOTE = 12, /* unsupervised-process: appended for a linked helper */
    ADV_IDLE_SHORT_WINDOW = 13,        /* process-without-runtime-reason: one short window, one info */
    ADV_IDLE_LIBRARY = 14,             /* process-without-runtime-reason: a library's idle processes */
    ADV_VERSION_SKEW_RUNTIME = 15,     /* app-version-skew: the OTP release or Elixir's version */
    ADV_PARTITION_SOFO = 16,           /* missing-partition-supervisor: Erlang's simple_one_for_one */
    ADV_PARTITION_SLOW_INIT = 17,      /* missing-partition-supervisor: appended when starts wait on init */
};

/* What an entry's placeholders are filled with:
 *   ⟨atom⟩, ⟨atom2⟩  the atom `atom` (`atom2`), raw as the snapshot stores it, as a literal of
 *                    the language; ⟨atom|EX|ERL⟩: EX (Elixir) or ERL (Erlang) stands for it when
 *                    the subject has none (NULL), ⟨atom|ANY⟩ in both languages
 *   ⟨ex_atom⟩        `atom` as an Elixir literal on any node (code of an API only Elixir has)
 *   ⟨1⟩ … ⟨4⟩        arg[0] … arg[3], the same text in both languages
 *   ⟨gen_server⟩     GenServer in Elixir, gen_server in Erlang */
typedef struct {
    const char *atom, *atom2;
    const char *arg[4];
} advice_args;

/* The advice of (rule_id, variant) for a finding on s, allocated in out; "" if there is
 * no such entry. a may be NULL when the entry has no placeholders; s may be NULL when the
 * entry is the same in both languages (a cluster rule's about no one node). */
const char *advice_text(findings *out, const snap *s, const char *rule_id, int variant, const advice_args *a);
/* Is there an entry for (rule_id, variant)? */
int advice_has(const char *rule_id, int variant);
/* The i-th entry's rule and variant (0 past the last): the tests check every rule has an
 * entry and every entry names a rule. */
int advice_at(int i, const char **rule_id, int *variant);

#endif
