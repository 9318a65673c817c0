# SPDX-License-Identifier: MIT
"""Billing (issue 19): charge items, common-area groups, period close through Site.close_period,
postpaid statements (confirm, issue, arrears, CSV), roles, CSRF, bad input changing nothing, and a
restart after a close giving the same balances (the close is re-run from site_inputs)."""
from __future__ import annotations

import datetime as _dt
import unittest
from decimal import Decimal

from prepay_platform.app import create_app
from prepay_platform.services import audit, billing, clock, readings
from prepay_platform.services.errors import InputError

from .support import ApiClient, Fixture


def ts(day: str, hour: int = 0) -> int:
    """Epoch seconds of a local (platform zone) day and hour."""
    d = _dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=clock.LOCAL)
    return int(d.timestamp())


class BillingTest(ApiClient, unittest.TestCase):
    def setUp(self):
        self.f = Fixture()
        self.h1, self.h2 = self.f.open_two()
        self.p = self.f.p
        self.app = create_app({"platform": self.p, "secret_key": "test"})
        self.app.testing = True
        db = self.p.db
        self.m1 = db.one("SELECT id FROM meters WHERE household_id = ? AND commodity = 'electricity'", (self.h1,))["id"]
        self.m2 = db.one("SELECT id FROM meters WHERE household_id = ? AND commodity = 'electricity'", (self.h2,))["id"]

    def tearDown(self):
        self.f.close()

    def settle(self, rows):
        self.p.money.run("settle", {"readings": [[m, t, v] for m, t, v in rows]}, rows[-1][1], "test")

    def balances(self):
        return {h: (self.p.money.account(h).balance, self.p.money.account(h).debt, self.p.money.account(h).items,
                    self.p.money.account(h).shares) for h in (self.h1, self.h2)}

    # ---- charge items ----
    def test_item_create_edit_and_bad_input(self):
        fin = self.api("fin")
        r = self.post(fin, "/api/billing/items", {"name": "Management fee", "basis": "fixed", "rate": "30.00",
                                                  "schedule": "monthly", "effective_from": "2026-01-01"})
        self.assertEqual(r.status_code, 200, r.get_json())
        iid = r.get_json()["id"]
        before = billing.items(self.p.db)
        n_audit = len(audit.recent(self.p.db))
        for bad, field in (({"rate": "-1"}, "rate"), ({"rate": "1.234"}, "rate"), ({"rate": "abc"}, "rate"),
                           ({"basis": "weekly"}, "basis"), ({"effective_from": "2026-13-01"}, "effective_from"),
                           ({"effective_to": "2025-01-01"}, "effective_to"), ({"name": ""}, "name"),
                           ({"household_id": 999999}, "household_id")):
            body = {"name": "x", "basis": "fixed", "rate": "1", "schedule": "monthly", "effective_from": "2026-01-01"}
            body.update(bad)
            r = self.post(fin, "/api/billing/items", body)
            self.assertEqual(r.status_code, 400, bad)
            self.assertEqual(r.get_json()["field"], field, r.get_json())
        self.assertEqual(billing.items(self.p.db), before)
        self.assertEqual(len(audit.recent(self.p.db)), n_audit)
        r = self.post(fin, f"/api/billing/items/{iid}", {"name": "Management fee", "basis": "per_area", "rate": "1.50",
                                                         "schedule": "monthly", "effective_from": "2026-01-01"})
        self.assertEqual(r.status_code, 200, r.get_json())
        self.assertEqual(billing.item(self.p.db, iid)["rate_fen"], 150)
        self.assertTrue(any(a["action"] == "billing.item.edit" for a in audit.recent(self.p.db)))
        # pages render
        page = fin.get(f"/billing/items/{iid}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Management fee", fin.get("/billing").get_data(as_text=True))

    def test_roles_and_csrf(self):
        body = {"name": "Fee", "rate": "10", "effective_from": "2026-01-01"}
        for login in ("op", "ro"):
            c = self.api(login)
            self.assertEqual(self.post(c, "/api/billing/items", body).status_code, 403, login)
            self.assertEqual(self.post(c, "/api/billing/close", {"end": "2026-02-01"}).status_code, 403, login)
        t = self.api("t1")
        self.assertEqual(self.post(t, "/api/billing/items", body).status_code, 403)
        self.assertEqual(t.get("/api/billing/statements").status_code, 403)
        adm = self.api("admin")
        r = adm.post("/api/billing/items", json=body)  # no CSRF token
        self.assertEqual(r.status_code, 400)
        self.assertEqual(billing.items(self.p.db), [])
        self.assertEqual(self.post(adm, "/api/billing/items", body).status_code, 200)

    # ---- groups and the close ----
    def _groups(self, fin):
        r = self.post(fin, "/api/billing/masters", {"name": "Corridor", "address": "000000009001"})
        self.assertEqual(r.status_code, 200, r.get_json())
        master = r.get_json()["id"]
        bad = [({"members": []}, "members"), ({"members": [{"meter_id": 424242}]}, "members"),
               ({"method": "ratio", "members": [{"meter_id": self.m1, "ratio": 0}]}, "members"),
               ({"master_meter_id": 7777}, "master_meter_id"), ({"tariff_id": self.f.water}, "tariff_id"),
               ({"method": "random"}, "method")]
        for change, field in bad:
            body = {"name": "Corridor", "master_meter_id": master, "method": "ratio", "tariff_id": self.f.tariff,
                    "members": [{"meter_id": self.m1, "ratio": 3}, {"meter_id": self.m2, "ratio": 1}]}
            body.update(change)
            r = self.post(fin, "/api/billing/groups", body)
            self.assertEqual(r.status_code, 400, change)
            self.assertEqual(r.get_json()["field"], field)
        self.assertEqual(billing.groups(self.p.db), [])
        r = self.post(fin, "/api/billing/groups", {"name": "Corridor", "master_meter_id": master, "method": "ratio",
                                                   "tariff_id": self.f.tariff,
                                                   "members": f"{self.m1}:3, {self.m2}:1"})
        self.assertEqual(r.status_code, 200, r.get_json())
        return master

    def test_close_items_groups_postpaid_statements_and_restart(self):
        fin = self.api("fin")
        # household 2 is postpaid (before any money movement)
        r = self.post(fin, f"/api/billing/accounts/{self.h2}/kind", {"kind": "postpaid"})
        self.assertEqual(r.status_code, 200, r.get_json())
        self.assertEqual(self.post(fin, f"/api/billing/accounts/{self.h2}/kind", {"kind": "weekly"}).status_code, 400)
        self.assertEqual(self.post(fin, "/api/billing/items", {"name": "Management", "rate": "20.00",
                                                               "effective_from": "2026-01-01"}).status_code, 200)
        master = self._groups(fin)
        self.p.money.run("recharge", {"household": self.h1, "fen": 20000, "at": ts("2026-01-02"), "sequence": 1},
                         ts("2026-01-02"), "test")
        self.settle([(self.m1, ts("2026-01-02"), 1000000), (self.m2, ts("2026-01-02"), 2000000)])
        self.settle([(self.m1, ts("2026-01-20"), 1100000), (self.m2, ts("2026-01-20"), 2050000)])
        billing.read_master(self.p, master, ts("2026-01-02"), 500000, "test")
        billing.read_master(self.p, master, ts("2026-01-31", 23), 700000, "test")
        # bad closes change nothing
        for end in ("2026-01-15", "2099-01-01", "nonsense", "1999-01-01"):
            r = self.post(fin, "/api/billing/close", {"end": end})
            self.assertEqual(r.status_code, 400, end)
        self.assertIsNone(billing.setting(self.p.db, "first_end"))
        self.assertEqual(billing.closes(self.p.db), [])
        before_close = self.balances()

        r = self.post(fin, "/api/billing/close", {"end": "2026-02-01"})
        self.assertEqual(r.status_code, 200, r.get_json())
        self.assertEqual(r.get_json()["statements"], 1)
        self.assertEqual(r.get_json()["period"]["end"], "2026-03-01")
        after = self.balances()
        self.p.money.verify()
        # the charge item: 20.00 each; common area: 200 kWh of the master minus 150 kWh of members = 50 kWh,
        # split 3:1 between the two accounts
        self.assertEqual(after[self.h1][2], Decimal("20.00"))
        self.assertEqual(after[self.h2][2], Decimal("20.00"))
        s1, s2 = after[self.h1][3], after[self.h2][3]
        self.assertGreater(s1, 0)
        self.assertGreater(s1, s2)
        self.assertEqual(after[self.h1][0], before_close[self.h1][0] - Decimal("20.00") - s1)
        shares = self.api("ro").get(f"/api/billing/households/{self.h1}/shares").get_json()
        self.assertEqual(len(shares["groups"]), 1)
        self.assertEqual(sum(c["amount_fen"] for c in shares["charged"]), int(s1 * 100))
        # the next close must be the open period's end
        self.assertEqual(self.post(fin, "/api/billing/close", {"end": "2026-04-01"}).status_code, 400)
        # groups and kinds are fixed now
        self.assertEqual(self.post(fin, "/api/billing/masters", {"name": "Lift", "address": "000000009002"})
                         .status_code, 400)
        # the statement: generated -> confirmed -> issued
        st = self.api("fin").get("/api/billing/statements").get_json()
        self.assertEqual(len(st), 1)
        sid = st[0]["statement_id"]
        self.assertEqual(st[0]["household_id"], self.h2)
        self.assertEqual(st[0]["closing_fen"], int(self.p.money.account(self.h2).owed * 100))
        self.assertGreater(st[0]["closing_fen"], 2000)
        self.assertEqual(self.post(fin, f"/api/billing/statements/{sid}/issue",
                                   {"issue_date": "2026-02-02", "due_date": "2026-02-20"}).status_code, 400)
        self.assertEqual(self.post(fin, f"/api/billing/statements/{sid}/confirm", {}).status_code, 200)
        self.assertEqual(self.post(fin, f"/api/billing/statements/{sid}/issue",
                                   {"issue_date": "2026-02-02", "due_date": "2026-01-20"}).status_code, 400)
        self.assertEqual(self.post(fin, f"/api/billing/statements/{sid}/issue",
                                   {"issue_date": "2026-02-02", "due_date": "2026-02-20"}).status_code, 200)
        # tenants: own statements only
        t2, t1 = self.api("t2"), self.api("t1")
        self.assertEqual([s["statement_id"] for s in t2.get("/api/my/statements").get_json()], [sid])
        self.assertEqual(t2.get(f"/api/my/statements/{sid}").status_code, 200)
        self.assertEqual(t1.get("/api/my/statements").get_json(), [])
        self.assertEqual(t1.get(f"/api/my/statements/{sid}").status_code, 404)
        self.assertEqual(t1.get("/api/billing/arrears").status_code, 403)
        # arrears and CSV
        ar = fin.get("/api/billing/arrears?as_of=2026-04-01").get_json()["rows"]
        self.assertEqual(ar[0]["household_id"], self.h2)
        self.assertEqual(ar[0]["total_fen"], st[0]["closing_fen"])
        self.assertEqual(fin.get("/api/billing/arrears?as_of=bad").status_code, 400)
        csv_text = fin.get("/api/billing/statements.csv").get_data(as_text=True)
        self.assertIn(f"{sid},{self.h2},2026-01-01,2026-02-01,issued", csv_text.replace("\r", ""))
        for page in ("/billing", f"/billing/statements/{sid}", f"/billing/households/{self.h1}", "/billing/arrears"):
            self.assertEqual(fin.get(page).status_code, 200, page)
        self.assertTrue(any(a["action"] == "billing.close" for a in audit.recent(self.p.db)))

        # restart: the Site is rebuilt with the first period's end and every input re-run
        accounts_before = {h: self.p.money.account(h) for h in (self.h1, self.h2)}
        self.f.restart()
        self.p = self.f.p
        self.p.money.verify()
        for h, v in accounts_before.items():
            self.assertEqual(self.p.money.account(h), v)
        self.assertEqual(billing.period(self.p)["end"], "2026-03-01")
        self.assertEqual(len(billing.statements(self.p.db)), 1)

    def test_pages_forms_csrf_and_tenant_pages(self):
        import re
        c = self.app.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").get_data(as_text=True)).group(1)
        r = c.post("/login", data={"login": "fin", "password": self.f.passwords["fin"], "csrf_token": token})
        self.assertEqual(r.status_code, 302)
        page = c.get("/billing").get_data(as_text=True)
        self.assertIn('id="close-period"', page)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = {"name": "Cleaning", "basis": "fixed", "rate": "5", "schedule": "monthly",
                "effective_from": "2026-01-01", "household_id": "0"}
        self.assertEqual(c.post("/billing/items/new", data=form).status_code, 400)  # no CSRF token
        self.assertEqual(billing.items(self.p.db), [])
        r = c.post("/billing/items/new", data=dict(form, rate="5.001", csrf_token=token), follow_redirects=True)
        self.assertIn("rate:", r.get_data(as_text=True))
        self.assertEqual(billing.items(self.p.db), [])
        r = c.post("/billing/items/new", data=dict(form, csrf_token=token), follow_redirects=True)
        self.assertIn("charge item 1 added", r.get_data(as_text=True))
        r = c.post("/billing/close", data={"end": "2026-02-01", "csrf_token": token}, follow_redirects=True)
        self.assertIn("period closed", r.get_data(as_text=True))
        self.assertEqual(billing.period(self.p)["end"], "2026-03-01")
        ro = self.app.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', ro.get("/login").get_data(as_text=True)).group(1)
        ro.post("/login", data={"login": "ro", "password": self.f.passwords["ro"], "csrf_token": token})
        page = ro.get("/billing").get_data(as_text=True)
        self.assertNotIn('id="close-period"', page)  # viewers see no change forms
        self.assertIn("Cleaning", page)
        t = self.app.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', t.get("/login").get_data(as_text=True)).group(1)
        t.post("/login", data={"login": "t1", "password": self.f.passwords["t1"], "csrf_token": token})
        self.assertEqual(t.get("/my/statements").status_code, 200)
        self.assertEqual(t.get("/billing").status_code, 403)

    def test_crash_after_close_before_statements_stored(self):
        """The close reached the journal but the process stopped before its statements were stored:
        the restart re-runs the close (a repeat for the Site) and stores them, balances unchanged."""
        billing.set_account_kind(self.p, self.h2, "postpaid", "test")
        self.settle([(self.m2, ts("2026-01-02"), 2000000)])
        self.settle([(self.m2, ts("2026-01-25"), 2080000)])
        with self.assertRaises(InputError):  # readings posted as debt: the kind is fixed now
            billing.set_account_kind(self.p, self.h2, "prepaid", "test")
        self.assertEqual(billing.account_kind(self.p.db, self.h2), "postpaid")
        billing.close(self.p, "2026-02-01", "test")
        owed = self.p.money.account(self.h2).owed
        self.assertEqual(len(billing.statements(self.p.db)), 1)
        with self.p.db.transaction():
            self.p.db.execute("DELETE FROM billing_statements")
            self.p.db.execute("UPDATE site_inputs SET state = 'pending' WHERE kind = 'close'")
        self.f.restart()
        self.p = self.f.p
        self.assertEqual(self.p.money.account(self.h2).owed, owed)
        st = billing.statements(self.p.db)
        self.assertEqual(len(st), 1)
        self.assertEqual(st[0]["closing_fen"], int(owed * 100))
        self.p.money.verify()

    def test_item_changes_after_a_close_keep_closed_periods(self):
        fin = self.api("fin")
        body = {"name": "Management", "rate": "20.00", "effective_from": "2026-01-01"}
        iid = self.post(fin, "/api/billing/items", body).get_json()["id"]
        self.assertEqual(self.post(fin, "/api/billing/close", {"end": "2026-02-01"}).status_code, 200)
        items_after_first = {h: self.p.money.account(h).items for h in (self.h1, self.h2)}
        self.assertEqual(items_after_first[self.h1], Decimal("20.00"))
        # the item billed a closed period: a new rate is refused, its end may move from the open period on
        r = self.post(fin, f"/api/billing/items/{iid}", dict(body, rate="25.00"))
        self.assertEqual(r.status_code, 400)
        self.assertEqual(self.post(fin, f"/api/billing/items/{iid}", dict(body, effective_to="2026-01-15"))
                         .status_code, 400)
        self.assertEqual(self.post(fin, f"/api/billing/items/{iid}", dict(body, effective_to="2026-03-01"))
                         .status_code, 200)
        r = self.post(fin, "/api/billing/items", {"name": "Late", "rate": "1", "effective_from": "2026-01-01"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r.get_json()["field"], "effective_from")
        self.assertEqual(self.post(fin, "/api/billing/items", {"name": "Water heater", "rate": "3.00",
                                                               "effective_from": "2026-03-01"}).status_code, 200)
        self.assertEqual(self.post(fin, "/api/billing/close", {"end": "2026-03-01"}).status_code, 200)
        self.assertEqual(self.post(fin, "/api/billing/close", {"end": "2026-04-01"}).status_code, 200)
        # 20.00 for January and February, then 3.00 for March (the first item ended 2026-03-01)
        self.assertEqual(self.p.money.account(self.h1).items, Decimal("43.00"))
        before = self.balances()
        self.f.restart()
        self.p = self.f.p
        self.assertEqual(self.balances(), before)
        self.p.money.verify()

    def test_scheduled_close(self):
        billing.set_schedule(self.p, "monthly", "test")
        self.assertEqual(billing.close_due(self.p, ts("2026-03-15")), 1)  # fixes the first end at 2026-03-01
        self.assertEqual(billing.period(self.p)["end"], "2026-04-01")
        self.assertEqual(billing.close_due(self.p, ts("2026-03-31", 23)), 0)
        self.assertEqual(billing.close_due(self.p, ts("2026-05-02")), 2)
        self.assertEqual(billing.period(self.p)["end"], "2026-06-01")
        billing.set_schedule(self.p, "off", "test")
        self.assertEqual(billing.close_due(self.p, ts("2026-09-02")), 0)
        with self.assertRaises(InputError):
            billing.set_schedule(self.p, "daily", "test")

    def test_scheduler_job(self):
        from prepay_platform.field.schedule import Scheduler
        billing.set_schedule(self.p, "monthly", "test")
        sched = Scheduler(self.p.db, [billing.job(self.p)])
        ran = sched.run_due(ts("2026-03-01", 0) + 60)  # just after local midnight of March 1st
        self.assertEqual(ran[0]["ok"], 1, ran)
        self.assertEqual(billing.period(self.p)["end"], "2026-04-01")
        self.assertEqual(sched.run_due(ts("2026-03-01", 12)), [])  # same day: already run
        self.assertEqual(sched.run_due(ts("2026-03-02", 1))[0]["ok"], 0)


if __name__ == "__main__":
    unittest.main()
