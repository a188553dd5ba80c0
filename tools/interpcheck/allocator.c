/*
 * allocator.c: the default allocation hooks (see allocator.h).  No state.
 */
#include "allocator.h"

#include <stdlib.h>

static void *
std_malloc(size_t size, void *ctx)
{
    (void)ctx;
    return malloc(size);
}

static void
std_free(void *ptr, void *ctx)
{
    (void)ctx;
    free(ptr);
}

const ic_allocator ic_std_allocator = {std_malloc, std_free, NULL};

void *
ic_malloc(const ic_allocator *a, size_t size)
{
    a = a ? a : &ic_std_allocator;
    return a->malloc_fn(size ? size : 1, a->ctx);
}

void
ic_free(const ic_allocator *a, void *ptr)
{
    a = a ? a : &ic_std_allocator;
    if (ptr != NULL) {
        a->free_fn(ptr, a->ctx);
    }
}

void
ic_free_strings(const ic_allocator *a, char **strings, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ic_free(a, strings[i]);
    }
    ic_free(a, strings);
}
