/*
 * allocator.h: the allocation hooks of the runner's core.  The scenario
 * parser and the string builder allocate only through an ic_allocator that
 * the caller passes (NULL: malloc and free), so that a test can fail the
 * N-th allocation of a parse (tests/test_scenario.c, fuzz/scenario_parser.c).
 * There is no realloc hook: growing copies.
 */
#ifndef INTERPCHECK_ALLOCATOR_H
#define INTERPCHECK_ALLOCATOR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* malloc_fn returns NULL to report failure; free_fn is never called with
 * NULL.  ctx is passed through untouched. */
typedef struct ic_allocator {
    void *(*malloc_fn)(size_t size, void *ctx);
    void (*free_fn)(void *ptr, void *ctx);
    void *ctx;
} ic_allocator;

/* malloc and free. */
extern const ic_allocator ic_std_allocator;

/* `size` bytes (at least 1) from `a` (NULL: ic_std_allocator), or NULL. */
void *ic_malloc(const ic_allocator *a, size_t size);
/* Give `ptr` back to `a` (NULL: ic_std_allocator); NULL is allowed. */
void ic_free(const ic_allocator *a, void *ptr);
/* Give back each of the n strings of `strings` (NULL entries allowed), then
 * the array itself (NULL allowed when n is 0): the owned string lists of a
 * scenario (clauses, outcomes) and of a JSON record (arrays). */
void ic_free_strings(const ic_allocator *a, char **strings, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* INTERPCHECK_ALLOCATOR_H */
