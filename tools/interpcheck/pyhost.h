/*
 * pyhost.h: the runner's embedded Python, the "fork server" of in-process
 * mode.  The parent initialises Python once (isolated: no site, no user
 * environment, so nothing on the machine can change a verdict), imports the
 * step executor, and then forks one child per scenario; each child imports
 * the implementation, runs executor.run() on its scenario and exits.  The
 * parent never imports the implementation: one that hangs or kills its
 * importer must not take the runner with it (wrk_probe checks it in a
 * child first).
 */
#ifndef INTERPCHECK_PYHOST_H
#define INTERPCHECK_PYHOST_H

#include <stddef.h>

#include "error.h"

/*
 * Start Python with `path` (':'-separated folders: the executor's and the
 * adapters') on the module search path of every interpreter, and import the
 * executor.  `executable` becomes sys.executable: a real Python of the same
 * version, for scenarios that start one.  0, or -1 with a message in err.
 */
int pyhost_start(const char *path, const char *executable, ic_error *err);

/*
 * Fork a child that runs one scenario, its report going to report_fd and
 * its stdout/stderr to output_fd, its stdin /dev/null; the child leads a
 * process group of its own, first closes close_fds (the parent's
 * descriptors of other children) and dumps its Python stacks on SIGUSR1.
 * Returns the pid, or -1.
 */
int pyhost_fork_scenario(const char *json, const char *impl, double time_scale, int report_fd,
                         int output_fd, const int *close_fds, size_t n_close);

/* Python's version string ("3.11.2"), for provenance. */
const char *pyhost_python_version(void);

/* Run pending Python signal handlers: -1 if one raised (Ctrl-C), else 0. */
int pyhost_check_signals(void);

void pyhost_stop(void);

#endif /* INTERPCHECK_PYHOST_H */
