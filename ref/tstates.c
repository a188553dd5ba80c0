/*
 * tstates.c: reading an interpreter's list of thread states the way CPython
 * reads it, under the runtime's lock on that list (HEAD_LOCK).
 *
 * The public PyInterpreterState_ThreadHead()/PyThreadState_Next() read the
 * list without any lock: fine for a debugger that has stopped the process,
 * a data race for a live caller.  A thread state is linked and unlinked under
 * HEAD_LOCK(runtime) (pystate.c: new_threadstate(), tstate_delete_common()),
 * by threads that need not hold the GIL of the caller (3.12+: an interpreter
 * with its own GIL; every version: PyThreadState_New() and the unlinking half
 * of PyThreadState_DeleteCurrent()).  So this file, like CPython's own
 * iterations (_PyThread_CurrentFrames(), _PyInterpreterState_...), takes
 * that lock and walks interp->threads.head:
 *
 *   3.11   HEAD_LOCK is private to Python/pystate.c; its definition there is
 *          PyThread_acquire_lock(_PyRuntime.interpreters.mutex, WAIT_LOCK),
 *          repeated below.  _PyRuntime is exported data of libpython.
 *   3.12   HEAD_LOCK/HEAD_UNLOCK from internal/pycore_pystate.h: the same
 *          PyThread_type_lock.
 *   3.13+  the same macros, now a PyMutex locked with _Py_LOCK_DONT_DETACH
 *          (never lets go of the caller's GIL while waiting).
 *   3.14   _PyRuntime and struct _is come from pycore_runtime.h and
 *          pycore_interp.h, which pycore_pystate.h no longer includes.
 *
 * 3.13 and 3.14 keep _PyMutex_LockTimed(), which their HEAD_LOCK expands to,
 * inside libpython, so there the lock is taken with the exported
 * PyMutex_Lock(): HEAD_LOCK's _Py_LOCK_DONT_DETACH only matters to a caller
 * with an attached thread state, and callers here have none (below).
 *
 * Lock order and the GIL: call tstates_lock() with the GIL released
 * (Py_BEGIN_ALLOW_THREADS), and take registry_lock() only inside it, never
 * the other way round.  CPython before 3.11.3 (gh-102126) clears thread
 * states, running finalizers, with HEAD_LOCK held: a finalizer may wait for
 * the GIL or, dropping a channel end, for registry_lock().  Holding either
 * while waiting for HEAD_LOCK could deadlock against it.  The internal
 * headers need Py_BUILD_CORE, which is why this is a file of its own.
 */
#ifndef Py_BUILD_CORE_MODULE
#define Py_BUILD_CORE_MODULE 1
#endif
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "internal/pycore_pystate.h"
#if PY_VERSION_HEX < 0x030C0000
#include "internal/pycore_interp.h"
#include "internal/pycore_runtime.h"
#define HEAD_LOCK(runtime) PyThread_acquire_lock((runtime)->interpreters.mutex, WAIT_LOCK)
#define HEAD_UNLOCK(runtime) PyThread_release_lock((runtime)->interpreters.mutex)
#endif
#if PY_VERSION_HEX >= 0x030E0000
/* 3.14's pycore_pystate.h no longer brings _PyRuntime and struct _is. */
#include "internal/pycore_interp.h"
#include "internal/pycore_runtime.h"
#endif

#include "tstates.h"

#if PY_VERSION_HEX >= 0x030D0000
#undef HEAD_LOCK
#define HEAD_LOCK(runtime) PyMutex_Lock(&(runtime)->interpreters.mutex)
#endif

void
tstates_lock(void)
{
    HEAD_LOCK(&_PyRuntime);
}

void
tstates_unlock(void)
{
    HEAD_UNLOCK(&_PyRuntime);
}

int
tstates_other_than(PyInterpreterState *interp, const PyThreadState *a, const PyThreadState *b)
{
    int found = 0;
    for (PyThreadState *t = interp->threads.head; t != NULL && !found; t = t->next) {
        found = t != a && t != b;
    }
    return found;
}
