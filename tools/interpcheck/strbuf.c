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

void
sb_json_string(strbuf *sb, const char *text)
{
    sb_puts(sb, "\"");
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        switch (*p) {
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
            if (*p < 0x20) {
                sb_printf(sb, "\\u%04x", *p);
            }
            else {
                sb_append(sb, (const char *)p, 1);
            }
        }
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
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        switch (*p) {
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
                sb_printf(sb, "&#%d;", *p);
            }
            else {
                sb_append(sb, (const char *)p, 1);
            }
            break;
        default:
            /* XML 1.0 forbids most control characters even escaped. */
            if (*p < 0x20) {
                sb_puts(sb, "?");
            }
            else {
                sb_append(sb, (const char *)p, 1);
            }
        }
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
