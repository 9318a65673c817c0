/* SPDX-License-Identifier: MIT */
/* Status texts of this module, for prepay_strerror(). Numbers 1..63 belong to
 * the frame layer (include/prepay/dlt645.h); 64..127 are reserved for the
 * data-identifier catalogue and typed values; 128.. are the tariff tables
 * (include/prepay/dlt645_tariff.h). */
#include "../common/status_internal.h"

#ifndef PREPAY_NO_STRERROR
const char *prepay__dlt645_status_text(int number)
{
    switch (number) {
    case 1: return "DL/T 645: input ends inside the frame (truncated)";
    case 2: return "DL/T 645: no start byte 68 where the frame should begin";
    case 3: return "DL/T 645: second start byte 68 missing after the address";
    case 4: return "DL/T 645: length byte too large or inconsistent with the control code";
    case 5: return "DL/T 645: checksum mismatch";
    case 6: return "DL/T 645: end byte 16 missing";
    case 7: return "DL/T 645: data field would exceed PREPAY_DLT645_MAX_DATA";
    case 8: return "DL/T 645: invalid meter address";
    case 9: return "DL/T 645: abnormal reply (the meter refused; see the error byte)";
    case 10: return "DL/T 645: frame is not a reply to this request";
    case 11: return "DL/T 645: reply carries a different data identifier";
    case 12: return "DL/T 645: reply data has the wrong size or content";
    case 13: return "DL/T 645: unsupported baud rate or feature word";
    case 14: return "DL/T 645: unknown relay control command";
    case 15: return "DL/T 645: reply from a meter that was not addressed";
    case 16: return "DL/T 645: password level outside 0..9";
    case 17: return "DL/T 645: freeze time field out of range";
    case 18: return "DL/T 645: function code not valid for this edition";
    case 19: return "DL/T 645: request frame not of the function this parser handles";
    /* ---- data layer (include/prepay/dlt645_data.h): 100.. ---- */
    case 100: return "DL/T 645: data identifier not in the catalogue";
    case 101: return "DL/T 645: item absent (the meter sent FF bytes)";
    case 102: return "DL/T 645: value data has the wrong length for its format";
    case 103: return "DL/T 645: data identifier is a block or record (use the block decoder)";
    case 104: return "DL/T 645: value does not fit the item's format";
    case 105: return "DL/T 645: item is a table, text or bytes, not a number or time (use the value decoder)";
    /* ---- end of data layer ---- */
    /* ---- tariff tables (include/prepay/dlt645_tariff.h): 128.. ---- */
    case 128: return "DL/T 645: the tariff cannot be held by a DL/T 645 meter";
    case 129: return "DL/T 645: tariff tables are not a valid tariff";
    default: return (const char *)0;
    }
}
#endif
