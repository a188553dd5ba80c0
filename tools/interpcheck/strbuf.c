/*
 * strbuf.c: the growable string (see strbuf.h).  No state of its own; the
 * text belongs to the strbuf and is allocated with its allocator.
 */
#include "strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

void
sb_init_with(strbuf *sb, const ic_allocator *alloc)
{
    sb->data = NULL;
    sb->len = sb->cap = 0;
    sb->failed = 0;
    sb->alloc = alloc ? alloc : &ic_std_allocator;
}

void
sb_init(strbuf *sb)
{
    sb_init_with(sb, NULL);
}

/* Room for `extra` more bytes and the NUL: 0, or -1 (sticky). */
static int
reserve(strbuf *sb, size_t extra)
{
    if (sb->failed || extra > SIZE_MAX - sb->len - 1) {
        sb->failed = 1;
        return -1;
    }
    if (sb->len + extra + 1 <= sb->cap) {
        return 0;
    }
    size_t cap = sb->cap ? sb->cap : 256;
    while (cap < sb->len + extra + 1) {
        if (cap > SIZE_MAX / 2) {
            sb->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    char *fresh = ic_malloc(sb->alloc, cap);
    if (fresh == NULL) {
        sb->failed = 1;
        return -1;
    }
    if (sb->data != NULL) {
        memcpy(fresh, sb->data, sb->len);
    }
    fresh[sb->len] = '\0';
    ic_free(sb->alloc, sb->data);
    sb->data = fresh;
    sb->cap = cap;
    return 0;
}

int
sb_append(strbuf *sb, const char *text, size_t len)
{
    if (reserve(sb, len) < 0) {
        return -1;
    }
    if (len > 0) {
        memcpy(sb->data + sb->len, text, len);
    }
    sb->len += len;
    sb->data[sb->len] = '\0';
    return 0;
}

int
sb_puts(strbuf *sb, const char *text)
{
    return sb_append(sb, text, text ? strlen(text) : 0);
}

int
sb_printf(strbuf *sb, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int needed = vsnprintf(NULL, 0, fmt, args);
    va_end(args);
    if (needed < 0 || reserve(sb, (size_t)needed) < 0) {
        sb->failed = 1;
        return -1;
    }
    va_start(args, fmt);
    vsnprintf(sb->data + sb->len, (size_t)needed + 1, fmt, args);
    va_end(args);
    sb->len += (size_t)needed;
    return 0;
}

size_t
sb_utf8_char(const char *text, size_t n, unsigned long *code_point)
{
    const unsigned char *p = (const unsigned char *)text;
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
        /* A NUL terminator is not a continuation byte, so this never reads
         * past the end of a string. */
        if (i >= n || (p[i] & 0xC0u) != 0x80) {
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

/*
 * Reports carry whatever an implementation printed, so their text is not
 * trusted to be UTF-8: the writers below put U+FFFD in place of a byte
 * that starts no well-formed sequence, so that a JSON or XML parser never
 * sees an invalid byte.
 */
static const char replacement_character[] = "\xEF\xBF\xBD"; /* U+FFFD in UTF-8 */

/* How one text format writes characters. */
enum { TEXT_JSON, TEXT_XML, TEXT_XML_ATTR, TEXT_TERMINAL };

typedef struct {
    unsigned long cp;
    const char *text;
} escape;

/* JSON: the escapes of RFC 8259 that have a short form. */
static const escape json_escapes[] = {{'"', "\\\""}, {'\\', "\\\\"}, {'\n', "\\n"},
                                      {'\r', "\\r"}, {'\t', "\\t"},  {0, NULL}};

/* XML: the five entities, and CR, which a parser would fold into a newline.
 * In an attribute value a parser also turns a literal newline or tab into a
 * space (attribute-value normalisation), so there they are character
 * references, which it keeps. */
static const escape xml_escapes[] = {{'&', "&amp;"},  {'<', "&lt;"},    {'>', "&gt;"},
                                     {'"', "&quot;"}, {'\'', "&apos;"}, {'\r', "&#13;"},
                                     {0, NULL}};
static const escape xml_attr_escapes[] = {{'\n', "&#10;"}, {'\t', "&#9;"}, {0, NULL}};

static const char *
escaped(const escape *table, unsigned long cp)
{
    for (; table->text != NULL; table++) {
        if (table->cp == cp) {
            return table->text;
        }
    }
    return NULL;
}

/* One well-formed character `cp` (bytes p[0..len)) in format `how`. */
static void
put_char(strbuf *sb, int how, unsigned long cp, const unsigned char *p, size_t len)
{
    const char *text = how == TEXT_JSON       ? escaped(json_escapes, cp)
                       : how == TEXT_TERMINAL ? NULL
                                              : escaped(xml_escapes, cp);
    if (text == NULL && how == TEXT_XML_ATTR) {
        text = escaped(xml_attr_escapes, cp);
    }
    int c0 = cp < 0x20 && cp != '\n' && cp != '\t', c1 = cp >= 0x7F && cp <= 0x9F;
    if (text != NULL) {
        sb_puts(sb, text);
    }
    else if (how == TEXT_JSON && (cp < 0x20 || c1)) {
        /* Control characters, DEL and the C1 range are escaped so that a
         * JSON line stays one printable line. */
        sb_printf(sb, "\\u%04lx", cp);
    }
    else if (how == TEXT_TERMINAL && (c0 || c1)) {
        /* An escape sequence from a scenario must not drive the terminal
         * that reads the report (colours, cursor moves, window titles). */
        sb_printf(sb, "\\x%02lx", cp);
    }
    else if ((how == TEXT_XML || how == TEXT_XML_ATTR) && (c0 || cp == 0xFFFE || cp == 0xFFFF)) {
        /* XML 1.0 (section 2.2) forbids the other control characters and
         * U+FFFE/U+FFFF even as character references. */
        sb_puts(sb, replacement_character);
    }
    else {
        sb_append(sb, (const char *)p, len);
    }
}

/* `text` in format `how`; a byte that starts no well-formed sequence is U+FFFD. */
static void
put_text(strbuf *sb, int how, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        unsigned long cp;
        size_t len = sb_utf8_char((const char *)p, (size_t)-1, &cp);
        if (len == 0) {
            sb_puts(sb, how == TEXT_JSON ? "\\ufffd" : replacement_character);
            p++;
            continue;
        }
        put_char(sb, how, cp, p, len);
        p += len;
    }
}

void
sb_json_string(strbuf *sb, const char *text)
{
    sb_puts(sb, "\"");
    put_text(sb, TEXT_JSON, text);
    sb_puts(sb, "\"");
}

void
sb_terminal_text(strbuf *sb, const char *text)
{
    put_text(sb, TEXT_TERMINAL, text);
}

void
sb_xml_text(strbuf *sb, const char *text)
{
    put_text(sb, TEXT_XML, text);
}

void
sb_xml_attr(strbuf *sb, const char *text)
{
    put_text(sb, TEXT_XML_ATTR, text);
}

void
sb_shell_word(strbuf *sb, const char *word)
{
    if (word[0] != '\0' && strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                        "0123456789_@%+=:,./-") == strlen(word)) {
        sb_puts(sb, word);
        return;
    }
    sb_puts(sb, "'");
    for (const char *p = word; *p; p++) {
        int quote = *p == '\'';
        sb_append(sb, quote ? "'\\''" : p, quote ? 4 : 1);
    }
    sb_puts(sb, "'");
}

char *
sb_finish(strbuf *sb)
{
    if (sb->data == NULL) {
        reserve(sb, 0);
    }
    if (sb->failed) {
        sb_free(sb);
        return NULL;
    }
    char *text = sb->data;
    sb_init_with(sb, sb->alloc);
    return text;
}

void
sb_free(strbuf *sb)
{
    ic_free(sb->alloc, sb->data);
    sb_init_with(sb, sb->alloc);
}
