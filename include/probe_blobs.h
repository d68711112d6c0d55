/* probe_blobs.h — the probe, embedded at build time (scripts/embed.sh).
 * Ownership: static, read-only data of the binary. */
#ifndef OA_PROBE_BLOBS_H
#define OA_PROBE_BLOBS_H
#include <stddef.h>
extern const char probe_module[];        /* versioned module name */
extern const unsigned char probe_beam[]; /* compiled .beam */
extern const size_t probe_beam_len;
extern const unsigned char probe_body_etf[]; /* term_to_binary of the parsed body call */
extern const size_t probe_body_etf_len;
#endif
