/*
 * layout.h: where the runner finds its data (the suite, SPEC.md, the
 * adapters, executor.py) and the interpref module's folder, relative to
 * its own executable, so that a build tree or an install prefix can move.
 *
 *   installed:   PREFIX/bin/interpcheck
 *                PREFIX/share/interpcheck/conformance/{suite,adapters,SPEC.md,...}
 *                PREFIX/share/interpcheck/executor.py
 *                PREFIX/lib/python3.X/site-packages/interpref*.so
 *   build tree:  BUILD/tools/interpcheck/interpcheck, the sources' conformance/
 *                and tools/interpcheck/executor.py, BUILD/python/interpref*.so
 *
 * The folders between are compiled in as relative paths (CMake computes
 * them); the executable is /proc/self/exe.  The installed layout wins; the
 * source layout is used only when the executable sits where the build tree
 * put it (relative to the sources).  `--root DIR` (the conformance folder)
 * moves every default: DIR/suite, DIR/SPEC.md, DIR/adapters and an
 * executor.py in DIR/.. or DIR/../tools/interpcheck; what DIR's tree lacks
 * comes from the runner's own data.
 */
#ifndef INTERPCHECK_LAYOUT_H
#define INTERPCHECK_LAYOUT_H

#include "error.h"

typedef struct {
    char *root;       /* the conformance folder: scenario ids are relative to it */
    char *suite;      /* root/suite */
    char *spec;       /* root/SPEC.md */
    char *adapters;   /* a folder of adapters, or NULL */
    char *executor;   /* executor.py, or NULL when none was found */
    char *module_dir; /* the built or installed interpref module's folder, or NULL */
} ic_layout;

/*
 * Fill *l.  root_option is --root, or NULL.  -1 with err when there is no
 * --root and the executable's data cannot be found (IC_ERR_INPUT: the
 * message names the folders looked at), or memory runs out.
 */
int layout_locate(const char *root_option, ic_layout *l, ic_error *err);
void layout_free(ic_layout *l);

#endif /* INTERPCHECK_LAYOUT_H */
