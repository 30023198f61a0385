/* The placeholder first-fit IO page allocator (models/host/firstfit.h):
 * entry 0 reserved, lowest fitting run first, frees reusable, ENOSPC when no
 * run fits, bad frees rejected without side effects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/tcesim_err.h"
#include "host/firstfit.h"

static void entry_zero_is_never_handed_out(void **state)
{
    (void)state;
    firstfit f;
    assert_int_equal(firstfit_init(&f, 16), TCESIM_OK);
    uint64_t e;
    assert_int_equal(firstfit_alloc(&f, 1, &e), TCESIM_OK);
    assert_int_equal(e, 1);
    assert_int_equal(firstfit_free(&f, 0, 1), TCESIM_EINVAL);
    /* the whole window but entry 0 fits, one more does not */
    firstfit_destroy(&f);
    assert_int_equal(firstfit_init(&f, 16), TCESIM_OK);
    assert_int_equal(firstfit_alloc(&f, 16, &e), TCESIM_ENOSPC);
    assert_int_equal(firstfit_alloc(&f, 15, &e), TCESIM_OK);
    assert_int_equal(e, 1);
    firstfit_destroy(&f);
}

static void allocations_take_the_lowest_fitting_run(void **state)
{
    (void)state;
    firstfit f;
    assert_int_equal(firstfit_init(&f, 256), TCESIM_OK);
    uint64_t a, b, c, d;
    assert_int_equal(firstfit_alloc(&f, 4, &a), TCESIM_OK);
    assert_int_equal(firstfit_alloc(&f, 2, &b), TCESIM_OK);
    assert_int_equal(firstfit_alloc(&f, 100, &c), TCESIM_OK);
    assert_int_equal(a, 1);
    assert_int_equal(b, 5);
    assert_int_equal(c, 7); /* runs may cross 64-entry bitmap words */
    assert_int_equal(f.in_use, 106);
    /* free the 4-run: a 3-run fits there, a 5-run goes after c */
    assert_int_equal(firstfit_free(&f, a, 4), TCESIM_OK);
    assert_int_equal(firstfit_alloc(&f, 5, &d), TCESIM_OK);
    assert_int_equal(d, 107);
    assert_int_equal(firstfit_alloc(&f, 3, &d), TCESIM_OK);
    assert_int_equal(d, 1);
    firstfit_destroy(&f);
}

static void freed_entries_are_reused(void **state)
{
    (void)state;
    firstfit f;
    assert_int_equal(firstfit_init(&f, 8), TCESIM_OK);
    uint64_t e;
    for (uint64_t i = 1; i < 8; i++) {
        assert_int_equal(firstfit_alloc(&f, 1, &e), TCESIM_OK);
        assert_int_equal(e, i);
    }
    assert_int_equal(firstfit_alloc(&f, 1, &e), TCESIM_ENOSPC);
    assert_int_equal(firstfit_free(&f, 5, 1), TCESIM_OK);
    assert_int_equal(firstfit_alloc(&f, 1, &e), TCESIM_OK);
    assert_int_equal(e, 5);
    assert_int_equal(f.in_use, 7);
    assert_int_equal(f.peak, 7);
    firstfit_destroy(&f);
}

static void full_words_are_skipped_and_runs_found_after_them(void **state)
{
    (void)state;
    firstfit f;
    assert_int_equal(firstfit_init(&f, 1000), TCESIM_OK);
    uint64_t e;
    assert_int_equal(firstfit_alloc(&f, 639, &e), TCESIM_OK); /* 1..639: 10 full words */
    assert_int_equal(firstfit_alloc(&f, 360, &e), TCESIM_OK);
    assert_int_equal(e, 640);
    assert_int_equal(firstfit_alloc(&f, 1, &e), TCESIM_ENOSPC);
    assert_int_equal(firstfit_free(&f, 999, 1), TCESIM_OK);
    assert_int_equal(firstfit_alloc(&f, 1, &e), TCESIM_OK);
    assert_int_equal(e, 999);
    firstfit_destroy(&f);
}

static void enospc_when_no_run_is_long_enough(void **state)
{
    (void)state;
    firstfit f;
    assert_int_equal(firstfit_init(&f, 64), TCESIM_OK);
    uint64_t e[7];
    for (int i = 0; i < 7; i++)
        assert_int_equal(firstfit_alloc(&f, 9, &e[i]), TCESIM_OK); /* 1..63 */
    /* free every other run: 27 free entries, but no run longer than 9 */
    for (int i = 0; i < 7; i += 2)
        assert_int_equal(firstfit_free(&f, e[i], 9), TCESIM_OK);
    uint64_t x;
    assert_int_equal(firstfit_alloc(&f, 10, &x), TCESIM_ENOSPC);
    assert_int_equal(f.in_use, 27);
    assert_int_equal(f.peak, 63);
    assert_int_equal(firstfit_alloc(&f, 9, &x), TCESIM_OK);
    assert_int_equal(x, 1);
    firstfit_destroy(&f);
}

static void bad_free_is_einval_and_changes_nothing(void **state)
{
    (void)state;
    firstfit f;
    assert_int_equal(firstfit_init(&f, 64), TCESIM_OK);
    uint64_t e;
    assert_int_equal(firstfit_alloc(&f, 4, &e), TCESIM_OK); /* 1..4 */
    assert_int_equal(firstfit_free(&f, 3, 4), TCESIM_EINVAL);   /* 5, 6 not in use */
    assert_int_equal(firstfit_free(&f, 10, 1), TCESIM_EINVAL);  /* never allocated */
    assert_int_equal(firstfit_free(&f, 60, 10), TCESIM_EINVAL); /* past the end */
    assert_int_equal(firstfit_free(&f, 1, UINT64_MAX), TCESIM_EINVAL); /* wraps */
    assert_int_equal(f.in_use, 4);
    assert_int_equal(firstfit_free(&f, 1, 4), TCESIM_OK);
    assert_int_equal(firstfit_free(&f, 1, 4), TCESIM_EINVAL); /* double free */
    assert_int_equal(f.in_use, 0);
    firstfit_destroy(&f);
}

static void bad_arguments_are_einval(void **state)
{
    (void)state;
    firstfit f;
    assert_int_equal(firstfit_init(&f, 1), TCESIM_EINVAL); /* only entry 0 */
    assert_int_equal(firstfit_init(&f, 2), TCESIM_OK);
    uint64_t e;
    assert_int_equal(firstfit_alloc(&f, 0, &e), TCESIM_EINVAL);
    firstfit_destroy(&f);
    firstfit_destroy(&f); /* a destroyed allocator is a zeroed one */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(entry_zero_is_never_handed_out),
        cmocka_unit_test(allocations_take_the_lowest_fitting_run),
        cmocka_unit_test(freed_entries_are_reused),
        cmocka_unit_test(full_words_are_skipped_and_runs_found_after_them),
        cmocka_unit_test(enospc_when_no_run_is_long_enough),
        cmocka_unit_test(bad_free_is_einval_and_changes_nothing),
        cmocka_unit_test(bad_arguments_are_einval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
