/* SPDX-License-Identifier: MIT */
/*
 * Status texts of the hosted module (PREPAY_MODULE_HOSTED), for prepay_strerror().
 *
 * Numbers 1..31: tariff JSON / URDB / CSV loaders (declared in prepay/tariff_json.h).
 * Numbers 32..: free for other hosted parts (e.g. journal file I/O); add a case each.
 */
#include "../common/status_internal.h"

#ifndef PREPAY_NO_STRERROR
const char *prepay__hosted_status_text(int number)
{
    switch (number) {
    case 1: return "cannot open or read the file";
    case 2: return "JSON syntax error";
    case 3: return "JSON value has the wrong type or a required member is missing";
    case 4: return "JSON value is malformed or out of range";
    case 5: return "tariff rejected by the tariff model's validation";
    case 6: return "input uses a feature the importer does not support";
    case 7: return "out of memory";
    case 8: return "malformed CSV input";
    default: return (const char *)0;
    }
}
#endif
