#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fault-injection harness for the journal: kill -9, torn writes, EIO, ENOSPC, power cuts.

Usage:
    fault_run.py --prepay PREPAY --shim fault_shim.so --flow fault_ledger_flow
                 [--cycles N] [--seed S] [--flows cli,library] [--keep DIR]

Each cycle picks a flow and a fault, runs one operation of the flow under
the LD_PRELOAD shim (fault_shim.c: the n-th write, pwrite, fsync or
fdatasync of a file in the work directory is killed before or after it,
torn, or fails with EIO or ENOSPC; or the process is killed at a random
moment), sometimes simulates a power cut afterwards (the journal loses a
random part of what was never fsynced, or keeps it as zeros), retries some
operations whose outcome was unknown with the same ids, and then recovers
read-only and checks, against the harness's own record of what each
process acknowledged:

    lost     acknowledged operations missing from the recovered ledger
             (also: an acknowledged expiry whose reservation is not expired)
    doubled  operations present twice, or a balance that is not the sum of
             the operations present (money applied twice or half)
    phantom  operations present that were never attempted, or refused ones
    failed   a recovery that refused the journal, or a verify that failed

The last line is "cycles N, acknowledged A, lost L, doubled D" (L and D
must be 0; the exit status is 0 only if every check passed). FAULT_CYCLES
and FAULT_SEED override --cycles and --seed; FAULT_FLOWS overrides --flows.

Flows are pluggable: a flow is a class with setup(), cycle(rng, fault) and
observe() (see Flow below), registered in FLOWS. `cli` drives `prepay
ledger` (recharges, deductions, snapshots); `library` drives the C API
through fault_ledger_flow.c (group commit, pipelined seal/sync, snapshots,
reservations with deadlines and their expiry batches);
`settlement` drives the settlement module through fault_settlement_flow.c
(reading batches, recharges and period closes, one commit each; its dump also
re-runs every input over the recovered ledger and fails unless the books
equal an uninterrupted run's).
"""
import argparse
import collections
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

KINDS = ["none", "kill", "kill-after", "torn", "eio", "enospc", "timer"]
WEIGHTS = [6, 20, 14, 22, 16, 10, 12]
TIMEOUT = 300  # seconds for one process: a generous budget, never a measurement


class Fault:
    """One fault: the shim's environment, or a kill after `delay` seconds (timer)."""

    def __init__(self, kind, at=0, keep=0, delay=0.0):
        self.kind, self.at, self.keep, self.delay = kind, at, keep, delay

    def env(self):
        if self.kind in ("none", "timer"):
            return {"FAULT_AT": "0"}
        return {"FAULT_KIND": self.kind, "FAULT_AT": str(self.at), "FAULT_KEEP": str(self.keep)}


class Harness:
    def __init__(self, args, workdir):
        self.args = args
        self.workdir = os.path.realpath(workdir)
        self.log = os.path.join(self.workdir, "sync.log")
        self.stats = os.path.join(self.workdir, "calls.log")
        self.counts = collections.Counter()
        self.runs = []  # (returncode, write/sync calls) of every process run

    def environment(self, fault):
        env = dict(os.environ)
        env.update(fault.env())
        env["LD_PRELOAD"] = self.args.shim
        env["FAULT_TARGET"] = os.path.join(self.workdir, "data")
        env["FAULT_LOG"] = self.log
        env["FAULT_STATS"] = self.stats
        # The shim is preloaded ahead of a sanitizer runtime: tell ASan that is fine.
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0").lstrip(":")
        return env

    def run(self, argv, fault):
        """Runs one process under the shim; returns (returncode, stdout, stderr)."""
        try:
            os.unlink(self.stats)
        except FileNotFoundError:
            pass
        env = self.environment(fault)
        if fault.kind == "timer":
            p = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(fault.delay)
            try:
                p.send_signal(signal.SIGKILL)
            except ProcessLookupError:
                pass
            out, err = p.communicate(timeout=TIMEOUT)
            result = (p.returncode, out, err)
        else:
            r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=TIMEOUT)
            result = (r.returncode, r.stdout, r.stderr)
        calls = 0
        try:
            with open(self.stats) as f:
                calls = sum(int(line.split()[1]) for line in f if line.startswith("calls"))
        except FileNotFoundError:
            pass
        self.runs.append((result[0], calls))
        if self.args.verbose:
            print("run %s [%s at %d keep %d] -> %d, %d calls: %s %s" % (
                " ".join(os.path.basename(a) for a in argv[1:]), fault.kind, fault.at, fault.keep, result[0],
                calls, result[1].strip()[:160].replace("\n", " | "), result[2].strip()[:200].replace("\n", " | ")))
        if fault.kind not in ("none", "timer"):
            self.counts["fault " + fault.kind + (" injected" if fault.at <= calls else " not reached")] += 1
        elif fault.kind == "timer":
            self.counts["fault timer " + ("killed" if result[0] == -signal.SIGKILL else "finished first")] += 1
        return result

    def after(self, flow, returncode, rng):
        """After the operation under the fault: a crash may come with a power cut (before any retry)."""
        if returncode < 0 and rng.random() < 0.5:
            self.power_cut(os.path.realpath(flow.journal), rng)
            if self.args.verbose:
                print("power cut: %s now %d bytes" % (flow.journal, os.path.getsize(flow.journal)))

    def durable_size(self, path):
        """Size after the last successful fsync of path (None if it was never synced)."""
        size = None
        try:
            with open(self.log) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 3 and parts[0] == "sync" and parts[1] == path:
                        size = int(parts[2])
        except FileNotFoundError:
            pass
        return size

    def power_cut(self, path, rng):
        """Drops (or zeroes) a random part of the bytes appended since the last fsync."""
        durable = self.durable_size(path)
        if durable is None or not os.path.exists(path):
            return
        size = os.path.getsize(path)
        if size <= durable:
            self.counts["power cut: nothing unsynced"] += 1
            return
        keep = rng.randint(durable, size)
        with open(path, "r+b") as f:
            f.truncate(keep)
            if rng.random() < 0.3:
                f.seek(keep)
                f.write(b"\0" * rng.randint(1, size - keep + 1))  # extended, never written: zeros
                self.counts["power cut: zero-filled tail"] += 1
        self.counts["power cut: %s" % ("all unsynced bytes lost" if keep == durable else "part kept")] += 1


class Flow:
    """A workload under faults. The model: id -> signed effect on the checked balance."""

    name = None

    def __init__(self, harness):
        self.h = harness
        self.dir = os.path.join(harness.workdir, "data", self.name)
        os.makedirs(self.dir)
        self.journal = os.path.join(self.dir, "ledger.journal")
        self.acked = {}    # acknowledged: must be present exactly once
        self.maybe = {}    # outcome unknown: present at most once
        self.refused = set()  # refused: must be absent
        self.cycles = 0
        self.calls = collections.deque([4], maxlen=8)  # write/sync calls of recent operations

    def acknowledge(self, op_id, effect):
        self.acked[op_id] = effect
        self.maybe.pop(op_id, None)
        self.refused.discard(op_id)

    def setup(self):
        raise NotImplementedError

    def cycle(self, rng, fault):
        """Runs one operation under `fault` (then Harness.after()), and retries; returns True on a crash."""
        raise NotImplementedError

    def observe(self):
        """Recovers read-only: (ok, Counter of ids, balance, message)."""
        raise NotImplementedError


class CliFlow(Flow):
    """`prepay ledger` on one wallet: recharges, deductions, snapshots."""

    name = "cli"
    WALLET = "1001"

    def tool(self, fault, *args):
        argv = [self.h.args.prepay, "ledger", "--journal", self.journal, "--json"] + list(args)
        return self.h.run(argv, fault)

    def setup(self):
        rc, out, err = self.tool(Fault("none"), "open", self.WALLET, "--kind", "wallet")
        if rc != 0:
            raise RuntimeError("cli setup: " + err)
        self.next_id = 1

    def operation(self, rng, fault, op_id=None, effect=None):
        if op_id is None:
            op_id = self.next_id
            self.next_id += 1
            fen = rng.randint(1, 500)
            effect = fen if rng.random() < 0.7 else -fen
        amount = "%d.%02d" % divmod(abs(effect), 100)
        if effect > 0:
            args = ("recharge", self.WALLET, amount, "--payment-id", str(op_id), "--time", "2026-03-01")
        else:
            args = ("deduct", self.WALLET, amount, "--item", "electricity", "--id", str(op_id),
                    "--time", "2026-03-01")
        rc, out, err = self.tool(fault, *args)
        if rc == 0:
            doc = json.loads(out.strip().splitlines()[-1])
            if doc.get("result") in ("ok", "exists"):
                self.acknowledge(op_id, effect)
            else:
                self.maybe[op_id] = effect
        elif rc == 1 and "refused" in err:
            # Refused before anything was written; it stays refused unless a retry finds it applied.
            self.maybe.pop(op_id, None)
            if op_id not in self.acked:
                self.refused.add(op_id)
        else:
            self.maybe[op_id] = effect
        return rc

    def cycle(self, rng, fault):
        self.cycles += 1
        if rng.random() < 0.1:
            rc, out, err = self.tool(fault, "snapshot")
        else:
            rc = self.operation(rng, fault)
        crashed = rc < 0
        self.h.after(self, rc, rng)
        # Clients retry what they were not told, with the same id.
        for op_id in rng.sample(sorted(self.maybe), min(len(self.maybe), 2)):
            self.operation(rng, Fault("none"), op_id, self.maybe[op_id])
        return crashed

    def observe(self):
        rc, out, err = self.tool(Fault("none"), "verify")
        if rc != 0:
            return False, None, None, "verify failed: " + err.strip()
        verify = json.loads(out)
        self.h.counts["cli: recorded cuts (latest verify)"] = verify["cuts"]
        rc, out, err = self.tool(Fault("none"), "history", self.WALLET)
        if rc != 0:
            return False, None, None, "history failed: " + err.strip()
        ids = collections.Counter(t["id"] for t in json.loads(out)["transfers"])
        rc, out, err = self.tool(Fault("none"), "balance", self.WALLET)
        if rc != 0:
            return False, None, None, "balance failed: " + err.strip()
        yuan = json.loads(out)["balance"]
        sign = -1 if yuan.startswith("-") else 1
        whole, cents = yuan.lstrip("-").split(".")
        return True, ids, sign * (int(whole) * 100 + int(cents)), ""


class LibraryFlow(Flow):
    """The C API through fault_ledger_flow: batches, pipelining, snapshots, expiries (ids as in that file)."""

    name = "library"
    MODES = ["submit", "pipelined", "snapshot", "expiry"]
    RESERVATION_BASE = 1 << 40  # reservation ids: this + the first transfer id of their batch

    def __init__(self, harness):
        super().__init__(harness)
        self.expired_acked = set()  # reservations whose expiry was acknowledged: must stay expired
        self.expired_seen = set()

    @classmethod
    def effect(cls, op_id):
        if op_id >= cls.RESERVATION_BASE:
            return 0  # pending, then expired: never a posted amount
        amount = 1 + (op_id * 7919) % 500
        return -amount if op_id % 4 == 3 else amount

    def lost_expiries(self):
        return sorted(self.expired_acked - self.expired_seen)

    def flow(self, fault, *args):
        return self.h.run([self.h.args.flow, self.journal] + list(args), fault)

    def setup(self):
        rc, out, err = self.flow(Fault("none"), "run", "1", "0", "1", "submit")
        if rc != 0:
            raise RuntimeError("library setup: " + out + err)
        self.next_id = 1

    def run_range(self, fault, first, count, batch, mode):
        rc, out, err = self.flow(fault, "run", str(first), str(count), str(batch), mode)
        told = set()
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == "ack":
                op_id = int(parts[1])
                self.acknowledge(op_id, self.effect(op_id))
                told.add(op_id)
            elif len(parts) == 2 and parts[0] == "refused":
                op_id = int(parts[1])
                told.add(op_id)
                if op_id not in self.acked:
                    self.maybe.pop(op_id, None)
                    self.refused.add(op_id)
            elif len(parts) == 2 and parts[0] == "expired":
                self.expired_acked.add(int(parts[1]))
        attempted = list(range(first, first + count))
        if mode == "expiry":
            attempted += [self.RESERVATION_BASE + f for f in range(first, first + count, batch)]
        for op_id in attempted:
            if op_id not in told and op_id not in self.acked:
                self.maybe[op_id] = self.effect(op_id)
        return rc

    def cycle(self, rng, fault):
        self.cycles += 1
        first, count = self.next_id, rng.randint(1, 40)
        self.next_id += count
        batch, mode = rng.randint(1, 8), rng.choice(self.MODES)
        self.h.counts["library mode " + mode] += 1
        rc = self.run_range(fault, first, count, batch, mode)
        self.h.after(self, rc, rng)
        transfers = [i for i in self.maybe if i < self.RESERVATION_BASE]
        if transfers and rng.random() < 0.5:
            # Retry the unknown ones of some earlier range, with the same ids.
            low = min(transfers)
            self.run_range(Fault("none"), low, min(40, self.next_id - low), rng.randint(1, 8), "submit")
        return rc < 0

    def observe(self):
        rc, out, err = self.flow(Fault("none"), "dump")
        lines = out.splitlines()
        if rc != 0 or not lines or not lines[0].startswith("ok "):
            return False, None, None, "recovery failed: " + out.strip() + err.strip()
        head = lines[0].split()
        self.h.counts["library: recorded cuts (latest dump)"] = int(head[3])
        ids = collections.Counter(int(line.split()[1]) for line in lines[1:] if line.startswith("t "))
        self.expired_seen = {int(line.split()[1]) for line in lines[1:] if line.startswith("x ")}
        self.h.counts["library: expired reservations (latest dump)"] = len(self.expired_seen)
        self.h.counts["library: expiries acknowledged"] = len(self.expired_acked)
        return True, ids, int(head[2]), ""


class SettlementFlow(Flow):
    """Settlement inputs through fault_settlement_flow: each run re-runs the scenario's inputs from the first."""

    name = "settlement"

    def flow(self, fault, *args):
        return self.h.run([self.h.args.settlement_flow, self.journal] + list(args), fault)

    def setup(self):
        rc, out, err = self.flow(Fault("none"), "plan")
        if rc != 0:
            raise RuntimeError("settlement plan: " + out + err)
        self.op_ids = collections.defaultdict(list)  # input -> [(transfer id, effect)]
        for line in out.splitlines():
            parts = line.split()
            if parts[0] == "ops":
                self.ops = int(parts[1])
            elif parts[0] == "op":
                self.op_ids[int(parts[1])].append((int(parts[2]), int(parts[3])))
        self.next_op = 0
        rc, out, err = self.flow(Fault("none"), "run", "0")  # creates the journal and the accounts
        if rc != 0:
            raise RuntimeError("settlement setup: " + out + err)

    def cycle(self, rng, fault):
        self.cycles += 1
        upto = min(self.ops, self.next_op + rng.randint(1, 12))
        rc, out, err = self.flow(fault, "run", str(upto))
        told = set()
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == "ack":
                told.add(int(parts[1]))
        for op in range(upto):
            for op_id, effect in self.op_ids[op]:
                if op in told:
                    self.acknowledge(op_id, effect)
                elif op_id not in self.acked:
                    self.maybe[op_id] = effect
        self.next_op = upto
        self.h.counts["settlement inputs reached %s" % ("all" if upto == self.ops else "part")] += 1
        self.h.after(self, rc, rng)
        return rc < 0

    def observe(self):
        rc, out, err = self.flow(Fault("none"), "dump")
        lines = out.splitlines()
        if rc != 0 or not lines or not lines[0].startswith("ok "):
            return False, None, None, "recovery or replay failed: " + out.strip()[:200] + err.strip()[:200]
        head = lines[0].split()
        ids = collections.Counter(int(line.split()[1]) for line in lines[1:] if line.startswith("t "))
        return True, ids, int(head[2]), ""


FLOWS = {"cli": CliFlow, "library": LibraryFlow, "settlement": SettlementFlow}


def choose_fault(rng, flow):
    kind = rng.choices(KINDS, WEIGHTS)[0]
    if kind == "timer":
        return Fault("timer", delay=rng.uniform(0.0, 0.05))
    if kind == "none":
        return Fault("none")
    # Any write or sync of the operation: as many call numbers as recent operations made, plus one.
    limit = max(flow.calls) + 1
    return Fault(kind, at=rng.randint(1, limit), keep=rng.choice([0, 1, 7, 20, 36, 100, 150, 4000]))


def check(flow, ok, ids, balance, message, totals):
    problems = []
    if not ok:
        totals["failed"] += 1
        return [message]
    lost = [i for i in flow.acked if ids[i] == 0]
    doubled = [i for i, n in ids.items() if n > 1]
    phantom = [i for i in ids if i not in flow.acked and i not in flow.maybe]
    expected = sum(flow.acked.get(i, flow.maybe.get(i, 0)) for i in ids)
    if balance != expected:
        problems.append("balance %d, expected %d from the operations present" % (balance, expected))
        totals["doubled"] += 1
    if lost:
        problems.append("lost %s" % lost[:10])
        totals["lost"] += len(lost)
    lost_expiries = flow.lost_expiries() if hasattr(flow, "lost_expiries") else []
    if lost_expiries:
        problems.append("acknowledged expiry lost %s" % lost_expiries[:10])
        totals["lost"] += len(lost_expiries)
    if doubled:
        problems.append("doubled %s" % doubled[:10])
        totals["doubled"] += len(doubled)
    if phantom:
        problems.append("phantom or refused-but-present %s" % phantom[:10])
        totals["phantom"] += len(phantom)
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prepay", required=True)
    parser.add_argument("--shim", required=True)
    parser.add_argument("--flow", required=True)
    parser.add_argument("--settlement-flow", default=None, help="fault_settlement_flow (for the settlement flow)")
    parser.add_argument("--cycles", type=int, default=40)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--flows", default="cli,library")
    parser.add_argument("--keep", default=None, help="work in this directory and keep it")
    parser.add_argument("--verbose", action="store_true", help="one line per process run")
    args = parser.parse_args()
    args.prepay, args.shim, args.flow = (os.path.abspath(p) for p in (args.prepay, args.shim, args.flow))
    if args.settlement_flow:
        args.settlement_flow = os.path.abspath(args.settlement_flow)
    cycles = int(os.environ.get("FAULT_CYCLES", args.cycles))
    seed = int(os.environ.get("FAULT_SEED", args.seed if args.seed is not None else time.time_ns() % 1000000))
    names = os.environ.get("FAULT_FLOWS", args.flows).split(",")
    if "settlement" in names and not args.settlement_flow:
        names.remove("settlement")  # the flow program was not given
    rng = random.Random(seed)
    workdir = args.keep or tempfile.mkdtemp(prefix="prepay-fault-")
    os.makedirs(os.path.join(workdir, "data"), exist_ok=True)
    harness = Harness(args, workdir)
    flows = [FLOWS[n](harness) for n in names]
    for f in flows:
        f.setup()
    totals = collections.Counter()
    failures = []
    started = time.monotonic()
    for c in range(cycles):
        flow = flows[c % len(flows)]
        fault = choose_fault(rng, flow)
        first_run = len(harness.runs)
        flow.cycle(rng, fault)
        returncode, calls = harness.runs[first_run]  # the operation under the fault
        if returncode >= 0:
            flow.calls.append(calls)
        problems = check(flow, *flow.observe(), totals)
        if problems:
            failures.append("cycle %d (%s, fault %s at %d keep %d): %s"
                            % (c, flow.name, fault.kind, fault.at, fault.keep, "; ".join(problems)))
            if len(failures) >= 5:
                break
    acknowledged = sum(len(f.acked) for f in flows)
    print("fault injection: seed %d, flows %s, %.1f s, work directory %s" %
          (seed, ",".join(names), time.monotonic() - started, workdir))
    for f in flows:
        print("  %-8s cycles %d, acknowledged %d, unknown outcome %d, refused %d"
              % (f.name, f.cycles, len(f.acked), len(f.maybe), len(f.refused)))
    for key in sorted(harness.counts):
        print("  %-45s %d" % (key, harness.counts[key]))
    for line in failures:
        print("FAILED " + line)
    print("cycles %d, acknowledged %d, lost %d, doubled %d" %
          (sum(f.cycles for f in flows), acknowledged, totals["lost"], totals["doubled"]))
    ok = not failures and acknowledged > 0
    if ok and not args.keep:
        shutil.rmtree(workdir)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
