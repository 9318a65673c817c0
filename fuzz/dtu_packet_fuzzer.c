/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: DTU registration/heartbeat patterns (prepay/dtu.h). The
 * pattern text comes from a station's configuration, the packet bytes from
 * any peer that connects to the station's port (untrusted, before the DTU
 * is known). Input: byte 0 = length of the pattern text (mod what is left),
 * then the text, then the received bytes. Checks: a match never claims more
 * than the input; the id is printable (or hex digits) and NUL-terminated;
 * `complete` only turns "more" into an answer; a match is stable when bytes
 * are appended; and a prefix of a matched packet never fails to match.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/dtu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_packet(const prepay_dtu_packet_t *p, int got, size_t in_len)
{
    if (got <= 0 || (size_t)got != p->length || p->length > in_len) {
        abort();
    }
    size_t len = 0;
    while (len < sizeof p->id && p->id[len] != '\0') {
        len++;
    }
    if (len == sizeof p->id || p->id_length > PREPAY_DTU_ID_MAX) {
        abort();
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p->id[i];
        bool ok = p->id_hex ? ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')) : (c >= 0x21 && c <= 0x7E);
        if (!ok) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    size_t text_len = data[0];
    if (text_len > size - 1) {
        text_len = size - 1;
    }
    const char *text = (const char *)data + 1;
    const uint8_t *in = data + 1 + text_len;
    size_t in_len = size - 1 - text_len;
    prepay_dtu_format_t format;
    if (prepay_dtu_format_parse(text, text_len, &format) != PREPAY_OK) {
        return 0;
    }
    /* Copy the bytes to an exact heap buffer so any overread is caught. */
    uint8_t *bytes = malloc(in_len > 0 ? in_len : 1);
    if (!bytes) {
        return 0;
    }
    if (in_len > 0) {
        memcpy(bytes, in, in_len);
    }
    prepay_dtu_packet_t open_p, closed_p;
    int open = prepay_dtu_match(&format, bytes, in_len, false, &open_p);
    int closed = prepay_dtu_match(&format, bytes, in_len, true, &closed_p);
    if (closed == 0 || (open < 0 && open != PREPAY_E_TRANSPORT_NO_MATCH) ||
        (closed < 0 && closed != PREPAY_E_TRANSPORT_NO_MATCH)) {
        abort();
    }
    if (open > 0) {
        check_packet(&open_p, open, in_len);
        /* Nothing more can change an answer given without the end. */
        if (closed != open || memcmp(open_p.id, closed_p.id, sizeof open_p.id) != 0) {
            abort();
        }
    }
    if (open < 0 && closed >= 0) {
        abort(); /* "not such a packet" must not become a packet because the end is known */
    }
    if (closed > 0) {
        check_packet(&closed_p, closed, in_len);
        /* The matched bytes alone, declared complete, are the same packet. */
        prepay_dtu_packet_t again;
        if (prepay_dtu_match(&format, bytes, closed_p.length, true, &again) != closed ||
            memcmp(again.id, closed_p.id, sizeof again.id) != 0) {
            abort();
        }
    }
    free(bytes);
    return 0;
}
