/*
 * error.h: the runner's one error convention.  A function that can fail
 * returns a status (0 / -1, or an enum of its module) and fills an
 * ic_error the caller passes: a code and a message, without the
 * "interpcheck: " prefix.  Only the edge (main.c and the subcommands)
 * prints messages; nothing below it writes to stderr.
 */
#ifndef INTERPCHECK_ERROR_H
#define INTERPCHECK_ERROR_H

#include <stddef.h>

typedef enum ic_error_code {
    IC_OK,
    IC_ERR_USAGE,  /* a bad option or argument */
    IC_ERR_INPUT,  /* a file that is missing, unreadable or malformed */
    IC_ERR_IO,     /* a report or a pipe that cannot be written */
    IC_ERR_NOMEM,  /* out of memory */
    IC_ERR_SYSTEM, /* a process or pipe that cannot be made */
    IC_ERR_PYTHON, /* the embedded Python or the implementation cannot start */
    IC_ERR_INTERRUPTED,
} ic_error_code;

typedef struct ic_error {
    ic_error_code code;
    char message[1024];
} ic_error;

/* Set *err (NULL: nothing) to `code` and a printf-style message; returns -1,
 * so that failing is `return ic_error_set(err, ...)`. */
int ic_error_set(ic_error *err, ic_error_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Empty the error: IC_OK and "". */
void ic_error_clear(ic_error *err);

#endif /* INTERPCHECK_ERROR_H */
