/*
 * error.c: filling an ic_error (see error.h).  No state.
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

int
ic_error_set(ic_error *err, ic_error_code code, const char *fmt, ...)
{
    if (err != NULL) {
        va_list args;
        va_start(args, fmt);
        err->code = code;
        vsnprintf(err->message, sizeof err->message, fmt, args);
        va_end(args);
    }
    return -1;
}

void
ic_error_clear(ic_error *err)
{
    err->code = IC_OK;
    err->message[0] = '\0';
}
