/* SPDX-License-Identifier: MIT */
/* Status texts of the CJ/T 188 module, for prepay_strerror(). */
#include "../common/status_internal.h"

#ifndef PREPAY_NO_STRERROR
const char *prepay__cjt188_status_text(int number)
{
    switch (number) {
    case 1: return "CJ/T 188: input ends inside the frame (truncated)";
    case 2: return "CJ/T 188: no start byte 68 where the frame should begin";
    case 3: return "CJ/T 188: length byte too large or inconsistent with the control code";
    case 4: return "CJ/T 188: checksum mismatch";
    case 5: return "CJ/T 188: end byte 16 missing";
    case 6: return "CJ/T 188: data field would exceed PREPAY_CJT188_MAX_DATA";
    case 7: return "CJ/T 188: invalid meter address";
    case 8: return "CJ/T 188: abnormal reply (the meter refused; see its status word ST)";
    case 9: return "CJ/T 188: frame is not a reply to this request";
    case 10: return "CJ/T 188: reply carries a different data identifier";
    case 11: return "CJ/T 188: reply carries a different sequence number SER";
    case 12: return "CJ/T 188: reply from a meter that was not addressed";
    case 13: return "CJ/T 188: data has the wrong size for its data identifier";
    case 14: return "CJ/T 188: value is not valid BCD or not a real date and time";
    case 15: return "CJ/T 188: unknown or incompatible unit code";
    case 16: return "CJ/T 188: value cannot be converted exactly to that unit";
    case 17: return "CJ/T 188: value absent (the meter sent FF bytes)";
    case 18: return "CJ/T 188: request frame not of the function or data identifier this parser handles";
    case 19: return "CJ/T 188: valve command is neither 55H (open) nor 99H (close)";
    case 20: return "CJ/T 188: purchase serial already credited (replayed top-up)";
    case 21: return "CJ/T 188: purchase serial out of sequence";
    case 22: return "CJ/T 188: unknown data identifier byte order";
    default: return (const char *)0;
    }
}
#endif
