/* SPDX-License-Identifier: MIT */
/*
 * DTU registration and heartbeat packets (see prepay/dtu.h): a pattern text
 * compiled into tokens, and a single left-to-right matcher without
 * backtracking, so that bytes from an unknown peer cost a bounded amount of
 * work and never a read outside the input.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/dtu.h"

#define FORMAT_MAGIC 0x44545531u /* "DTU1" */

static bool is_printable(uint8_t b)
{
    return b >= 0x21u && b <= 0x7Eu;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static bool starts_with(const char *text, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(text, prefix, n) == 0;
}

/* Appends a token; false when the pattern is full. */
static bool push(prepay_dtu_format_t *f, uint8_t kind, uint8_t value, uint8_t min, uint8_t max)
{
    if (f->count >= PREPAY_DTU_MAX_TOKENS) {
        return false;
    }
    prepay_dtu_token_t *t = &f->tokens[f->count++];
    t->kind = kind;
    t->value = value;
    t->min = min;
    t->max = max;
    return true;
}

/* Unsigned decimal of at most 3 digits in [p, end); advances *p. */
static bool parse_small(const char **p, const char *end, unsigned *out)
{
    unsigned v = 0;
    unsigned digits = 0;
    while (*p < end && **p >= '0' && **p <= '9' && digits < 3) {
        v = v * 10u + (unsigned)(**p - '0');
        (*p)++;
        digits++;
    }
    *out = v;
    return digits > 0;
}

/* `prefix:TEXT`: literal bytes (with \xHH and \\ escapes), then a text id of 1..32. */
static int parse_prefix(const char *p, const char *end, prepay_dtu_format_t *f)
{
    while (p < end) {
        uint8_t byte = (uint8_t)*p++;
        if (byte == '\\') {
            if (p < end && *p == '\\') {
                p++;
            } else if (end - p >= 3 && p[0] == 'x' && hex_value(p[1]) >= 0 && hex_value(p[2]) >= 0) {
                byte = (uint8_t)(hex_value(p[1]) * 16 + hex_value(p[2]));
                p += 3;
            } else {
                return PREPAY_E_TRANSPORT_BAD_FORMAT;
            }
        }
        if (!push(f, PREPAY_DTU_TOKEN_LITERAL, byte, 0, 0)) {
            return PREPAY_E_TRANSPORT_BAD_FORMAT;
        }
    }
    if (f->count == 0 || !push(f, PREPAY_DTU_TOKEN_ID_TEXT, 0, 1, (uint8_t)PREPAY_DTU_ID_MAX)) {
        return PREPAY_E_TRANSPORT_BAD_FORMAT;
    }
    f->has_id = 1;
    return PREPAY_OK;
}

/* `{id:N}`, `{id:N-M}`, `{idhex:N}` starting at p (just after '{'), token ending at end. */
static int parse_id_token(const char *p, const char *end, prepay_dtu_format_t *f)
{
    bool hex = false;
    if (end - p >= 6 && memcmp(p, "idhex:", 6) == 0) {
        hex = true;
        p += 6;
    } else if (end - p >= 3 && memcmp(p, "id:", 3) == 0) {
        p += 3;
    } else {
        return PREPAY_E_TRANSPORT_BAD_FORMAT;
    }
    unsigned min, max;
    if (!parse_small(&p, end, &min)) {
        return PREPAY_E_TRANSPORT_BAD_FORMAT;
    }
    max = min;
    if (p < end && *p == '-' && !hex) {
        p++;
        if (!parse_small(&p, end, &max)) {
            return PREPAY_E_TRANSPORT_BAD_FORMAT;
        }
    }
    if (p + 1 != end || *p != '}' || min < 1 || max < min || max > PREPAY_DTU_ID_MAX || f->has_id) {
        return PREPAY_E_TRANSPORT_BAD_FORMAT;
    }
    f->has_id = 1;
    return push(f, hex ? PREPAY_DTU_TOKEN_ID_HEX : PREPAY_DTU_TOKEN_ID_TEXT, 0, (uint8_t)min, (uint8_t)max)
               ? PREPAY_OK
               : PREPAY_E_TRANSPORT_BAD_FORMAT;
}

/* `pattern:TOKENS`. */
static int parse_pattern(const char *p, const char *end, prepay_dtu_format_t *f)
{
    while (p < end) {
        if (*p == ' ') {
            p++;
            continue;
        }
        const char *start = p;
        while (p < end && *p != ' ') {
            p++;
        }
        size_t len = (size_t)(p - start);
        int status = PREPAY_OK;
        if (len == 2 && start[0] == '?' && start[1] == '?') {
            status = push(f, PREPAY_DTU_TOKEN_ANY, 0, 0, 0) ? PREPAY_OK : PREPAY_E_TRANSPORT_BAD_FORMAT;
        } else if (len == 2 && hex_value(start[0]) >= 0 && hex_value(start[1]) >= 0) {
            uint8_t byte = (uint8_t)(hex_value(start[0]) * 16 + hex_value(start[1]));
            status = push(f, PREPAY_DTU_TOKEN_LITERAL, byte, 0, 0) ? PREPAY_OK : PREPAY_E_TRANSPORT_BAD_FORMAT;
        } else if (len >= 3 && start[0] == '\'' && start[len - 1] == '\'') {
            for (size_t i = 1; i + 1 < len && status == PREPAY_OK; i++) {
                if (start[i] == '\'') {
                    status = PREPAY_E_TRANSPORT_BAD_FORMAT;
                } else if (!push(f, PREPAY_DTU_TOKEN_LITERAL, (uint8_t)start[i], 0, 0)) {
                    status = PREPAY_E_TRANSPORT_BAD_FORMAT;
                }
            }
        } else if (len >= 2 && start[0] == '{') {
            status = parse_id_token(start + 1, p, f);
        } else {
            status = PREPAY_E_TRANSPORT_BAD_FORMAT;
        }
        if (status != PREPAY_OK) {
            return status;
        }
    }
    if (f->count == 0) {
        return PREPAY_E_TRANSPORT_BAD_FORMAT;
    }
    /* A variable-length id ends at the next literal byte, or ends the pattern. */
    for (unsigned i = 0; i < f->count; i++) {
        const prepay_dtu_token_t *t = &f->tokens[i];
        if (t->kind == PREPAY_DTU_TOKEN_ID_TEXT && t->min != t->max && i + 1u < f->count &&
            f->tokens[i + 1u].kind != PREPAY_DTU_TOKEN_LITERAL) {
            return PREPAY_E_TRANSPORT_BAD_FORMAT;
        }
    }
    return PREPAY_OK;
}

int prepay_dtu_format_parse(const char *text, size_t text_len, prepay_dtu_format_t *out)
{
    if (!text || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_dtu_format_t f;
    memset(&f, 0, sizeof f);
    const char *end = text + text_len;
    int status;
    if (starts_with(text, text_len, "prefix:")) {
        status = parse_prefix(text + 7, end, &f);
    } else if (starts_with(text, text_len, "pattern:")) {
        status = parse_pattern(text + 8, end, &f);
    } else {
        status = PREPAY_E_TRANSPORT_BAD_FORMAT;
    }
    if (status != PREPAY_OK) {
        return status;
    }
    f.magic = FORMAT_MAGIC;
    *out = f;
    return PREPAY_OK;
}

bool prepay_dtu_format_has_id(const prepay_dtu_format_t *format)
{
    return format != NULL && format->magic == FORMAT_MAGIC && format->has_id != 0;
}

static void put_hex(char *out, uint8_t byte)
{
    static const char digits[] = "0123456789ABCDEF";
    out[0] = digits[byte >> 4];
    out[1] = digits[byte & 0x0Fu];
}

int prepay_dtu_match(const prepay_dtu_format_t *format, const uint8_t *in, size_t in_len, bool complete,
                     prepay_dtu_packet_t *out)
{
    if (!format || (!in && in_len > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (format->magic != FORMAT_MAGIC || format->count == 0 || format->count > PREPAY_DTU_MAX_TOKENS) {
        return PREPAY_E_BAD_STATE;
    }
    size_t pos = 0;
    size_t id_start = 0;
    size_t id_len = 0;
    bool id_hex = false;
    for (unsigned i = 0; i < format->count; i++) {
        const prepay_dtu_token_t *t = &format->tokens[i];
        switch (t->kind) {
        case PREPAY_DTU_TOKEN_LITERAL:
            if (pos == in_len) {
                return complete ? PREPAY_E_TRANSPORT_NO_MATCH : 0;
            }
            if (in[pos] != t->value) {
                return PREPAY_E_TRANSPORT_NO_MATCH;
            }
            pos++;
            break;
        case PREPAY_DTU_TOKEN_ANY:
            if (pos == in_len) {
                return complete ? PREPAY_E_TRANSPORT_NO_MATCH : 0;
            }
            pos++;
            break;
        case PREPAY_DTU_TOKEN_ID_HEX:
            if (in_len - pos < t->min) {
                return complete ? PREPAY_E_TRANSPORT_NO_MATCH : 0;
            }
            id_start = pos;
            id_len = t->min;
            id_hex = true;
            pos += t->min;
            break;
        case PREPAY_DTU_TOKEN_ID_TEXT: {
            bool last = i + 1u == format->count;
            bool has_terminator = !last && format->tokens[i + 1u].kind == PREPAY_DTU_TOKEN_LITERAL;
            uint8_t terminator = has_terminator ? format->tokens[i + 1u].value : 0;
            size_t n = 0;
            id_start = pos;
            while (n < t->max && pos + n < in_len && is_printable(in[pos + n]) &&
                   !(has_terminator && t->min != t->max && in[pos + n] == terminator)) {
                n++;
            }
            bool stopped_by_input = pos + n == in_len && n < t->max;
            if (stopped_by_input && !complete) {
                return 0; /* more id bytes may come */
            }
            if (n < t->min) {
                return PREPAY_E_TRANSPORT_NO_MATCH;
            }
            id_len = n;
            id_hex = false;
            pos += n;
            break;
        }
        default:
            return PREPAY_E_BAD_STATE;
        }
    }
    if (out) {
        memset(out, 0, sizeof *out);
        out->length = pos;
        out->id_length = (uint8_t)id_len;
        out->id_hex = id_hex;
        for (size_t k = 0; k < id_len; k++) {
            if (id_hex) {
                put_hex(&out->id[2u * k], in[id_start + k]);
            } else {
                out->id[k] = (char)in[id_start + k];
            }
        }
    }
    return pos > 0 ? (int)pos : PREPAY_E_TRANSPORT_NO_MATCH;
}
