/* SPDX-License-Identifier: MIT */
/*
 * Register maps shipped with the library, as data.
 *
 * Acrel DDSY1352 single-phase prepaid electricity meter: operation manual,
 * clause 8.1 "MODBUS protocol communication address table" (public on
 * manual sites, e.g. manualshive.com/en/manual/acrel/ddsy1352/2841079,
 * page 15): 0000H..0008H total / sharp / peak / flat / valley energy UINT32
 * x 0.01 kWh; 000AH code UINT16 R/W 0..9999; 000BH U UINT16 x 0.1 V; 000CH
 * I UINT16 x 0.01 A; 000DH P INT16 x 0.001 kW; 000FH S UINT16 x 0.001 kVA;
 * 0010H PF INT16 x 0.001. The page does not state the word order of the
 * UINT32 registers; the map uses high word first (the Modbus convention and
 * what EMS4J does for the sister DTSY1352). Read with function 03.
 *
 * Kaifeng Xintai Valve Co. prepaid valve water meter: vendor document
 * "Water Meter MODBUS 485 protocol V1.pdf" as quoted by the PouCon Elixir
 * driver (PouCon.Hardware.Devices.XintaiWaterMeter): 9600 8N1, function 03
 * read / 06 write; FLOAT32 values are little-endian as received (the
 * vendor example 1E 85 0B 3F = 0.545 m³/h); 0001H forward and 0003H
 * reverse cumulative volume (m³, R/W), 0005H flow (m³/h), 0007H pipe
 * state 55H empty / AAH full, 0008H remaining prepaid volume (m³, R/W),
 * 000AH pressure (MPa) and 000CH temperature (°C) on customised meters
 * only, 000EH slave address, 001AH battery voltage (V), 001CH valve:
 * read bits 1 open / 2 closed / 4 abnormal / 8 battery low, write 1 open /
 * 2 close, 001DH pulse coefficient. The communication parameters (000FH,
 * 3 registers), meter number (0012H, 4) and clock (0016H, 4) are left out:
 * their encodings are not in the public excerpt.
 *
 * Rules: billed quantities (energy, volumes) decode exactly or as the one
 * decimal a float stands for (DECIMAL); measurements (flow, pressure,
 * temperature, battery voltage) round to the unit (ROUND). The vendor's
 * own example float for the flow, 1E 85 0B 3F, is one binary32 step below
 * 0.545 and decodes to 545 L/h only because the flow register rounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/modbus.h"

#define HOLDING PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS

static const prepay_modbus_register_t ddsy1352_registers[] = {
    {"energy_total", 0x0000, HOLDING, PREPAY_MODBUS_TYPE_UINT32, PREPAY_MODBUS_ORDER_ABCD, 1, PREPAY_MODBUS_UNIT_WH,
     PREPAY_MODBUS_RULE_DECIMAL, false},
    {"energy_sharp", 0x0002, HOLDING, PREPAY_MODBUS_TYPE_UINT32, PREPAY_MODBUS_ORDER_ABCD, 1, PREPAY_MODBUS_UNIT_WH,
     PREPAY_MODBUS_RULE_DECIMAL, false},
    {"energy_peak", 0x0004, HOLDING, PREPAY_MODBUS_TYPE_UINT32, PREPAY_MODBUS_ORDER_ABCD, 1, PREPAY_MODBUS_UNIT_WH,
     PREPAY_MODBUS_RULE_DECIMAL, false},
    {"energy_flat", 0x0006, HOLDING, PREPAY_MODBUS_TYPE_UINT32, PREPAY_MODBUS_ORDER_ABCD, 1, PREPAY_MODBUS_UNIT_WH,
     PREPAY_MODBUS_RULE_DECIMAL, false},
    {"energy_valley", 0x0008, HOLDING, PREPAY_MODBUS_TYPE_UINT32, PREPAY_MODBUS_ORDER_ABCD, 1, PREPAY_MODBUS_UNIT_WH,
     PREPAY_MODBUS_RULE_DECIMAL, false},
    {"code", 0x000A, HOLDING, PREPAY_MODBUS_TYPE_UINT16, PREPAY_MODBUS_ORDER_ABCD, 0, PREPAY_MODBUS_UNIT_NONE,
     PREPAY_MODBUS_RULE_DECIMAL, true},
    {"voltage", 0x000B, HOLDING, PREPAY_MODBUS_TYPE_UINT16, PREPAY_MODBUS_ORDER_ABCD, 2, PREPAY_MODBUS_UNIT_MILLIVOLT,
     PREPAY_MODBUS_RULE_DECIMAL, false},
    {"current", 0x000C, HOLDING, PREPAY_MODBUS_TYPE_UINT16, PREPAY_MODBUS_ORDER_ABCD, 1, PREPAY_MODBUS_UNIT_MILLIAMPERE,
     PREPAY_MODBUS_RULE_DECIMAL, false},
    {"active_power", 0x000D, HOLDING, PREPAY_MODBUS_TYPE_INT16, PREPAY_MODBUS_ORDER_ABCD, 0, PREPAY_MODBUS_UNIT_W,
     PREPAY_MODBUS_RULE_DECIMAL, false},
    {"apparent_power", 0x000F, HOLDING, PREPAY_MODBUS_TYPE_UINT16, PREPAY_MODBUS_ORDER_ABCD, 0, PREPAY_MODBUS_UNIT_VA,
     PREPAY_MODBUS_RULE_DECIMAL, false},
    {"power_factor", 0x0010, HOLDING, PREPAY_MODBUS_TYPE_INT16, PREPAY_MODBUS_ORDER_ABCD, 0, PREPAY_MODBUS_UNIT_PER_MILLE,
     PREPAY_MODBUS_RULE_DECIMAL, false},
};

static const prepay_modbus_register_t xintai_registers[] = {
    {"forward_volume", 0x0001, HOLDING, PREPAY_MODBUS_TYPE_FLOAT32, PREPAY_MODBUS_ORDER_DCBA, 3, PREPAY_MODBUS_UNIT_LITRE,
     PREPAY_MODBUS_RULE_DECIMAL, true},
    {"reverse_volume", 0x0003, HOLDING, PREPAY_MODBUS_TYPE_FLOAT32, PREPAY_MODBUS_ORDER_DCBA, 3, PREPAY_MODBUS_UNIT_LITRE,
     PREPAY_MODBUS_RULE_DECIMAL, true},
    {"flow", 0x0005, HOLDING, PREPAY_MODBUS_TYPE_FLOAT32, PREPAY_MODBUS_ORDER_DCBA, 3, PREPAY_MODBUS_UNIT_LITRE_PER_HOUR,
     PREPAY_MODBUS_RULE_ROUND, false},
    {"pipe_state", 0x0007, HOLDING, PREPAY_MODBUS_TYPE_UINT16, PREPAY_MODBUS_ORDER_ABCD, 0, PREPAY_MODBUS_UNIT_NONE,
     PREPAY_MODBUS_RULE_DECIMAL, false},
    {"remaining_volume", 0x0008, HOLDING, PREPAY_MODBUS_TYPE_FLOAT32, PREPAY_MODBUS_ORDER_DCBA, 3, PREPAY_MODBUS_UNIT_LITRE,
     PREPAY_MODBUS_RULE_DECIMAL, true},
    {"pressure", 0x000A, HOLDING, PREPAY_MODBUS_TYPE_FLOAT32, PREPAY_MODBUS_ORDER_DCBA, 6, PREPAY_MODBUS_UNIT_PASCAL,
     PREPAY_MODBUS_RULE_ROUND, false},
    {"temperature", 0x000C, HOLDING, PREPAY_MODBUS_TYPE_FLOAT32, PREPAY_MODBUS_ORDER_DCBA, 3, PREPAY_MODBUS_UNIT_MILLI_CELSIUS,
     PREPAY_MODBUS_RULE_ROUND, false},
    {"slave_address", 0x000E, HOLDING, PREPAY_MODBUS_TYPE_UINT16, PREPAY_MODBUS_ORDER_ABCD, 0, PREPAY_MODBUS_UNIT_NONE,
     PREPAY_MODBUS_RULE_DECIMAL, true},
    {"battery_voltage", 0x001A, HOLDING, PREPAY_MODBUS_TYPE_FLOAT32, PREPAY_MODBUS_ORDER_DCBA, 3, PREPAY_MODBUS_UNIT_MILLIVOLT,
     PREPAY_MODBUS_RULE_ROUND, false},
    {"valve", 0x001C, HOLDING, PREPAY_MODBUS_TYPE_UINT16, PREPAY_MODBUS_ORDER_ABCD, 0, PREPAY_MODBUS_UNIT_NONE,
     PREPAY_MODBUS_RULE_DECIMAL, true},
    {"pulse_coefficient", 0x001D, HOLDING, PREPAY_MODBUS_TYPE_UINT16, PREPAY_MODBUS_ORDER_ABCD, 0, PREPAY_MODBUS_UNIT_NONE,
     PREPAY_MODBUS_RULE_DECIMAL, true},
};

static const prepay_modbus_map_t maps[] = {
    {"ddsy1352", "Acrel DDSY1352 operation manual, clause 8.1 MODBUS communication address table",
     ddsy1352_registers, sizeof ddsy1352_registers / sizeof ddsy1352_registers[0]},
    {"xintai-water", "Kaifeng Xintai Valve Co., Water Meter MODBUS 485 protocol V1 (via the PouCon driver)",
     xintai_registers, sizeof xintai_registers / sizeof xintai_registers[0]},
};

const prepay_modbus_map_t *prepay_modbus_map_builtin(size_t index)
{
    return index < sizeof maps / sizeof maps[0] ? &maps[index] : (const prepay_modbus_map_t *)0;
}

const prepay_modbus_map_t *prepay_modbus_map_by_name(const char *name)
{
    if (!name) {
        return (const prepay_modbus_map_t *)0;
    }
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++) {
        if (strcmp(maps[i].name, name) == 0) {
            return &maps[i];
        }
    }
    return (const prepay_modbus_map_t *)0;
}

const char *prepay_modbus_unit_symbol(uint8_t unit)
{
    static const char *const symbols[] = {"", "Wh", "L", "fen", "W", "VA", "mV", "mA", "permille", "L/h", "mdegC", "Pa"};
    return unit < sizeof symbols / sizeof symbols[0] ? symbols[unit] : "?";
}
