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

/* Variants of a rule's advice; a rule with one variant uses ADV_DEFAULT. */
enum {
    ADV_DEFAULT = 0,
    ADV_UNRESPONSIVE_STARTING = 1,    /* unresponsive-supervisor: busy starting children back to back */
    ADV_BOTTLENECK_PARTITION_SUP = 1, /* global-bottleneck: an Elixir module, partitioned by a PartitionSupervisor */
    ADV_UNSUPERVISED_ORPHAN_ROOT = 1, /* unsupervised-process: a tree's root started outside every application */
    ADV_UNSUPERVISED_SCRIPT = 2,      /* unsupervised-process: the script's own process */
};

/* What an entry's placeholders are filled with:
 *   ⟨atom⟩       the atom `atom` (raw, as the snapshot stores it) as a literal of the language
 *   ⟨1⟩, ⟨2⟩     arg[0], arg[1], the same text in both languages
 *   ⟨gen_server⟩ GenServer in Elixir, gen_server in Erlang */
typedef struct {
    const char *atom;
    const char *arg[2];
} advice_args;

/* The advice of (rule_id, variant) for a finding on s, allocated in out; "" if there is
 * no such entry. a may be NULL when the entry has no placeholders. */
const char *advice_text(findings *out, const snap *s, const char *rule_id, int variant, const advice_args *a);
/* Is there an entry for (rule_id, variant)? */
int advice_has(const char *rule_id, int variant);

#endif
