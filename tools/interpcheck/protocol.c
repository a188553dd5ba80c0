/*
 * protocol.c: the report protocol's parser (see protocol.h).  No state.
 */
#include "protocol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
proto_verdict_name(proto_verdict verdict)
{
    static const char *names[] = {"PASS", "FAIL", "ERROR", "SKIP", "TIMEOUT", "CRASH"};
    return verdict <= PROTO_CRASH ? names[verdict] : "?";
}

int
proto_verdict_from_name(const char *word, proto_verdict *verdict)
{
    for (int v = PROTO_PASS; v <= PROTO_CRASH; v++) {
        if (strcmp(word, proto_verdict_name((proto_verdict)v)) == 0) {
            *verdict = (proto_verdict)v;
            return 0;
        }
    }
    return -1;
}

int
proto_is_failure(proto_verdict verdict)
{
    return verdict == PROTO_FAIL || verdict == PROTO_TIMEOUT || verdict == PROTO_CRASH;
}

/* Looks like layout_free() (layout.c): each frees its own fields; kept
 * apart on purpose. */
void
proto_outcome_clear(proto_outcome *o)
{
    free(o->message);
    free(o->expected);
    free(o->actual);
    free(o->traceback);
    free(o->output);
    memset(o, 0, sizeof *o);
}

int
proto_step_line(const char *line, int *index, unsigned *number)
{
    return sscanf(line, "step %d %u", index, number) == 2;
}

static char *
unescape(const char *text, size_t len)
{
    char *out = malloc(len + 1), *w = out;
    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\\' && i + 1 < len) {
            i++;
            if (text[i] == 'n') {
                *w++ = '\n';
            }
            else {
                *w++ = text[i];
            }
        }
        else {
            *w++ = text[i];
        }
    }
    *w = '\0';
    return out;
}

int
proto_parse_report(const char *text, proto_outcome *o)
{
    int header = 0, verdict_seen = 0, ended = 0;
    o->step_index = -1;
    for (const char *line = text; *line != '\0';) {
        const char *eol = strchr(line, '\n');
        if (eol == NULL) {
            break; /* an unfinished last line does not count */
        }
        size_t len = (size_t)(eol - line);
        int index;
        unsigned number;
        char word[16];
        proto_verdict verdict;
        if (!header) {
            header = strncmp(line, "interpcheck-report 1", len) == 0 && len == 20;
        }
        else if (proto_step_line(line, &index, &number)) {
            o->step_index = index;
            o->step_line = number;
        }
        else if (sscanf(line, "python %31s", o->python) == 1) {
            /* the version, for provenance */
        }
        else if (strncmp(line, "field ", 6) == 0) {
            const char *name = line + 6, *space = memchr(name, ' ', len - 6);
            char **slot = NULL;
            size_t name_len = space ? (size_t)(space - name) : 0;
            if (name_len == 7 && strncmp(name, "message", 7) == 0) {
                slot = &o->message;
            }
            else if (name_len == 8 && strncmp(name, "expected", 8) == 0) {
                slot = &o->expected;
            }
            else if (name_len == 6 && strncmp(name, "actual", 6) == 0) {
                slot = &o->actual;
            }
            else if (name_len == 9 && strncmp(name, "traceback", 9) == 0) {
                slot = &o->traceback;
            }
            if (slot != NULL) {
                free(*slot);
                *slot = unescape(space + 1, (size_t)(eol - space - 1));
            }
        }
        else if (sscanf(line, "verdict %15s %d %u", word, &index, &number) == 3 &&
                 proto_verdict_from_name(word, &verdict) == 0 && verdict != PROTO_CRASH) {
            /* CRASH is the runner's word, never a child's. */
            o->verdict = verdict;
            verdict_seen = 1;
            o->step_index = index;
            o->step_line = number;
        }
        else if (len == 3 && strncmp(line, "end", 3) == 0) {
            ended = verdict_seen;
        }
        line = eol + 1;
    }
    return header && ended;
}
