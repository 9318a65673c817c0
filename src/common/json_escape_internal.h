/* SPDX-License-Identifier: MIT */
/*
 * Internal (hosted): the one JSON string escaper of libprepay's hosted code
 * (RFC 8259 section 7), for the tools' and the library's JSON output and
 * for messages that quote a value. It needs no JSON library, so every
 * hosted build has it (the report writer uses it without jansson); the JSON
 * reader (json_internal.h) includes it.
 */
#ifndef PREPAY_JSON_ESCAPE_INTERNAL_H
#define PREPAY_JSON_ESCAPE_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

/* How many bytes of a value or key a message quotes before "...". */
#define PREPAY__JSON_QUOTE_MAX 48

/*
 * Escapes text[0..len) as the inside of a JSON string into out (NUL-terminated,
 * cut before an escape or a UTF-8 sequence that does not fit). Quotes,
 * backslashes and control characters are escaped; bytes that are not UTF-8
 * become \ufffd. Returns the length of the whole escaped text (as snprintf
 * does: a value >= out_cap means it was cut).
 */
size_t prepay__json_escape(char *out, size_t out_cap, const char *text, size_t len);
/* Writes text as a quoted JSON string to f; returns 0, or EOF on a write error. */
int prepay__json_write_string(FILE *f, const char *text);
/* `"text"` escaped for a message, cut after PREPAY__JSON_QUOTE_MAX bytes with "..."; returns out. */
const char *prepay__json_quote(char *out, size_t out_cap, const char *text);

#endif /* PREPAY_JSON_ESCAPE_INTERNAL_H */
