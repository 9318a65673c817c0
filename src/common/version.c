/* SPDX-License-Identifier: MIT */
/* Run-time version of the library (see prepay/version.h). */
#include "prepay/version.h"

const char *prepay_version(void)
{
    return PREPAY_VERSION_STRING;
}

int prepay_version_number(void)
{
    return PREPAY_VERSION_NUMBER;
}
