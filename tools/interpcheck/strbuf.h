/*
 * strbuf.h: a growable NUL-terminated byte string, for the text the runner
 * builds (scenario JSON, reports, messages).  Allocation failure is sticky:
 * after it every append is a no-op and sb_finish() returns NULL, so callers
 * check once at the end instead of after every append.
 */
#ifndef INTERPCHECK_STRBUF_H
#define INTERPCHECK_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct {
    char *data;
    size_t len, cap;
    int failed;
} strbuf;

void sb_init(strbuf *sb);
void sb_append(strbuf *sb, const char *text, size_t len);
void sb_puts(strbuf *sb, const char *text);
void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
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
/* The text (caller frees), or NULL if an allocation failed. */
char *sb_finish(strbuf *sb);
void sb_free(strbuf *sb);

#endif /* INTERPCHECK_STRBUF_H */
