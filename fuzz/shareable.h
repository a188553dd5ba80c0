/*
 * shareable.h: what the files of the `shareable` harness share
 * (shareable.c: the checks and the entry points; shareable_gen.c: the
 * value generator).
 */
#ifndef INTERPCHECK_FUZZ_SHAREABLE_H
#define INTERPCHECK_FUZZ_SHAREABLE_H

#include "fuzz_python.h"

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/* The input being decoded, and the fixed objects a value may be. */
typedef struct {
    const uint8_t *data;
    size_t size, pos;
    size_t budget;     /* bytes of large payload still allowed */
    int nodes;         /* values generated so far */
    PyObject *helpers; /* namespace with IntSub, StrSub, BytesSub, Evil */
    PyObject *mod;     /* interpref */
    PyObject *ends[4]; /* rd, sd, r, s */
} shareable_reader;

/* One value from the input (a new reference, never NULL), its Python
 * source appended to `t`. */
PyObject *shareable_gen(shareable_reader *r, strbuf *t, int depth);

#endif /* INTERPCHECK_FUZZ_SHAREABLE_H */
