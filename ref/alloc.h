/*
 * alloc.h: the single entry point for every allocation interpref makes itself.
 *
 * All memory the reference implementation owns (channel records, queued items,
 * serialized objects, registry tables) comes from here, never from a bare
 * malloc().  That gives one place to count allocations and one place where a
 * test build can make the N-th allocation fail, the way SQLite's fault
 * injection does, to prove that every failure path is clean.  Memory owned by
 * CPython objects is CPython's business and does not pass through here.
 */
#ifndef INTERPREF_ALLOC_H
#define INTERPREF_ALLOC_H

#include <stddef.h>

void *ref_malloc(size_t size);
void *ref_calloc(size_t count, size_t size);
void *ref_realloc(void *ptr, size_t size);
void ref_free(void *ptr);

/*
 * Fault injection.  ref_alloc_fail_after(n) with n >= 0 makes the allocation
 * after the next n succeed calls fail (n == 0: the very next one fails), and
 * keeps failing every later call until ref_alloc_fail_after(-1) disarms it.
 * ref_alloc_calls() counts the calls made since the last arming, so a test can
 * first measure how many allocation sites a workload reaches, then walk them.
 */
void ref_alloc_fail_after(long n);
long ref_alloc_calls(void);

#endif /* INTERPREF_ALLOC_H */
