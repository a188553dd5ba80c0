/*
 * alloc.c: counted allocation with an optional injected failure (see alloc.h).
 *
 * The counters are atomics rather than fields under the registry lock because
 * allocations happen both inside and outside that lock, in every interpreter
 * and thread at once.
 */
#include "alloc.h"

#include <stdatomic.h>
#include <stdlib.h>

/* Calls still allowed to succeed; negative means "never fail". */
static atomic_long fail_countdown = -1;
static atomic_long calls_since_armed = 0;

static int
should_fail(void)
{
    atomic_fetch_add(&calls_since_armed, 1);
    long left = atomic_load(&fail_countdown);
    while (left > 0) {
        if (atomic_compare_exchange_weak(&fail_countdown, &left, left - 1)) {
            return 0;
        }
    }
    return left == 0;
}

void *
ref_malloc(size_t size)
{
    if (should_fail()) {
        return NULL;
    }
    /* malloc(0) may return NULL legitimately; never hand out an ambiguous NULL. */
    return malloc(size ? size : 1);
}

void *
ref_calloc(size_t count, size_t size)
{
    if (should_fail()) {
        return NULL;
    }
    return calloc(count ? count : 1, size ? size : 1);
}

void *
ref_realloc(void *ptr, size_t size)
{
    if (should_fail()) {
        return NULL;
    }
    return realloc(ptr, size ? size : 1);
}

void
ref_free(void *ptr)
{
    free(ptr);
}

void
ref_alloc_fail_after(long n)
{
    atomic_store(&calls_since_armed, 0);
    atomic_store(&fail_countdown, n < 0 ? -1 : n);
}

long
ref_alloc_calls(void)
{
    return atomic_load(&calls_since_armed);
}
