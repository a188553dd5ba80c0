/*
 * test_registry.c: the process-wide interpreter table (registry.h), without
 * Python: states are plain tokens here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "alloc.h"
#include "registry.h"

static int token_main, token_a, token_b;

static int
reset(void **unused)
{
    (void)unused;
    ref_alloc_fail_after(-1);
    registry_interp_reset();
    return 0;
}

/* Setup: as reset(), then two idle subinterpreters, 1 (token_a) and 2 (token_b). */
static int
reset_with_two_subs(void **unused)
{
    reset(unused);
    registry_interp_add(1, &token_a, 0);
    registry_interp_add(2, &token_b, 0);
    return 0;
}

static void
assert_ids(const int64_t *want, size_t count)
{
    int64_t *ids;
    size_t n;
    assert_int_equal(registry_interp_list(&ids, &n), REG_OK);
    assert_int_equal(n, count);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(ids[i], want[i]);
    }
    ref_free(ids);
}

/* Whether `id`, which must be known, counts as running; always 0 or 1. */
static int
is_running(int64_t id, int (*busy)(void *state))
{
    int running = -1;
    assert_int_equal(registry_interp_is_running(id, busy, &running), REG_OK);
    assert_in_range(running, 0, 1);
    return running;
}

/*
 * The tests below are alike in shape (a few entries, then claims and checks),
 * and the duplicates tool pairs some of them by shape; they are kept apart on
 * purpose: each walks one scenario, so a failure names it.
 */

static void
test_add_find_list_sorted(void **unused)
{
    (void)unused;
    assert_int_equal(registry_interp_add(0, &token_main, 1), REG_OK);
    assert_int_equal(registry_interp_add(5, &token_b, 0), REG_OK);
    assert_int_equal(registry_interp_add(2, &token_a, 0), REG_OK);    /* late, smaller id */
    assert_int_equal(registry_interp_add(0, &token_main, 1), REG_OK); /* idempotent */
    assert_ids((int64_t[]){0, 2, 5}, 3);
    void *state = NULL;
    assert_int_equal(registry_interp_get(2, &state), REG_OK);
    assert_ptr_equal(state, &token_a);
    assert_int_equal(registry_interp_get(3, &state), REG_NOT_FOUND);
}

static void
test_main_is_always_running_and_cannot_be_claimed(void **unused)
{
    (void)unused;
    void *state;
    registry_interp_add(0, &token_main, 1);
    assert_true(is_running(0, NULL));
    assert_int_equal(registry_interp_begin_run(0, &state), REG_IS_MAIN);
    assert_int_equal(registry_interp_begin_close(0, &state), REG_IS_MAIN);
}

static void
test_run_claims_exclusively(void **unused)
{
    (void)unused;
    void *state = NULL;
    registry_interp_add(1, &token_a, 0);
    assert_false(is_running(1, NULL));
    assert_int_equal(registry_interp_begin_run(1, &state), REG_OK);
    assert_ptr_equal(state, &token_a);
    assert_true(is_running(1, NULL));
    assert_int_equal(registry_interp_begin_run(1, &state), REG_BUSY);
    assert_int_equal(registry_interp_begin_close(1, &state), REG_BUSY);
    registry_interp_end_run(1);
    assert_false(is_running(1, NULL));
    assert_int_equal(registry_interp_begin_run(7, &state), REG_NOT_FOUND);
}

static int
always_busy(void *state)
{
    return state == &token_a;
}

static void
test_busy_callback_decides_for_idle_entries(void **unused)
{
    (void)unused;
    void *state;
    int running = 0;
    assert_true(is_running(1, always_busy));
    assert_false(is_running(2, always_busy));
    assert_int_equal(registry_interp_begin_close(1, &state), REG_OK);
    assert_false(is_running(1, always_busy)); /* being closed: never asks the callback */
    assert_int_equal(registry_interp_is_running(9, always_busy, &running), REG_NOT_FOUND);
}

static void
test_close_claims_then_removes_or_releases(void **unused)
{
    (void)unused;
    void *state = NULL;
    assert_int_equal(registry_interp_begin_close(1, &state), REG_OK);
    assert_int_equal(registry_interp_begin_run(1, &state), REG_BUSY); /* being closed */
    assert_int_equal(registry_interp_begin_close(1, &state), REG_BUSY);
    registry_interp_end_close(1, 0); /* refused */
    assert_int_equal(registry_interp_begin_run(1, &state), REG_OK);
    registry_interp_end_run(1);
    assert_int_equal(registry_interp_begin_close(1, &state), REG_OK);
    registry_interp_end_close(1, 1); /* destroyed */
    assert_ids((int64_t[]){2}, 1);
    assert_int_equal(registry_interp_get(1, &state), REG_NOT_FOUND);
    assert_int_equal(registry_interp_begin_close(1, &state), REG_NOT_FOUND);
}

static void
test_ending_a_claim_on_an_unknown_id_changes_nothing(void **unused)
{
    (void)unused;
    void *state = NULL;
    assert_int_equal(registry_interp_begin_run(1, &state), REG_OK);
    assert_int_equal(registry_interp_begin_close(2, &state), REG_OK);
    /* Id 3 was never recorded: neither end touches another entry. */
    registry_interp_end_run(3);
    registry_interp_end_close(3, 1);
    assert_ids((int64_t[]){1, 2}, 2);
    assert_true(is_running(1, NULL));
    assert_int_equal(registry_interp_begin_run(2, &state), REG_BUSY); /* still being closed */
}

static void
test_out_of_memory_is_reported(void **unused)
{
    (void)unused;
    int64_t *ids;
    size_t n;
    ref_alloc_fail_after(0);
    assert_int_equal(registry_interp_add(1, &token_a, 0), REG_NO_MEMORY);
    ref_alloc_fail_after(-1);
    assert_int_equal(registry_interp_add(1, &token_a, 0), REG_OK);
    ref_alloc_fail_after(0);
    assert_int_equal(registry_interp_list(&ids, &n), REG_NO_MEMORY);
    ref_alloc_fail_after(-1);
    assert_ids((int64_t[]){1}, 1);
}

static void
test_growth_keeps_every_entry(void **unused)
{
    (void)unused;
    int64_t want[100];
    for (int i = 0; i < 100; i++) {
        want[i] = i;
        assert_int_equal(registry_interp_add(i, &token_a, i == 0), REG_OK);
    }
    assert_ids(want, 100);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_add_find_list_sorted, reset, reset),
        cmocka_unit_test_setup_teardown(test_main_is_always_running_and_cannot_be_claimed, reset,
                                        reset),
        cmocka_unit_test_setup_teardown(test_run_claims_exclusively, reset, reset),
        cmocka_unit_test_setup_teardown(test_busy_callback_decides_for_idle_entries,
                                        reset_with_two_subs, reset),
        cmocka_unit_test_setup_teardown(test_close_claims_then_removes_or_releases,
                                        reset_with_two_subs, reset),
        cmocka_unit_test_setup_teardown(test_ending_a_claim_on_an_unknown_id_changes_nothing,
                                        reset_with_two_subs, reset),
        cmocka_unit_test_setup_teardown(test_out_of_memory_is_reported, reset, reset),
        cmocka_unit_test_setup_teardown(test_growth_keeps_every_entry, reset, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
