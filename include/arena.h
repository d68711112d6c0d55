/* arena.h — bump allocator and string interning for one snapshot.
 *
 * Ownership: everything allocated from an arena, and every interned string, lives until
 * arena_free / strtab_free. Nothing returned here may be freed on its own. Interned
 * strings are identified by a 32-bit id (0 is the empty string) so that per-process
 * records stay small: a snapshot of 1M processes holds each module, function and name
 * once. */
#ifndef OA_ARENA_H
#define OA_ARENA_H

#include <stddef.h>
#include <stdint.h>

typedef struct arena_block arena_block;
typedef struct {
    arena_block *head;
    size_t total;
} arena;

void arena_init(arena *a);
void *arena_alloc(arena *a, size_t n); /* 8-byte aligned, zeroed */
void arena_free(arena *a);

typedef uint32_t oa_str; /* interned string id; 0 = "" */

typedef struct {
    arena mem;
    const char **strs; /* id -> NUL-terminated text */
    uint32_t *lens;
    uint32_t n, cap;
    uint32_t *slots; /* open addressing: id or 0 */
    uint32_t nslots;
} strtab;

void strtab_init(strtab *t);
void strtab_free(strtab *t);
oa_str strtab_intern(strtab *t, const char *s, size_t len);
oa_str strtab_find(const strtab *t, const char *s, size_t len); /* 0 if absent (or "") */
static inline const char *strtab_get(const strtab *t, oa_str id)
{
    return id < t->n ? t->strs[id] : "";
}
static inline uint32_t strtab_len(const strtab *t, oa_str id)
{
    return id < t->n ? t->lens[id] : 0;
}

#endif
