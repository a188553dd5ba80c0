/*
 * test_alloc.c: the allocation wrapper and its fault injection (alloc.h).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "alloc.h"

static void
test_unarmed_allocations_succeed(void **unused)
{
    (void)unused;
    ref_alloc_fail_after(-1);
    void *p = ref_malloc(16), *q = ref_calloc(4, 4), *r = ref_malloc(0);
    assert_non_null(p);
    assert_non_null(q);
    assert_non_null(r); /* size 0 still gives a unique pointer */
    for (int i = 0; i < 16; i++) {
        assert_int_equal(((unsigned char *)q)[i], 0);
    }
    p = ref_realloc(p, 4096);
    assert_non_null(p);
    ref_free(p);
    ref_free(q);
    ref_free(r);
    ref_free(NULL);
}

static void
test_zero_sizes_still_give_unique_pointers(void **unused)
{
    (void)unused;
    ref_alloc_fail_after(-1);
    /* A NULL from these always means "out of memory", never "nothing asked for". */
    void *none = ref_calloc(0, 8), *empty = ref_calloc(8, 0), *grown = ref_realloc(NULL, 0);
    assert_non_null(none);
    assert_non_null(empty);
    assert_non_null(grown);
    assert_ptr_not_equal(none, empty);
    grown = ref_realloc(grown, 0);
    assert_non_null(grown);
    ref_free(none);
    ref_free(empty);
    ref_free(grown);
}

static void
test_fail_after_n_then_keeps_failing(void **unused)
{
    (void)unused;
    ref_alloc_fail_after(2);
    void *a = ref_malloc(8), *b = ref_calloc(1, 8);
    assert_non_null(a);
    assert_non_null(b);
    assert_null(ref_malloc(8));
    assert_null(ref_realloc(a, 64)); /* a is left untouched on failure */
    assert_null(ref_calloc(2, 2));
    assert_int_equal(ref_alloc_calls(), 5);
    ref_alloc_fail_after(-1);
    assert_int_equal(ref_alloc_calls(), 0);
    void *c = ref_malloc(8);
    assert_non_null(c);
    assert_int_equal(ref_alloc_calls(), 1);
    ref_free(a);
    ref_free(b);
    ref_free(c);
}

static void
test_fail_at_zero_fails_first_call(void **unused)
{
    (void)unused;
    ref_alloc_fail_after(0);
    assert_null(ref_malloc(1));
    ref_alloc_fail_after(-1);
    void *p = ref_malloc(1);
    assert_non_null(p);
    ref_free(p);
}

/* ---- concurrent callers ------------------------------------------------ */

enum { THREADS = 4, CALLS_PER_THREAD = 50000 };

static pthread_barrier_t go;

static void *
allocate_many(void *arg)
{
    long *succeeded = arg;
    pthread_barrier_wait(&go);
    for (int i = 0; i < CALLS_PER_THREAD; i++) {
        void *p = ref_malloc(8);
        if (p != NULL) {
            ++*succeeded;
            ref_free(p);
        }
    }
    return NULL;
}

static void
test_countdown_is_exact_with_concurrent_callers(void **unused)
{
    (void)unused;
    /* Allocations happen in every interpreter and thread at once: the
     * countdown must let exactly n calls succeed however they interleave. */
    const long n = (long)THREADS * CALLS_PER_THREAD / 2;
    pthread_t threads[THREADS];
    long succeeded[THREADS] = {0};
    assert_int_equal(pthread_barrier_init(&go, NULL, THREADS), 0);
    ref_alloc_fail_after(n);
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(pthread_create(&threads[t], NULL, allocate_many, &succeeded[t]), 0);
    }
    long total = 0;
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(pthread_join(threads[t], NULL), 0);
        total += succeeded[t];
    }
    assert_int_equal(total, n);
    assert_int_equal(ref_alloc_calls(), (long)THREADS * CALLS_PER_THREAD);
    ref_alloc_fail_after(-1);
    pthread_barrier_destroy(&go);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unarmed_allocations_succeed),
        cmocka_unit_test(test_zero_sizes_still_give_unique_pointers),
        cmocka_unit_test(test_fail_after_n_then_keeps_failing),
        cmocka_unit_test(test_fail_at_zero_fails_first_call),
        cmocka_unit_test(test_countdown_is_exact_with_concurrent_callers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
