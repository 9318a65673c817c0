/* SPDX-License-Identifier: MIT */
/*
 * Minimal configuration for the firmware profile (PREPAY_CONFIG_FILE).
 *
 * A single-phase prepaid meter with a 4-band TOU tariff: tables sized for
 * what such a meter holds (day slots within the DL/T 645 limit of 14),
 * error strings compiled out, small stream and journal buffers, the 1 KiB
 * CRC table. Every macro not set here keeps its default from
 * prepay/config_default.h.
 */
#ifndef PREPAY_FIRMWARE_CONFIG_H
#define PREPAY_FIRMWARE_CONFIG_H

#define PREPAY_NO_STRERROR
#define PREPAY_DLT645_MAX_DATA 200 /* DL/T 645-2007 read limit */
#define PREPAY_MAX_SEASONS 4
#define PREPAY_MAX_DAY_TABLES 4
#define PREPAY_MAX_DAY_SLOTS 8
#define PREPAY_MAX_TARIFF_INDEX 5
#define PREPAY_MAX_HOLIDAYS 32
#define PREPAY_MAX_DATE_OVERRIDES 8
#define PREPAY_MAX_TIERS 4
#define PREPAY_MAX_FIXED_CHARGES 0 /* fixed charges (monthly service and capacity fees) are billed by the station */
#define PREPAY_MAX_DEMAND_PERIODS 2 /* a meter prices energy; demand charges are billed by the station */
#define PREPAY_MAX_DEMAND_TIERS 2
#define PREPAY_MAX_DEMAND_RATES 2
#define PREPAY_METER_DEMAND_MINUTES 15 /* demand periods up to 15 minutes (the usual setting; the ring is 8 B a minute) */
#define PREPAY_MAX_ALARM_LEVELS 3
#define PREPAY_DLT645_STREAM_BUFFER 216 /* the minimum: 4 FE + 12 frame bytes + PREPAY_DLT645_MAX_DATA */
#define PREPAY_MAX_WALLET_WINDOWS 2     /* daily no-disconnect windows (e.g. night, midday) */
#define PREPAY_MAX_WALLET_HOLIDAYS 16   /* whole no-disconnect days */
#define PREPAY_JOURNAL_SCAN_BUFFER 512  /* the minimum: recovery reads storage 512 bytes at a time */
#define PREPAY_JOURNAL_CRC_SMALL        /* 1 KiB CRC table instead of 8 KiB */
#define PREPAY_MODBUS_CRC_SMALL         /* one 512-byte Modbus CRC table instead of 2 KiB */
#define PREPAY_CJT188_MAX_DATA 100      /* CJ/T 188-2004: L <= 64H for reads */
#define PREPAY_CJT188_STREAM_BUFFER 117 /* the minimum: 4 FE + 13 frame bytes + PREPAY_CJT188_MAX_DATA */
#define PREPAY_MODBUS_STREAM_BUFFER 256 /* the minimum: one RTU ADU */

#define PREPAY_LOAD_RECORD_REPLY_MAX 412 /* 4 full load records */
#define PREPAY_EVENTS_PHASES 1          /* single-phase meter: no three-phase-only events */
#define PREPAY_MAX_EVENT_RECORDS 1      /* the last record of each event kind */
#define PREPAY_VQ_MONTHS 1              /* voltage statistics of this and last month */
#define PREPAY_METER_JUMP 0            /* a meter in the field never jumps years: no closed-form advance */
#define PREPAY_EVENTS_END_ENERGY 0      /* records keep the registers at the start only (40 instead of 48 bytes) */
#define PREPAY_METER_TARIFF_WRITES 0    /* the tariff is const in flash: tariff-programming writes refused */
#define PREPAY_TARIFF_DEMAND 0          /* demand charges are billed by the station: none in the meter's tariff */
#define PREPAY_TARIFF_PROPORTIONAL 0   /* the meter prices energy as it flows: no proportional per-band tiers */
#define PREPAY_TARIFF_PRORATION 0      /* the meter's account spans its service: the station bills move-in/out cycles */
#define PREPAY_TARIFF_DAILY_LADDERS 0  /* DL/T 645 ladder values are per settlement cycle: no per-day bounds */
#define PREPAY_METER_DEMAND 0           /* no maximum demand: Q/GDW 1364 single-phase meters keep none (the station bills demand) */
#define PREPAY_METER_DLT645_1997 0      /* a 2007 meter: 1997 frames get no reply */
#define PREPAY_METER_LOAD_RECORDS 0     /* no load records: the concentrator reads the registers each interval (Q/GDW 1364 single-phase) */
#define PREPAY_RECORD_TIME32 1          /* record times as uint32 s since 2000: DL/T 645 YYMMDDhhmmss years are 2000..2099 */
#define PREPAY_METER_LC_LAST 0          /* no copy of the last load-control decision: the relay acts on it, lc keeps the outcome */
#define PREPAY_METER_DECISION_PURSE 0   /* the decision cache keeps no purse limits: the library's limit writes forget it */
#define PREPAY_METER_TARIFF_SEALED 1    /* the tool validates and seals the tariff page; the meter checks the seal */
#define PREPAY_DIV64_COMPACT 1          /* 64-bit divisions by the library's small routine, not libgcc's __udivmoddi4 */

/* Settlement in a concentrator or a multi-meter prepaid unit: a few rooms. */
#define PREPAY_MAX_SETTLEMENT_ACCOUNTS 8
#define PREPAY_MAX_SETTLEMENT_METERS 8
#define PREPAY_MAX_SETTLEMENT_GROUPS 1
#define PREPAY_MAX_SETTLEMENT_MEMBERS 8
#define PREPAY_MAX_SETTLEMENT_TARIFFS 2
#define PREPAY_MAX_SETTLEMENT_POLICIES 1
#define PREPAY_MAX_SETTLEMENT_ITEMS 2
#define PREPAY_SETTLEMENT_USAGE_LINES 4

#endif
