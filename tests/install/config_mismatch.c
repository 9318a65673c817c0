/* SPDX-License-Identifier: MIT */
/*
 * A consumer of the installed library built by scripts/check-install.sh
 * twice: once with the library's configuration, once with another
 * PREPAY_MAX_* capacity (-DPREPAY_MAX_TIERS=4). The second must get
 * PREPAY_E_CONFIG_MISMATCH from the calls that take caller memory, with the
 * caller's struct left untouched, instead of the library writing past it.
 * Usage: config_mismatch match|mismatch
 */
#include <stdio.h>
#include <string.h>

#include <prepay/prepay.h>

static int expect(const char *what, int got, int want)
{
    printf("config_mismatch: %s -> %s\n", what, prepay_strerror(got));
    if (got != want) {
        fprintf(stderr, "config_mismatch: %s returned %d, expected %d (%s)\n", what, got, want,
                prepay_strerror(want));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "match") != 0 && strcmp(argv[1], "mismatch") != 0)) {
        fprintf(stderr, "usage: config_mismatch match|mismatch\n");
        return 2;
    }
    int want = strcmp(argv[1], "match") == 0 ? PREPAY_OK : PREPAY_E_CONFIG_MISMATCH;
    static prepay_tariff_t tariff;
    memset(&tariff, 0xA5, sizeof tariff);
    int failed = expect("prepay_config_check", prepay_config_check(PREPAY_CONFIG_FINGERPRINT), want);
    failed |= expect("prepay_tariff_init", prepay_tariff_init(&tariff), want);
    if (want != PREPAY_OK) {
        for (size_t i = 0; i < sizeof tariff; i++) {
            if (((const unsigned char *)&tariff)[i] != 0xA5) {
                fprintf(stderr, "config_mismatch: the refused call wrote to the caller's tariff\n");
                return 1;
            }
        }
    }
    printf("config_mismatch: caller fingerprint %08lx, library %08lx\n", (unsigned long)PREPAY_CONFIG_FINGERPRINT,
           (unsigned long)prepay_config_fingerprint());
    return failed;
}
