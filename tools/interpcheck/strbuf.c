/*
 * strbuf.c: the growable string (see strbuf.h).
 */
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
sb_init(strbuf *sb)
{
    sb->data = NULL;
    sb->len = sb->cap = 0;
    sb->failed = 0;
}

static int
reserve(strbuf *sb, size_t extra)
{
    if (sb->failed) {
        return -1;
    }
    if (sb->len + extra + 1 <= sb->cap) {
        return 0;
    }
    size_t cap = sb->cap ? sb->cap : 256;
    while (cap < sb->len + extra + 1) {
        cap *= 2;
    }
    char *grown = realloc(sb->data, cap);
    if (grown == NULL) {
        sb->failed = 1;
        return -1;
    }
    sb->data = grown;
    sb->cap = cap;
    return 0;
}

void
sb_append(strbuf *sb, const char *text, size_t len)
{
    if (reserve(sb, len) == 0) {
        memcpy(sb->data + sb->len, text, len);
        sb->len += len;
        sb->data[sb->len] = '\0';
    }
}

void
sb_puts(strbuf *sb, const char *text)
{
    sb_append(sb, text, strlen(text));
}

void
sb_printf(strbuf *sb, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int needed = vsnprintf(NULL, 0, fmt, args);
    va_end(args);
    if (needed < 0 || reserve(sb, (size_t)needed) < 0) {
        sb->failed = 1;
        return;
    }
    va_start(args, fmt);
    vsnprintf(sb->data + sb->len, (size_t)needed + 1, fmt, args);
    va_end(args);
    sb->len += (size_t)needed;
}

/*
 * Reports carry whatever an implementation printed, so their text is not
 * trusted to be UTF-8.  utf8_next() decodes one well-formed sequence
 * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF) and
 * returns its length, or 0 for a byte that starts no such sequence; the
 * writers below then put U+FFFD in its place, so that a JSON or XML parser
 * never sees an invalid byte.
 */
static size_t
utf8_next(const unsigned char *p, unsigned long *code_point)
{
    size_t len;
    unsigned long cp, min;
    if (p[0] < 0x80) {
        *code_point = p[0];
        return 1;
    }
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        len = 2, cp = p[0] & 0x1Fu, min = 0x80;
    }
    else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        len = 3, cp = p[0] & 0x0Fu, min = 0x800;
    }
    else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        len = 4, cp = p[0] & 0x07u, min = 0x10000;
    }
    else {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        /* The NUL terminator is not a continuation byte, so this never
         * reads past the end of the string. */
        if ((p[i] & 0xC0u) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    *code_point = cp;
    return len;
}

static const char replacement_character[] = "\xEF\xBF\xBD"; /* U+FFFD in UTF-8 */

void
sb_json_string(strbuf *sb, const char *text)
{
    sb_puts(sb, "\"");
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        unsigned long cp;
        size_t len = utf8_next(p, &cp);
        if (len == 0) {
            sb_puts(sb, "\\ufffd");
            p++;
            continue;
        }
        switch (cp) {
        case '"':
            sb_puts(sb, "\\\"");
            break;
        case '\\':
            sb_puts(sb, "\\\\");
            break;
        case '\n':
            sb_puts(sb, "\\n");
            break;
        case '\r':
            sb_puts(sb, "\\r");
            break;
        case '\t':
            sb_puts(sb, "\\t");
            break;
        default:
            /* Control characters, DEL and the C1 range are escaped so that a
             * JSON line stays one printable line. */
            if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
                sb_printf(sb, "\\u%04lx", cp);
            }
            else {
                sb_append(sb, (const char *)p, len);
            }
        }
        p += len;
    }
    sb_puts(sb, "\"");
}

/*
 * In an attribute value an XML parser turns a literal newline or tab into a
 * space (attribute-value normalisation), so there they are written as
 * character references, which it keeps.
 */
static void
xml_escaped(strbuf *sb, const char *text, int attribute)
{
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        unsigned long cp;
        size_t len = utf8_next(p, &cp);
        if (len == 0) {
            sb_puts(sb, replacement_character);
            p++;
            continue;
        }
        switch (cp) {
        case '&':
            sb_puts(sb, "&amp;");
            break;
        case '<':
            sb_puts(sb, "&lt;");
            break;
        case '>':
            sb_puts(sb, "&gt;");
            break;
        case '"':
            sb_puts(sb, "&quot;");
            break;
        case '\'':
            sb_puts(sb, "&apos;");
            break;
        case '\n':
        case '\t':
            if (attribute) {
                sb_printf(sb, "&#%lu;", cp);
            }
            else {
                sb_append(sb, (const char *)p, len);
            }
            break;
        case '\r':
            /* A literal CR would be folded into a newline by the parser. */
            sb_puts(sb, "&#13;");
            break;
        default:
            /* XML 1.0 (section 2.2) forbids the other control characters and
             * U+FFFE/U+FFFF even as character references. */
            if (cp < 0x20 || cp == 0xFFFE || cp == 0xFFFF) {
                sb_puts(sb, replacement_character);
            }
            else {
                sb_append(sb, (const char *)p, len);
            }
        }
        p += len;
    }
}

void
sb_terminal_text(strbuf *sb, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        unsigned long cp;
        size_t len = utf8_next(p, &cp);
        if (len == 0) {
            sb_puts(sb, replacement_character);
            p++;
            continue;
        }
        /* An escape sequence from a scenario must not drive the terminal
         * that reads the report (colours, cursor moves, window titles). */
        if ((cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7F && cp <= 0x9F)) {
            sb_printf(sb, "\\x%02lx", cp);
        }
        else {
            sb_append(sb, (const char *)p, len);
        }
        p += len;
    }
}

void
sb_xml_text(strbuf *sb, const char *text)
{
    xml_escaped(sb, text, 0);
}

void
sb_xml_attr(strbuf *sb, const char *text)
{
    xml_escaped(sb, text, 1);
}

char *
sb_finish(strbuf *sb)
{
    if (sb->failed) {
        sb_free(sb);
        return NULL;
    }
    if (sb->data == NULL) {
        reserve(sb, 0);
        if (sb->failed) {
            return NULL;
        }
        sb->data[0] = '\0';
    }
    char *text = sb->data;
    sb_init(sb);
    return text;
}

void
sb_free(strbuf *sb)
{
    free(sb->data);
    sb_init(sb);
}
