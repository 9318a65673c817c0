/* SPDX-License-Identifier: MIT */
/*
 * The DL/T 645-2007 data-identifier catalogue: const rows, in flash.
 *
 * Adding an item (or a vendor extension) is one row: exact rows go into
 * exact_rows[] in DI order, patterned families into rule_rows[] in order of
 * their lowest DI (tests/protocol/test_dlt645_catalogue.c checks both orders
 * and that no two rules overlap).
 *
 * Sources (cited per row by the SRC_* tags):
 *  - DL/T 645-2007 "Multi-function watthour meter communication protocol",
 *    appendix A tables A.1 (energy), A.2 (maximum demand), A.3 (variables),
 *    A.4 (events), A.5 (parameters), A.6 (frozen data), as reproduced by
 *    public implementations: bobyuxinyang/dlt645_2007 (dlt645_api_07.h),
 *    wuhuangrui/C82_DL689 (ClouSoft/MeterPro/DL645V07.cpp, 1997 -> 2007 map
 *    with lengths), and concentrator tables found with an exact-string index
 *    over public GitHub files that does not name repositories (file ids
 *    39820409566 / 29807145697: 1997 -> 2007 DI map with lengths;
 *    43575950280: DL/T 645-2007 table with lengths).
 *  - State Grid prepaid meter specifications (Q/GDW 1354/1355 and their
 *    2013 editions, "Q/GDW" below) for prepaid items, ladders, the second
 *    price set and event classes 10..1F, as used by public firmware and
 *    concentrator code (file ids 30983707061: prepaid meter firmware DI table
 *    with lengths and decimals; 6330760452: JavaScript meter library with
 *    prepaid DIs and lengths; 44280003224 / 35713924029: meter firmware
 *    tables of 0333xxxx purchase records with lengths and formats;
 *    39843840818 / 39364415060 / 16516973336: DL/T 698 <-> 645 maps of
 *    event classes 13, 18, 19, 1A, 1B with their end-time DIs).
 *  - The frames of tests/vectors/dlt645_frames.txt (replies to 00900200,
 *    03300D00, 1D000001, 05060001, 04000101, 04000102, 0201FF00, 0001FF00).
 *
 * Disagreement recorded: the purchase count. Three sources (file ids
 * 39820409566, 6330760452, 53110917206, 44280003224) give 03330201 "total
 * purchase count after the last purchase" (NNNN, 2 bytes) for money-type
 * (yuan) meters and 03320201 for energy-type (kWh) meters; one concentrator
 * table (file id 43575950280) maps its purchase count to 03320201 next to
 * the money items. Both DIs are in the catalogue with the meaning of the
 * majority (0332 = energy-type purchases, 0333 = money-type purchases).
 * Second disagreement: the per-phase event totals 03010000 (loss of
 * voltage), 030B0000 (loss of current) etc. bobyuxinyang/dlt645_2007
 * (dlt645_api_07.h, table A.4) names them "A/B/C phase count and total
 * cumulative time", i.e. 3 x (count XXXXXX + minutes XXXXXX) = 18 bytes,
 * which is the layout used here; one concentrator map (file id 29807145697)
 * lists 03010000 with 9 bytes (the three counts only). A meter that sends 9
 * bytes gets ::PREPAY_E_DLT645_VALUE_LENGTH rather than a misread value.
 * Items marked "(verify)" rest on a single source.
 */
#include "dlt645_catalogue_internal.h"

#define SRC_ENERGY "DL/T 645-2007 A.1; C82_DL689 DL645V07.cpp; frames plc_log/sansheng/legend/gotest"
#define SRC_DEMAND "DL/T 645-2007 A.2; C82_DL689 DL645V07.cpp"
#define SRC_VARIABLE "DL/T 645-2007 A.3; file 29807145697; frames sansheng/gotest/vaccaria"
#define SRC_EVENT "DL/T 645-2007 A.4; files 39820409566, 43575950280, 35028638241"
#define SRC_SG_EVENT "Q/GDW event classes 10..1F; files 39843840818, 39364415060, 16516973336, 44864393166"
#define SRC_SG_RELAY "Q/GDW trip/close records 1D/1E; file 39820409566; frame sansheng_read_trip_count_reply"
#define SRC_PARAM "DL/T 645-2007 A.5; files 29807145697, 30983707061; frames sansheng"
#define SRC_NAMEPLATE "DL/T 645-2007 A.5 (ASCII items, last character first); files 39757968725, 29750402987, 29756762909, 12221487518, 22039290523"
#define SRC_PREPAID "Q/GDW prepaid items; files 30983707061, 6330760452, 39820409566; frame sansheng"
#define SRC_PURCHASE "Q/GDW purchase records; files 39820409566, 44280003224, 35713924029, 6330760452"
#define SRC_FREEZE "DL/T 645-2007 A.6; file 53110917206; frame sansheng_read_freeze_time_reply"
#define SRC_LOAD "DL/T 645-2007 A.5 load-record parameters; tests/vectors/dlt645_load_records.txt, docs/load-curves.md" SRC_VERIFY
#define SRC_VERIFY " (verify: one source)"
#define SRC_THRESHOLD "Q/GDW 0409 event thresholds; files 35049832100 (defaults, lengths), 35713924029 (formats)"
#define SRC_REPORT "Q/GDW active report 04001501/03; files 58115167047 (bit table), 6056539505 (reply AA counts AA)"
#define SRC_SG_EVENT2 "Q/GDW event classes 14..20; file 58115167047 (record layouts, end-time items)" SRC_VERIFY
#define SRC_VQ "DL/T 645-2007 A.4 voltage qualification 0310; file 58115167047 (LEN_VoltQlty 4 x 27 bytes)"

#define F_BCD PREPAY_DLT645_FORMAT_BCD
#define F_SIGNED PREPAY_DLT645_FORMAT_BCD_SIGNED
#define F_DATE_WEEK PREPAY_DLT645_FORMAT_DATE_WEEK
#define F_TIME_OF_DAY PREPAY_DLT645_FORMAT_TIME_OF_DAY
#define F_MINUTE PREPAY_DLT645_FORMAT_MINUTE_TIME
#define F_SECOND PREPAY_DLT645_FORMAT_SECOND_TIME
#define F_DIGITS PREPAY_DLT645_FORMAT_DIGITS
#define F_ZONES PREPAY_DLT645_FORMAT_ZONE_TABLE
#define F_SLOTS PREPAY_DLT645_FORMAT_DAY_TABLE
#define F_ASCII PREPAY_DLT645_FORMAT_ASCII
#define F_BYTES PREPAY_DLT645_FORMAT_BYTES
#define F_DEMAND PREPAY_DLT645_FORMAT_DEMAND

#define U_NONE PREPAY_DLT645_UNIT_NONE
#define U_KWH PREPAY_DLT645_UNIT_KWH
#define U_KVARH PREPAY_DLT645_UNIT_KVARH
#define U_KVAH PREPAY_DLT645_UNIT_KVAH
#define U_V PREPAY_DLT645_UNIT_V
#define U_A PREPAY_DLT645_UNIT_A
#define U_KW PREPAY_DLT645_UNIT_KW
#define U_KVAR PREPAY_DLT645_UNIT_KVAR
#define U_KVA PREPAY_DLT645_UNIT_KVA
#define U_HZ PREPAY_DLT645_UNIT_HZ
#define U_YUAN PREPAY_DLT645_UNIT_YUAN
#define U_PRICE PREPAY_DLT645_UNIT_YUAN_PER_KWH
#define U_COUNT PREPAY_DLT645_UNIT_COUNT
#define U_MIN PREPAY_DLT645_UNIT_MINUTE
#define U_DEG PREPAY_DLT645_UNIT_DEGREE
#define U_PCT PREPAY_DLT645_UNIT_PERCENT
#define U_CEL PREPAY_DLT645_UNIT_CELSIUS
#define U_IMP PREPAY_DLT645_UNIT_IMP_PER_KWH

#define Q_NONE PREPAY_DLT645_QUALIFIER_NONE
#define Q_TP PREPAY_DLT645_QUALIFIER_TARIFF_PERIOD
#define Q_PERIOD PREPAY_DLT645_QUALIFIER_PERIOD
#define Q_PHASE PREPAY_DLT645_QUALIFIER_PHASE
#define Q_INDEX PREPAY_DLT645_QUALIFIER_INDEX
#define Q_LAST PREPAY_DLT645_QUALIFIER_LAST
#define Q_PHASE_LAST PREPAY_DLT645_QUALIFIER_PHASE_LAST
#define Q_PHASE_DI2 PREPAY_DLT645_QUALIFIER_PHASE_DI2

/* An exact row. */
#define X(di, name, fmt, len, dec, unit, src) {di, di, name, 0, src, fmt, len, dec, unit, Q_NONE, 0, 0}
/* An exact record row: a fixed layout of fields. */
#define XREC(di, name, fields, src)                                                                              \
    {di, di, name, 0, src, F_BYTES, 0, 0, U_NONE, Q_NONE, (uint8_t)(sizeof fields / sizeof fields[0]), fields}
/* A rule row. */
#define R(lo, hi, name, label, fmt, len, dec, unit, q, src) {lo, hi, name, label, src, fmt, len, dec, unit, q, 0, 0}
/* A rule record row. */
#define RREC(lo, hi, name, q, fields, src)                                                                      \
    {lo, hi, name, 0, src, F_BYTES, 0, 0, U_NONE, q, (uint8_t)(sizeof fields / sizeof fields[0]), fields}

/* Energy (A.1): DI2 kind, DI1 tariff 00..3F, DI0 period 00..0C; XXXXXX.XX. Combined kinds are signed. */
#define ENERGY(kind, name, fmt, unit)                                                                            \
    R(0x00000000u | ((uint32_t)(kind) << 16), 0x00003F0Cu | ((uint32_t)(kind) << 16), name, 0, fmt, 4, 2, unit, \
      Q_TP, SRC_ENERGY)
/* Per-phase energy (A.1): DI1 00 only, DI0 period. */
#define PHASE_ENERGY(kind, name, fmt, unit)                                                                      \
    R(0x00000000u | ((uint32_t)(kind) << 16), 0x0000000Cu | ((uint32_t)(kind) << 16), name, 0, fmt, 4, 2, unit, \
      Q_PERIOD, SRC_ENERGY)
/* Maximum demand and its time (A.2): XX.XXXX + YYMMDDhhmm, DI1 tariff, DI0 period. */
#define DEMAND(kind, name, unit)                                                                                 \
    R(0x01000000u | ((uint32_t)(kind) << 16), 0x01003F0Cu | ((uint32_t)(kind) << 16), name, 0, F_DEMAND, 8, 4,  \
      unit, Q_TP, SRC_DEMAND)
/* State Grid phase event class c (10..1F): DI2 phase; count, cumulative time, last n start and end times. */
#define SG_COUNTS(c, name)                                                                                       \
    R(((uint32_t)(c) << 24) | 0x000001u, ((uint32_t)(c) << 24) | 0x030001u, name " count", 0, F_BCD, 3, 0,      \
      U_COUNT, Q_PHASE_DI2, SRC_SG_EVENT),                                                                       \
        R(((uint32_t)(c) << 24) | 0x000002u, ((uint32_t)(c) << 24) | 0x030002u, name " cumulative time", 0,     \
          F_BCD, 3, 0, U_MIN, Q_PHASE_DI2, SRC_SG_EVENT)
#define SG_START(c, name)                                                                                        \
    R(((uint32_t)(c) << 24) | 0x010101u, ((uint32_t)(c) << 24) | 0x03010Au, name " start time", 0, F_SECOND, 6, \
      0, U_NONE, Q_PHASE_LAST, SRC_SG_EVENT)
#define SG_END(c, di1, name)                                                                                     \
    R(((uint32_t)(c) << 24) | ((uint32_t)(di1) << 8) | 0x010001u,                                                \
      ((uint32_t)(c) << 24) | ((uint32_t)(di1) << 8) | 0x03000Au, name " end time", 0, F_SECOND, 6, 0, U_NONE,   \
      Q_PHASE_LAST, SRC_SG_EVENT)
/* Purchase record item (Q/GDW): DI2 32 energy-type, 33 money-type; DI1 item; DI0 last n (01..0A). */
#define PURCHASE(di2, di1, name, fmt, len, dec, unit)                                                            \
    R(0x03000001u | ((uint32_t)(di2) << 16) | ((uint32_t)(di1) << 8),                                            \
      0x0300000Au | ((uint32_t)(di2) << 16) | ((uint32_t)(di1) << 8), name, 0, fmt, len, dec, unit, Q_LAST,      \
      SRC_PURCHASE)

/* ---- record layouts ------------------------------------------------------ */

/* A.4: per-phase totals of an event class (03010000 loss of voltage, 030B0000 loss of current...). */
static const prepay_dlt645_field_t phase_totals_fields[] = {
    {"A-phase count", F_BCD, 3, 0, U_COUNT}, {"A-phase cumulative time", F_BCD, 3, 0, U_MIN},
    {"B-phase count", F_BCD, 3, 0, U_COUNT}, {"B-phase cumulative time", F_BCD, 3, 0, U_MIN},
    {"C-phase count", F_BCD, 3, 0, U_COUNT}, {"C-phase cumulative time", F_BCD, 3, 0, U_MIN},
};
/* A.4: totals of a non-phase event class (03050000 all-phase loss of voltage, 03070000 reverse sequence). */
static const prepay_dlt645_field_t totals_fields[] = {
    {"count", F_BCD, 3, 0, U_COUNT},
    {"cumulative time", F_BCD, 3, 0, U_MIN},
};
/* A.4: programming record 033000nn (50 bytes): time, operator, up to 10 programmed DIs. */
static const prepay_dlt645_field_t programming_fields[] = {
    {"time", F_SECOND, 6, 0, U_NONE},
    {"operator code", F_BYTES, 4, 0, U_NONE},
    {"programmed data identifiers", F_BYTES, 40, 0, U_NONE},
};
/* A.4: meter-cover / terminal-cover open record 03300Dnn / 03300Enn (60 bytes). */
static const prepay_dlt645_field_t cover_open_fields[] = {
    {"start time", F_SECOND, 6, 0, U_NONE},
    {"end time", F_SECOND, 6, 0, U_NONE},
    {"forward active energy before", F_BCD, 4, 2, U_KWH},
    {"reverse active energy before", F_BCD, 4, 2, U_KWH},
    {"quadrant I reactive energy before", F_BCD, 4, 2, U_KVARH},
    {"quadrant II reactive energy before", F_BCD, 4, 2, U_KVARH},
    {"quadrant III reactive energy before", F_BCD, 4, 2, U_KVARH},
    {"quadrant IV reactive energy before", F_BCD, 4, 2, U_KVARH},
    {"forward active energy after", F_BCD, 4, 2, U_KWH},
    {"reverse active energy after", F_BCD, 4, 2, U_KWH},
    {"quadrant I reactive energy after", F_BCD, 4, 2, U_KVARH},
    {"quadrant II reactive energy after", F_BCD, 4, 2, U_KVARH},
    {"quadrant III reactive energy after", F_BCD, 4, 2, U_KVARH},
    {"quadrant IV reactive energy after", F_BCD, 4, 2, U_KVARH},
};
/* A.4: voltage qualification statistics 0310 DI1 DI0 (27 bytes). */
static const prepay_dlt645_field_t vq_fields[] = {
    {"monitoring time", F_BCD, 3, 0, U_MIN},
    {"qualified rate", F_BCD, 3, 2, U_PCT},
    {"over-limit rate", F_BCD, 3, 2, U_PCT},
    {"minutes above the upper limit", F_BCD, 3, 0, U_MIN},
    {"minutes below the lower limit", F_BCD, 3, 0, U_MIN},
    {"highest voltage", F_BCD, 2, 1, U_V},
    {"time of the highest voltage (mm hh DD MM)", F_BYTES, 4, 0, U_NONE},
    {"lowest voltage", F_BCD, 2, 1, U_V},
    {"time of the lowest voltage (mm hh DD MM)", F_BYTES, 4, 0, U_NONE},
};
/* A.4: clock change record 033004nn (16 bytes): operator, time before, time after. */
static const prepay_dlt645_field_t clock_change_fields[] = {
    {"operator code", F_BYTES, 4, 0, U_NONE},
    {"time before", F_SECOND, 6, 0, U_NONE},
    {"time after", F_SECOND, 6, 0, U_NONE},
};
/* Q/GDW constant magnetic field record 033500nn (28 bytes). */
static const prepay_dlt645_field_t magnetic_fields[] = {
    {"start time", F_SECOND, 6, 0, U_NONE},
    {"end time", F_SECOND, 6, 0, U_NONE},
    {"forward active energy at start", F_BCD, 4, 2, U_KWH},
    {"reverse active energy at start", F_BCD, 4, 2, U_KWH},
    {"forward active energy at end", F_BCD, 4, 2, U_KWH},
    {"reverse active energy at end", F_BCD, 4, 2, U_KWH},
};
/* A.4: power-down record 031100nn (12 bytes): start and end time. */
static const prepay_dlt645_field_t start_end_fields[] = {
    {"start time", F_SECOND, 6, 0, U_NONE},
    {"end time", F_SECOND, 6, 0, U_NONE},
};

/* ---- exact rows, strictly increasing DI ----------------------------------- */

const prepay__dlt645_row_t prepay__dlt645_exact_rows[] = {
    /* prepaid (Q/GDW) */
    X(0x00900100u, "remaining energy", F_BCD, 4, 2, U_KWH, SRC_PREPAID),
    X(0x00900101u, "overdraft energy", F_BCD, 4, 2, U_KWH, SRC_PREPAID),
    X(0x00900200u, "remaining amount", F_BCD, 4, 2, U_YUAN, SRC_PREPAID),
    X(0x00900201u, "overdraft amount", F_BCD, 4, 2, U_YUAN, SRC_PREPAID),
    /* variables (A.3) */
    X(0x02800001u, "neutral current", F_SIGNED, 3, 3, U_A, SRC_VARIABLE),
    X(0x02800002u, "grid frequency", F_BCD, 2, 2, U_HZ, SRC_VARIABLE),
    X(0x02800003u, "one-minute average active power", F_SIGNED, 3, 4, U_KW, SRC_VARIABLE),
    X(0x02800004u, "current active demand", F_SIGNED, 3, 4, U_KW, SRC_VARIABLE),
    X(0x02800005u, "current reactive demand", F_SIGNED, 3, 4, U_KVAR, SRC_VARIABLE),
    X(0x02800006u, "current apparent demand", F_SIGNED, 3, 4, U_KVA, SRC_VARIABLE),
    X(0x02800007u, "meter temperature", F_SIGNED, 2, 1, U_CEL, SRC_VARIABLE),
    X(0x0280000Au, "internal battery working time", F_BCD, 4, 0, U_MIN, SRC_VARIABLE),
    X(0x0280000Bu, "current ladder price", F_BCD, 4, 4, U_PRICE, SRC_PREPAID),
    X(0x02800020u, "current price", F_BCD, 4, 4, U_PRICE, SRC_PREPAID SRC_VERIFY),
    /* events (A.4) */
    XREC(0x03010000u, "loss of voltage totals", phase_totals_fields, SRC_EVENT),
    XREC(0x03020000u, "under-voltage totals", phase_totals_fields, SRC_EVENT),
    XREC(0x03030000u, "over-voltage totals", phase_totals_fields, SRC_EVENT),
    XREC(0x03040000u, "phase break totals", phase_totals_fields, SRC_EVENT),
    XREC(0x03050000u, "all-phase loss of voltage totals", totals_fields, SRC_EVENT),
    XREC(0x03060000u, "auxiliary power loss totals", totals_fields, SRC_EVENT),
    XREC(0x03070000u, "voltage reverse phase sequence totals", totals_fields, SRC_EVENT),
    XREC(0x03080000u, "current reverse phase sequence totals", totals_fields, SRC_EVENT),
    XREC(0x03090000u, "voltage imbalance totals", totals_fields, SRC_EVENT),
    XREC(0x030A0000u, "current imbalance totals", totals_fields, SRC_EVENT),
    XREC(0x030B0000u, "loss of current totals", phase_totals_fields, SRC_EVENT),
    XREC(0x030C0000u, "over-current totals", phase_totals_fields, SRC_EVENT),
    XREC(0x030D0000u, "current break totals", phase_totals_fields, SRC_EVENT),
    XREC(0x030E0000u, "power reversal totals", phase_totals_fields, SRC_EVENT),
    XREC(0x030F0000u, "overload totals", phase_totals_fields, SRC_EVENT),
    X(0x03110000u, "power-down count", F_BCD, 3, 0, U_COUNT, SRC_EVENT),
    X(0x03300000u, "programming count", F_BCD, 3, 0, U_COUNT, SRC_EVENT),
    X(0x03300100u, "meter clear count", F_BCD, 3, 0, U_COUNT, SRC_EVENT),
    X(0x03300200u, "demand clear count", F_BCD, 3, 0, U_COUNT, SRC_EVENT),
    X(0x03300300u, "event clear count", F_BCD, 3, 0, U_COUNT, SRC_EVENT),
    X(0x03300400u, "time setting count", F_BCD, 3, 0, U_COUNT, SRC_EVENT),
    X(0x03300500u, "day table programming count", F_BCD, 3, 0, U_COUNT, SRC_EVENT),
    X(0x03300600u, "zone table programming count", F_BCD, 3, 0, U_COUNT, SRC_EVENT),
    X(0x03300700u, "weekend programming count", F_BCD, 3, 0, U_COUNT, SRC_EVENT),
    X(0x03300800u, "holiday programming count", F_BCD, 3, 0, U_COUNT, SRC_EVENT),
    X(0x03300C00u, "settlement day programming count", F_BCD, 3, 0, U_COUNT, SRC_EVENT),
    X(0x03300D00u, "meter-cover open count", F_BCD, 3, 0, U_COUNT, SRC_EVENT),
    X(0x03300E00u, "terminal-cover open count", F_BCD, 3, 0, U_COUNT, SRC_EVENT),
    X(0x03350000u, "constant magnetic field count", F_BCD, 3, 0, U_COUNT, SRC_SG_EVENT2),
    /* parameters (A.5) */
    X(0x04000101u, "date and weekday", F_DATE_WEEK, 4, 0, U_NONE, SRC_PARAM),
    X(0x04000102u, "time", F_TIME_OF_DAY, 3, 0, U_NONE, SRC_PARAM),
    X(0x04000103u, "maximum demand period", F_BCD, 1, 0, U_MIN, SRC_PARAM),
    X(0x04000104u, "sliding time", F_BCD, 1, 0, U_MIN, SRC_PARAM),
    X(0x04000105u, "calibration pulse width", F_BCD, 2, 0, U_NONE, SRC_PARAM),
    X(0x04000106u, "switch-over time to the second zone table", F_MINUTE, 5, 0, U_NONE, SRC_PARAM),
    X(0x04000107u, "switch-over time to the second day tables", F_MINUTE, 5, 0, U_NONE, SRC_PARAM),
    X(0x04000108u, "switch-over time to the second price set", F_MINUTE, 5, 0, U_NONE, SRC_PARAM),
    X(0x04000109u, "switch-over time to the second ladder set", F_MINUTE, 5, 0, U_NONE, SRC_PARAM),
    X(0x04000201u, "number of year zones", F_BCD, 1, 0, U_COUNT, SRC_PARAM),
    X(0x04000202u, "number of day tables", F_BCD, 1, 0, U_COUNT, SRC_PARAM),
    X(0x04000203u, "number of day slots", F_BCD, 1, 0, U_COUNT, SRC_PARAM),
    X(0x04000204u, "number of tariffs", F_BCD, 1, 0, U_COUNT, SRC_PARAM),
    X(0x04000205u, "number of public holidays", F_BCD, 2, 0, U_COUNT, SRC_PARAM),
    X(0x04000207u, "number of ladders", F_BCD, 1, 0, U_COUNT, SRC_PREPAID SRC_VERIFY),
    X(0x04000401u, "address", F_DIGITS, 6, 0, U_NONE, SRC_PARAM),
    X(0x04000402u, "meter number", F_DIGITS, 6, 0, U_NONE, SRC_PARAM),
    X(0x04000403u, "asset management code", F_ASCII, 32, 0, U_NONE, SRC_PARAM),
    X(0x04000404u, "rated voltage", F_ASCII, 6, 0, U_NONE, SRC_NAMEPLATE),
    X(0x04000405u, "rated current (basic current)", F_ASCII, 6, 0, U_NONE, SRC_NAMEPLATE),
    X(0x04000406u, "maximum current", F_ASCII, 6, 0, U_NONE, SRC_NAMEPLATE),
    X(0x04000407u, "active accuracy class", F_ASCII, 4, 0, U_NONE, SRC_NAMEPLATE),
    X(0x04000408u, "reactive accuracy class", F_ASCII, 4, 0, U_NONE, SRC_NAMEPLATE),
    X(0x04000409u, "active constant", F_BCD, 3, 0, U_IMP, SRC_PARAM),
    X(0x0400040Au, "reactive constant", F_BCD, 3, 0, U_IMP, SRC_PARAM),
    X(0x0400040Bu, "meter model", F_ASCII, 10, 0, U_NONE, SRC_NAMEPLATE),
    X(0x0400040Cu, "production date", F_ASCII, 10, 0, U_NONE, SRC_NAMEPLATE),
    X(0x0400040Du, "protocol version", F_ASCII, 16, 0, U_NONE, SRC_NAMEPLATE),
    X(0x0400040Eu, "customer number", F_DIGITS, 6, 0, U_NONE, SRC_PREPAID),
    X(0x04000501u, "meter status word 1", F_BYTES, 2, 0, U_NONE, SRC_PARAM),
    X(0x04000502u, "meter status word 2", F_BYTES, 2, 0, U_NONE, SRC_PARAM),
    X(0x04000503u, "meter status word 3", F_BYTES, 2, 0, U_NONE, SRC_PARAM),
    X(0x04000504u, "meter status word 4", F_BYTES, 2, 0, U_NONE, SRC_PARAM),
    X(0x04000505u, "meter status word 5", F_BYTES, 2, 0, U_NONE, SRC_PARAM),
    X(0x04000506u, "meter status word 6", F_BYTES, 2, 0, U_NONE, SRC_PARAM),
    X(0x04000507u, "meter status word 7", F_BYTES, 2, 0, U_NONE, SRC_PARAM),
    X(0x04000901u, "load record mode word", F_BYTES, 1, 0, U_NONE, SRC_LOAD),
    X(0x04000A01u, "load record start time (MMDDhhmm)", F_DIGITS, 4, 0, U_NONE, SRC_LOAD),
    X(0x04000A02u, "class 1 load record interval", F_BCD, 2, 0, U_MIN, SRC_LOAD),
    X(0x04000A03u, "class 2 load record interval", F_BCD, 2, 0, U_MIN, SRC_LOAD),
    X(0x04000A04u, "class 3 load record interval", F_BCD, 2, 0, U_MIN, SRC_LOAD),
    X(0x04000A05u, "class 4 load record interval", F_BCD, 2, 0, U_MIN, SRC_LOAD),
    X(0x04000A06u, "class 5 load record interval", F_BCD, 2, 0, U_MIN, SRC_LOAD),
    X(0x04000A07u, "class 6 load record interval", F_BCD, 2, 0, U_MIN, SRC_LOAD),
    X(0x04000B01u, "first settlement day (DDhh)", F_DIGITS, 2, 0, U_NONE, SRC_PARAM),
    X(0x04000B02u, "second settlement day (DDhh)", F_DIGITS, 2, 0, U_NONE, SRC_PARAM),
    X(0x04000B03u, "third settlement day (DDhh)", F_DIGITS, 2, 0, U_NONE, SRC_PARAM),
    X(0x04000E03u, "voltage upper limit", F_BCD, 2, 1, U_V, SRC_PARAM),
    X(0x04000E04u, "voltage lower limit", F_BCD, 2, 1, U_V, SRC_PARAM),
    X(0x04000F01u, "alarm energy 1", F_BCD, 4, 2, U_KWH, SRC_PREPAID),
    X(0x04000F02u, "alarm energy 2", F_BCD, 4, 2, U_KWH, SRC_PREPAID),
    X(0x04000F03u, "hoarding energy limit", F_BCD, 4, 2, U_KWH, SRC_PREPAID SRC_VERIFY),
    X(0x04000F04u, "overdraft energy limit", F_BCD, 4, 2, U_KWH, SRC_PREPAID),
    X(0x04001001u, "alarm amount 1", F_BCD, 4, 2, U_YUAN, SRC_PREPAID),
    X(0x04001002u, "alarm amount 2", F_BCD, 4, 2, U_YUAN, SRC_PREPAID),
    X(0x04001003u, "overdraft amount limit", F_BCD, 4, 2, U_YUAN, SRC_PREPAID),
    X(0x04001004u, "hoarding amount limit", F_BCD, 4, 2, U_YUAN, SRC_PREPAID),
    X(0x04001005u, "close-allowed amount", F_BCD, 4, 2, U_YUAN, SRC_PREPAID),
    X(0x04001501u, "active-report status word (the reply adds AA, a count per set bit, AA)", F_BYTES, 12, 0, U_NONE,
      SRC_REPORT),
    X(0x04001503u, "active-report status word reset (0 = reset)", F_BYTES, 12, 0, U_NONE, SRC_REPORT),
    X(0x04010000u, "first zone table", F_ZONES, 42, 0, U_NONE, SRC_PARAM),
    X(0x04020000u, "second zone table", F_ZONES, 42, 0, U_NONE, SRC_PARAM),
    /* event thresholds (Q/GDW 0409): currents XX.XXXX A and powers XX.XXXX kW are kept as numbers
     * (U_NONE, 4 decimals): finer than the library's mA quantity of U_A */
    X(0x04090101u, "loss of voltage trigger voltage", F_BCD, 2, 1, U_V, SRC_THRESHOLD),
    X(0x04090102u, "loss of voltage recovery voltage", F_BCD, 2, 1, U_V, SRC_THRESHOLD),
    X(0x04090103u, "loss of voltage trigger current (A)", F_BCD, 3, 4, U_NONE, SRC_THRESHOLD),
    X(0x04090104u, "loss of voltage delay (s)", F_BCD, 1, 0, U_NONE, SRC_THRESHOLD),
    X(0x04090201u, "under-voltage trigger voltage", F_BCD, 2, 1, U_V, SRC_THRESHOLD),
    X(0x04090202u, "under-voltage delay (s)", F_BCD, 1, 0, U_NONE, SRC_THRESHOLD),
    X(0x04090301u, "over-voltage trigger voltage", F_BCD, 2, 1, U_V, SRC_THRESHOLD),
    X(0x04090302u, "over-voltage delay (s)", F_BCD, 1, 0, U_NONE, SRC_THRESHOLD),
    X(0x04090401u, "phase failure trigger voltage", F_BCD, 2, 1, U_V, SRC_THRESHOLD),
    X(0x04090402u, "phase failure trigger current (A)", F_BCD, 3, 4, U_NONE, SRC_THRESHOLD),
    X(0x04090403u, "phase failure delay (s)", F_BCD, 1, 0, U_NONE, SRC_THRESHOLD),
    X(0x04090501u, "voltage unbalance limit", F_BCD, 2, 2, U_PCT, SRC_THRESHOLD),
    X(0x04090502u, "voltage unbalance delay (s)", F_BCD, 1, 0, U_NONE, SRC_THRESHOLD),
    X(0x04090601u, "current unbalance limit", F_BCD, 2, 2, U_PCT, SRC_THRESHOLD),
    X(0x04090602u, "current unbalance delay (s)", F_BCD, 1, 0, U_NONE, SRC_THRESHOLD),
    X(0x04090701u, "loss of current trigger voltage", F_BCD, 2, 1, U_V, SRC_THRESHOLD),
    X(0x04090702u, "loss of current upper current (A)", F_BCD, 3, 4, U_NONE, SRC_THRESHOLD),
    X(0x04090703u, "loss of current other-phase current (A)", F_BCD, 3, 4, U_NONE, SRC_THRESHOLD),
    X(0x04090704u, "loss of current delay (s)", F_BCD, 1, 0, U_NONE, SRC_THRESHOLD),
    X(0x04090801u, "over-current trigger current (A)", F_BCD, 2, 1, U_NONE, SRC_THRESHOLD),
    X(0x04090802u, "over-current delay (s)", F_BCD, 1, 0, U_NONE, SRC_THRESHOLD),
    X(0x04090901u, "current cut trigger voltage", F_BCD, 2, 1, U_V, SRC_THRESHOLD),
    X(0x04090902u, "current cut trigger current (A)", F_BCD, 3, 4, U_NONE, SRC_THRESHOLD),
    X(0x04090903u, "current cut delay (s)", F_BCD, 1, 0, U_NONE, SRC_THRESHOLD),
    X(0x04090A01u, "power reversal trigger power", F_BCD, 3, 4, U_KW, SRC_THRESHOLD),
    X(0x04090A02u, "power reversal delay (s)", F_BCD, 1, 0, U_NONE, SRC_THRESHOLD),
    X(0x04090B01u, "overload trigger power", F_BCD, 3, 4, U_KW, SRC_THRESHOLD),
    X(0x04090B02u, "overload delay (s)", F_BCD, 1, 0, U_NONE, SRC_THRESHOLD),
    X(0x04090C01u, "voltage assessment upper limit", F_BCD, 2, 1, U_V, SRC_THRESHOLD),
    X(0x04090C02u, "voltage assessment lower limit", F_BCD, 2, 1, U_V, SRC_THRESHOLD),
    X(0x04090E01u, "total power factor lower limit", F_BCD, 2, 3, U_NONE, SRC_THRESHOLD),
    X(0x04090E02u, "total power factor delay (s)", F_BCD, 1, 0, U_NONE, SRC_THRESHOLD),
    X(0x04090F01u, "severe current unbalance limit", F_BCD, 2, 2, U_PCT, SRC_THRESHOLD),
    X(0x04090F02u, "severe current unbalance delay (s)", F_BCD, 1, 0, U_NONE, SRC_THRESHOLD),
    /* State Grid trip (1D) and close (1E) */
    X(0x1D000001u, "trip count", F_BCD, 3, 0, U_COUNT, SRC_SG_RELAY),
    X(0x1E000001u, "close count", F_BCD, 3, 0, U_COUNT, SRC_SG_RELAY),
};
const size_t prepay__dlt645_exact_row_count = sizeof prepay__dlt645_exact_rows / sizeof prepay__dlt645_exact_rows[0];

/* ---- rule rows, increasing `low` ------------------------------------------- */

const prepay__dlt645_row_t prepay__dlt645_rule_rows[] = {
    /* energy (A.1) */
    ENERGY(0x00, "combined active energy", F_SIGNED, U_KWH),
    ENERGY(0x01, "forward active energy", F_BCD, U_KWH),
    ENERGY(0x02, "reverse active energy", F_BCD, U_KWH),
    ENERGY(0x03, "combined reactive 1 energy", F_SIGNED, U_KVARH),
    ENERGY(0x04, "combined reactive 2 energy", F_SIGNED, U_KVARH),
    ENERGY(0x05, "quadrant I reactive energy", F_BCD, U_KVARH),
    ENERGY(0x06, "quadrant II reactive energy", F_BCD, U_KVARH),
    ENERGY(0x07, "quadrant III reactive energy", F_BCD, U_KVARH),
    ENERGY(0x08, "quadrant IV reactive energy", F_BCD, U_KVARH),
    ENERGY(0x09, "forward apparent energy", F_BCD, U_KVAH),
    ENERGY(0x0A, "reverse apparent energy", F_BCD, U_KVAH),
    R(0x000B0000u, 0x000B0001u, "combined active energy used in settlement period", 0, F_SIGNED, 4, 2, U_KWH,
      Q_PERIOD, SRC_PREPAID SRC_VERIFY),
    PHASE_ENERGY(0x15, "A-phase forward active energy", F_BCD, U_KWH),
    PHASE_ENERGY(0x16, "A-phase reverse active energy", F_BCD, U_KWH),
    PHASE_ENERGY(0x17, "A-phase combined reactive 1 energy", F_SIGNED, U_KVARH),
    PHASE_ENERGY(0x18, "A-phase combined reactive 2 energy", F_SIGNED, U_KVARH),
    PHASE_ENERGY(0x19, "A-phase quadrant I reactive energy", F_BCD, U_KVARH),
    PHASE_ENERGY(0x1A, "A-phase quadrant II reactive energy", F_BCD, U_KVARH),
    PHASE_ENERGY(0x1B, "A-phase quadrant III reactive energy", F_BCD, U_KVARH),
    PHASE_ENERGY(0x1C, "A-phase quadrant IV reactive energy", F_BCD, U_KVARH),
    PHASE_ENERGY(0x1D, "A-phase forward apparent energy", F_BCD, U_KVAH),
    PHASE_ENERGY(0x1E, "A-phase reverse apparent energy", F_BCD, U_KVAH),
    PHASE_ENERGY(0x29, "B-phase forward active energy", F_BCD, U_KWH),
    PHASE_ENERGY(0x2A, "B-phase reverse active energy", F_BCD, U_KWH),
    PHASE_ENERGY(0x2B, "B-phase combined reactive 1 energy", F_SIGNED, U_KVARH),
    PHASE_ENERGY(0x2C, "B-phase combined reactive 2 energy", F_SIGNED, U_KVARH),
    PHASE_ENERGY(0x2D, "B-phase quadrant I reactive energy", F_BCD, U_KVARH),
    PHASE_ENERGY(0x2E, "B-phase quadrant II reactive energy", F_BCD, U_KVARH),
    PHASE_ENERGY(0x2F, "B-phase quadrant III reactive energy", F_BCD, U_KVARH),
    PHASE_ENERGY(0x30, "B-phase quadrant IV reactive energy", F_BCD, U_KVARH),
    PHASE_ENERGY(0x31, "B-phase forward apparent energy", F_BCD, U_KVAH),
    PHASE_ENERGY(0x32, "B-phase reverse apparent energy", F_BCD, U_KVAH),
    PHASE_ENERGY(0x3D, "C-phase forward active energy", F_BCD, U_KWH),
    PHASE_ENERGY(0x3E, "C-phase reverse active energy", F_BCD, U_KWH),
    PHASE_ENERGY(0x3F, "C-phase combined reactive 1 energy", F_SIGNED, U_KVARH),
    PHASE_ENERGY(0x40, "C-phase combined reactive 2 energy", F_SIGNED, U_KVARH),
    PHASE_ENERGY(0x41, "C-phase quadrant I reactive energy", F_BCD, U_KVARH),
    PHASE_ENERGY(0x42, "C-phase quadrant II reactive energy", F_BCD, U_KVARH),
    PHASE_ENERGY(0x43, "C-phase quadrant III reactive energy", F_BCD, U_KVARH),
    PHASE_ENERGY(0x44, "C-phase quadrant IV reactive energy", F_BCD, U_KVARH),
    PHASE_ENERGY(0x45, "C-phase forward apparent energy", F_BCD, U_KVAH),
    PHASE_ENERGY(0x46, "C-phase reverse apparent energy", F_BCD, U_KVAH),
    /* maximum demand (A.2) */
    DEMAND(0x01, "forward active maximum demand", U_KW),
    DEMAND(0x02, "reverse active maximum demand", U_KW),
    DEMAND(0x03, "combined reactive 1 maximum demand", U_KVAR),
    DEMAND(0x04, "combined reactive 2 maximum demand", U_KVAR),
    DEMAND(0x05, "quadrant I reactive maximum demand", U_KVAR),
    DEMAND(0x06, "quadrant II reactive maximum demand", U_KVAR),
    DEMAND(0x07, "quadrant III reactive maximum demand", U_KVAR),
    DEMAND(0x08, "quadrant IV reactive maximum demand", U_KVAR),
    DEMAND(0x09, "forward apparent maximum demand", U_KVA),
    DEMAND(0x0A, "reverse apparent maximum demand", U_KVA),
    /* variables (A.3): DI1 phase */
    R(0x02010100u, 0x02010300u, "voltage", 0, F_BCD, 2, 1, U_V, Q_PHASE, SRC_VARIABLE),
    R(0x02020100u, 0x02020300u, "current", 0, F_SIGNED, 3, 3, U_A, Q_PHASE, SRC_VARIABLE),
    R(0x02030000u, 0x02030300u, "active power", 0, F_SIGNED, 3, 4, U_KW, Q_PHASE, SRC_VARIABLE),
    R(0x02040000u, 0x02040300u, "reactive power", 0, F_SIGNED, 3, 4, U_KVAR, Q_PHASE, SRC_VARIABLE),
    R(0x02050000u, 0x02050300u, "apparent power", 0, F_SIGNED, 3, 4, U_KVA, Q_PHASE, SRC_VARIABLE),
    R(0x02060000u, 0x02060300u, "power factor", 0, F_SIGNED, 2, 3, U_NONE, Q_PHASE, SRC_VARIABLE),
    R(0x02070100u, 0x02070300u, "phase angle", 0, F_BCD, 2, 1, U_DEG, Q_PHASE, SRC_VARIABLE),
    R(0x02080100u, 0x02080300u, "voltage waveform distortion", 0, F_BCD, 2, 2, U_PCT, Q_PHASE, SRC_VARIABLE),
    R(0x02090100u, 0x02090300u, "current waveform distortion", 0, F_BCD, 2, 2, U_PCT, Q_PHASE, SRC_VARIABLE),
    /* events (A.4) */
    RREC(0x03100000u, 0x0310030Cu, "voltage qualification statistics (DI0 00 this month, n months back)", Q_PHASE,
         vq_fields, SRC_VQ),
    RREC(0x03110001u, 0x0311000Au, "power-down record", Q_LAST, start_end_fields, SRC_EVENT),
    RREC(0x03300001u, 0x0330000Au, "programming record", Q_LAST, programming_fields, SRC_EVENT),
    RREC(0x03300401u, 0x0330040Au, "clock change record", Q_LAST, clock_change_fields, SRC_EVENT),
    RREC(0x03300D01u, 0x03300D0Au, "meter-cover open record", Q_LAST, cover_open_fields, SRC_EVENT),
    RREC(0x03300E01u, 0x03300E0Au, "terminal-cover open record", Q_LAST, cover_open_fields, SRC_EVENT),
    /* purchase records (Q/GDW): 0332 energy-type meters, 0333 money-type meters */
    PURCHASE(0x32, 0x01, "purchase time (energy)", F_MINUTE, 5, 0, U_NONE),
    PURCHASE(0x32, 0x02, "purchase count after purchase (energy)", F_BCD, 2, 0, U_COUNT),
    PURCHASE(0x32, 0x03, "purchased energy", F_BCD, 4, 2, U_KWH),
    PURCHASE(0x32, 0x04, "remaining energy before purchase", F_BCD, 4, 2, U_KWH),
    PURCHASE(0x32, 0x05, "remaining energy after purchase", F_BCD, 4, 2, U_KWH),
    PURCHASE(0x32, 0x06, "cumulative purchased energy", F_BCD, 4, 2, U_KWH),
    PURCHASE(0x33, 0x01, "purchase time", F_MINUTE, 5, 0, U_NONE),
    PURCHASE(0x33, 0x02, "purchase count after purchase", F_BCD, 2, 0, U_COUNT),
    PURCHASE(0x33, 0x03, "purchase amount", F_BCD, 4, 2, U_YUAN),
    PURCHASE(0x33, 0x04, "remaining amount before purchase", F_BCD, 4, 2, U_YUAN),
    PURCHASE(0x33, 0x05, "remaining amount after purchase", F_BCD, 4, 2, U_YUAN),
    PURCHASE(0x33, 0x06, "cumulative purchase amount", F_BCD, 4, 2, U_YUAN),
    RREC(0x03350001u, 0x0335000Au, "constant magnetic field record", Q_LAST, magnetic_fields, SRC_SG_EVENT2),
    /* parameters (A.5; prices and ladders Q/GDW) */
    R(0x04010001u, 0x04010008u, "first set day table", "day table", F_SLOTS, 42, 0, U_NONE, Q_INDEX, SRC_PARAM),
    R(0x04020001u, 0x04020008u, "second set day table", "day table", F_SLOTS, 42, 0, U_NONE, Q_INDEX, SRC_PARAM),
    R(0x04050101u, 0x0405013Fu, "first set price", "tariff", F_BCD, 4, 4, U_PRICE, Q_INDEX, SRC_PREPAID),
    R(0x04050201u, 0x0405023Fu, "second set price", "tariff", F_BCD, 4, 4, U_PRICE, Q_INDEX, SRC_PREPAID),
    R(0x04060001u, 0x04060006u, "first set ladder value", "ladder", F_BCD, 4, 2, U_KWH, Q_INDEX,
      SRC_PREPAID SRC_VERIFY),
    R(0x04060101u, 0x04060107u, "first set ladder price", "ladder", F_BCD, 4, 4, U_PRICE, Q_INDEX,
      SRC_PREPAID SRC_VERIFY),
    R(0x04060201u, 0x04060206u, "second set ladder value", "ladder", F_BCD, 4, 2, U_KWH, Q_INDEX,
      SRC_PREPAID SRC_VERIFY),
    R(0x04060301u, 0x04060307u, "second set ladder price", "ladder", F_BCD, 4, 4, U_PRICE, Q_INDEX,
      SRC_PREPAID SRC_VERIFY),
    /* frozen data (A.6): freeze times of the last n freezes */
    R(0x05000001u, 0x0500003Cu, "timed freeze time", 0, F_MINUTE, 5, 0, U_NONE, Q_LAST, SRC_FREEZE),
    R(0x05010001u, 0x05010003u, "instant freeze time", 0, F_MINUTE, 5, 0, U_NONE, Q_LAST, SRC_FREEZE),
    R(0x05020001u, 0x05020002u, "zone table switch freeze time", 0, F_MINUTE, 5, 0, U_NONE, Q_LAST, SRC_FREEZE),
    R(0x05030001u, 0x05030002u, "day table switch freeze time", 0, F_MINUTE, 5, 0, U_NONE, Q_LAST, SRC_FREEZE),
    R(0x05060001u, 0x0506003Eu, "daily freeze time", 0, F_MINUTE, 5, 0, U_NONE, Q_LAST, SRC_FREEZE),
    /* State Grid events, classes 10..1C: DI2 phase (00 totals), DI0 last n */
    SG_COUNTS(0x10, "loss of voltage"),
    R(0x10000101u, 0x1000010Au, "loss of voltage start time", 0, F_SECOND, 6, 0, U_NONE, Q_PHASE_LAST,
      SRC_SG_EVENT " (file 29807145697: 10000101 / 10000201)"),
    R(0x10000201u, 0x1000020Au, "loss of voltage end time", 0, F_SECOND, 6, 0, U_NONE, Q_PHASE_LAST,
      SRC_SG_EVENT " (file 29807145697: 10000101 / 10000201)"),
    SG_START(0x10, "loss of voltage"),
    SG_END(0x10, 0x25, "loss of voltage"),
    SG_COUNTS(0x11, "under-voltage"), SG_START(0x11, "under-voltage"), SG_END(0x11, 0x25, "under-voltage"),
    SG_COUNTS(0x12, "over-voltage"), SG_START(0x12, "over-voltage"), SG_END(0x12, 0x25, "over-voltage"),
    SG_COUNTS(0x13, "phase break"), SG_START(0x13, "phase break"), SG_END(0x13, 0x25, "phase break"),
    R(0x14000001u, 0x14000001u, "voltage reverse phase sequence count", 0, F_BCD, 3, 0, U_COUNT, Q_NONE,
      SRC_SG_EVENT),
    R(0x14000002u, 0x14000002u, "voltage reverse phase sequence cumulative time", 0, F_BCD, 3, 0, U_MIN, Q_NONE,
      SRC_SG_EVENT),
    R(0x14000101u, 0x1400010Au, "voltage reverse phase sequence start time", 0, F_SECOND, 6, 0, U_NONE, Q_LAST,
      SRC_SG_EVENT),
    R(0x14001201u, 0x1400120Au, "voltage reverse phase sequence end time", 0, F_SECOND, 6, 0, U_NONE, Q_LAST,
      SRC_SG_EVENT2),
    R(0x15000001u, 0x15000001u, "current reverse phase sequence count", 0, F_BCD, 3, 0, U_COUNT, Q_NONE,
      SRC_SG_EVENT),
    R(0x15000002u, 0x15000002u, "current reverse phase sequence cumulative time", 0, F_BCD, 3, 0, U_MIN, Q_NONE,
      SRC_SG_EVENT),
    R(0x15000101u, 0x1500010Au, "current reverse phase sequence start time", 0, F_SECOND, 6, 0, U_NONE, Q_LAST,
      SRC_SG_EVENT2),
    R(0x15001201u, 0x1500120Au, "current reverse phase sequence end time", 0, F_SECOND, 6, 0, U_NONE, Q_LAST,
      SRC_SG_EVENT2),
    R(0x16000001u, 0x16000001u, "voltage imbalance count", 0, F_BCD, 3, 0, U_COUNT, Q_NONE, SRC_SG_EVENT),
    R(0x16000002u, 0x16000002u, "voltage imbalance cumulative time", 0, F_BCD, 3, 0, U_MIN, Q_NONE, SRC_SG_EVENT),
    R(0x16000101u, 0x1600010Au, "voltage imbalance start time", 0, F_SECOND, 6, 0, U_NONE, Q_LAST, SRC_SG_EVENT2),
    R(0x16001301u, 0x1600130Au, "voltage imbalance end time", 0, F_SECOND, 6, 0, U_NONE, Q_LAST, SRC_SG_EVENT2),
    R(0x17000001u, 0x17000001u, "current imbalance count", 0, F_BCD, 3, 0, U_COUNT, Q_NONE, SRC_SG_EVENT),
    R(0x17000002u, 0x17000002u, "current imbalance cumulative time", 0, F_BCD, 3, 0, U_MIN, Q_NONE, SRC_SG_EVENT),
    R(0x17000101u, 0x1700010Au, "current imbalance start time", 0, F_SECOND, 6, 0, U_NONE, Q_LAST, SRC_SG_EVENT2),
    R(0x17001301u, 0x1700130Au, "current imbalance end time", 0, F_SECOND, 6, 0, U_NONE, Q_LAST, SRC_SG_EVENT2),
    SG_COUNTS(0x18, "loss of current"), SG_START(0x18, "loss of current"), SG_END(0x18, 0x21, "loss of current"),
    SG_COUNTS(0x19, "over-current"), SG_START(0x19, "over-current"), SG_END(0x19, 0x21, "over-current"),
    SG_COUNTS(0x1A, "current break"), SG_START(0x1A, "current break"), SG_END(0x1A, 0x21, "current break"),
    SG_COUNTS(0x1B, "power reversal"), SG_START(0x1B, "power reversal"), SG_END(0x1B, 0x12, "power reversal"),
    SG_COUNTS(0x1C, "overload"), SG_START(0x1C, "overload"),
    R(0x1C011201u, 0x1C03120Au, "overload end time", 0, F_SECOND, 6, 0, U_NONE, Q_PHASE_LAST, SRC_SG_EVENT2),
    /* State Grid trip (1D) and close (1E) records: DI1 item, DI0 last n */
    R(0x1D000101u, 0x1D00010Au, "trip time", 0, F_SECOND, 6, 0, U_NONE, Q_LAST, SRC_SG_RELAY),
    R(0x1D000201u, 0x1D00020Au, "trip operator code", 0, F_BYTES, 4, 0, U_NONE, Q_LAST, SRC_SG_RELAY SRC_VERIFY),
    R(0x1E000101u, 0x1E00010Au, "close time", 0, F_SECOND, 6, 0, U_NONE, Q_LAST, SRC_SG_RELAY),
    R(0x1E000201u, 0x1E00020Au, "close operator code", 0, F_BYTES, 4, 0, U_NONE, Q_LAST, SRC_SG_RELAY SRC_VERIFY),
    /* State Grid class 1F power factor below the limit (DI2 00 total, 01..03 phases) and 20 severe current
     * unbalance (DI2 00) */
    R(0x1F000001u, 0x1F030001u, "power factor below limit count", 0, F_BCD, 3, 0, U_COUNT, Q_PHASE_DI2,
      SRC_SG_EVENT2),
    R(0x1F000002u, 0x1F030002u, "power factor below limit cumulative time", 0, F_BCD, 3, 0, U_MIN, Q_PHASE_DI2,
      SRC_SG_EVENT2),
    R(0x1F000101u, 0x1F03010Au, "power factor below limit start time", 0, F_SECOND, 6, 0, U_NONE, Q_PHASE_LAST,
      SRC_SG_EVENT2),
    R(0x1F000601u, 0x1F03060Au, "power factor below limit end time", 0, F_SECOND, 6, 0, U_NONE, Q_PHASE_LAST,
      SRC_SG_EVENT2),
    R(0x20000001u, 0x20000001u, "severe current unbalance count", 0, F_BCD, 3, 0, U_COUNT, Q_NONE, SRC_SG_EVENT2),
    R(0x20000002u, 0x20000002u, "severe current unbalance cumulative time", 0, F_BCD, 3, 0, U_MIN, Q_NONE,
      SRC_SG_EVENT2),
    R(0x20000101u, 0x2000010Au, "severe current unbalance start time", 0, F_SECOND, 6, 0, U_NONE, Q_LAST,
      SRC_SG_EVENT2),
    R(0x20001301u, 0x2000130Au, "severe current unbalance end time", 0, F_SECOND, 6, 0, U_NONE, Q_LAST,
      SRC_SG_EVENT2),
};
const size_t prepay__dlt645_rule_row_count = sizeof prepay__dlt645_rule_rows / sizeof prepay__dlt645_rule_rows[0];

/* ---- DL/T 645-1997 (2-byte DIs DI1 DI0, e.g. 0x9010), exact rows in DI order ----
 * Sources: frames of tests/vectors/dlt645_frames.txt (9010 replies of U4, U5,
 * S9; B611 of S8; B613 of S4), and the 1997 -> 2007 maps of file ids
 * 29807145697 / 39820409566 (which 1997 item is which 2007 item). Formats of
 * the 1997 edition (voltage XXX, current XX.XX, reactive power XX.XX, counts
 * NNNN) differ from 2007; those resting on one source are marked. */
#define SRC_1997 "DL/T 645-1997; frames rtt/mqtt/kaledl/heyuan/go645; file 29807145697"
#define X97(di, name, fmt, len, dec, unit) X(di, name, fmt, len, dec, unit, SRC_1997)
#define X97V(di, name, fmt, len, dec, unit) X(di, name, fmt, len, dec, unit, SRC_1997 SRC_VERIFY)
#define ENERGY97(base, name, unit)                                                                               \
    X97((base) + 0, name ", total", F_BCD, 4, 2, unit), X97((base) + 1, name ", tariff 1", F_BCD, 4, 2, unit),  \
        X97((base) + 2, name ", tariff 2", F_BCD, 4, 2, unit), X97((base) + 3, name ", tariff 3", F_BCD, 4, 2, unit), \
        X97((base) + 4, name ", tariff 4", F_BCD, 4, 2, unit)

const prepay__dlt645_row_t prepay__dlt645_1997_rows[] = {
    ENERGY97(0x9010u, "forward active energy", U_KWH),
    ENERGY97(0x9020u, "reverse active energy", U_KWH),
    ENERGY97(0x9110u, "forward reactive energy", U_KVARH),
    ENERGY97(0x9120u, "reverse reactive energy", U_KVARH),
    ENERGY97(0x9410u, "forward active energy, last month", U_KWH),
    ENERGY97(0x9420u, "reverse active energy, last month", U_KWH),
    X97(0xB212u, "programming count", F_BCD, 2, 0, U_COUNT),
    X97(0xB213u, "demand clear count", F_BCD, 2, 0, U_COUNT),
    X97(0xB214u, "battery working time", F_BCD, 3, 0, U_MIN),
    X97(0xB611u, "voltage, A-phase", F_BCD, 2, 0, U_V),
    X97(0xB612u, "voltage, B-phase", F_BCD, 2, 0, U_V),
    X97(0xB613u, "voltage, C-phase", F_BCD, 2, 0, U_V),
    X97V(0xB621u, "current, A-phase", F_BCD, 2, 2, U_A),
    X97V(0xB622u, "current, B-phase", F_BCD, 2, 2, U_A),
    X97V(0xB623u, "current, C-phase", F_BCD, 2, 2, U_A),
    X97(0xB630u, "active power, total", F_BCD, 3, 4, U_KW),
    X97(0xB631u, "active power, A-phase", F_BCD, 3, 4, U_KW),
    X97(0xB632u, "active power, B-phase", F_BCD, 3, 4, U_KW),
    X97(0xB633u, "active power, C-phase", F_BCD, 3, 4, U_KW),
    X97V(0xB640u, "reactive power, total", F_BCD, 2, 2, U_KVAR),
    X97V(0xB641u, "reactive power, A-phase", F_BCD, 2, 2, U_KVAR),
    X97V(0xB642u, "reactive power, B-phase", F_BCD, 2, 2, U_KVAR),
    X97V(0xB643u, "reactive power, C-phase", F_BCD, 2, 2, U_KVAR),
    X97(0xB650u, "power factor, total", F_BCD, 2, 3, U_NONE),
    X97(0xB651u, "power factor, A-phase", F_BCD, 2, 3, U_NONE),
    X97(0xB652u, "power factor, B-phase", F_BCD, 2, 3, U_NONE),
    X97(0xB653u, "power factor, C-phase", F_BCD, 2, 3, U_NONE),
    X97(0xC010u, "date and weekday", F_DATE_WEEK, 4, 0, U_NONE),
    X97(0xC011u, "time", F_TIME_OF_DAY, 3, 0, U_NONE),
    X97(0xC030u, "active constant", F_BCD, 3, 0, U_IMP),
    X97(0xC031u, "reactive constant", F_BCD, 3, 0, U_IMP),
    X97(0xC032u, "meter number", F_DIGITS, 6, 0, U_NONE),
    X97V(0xC033u, "user number", F_DIGITS, 6, 0, U_NONE),
    X97V(0xC034u, "device code", F_DIGITS, 6, 0, U_NONE),
    X97(0xC111u, "maximum demand period", F_BCD, 1, 0, U_MIN),
    X97(0xC112u, "sliding time", F_BCD, 1, 0, U_MIN),
    X97(0xC117u, "settlement day (DDhh)", F_DIGITS, 2, 0, U_NONE),
};
const size_t prepay__dlt645_1997_row_count = sizeof prepay__dlt645_1997_rows / sizeof prepay__dlt645_1997_rows[0];
