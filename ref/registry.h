/*
 * registry.h: the process-wide table of interpreters and the one lock that
 * guards every piece of process-wide state in interpref.
 *
 * Global state, all of it behind `registry_lock()`:
 *
 *     registry.c   interps[]: {id, PyInterpreterState*, isolated, running,
 *                  closing}, sorted by id (ids only grow, so appending keeps
 *                  the order).  Entry 0 is the main interpreter.
 *     channel.c    the channel list, each channel's queue of items, its
 *                  blocked receivers and the reference counts of its ends.
 *
 * One lock for everything keeps the locking story trivial: there is no lock
 * order to get wrong.  The rule that makes it safe with several GILs (3.12+)
 * is that nobody ever waits for a GIL, or calls into Python, while holding
 * this lock: critical sections only move pointers and counters.
 *
 * This file is plain C and knows nothing of Python: the interpreter state is
 * an opaque pointer here, so the table can be unit-tested without CPython.
 */
#ifndef INTERPREF_REGISTRY_H
#define INTERPREF_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

void registry_lock(void);
void registry_unlock(void);

typedef enum {
    REG_OK = 0,
    REG_NOT_FOUND, /* no interpreter with that id (never existed, or closed) */
    REG_BUSY,      /* running, or being closed by someone else */
    REG_IS_MAIN,   /* the main interpreter can be neither run nor closed */
    REG_NO_MEMORY,
} reg_status;

/* Record an interpreter.  The first call (id 0) records main. */
reg_status registry_interp_add(int64_t id, void *state, int is_main);

/* The state pointer for `id`, or REG_NOT_FOUND.  For a closing entry too. */
reg_status registry_interp_get(int64_t id, void **state);

/*
 * running: 1 while a run() executes in it (main: always), else whatever
 * `busy(state)` says, asked under the lock (so the state cannot be
 * destroyed meanwhile); busy may be NULL.  An interpreter being closed still
 * exists until registry_interp_end_close() removes it, and is not running.
 */
reg_status registry_interp_is_running(int64_t id, int (*busy)(void *state), int *running);

/* Claim the interpreter for one run(): REG_BUSY if running or closing. */
reg_status registry_interp_begin_run(int64_t id, void **state);
void registry_interp_end_run(int64_t id);

/*
 * Claim the interpreter for close(): REG_BUSY if running or closing already.
 * end_close() then removes the entry (destroyed != 0) or releases the claim.
 */
reg_status registry_interp_begin_close(int64_t id, void **state);
void registry_interp_end_close(int64_t id, int destroyed);

/* A copy of the ids of every recorded interpreter, ascending; free with ref_free(). */
reg_status registry_interp_list(int64_t **ids, size_t *count);

/* Forget everything (process exit, and between unit tests). */
void registry_interp_reset(void);

#endif /* INTERPREF_REGISTRY_H */
