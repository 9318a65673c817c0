/* SPDX-License-Identifier: MIT */
/* Status texts of the Modbus module, for prepay_strerror(). */
#include "../common/status_internal.h"

#ifndef PREPAY_NO_STRERROR
const char *prepay__modbus_status_text(int number)
{
    switch (number) {
    case 1: return "Modbus: frame shorter than 4 bytes or than its PDU announces";
    case 2: return "Modbus: frame longer than 256 bytes or than its PDU announces";
    case 3: return "Modbus: CRC mismatch";
    case 4: return "Modbus: PDU does not have the structure of its function";
    case 5: return "Modbus: function code not handled here";
    case 6: return "Modbus: quantity outside the function's limits";
    case 7: return "Modbus: unit address outside 0..247";
    case 8: return "Modbus: exception response (see the exception code)";
    case 9: return "Modbus: frame is not the response to this request (other unit or function)";
    case 10: return "Modbus: response content does not answer the request";
    case 11: return "Modbus: value cannot be given exactly in this unit";
    case 12: return "Modbus: register value is not a number (NaN, infinity, bad BCD)";
    case 13: return "Modbus: invalid register description";
    case 14: return "Modbus: a broadcast request has no response";
    default: return (const char *)0;
    }
}
#endif
