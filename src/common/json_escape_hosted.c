/* SPDX-License-Identifier: MIT */
/*
 * Hosted: the one JSON string escaper (RFC 8259 section 7), for messages
 * that quote a value and for the tools' JSON output.
 *
 * `"` and `\` are escaped, control characters become \b \f \n \r \t or
 * \u00XX, DEL becomes \u007f, valid UTF-8 passes through, and any byte that
 * does not start a valid UTF-8 sequence (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF) becomes \ufffd, so the output is
 * always valid JSON whatever the input bytes.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "json_escape_internal.h"

/* Length of the valid UTF-8 sequence at p (2..4), or 0. */
static size_t utf8_length(const unsigned char *p, size_t left)
{
    size_t n = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : 2;
    if (p[0] < 0xC2 || p[0] > 0xF4 || n > left) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0u) != 0x80u) {
            return 0;
        }
    }
    /* Overlong three- and four-byte forms, UTF-16 surrogates, beyond U+10FFFF. */
    if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0) || (p[0] == 0xF0 && p[1] < 0x90) ||
        (p[0] == 0xF4 && p[1] >= 0x90)) {
        return 0;
    }
    return n;
}

/* The escaped form of the character at p into piece (at most 6 bytes); *used gets the bytes consumed. */
static size_t next_piece(const unsigned char *p, size_t left, char piece[8], size_t *used)
{
    static const char hex[] = "0123456789abcdef";
    *used = 1;
    switch (p[0]) {
    case '"': memcpy(piece, "\\\"", 2); return 2;
    case '\\': memcpy(piece, "\\\\", 2); return 2;
    case '\b': memcpy(piece, "\\b", 2); return 2;
    case '\f': memcpy(piece, "\\f", 2); return 2;
    case '\n': memcpy(piece, "\\n", 2); return 2;
    case '\r': memcpy(piece, "\\r", 2); return 2;
    case '\t': memcpy(piece, "\\t", 2); return 2;
    default: break;
    }
    if (p[0] < 0x20 || p[0] == 0x7F) {
        memcpy(piece, "\\u00", 4);
        piece[4] = hex[p[0] >> 4];
        piece[5] = hex[p[0] & 0xFu];
        return 6;
    }
    if (p[0] < 0x80) {
        piece[0] = (char)p[0];
        return 1;
    }
    size_t n = utf8_length(p, left);
    if (n == 0) {
        memcpy(piece, "\\ufffd", 6);
        return 6;
    }
    memcpy(piece, p, n);
    *used = n;
    return n;
}

size_t prepay__json_escape(char *out, size_t out_cap, const char *text, size_t len)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t total = 0;
    bool full = out_cap == 0;
    for (size_t i = 0; i < len;) {
        char piece[8];
        size_t used = 0;
        size_t n = next_piece(p + i, len - i, piece, &used);
        if (!full && total + n < out_cap) {
            memcpy(out + total, piece, n);
        } else if (!full) {
            out[total] = '\0';
            full = true;
        }
        total += n;
        i += used;
    }
    if (!full) {
        out[total] = '\0';
    }
    return total;
}

int prepay__json_write_string(FILE *f, const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t len = strlen(text);
    int status = fputc('"', f) == EOF ? EOF : 0;
    for (size_t i = 0; i < len && status == 0;) {
        char piece[8];
        size_t used = 0;
        size_t n = next_piece(p + i, len - i, piece, &used);
        status = fwrite(piece, 1, n, f) == n ? 0 : EOF;
        i += used;
    }
    if (status == 0 && fputc('"', f) == EOF) {
        status = EOF;
    }
    return status;
}

const char *prepay__json_quote(char *out, size_t out_cap, const char *text)
{
    char inside[PREPAY__JSON_QUOTE_MAX + 1];
    size_t total = prepay__json_escape(inside, sizeof inside, text, strlen(text));
    snprintf(out, out_cap, "\"%s%s\"", inside, total >= sizeof inside ? "..." : "");
    return out;
}
