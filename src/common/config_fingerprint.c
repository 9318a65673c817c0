/* SPDX-License-Identifier: MIT */
/* The library's configuration fingerprint (see prepay/config_fingerprint.h). */
#include "prepay/config_fingerprint.h"

uint32_t prepay_config_fingerprint(void)
{
    return PREPAY_CONFIG_FINGERPRINT;
}

int prepay_config_check(uint32_t caller_fingerprint)
{
    return caller_fingerprint == PREPAY_CONFIG_FINGERPRINT ? PREPAY_OK : PREPAY_E_CONFIG_MISMATCH;
}

int prepay_config_refuse(uint32_t caller_fingerprint, ...)
{
    (void)caller_fingerprint;
    return PREPAY_E_CONFIG_MISMATCH;
}
