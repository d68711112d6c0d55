/* arena.c — see arena.h. */
#include "arena.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct arena_block {
    arena_block *next;
    size_t used, cap;
    _Alignas(8) unsigned char data[];
};

#define ARENA_BLOCK (256 * 1024)

void arena_init(arena *a)
{
    a->head = NULL;
    a->total = 0;
}

void *arena_alloc(arena *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    if (!a->head || a->head->used + n > a->head->cap) {
        size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        arena_block *b = xmalloc(sizeof *b + cap);
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
        a->total += cap;
    }
    void *p = a->head->data + a->head->used;
    a->head->used += n;
    memset(p, 0, n);
    return p;
}

void arena_free(arena *a)
{
    arena_block *b = a->head;
    while (b) {
        arena_block *n = b->next;
        free(b);
        b = n;
    }
    a->head = NULL;
    a->total = 0;
}

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

void strtab_init(strtab *t)
{
    arena_init(&t->mem);
    t->cap = 256;
    t->strs = xmalloc(t->cap * sizeof *t->strs);
    t->lens = xmalloc(t->cap * sizeof *t->lens);
    t->strs[0] = "";
    t->lens[0] = 0;
    t->n = 1;
    t->nslots = 512;
    t->slots = xcalloc(t->nslots, sizeof *t->slots);
}

void strtab_free(strtab *t)
{
    arena_free(&t->mem);
    free(t->strs);
    free(t->lens);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

static void strtab_rehash(strtab *t)
{
    uint32_t ns = t->nslots * 2;
    uint32_t *slots = xcalloc(ns, sizeof *slots);
    for (uint32_t id = 1; id < t->n; id++) {
        uint32_t h = hash_bytes(t->strs[id], t->lens[id]) & (ns - 1);
        while (slots[h])
            h = (h + 1) & (ns - 1);
        slots[h] = id;
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = ns;
}

oa_str strtab_find(const strtab *t, const char *s, size_t len)
{
    if (len == 0)
        return 0;
    uint32_t h = hash_bytes(s, len) & (t->nslots - 1);
    while (t->slots[h]) {
        uint32_t id = t->slots[h];
        if (t->lens[id] == len && memcmp(t->strs[id], s, len) == 0)
            return id;
        h = (h + 1) & (t->nslots - 1);
    }
    return 0;
}

oa_str strtab_intern(strtab *t, const char *s, size_t len)
{
    if (len == 0)
        return 0;
    oa_str found = strtab_find(t, s, len);
    if (found)
        return found;
    if ((t->n + 1) * 2 > t->nslots)
        strtab_rehash(t);
    if (t->n == t->cap) {
        t->cap *= 2;
        t->strs = xrealloc(t->strs, t->cap * sizeof *t->strs);
        t->lens = xrealloc(t->lens, t->cap * sizeof *t->lens);
    }
    char *copy = arena_alloc(&t->mem, len + 1);
    memcpy(copy, s, len);
    copy[len] = 0;
    uint32_t id = t->n++;
    t->strs[id] = copy;
    t->lens[id] = (uint32_t)len;
    uint32_t h = hash_bytes(s, len) & (t->nslots - 1);
    while (t->slots[h])
        h = (h + 1) & (t->nslots - 1);
    t->slots[h] = id;
    return id;
}
