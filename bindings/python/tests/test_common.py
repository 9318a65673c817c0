# SPDX-License-Identifier: MIT
import datetime
import unittest
from decimal import Decimal

import prepay
from prepay import c_api
from _vectors import records


class FixedPointVectors(unittest.TestCase):
    """tests/vectors/fixed_point.txt through the raw module and the Decimal edges."""

    MODES = {"round_half_up": prepay.Rounding.HALF_UP, "round_half_even": prepay.Rounding.HALF_EVEN,
             "round_down": prepay.Rounding.DOWN, "round_up": prepay.Rounding.UP,
             "round_floor": prepay.Rounding.FLOOR, "round_ceiling": prepay.Rounding.CEILING}

    def test_products(self):
        n = 0
        for r in records("fixed_point.txt"):
            if r["_section"] != "product":
                continue
            amount = c_api.prepay_amount_t()
            status = c_api.prepay_amount_from_product(int(r["energy"]), int(r["price"]), amount)
            if r.get("units", "overflow") == "overflow":
                self.assertEqual(status, prepay.Status.E_OVERFLOW, r)
                continue
            self.assertEqual(status, 0, r)
            self.assertEqual((amount.units, amount.nanos), (int(r["units"]), int(r["nanos"])), r)
            # the exact amount as Decimal equals units + nanos/1e9 fen, exactly
            exact = prepay.amount_to_decimal(amount.units, amount.nanos)
            self.assertEqual(exact * 100, Decimal(r["units"]) + Decimal(r["nanos"]) / Decimal(10 ** 9))
            for key, mode in self.MODES.items():
                if key in r:
                    status, fen = c_api.prepay_amount_round(amount, int(mode))
                    if r[key] == "overflow":
                        self.assertEqual(status, prepay.Status.E_OVERFLOW, (r, key))
                    else:
                        self.assertEqual((status, fen), (0, int(r[key])), (r, key))
            n += 1
        self.assertGreater(n, 10)

    def test_muldiv(self):
        n = 0
        for r in records("fixed_point.txt"):
            if r["_section"] != "muldiv":
                continue
            for key, mode in self.MODES.items():
                if key in r:
                    status, out = c_api.prepay_i64_muldiv(int(r["a"]), int(r["b"]), int(r["den"]), int(mode))
                    if r[key] == "overflow":
                        self.assertEqual(status, prepay.Status.E_OVERFLOW, (r, key))
                    else:
                        self.assertEqual((status, out), (0, int(r[key])), (r, key))
                    n += 1
        self.assertGreater(n, 10)


class DecimalEdges(unittest.TestCase):
    def test_money_round_trip_exact(self):
        for text in ["0.00", "0.01", "-0.01", "12.34", "92233720368547758.07", "-92233720368547758.08"]:
            fen = prepay.yuan_to_fen(Decimal(text))
            self.assertEqual(str(prepay.fen_to_yuan(fen)), text)
        self.assertEqual(prepay.yuan_to_fen("1"), 100)
        self.assertEqual(prepay.yuan_to_fen(7), 700)

    def test_price_round_trip_exact(self):
        self.assertEqual(prepay.decimal_to_price(Decimal("0.58886875")), 58886875)
        self.assertEqual(prepay.price_to_decimal(58886875), Decimal("0.58886875"))
        self.assertEqual(format(prepay.price_to_decimal(-1), "f"), "-0.00000001")

    def test_float_refused(self):
        with self.assertRaises(TypeError):
            prepay.yuan_to_fen(0.1)
        with self.assertRaises(TypeError):
            prepay.decimal_to_price(0.5)

    def test_no_silent_rounding(self):
        with self.assertRaises(prepay.Error) as cm:
            prepay.yuan_to_fen(Decimal("0.001"))
        self.assertIs(type(cm.exception).__bases__[0], prepay.Error)  # generic code: Error itself (and a ValueError)
        self.assertIsInstance(cm.exception, ValueError)
        self.assertEqual(cm.exception.code, prepay.Status.E_INVALID_ARGUMENT)
        with self.assertRaises(prepay.Error) as cm:
            prepay.yuan_to_fen("92233720368547758.08")
        self.assertEqual(cm.exception.code, prepay.Status.E_OVERFLOW)

    def test_time(self):
        self.assertEqual(prepay.to_time(datetime.datetime(2000, 1, 2, 0, 0, 1)), 86401)
        self.assertEqual(prepay.from_time(86401), datetime.datetime(2000, 1, 2, 0, 0, 1))
        self.assertEqual(prepay.to_days(datetime.date(2024, 1, 1)), 8766)  # cross-checked with C test vectors
        self.assertEqual(prepay.from_days(-1), datetime.date(1999, 12, 31))


class Errors(unittest.TestCase):
    def test_class_by_module(self):
        # module class, and the built-in it also derives from (None: the module class alone)
        cases = {
            prepay.Status.E_INVALID_ARGUMENT: (prepay.Error, ValueError),
            prepay.Status.E_CAPACITY: (prepay.Error, None),
            prepay.Status.E_DLT645_TRUNCATED: (prepay.DLT645Error, ValueError),
            prepay.Status.E_TARIFF_BAD_BAND: (prepay.TariffError, ValueError),
            prepay.Status.E_LEDGER_EXCEEDS_CREDITS: (prepay.LedgerError, None),
            prepay.Status.E_LEDGER_AMOUNT_MUST_BE_POSITIVE: (prepay.LedgerError, ValueError),
            prepay.Status.E_LEDGER_ACCOUNT_NOT_FOUND: (prepay.LedgerError, KeyError),
            prepay.Status.E_WALLET_BAD_THRESHOLDS: (prepay.WalletError, ValueError),
            prepay.Status.E_JOURNAL_IO: (prepay.JournalError, OSError),
            prepay.Status.E_JOURNAL_CORRUPT: (prepay.JournalError, None),
            prepay.Status.E_ALLOCATION_ZERO_WEIGHTS: (prepay.AllocationError, ValueError),
            prepay.Status.E_BILLING_BAD_ITEM: (prepay.BillingError, ValueError),
            prepay.Status.E_METER_NO_TARIFF: (prepay.MeterError, None),
            prepay.Status.E_STATION_TIMEOUT: (prepay.StationError, None),
            prepay.Status.E_HOSTED_IO: (prepay.HostedError, OSError),
            prepay.Status.E_HOSTED_JSON_SYNTAX: (prepay.HostedError, ValueError),
            prepay.Status.E_SETTLEMENT_UNKNOWN_METER: (prepay.SettlementError, KeyError),
            prepay.Status.E_SETTLEMENT_CONFLICT: (prepay.SettlementError, ValueError),
        }
        for code, (cls, builtin) in cases.items():
            err = prepay.error_for(code)
            if builtin is None:
                self.assertIs(type(err), cls, code)
            else:
                self.assertEqual(type(err).__bases__, (cls, builtin), code)
            self.assertIsInstance(err, prepay.Error)
            self.assertEqual(err.code, code)
            self.assertEqual(err.strerror, c_api.prepay_strerror(code))
            self.assertIn(err.strerror, str(err))
            self.assertNotEqual(err.strerror, "unknown status", code)

    def test_status_values(self):
        # status = -(module << 8 | number), status.h
        self.assertEqual(prepay.Status.E_DLT645_TRUNCATED, -(1 << 8 | 1))
        self.assertEqual(prepay.Status.E_STATION_TIMEOUT, -(9 << 8 | 2))
        self.assertEqual(prepay.Status.E_METER_BAD_PARAMETER, -(8 << 8 | 9))

    def test_check(self):
        self.assertEqual(prepay.check(5), 5)
        with self.assertRaises(prepay.LedgerError):
            prepay.check(prepay.Status.E_LEDGER_OVERFLOW)

    def test_version(self):
        self.assertEqual(prepay.__version__, "%d.%d.%d" % (c_api.PREPAY_VERSION_MAJOR, c_api.PREPAY_VERSION_MINOR,
                                                           c_api.PREPAY_VERSION_PATCH))

    def test_docstrings_from_doxygen(self):
        self.assertIn("Rounds an exact amount", c_api.prepay_amount_round.__doc__)


if __name__ == "__main__":
    unittest.main()
