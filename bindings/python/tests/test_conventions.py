# SPDX-License-Identifier: MIT
"""Package-wide conventions (issue 20): every public class, function, method and property has a
docstring; exceptions are also the built-in types one catches; timezone-aware datetimes are converted
to the tariff's zone or refused, never silently misread."""
import datetime
import enum
import importlib
import inspect
import os
import pkgutil
import subprocess
import sys
import tempfile
import unittest
import zoneinfo
from decimal import Decimal

import prepay
from prepay.journal import Journal
from prepay.ledger import Ledger
from prepay.tariff import Tariff

from _vectors import EXAMPLES, ROOT

TOU = EXAMPLES / "tariffs" / "zhejiang_residential_tou.json"



def _shanghai():
    """Asia/Shanghai from the system's zone database, or its fixed UTC+8 offset where there is none."""
    try:
        return zoneinfo.ZoneInfo("Asia/Shanghai")
    except zoneinfo.ZoneInfoNotFoundError:
        return datetime.timezone(datetime.timedelta(hours=8), "UTC+08:00")


SHANGHAI = _shanghai()

def _documented(obj) -> bool:
    return bool((getattr(obj, "__doc__", None) or "").strip())


def undocumented():
    """Public callables of the package without a docstring (module.Class.member names)."""
    out = []
    for info in pkgutil.iter_modules(prepay.__path__):
        if info.name in ("c_api", "_c_api"):
            continue  # the SWIG module: its docstrings come from the C headers
        mod = importlib.import_module("prepay." + info.name)
        if not _documented(mod):
            out.append(mod.__name__)
        names = getattr(mod, "__all__", [n for n in vars(mod) if not n.startswith("_")])
        for name in names:
            obj = getattr(mod, name, None)
            if getattr(obj, "__module__", None) != mod.__name__:
                continue  # re-exported from elsewhere: checked there
            if inspect.isclass(obj):
                if issubclass(obj, enum.Enum):
                    continue  # built from the C enums
                doc = obj.__doc__ or ""
                if not doc.strip() or doc.startswith(name + "("):  # a dataclass's generated signature is no doc
                    out.append(f"{mod.__name__}.{name}")
                for attr, value in vars(obj).items():
                    if attr.startswith("_"):
                        continue
                    if isinstance(value, property):
                        if not _documented(value):
                            out.append(f"{mod.__name__}.{name}.{attr}")
                    elif callable(getattr(value, "__func__", value)):
                        if not _documented(getattr(value, "__func__", value)):
                            out.append(f"{mod.__name__}.{name}.{attr}")
            elif callable(obj) and not _documented(obj):
                out.append(f"{mod.__name__}.{name}")
    return out


class Docstrings(unittest.TestCase):
    def test_every_public_callable_has_a_docstring(self):
        self.assertEqual(undocumented(), [])

    def test_the_walker_can_fail(self):
        class Bare:
            def method(self):
                pass
        self.assertFalse(_documented(Bare.method))


class Stubs(unittest.TestCase):
    def test_stubs_are_regenerated(self):
        """prepay/__init__.pyi is what gen_stubs.py prints for this build (regenerate it when enums change)."""
        gen = ROOT / "bindings" / "python" / "gen_stubs.py"
        out = subprocess.run([sys.executable, "-P", str(gen)], capture_output=True, text=True, check=True,
                             env=dict(os.environ), timeout=120).stdout
        committed = (ROOT / "bindings" / "python" / "prepay" / "__init__.pyi").read_text(encoding="utf-8")
        self.assertEqual(out, committed, "run: PYTHONPATH=<build>/bindings/python python3 -P "
                                         "bindings/python/gen_stubs.py > bindings/python/prepay/__init__.pyi")


class BuiltinExceptions(unittest.TestCase):
    def test_key_error(self):
        with self.assertRaises(KeyError) as cm:
            Ledger().balance(12345)
        self.assertIsInstance(cm.exception, prepay.LedgerError)
        self.assertEqual(cm.exception.code, prepay.Status.E_LEDGER_ACCOUNT_NOT_FOUND)
        self.assertIn("account 12345", str(cm.exception))
        self.assertFalse(str(cm.exception).startswith("'"))  # not quoted like a plain KeyError

    def test_value_error(self):
        with self.assertRaises(ValueError) as cm:
            prepay.dlt645.decode(b"\x68\x01\x02")
        self.assertIsInstance(cm.exception, prepay.DLT645Error)
        with self.assertRaises(ValueError) as cm:
            Tariff.loads('{"format": "prepay-tariff/2"}')
        self.assertIsInstance(cm.exception, prepay.HostedError)
        with self.assertRaises(ValueError):
            prepay.yuan_to_fen("1.234")

    def test_file_not_found(self):
        with self.assertRaises(FileNotFoundError) as cm:
            Tariff.load("/nonexistent/tariff.json")
        self.assertIsInstance(cm.exception, prepay.HostedError)
        self.assertIsInstance(cm.exception, OSError)
        self.assertEqual(cm.exception.filename, "/nonexistent/tariff.json")
        with self.assertRaises(FileNotFoundError) as cm:
            Journal.open("/nonexistent/dir/x.journal", Ledger())
        self.assertIsInstance(cm.exception, prepay.JournalError)

    def test_os_error_of_an_existing_path(self):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaises(OSError) as cm:
                Tariff.load(tmp)  # a directory: it exists, but cannot be read as a file
            self.assertNotIsInstance(cm.exception, FileNotFoundError)
            self.assertIsInstance(cm.exception, prepay.Error)

    def test_not_every_error_is_a_value_error(self):
        err = prepay.error_for(prepay.Status.E_LEDGER_EXCEEDS_CREDITS)
        self.assertIsInstance(err, prepay.LedgerError)
        self.assertNotIsInstance(err, (ValueError, KeyError, OSError))
        self.assertIs(type(err), prepay.LedgerError)

    def test_the_hierarchy_is_kept(self):
        for code in (prepay.Status.E_INVALID_ARGUMENT, prepay.Status.E_SETTLEMENT_UNKNOWN_METER,
                     prepay.Status.E_HOSTED_IO, prepay.Status.E_CAPACITY):
            err = prepay.error_for(code)
            self.assertIsInstance(err, prepay.Error)
            self.assertEqual(err.code, code)


class AwareDatetimes(unittest.TestCase):
    def test_refused_without_a_zone(self):
        t = Tariff.load(TOU)
        aware = datetime.datetime(2025, 7, 1, 12, tzinfo=datetime.timezone.utc)
        with self.assertRaises(ValueError) as cm:
            t.band_at(aware)
        self.assertIsInstance(cm.exception, prepay.Error)
        self.assertIn("zone", str(cm.exception))
        with self.assertRaises(ValueError):
            prepay.to_time(aware)
        with self.assertRaises(ValueError):
            Ledger().order_summary(aware, aware)

    def test_converted_to_the_tariffs_zone(self):
        shanghai = SHANGHAI
        t = Tariff.load(TOU, zone=shanghai)
        naive = Tariff.load(TOU)
        # 2025-07-01 04:30 UTC is 12:30 in Shanghai (UTC+8): the band of 12:30 local, not of 04:30
        aware = datetime.datetime(2025, 7, 1, 4, 30, tzinfo=datetime.timezone.utc)
        self.assertEqual(t.band_at(aware), naive.band_at(datetime.datetime(2025, 7, 1, 12, 30)))
        self.assertNotEqual(naive.band_at(datetime.datetime(2025, 7, 1, 12, 30)),
                            naive.band_at(datetime.datetime(2025, 7, 1, 4, 30)))
        # a fixed UTC offset works too
        plus8 = Tariff.load(TOU, zone=datetime.timezone(datetime.timedelta(hours=8)))
        self.assertEqual(plus8.band_at(aware), t.band_at(aware))
        # the stream and batch evaluation convert the same way
        a, b = t.stream(bill=False), naive.stream(bill=False)
        start = datetime.datetime(2025, 7, 1, 0, 0, tzinfo=datetime.timezone.utc)
        fa = a.feed_interval(start, start + datetime.timedelta(hours=2), 2000)
        fb = b.feed_interval(datetime.datetime(2025, 7, 1, 8), datetime.datetime(2025, 7, 1, 10), 2000)
        self.assertEqual(fa.exact, fb.exact)
        self.assertEqual(t.evaluate([(start, start + datetime.timedelta(hours=2), 2000)]).exact_total,
                         naive.evaluate([(datetime.datetime(2025, 7, 1, 8), datetime.datetime(2025, 7, 1, 10),
                                          2000)]).exact_total)

    def test_naive_datetimes_unchanged(self):
        t = Tariff.load(TOU, zone=SHANGHAI)
        naive = datetime.datetime(2025, 7, 1, 12, 30)
        self.assertEqual(t.band_at(naive), Tariff.load(TOU).band_at(naive))

    def test_zone_must_be_a_tzinfo(self):
        with self.assertRaises(TypeError):
            Tariff.load(TOU, zone="Asia/Shanghai")


if __name__ == "__main__":
    unittest.main()
