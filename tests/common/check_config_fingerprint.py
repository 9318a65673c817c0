#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every macro of config_default.h is either folded into PREPAY_CONFIG_FINGERPRINT
(it changes a public struct's layout) or listed here as behaviour-only, so a new
capacity macro cannot be forgotten in the fingerprint.

usage: check_config_fingerprint.py INCLUDE_DIR
"""
import pathlib
import re
import sys

# Macros that change behaviour only, never a struct's size (config_fingerprint.h).
BEHAVIOUR_ONLY = {
    "PREPAY_NO_STRERROR", "PREPAY_TARIFF_CHECK_SEALS", "PREPAY_MODBUS_CRC_SMALL",
    "PREPAY_METER_PASSWORD_TRIES", "PREPAY_METER_TIME_SYNC_LIMIT", "PREPAY_METER_JUMP",
    "PREPAY_METER_TARIFF_WRITES", "PREPAY_METER_DLT645_1997", "PREPAY_TARIFF_DEMAND", "PREPAY_TARIFF_PROPORTIONAL",
    "PREPAY_TARIFF_PRORATION", "PREPAY_TARIFF_DAILY_LADDERS",
    "PREPAY_METER_TARIFF_SEALED", "PREPAY_DIV64_COMPACT",
}


def main() -> int:
    inc = pathlib.Path(sys.argv[1]) / "prepay"
    defaults = (inc / "config_default.h").read_text(encoding="utf-8")
    macros = set(re.findall(r"^#define (PREPAY_[A-Z0-9_]+)", defaults, re.M)) - {"PREPAY_CONFIG_DEFAULT_H"}
    fp_text = (inc / "config_fingerprint.h").read_text(encoding="utf-8")
    body = fp_text.split("#define PREPAY_CONFIG_FINGERPRINT ", 1)[1].split("PREPAY_BEGIN_DECLS", 1)[0]
    folded = set(re.findall(r"PREPAY_[A-Z0-9_]+", body)) - {"PREPAY_CONFIG_MIX_"}
    missing = sorted(macros - folded - BEHAVIOUR_ONLY)
    unknown = sorted((folded | BEHAVIOUR_ONLY) - macros)
    if missing:
        print("config macros neither in PREPAY_CONFIG_FINGERPRINT nor behaviour-only:", ", ".join(missing))
    if unknown:
        print("listed but not in config_default.h:", ", ".join(unknown))
    if missing or unknown:
        return 1
    print(f"{len(folded)} layout macros folded, {len(BEHAVIOUR_ONLY)} behaviour-only")
    return 0


if __name__ == "__main__":
    sys.exit(main())
