/*
 * ops_helper.c: the helper thread that performs the other half of a
 * blocking op, and the watchdog that makes a blocking op that never returns
 * a "hang" finding (see ops.h).  Both start lazily in the process that runs
 * inputs (AFL++ forks after LLVMFuzzerInitialize).
 *
 * Global state: the helper (H) and the watchdog (W).
 */
#include "ops.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct {
    pid_t pid;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job *pending;
    int busy;
    int quit;
} H = {.pid = 0, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static struct {
    pid_t pid;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int armed;
    int quit;
    struct timespec deadline;
    char what[200];
} W = {.pid = 0, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void
run_job(job *j)
{
    PyObject *id = PyLong_FromLongLong(j->chan_id);
    PyObject *result = NULL;
    if (j->drop != NULL) {
        /* The last end of the other side goes first: the blocked call keeps
         * waiting (CH-RECV-6, CH-SEND-7) for the half below, done through
         * an end built from the id. */
        Py_CLEAR(*j->drop);
    }
    switch (j->kind) {
    case J_SEND:
    case J_SEND_NOWAIT: {
        PyObject *end = id ? PyObject_CallOneArg(T_Send, id) : NULL;
        result = end ? fuzz_call1(end, j->kind == J_SEND ? "send" : "send_nowait", j->value) : NULL;
        Py_XDECREF(end);
        break;
    }
    case J_RECV_N: {
        PyObject *end = id ? PyObject_CallOneArg(T_Recv, id) : NULL;
        result = end;
        for (int i = 0; end != NULL && i < j->n; i++) {
            PyObject *got = PyObject_CallMethod(end, "recv", NULL);
            if (got == NULL) {
                result = NULL;
                break;
            }
            j->results[j->nres++] = got;
        }
        if (result != NULL) {
            result = Py_NewRef(Py_None);
        }
        Py_XDECREF(end);
        break;
    }
    }
    Py_XDECREF(id);
    outcome o = capture(result);
    j->ret = o.obj;
    j->exc = o.exc;
}

static void *
helper_main(void *unused)
{
    (void)unused;
    PyThreadState *ts = PyThreadState_New(PyInterpreterState_Main());
    pthread_mutex_lock(&H.mu);
    for (;;) {
        while (H.pending == NULL && !H.quit) {
            pthread_cond_wait(&H.cv, &H.mu);
        }
        if (H.quit) {
            break;
        }
        job *j = H.pending;
        pthread_mutex_unlock(&H.mu);
        /* No delay: main holds the GIL from helper_submit() until its call
         * releases it, and interpref's recv()/send() release it only once
         * they wait, registered as a waiter.  So the job runs while main is
         * blocked (measured: 1000 of 1000 send_nowait() helpers found the
         * receiver waiting); an implementation that drops the GIL earlier
         * gets either order, and the model accepts both. */
        PyEval_RestoreThread(ts);
        run_job(j);
        PyEval_SaveThread();
        pthread_mutex_lock(&H.mu);
        H.pending = NULL;
        H.busy = 0;
        pthread_cond_broadcast(&H.cv);
    }
    pthread_mutex_unlock(&H.mu);
    PyEval_RestoreThread(ts);
    PyThreadState_Clear(ts);
    PyThreadState_DeleteCurrent();
    return NULL;
}

static void *
watchdog_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&W.mu);
    while (!W.quit) {
        if (!W.armed) {
            pthread_cond_wait(&W.cv, &W.mu);
            continue;
        }
        int rc = pthread_cond_timedwait(&W.cv, &W.mu, &W.deadline);
        if (rc == ETIMEDOUT && W.armed) {
            char message[400];
            snprintf(message, sizeof message,
                     "op %d %s: hang: %s did not complete within %.1f s (blocking op deadline)",
                     cur_op, cur_op_name(), W.what, deadline_seconds);
            report_and_abort(message, "CH-RECV-2 CH-SEND-3 THR-3");
        }
    }
    pthread_mutex_unlock(&W.mu);
    return NULL;
}

void
threads_stop(void)
{
    if (H.pid == getpid()) {
        pthread_mutex_lock(&H.mu);
        H.quit = 1;
        pthread_cond_broadcast(&H.cv);
        pthread_mutex_unlock(&H.mu);
        Py_BEGIN_ALLOW_THREADS
        pthread_join(H.thread, NULL);
        Py_END_ALLOW_THREADS
        H.pid = 0;
    }
    if (W.pid == getpid()) {
        pthread_mutex_lock(&W.mu);
        W.quit = 1;
        pthread_cond_broadcast(&W.cv);
        pthread_mutex_unlock(&W.mu);
        pthread_join(W.thread, NULL);
        W.pid = 0;
    }
}

/* Fresh synchronisation objects (the parent's may be held: a fork), then
 * the thread. */
static void
start_thread(pthread_mutex_t *mu, pthread_cond_t *cv, pthread_t *thread, void *(*fn)(void *),
             const char *what)
{
    pthread_mutex_init(mu, NULL);
    pthread_cond_init(cv, NULL);
    if (pthread_create(thread, NULL, fn, NULL) != 0) {
        fprintf(stderr, "ops: cannot start the %s thread\n", what);
        abort();
    }
}

void
threads_start(void)
{
    pid_t pid = getpid();
    if (H.pid != pid) {
        H.pending = NULL;
        H.busy = H.quit = 0;
        start_thread(&H.mu, &H.cv, &H.thread, helper_main, "helper");
        H.pid = pid;
    }
    if (W.pid != pid) {
        W.armed = W.quit = 0;
        start_thread(&W.mu, &W.cv, &W.thread, watchdog_main, "watchdog");
        W.pid = pid;
    }
}

static void
watchdog_arm(const char *what)
{
    pthread_mutex_lock(&W.mu);
    clock_gettime(CLOCK_REALTIME, &W.deadline);
    W.deadline.tv_sec += (time_t)deadline_seconds;
    W.deadline.tv_nsec += (long)((deadline_seconds - (double)(time_t)deadline_seconds) * 1e9);
    if (W.deadline.tv_nsec >= 1000000000L) {
        W.deadline.tv_sec++;
        W.deadline.tv_nsec -= 1000000000L;
    }
    snprintf(W.what, sizeof W.what, "%s", what);
    W.armed = 1;
    pthread_cond_broadcast(&W.cv);
    pthread_mutex_unlock(&W.mu);
}

static void
watchdog_disarm(void)
{
    pthread_mutex_lock(&W.mu);
    W.armed = 0;
    pthread_cond_broadcast(&W.cv);
    pthread_mutex_unlock(&W.mu);
}

static void
helper_submit(job *j)
{
    pthread_mutex_lock(&H.mu);
    H.pending = j;
    H.busy = 1;
    pthread_cond_broadcast(&H.cv);
    pthread_mutex_unlock(&H.mu);
}

/* Wait (GIL released) until the helper has finished its job. */
static void
helper_wait(void)
{
    Py_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&H.mu);
    while (H.busy) {
        pthread_cond_wait(&H.cv, &H.mu);
    }
    pthread_mutex_unlock(&H.mu);
    Py_END_ALLOW_THREADS
}

void
job_clear(job *j)
{
    for (int i = 0; i < j->nres; i++) {
        Py_CLEAR(j->results[i]);
    }
    j->nres = 0;
    Py_CLEAR(j->ret);
    Py_CLEAR(j->exc);
}

outcome
helper_run(job *j, const char *what, PyObject *(*fn)(void *), void *arg)
{
    threads_start();
    watchdog_arm(what);
    helper_submit(j);
    outcome o = capture(fn(arg));
    helper_wait();
    watchdog_disarm();
    return o;
}
