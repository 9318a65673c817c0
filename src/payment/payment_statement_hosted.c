/* SPDX-License-Identifier: MIT */
/* Hosted: reads a channel statement CSV file and parses it (prepay_payment_statement_parse()). */
#include <stdio.h>
#include <stdlib.h>

#include "prepay/hosted_status.h"
#include "prepay/payment.h"
#include "prepay/payment_hosted.h"

int prepay_payment_statement_load(const char *path, prepay_payment_statement_record_t *records, size_t cap,
                                  size_t *count, uint32_t *error_line)
{
    if (path == NULL || count == NULL || (records == NULL && cap > 0u)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    *count = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return PREPAY_E_HOSTED_IO;
    }
    size_t len = 0;
    size_t buf_cap = 4096;
    char *buf = malloc(buf_cap);
    int status = buf == NULL ? PREPAY_E_HOSTED_NO_MEMORY : PREPAY_OK;
    while (status == PREPAY_OK) {
        if (len == buf_cap) {
            char *bigger = buf_cap <= SIZE_MAX / 2u ? realloc(buf, buf_cap * 2u) : NULL;
            if (bigger == NULL) {
                status = PREPAY_E_HOSTED_NO_MEMORY;
                break;
            }
            buf = bigger;
            buf_cap *= 2u;
        }
        size_t got = fread(buf + len, 1, buf_cap - len, f);
        len += got;
        if (got == 0u) {
            if (ferror(f)) {
                status = PREPAY_E_HOSTED_IO;
            }
            break;
        }
    }
    fclose(f);
    if (status == PREPAY_OK) {
        status = prepay_payment_statement_parse(buf, len, records, cap, count, error_line);
    }
    free(buf);
    return status;
}
