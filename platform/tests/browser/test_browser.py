# SPDX-License-Identifier: MIT
"""A real browser (Debian's chromium + chromedriver, headless, through selenium) against the platform
served by waitress on a loopback port: an operator signs in, opens an account, recharges a room
whose meter was cut off and sees the relay close; a tenant sees their own room and cannot reach
another tenant's; a batch tariff push from the tariffs page runs against the emulated meters (read back
independently); a tenant pays through the mock WeChat Pay on loopback, whose notify arrives three
times and credits once. Screenshots go to $PREPAY_PLATFORM_ARTEFACTS (default build/platform-test)."""
from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import unittest
from decimal import Decimal

from prepay_platform.app import create_app
from prepay_platform.services import readings, recharge, site

from ..support import ROOT, Fixture

T0 = 1793462400  # 2026-11-01 00:00 +08:00
ARTEFACTS = os.environ.get("PREPAY_PLATFORM_ARTEFACTS") or os.path.join(ROOT, "build", "platform-test")


class RecordingStation:
    """What a field station is asked to do, when plat-field's station or the emulator is absent."""

    def __init__(self):
        self.sent = []

    def relay(self, meter_id, action):
        self.sent.append((meter_id, action))
        return type("R", (), {"ok": True, "error": ""})()


class EmulatedStation:
    """plat-field's Station on prepay-emu (examples/sites/platform.json, clock synchronised: no
    energy flows, the test drives the readings) recording what it is asked to do."""

    def __init__(self, emu: str, station_module):
        import subprocess
        import tempfile
        self.tmp = tempfile.mkdtemp(prefix="prepay_platform_emu_")
        ready = os.path.join(self.tmp, "ready")
        self.proc = subprocess.Popen([emu, os.path.join(ROOT, "examples", "sites", "platform.json"), "--bus-port", "0",
                                      "--ready-file", ready, "--quiet"])
        for _ in range(600):  # a generous budget: the emulator writes the file once it listens
            if os.path.exists(ready) and os.path.getsize(ready):
                break
            time.sleep(0.05)
        with open(ready, encoding="ascii") as f:  # FileNotFoundError here: the emulator did not start
            self.port = int(f.read().split("=")[1])
        self.module, self.station, self.sent = station_module, None, []

    def attach(self, db):
        from prepay_platform.services import seed
        if self.station is not None:  # re-attached after more meters were added
            self.station.close()
        self.station = self.module.Station([self.module.Endpoint(mid, address, kind, port=self.port)
                                            for mid, address, kind, _ in seed.endpoints(db, self.port)])

    def relay(self, meter_id, action):
        self.sent.append((meter_id, action))
        return self.station.relay(meter_id, action)

    def relay_closed(self, meter_id):
        return self.station.read(meter_id).relay_closed

    def push_tariff(self, meter_id, tariff, at=None):
        self.sent.append((meter_id, "push_tariff"))
        return self.station.push_tariff(meter_id, tariff, at)

    def verify_tariff(self, meter_id, tariff, meter_set=0):
        return self.station.verify_tariff(meter_id, tariff, meter_set)

    def close(self):
        if self.station is not None:
            self.station.close()
        self.proc.terminate()
        self.proc.wait(timeout=30)
        shutil.rmtree(self.tmp, ignore_errors=True)


def _station():
    emu = os.environ.get("PREPAY_EMU", "")
    try:
        from prepay_platform.field import station as module
    except ImportError:
        return RecordingStation()
    return EmulatedStation(emu, module) if emu and os.access(emu, os.X_OK) else RecordingStation()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _page_left(old):
    """True once ``old`` (the <html> of the page a click submitted) is gone. Selenium's
    staleness_of() knows only StaleElementReferenceException; chromedriver may answer a node of
    the replaced document with "unknown error: unhandled inspector error: Node with given id does
    not belong to the document" instead (seen on CI), which means the same thing. Any other
    error while the browser navigates is transient: ask again."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    try:
        old.is_enabled()
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as e:
        return "does not belong to the document" in str(e)


@unittest.skipUnless(os.environ.get("PREPAY_PLATFORM_BROWSER") == "1", "browser tests: scripts/test-platform.sh browser")
@unittest.skipUnless(shutil.which("chromedriver") and (shutil.which("chromium") or shutil.which("chromium-browser")),
                     "chromium and chromium-driver are not installed (scripts/install-deps.sh installs them)")
class BrowserTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        import waitress
        cls.station = _station()
        cls.f = Fixture(cls.station)
        cls.h2 = site.open_account(cls.f.p, cls.f.room2, cls.f.tariff, [("000000000102", "electricity")], "test",
                                   tenant_id=cls.f.tenant2)
        from prepay_platform.channels.pay_mock import MockWeChatPay, MockWeChatPayClient
        cls.mock = MockWeChatPay({"1900000001": b"browser-mock-secret"})
        cls.mock_server = cls.mock.serve(tick=0.2)  # the channel on loopback, delivering its notifies
        channel = MockWeChatPayClient(f"http://127.0.0.1:{cls.mock_server.port}", "1900000001", b"browser-mock-secret")
        cls.app = create_app({"platform": cls.f.p, "secret_key": "browser-test", "pay_channel": channel})
        cls.port = _free_port()
        cls.server = waitress.create_server(cls.app, host="127.0.0.1", port=cls.port, threads=2)
        threading.Thread(target=cls.server.run, daemon=True).start()
        options = webdriver.ChromeOptions()
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=1280,900"):
            options.add_argument(arg)
        cls.driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
        # Generous budgets, not timings: a loaded CI machine may take seconds for a scrypt sign-in.
        cls.driver.implicitly_wait(30)
        cls.driver.set_page_load_timeout(120)
        os.makedirs(ARTEFACTS, exist_ok=True)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.server.close()
        cls.mock_server.shutdown()
        cls.f.close()
        if hasattr(cls.station, "close"):
            cls.station.close()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def shot(self, name):
        self.driver.save_screenshot(os.path.join(ARTEFACTS, f"{name}.png"))

    def submit(self, element_id, budget=120):
        """Click the button ``element_id`` that submits a form and wait until the browser has left
        the page it was on (the old <html> element goes stale): reading right after a click may
        still see the old page, or lose the element under the reader, on a loaded machine."""
        from selenium.webdriver.support.ui import WebDriverWait
        old = self.driver.find_element("tag name", "html")
        self.driver.find_element("id", element_id).click()
        WebDriverWait(self.driver, budget).until(lambda d: _page_left(old))
        self.driver.find_element("tag name", "body")  # waits (implicitly) for the new page's body

    def page_text(self, budget=60):
        """The body's text, read again if the page was replaced under the reader."""
        from selenium.common.exceptions import WebDriverException
        deadline = time.monotonic() + budget
        while True:
            try:
                return self.driver.find_element("tag name", "body").text
            except WebDriverException:  # stale, or chromedriver's inspector error mid-navigation
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def wait_for_text(self, text, budget=60):
        """After a click that submits a form: the next page, once it has loaded, shows ``text``
        (a generous budget, not a timing: reading page_source at once may still see the old page)."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait
        try:  # an error while the browser navigates is transient: ask again
            WebDriverWait(self.driver, budget, ignored_exceptions=(WebDriverException,)).until(
                lambda d: text in d.page_source)
        except Exception:
            self.fail(f"{text!r} not shown: {self.driver.page_source[-2000:]}")

    def sign_in(self, login):
        d = self.driver
        d.delete_all_cookies()
        d.get(self.url("/login"))
        d.find_element("id", "login").send_keys(login)
        d.find_element("id", "password").send_keys(self.f.passwords[login])
        self.submit("signin")
        d.find_element("id", "logout")  # waits (implicitly) until the signed-in page has loaded

    def test_1_operator_opens_an_account_and_a_recharge_closes_the_relay(self):
        d = self.driver
        self.sign_in("op")
        self.assertIn("Rooms", d.title)
        self.shot("rooms")
        d.get(self.url(f"/rooms/{self.f.room1}"))
        from selenium.webdriver.support.ui import Select
        Select(d.find_element("id", "tenant")).select_by_visible_text("Tenant One")
        d.find_element("id", "electricity").send_keys("000000000101")
        self.submit("open")
        self.wait_for_text("account opened")
        hid = self.f.p.db.one("SELECT id FROM households WHERE room_id = ?", (self.f.room1,))["id"]
        meter = self.f.p.db.one("SELECT id FROM meters WHERE household_id = ?", (hid,))["id"]
        emulated = isinstance(self.station, EmulatedStation)
        if emulated:
            self.station.attach(self.f.p.db)
        # A small credit, then the meter's readings use it up: the Site cuts the room off.
        recharge.recharge(self.f.p, hid, "2.00", "seed", "op")
        readings.ingest(self.f.p, [{"meter_id": meter, "at": T0, "value": 0},
                                   {"meter_id": meter, "at": T0 + 36000, "value": 30000}])
        self.assertEqual(self.station.sent[-1], (meter, "trip"))
        if emulated:
            self.assertFalse(self.station.relay_closed(meter), "the emulated meter's relay is open")
        d.get(self.url(f"/rooms/{self.f.room1}"))
        self.assertEqual(d.find_element("id", f"relay-{meter}").text, "tripped")
        self.shot("room-tripped")
        d.find_element("id", "amount").send_keys("50.00")
        self.submit("recharge")
        self.wait_for_text("recharge credited")
        self.assertEqual(d.find_element("id", f"relay-{meter}").text, "closed")
        self.assertEqual(self.station.sent[-1], (meter, "close"))
        if emulated:
            self.assertTrue(self.station.relay_closed(meter), "the emulated meter's relay closed")
        self.shot("room-restored")
        for path, name in (("/finance", "finance"), ("/events", "events"), ("/audit", "audit"),
                           ("/tariffs", "tariffs")):
            d.get(self.url(path))
            self.shot(name)

    def test_2_a_tenant_cannot_reach_another_tenants_room(self):
        d = self.driver
        self.sign_in("t2")
        self.assertIn("My rooms", d.title)
        self.shot("tenant-rooms")
        d.get(self.url(f"/my/rooms/{self.f.room2}"))
        self.assertIn("room 102", d.page_source)
        self.shot("tenant-room")
        d.get(self.url(f"/my/rooms/{self.f.room1}"))
        self.assertIn("404", d.page_source)
        self.assertNotIn("Tenant One", d.page_source)
        d.get(self.url(f"/rooms/{self.f.room1}"))
        self.assertIn("403", d.page_source)

    def test_3_batch_tariff_push_to_the_emulated_meters(self):
        if not isinstance(self.station, EmulatedStation):
            self.skipTest("needs prepay-emu (PREPAY_EMU) and plat-field's station")
        d = self.driver
        self.station.attach(self.f.p.db)  # both rooms' meters (room 101 opened by test 1)
        self.sign_in("op")
        d.get(self.url("/tariffs"))
        self.submit(f"push-{self.f.tariff}")
        self.assertIn("Batch", d.title)
        meters = [m["id"] for m in self.f.p.db.query("SELECT id FROM meters WHERE commodity = 'electricity'")]
        for _ in range(3):  # the page's "run due items now"; an item the meter was slow for is retried
            self.submit("run")
            states = [e.text for e in d.find_elements("css selector", "td.state")]
            if states and all(s == "ok" for s in states):
                break
        self.shot("batch-tariff-push")
        self.assertEqual(states, ["ok"] * len(meters), d.page_source[-2000:])
        doc = self.f.p.db.one("SELECT document FROM tariffs WHERE id = ?", (self.f.tariff,))["document"]
        for m in meters:  # read back from the emulated meters, independently of the batch
            self.assertTrue(self.station.verify_tariff(m, doc).ok, m)

    def test_4_tenant_pays_through_the_mock_channel_and_a_duplicate_notify_credits_once(self):
        import json
        import re
        d = self.driver
        before = self.f.p.money.account(self.h2)
        self.sign_in("t2")
        d.get(self.url(f"/my/rooms/{self.f.room2}"))
        self.assertIn('id="pay-form"', d.page_source, d.page_source[-3000:])
        d.find_element("id", "amount").send_keys("30.00")
        self.submit("pay")
        text = self.page_text()
        found = re.search(r"\{.*\}", text, re.S)
        self.assertIsNotNone(found, text[-2000:])
        order_no = json.loads(found.group(0))["order_no"]
        self.mock.pay(order_no, "SUCCESS", duplicates=2)  # the payer pays; the channel notifies 3 times
        for _ in range(600):  # a generous budget: the mock delivers every 0.2 s
            if self.mock.pending() == 0:
                break
            time.sleep(0.05)
        self.assertEqual(self.mock.pending(), 0)
        order = self.f.p.db.one("SELECT * FROM pay_orders WHERE order_no = ?", (order_no,))
        self.assertEqual((order["state"], order["notifies"]), ("paid", 3))
        after = self.f.p.money.account(self.h2)
        self.assertEqual(after.balance - before.balance, Decimal("30.00"))
        self.assertEqual(after.recharges, before.recharges + 1)
        d.get(self.url(f"/my/rooms/{self.f.room2}"))
        self.assertIn(f"{after.balance:.2f}", d.page_source)
        self.shot("tenant-paid")


if __name__ == "__main__":
    unittest.main()
