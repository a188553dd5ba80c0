/*
 * scenario.c: parser, canonical printer and structural equality of
 * interpcheck scenario files (conformance/FORMAT.md is the reference).
 *
 * The parser makes one pass over the lines.  Each line is first checked
 * lexically (NUL, UTF-8, CR, length, tabs in the indentation), then fed to a
 * small state machine: header lines until the first blank line, then steps,
 * each a keyword line at column 1 followed by its indented body.  The first
 * problem in file order is reported and nothing after it is looked at, so an
 * error message always points at a line the user can fix first.  Checks that
 * need the whole file (missing header keys, threads never joined, header
 * clauses that no step checks) come when the header or the file ends.
 *
 * Memory: the scenario under construction is always in a state scn_free()
 * can take apart (arrays grow by copying, fields start NULL), so every error
 * path is "record the message, free everything, return -1".
 */
#include "scenario.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define SCN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SCN_PRINTF(f, a)
#endif

/* ---- names ------------------------------------------------------------------ */

static const char *const level_names[] = {"MUST", "SHOULD", "MAY", "IMPL"};
static const char *const timeout_names[] = {"short", "long"};
static const char *const verdict_names[] = {"PASS", "FAIL"};
static const char *const kind_names[] = {"do", "expect", "run", "thread", "blocked", "join"};
/* Index i is the name of bit 1 << i; also the canonical printing order. */
static const char *const feature_names[SCN_FEATURE_COUNT] = {
    "threads", "subinterpreter", "isolated", "channels", "signals", "subprocess"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *
scn_level_name(scn_level v)
{
    return (unsigned)v < COUNT(level_names) ? level_names[v] : NULL;
}

const char *
scn_timeout_name(scn_timeout v)
{
    return (unsigned)v < COUNT(timeout_names) ? timeout_names[v] : NULL;
}

const char *
scn_verdict_name(scn_verdict v)
{
    return (unsigned)v < COUNT(verdict_names) ? verdict_names[v] : NULL;
}

const char *
scn_step_kind_name(scn_step_kind v)
{
    return (unsigned)v < COUNT(kind_names) ? kind_names[v] : NULL;
}

const char *
scn_feature_name(unsigned bit)
{
    for (unsigned i = 0; i < SCN_FEATURE_COUNT; i++) {
        if (bit == 1u << i) {
            return feature_names[i];
        }
    }
    return NULL;
}

/* Index of `s[0..n)` in `names`, or -1. */
static int
lookup(const char *const *names, size_t count, const char *s, size_t n)
{
    for (size_t i = 0; i < count; i++) {
        if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* ---- allocation ------------------------------------------------------------- */

static void *
std_malloc(size_t size, void *ctx)
{
    (void)ctx;
    return malloc(size);
}

static void
std_free(void *ptr, void *ctx)
{
    (void)ctx;
    free(ptr);
}

static const scn_allocator std_allocator = {std_malloc, std_free, NULL};

static void *
amalloc(const scn_allocator *a, size_t size)
{
    return a->malloc_fn(size ? size : 1, a->ctx);
}

static void
afree(const scn_allocator *a, void *ptr)
{
    if (ptr) {
        a->free_fn(ptr, a->ctx);
    }
}

static char *
adup(const scn_allocator *a, const char *s, size_t n)
{
    char *r = amalloc(a, n + 1);
    if (r) {
        memcpy(r, s, n);
        r[n] = '\0';
    }
    return r;
}

/*
 * Make room for element `n` of the array `arr` of `elem`-byte elements whose
 * capacity is *cap.  Returns the array to use from now on (`arr` itself, or
 * a bigger copy after freeing `arr`), or NULL on failure with `arr` intact.
 * The hooks have no realloc, so growing copies; doubling keeps that linear.
 */
static void *
grow(const scn_allocator *a, void *arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap) {
        return arr;
    }
    size_t ncap = *cap ? *cap * 2 : 4;
    if (ncap > SIZE_MAX / elem) {
        return NULL;
    }
    char *fresh = amalloc(a, ncap * elem);
    if (!fresh) {
        return NULL;
    }
    if (n) {
        memcpy(fresh, arr, n * elem);
    }
    /* Zero the new tail: scn_free() walks steps whose fields must be NULL. */
    memset(fresh + n * elem, 0, (ncap - n) * elem);
    afree(a, arr);
    *cap = ncap;
    return fresh;
}

/* A growable NUL-terminated string. */
typedef struct sbuf {
    char *data;
    size_t len, cap;
} sbuf;

static int
sbuf_add(const scn_allocator *a, sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 256;
        while (ncap < b->len + n + 1) {
            if (ncap > SIZE_MAX / 2) {
                return -1;
            }
            ncap *= 2;
        }
        char *fresh = amalloc(a, ncap);
        if (!fresh) {
            return -1;
        }
        if (b->len) {
            memcpy(fresh, b->data, b->len);
        }
        afree(a, b->data);
        b->data = fresh;
        b->cap = ncap;
    }
    if (n) { /* s may be NULL when there is nothing to add */
        memcpy(b->data + b->len, s, n);
    }
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

static int
sbuf_adds(const scn_allocator *a, sbuf *b, const char *s)
{
    return sbuf_add(a, b, s, s ? strlen(s) : 0);
}

/* ---- freeing ---------------------------------------------------------------- */

static void
free_step(const scn_allocator *a, scn_step *st)
{
    afree(a, st->clause);
    afree(a, st->name);
    afree(a, st->target);
    afree(a, st->channels);
    afree(a, st->expr);
    afree(a, st->code);
    afree(a, st->raises);
    afree(a, st->matching);
    for (size_t i = 0; i < st->n_outcomes; i++) {
        afree(a, st->outcomes[i]);
    }
    afree(a, st->outcomes);
    afree(a, st->outcome_lines);
}

void
scn_free(scn_scenario *s)
{
    if (!s) {
        return;
    }
    scn_allocator a = s->alloc;
    for (size_t i = 0; i < s->n_clauses; i++) {
        afree(&a, s->clauses[i]);
    }
    afree(&a, s->clauses);
    afree(&a, s->description);
    afree(&a, s->origin);
    for (size_t i = 0; i < s->n_steps; i++) {
        free_step(&a, &s->steps[i]);
    }
    afree(&a, s->steps);
    afree(&a, s);
}

/* ---- character classes ------------------------------------------------------ */

static int
is_upper_alnum(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int
is_ident_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int
is_ident_char(char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

static int
is_key_char(char c)
{
    return is_ident_char(c) || c == '-';
}

/* [A-Za-z_][A-Za-z0-9_]* */
static int
valid_identifier(const char *s, size_t n)
{
    if (n == 0 || !is_ident_start(s[0])) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if (!is_ident_char(s[i])) {
            return 0;
        }
    }
    return 1;
}

/* Identifiers joined by single dots: TypeError, interpreters.ChannelEmptyError. */
static int
valid_dotted_name(const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (!valid_identifier(s + start, i - start)) {
                return 0;
            }
            start = i + 1;
        }
    }
    return 1;
}

/* [A-Z][A-Z0-9]*(-[A-Z0-9]+)+, e.g. CH-SEND-3 */
static int
valid_clause_id(const char *s, size_t n)
{
    size_t i = 1, groups = 0;
    if (n == 0 || !(s[0] >= 'A' && s[0] <= 'Z')) {
        return 0;
    }
    while (i < n && is_upper_alnum(s[i])) {
        i++;
    }
    while (i < n) {
        if (s[i] != '-') {
            return 0;
        }
        size_t start = ++i;
        while (i < n && is_upper_alnum(s[i])) {
            i++;
        }
        if (i == start) {
            return 0;
        }
        groups++;
    }
    return groups > 0;
}

/*
 * Length of the valid UTF-8 sequence at s[0..n), or 0 if it is not one
 * (overlong forms, surrogates and code points above U+10FFFF are invalid).
 */
static size_t
utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (c < 0x80) {
        return 1;
    }
    else if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    }
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) {
            lo = 0xA0;
        }
        else if (c == 0xED) {
            hi = 0x9F;
        }
    }
    else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) {
            lo = 0x90;
        }
        else if (c == 0xF4) {
            hi = 0x8F;
        }
    }
    else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < len; i++) {
        if (s[i] < 0x80 || s[i] > 0xBF) {
            return 0;
        }
    }
    return len;
}

/* ---- messages --------------------------------------------------------------- */

/*
 * A short, printable copy of user text for a message: at most 24
 * characters (whole UTF-8 sequences), control characters shown as '?',
 * "..." when cut.  Only called on lines already checked to be UTF-8.
 */
typedef struct excerpt {
    char s[24 * 4 + 4];
} excerpt;

static excerpt
quote(const char *s, size_t n)
{
    excerpt e;
    size_t o = 0, i = 0;
    for (unsigned chars = 0; i < n && chars < 24; chars++) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (len > n - i) {
            len = n - i;
        }
        if (c < 0x20 || c == 0x7F) {
            e.s[o++] = '?';
        }
        else {
            memcpy(e.s + o, s + i, len);
            o += len;
        }
        i += len;
    }
    if (i < n) {
        memcpy(e.s + o, "...", 3);
        o += 3;
    }
    e.s[o] = '\0';
    return e;
}

int
scn_format_error(const scn_error *err, char *buf, size_t size)
{
    if (err->line == 0) {
        return snprintf(buf, size, "%s: %s", err->path, err->message);
    }
    return snprintf(buf, size, "%s:%u:%u: %s", err->path, err->line, err->column, err->message);
}

/* ---- parser state ----------------------------------------------------------- */

/* Header keys; the bit of key k in parser.seen is 1 << k. */
enum {
    KEY_CLAUSES,
    KEY_LEVEL,
    KEY_FEATURES,
    KEY_TIMEOUT,
    KEY_DESCRIPTION,
    KEY_ORIGIN,
    KEY_VERDICT,
    KEY_COUNT
};
static const char *const key_names[KEY_COUNT] = {"clauses",     "level",  "features", "timeout",
                                                 "description", "origin", "verdict"};

typedef struct thread_rec {
    size_t step;     /* index of the `thread` step (owns the name) */
    unsigned column; /* column of the name there */
    int joined;
} thread_rec;

typedef struct parser {
    const scn_allocator *alloc;
    scn_error *err;
    scn_scenario *scn;

    /* The line being handled: ln[0..len), without its '\n'. */
    const char *ln;
    size_t len;
    unsigned lineno;

    int in_header;
    int header_started; /* a key line was seen (leading blank lines are skipped) */
    unsigned seen;      /* header keys seen, 1 << KEY_* */

    size_t clauses_cap, steps_cap, outcomes_cap, outcome_lines_cap;

    /* The `clauses:` line (it stays in the caller's text while the parse
     * runs): "clause X is checked by no step" is only known at the end of
     * the file and points back at X there, without keeping a column per
     * clause (no allocation, so nothing more to fail). */
    const char *clauses_ln;
    size_t clauses_len;
    unsigned clauses_lineno;

    /* The open step: indented lines belong to it while `open` is set. */
    int open;
    sbuf code;
    size_t pending_blanks; /* blank lines not yet known to be interior */

    thread_rec *threads;
    size_t n_threads, threads_cap;
} parser;

static unsigned
column_of(const parser *p, size_t off)
{
    unsigned col = 1;
    for (size_t i = 0; i < off && i < p->len; i++) {
        if (((unsigned char)p->ln[i] & 0xC0) != 0x80) {
            col++;
        }
    }
    if (off > p->len) {
        col += (unsigned)(off - p->len);
    }
    return col;
}

static int fail_at(parser *p, unsigned line, unsigned column, const char *fmt, ...)
    SCN_PRINTF(4, 5);

static int
fail_at(parser *p, unsigned line, unsigned column, const char *fmt, ...)
{
    va_list ap;
    p->err->line = line;
    p->err->column = column;
    va_start(ap, fmt);
    vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
    va_end(ap);
    return -1;
}

/* An error at byte offset `off` of the current line. */
#define FAIL(p, off, ...) fail_at((p), (p)->lineno, column_of((p), (off)), __VA_ARGS__)

static int
oom(parser *p)
{
    return fail_at(p, 0, 0, "out of memory");
}

/* ---- cursor over the current line ---------------------------------------------- */

static size_t
skip_spaces(const parser *p, size_t i)
{
    while (i < p->len && p->ln[i] == ' ') {
        i++;
    }
    return i;
}

/* End of the space-delimited token starting at i. */
static size_t
token_end(const parser *p, size_t i)
{
    while (i < p->len && p->ln[i] != ' ') {
        i++;
    }
    return i;
}

/* Length of the current line without trailing spaces. */
static size_t
trimmed_len(const parser *p)
{
    size_t n = p->len;
    while (n > 0 && p->ln[n - 1] == ' ') {
        n--;
    }
    return n;
}

static int
token_is(const parser *p, size_t a, size_t b, const char *word)
{
    return b - a == strlen(word) && memcmp(p->ln + a, word, b - a) == 0;
}

/* ---- lexical checks ------------------------------------------------------------- */

/*
 * Check the current line byte by byte, so that the first problem in reading
 * order wins.  `terminated` says whether a '\n' follows (CRLF detection).
 */
static int
check_line(parser *p, int terminated)
{
    const unsigned char *s = (const unsigned char *)p->ln;
    int indent = 1;
    size_t i = 0;
    if (p->lineno == 1 && p->len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
        return FAIL(p, 0, "byte order mark (save the file as UTF-8 without BOM)");
    }
    while (i < p->len) {
        if (i >= SCN_MAX_LINE_BYTES) {
            return FAIL(p, i, "line longer than %zu bytes", SCN_MAX_LINE_BYTES);
        }
        unsigned char c = s[i];
        if (indent && c == '\t') {
            return FAIL(p, i, "tab in indentation");
        }
        if (c != ' ') {
            indent = 0;
        }
        if (c == '\0') {
            return FAIL(p, i, "NUL byte");
        }
        if (c == '\r') {
            if (i + 1 == p->len && terminated) {
                return FAIL(p, i, "CRLF line ending");
            }
            return FAIL(p, i, "carriage return inside a line");
        }
        size_t n = utf8_sequence(s + i, p->len - i);
        if (n == 0) {
            return FAIL(p, i, "invalid UTF-8");
        }
        if (i + n > SCN_MAX_LINE_BYTES) {
            return FAIL(p, i, "line longer than %zu bytes", SCN_MAX_LINE_BYTES);
        }
        i += n;
    }
    return 0;
}

/* ---- header ------------------------------------------------------------------- */

/* A value at ln[a..b) that is not in its vocabulary. */
static int
header_value_error(parser *p, const char *what, size_t a, size_t b, const char *expected)
{
    return FAIL(p, a, "unknown %s '%s' (expected %s)", what, quote(p->ln + a, b - a).s, expected);
}

static int
header_clauses(parser *p, size_t i, size_t end)
{
    scn_scenario *s = p->scn;
    p->clauses_ln = p->ln;
    p->clauses_len = p->len;
    p->clauses_lineno = p->lineno;
    while ((i = skip_spaces(p, i)) < end) {
        size_t e = token_end(p, i);
        if (!valid_clause_id(p->ln + i, e - i)) {
            return FAIL(p, i, "malformed clause id '%s' (expected e.g. CH-SEND-3)",
                        quote(p->ln + i, e - i).s);
        }
        for (size_t k = 0; k < s->n_clauses; k++) {
            if (strlen(s->clauses[k]) == e - i && memcmp(s->clauses[k], p->ln + i, e - i) == 0) {
                return FAIL(p, i, "duplicate clause id '%s'", quote(p->ln + i, e - i).s);
            }
        }
        char **clauses = grow(p->alloc, s->clauses, &p->clauses_cap, s->n_clauses,
                              sizeof *s->clauses);
        if (!clauses) {
            return oom(p);
        }
        s->clauses = clauses;
        if (!(s->clauses[s->n_clauses] = adup(p->alloc, p->ln + i, e - i))) {
            return oom(p);
        }
        s->n_clauses++;
        i = e;
    }
    return 0;
}

static int
header_features(parser *p, size_t i, size_t end)
{
    while ((i = skip_spaces(p, i)) < end) {
        size_t e = token_end(p, i);
        int f = lookup(feature_names, SCN_FEATURE_COUNT, p->ln + i, e - i);
        if (f < 0) {
            return header_value_error(p, "feature", i, e,
                                      "threads, subinterpreter, isolated, channels, signals"
                                      " or subprocess");
        }
        if (p->scn->features & (1u << f)) {
            return FAIL(p, i, "duplicate feature '%s'", feature_names[f]);
        }
        p->scn->features |= 1u << f;
        i = e;
    }
    return 0;
}

static int
header_line(parser *p)
{
    scn_scenario *s = p->scn;
    size_t k = 0;
    while (k < p->len && is_key_char(p->ln[k])) {
        k++;
    }
    if (k == 0) {
        return FAIL(p, 0, "expected a 'key: value' header line");
    }
    if (k == p->len || p->ln[k] != ':') {
        if (lookup(kind_names, COUNT(kind_names), p->ln, k) >= 0) {
            return FAIL(p, 0, "missing blank line between the header and the steps");
        }
        return FAIL(p, k, "expected ':' after header key '%s'", quote(p->ln, k).s);
    }
    int key = lookup(key_names, KEY_COUNT, p->ln, k);
    if (key < 0) {
        return FAIL(p, 0, "unknown header key '%s'", quote(p->ln, k).s);
    }
    if (p->seen & (1u << key)) {
        return FAIL(p, 0, "duplicate header key '%s'", key_names[key]);
    }
    p->seen |= 1u << key;

    size_t v = skip_spaces(p, k + 1), end = trimmed_len(p);
    if (v >= end) {
        return FAIL(p, p->len, "empty value for header key '%s'", key_names[key]);
    }
    int idx;
    switch (key) {
    case KEY_CLAUSES:
        return header_clauses(p, v, end);
    case KEY_FEATURES:
        return header_features(p, v, end);
    case KEY_LEVEL:
        if ((idx = lookup(level_names, COUNT(level_names), p->ln + v, end - v)) < 0) {
            return header_value_error(p, "level", v, end, "MUST, SHOULD, MAY or IMPL");
        }
        s->level = (scn_level)idx;
        return 0;
    case KEY_TIMEOUT:
        if ((idx = lookup(timeout_names, COUNT(timeout_names), p->ln + v, end - v)) < 0) {
            return header_value_error(p, "timeout class", v, end, "short or long");
        }
        s->timeout = (scn_timeout)idx;
        return 0;
    case KEY_VERDICT:
        if ((idx = lookup(verdict_names, COUNT(verdict_names), p->ln + v, end - v)) < 0) {
            return header_value_error(p, "verdict", v, end, "PASS or FAIL");
        }
        s->verdict = (scn_verdict)idx;
        return 0;
    case KEY_DESCRIPTION:
        return (s->description = adup(p->alloc, p->ln + v, end - v)) ? 0 : oom(p);
    default: /* KEY_ORIGIN */
        return (s->origin = adup(p->alloc, p->ln + v, end - v)) ? 0 : oom(p);
    }
}

/* The header ended (blank line or end of file) at line/column. */
static int
end_header(parser *p, unsigned line, unsigned column)
{
    static const int required[] = {KEY_CLAUSES, KEY_LEVEL, KEY_DESCRIPTION};
    for (size_t i = 0; i < COUNT(required); i++) {
        if (!(p->seen & (1u << required[i]))) {
            return fail_at(p, line, column, "missing required header key '%s'",
                           key_names[required[i]]);
        }
    }
    p->in_header = 0;
    return 0;
}

/* ---- steps: the keyword line ----------------------------------------------------- */

static scn_step *
current(parser *p)
{
    return &p->scn->steps[p->scn->n_steps - 1];
}

/*
 * The regex of `matching /REGEX/` starting at the '/' at i.  `\/` becomes
 * `/`; every other backslash pair is kept as is, so `\\/` ends the regex.
 */
static int
parse_regex(parser *p, size_t i, scn_step *st)
{
    size_t open = i;
    sbuf re = {0};
    for (i++; i < p->len && p->ln[i] != '/'; i++) {
        const char *piece = p->ln + i;
        size_t n = 1;
        if (p->ln[i] == '\\' && i + 1 < p->len) {
            if (p->ln[i + 1] == '/') {
                piece = "/";
            }
            else {
                n = 2;
            }
            i++;
        }
        if (sbuf_add(p->alloc, &re, piece, n) < 0) {
            afree(p->alloc, re.data);
            return oom(p);
        }
    }
    if (i >= p->len) {
        afree(p->alloc, re.data);
        return FAIL(p, open, "unterminated regex (no closing '/')");
    }
    if (re.len == 0) {
        return FAIL(p, open, "empty regex");
    }
    st->matching = re.data;
    i = skip_spaces(p, i + 1);
    if (i < p->len) {
        return FAIL(p, i, "unexpected '%s' after the regex", quote(p->ln + i, p->len - i).s);
    }
    return 0;
}

/* `raises NAME [matching /REGEX/]`; i is just past the word `raises`. */
static int
parse_raises(parser *p, size_t i, scn_step *st)
{
    i = skip_spaces(p, i);
    if (i >= p->len) {
        return FAIL(p, i, "expected an exception name after 'raises'");
    }
    size_t e = token_end(p, i);
    if (!valid_dotted_name(p->ln + i, e - i)) {
        return FAIL(p, i, "malformed exception name '%s' (expected a dotted Python name)",
                    quote(p->ln + i, e - i).s);
    }
    if (!(st->raises = adup(p->alloc, p->ln + i, e - i))) {
        return oom(p);
    }
    i = skip_spaces(p, e);
    if (i >= p->len) {
        return 0;
    }
    e = token_end(p, i);
    if (!token_is(p, i, e, "matching")) {
        return FAIL(p, i,
                    "unexpected '%s' after the exception name (expected 'matching' "
                    "or end of line)",
                    quote(p->ln + i, e - i).s);
    }
    i = skip_spaces(p, e);
    if (i >= p->len) {
        return FAIL(p, i, "expected /REGEX/ after 'matching'");
    }
    if (p->ln[i] != '/') {
        return FAIL(p, i, "expected '/' to start the regex after 'matching'");
    }
    return parse_regex(p, i, st);
}

/* Past a Python string literal whose opening quote is at i (or the end). */
static size_t
skip_string(const parser *p, size_t i)
{
    char q = p->ln[i];
    int triple = i + 2 < p->len && p->ln[i + 1] == q && p->ln[i + 2] == q;
    i += triple ? 3 : 1;
    while (i < p->len) {
        if (p->ln[i] == '\\') {
            i += 2;
        }
        else if (p->ln[i] != q) {
            i++;
        }
        else if (!triple) {
            return i + 1;
        }
        else if (i + 2 < p->len && p->ln[i + 1] == q && p->ln[i + 2] == q) {
            return i + 3;
        }
        else {
            i++;
        }
    }
    return p->len;
}

/*
 * End of the `channels` expression starting at `start`: the first word
 * `raises` standing alone (after a space, before a space or the end) at
 * bracket depth 0 outside string literals, or the end of the line.  So
 * `channels (r, s) raises X` splits as expected while a string or a call
 * containing " raises " stays part of the expression.
 */
static size_t
channels_end(const parser *p, size_t start)
{
    int depth = 0;
    size_t i = start;
    while (i < p->len) {
        char c = p->ln[i];
        if (c == '\'' || c == '"') {
            i = skip_string(p, i);
            continue;
        }
        if (c == '(' || c == '[' || c == '{') {
            depth++;
        }
        else if (c == ')' || c == ']' || c == '}') {
            depth -= depth > 0;
        }
        else if (depth == 0 && (i == start || p->ln[i - 1] == ' ') && p->len - i >= 6 &&
                 memcmp(p->ln + i, "raises", 6) == 0 && (i + 6 == p->len || p->ln[i + 6] == ' ')) {
            return i;
        }
        i++;
    }
    return p->len;
}

static thread_rec *
find_thread(parser *p, const char *name, size_t n)
{
    for (size_t i = 0; i < p->n_threads; i++) {
        const char *t = p->scn->steps[p->threads[i].step].name;
        if (strlen(t) == n && memcmp(t, name, n) == 0) {
            return &p->threads[i];
        }
    }
    return NULL;
}

/* The name after thread/blocked/join at i; returns the offset past it, or 0. */
static size_t
thread_name(parser *p, size_t i, scn_step *st, const char *keyword)
{
    i = skip_spaces(p, i);
    size_t e = token_end(p, i);
    if (i == e) {
        FAIL(p, i, "expected a thread name after '%s'", keyword);
        return 0;
    }
    if (!valid_identifier(p->ln + i, e - i)) {
        FAIL(p, i, "malformed thread name '%s' (expected a Python identifier)",
             quote(p->ln + i, e - i).s);
        return 0;
    }
    if (!(st->name = adup(p->alloc, p->ln + i, e - i))) {
        oom(p);
        return 0;
    }
    thread_rec *t = find_thread(p, p->ln + i, e - i);
    if (st->kind == SCN_STEP_THREAD) {
        if (t) {
            FAIL(p, i, "thread %s is already started (line %u)", st->name,
                 p->scn->steps[t->step].line);
            return 0;
        }
        thread_rec *threads = grow(p->alloc, p->threads, &p->threads_cap, p->n_threads,
                                   sizeof *p->threads);
        if (!threads) {
            oom(p);
            return 0;
        }
        p->threads = threads;
        p->threads[p->n_threads].step = p->scn->n_steps - 1;
        p->threads[p->n_threads].column = column_of(p, i);
        p->threads[p->n_threads].joined = 0;
        p->n_threads++;
    }
    else if (!t) {
        FAIL(p, i, "thread %s is not started before this step", st->name);
        return 0;
    }
    else if (t->joined) {
        FAIL(p, i, "thread %s is already joined", st->name);
        return 0;
    }
    else if (st->kind == SCN_STEP_JOIN) {
        t->joined = 1;
    }
    return e;
}

/* The part of a `run` line after the keyword. */
static int
parse_run(parser *p, size_t i, scn_step *st)
{
    i = skip_spaces(p, i);
    size_t e = token_end(p, i);
    if (i == e) {
        return FAIL(p, i, "expected an interpreter name after 'run'");
    }
    if (!valid_identifier(p->ln + i, e - i)) {
        return FAIL(p, i, "malformed interpreter name '%s' (expected a Python identifier)",
                    quote(p->ln + i, e - i).s);
    }
    if (!(st->target = adup(p->alloc, p->ln + i, e - i))) {
        return oom(p);
    }
    i = skip_spaces(p, e);
    if (i >= p->len) {
        return 0;
    }
    e = token_end(p, i);
    if (token_is(p, i, e, "channels")) {
        size_t x = skip_spaces(p, e);
        size_t xe = channels_end(p, x), raises_at = xe;
        while (xe > x && p->ln[xe - 1] == ' ') {
            xe--;
        }
        if (xe == x) {
            return FAIL(p, x, "expected an expression after 'channels'");
        }
        if (!(st->channels = adup(p->alloc, p->ln + x, xe - x))) {
            return oom(p);
        }
        if (raises_at >= p->len) {
            return 0;
        }
        return parse_raises(p, raises_at + 6, st);
    }
    if (token_is(p, i, e, "raises")) {
        return parse_raises(p, e, st);
    }
    return FAIL(p, i,
                "unexpected '%s' after the interpreter name (expected 'channels', "
                "'raises' or end of line)",
                quote(p->ln + i, e - i).s);
}

/* Index of the header clause `id[0..n)`, or -1. */
static int
header_clause_index(const scn_scenario *s, const char *id, size_t n)
{
    for (size_t k = 0; k < s->n_clauses; k++) {
        if (strlen(s->clauses[k]) == n && memcmp(s->clauses[k], id, n) == 0) {
            return (int)k;
        }
    }
    return -1;
}

/*
 * `@CLAUSE-ID` at i, right after the step keyword; returns the offset past
 * it, or 0 after an error.  Only a clause of the header may be named: the
 * header stays the one list of what a scenario is about (coverage, --clause
 * and reports read it), and a typo cannot silently charge a failure to a
 * clause nobody cites.  A `thread` step takes none: it only starts the
 * thread, and whatever its body does wrong shows at `join T`, which is the
 * step to charge.
 */
static size_t
step_clause(parser *p, size_t i, scn_step *st)
{
    size_t a = i + 1, e = token_end(p, i);
    if (st->kind == SCN_STEP_THREAD) {
        FAIL(p, i, "a 'thread' step checks no clause (put '@CLAUSE-ID' on its 'join')");
        return 0;
    }
    if (a == e) {
        FAIL(p, a, "expected a clause id after '@'");
        return 0;
    }
    if (!valid_clause_id(p->ln + a, e - a)) {
        FAIL(p, a, "malformed clause id '%s' (expected e.g. CH-SEND-3)", quote(p->ln + a, e - a).s);
        return 0;
    }
    if (header_clause_index(p->scn, p->ln + a, e - a) < 0) {
        FAIL(p, a, "clause %s is not in the header's clauses", quote(p->ln + a, e - a).s);
        return 0;
    }
    if (!(st->clause = adup(p->alloc, p->ln + a, e - a))) {
        oom(p);
        return 0;
    }
    return e;
}

/* A line at column 1 that is not a comment: a new step. */
static int
step_line(parser *p)
{
    scn_scenario *s = p->scn;
    size_t e = token_end(p, 0);
    int kind = lookup(kind_names, COUNT(kind_names), p->ln, e);
    if (kind < 0) {
        if (e > 1 && p->ln[e - 1] == ':' && lookup(key_names, KEY_COUNT, p->ln, e - 1) >= 0) {
            return FAIL(p, 0, "header key '%s' after the header's blank line",
                        quote(p->ln, e - 1).s);
        }
        return FAIL(p, 0,
                    "unknown step keyword '%s' (expected do, expect, run, thread, "
                    "blocked or join)",
                    quote(p->ln, e).s);
    }
    scn_step *steps = grow(p->alloc, s->steps, &p->steps_cap, s->n_steps, sizeof *s->steps);
    if (!steps) {
        return oom(p);
    }
    s->steps = steps;
    scn_step *st = &s->steps[s->n_steps++];
    st->kind = (scn_step_kind)kind;
    st->line = p->lineno;
    p->open = 1;
    p->outcomes_cap = p->outcome_lines_cap = 0;

    size_t i = skip_spaces(p, e), te;
    /* `e` becomes the end of `@CLAUSE-ID` when there is one: what follows
     * is parsed exactly as it would be after the bare keyword.  A Python
     * expression cannot start with '@', so `expect @X expr` is unambiguous. */
    if (i < p->len && p->ln[i] == '@') {
        if (!(e = step_clause(p, i, st))) {
            return -1;
        }
        i = skip_spaces(p, e);
    }
    switch (st->kind) {
    case SCN_STEP_DO:
        if (i >= p->len) {
            return 0;
        }
        te = token_end(p, i);
        if (token_is(p, i, te, "raises")) {
            return parse_raises(p, te, st);
        }
        return FAIL(p, i, "unexpected '%s' after 'do' (expected 'raises' or end of line)",
                    quote(p->ln + i, te - i).s);
    case SCN_STEP_EXPECT:
        te = trimmed_len(p);
        if (i >= te) {
            return FAIL(p, i, "expected an expression after 'expect'");
        }
        return (st->expr = adup(p->alloc, p->ln + i, te - i)) ? 0 : oom(p);
    case SCN_STEP_RUN:
        return parse_run(p, e, st);
    case SCN_STEP_THREAD:
    case SCN_STEP_BLOCKED:
    case SCN_STEP_JOIN:
        if (!(i = thread_name(p, e, st, kind_names[kind]))) {
            return -1;
        }
        i = skip_spaces(p, i);
        if (i >= p->len) {
            return 0;
        }
        te = token_end(p, i);
        if (st->kind == SCN_STEP_JOIN) {
            if (token_is(p, i, te, "raises")) {
                return parse_raises(p, te, st);
            }
            return FAIL(p, i,
                        "unexpected '%s' after the thread name (expected 'raises' or "
                        "end of line)",
                        quote(p->ln + i, te - i).s);
        }
        return FAIL(p, i, "unexpected '%s' after the thread name", quote(p->ln + i, te - i).s);
    }
    return 0;
}

/* ---- steps: bodies ------------------------------------------------------------ */

static int
takes_code(scn_step_kind k)
{
    return k == SCN_STEP_DO || k == SCN_STEP_RUN || k == SCN_STEP_THREAD;
}

/* An indented, non-blank line after the header. */
static int
body_line(parser *p)
{
    size_t n = skip_spaces(p, 0);
    if (!p->open) {
        return FAIL(p, n, "indented line outside a step body");
    }
    scn_step *st = current(p);
    if (st->kind == SCN_STEP_BLOCKED || st->kind == SCN_STEP_JOIN) {
        return FAIL(p, n, "'%s' step takes no body", kind_names[st->kind]);
    }
    if (n < 4) {
        return FAIL(p, n, "body line indented by %zu space%s (expected 4)", n, n == 1 ? "" : "s");
    }
    if (st->kind == SCN_STEP_EXPECT) {
        if (n > 4 || p->len < 6 || p->ln[4] != '=' || p->ln[5] != '>') {
            return FAIL(p, n, "expected '=> VALUE' indented by 4 spaces in an 'expect' step");
        }
        size_t v = skip_spaces(p, 6), end = trimmed_len(p);
        if (v >= end) {
            return FAIL(p, p->len, "expected a value after '=>'");
        }
        char **outcomes = grow(p->alloc, st->outcomes, &p->outcomes_cap, st->n_outcomes,
                               sizeof *st->outcomes);
        if (!outcomes) {
            return oom(p);
        }
        st->outcomes = outcomes;
        unsigned *lines = grow(p->alloc, st->outcome_lines, &p->outcome_lines_cap, st->n_outcomes,
                               sizeof *st->outcome_lines);
        if (!lines) {
            return oom(p);
        }
        st->outcome_lines = lines;
        if (!(st->outcomes[st->n_outcomes] = adup(p->alloc, p->ln + v, end - v))) {
            return oom(p);
        }
        st->outcome_lines[st->n_outcomes++] = p->lineno;
        return 0;
    }
    /* Code: blank lines seen since the last code line were interior. */
    if (p->code.len == 0) {
        st->code_line = p->lineno;
    }
    for (; p->pending_blanks > 0; p->pending_blanks--) {
        if (sbuf_add(p->alloc, &p->code, "\n", 1) < 0) {
            return oom(p);
        }
    }
    if (sbuf_add(p->alloc, &p->code, p->ln + 4, p->len - 4) < 0 ||
        sbuf_add(p->alloc, &p->code, "\n", 1) < 0) {
        return oom(p);
    }
    return 0;
}

/* Close the open step (if any): its body is complete. */
static int
finish_step(parser *p)
{
    if (!p->open) {
        return 0;
    }
    scn_step *st = current(p);
    p->open = 0;
    p->pending_blanks = 0; /* trailing blank lines are not code */
    if (takes_code(st->kind)) {
        if (p->code.len == 0) {
            return fail_at(p, st->line, 1, "'%s' step requires a body indented by 4 spaces",
                           kind_names[st->kind]);
        }
        st->code = p->code.data;
        p->code.data = NULL;
        p->code.len = p->code.cap = 0;
    }
    else if (st->kind == SCN_STEP_EXPECT && st->n_outcomes == 0) {
        return fail_at(p, st->line, 1, "'expect' step requires at least one '=> VALUE' line");
    }
    return 0;
}

/* ---- driver ------------------------------------------------------------------- */

static int
is_blank(const parser *p)
{
    return skip_spaces(p, 0) == p->len;
}

static int
handle_line(parser *p)
{
    if (p->in_header) {
        if (is_blank(p)) {
            return p->header_started ? end_header(p, p->lineno, 1) : 0;
        }
        if (p->ln[0] == '#') {
            return 0;
        }
        if (p->ln[0] == ' ') {
            return FAIL(p, skip_spaces(p, 0), "indented line in the header");
        }
        p->header_started = 1;
        return header_line(p);
    }
    if (is_blank(p)) {
        if (p->open && p->code.len > 0) {
            p->pending_blanks++;
        }
        return 0;
    }
    if (p->ln[0] == ' ') {
        return body_line(p);
    }
    if (finish_step(p) < 0) {
        return -1;
    }
    if (p->ln[0] == '#') {
        return 0;
    }
    return step_line(p);
}

/* The position just past the last character of the text. */
static void
end_position(const char *text, size_t size, unsigned *line, unsigned *column)
{
    unsigned l = 1, c = 1;
    for (size_t i = 0; i < size; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        }
        else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *column = c;
}

/*
 * Every header clause must be checked by some step: a clause no step checks
 * could never fail, so citing it would claim coverage the scenario does not
 * give (and the runner could never report the clause as passed or failed).
 * The error points at the clause's id on the `clauses:` line.
 */
static int
check_clauses_checked(parser *p)
{
    const scn_scenario *s = p->scn;
    for (size_t k = 0; k < s->n_clauses; k++) {
        const char *id = s->clauses[k];
        size_t i = 0;
        if (id == NULL) { /* never, after the header parsed: for the analyzer */
            continue;
        }
        while (i < s->n_steps) {
            const char *c = scn_step_clause(s, &s->steps[i]);
            if (c != NULL && strcmp(c, id) == 0) {
                break;
            }
            i++;
        }
        if (i < s->n_steps) {
            continue;
        }
        /* Find the k-th id after the colon: ids are single tokens there. */
        p->ln = p->clauses_ln;
        p->len = p->clauses_len;
        size_t at = (size_t)((const char *)memchr(p->ln, ':', p->len) - p->ln) + 1;
        for (size_t n = 0;; n++) {
            at = skip_spaces(p, at);
            if (n == k) {
                break;
            }
            at = token_end(p, at);
        }
        return fail_at(p, p->clauses_lineno, column_of(p, at), "clause %s is checked by no step",
                       quote(id, strlen(id)).s);
    }
    return 0;
}

static int
parse_text(parser *p, const char *text, size_t size)
{
    unsigned eof_line, eof_col;
    if (size > SCN_MAX_FILE_BYTES) {
        end_position(text, SCN_MAX_FILE_BYTES, &eof_line, &eof_col);
        return fail_at(p, eof_line, eof_col, "file larger than %zu bytes (1 MiB)",
                       SCN_MAX_FILE_BYTES);
    }
    size_t pos = 0;
    while (pos < size) {
        const char *nl = memchr(text + pos, '\n', size - pos);
        size_t end = nl ? (size_t)(nl - text) : size;
        p->ln = text + pos;
        p->len = end - pos;
        p->lineno++;
        if (check_line(p, nl != NULL) < 0 || handle_line(p) < 0) {
            return -1;
        }
        pos = nl ? end + 1 : size;
    }
    p->ln = text + size;
    p->len = 0;
    end_position(text, size, &eof_line, &eof_col);
    if (p->in_header && end_header(p, eof_line, eof_col) < 0) {
        return -1;
    }
    if (finish_step(p) < 0) {
        return -1;
    }
    if (p->scn->n_steps == 0) {
        return fail_at(p, eof_line, eof_col, "scenario has no steps");
    }
    for (size_t i = 0; i < p->n_threads; i++) {
        if (!p->threads[i].joined) {
            const scn_step *st = &p->scn->steps[p->threads[i].step];
            return fail_at(p, st->line, p->threads[i].column, "thread %s is never joined",
                           st->name);
        }
    }
    return check_clauses_checked(p);
}

static void
set_path(scn_error *err, const char *path)
{
    snprintf(err->path, sizeof err->path, "%s", path ? path : "<input>");
}

int
scn_parse_with(const char *path, const char *text, size_t size, const scn_allocator *alloc,
               scn_scenario **out, scn_error *err)
{
    scn_error scratch;
    parser p;
    if (!err) {
        err = &scratch;
    }
    memset(err, 0, sizeof *err);
    set_path(err, path);
    *out = NULL;
    if (!alloc) {
        alloc = &std_allocator;
    }
    memset(&p, 0, sizeof p);
    p.alloc = alloc;
    p.err = err;
    p.in_header = 1;
    if (!text && size) {
        return fail_at(&p, 0, 0, "no text");
    }
    if (!(p.scn = amalloc(alloc, sizeof *p.scn))) {
        return oom(&p);
    }
    memset(p.scn, 0, sizeof *p.scn);
    p.scn->alloc = *alloc;
    p.scn->level = SCN_LEVEL_MUST;
    p.scn->timeout = SCN_TIMEOUT_SHORT;
    p.scn->verdict = SCN_VERDICT_PASS;

    int rc = parse_text(&p, text ? text : "", size);
    afree(alloc, p.code.data);
    afree(alloc, p.threads);
    if (rc < 0) {
        scn_free(p.scn);
        return -1;
    }
    *out = p.scn;
    return 0;
}

int
scn_parse(const char *path, const char *text, size_t size, scn_scenario **out, scn_error *err)
{
    return scn_parse_with(path, text, size, NULL, out, err);
}

int
scn_parse_file_with(const char *path, const scn_allocator *alloc, scn_scenario **out,
                    scn_error *err)
{
    scn_error scratch;
    sbuf buf = {0};
    char chunk[8192];
    if (!err) {
        err = &scratch;
    }
    memset(err, 0, sizeof *err);
    set_path(err, path);
    *out = NULL;
    if (!alloc) {
        alloc = &std_allocator;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err->message, sizeof err->message, "cannot open: %s", strerror(errno));
        return -1;
    }
    /* One byte beyond the limit is enough for scn_parse() to report it. */
    while (buf.len <= SCN_MAX_FILE_BYTES) {
        size_t n = fread(chunk, 1, sizeof chunk, f);
        if (n == 0) {
            break;
        }
        if (sbuf_add(alloc, &buf, chunk, n) < 0) {
            fclose(f);
            afree(alloc, buf.data);
            snprintf(err->message, sizeof err->message, "out of memory");
            return -1;
        }
    }
    if (ferror(f)) {
        int e = errno;
        fclose(f);
        afree(alloc, buf.data);
        snprintf(err->message, sizeof err->message, "read error: %s", strerror(e));
        return -1;
    }
    fclose(f);
    int rc = scn_parse_with(path, buf.data, buf.len, alloc, out, err);
    afree(alloc, buf.data);
    return rc;
}

int
scn_parse_file(const char *path, scn_scenario **out, scn_error *err)
{
    return scn_parse_file_with(path, NULL, out, err);
}

/* ---- printer ------------------------------------------------------------------ */

/* The regex between slashes, with every `/` written `\/` again.  Backslash
 * pairs are copied whole so `\\` followed by `/` cannot merge into `\/`. */
static int
print_regex(const scn_allocator *a, sbuf *b, const char *re)
{
    int rc = sbuf_add(a, b, "/", 1);
    for (size_t i = 0; rc == 0 && re[i]; i++) {
        if (re[i] == '\\' && re[i + 1] && re[i + 1] != '/') {
            rc = sbuf_add(a, b, re + i, 2);
            i++;
        }
        else if (re[i] == '/') {
            rc = sbuf_add(a, b, "\\/", 2);
        }
        else {
            rc = sbuf_add(a, b, re + i, 1);
        }
    }
    return rc ? rc : sbuf_add(a, b, "/", 1);
}

static int
print_raises(const scn_allocator *a, sbuf *b, const scn_step *st)
{
    int rc = 0;
    if (st->raises) {
        rc = sbuf_adds(a, b, " raises ");
        rc = rc ? rc : sbuf_adds(a, b, st->raises);
        if (st->matching) {
            rc = rc ? rc : sbuf_adds(a, b, " matching ");
            rc = rc ? rc : print_regex(a, b, st->matching);
        }
    }
    return rc;
}

/* Code lines indented by 4 spaces; empty lines stay empty (no trailing spaces). */
static int
print_code(const scn_allocator *a, sbuf *b, const char *code)
{
    int rc = 0;
    const char *s = code ? code : "";
    while (rc == 0 && *s) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        if (n > 0) {
            rc = sbuf_add(a, b, "    ", 4);
            rc = rc ? rc : sbuf_add(a, b, s, n);
        }
        rc = rc ? rc : sbuf_add(a, b, "\n", 1);
        s += n + (nl != NULL);
    }
    return rc;
}

static int
print_step(const scn_allocator *a, sbuf *b, const scn_step *st)
{
    int rc = sbuf_adds(a, b, scn_step_kind_name(st->kind));
    /* Only an explicit clause is written: the default one is implied. */
    if (st->clause) {
        rc = rc ? rc : sbuf_add(a, b, " @", 2);
        rc = rc ? rc : sbuf_adds(a, b, st->clause);
    }
    switch (st->kind) {
    case SCN_STEP_DO:
        rc = rc ? rc : print_raises(a, b, st);
        rc = rc ? rc : sbuf_add(a, b, "\n", 1);
        return rc ? rc : print_code(a, b, st->code);
    case SCN_STEP_EXPECT:
        rc = rc ? rc : sbuf_add(a, b, " ", 1);
        rc = rc ? rc : sbuf_adds(a, b, st->expr);
        rc = rc ? rc : sbuf_add(a, b, "\n", 1);
        for (size_t i = 0; rc == 0 && i < st->n_outcomes; i++) {
            rc = sbuf_adds(a, b, "    => ");
            rc = rc ? rc : sbuf_adds(a, b, st->outcomes[i]);
            rc = rc ? rc : sbuf_add(a, b, "\n", 1);
        }
        return rc;
    case SCN_STEP_RUN:
        rc = rc ? rc : sbuf_add(a, b, " ", 1);
        rc = rc ? rc : sbuf_adds(a, b, st->target);
        if (st->channels) {
            rc = rc ? rc : sbuf_adds(a, b, " channels ");
            rc = rc ? rc : sbuf_adds(a, b, st->channels);
        }
        rc = rc ? rc : print_raises(a, b, st);
        rc = rc ? rc : sbuf_add(a, b, "\n", 1);
        return rc ? rc : print_code(a, b, st->code);
    case SCN_STEP_THREAD:
    case SCN_STEP_BLOCKED:
    case SCN_STEP_JOIN:
        rc = rc ? rc : sbuf_add(a, b, " ", 1);
        rc = rc ? rc : sbuf_adds(a, b, st->name);
        rc = rc ? rc : print_raises(a, b, st);
        rc = rc ? rc : sbuf_add(a, b, "\n", 1);
        if (rc == 0 && st->kind == SCN_STEP_THREAD) {
            rc = print_code(a, b, st->code);
        }
        return rc;
    }
    return -1;
}

static int
print_key(const scn_allocator *a, sbuf *b, const char *key, const char *value)
{
    int rc = sbuf_adds(a, b, key);
    rc = rc ? rc : sbuf_add(a, b, ": ", 2);
    rc = rc ? rc : sbuf_adds(a, b, value);
    return rc ? rc : sbuf_add(a, b, "\n", 1);
}

char *
scn_print_with(const scn_scenario *s, const scn_allocator *alloc)
{
    const scn_allocator *a = alloc ? alloc : &std_allocator;
    sbuf b = {0};
    int rc = print_key(a, &b, "description", s->description);
    /* Header keys in a fixed order; optional keys at their default are left out. */
    rc = rc ? rc : sbuf_adds(a, &b, "clauses:");
    for (size_t i = 0; rc == 0 && i < s->n_clauses; i++) {
        rc = sbuf_add(a, &b, " ", 1);
        rc = rc ? rc : sbuf_adds(a, &b, s->clauses[i]);
    }
    rc = rc ? rc : sbuf_add(a, &b, "\n", 1);
    rc = rc ? rc : print_key(a, &b, "level", scn_level_name(s->level));
    if (s->features) {
        rc = rc ? rc : sbuf_adds(a, &b, "features:");
        for (unsigned i = 0; rc == 0 && i < SCN_FEATURE_COUNT; i++) {
            if (s->features & (1u << i)) {
                rc = sbuf_add(a, &b, " ", 1);
                rc = rc ? rc : sbuf_adds(a, &b, feature_names[i]);
            }
        }
        rc = rc ? rc : sbuf_add(a, &b, "\n", 1);
    }
    if (s->timeout != SCN_TIMEOUT_SHORT) {
        rc = rc ? rc : print_key(a, &b, "timeout", scn_timeout_name(s->timeout));
    }
    if (s->verdict != SCN_VERDICT_PASS) {
        rc = rc ? rc : print_key(a, &b, "verdict", scn_verdict_name(s->verdict));
    }
    if (s->origin) {
        rc = rc ? rc : print_key(a, &b, "origin", s->origin);
    }
    for (size_t i = 0; rc == 0 && i < s->n_steps; i++) {
        rc = sbuf_add(a, &b, "\n", 1);
        rc = rc ? rc : print_step(a, &b, &s->steps[i]);
    }
    if (rc) {
        afree(a, b.data);
        return NULL;
    }
    return b.data;
}

char *
scn_print(const scn_scenario *s)
{
    return scn_print_with(s, NULL);
}

/* ---- clauses of steps ---------------------------------------------------------- */

const char *
scn_step_clause(const scn_scenario *s, const scn_step *st)
{
    if (st->clause) {
        return st->clause;
    }
    const char *first = s->n_clauses > 0 ? s->clauses[0] : NULL;
    switch (st->kind) {
    case SCN_STEP_EXPECT:
    case SCN_STEP_BLOCKED:
    case SCN_STEP_JOIN:
        return first;
    case SCN_STEP_DO:
    case SCN_STEP_RUN:
        /* Without `raises` the step only prepares the state later steps
         * check: its failure says something is wrong, but not which clause. */
        return st->raises ? first : NULL;
    case SCN_STEP_THREAD:
        break;
    }
    return NULL;
}

/* ---- equality ----------------------------------------------------------------- */

static int
str_eq(const char *a, const char *b)
{
    return (a && b) ? strcmp(a, b) == 0 : a == b;
}

static int
step_equal(const scn_step *a, const scn_step *b)
{
    if (a->kind != b->kind || !str_eq(a->clause, b->clause) || !str_eq(a->name, b->name) ||
        !str_eq(a->target, b->target) || !str_eq(a->channels, b->channels) ||
        !str_eq(a->expr, b->expr) || !str_eq(a->code, b->code) || !str_eq(a->raises, b->raises) ||
        !str_eq(a->matching, b->matching) || a->n_outcomes != b->n_outcomes) {
        return 0;
    }
    for (size_t i = 0; i < a->n_outcomes; i++) {
        if (!str_eq(a->outcomes[i], b->outcomes[i])) {
            return 0;
        }
    }
    return 1;
}

int
scn_equal(const scn_scenario *a, const scn_scenario *b)
{
    if (!a || !b) {
        return a == b;
    }
    if (a->n_clauses != b->n_clauses || a->level != b->level || a->features != b->features ||
        a->timeout != b->timeout || a->verdict != b->verdict ||
        !str_eq(a->description, b->description) || !str_eq(a->origin, b->origin) ||
        a->n_steps != b->n_steps) {
        return 0;
    }
    for (size_t i = 0; i < a->n_clauses; i++) {
        if (!str_eq(a->clauses[i], b->clauses[i])) {
            return 0;
        }
    }
    for (size_t i = 0; i < a->n_steps; i++) {
        if (!step_equal(&a->steps[i], &b->steps[i])) {
            return 0;
        }
    }
    return 1;
}
