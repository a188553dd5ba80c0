/*
 * pyhost.c: the embedded Python of in-process mode (see pyhost.h).
 *
 * interpref, the reference implementation, is linked into the runner and
 * registered as a built-in module, so `--impl interpref` needs no install
 * and every subinterpreter can import it.  Other implementations are found
 * on the module search path, which is set before initialisation so that
 * subinterpreters (whose sys.path is the startup one) see it too.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "pyembed.h"
#include "pyhost.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

PyMODINIT_FUNC PyInit_interpref(void);

static PyObject *executor;
static char version[32];

/* The pending Python exception into err, then cleared; returns -1. */
static int
exception_text(ic_error *err, const char *what)
{
#if PY_VERSION_HEX >= 0x030C0000
    PyObject *value = PyErr_GetRaisedException();
#else
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    Py_XDECREF(type);
    Py_XDECREF(tb);
#endif
    PyObject *text = value ? PyObject_Str(value) : NULL;
    const char *utf8 = text ? PyUnicode_AsUTF8(text) : NULL;
    const char *name = value ? Py_TYPE(value)->tp_name : "error";
    ic_error_set(err, IC_ERR_PYTHON, "%s: %s: %s", what, name, utf8 ? utf8 : "?");
    Py_XDECREF(text);
    Py_XDECREF(value);
    PyErr_Clear();
    return -1;
}

static void
flush_python_stream(const char *name)
{
    PyObject *stream = PySys_GetObject(name); /* borrowed */
    PyObject *done = stream ? PyObject_CallMethod(stream, "flush", NULL) : NULL;
    Py_XDECREF(done);
    PyErr_Clear();
}

/*
 * sys.stdout of a child is block-buffered (a pipe): line by line instead,
 * so that what a scenario printed before it crashed still reaches the report.
 */
static void
line_buffered_stdout(void)
{
    PyObject *stream = PySys_GetObject("stdout"); /* borrowed */
    PyObject *method = stream ? PyObject_GetAttrString(stream, "reconfigure") : NULL;
    PyObject *args = method ? PyTuple_New(0) : NULL;
    PyObject *kwargs = args ? Py_BuildValue("{s:O}", "line_buffering", Py_True) : NULL;
    PyObject *done = kwargs ? PyObject_Call(method, args, kwargs) : NULL;
    Py_XDECREF(done);
    Py_XDECREF(kwargs);
    Py_XDECREF(args);
    Py_XDECREF(method);
    PyErr_Clear();
}

/*
 * faulthandler.register(SIGUSR1): at a scenario's deadline the runner
 * sends SIGUSR1 before it kills the child, which then writes every
 * thread's Python stack on its standard error (the output pipe).
 */
static void
dump_stacks_on_sigusr1(void)
{
    PyObject *module = PyImport_ImportModule("faulthandler");
    PyObject *done = module ? PyObject_CallMethod(module, "register", "i", SIGUSR1) : NULL;
    Py_XDECREF(done);
    Py_XDECREF(module);
    PyErr_Clear();
}

/*
 * Run one empty scenario in the parent, its report thrown away, so that
 * everything the executor touches on its way (lazy imports, caches, the
 * specialised bytecode) is made once here instead of being copied on write
 * in every child: measured by tools/bench, it halves a child's cost when a
 * cached executor.pyc exists and trims it otherwise.  Its "implementation"
 * is the executor itself: the one under test is never imported here.
 */
static void
warm_up(void)
{
    static const char empty[] =
        "{\"id\":\"warm-up\",\"path\":\"warm-up\",\"steps\":[{\"kind\":\"do\",\"line\":1,"
        "\"code\":\"pass\\n\",\"code_line\":2}]}";
    PyObject *io = PyImport_ImportModule("io");
    PyObject *sink = io ? PyObject_CallMethod(io, "StringIO", NULL) : NULL;
    PyObject *done =
        sink ? PyObject_CallMethod(executor, "run", "ssdO", empty, "executor", 1.0, sink) : NULL;
    Py_XDECREF(done);
    Py_XDECREF(sink);
    Py_XDECREF(io);
    PyErr_Clear();
}

int
pyhost_start(const char *path, const char *executable, ic_error *err)
{
    /* The one start-up of the project (embed/pyembed.h): isolated, no
     * site, interpref built in, `path` on every interpreter's search path. */
    pyembed_options options = {
        .program_name = "interpcheck",
        .executable = executable,
        .search_path = path,
        .builtin_name = "interpref",
        .builtin_init = PyInit_interpref,
        .signal_handlers = 1, /* scenarios test Ctrl-C */
        .faulthandler = 1,    /* a crashing child prints its Python stack */
    };
    pyembed_error perr;
    if (pyembed_start(&options, &perr) != PYEMBED_OK) {
        return ic_error_set(err, IC_ERR_PYTHON, "cannot initialise Python: %s", perr.message);
    }
    snprintf(version, sizeof version, "%s", Py_GetVersion());
    version[strcspn(version, " ")] = '\0';
    executor = PyImport_ImportModule("executor");
    if (executor == NULL) {
        return exception_text(err, "cannot import the step executor (executor.py)");
    }
    warm_up();
    return 0;
}

int
pyhost_fork_scenario(const char *json, const char *impl, double time_scale, int report_fd,
                     int output_fd, const int *close_fds, size_t n_close)
{
    /* Nothing buffered in the parent may be written twice. */
    flush_python_stream("stdout");
    flush_python_stream("stderr");
    fflush(NULL);
    PyOS_BeforeFork();
    pid_t pid = fork();
    if (pid != 0) {
        PyOS_AfterFork_Parent();
        return pid;
    }
    PyOS_AfterFork_Child();
    setpgid(0, 0); /* a process group of its own, killed whole (worker.c) */
    /* Other children's descriptors: holding them open would hide their EOF. */
    for (size_t i = 0; i < n_close; i++) {
        close(close_fds[i]);
    }
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, STDIN_FILENO); /* never the runner's terminal: its group is not ours */
        close(null);
    }
    dup2(output_fd, STDOUT_FILENO);
    dup2(output_fd, STDERR_FILENO);
    line_buffered_stdout();
    dump_stacks_on_sigusr1();
    PyObject *out = PyFile_FromFd(report_fd, "<report>", "w", -1, "utf-8", NULL, "\n", 0);
    PyObject *result =
        out ? PyObject_CallMethod(executor, "run", "ssdO", json, impl, time_scale, out) : NULL;
    if (result == NULL) {
        PyErr_Print();
    }
    if (out != NULL) {
        PyObject *flushed = PyObject_CallMethod(out, "flush", NULL);
        Py_XDECREF(flushed);
    }
    /* _exit() below writes nothing that Python still buffers: the scenario's output. */
    flush_python_stream("stdout");
    flush_python_stream("stderr");
    fflush(NULL);
    /* No finalization: threads a failed scenario left blocked must not hang us. */
    _exit(result != NULL ? 0 : 3);
}

const char *
pyhost_python_version(void)
{
    return version;
}

int
pyhost_check_signals(void)
{
    if (PyErr_CheckSignals() < 0) {
        PyErr_Clear();
        return -1;
    }
    return 0;
}

void
pyhost_stop(void)
{
    Py_CLEAR(executor);
    Py_FinalizeEx();
}
