/*
 * coverage_exit_hook.c: write the gcov counters before _exit(), in coverage
 * builds only (cmake/Coverage.cmake links it into every program of the tree,
 * with -Wl,--wrap=_exit).
 *
 * Why: libgcov writes a process's counters (*.gcda) from an exit handler,
 * and _exit() runs no exit handlers.  The conformance runner forks a child
 * per scenario and ends it with _exit() (tools/interpcheck/pyhost.c, and
 * worker.c when exec fails), so without this hook everything a child runs
 * (the step executor's calls into interpref, the child half of pyhost.c)
 * would count as never executed.  With --wrap=_exit every call to _exit()
 * in the objects of the program lands here: dump, then the real _exit().
 * A child killed by a signal (a scenario's deadline, a crash) still loses
 * its counts; so do calls that libpython makes itself (os._exit()).
 *
 * The counts written by a child include what its parent had counted before
 * the fork, and the parent writes those again at its exit: execution counts
 * may be inflated, covered/not covered is exact.  libgcov locks each .gcda
 * file while merging, so concurrent children are safe.
 *
 * Owns no state.
 */
#include <stdlib.h>

void __gcov_dump(void);
_Noreturn void __real__exit(int status);
_Noreturn void __wrap__exit(int status);

void
__wrap__exit(int status)
{
    __gcov_dump();
    __real__exit(status);
}
