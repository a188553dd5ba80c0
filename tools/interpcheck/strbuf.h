/*
 * strbuf.h: the runner's one growable NUL-terminated byte string, for the
 * text it builds (scenario code and canonical form, scenario JSON, reports,
 * messages).  Every allocation goes through the ic_allocator given to
 * sb_init_with() (sb_init(): malloc and free), so the scenario parser's
 * buffers fail where a test makes them fail.  Allocation failure is sticky:
 * after it every append is a no-op (returning -1) and sb_finish() returns
 * NULL, so callers may check once at the end instead of after every append.
 */
#ifndef INTERPCHECK_STRBUF_H
#define INTERPCHECK_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "allocator.h"

typedef struct {
    char *data; /* NULL until the first append */
    size_t len, cap;
    int failed;
    const ic_allocator *alloc; /* never NULL after sb_init*() */
} strbuf;

/* An empty string allocated with malloc and free. */
void sb_init(strbuf *sb);
/* An empty string allocated with `alloc` (NULL: malloc and free), which
 * must outlive it. */
void sb_init_with(strbuf *sb, const ic_allocator *alloc);
/* Appenders: 0, or -1 once an allocation has failed (sticky). `text` may be
 * NULL when len is 0; every appender allocates the buffer if it has none. */
int sb_append(strbuf *sb, const char *text, size_t len);
int sb_puts(strbuf *sb, const char *text); /* NULL: nothing */
int sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The length of the well-formed UTF-8 sequence at text[0..n) (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), its code point in
 * *code_point; 0 if there is none.  n may be (size_t)-1 for a NUL-terminated
 * string. */
size_t sb_utf8_char(const char *text, size_t n, unsigned long *code_point);
/* JSON string literal, quotes included; control characters are escaped and
 * bytes that are not well-formed UTF-8 become U+FFFD. */
void sb_json_string(strbuf *sb, const char *text);
/* Text for a terminal or a plain-text report: bytes that are not
 * well-formed UTF-8 become U+FFFD, control characters other than newline
 * and tab (and the C1 range) are written as \xNN. */
void sb_terminal_text(strbuf *sb, const char *text);
/* XML character data (escapes & < > " ' and CR; bytes that are not
 * well-formed UTF-8 and characters XML 1.0 forbids, such as control
 * characters other than newline and tab, become U+FFFD). */
void sb_xml_text(strbuf *sb, const char *text);
/* The same for an attribute value, where newline and tab are escaped too. */
void sb_xml_attr(strbuf *sb, const char *text);
/* `word` for a POSIX shell: as it is when that is safe, else in single quotes. */
void sb_shell_word(strbuf *sb, const char *word);
/* The text (the caller frees it with the string's allocator: free() after
 * sb_init()), or NULL if an allocation failed; the string is empty again
 * and keeps its allocator. */
char *sb_finish(strbuf *sb);
/* Free the text; the string is empty again and keeps its allocator. */
void sb_free(strbuf *sb);

#endif /* INTERPCHECK_STRBUF_H */
