/* SPDX-License-Identifier: MIT */
/*
 * Internal: write items of the meter (meter_write.c), used by the handler.
 */
#ifndef PREPAY_METER_WRITE_INTERNAL_H
#define PREPAY_METER_WRITE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "prepay/meter.h"

/* Internal results of prepay__meter_write() mapped to error bytes by the handler. */
#define PREPAY_E_METER_WRITE_ZONES (-0x7F01)     /* error bit 4: too many year zones */
#define PREPAY_E_METER_WRITE_SLOTS (-0x7F02)     /* error bit 5: too many day slots */
#define PREPAY_E_METER_WRITE_TARIFFS (-0x7F03)   /* error bit 6: too many tariffs */
#define PREPAY_E_METER_WRITE_READ_ONLY (-0x7F04) /* tables bound read-only: unauthorised */

/* Highest password level number (2 or 4) that may write the DI: level 2 is stronger than 4. */
int prepay__meter_write_level(uint32_t di);

/* Applies one write (after the password check); nothing changes on error.
 * Returns PREPAY_OK, PREPAY_E_NOT_FOUND (no such item), PREPAY_E_INVALID_ARGUMENT
 * (bad value) or one of the codes above. */
int prepay__meter_write(prepay_meter_t *meter, uint32_t di, const uint8_t *value, size_t len);

#endif /* PREPAY_METER_WRITE_INTERNAL_H */
