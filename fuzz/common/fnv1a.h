/*
 * fnv1a.h: FNV-1a (64-bit) over an input, for harnesses that derive a
 * deterministic choice from the whole input (which allocation fails in the
 * parser; whether an ops input may create and close interpreters): the same
 * input always makes the same choice, and any change of it a fresh one.
 */
#ifndef INTERPCHECK_FUZZ_FNV1A_H
#define INTERPCHECK_FUZZ_FNV1A_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t
fuzz_fnv1a(const uint8_t *data, size_t size)
{
    uint64_t h = 14695981039346656037u; /* the FNV-1a 64-bit offset basis */
    for (size_t i = 0; i < size; i++) {
        h = (h ^ data[i]) * 1099511628211u;
    }
    return h;
}

#endif /* INTERPCHECK_FUZZ_FNV1A_H */
