/*
 * jsonl.c: one flat JSON object a line (see jsonl.h).  A recursive-descent
 * reader over the line; strings are decoded (escapes, \u with surrogate
 * pairs) into malloc'd UTF-8.
 */
#include "jsonl.h"

#include <stdlib.h>
#include <string.h>

#include "allocator.h"
#include "strbuf.h"

typedef struct {
    const char *start, *p;
    ic_error *err;
} reader;

static int
fail(reader *r, const char *what)
{
    return ic_error_set(r->err, IC_ERR_INPUT, "column %zu: %s", (size_t)(r->p - r->start) + 1,
                        what);
}

static void
skip_space(reader *r)
{
    while (*r->p == ' ' || *r->p == '\t' || *r->p == '\r' || *r->p == '\n') {
        r->p++;
    }
}

static int
hex4(const char *p, unsigned long *out)
{
    *out = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) {
            return -1;
        }
        *out = *out * 16 + (unsigned long)d;
    }
    return 0;
}

static void
put_utf8(strbuf *sb, unsigned long c)
{
    char b[4];
    size_t n;
    if (c < 0x80) {
        b[0] = (char)c, n = 1;
    }
    else if (c < 0x800) {
        b[0] = (char)(0xC0 | (c >> 6)), b[1] = (char)(0x80 | (c & 0x3F)), n = 2;
    }
    else if (c < 0x10000) {
        b[0] = (char)(0xE0 | (c >> 12)), b[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        b[2] = (char)(0x80 | (c & 0x3F)), n = 3;
    }
    else {
        b[0] = (char)(0xF0 | (c >> 18)), b[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((c >> 6) & 0x3F)), b[3] = (char)(0x80 | (c & 0x3F)), n = 4;
    }
    sb_append(sb, b, n);
}

/* A \u escape at r->p (after the backslash and 'u'), with its low surrogate. */
static int
unicode_escape(reader *r, strbuf *sb)
{
    unsigned long c, low;
    if (hex4(r->p, &c) < 0) {
        return fail(r, "bad \\u escape");
    }
    r->p += 4;
    if (c >= 0xD800 && c < 0xDC00 && r->p[0] == '\\' && r->p[1] == 'u' &&
        hex4(r->p + 2, &low) == 0 && low >= 0xDC00 && low < 0xE000) {
        c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
        r->p += 6;
    }
    else if (c >= 0xD800 && c < 0xE000) {
        c = 0xFFFD; /* a lone surrogate */
    }
    put_utf8(sb, c);
    return 0;
}

/* A string at r->p (its opening quote): malloc'd into *out, 0 or -1. */
static int
read_string(reader *r, char **out)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    strbuf sb;
    sb_init(&sb);
    r->p++;
    while (*r->p != '"') {
        if (*r->p == '\0') {
            sb_free(&sb);
            return fail(r, "unterminated string");
        }
        if (*r->p != '\\') {
            sb_append(&sb, r->p++, 1);
            continue;
        }
        r->p++;
        const char *k = *r->p ? strchr(from, *r->p) : NULL;
        if (k != NULL) {
            sb_append(&sb, &to[k - from], 1);
            r->p++;
        }
        else if (*r->p == 'u') {
            r->p++;
            if (unicode_escape(r, &sb) < 0) {
                sb_free(&sb);
                return -1;
            }
        }
        else {
            sb_free(&sb);
            return fail(r, "bad escape");
        }
    }
    r->p++;
    *out = sb_finish(&sb);
    return *out ? 0 : ic_error_set(r->err, IC_ERR_NOMEM, "out of memory");
}

/* An array of strings at r->p (its '['). */
static int
read_array(reader *r, jl_value *v)
{
    v->kind = JL_ARRAY;
    r->p++;
    skip_space(r);
    while (*r->p != ']') {
        if (v->n_items > 0) {
            if (*r->p != ',') {
                return fail(r, "expected ',' or ']' in an array");
            }
            r->p++;
            skip_space(r);
        }
        if (*r->p != '"') {
            return fail(r, "an array of strings expected");
        }
        char **grown = realloc(v->items, (v->n_items + 1) * sizeof *grown);
        if (grown == NULL) {
            return ic_error_set(r->err, IC_ERR_NOMEM, "out of memory");
        }
        v->items = grown;
        if (read_string(r, &v->items[v->n_items]) < 0) {
            return -1;
        }
        v->n_items++;
        skip_space(r);
    }
    r->p++;
    return 0;
}

static int
read_value(reader *r, jl_value *v)
{
    static const struct {
        const char *word;
        jl_kind kind;
        double number;
    } words[] = {{"null", JL_NULL, 0}, {"true", JL_BOOL, 1}, {"false", JL_BOOL, 0}};
    if (*r->p == '"') {
        v->kind = JL_STRING;
        return read_string(r, &v->text);
    }
    if (*r->p == '[') {
        return read_array(r, v);
    }
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t len = strlen(words[i].word);
        if (strncmp(r->p, words[i].word, len) == 0) {
            v->kind = words[i].kind;
            v->number = words[i].number;
            r->p += len;
            return 0;
        }
    }
    char *end;
    v->number = strtod(r->p, &end);
    if (end == r->p) {
        return fail(r, "a value expected");
    }
    v->kind = JL_NUMBER;
    r->p = end;
    return 0;
}

/* One "key": value member at r->p into a new slot of out. */
static int
read_member(reader *r, jl_object *out)
{
    jl_value *grown = realloc(out->values, (out->n + 1) * sizeof *grown);
    if (grown == NULL) {
        return ic_error_set(r->err, IC_ERR_NOMEM, "out of memory");
    }
    out->values = grown;
    jl_value *v = &out->values[out->n++];
    memset(v, 0, sizeof *v);
    if (*r->p != '"') {
        return fail(r, "a key expected");
    }
    if (read_string(r, &v->key) < 0) {
        return -1;
    }
    skip_space(r);
    if (*r->p != ':') {
        return fail(r, "':' expected");
    }
    r->p++;
    skip_space(r);
    return read_value(r, v);
}

int
jl_parse(const char *line, jl_object *out, ic_error *err)
{
    reader r = {line, line, err};
    memset(out, 0, sizeof *out);
    skip_space(&r);
    if (*r.p != '{') {
        return fail(&r, "an object expected");
    }
    r.p++;
    skip_space(&r);
    while (*r.p != '}') {
        if (out->n > 0) {
            if (*r.p != ',') {
                return fail(&r, "expected ',' or '}'");
            }
            r.p++;
            skip_space(&r);
        }
        if (read_member(&r, out) < 0) {
            return -1;
        }
        skip_space(&r);
    }
    r.p++;
    skip_space(&r);
    return *r.p == '\0' ? 0 : fail(&r, "text after the object");
}

void
jl_free(jl_object *o)
{
    for (size_t i = 0; i < o->n; i++) {
        jl_value *v = &o->values[i];
        free(v->key);
        free(v->text);
        ic_free_strings(NULL, v->items, v->n_items);
    }
    free(o->values);
    memset(o, 0, sizeof *o);
}

const jl_value *
jl_get(const jl_object *o, const char *key)
{
    for (size_t i = 0; i < o->n; i++) {
        if (o->values[i].key != NULL && strcmp(o->values[i].key, key) == 0) {
            return &o->values[i];
        }
    }
    return NULL;
}

const char *
jl_string(const jl_object *o, const char *key)
{
    const jl_value *v = jl_get(o, key);
    return v != NULL && v->kind == JL_STRING ? v->text : NULL;
}

double
jl_number(const jl_object *o, const char *key, double fallback)
{
    const jl_value *v = jl_get(o, key);
    return v != NULL && (v->kind == JL_NUMBER || v->kind == JL_BOOL) ? v->number : fallback;
}
