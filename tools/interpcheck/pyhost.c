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

#include "pyhost.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

PyMODINIT_FUNC PyInit_interpref(void);

static PyObject *executor;
static char version[32];

static int
status_error(PyStatus status, ic_error *err)
{
    return ic_error_set(err, IC_ERR_PYTHON, "cannot initialise Python: %s%s%s",
                        status.func ? status.func : "", status.func ? ": " : "",
                        status.err_msg ? status.err_msg : "unknown error");
}

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
 * Only PYTHONPATH (ours) and PYTHONMALLOC (the sanitizer builds need it)
 * survive: no other PYTHON* variable of the caller may change a verdict.
 * The environment is used at all because the module search path given
 * through it is the one subinterpreters inherit; PyConfig.pythonpath_env
 * is ignored when use_environment is off.
 */
static int
scrub_environment(const char *path)
{
    extern char **environ;
    for (size_t i = 0; environ[i] != NULL;) {
        if (strncmp(environ[i], "PYTHON", 6) == 0 &&
            strncmp(environ[i], "PYTHONMALLOC=", 13) != 0) {
            char name[256];
            size_t len = strcspn(environ[i], "=");
            snprintf(name, sizeof name, "%.*s", (int)(len < 255 ? len : 255), environ[i]);
            unsetenv(name); /* environ shifts: look at index i again */
            continue;
        }
        i++;
    }
    return setenv("PYTHONPATH", path, 1);
}

/*
 * Run one empty scenario in the parent, its report thrown away, so that
 * everything the executor touches on its way (lazy imports, caches, the
 * specialised bytecode) is made once here instead of being copied on write
 * in every child: measured by tools/bench, it halves a child's cost when a
 * cached executor.pyc exists and trims it otherwise.
 */
static void
warm_up(const char *impl)
{
    static const char empty[] =
        "{\"id\":\"warm-up\",\"path\":\"warm-up\",\"steps\":[{\"kind\":\"do\",\"line\":1,"
        "\"code\":\"pass\\n\",\"code_line\":2}]}";
    PyObject *io = PyImport_ImportModule("io");
    PyObject *sink = io ? PyObject_CallMethod(io, "StringIO", NULL) : NULL;
    PyObject *done = sink ? PyObject_CallMethod(executor, "run", "ssdO", empty, impl, 1.0, sink)
                          : NULL;
    Py_XDECREF(done);
    Py_XDECREF(sink);
    Py_XDECREF(io);
    PyErr_Clear();
}

int
pyhost_start(const char *path, const char *impl, const char *executable, ic_error *err)
{
    if (PyImport_AppendInittab("interpref", PyInit_interpref) < 0 || scrub_environment(path) < 0) {
        return ic_error_set(err, IC_ERR_PYTHON, "cannot prepare the embedded Python");
    }
    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    config.isolated = 0;
    config.use_environment = 1; /* scrubbed above */
    config.user_site_directory = 0;
    config.site_import = 0;
    config.safe_path = 1;
    config.parse_argv = 0;
    config.write_bytecode = 0;
    config.faulthandler = 1;            /* a crashing child prints its Python stack */
    config.install_signal_handlers = 1; /* scenarios test Ctrl-C */
    PyStatus status = PyConfig_SetBytesString(&config, &config.program_name, "interpcheck");
    if (!PyStatus_Exception(status)) {
        status = PyConfig_SetBytesString(&config, &config.executable, executable);
    }
    if (!PyStatus_Exception(status)) {
        status = Py_InitializeFromConfig(&config);
    }
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) {
        return status_error(status, err);
    }
    snprintf(version, sizeof version, "%s", Py_GetVersion());
    version[strcspn(version, " ")] = '\0';
    executor = PyImport_ImportModule("executor");
    if (executor == NULL) {
        return exception_text(err, "cannot import the step executor (executor.py)");
    }
    PyObject *module = PyImport_ImportModule(impl);
    if (module == NULL) {
        char what[300];
        snprintf(what, sizeof what, "cannot import the implementation '%s'", impl);
        return exception_text(err, what);
    }
    Py_DECREF(module);
    warm_up(impl);
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
    /* Other children's pipes: holding them open would hide their EOF. */
    for (size_t i = 0; i < n_close; i++) {
        close(close_fds[i]);
    }
    dup2(output_fd, STDOUT_FILENO);
    dup2(output_fd, STDERR_FILENO);
    line_buffered_stdout();
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
