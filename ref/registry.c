/*
 * registry.c: the process-wide interpreter table (see registry.h for the
 * picture of all global state and the locking rule).
 */
#include "registry.h"

#include <pthread.h>
#include <string.h>

#include "alloc.h"

typedef struct {
    int64_t id;
    void *state; /* PyInterpreterState*, opaque here */
    int is_main;
    int running; /* a run() is executing in it */
    int closing; /* a close() has claimed it */
} interp_entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static interp_entry *interps;
static size_t ninterps, capacity;

void
registry_lock(void)
{
    pthread_mutex_lock(&lock);
}

void
registry_unlock(void)
{
    pthread_mutex_unlock(&lock);
}

/* Binary search; the table is sorted because ids only grow. Lock held. */
static interp_entry *
find(int64_t id)
{
    size_t lo = 0, hi = ninterps;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (interps[mid].id == id) {
            return &interps[mid];
        }
        if (interps[mid].id < id) {
            lo = mid + 1;
        }
        else {
            hi = mid;
        }
    }
    return NULL;
}

reg_status
registry_interp_add(int64_t id, void *state, int is_main)
{
    reg_status status = REG_OK;
    registry_lock();
    if (find(id) != NULL) {
        goto done; /* main recorded by an earlier import: nothing to do */
    }
    if (ninterps == capacity) {
        size_t newcap = capacity ? capacity * 2 : 8;
        interp_entry *grown = ref_realloc(interps, newcap * sizeof *grown);
        if (grown == NULL) {
            status = REG_NO_MEMORY;
            goto done;
        }
        interps = grown;
        capacity = newcap;
    }
    /* Keep the order even if a foreign interpreter with a smaller id shows up late. */
    size_t at = ninterps;
    while (at > 0 && interps[at - 1].id > id) {
        at--;
    }
    memmove(&interps[at + 1], &interps[at], (ninterps - at) * sizeof *interps);
    interps[at] = (interp_entry){.id = id, .state = state, .is_main = is_main};
    ninterps++;
done:
    registry_unlock();
    return status;
}

/* The read-only look-ups: under the lock, copy out whichever of `state` and
 * `running` the caller asks for (non-NULL), so the lock-find-copy steps are
 * written once for both. */
static reg_status
look_up(int64_t id, void **state, int (*busy)(void *state), int *running)
{
    registry_lock();
    interp_entry *e = find(id);
    if (e != NULL && state != NULL) {
        *state = e->state;
    }
    if (e != NULL && running != NULL) {
        *running = e->is_main || e->running || (!e->closing && busy != NULL && busy(e->state));
    }
    registry_unlock();
    return e ? REG_OK : REG_NOT_FOUND;
}

reg_status
registry_interp_get(int64_t id, void **state)
{
    return look_up(id, state, NULL, NULL);
}

reg_status
registry_interp_is_running(int64_t id, int (*busy)(void *state), int *running)
{
    return look_up(id, NULL, busy, running);
}

reg_status
registry_interp_begin_run(int64_t id, void **state)
{
    reg_status status = REG_OK;
    registry_lock();
    interp_entry *e = find(id);
    if (e == NULL || e->closing) {
        status = e ? REG_BUSY : REG_NOT_FOUND;
    }
    else if (e->is_main) {
        status = REG_IS_MAIN;
    }
    else if (e->running) {
        status = REG_BUSY;
    }
    else {
        e->running = 1;
        *state = e->state;
    }
    registry_unlock();
    return status;
}

void
registry_interp_end_run(int64_t id)
{
    registry_lock();
    interp_entry *e = find(id);
    if (e != NULL) {
        e->running = 0;
    }
    registry_unlock();
}

reg_status
registry_interp_begin_close(int64_t id, void **state)
{
    reg_status status = REG_OK;
    registry_lock();
    interp_entry *e = find(id);
    if (e == NULL) {
        status = REG_NOT_FOUND;
    }
    else if (e->is_main) {
        status = REG_IS_MAIN;
    }
    else if (e->running || e->closing) {
        status = REG_BUSY;
    }
    else {
        e->closing = 1;
        *state = e->state;
    }
    registry_unlock();
    return status;
}

void
registry_interp_end_close(int64_t id, int destroyed)
{
    registry_lock();
    interp_entry *e = find(id);
    if (e != NULL) {
        if (destroyed) {
            size_t at = (size_t)(e - interps);
            memmove(e, e + 1, (ninterps - at - 1) * sizeof *interps);
            ninterps--;
        }
        else {
            e->closing = 0;
        }
    }
    registry_unlock();
}

reg_status
registry_interp_list(int64_t **ids, size_t *count)
{
    reg_status status = REG_OK;
    registry_lock();
    int64_t *copy = ref_malloc(ninterps * sizeof *copy);
    if (copy == NULL) {
        status = REG_NO_MEMORY;
    }
    else {
        for (size_t i = 0; i < ninterps; i++) {
            copy[i] = interps[i].id;
        }
        *ids = copy;
        *count = ninterps;
    }
    registry_unlock();
    return status;
}

void
registry_interp_reset(void)
{
    registry_lock();
    ref_free(interps);
    interps = NULL;
    ninterps = capacity = 0;
    registry_unlock();
}
