/*
 * test_alloc.c: the allocation wrapper and its fault injection (alloc.h).
 */
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

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unarmed_allocations_succeed),
        cmocka_unit_test(test_fail_after_n_then_keeps_failing),
        cmocka_unit_test(test_fail_at_zero_fails_first_call),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
