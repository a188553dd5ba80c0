/*
 * test_module.c: the Python-facing files (module.c, ends.c, interp.c,
 * shareable.c) when memory runs out, driven from C with Python embedded:
 *
 *   - the first import of interpref when the registry cannot record the main
 *     interpreter (interpref's own allocator, ref/alloc.h): the import fails
 *     with MemoryError and a later one succeeds;
 *   - the calls that make Python objects when CPython's allocator fails (a
 *     hook around PYMEM_DOMAIN_OBJ and PYMEM_DOMAIN_MEM that fails one chosen
 *     allocation).  Each call is walked over its allocations: the n-th fails,
 *     for n = 0, 1, ... until the call makes fewer than n; every failure must
 *     be a MemoryError.  What matters most is the cleanup: an end whose object
 *     could not be made must give back the channel reference it took, or the
 *     channel would outlive every end, so once a test drops its own ends no
 *     channel may be left.  Only calls that stay in the calling interpreter
 *     and out of CPython's compiler and evaluation loop are walked (not run()):
 *     those do not survive every failed allocation (3.11 corrupts its heap);
 *   - a packed buffer that shareable_pack() did not make.
 *
 * Python is started by embed/pyembed.c, as for ref/tests/embed_main.c and
 * the fuzzers (isolated, no site, the allocator named by PYTHONMALLOC, so
 * that ASan sees Python's objects), with interpref built in, and finalised
 * at the end.
 */
#include "pyembed.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "channel.h"
#include "interpref.h"

/* Defined in ref/module.c. */
PyMODINIT_FUNC PyInit_interpref(void);

/* ---- a CPython allocator that fails one chosen allocation ---------------- */

typedef struct {
    PyMemAllocatorDomain domain;
    PyMemAllocatorEx real;
    long fail_in; /* allocations that still succeed before the failing one; -1: none fails */
    int failed;   /* the chosen allocation was reached (and failed) */
} hook;

/*
 * Not PYMEM_DOMAIN_RAW: its failures reach code of CPython that does not
 * survive them (3.11's PyThreadState_New() uses the NULL it got), and no
 * cleanup of ours depends on them.
 */
static hook hooks[] = {
    {.domain = PYMEM_DOMAIN_MEM, .fail_in = -1},
    {.domain = PYMEM_DOMAIN_OBJ, .fail_in = -1},
};
#define MEM (&hooks[0])
#define OBJ (&hooks[1])

static int
fail_now(hook *h)
{
    if (h->fail_in < 0) {
        return 0;
    }
    if (h->fail_in-- > 0) {
        return 0;
    }
    h->failed = 1; /* one failure only: what follows succeeds again */
    return 1;
}

static void *
hook_malloc(void *ctx, size_t size)
{
    hook *h = ctx;
    return fail_now(h) ? NULL : h->real.malloc(h->real.ctx, size);
}

static void *
hook_calloc(void *ctx, size_t count, size_t size)
{
    hook *h = ctx;
    return fail_now(h) ? NULL : h->real.calloc(h->real.ctx, count, size);
}

static void *
hook_realloc(void *ctx, void *ptr, size_t size)
{
    hook *h = ctx;
    return fail_now(h) ? NULL : h->real.realloc(h->real.ctx, ptr, size);
}

static void
hook_free(void *ctx, void *ptr)
{
    hook *h = ctx;
    h->real.free(h->real.ctx, ptr);
}

static void
install_hooks(void)
{
    for (size_t i = 0; i < sizeof hooks / sizeof hooks[0]; i++) {
        PyMem_GetAllocator(hooks[i].domain, &hooks[i].real);
        PyMemAllocatorEx wrapper = {&hooks[i], hook_malloc, hook_calloc, hook_realloc, hook_free};
        PyMem_SetAllocator(hooks[i].domain, &wrapper);
    }
}

static void
remove_hooks(void)
{
    for (size_t i = 0; i < sizeof hooks / sizeof hooks[0]; i++) {
        PyMem_SetAllocator(hooks[i].domain, &hooks[i].real);
    }
}

/* ---- Python, embedded ---------------------------------------------------- */

static PyObject *module;
static interpref_state *st;

/* Python with interpref built in; 0, or -1 with the reason printed. */
static int
start_python(void)
{
    pyembed_options options = {.builtin_name = "interpref", .builtin_init = PyInit_interpref};
    pyembed_error err;
    if (pyembed_start(&options, &err) != PYEMBED_OK) {
        fprintf(stderr, "test_module: %s\n", err.message);
        return -1;
    }
    return 0;
}

static PyObject *
call(const char *name)
{
    PyObject *result = PyObject_CallMethod(module, name, NULL);
    assert_non_null(result);
    return result;
}

static size_t
channels_alive(void)
{
    int64_t *ids;
    size_t count;
    assert_int_equal(channel_list(&ids, &count), CH_OK);
    ref_free(ids);
    return count;
}

/*
 * Walk `op(arg)` over the allocations of `h`'s domain: the n-th fails, for
 * n = 0, 1, ... until one call no longer reaches it.  Every failure must
 * raise MemoryError.  Returns how many calls failed.
 */
static int
walk(hook *h, PyObject *(*op)(void *arg), void *arg)
{
    int failures = 0;
    for (long n = 0;; n++) {
        h->failed = 0;
        h->fail_in = n;
        PyObject *result = op(arg);
        h->fail_in = -1;
        if (result == NULL) {
            assert_true(h->failed);
            assert_true(PyErr_ExceptionMatches(PyExc_MemoryError));
            PyErr_Clear();
            failures++;
        }
        else {
            assert_false(PyErr_Occurred());
            Py_DECREF(result);
        }
        if (!h->failed) {
            return failures;
        }
        assert_true(n < 10000); /* a call that never gets past its allocations */
    }
}

/* ---- the first import ---------------------------------------------------- */

static void
test_first_import_fails_cleanly_when_main_cannot_be_recorded(void **unused)
{
    (void)unused;
    /* The only allocation of interpref's own in the first import: the
     * registry's table, to record the main interpreter. */
    ref_alloc_fail_after(0);
    PyObject *failed = PyImport_ImportModule("interpref");
    ref_alloc_fail_after(-1);
    assert_null(failed);
    assert_true(PyErr_ExceptionMatches(PyExc_MemoryError));
    PyErr_Clear();
    PyObject *name = PyUnicode_FromString("interpref");
    assert_non_null(name);
    assert_null(PyImport_GetModule(name)); /* not left in sys.modules */
    assert_false(PyErr_Occurred());
    Py_DECREF(name);

    module = PyImport_ImportModule("interpref");
    assert_non_null(module);
    st = PyModule_GetState(module);
    PyObject *all = call("list_all");
    assert_int_equal(PyList_GET_SIZE(all), 1); /* main, recorded once */
    Py_DECREF(all);
}

/* ---- CPython's allocator failing ------------------------------------------ */

static PyObject *
create_channel(void *unused)
{
    (void)unused;
    return ends_create_channel(module, NULL);
}

static void
test_create_channel_gives_back_what_a_failed_pair_took(void **unused)
{
    (void)unused;
    /* Each failure (the RecvChannel, the SendChannel, and the tuple unless
     * CPython has one in store) must leave no channel behind; nor may the
     * pair the successful call made, once dropped. */
    assert_true(walk(OBJ, create_channel, NULL) >= 2);
    assert_int_equal(channels_alive(), 0);
}

static PyObject *
list_all_channels(void *unused)
{
    (void)unused;
    return ends_list_all_channels(module, NULL);
}

static void
test_list_all_channels_gives_back_the_ends_it_took(void **unused)
{
    (void)unused;
    PyObject *first = call("create_channel"), *second = call("create_channel");
    assert_true(walk(OBJ, list_all_channels, NULL) >= 5);
    assert_true(walk(MEM, list_all_channels, NULL) >= 1); /* the list's growth */
    /* Only the pairs the test holds keep their channels. */
    assert_int_equal(channels_alive(), 2);
    Py_DECREF(first);
    assert_int_equal(channels_alive(), 1);
    Py_DECREF(second);
    assert_int_equal(channels_alive(), 0);
}

typedef struct {
    ch_end end;
    int64_t id;
    PyObject *id_object; /* made beforehand: the walk is about the end alone */
} end_args;

static PyObject *
new_end(void *arg)
{
    end_args *args = arg;
    return end_new(st, args->end, args->id);
}

static PyObject *
construct_end(void *arg)
{
    end_args *args = arg;
    PyTypeObject *type = args->end == CH_RECV ? st->RecvChannelType : st->SendChannelType;
    return PyObject_CallOneArg((PyObject *)type, args->id_object);
}

static void
test_end_objects_that_cannot_be_made_hold_no_reference(void **unused)
{
    (void)unused;
    PyObject *pair = call("create_channel");
    PyObject *id_object = PyObject_GetAttrString(PyTuple_GET_ITEM(pair, 0), "id");
    assert_non_null(id_object);
    PyObject *unknown_object = PyLong_FromLong(1000000000);
    assert_non_null(unknown_object);
    for (ch_end end = CH_RECV; end <= CH_SEND; end++) {
        /* As unpacked from a channel, and as constructed from the id; and
         * for an id that names no channel (an end that holds nothing). */
        end_args args = {end, PyLong_AsLongLong(id_object), id_object};
        end_args unknown = {end, 1000000000, unknown_object};
        assert_true(walk(OBJ, new_end, &args) >= 1);
        assert_true(walk(OBJ, construct_end, &args) >= 1);
        assert_true(walk(OBJ, new_end, &unknown) >= 1);
        assert_true(walk(OBJ, construct_end, &unknown) >= 1);
    }
    Py_DECREF(unknown_object);
    Py_DECREF(id_object);
    /* The ends made by the successful calls are gone: only the pair holds it. */
    Py_DECREF(pair);
    assert_int_equal(channels_alive(), 0);
}

static PyObject *
list_all(void *unused)
{
    (void)unused;
    return interp_list_all(module, NULL);
}

static PyObject *
get_current(void *unused)
{
    (void)unused;
    return interp_get_current(module, NULL);
}

static PyObject *
hash_of(void *arg)
{
    Py_hash_t hash = PyObject_Hash(arg);
    return hash == -1 ? NULL : PyLong_FromSsize_t(hash);
}

static void
test_interpreter_handles_that_cannot_be_made(void **unused)
{
    (void)unused;
    PyObject *sub = call("create");
    assert_true(walk(OBJ, list_all, NULL) >= 2);
    assert_true(walk(MEM, list_all, NULL) >= 1); /* the list's items */
    assert_true(walk(OBJ, get_current, NULL) >= 1);
    /* The hash of an id beyond CPython's cached small ints needs an int object. */
    PyObject *big = PyLong_FromLong(1000000);
    PyObject *handle = PyObject_CallOneArg((PyObject *)st->InterpreterType, big);
    assert_non_null(handle);
    assert_true(walk(OBJ, hash_of, handle) >= 1);
    Py_DECREF(handle);
    Py_DECREF(big);
    PyObject *closed = PyObject_CallMethod(sub, "close", NULL);
    assert_non_null(closed);
    Py_DECREF(closed);
    Py_DECREF(sub);
}

static PyObject *
pack_and_unpack(void *obj)
{
    void *packed = shareable_pack(st, obj);
    if (packed == NULL) {
        return NULL;
    }
    PyObject *copy = shareable_unpack(st, packed);
    shareable_free(packed);
    return copy;
}

static void
test_objects_that_cannot_be_packed_or_unpacked(void **unused)
{
    (void)unused;
    /* An int beyond int64 crosses as hexadecimal text, made by CPython. */
    PyObject *big = PyLong_FromString("0x10000000000000000000000000", NULL, 0);
    assert_non_null(big);
    assert_true(walk(OBJ, pack_and_unpack, big) >= 2);
    Py_DECREF(big);
}

static void
test_a_corrupt_buffer_is_refused(void **unused)
{
    (void)unused;
    /* Every buffer comes from shareable_pack(); one that does not (its
     * first byte, the tag, names no type) is a SystemError, not a crash. */
    unsigned char *packed = shareable_pack(st, Py_None);
    assert_non_null(packed);
    packed[0] = 0xff;
    assert_null(shareable_unpack(st, packed));
    assert_true(PyErr_ExceptionMatches(PyExc_SystemError));
    PyErr_Clear();
    shareable_free(packed);
}

static PyObject *
new_module(void *spec)
{
    PyObject *fresh = PyModule_FromDefAndSpec(&interpref_module, spec);
    if (fresh != NULL && PyModule_ExecDef(fresh, &interpref_module) < 0) {
        Py_CLEAR(fresh);
    }
    return fresh;
}

static void
test_module_objects_that_cannot_be_made(void **unused)
{
    (void)unused;
    /* Each interpreter that imports interpref makes a module object with its
     * own types and exceptions: every step of that can run out of memory. */
    PyObject *spec = PyObject_GetAttrString(module, "__spec__");
    assert_non_null(spec);
    /* Not PYMEM_DOMAIN_MEM: 3.11's PyType_FromModuleAndSpec() returns NULL
     * without an exception set when it cannot copy the type's name there. */
    assert_true(walk(OBJ, new_module, spec) >= 20);
    Py_DECREF(spec);
    /* The module in use is unaffected. */
    PyObject *all = call("list_all");
    assert_int_equal(PyList_GET_SIZE(all), 1);
    Py_DECREF(all);
}

static int
setup_hooks(void **unused)
{
    (void)unused;
    install_hooks();
    return 0;
}

static int
teardown_hooks(void **unused)
{
    (void)unused;
    remove_hooks();
    return 0;
}

int
main(void)
{
    if (start_python() < 0) {
        return 1;
    }
    const struct CMUnitTest first[] = {
        cmocka_unit_test(test_first_import_fails_cleanly_when_main_cannot_be_recorded),
    };
    const struct CMUnitTest hooked[] = {
        cmocka_unit_test(test_create_channel_gives_back_what_a_failed_pair_took),
        cmocka_unit_test(test_list_all_channels_gives_back_the_ends_it_took),
        cmocka_unit_test(test_end_objects_that_cannot_be_made_hold_no_reference),
        cmocka_unit_test(test_interpreter_handles_that_cannot_be_made),
        cmocka_unit_test(test_module_objects_that_cannot_be_made),
        cmocka_unit_test(test_objects_that_cannot_be_packed_or_unpacked),
        cmocka_unit_test(test_a_corrupt_buffer_is_refused),
    };
    int failed = cmocka_run_group_tests_name("first import", first, NULL, NULL);
    if (failed == 0) {
        failed = cmocka_run_group_tests_name("CPython out of memory", hooked, setup_hooks,
                                             teardown_hooks);
    }
    Py_XDECREF(module);
    if (pyembed_finish() < 0) {
        failed++;
    }
    return failed;
}
