/* SPDX-License-Identifier: MIT */
/*
 * Decode a capture: DL/T 645-2007 reply frames, written as hex text the way a
 * serial sniffer or a DTU log shows them, turned into named values with units.
 *
 *   decode_capture data/capture.hex
 *
 * Every line's bytes go through one stream parser (prepay_dlt645_stream_*),
 * so frames split over lines, FE preambles and line noise are handled exactly
 * as bytes off a wire. Read replies are decoded through the data-identifier
 * catalogue (prepay_dlt645_block_decode): a block DI such as 0001FF00 gives
 * one value per item. Build against an installed library:
 *   cc decode_capture.c $(pkg-config --cflags --libs prepay) -o decode_capture
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <prepay/prepay.h>

/* Hex pairs of one text line into bytes; '#' starts a comment. Returns the count. */
static size_t hex_line(const char *line, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int high = -1;
    for (const char *p = line; *p != '\0' && *p != '#' && n < cap; p++) {
        if (!isxdigit((unsigned char)*p)) {
            continue;
        }
        int digit = isdigit((unsigned char)*p) ? *p - '0' : tolower((unsigned char)*p) - 'a' + 10;
        if (high < 0) {
            high = digit;
        } else {
            out[n++] = (uint8_t)(high * 16 + digit);
            high = -1;
        }
    }
    return n;
}

static void print_frame(const prepay_dlt645_frame_t *frame)
{
    char address[13];
    if (prepay_dlt645_address_to_string(&frame->address, address, sizeof address) < 0) {
        strcpy(address, "?");
    }
    if (frame->abnormal) {
        printf("meter %s: abnormal reply, error byte 0x%02X\n", address, (unsigned)frame->error);
        return;
    }
    if (!frame->is_reply || frame->di_size != 4) {
        printf("meter %s: function %02X, %u data bytes (not a read reply)\n", address, (unsigned)frame->function,
               (unsigned)frame->length);
        return;
    }
    static prepay_dlt645_value_t items[16];
    int count = prepay_dlt645_block_decode(frame->di, frame->data + frame->di_size,
                                           (size_t)(frame->length - frame->di_size), items, 16);
    if (count < 0) {
        printf("meter %s: DI %08lX: %s\n", address, (unsigned long)frame->di, prepay_strerror(count));
        return;
    }
    printf("meter %s: DI %08lX\n", address, (unsigned long)frame->di);
    for (int i = 0; i < count; i++) {
        char name[PREPAY_DLT645_NAME_MAX];
        char text[PREPAY_DLT645_VALUE_TEXT_MAX];
        if (prepay_dlt645_item_name(items[i].di, name, sizeof name) < 0) {
            snprintf(name, sizeof name, "%s", items[i].name);
        }
        if (prepay_dlt645_value_format(&items[i], text, sizeof text) < 0) {
            strcpy(text, "?");
        }
        printf("  %08lX %s = %s %s\n", (unsigned long)items[i].di, name, text, prepay_dlt645_unit_symbol(items[i].unit));
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: decode_capture CAPTURE.hex\n");
        return 2;
    }
    FILE *in = fopen(argv[1], "r");
    if (in == NULL) {
        perror(argv[1]);
        return 1;
    }
    static prepay_dlt645_stream_t stream; /* holds up to two frames of bytes: keep it off the stack */
    prepay_dlt645_frame_t frame;
    if (prepay_dlt645_stream_init(&stream, PREPAY_DLT645_EDITION_AUTO) != PREPAY_OK) {
        fclose(in);
        return 1;
    }
    char line[1024];
    uint8_t bytes[512];
    while (fgets(line, sizeof line, in) != NULL) {
        size_t len = hex_line(line, bytes, sizeof bytes);
        size_t used = 0;
        while (used < len) {
            int taken = prepay_dlt645_stream_feed(&stream, bytes + used, len - used);
            if (taken < 0) {
                fprintf(stderr, "decode_capture: %s\n", prepay_strerror(taken));
                fclose(in);
                return 1;
            }
            used += (size_t)taken;
            while (prepay_dlt645_stream_next(&stream, &frame) == 1) {
                print_frame(&frame);
            }
        }
    }
    fclose(in);
    prepay_dlt645_stream_stats_t stats;
    (void)prepay_dlt645_stream_stats(&stream, &stats);
    printf("%llu frames, %llu bytes, %llu dropped\n", (unsigned long long)stats.frames,
           (unsigned long long)stats.bytes_in, (unsigned long long)stats.bytes_dropped);
    return 0;
}
