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

#include "strbuf.h"

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

/* The public scn_*_name(): the spelling of an enum value, NULL when out of range. */
#define NAME_FUNCTION(function, type, names) \
    const char *function(type v) \
    { \
        return (unsigned)v < COUNT(names) ? (names)[v] : NULL; \
    }

NAME_FUNCTION(scn_level_name, scn_level, level_names)
NAME_FUNCTION(scn_timeout_name, scn_timeout, timeout_names)
NAME_FUNCTION(scn_verdict_name, scn_verdict, verdict_names)
NAME_FUNCTION(scn_step_kind_name, scn_step_kind, kind_names)

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

/* Every allocation of a parse goes through the caller's hooks (allocator.h,
 * ic_malloc and ic_free); strings grow in a strbuf that uses them too. */

static char *
adup(const scn_allocator *a, const char *s, size_t n)
{
    char *r = ic_malloc(a, n + 1);
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
    char *fresh = ic_malloc(a, ncap * elem);
    if (!fresh) {
        return NULL;
    }
    if (n) {
        memcpy(fresh, arr, n * elem);
    }
    /* Zero the new tail: scn_free() walks steps whose fields must be NULL. */
    memset(fresh + n * elem, 0, (ncap - n) * elem);
    ic_free(a, arr);
    *cap = ncap;
    return fresh;
}

/* ---- freeing ---------------------------------------------------------------- */

static void
free_step(const scn_allocator *a, scn_step *st)
{
    ic_free(a, st->clause);
    ic_free(a, st->name);
    ic_free(a, st->target);
    ic_free(a, st->channels);
    ic_free(a, st->expr);
    ic_free(a, st->code);
    ic_free(a, st->raises);
    ic_free(a, st->matching);
    ic_free_strings(a, st->outcomes, st->n_outcomes);
    ic_free(a, st->outcome_lines);
}

void
scn_clear_steps(scn_scenario *s)
{
    ic_free_strings(&s->alloc, s->clauses, s->n_clauses);
    s->clauses = NULL;
    s->n_clauses = 0;
    for (size_t i = 0; i < s->n_steps; i++) {
        free_step(&s->alloc, &s->steps[i]);
    }
    ic_free(&s->alloc, s->steps);
    s->steps = NULL;
    s->n_steps = 0;
}

void
scn_free(scn_scenario *s)
{
    if (!s) {
        return;
    }
    scn_allocator a = s->alloc;
    scn_clear_steps(s);
    ic_free(&a, s->description);
    ic_free(&a, s->origin);
    ic_free(&a, s);
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
    strbuf code;
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

/*
 * Make room for element `count` of the string array *arr (capacity *cap)
 * and put a copy of text[0..n) there; the caller counts it.  0, or -1 (out
 * of memory, recorded).
 */
static int
push_copy(parser *p, char ***arr, size_t *cap, size_t count, const char *text, size_t n)
{
    char **grown = grow(p->alloc, *arr, cap, count, sizeof **arr);
    if (!grown) {
        return oom(p);
    }
    *arr = grown;
    if (!(grown[count] = adup(p->alloc, text, n))) {
        return oom(p);
    }
    return 0;
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
        unsigned long cp;
        size_t n = sb_utf8_char((const char *)s + i, p->len - i, &cp);
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
        if (push_copy(p, &s->clauses, &p->clauses_cap, s->n_clauses, p->ln + i, e - i) < 0) {
            return -1;
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

/* The header keys whose value is one word of a list. */
static const struct {
    int key;
    const char *const *names;
    size_t count;
    const char *what, *expected; /* for the message */
} word_keys[] = {
    {KEY_LEVEL, level_names, COUNT(level_names), "level", "MUST, SHOULD, MAY or IMPL"},
    {KEY_TIMEOUT, timeout_names, COUNT(timeout_names), "timeout class", "short or long"},
    {KEY_VERDICT, verdict_names, COUNT(verdict_names), "verdict", "PASS or FAIL"},
};

/* level, timeout or verdict: the word at ln[v..end). */
static int
header_word(parser *p, int key, size_t v, size_t end)
{
    size_t k = 0;
    while (word_keys[k].key != key) {
        k++;
    }
    int idx = lookup(word_keys[k].names, word_keys[k].count, p->ln + v, end - v);
    if (idx < 0) {
        return header_value_error(p, word_keys[k].what, v, end, word_keys[k].expected);
    }
    scn_scenario *s = p->scn;
    s->level = key == KEY_LEVEL ? (scn_level)idx : s->level;
    s->timeout = key == KEY_TIMEOUT ? (scn_timeout)idx : s->timeout;
    s->verdict = key == KEY_VERDICT ? (scn_verdict)idx : s->verdict;
    return 0;
}

/* One header line: a key, a colon and its value. */
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
    switch (key) {
    case KEY_CLAUSES:
        return header_clauses(p, v, end);
    case KEY_FEATURES:
        return header_features(p, v, end);
    case KEY_LEVEL:
    case KEY_TIMEOUT:
    case KEY_VERDICT:
        return header_word(p, key, v, end);
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
    strbuf re;
    sb_init_with(&re, p->alloc);
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
        sb_append(&re, piece, n); /* a failure is sticky: told below */
    }
    int rc = 0;
    if (re.failed) {
        rc = oom(p);
    }
    else if (i >= p->len) {
        rc = FAIL(p, open, "unterminated regex (no closing '/')");
    }
    else if (re.len == 0) {
        rc = FAIL(p, open, "empty regex");
    }
    if (rc < 0) {
        sb_free(&re);
        return rc;
    }
    st->matching = sb_finish(&re);
    i = skip_spaces(p, i + 1);
    if (i < p->len) {
        return FAIL(p, i, "unexpected '%s' after the regex", quote(p->ln + i, p->len - i).s);
    }
    return 0;
}

/*
 * The name after spaces at *i, checked by `valid` and copied to *out; *i
 * moves to the first non-space after it.  Messages name it as a `kind`
 * name after `keyword`, which must be `expected`.  0, or -1 (recorded).
 */
static int
take_name(parser *p, size_t *i, int (*valid)(const char *, size_t), const char *kind,
          const char *keyword, const char *expected, char **out)
{
    size_t at = skip_spaces(p, *i), e = token_end(p, at);
    if (at == e) {
        return FAIL(p, at, "expected an %s name after '%s'", kind, keyword);
    }
    if (!valid(p->ln + at, e - at)) {
        return FAIL(p, at, "malformed %s name '%s' (expected %s)", kind,
                    quote(p->ln + at, e - at).s, expected);
    }
    if (!(*out = adup(p->alloc, p->ln + at, e - at))) {
        return oom(p);
    }
    *i = skip_spaces(p, e);
    return 0;
}

/* `raises NAME [matching /REGEX/]`; i is just past the word `raises`. */
static int
parse_raises(parser *p, size_t i, scn_step *st)
{
    if (take_name(p, &i, valid_dotted_name, "exception", "raises", "a dotted Python name",
                  &st->raises) < 0) {
        return -1;
    }
    if (i >= p->len) {
        return 0;
    }
    size_t e = token_end(p, i);
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

/* `raises ...` at i (its first word ends at e), or an error: nothing else
 * may come after the `after` of the line; `expected` lists what may. */
static int
raises_or_fail(parser *p, size_t i, size_t e, scn_step *st, const char *after, const char *expected)
{
    if (token_is(p, i, e, "raises")) {
        return parse_raises(p, e, st);
    }
    return FAIL(p, i, "unexpected '%s' after the %s (expected %s or end of line)",
                quote(p->ln + i, e - i).s, after, expected);
}

/* `[channels EXPR] [raises ...]` of a `run` line, from i (not at its end). */
static int
parse_run_tail(parser *p, size_t i, scn_step *st)
{
    size_t e = token_end(p, i);
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
    return raises_or_fail(p, i, e, st, "interpreter name", "'channels', 'raises'");
}

/* The part of a `run` line after the keyword. */
static int
parse_run(parser *p, size_t i, scn_step *st)
{
    if (take_name(p, &i, valid_identifier, "interpreter", "run", "a Python identifier",
                  &st->target) < 0) {
        return -1;
    }
    return i < p->len ? parse_run_tail(p, i, st) : 0;
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
            return raises_or_fail(p, i, te, st, "thread name", "'raises'");
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
        unsigned *lines = grow(p->alloc, st->outcome_lines, &p->outcome_lines_cap, st->n_outcomes,
                               sizeof *st->outcome_lines);
        if (!lines) {
            return oom(p);
        }
        st->outcome_lines = lines;
        if (push_copy(p, &st->outcomes, &p->outcomes_cap, st->n_outcomes, p->ln + v, end - v) < 0) {
            return -1;
        }
        st->outcome_lines[st->n_outcomes++] = p->lineno;
        return 0;
    }
    /* Code: blank lines seen since the last code line were interior. */
    if (p->code.len == 0) {
        st->code_line = p->lineno;
    }
    for (; p->pending_blanks > 0; p->pending_blanks--) {
        if (sb_puts(&p->code, "\n") < 0) {
            return oom(p);
        }
    }
    if (sb_append(&p->code, p->ln + 4, p->len - 4) < 0 || sb_puts(&p->code, "\n") < 0) {
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
        st->code = sb_finish(&p->code); /* not NULL: the buffer exists */
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
        alloc = &ic_std_allocator;
    }
    memset(&p, 0, sizeof p);
    p.alloc = alloc;
    sb_init_with(&p.code, alloc);
    p.err = err;
    p.in_header = 1;
    if (!text && size) {
        return fail_at(&p, 0, 0, "no text");
    }
    if (!(p.scn = ic_malloc(alloc, sizeof *p.scn))) {
        return oom(&p);
    }
    memset(p.scn, 0, sizeof *p.scn);
    p.scn->alloc = *alloc;
    p.scn->level = SCN_LEVEL_MUST;
    p.scn->timeout = SCN_TIMEOUT_SHORT;
    p.scn->verdict = SCN_VERDICT_PASS;

    int rc = parse_text(&p, text ? text : "", size);
    sb_free(&p.code);
    ic_free(alloc, p.threads);
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
    strbuf buf;
    char chunk[8192];
    if (!err) {
        err = &scratch;
    }
    memset(err, 0, sizeof *err);
    set_path(err, path);
    *out = NULL;
    sb_init_with(&buf, alloc);
    int rc = -1;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err->message, sizeof err->message, "cannot open: %s", strerror(errno));
        goto done;
    }
    /* One byte beyond the limit is enough for scn_parse() to report it. */
    while (buf.len <= SCN_MAX_FILE_BYTES) {
        size_t n = fread(chunk, 1, sizeof chunk, f);
        if (n == 0) {
            break;
        }
        if (sb_append(&buf, chunk, n) < 0) {
            snprintf(err->message, sizeof err->message, "out of memory");
            goto done;
        }
    }
    if (ferror(f)) {
        snprintf(err->message, sizeof err->message, "read error: %s", strerror(errno));
        goto done;
    }
    fclose(f);
    f = NULL;
    rc = scn_parse_with(path, buf.data, buf.len, alloc, out, err);
done:
    if (f) {
        fclose(f);
    }
    sb_free(&buf);
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
static void
print_regex(strbuf *b, const char *re)
{
    sb_puts(b, "/");
    for (size_t i = 0; re[i]; i++) {
        if (re[i] == '\\' && re[i + 1] && re[i + 1] != '/') {
            sb_append(b, re + i, 2);
            i++;
        }
        else {
            int slash = re[i] == '/';
            sb_append(b, slash ? "\\/" : re + i, slash ? 2 : 1);
        }
    }
    sb_puts(b, "/");
}

/* " raises NAME [matching /RE/]" and the end of the keyword line. */
static void
print_raises_eol(strbuf *b, const scn_step *st)
{
    if (st->raises) {
        sb_puts(b, " raises ");
        sb_puts(b, st->raises);
        if (st->matching) {
            sb_puts(b, " matching ");
            print_regex(b, st->matching);
        }
    }
    sb_puts(b, "\n");
}

/* Code lines indented by 4 spaces; empty lines stay empty (no trailing spaces). */
static void
print_code(strbuf *b, const char *code)
{
    const char *s = code ? code : "";
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        if (n > 0) {
            sb_puts(b, "    ");
            sb_append(b, s, n);
        }
        sb_puts(b, "\n");
        s += n + (nl != NULL);
    }
}

/* One step; -1 for a kind the format does not have. */
static int
print_step(strbuf *b, const scn_step *st)
{
    sb_puts(b, scn_step_kind_name(st->kind));
    /* Only an explicit clause is written: the default one is implied. */
    if (st->clause) {
        sb_puts(b, " @");
        sb_puts(b, st->clause);
    }
    switch (st->kind) {
    case SCN_STEP_DO:
        print_raises_eol(b, st);
        print_code(b, st->code);
        return 0;
    case SCN_STEP_EXPECT:
        sb_printf(b, " %s\n", st->expr);
        for (size_t i = 0; i < st->n_outcomes; i++) {
            sb_printf(b, "    => %s\n", st->outcomes[i]);
        }
        return 0;
    case SCN_STEP_RUN:
        sb_printf(b, " %s", st->target);
        if (st->channels) {
            sb_printf(b, " channels %s", st->channels);
        }
        print_raises_eol(b, st);
        print_code(b, st->code);
        return 0;
    case SCN_STEP_THREAD:
    case SCN_STEP_BLOCKED:
    case SCN_STEP_JOIN:
        sb_printf(b, " %s", st->name);
        print_raises_eol(b, st);
        if (st->kind == SCN_STEP_THREAD) {
            print_code(b, st->code);
        }
        return 0;
    }
    return -1;
}

char *
scn_print_with(const scn_scenario *s, const scn_allocator *alloc)
{
    strbuf b;
    sb_init_with(&b, alloc);
    sb_printf(&b, "description: %s\n", s->description);
    /* Header keys in a fixed order; optional keys at their default are left out. */
    sb_puts(&b, "clauses:");
    for (size_t i = 0; i < s->n_clauses; i++) {
        sb_printf(&b, " %s", s->clauses[i]);
    }
    sb_printf(&b, "\nlevel: %s\n", scn_level_name(s->level));
    if (s->features) {
        sb_puts(&b, "features:");
        for (unsigned i = 0; i < SCN_FEATURE_COUNT; i++) {
            if (s->features & (1u << i)) {
                sb_printf(&b, " %s", feature_names[i]);
            }
        }
        sb_puts(&b, "\n");
    }
    if (s->timeout != SCN_TIMEOUT_SHORT) {
        sb_printf(&b, "timeout: %s\n", scn_timeout_name(s->timeout));
    }
    if (s->verdict != SCN_VERDICT_PASS) {
        sb_printf(&b, "verdict: %s\n", scn_verdict_name(s->verdict));
    }
    if (s->origin) {
        sb_printf(&b, "origin: %s\n", s->origin);
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < s->n_steps; i++) {
        sb_puts(&b, "\n");
        rc = print_step(&b, &s->steps[i]);
    }
    if (rc < 0) {
        sb_free(&b);
        return NULL;
    }
    return sb_finish(&b);
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
