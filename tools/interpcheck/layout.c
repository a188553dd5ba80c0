/*
 * layout.c: where the runner's data and the interpref module are (see
 * layout.h).  Paths are tried in a fixed order; nothing here prints.
 */
#include "layout.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Relative to the executable's folder (CMake sets them: see CMakeLists.txt). */
#ifndef INTERPCHECK_REL_INSTALL_DATA
#define INTERPCHECK_REL_INSTALL_DATA "../share/interpcheck"
#endif
#ifndef INTERPCHECK_REL_INSTALL_MODULES
#define INTERPCHECK_REL_INSTALL_MODULES "../lib/python3/site-packages"
#endif
#ifndef INTERPCHECK_REL_BUILD_SOURCE
#define INTERPCHECK_REL_BUILD_SOURCE "../.."
#endif
#ifndef INTERPCHECK_REL_BUILD_MODULES
#define INTERPCHECK_REL_BUILD_MODULES "../../python"
#endif

/* One place the data may be: the data folder (it holds conformance/), the
 * executor within it, the module folder; all relative to the executable. */
static const struct {
    const char *data, *executor, *modules;
} candidates[] = {
    {INTERPCHECK_REL_INSTALL_DATA, "executor.py", INTERPCHECK_REL_INSTALL_MODULES},
    {INTERPCHECK_REL_BUILD_SOURCE, "tools/interpcheck/executor.py", INTERPCHECK_REL_BUILD_MODULES},
};

/* Where an executor.py may be, relative to the conformance folder's parent. */
static const char *const executor_places[] = {"executor.py", "tools/interpcheck/executor.py"};

static int
is_kind(const char *path, mode_t kind)
{
    struct stat st;
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == kind;
}

/* "a/b" (malloc'd), or NULL. */
static char *
join(const char *a, const char *b)
{
    char *out;
    return asprintf(&out, "%s/%s", a, b) < 0 ? NULL : out;
}

/* The canonical form of dir/rel when it is an existing file or folder of
 * `kind` (malloc'd), else NULL. */
static char *
existing(const char *dir, const char *rel, mode_t kind)
{
    char *joined = join(dir, rel);
    char *real = joined && is_kind(joined, kind) ? realpath(joined, NULL) : NULL;
    free(joined);
    return real;
}

/* The folder of the running executable into buf: 0, or -1. */
static int
exe_dir(char *buf, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", buf, size - 1);
    if (n <= 0 || (size_t)n >= size - 1) {
        return -1;
    }
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash == NULL) {
        return -1;
    }
    *(slash == buf ? slash + 1 : slash) = '\0';
    return 0;
}

/* The runner's own data, from the first candidate that has it: 0 with
 * *conformance, *executor, *modules (malloc'd; modules may be NULL), or -1
 * with the folders looked at in `looked`. */
static int
own_data(char **conformance, char **executor, char **modules, char *looked, size_t size)
{
    char dir[PATH_MAX];
    if (exe_dir(dir, sizeof dir) < 0) {
        snprintf(looked, size, "(/proc/self/exe unreadable)");
        return -1;
    }
    size_t used = 0;
    looked[0] = '\0';
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        char *data = join(dir, candidates[i].data);
        char *conf = data ? existing(data, "conformance", S_IFDIR) : NULL;
        char *exe = conf ? existing(data, candidates[i].executor, S_IFREG) : NULL;
        if (data != NULL && used < size) {
            used += (size_t)snprintf(looked + used, size - used, "%s%s/conformance", i ? ", " : "",
                                     data);
        }
        free(data);
        if (exe != NULL) {
            *conformance = conf;
            *executor = exe;
            *modules = existing(dir, candidates[i].modules, S_IFDIR);
            return 0;
        }
        free(conf);
    }
    return -1;
}

/* What --root DIR's tree provides: its executor and adapters, when it has them. */
static void
root_data(const char *root, char **executor, char **adapters)
{
    char *parent = join(root, "..");
    for (size_t i = 0; parent && i < sizeof executor_places / sizeof executor_places[0]; i++) {
        *executor = existing(parent, executor_places[i], S_IFREG);
        if (*executor != NULL) {
            break;
        }
    }
    free(parent);
    *adapters = existing(root, "adapters", S_IFDIR);
}

int
layout_locate(const char *root_option, ic_layout *l, ic_error *err)
{
    memset(l, 0, sizeof *l);
    char *conformance = NULL, *executor = NULL, *modules = NULL;
    char looked[3 * PATH_MAX];
    int found = own_data(&conformance, &executor, &modules, looked, sizeof looked) == 0;
    if (!found && root_option == NULL) {
        return ic_error_set(err, IC_ERR_INPUT,
                            "cannot find the conformance suite next to this executable (looked "
                            "in %s); give --root DIR, the conformance folder",
                            looked);
    }
    l->module_dir = modules;
    if (root_option != NULL) {
        l->root = strdup(root_option);
        root_data(root_option, &l->executor, &l->adapters);
    }
    else {
        l->root = conformance;
        conformance = NULL;
    }
    if (l->executor == NULL) {
        l->executor = executor;
        executor = NULL;
    }
    if (l->adapters == NULL && found) {
        l->adapters = existing(conformance ? conformance : l->root, "adapters", S_IFDIR);
    }
    free(conformance);
    free(executor);
    l->suite = l->root ? join(l->root, "suite") : NULL;
    l->spec = l->root ? join(l->root, "SPEC.md") : NULL;
    if (l->root == NULL || l->suite == NULL || l->spec == NULL) {
        layout_free(l);
        return ic_error_set(err, IC_ERR_NOMEM, "out of memory");
    }
    return 0;
}

/* A destructor of its own fields, as cmd_host_free() (cmd_run.c) and
 * proto_outcome_clear() (protocol.c) are of theirs: the three, and the
 * out-of-memory exits before them, look alike but share nothing beyond
 * free(); kept apart on purpose. */
void
layout_free(ic_layout *l)
{
    free(l->root);
    free(l->suite);
    free(l->spec);
    free(l->adapters);
    free(l->executor);
    free(l->module_dir);
    memset(l, 0, sizeof *l);
}
