/*
 * tstates.h: an interpreter's thread states, read under CPython's own lock on
 * their list, HEAD_LOCK (tstates.c says how on each version).  Nothing of
 * CPython's internal headers leaks through this header.
 */
#ifndef INTERPREF_TSTATES_H
#define INTERPREF_TSTATES_H

#include <Python.h>

/*
 * Take and release HEAD_LOCK.  Only with the GIL released
 * (Py_BEGIN_ALLOW_THREADS), and never while holding registry_lock():
 * registry_lock() may be taken inside, not the other way round.
 */
void tstates_lock(void);
void tstates_unlock(void);

/*
 * With tstates_lock() held: does `interp` have a thread state other than `a`
 * and `b` (either may be NULL)?  Compares pointers only.
 */
int tstates_other_than(PyInterpreterState *interp, const PyThreadState *a, const PyThreadState *b);

#endif /* INTERPREF_TSTATES_H */
