# SPDX-License-Identifier: MIT
"""Helpers of the field tests (tests/field): an emulator child process, the
prepay meter command, a recording TCP proxy, and a minimal pcap writer.

Every wait is bounded by a generous budget and ends as soon as the awaited
event happens, so the tests do not depend on the speed or load of the
machine (a slow machine only makes them slower).
"""
import json
import os
import socket
import struct
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))

# Generous budgets (seconds): waits end as soon as the event happens.
START_BUDGET = 60.0
COMMAND_BUDGET = 600.0
REPLY_TIMEOUT_MS = "3000"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Emulator:
    """prepay-emu on a site file; stopped (state-free) by stop()."""

    def __init__(self, emu, site, *options, ready=("bus_port",)):
        self.dir = tempfile.mkdtemp(prefix="prepay-field-")
        self.ready_file = os.path.join(self.dir, "ready")
        self.log_path = os.path.join(self.dir, "emu.log")
        self.log = open(self.log_path, "w")
        args = [emu, site, "--ready-file", self.ready_file, "--exit-with-parent"] + list(options)
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        self.info = {}
        deadline = time.monotonic() + START_BUDGET
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("prepay-emu exited: " + self.output())
            if os.path.exists(self.ready_file):
                with open(self.ready_file) as f:
                    text = f.read()
                if text.endswith("\n"):
                    for line in text.splitlines():
                        key, _, value = line.partition("=")
                        self.info[key] = value
                    if all(k in self.info for k in ready):
                        break
            time.sleep(0.02)
        else:
            self.stop()
            raise RuntimeError("prepay-emu did not become ready: " + self.output())

    @property
    def port(self):
        return int(self.info["bus_port"])

    def output(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=START_BUDGET)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class Result:
    def __init__(self, completed):
        self.code = completed.returncode
        self.out = completed.stdout
        self.err = completed.stderr

    def json_lines(self):
        return [json.loads(line) for line in self.out.splitlines() if line.startswith("{")]

    def __repr__(self):
        return "exit %d\nstdout:\n%s\nstderr:\n%s" % (self.code, self.out, self.err)


def run(tool, *args, stdin=None):
    completed = subprocess.run([tool] + [str(a) for a in args], capture_output=True, text=True,
                               timeout=COMMAND_BUDGET, input=stdin)
    return Result(completed)


def meter(tool, link, *args):
    """prepay meter with a generous reply timeout; link is the list of connection options."""
    return run(tool, "meter", *link, "--timeout", REPLY_TIMEOUT_MS, *args)


def values(result):
    """{(meter, di or name): value text} of --json output."""
    out = {}
    for obj in result.json_lines():
        for v in obj.get("values", []):
            out[(obj.get("meter"), v.get("di") or v["name"])] = v["value"]
    return out


class RecordingProxy:
    """Forwards one TCP connection at a time to a target and records the bytes
    of each direction in arrival order: [(direction, bytes)], direction 0 =
    station to meter, 1 = meter to station."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.chunks = []
        self.lock = threading.Lock()
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _pump(self, src, dst, direction):
        while True:
            try:
                data = src.recv(4096)
            except OSError:
                data = b""
            if not data:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            with self.lock:
                self.chunks.append((direction, data))
            dst.sendall(data)

    def _serve(self):
        while not self.stopping:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            a = threading.Thread(target=self._pump, args=(client, upstream, 0), daemon=True)
            b = threading.Thread(target=self._pump, args=(upstream, client, 1), daemon=True)
            a.start()
            b.start()
            a.join()
            b.join()
            client.close()
            upstream.close()

    def stop(self):
        self.stopping = True
        self.listener.close()


def split_frames(stream):
    """Splits bus bytes into DL/T 645 frames (with their FE preamble); skips noise."""
    frames = []
    i = 0
    while i < len(stream):
        j = i
        while j < len(stream) and stream[j] == 0xFE:
            j += 1
        if j + 10 > len(stream) or stream[j] != 0x68 or stream[j + 7] != 0x68:
            i = j + 1 if j == i else j
            continue
        length = stream[j + 9]
        end = j + 12 + length
        if end > len(stream) or sum(stream[j:j + 10 + length]) % 256 != stream[j + 10 + length] or \
                stream[end - 1] != 0x16:
            i = j + 1
            continue
        frames.append(bytes(stream[i:end]))
        i = end
    return frames


def write_pcap(path, linktype, packets):
    """A classic little-endian pcap file; packets are bytes, one per record."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
        for i, payload in enumerate(packets):
            f.write(struct.pack("<IIII", 1800000000 + i // 1000, (i % 1000) * 1000, len(payload), len(payload)))
            f.write(payload)


def _checksum16(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def tcp_packets(chunks, station_port=40001, meter_port=47012):
    """Ethernet/IPv4/TCP packets carrying `chunks` [(direction, bytes)] of one
    connection, with a handshake and consistent sequence numbers, so that
    Wireshark reassembles frames split over segments."""
    hosts = [(bytes([10, 0, 0, 1]), station_port, b"\x02\x00\x00\x00\x00\x01"),
             (bytes([10, 0, 0, 2]), meter_port, b"\x02\x00\x00\x00\x00\x02")]
    seq = [1000, 5000]

    def packet(direction, flags, payload=b""):
        src, sport, smac = hosts[direction]
        dst, dport, dmac = hosts[1 - direction]
        ack = seq[1 - direction]
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq[direction], ack, 5 << 4, flags, 65535, 0, 0)
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
        csum = _checksum16(pseudo + tcp + payload)
        tcp = tcp[:16] + struct.pack("!H", csum) + tcp[18:]
        total = 20 + len(tcp) + len(payload)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0, 0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", _checksum16(ip)) + ip[12:]
        eth = dmac + smac + b"\x08\x00"
        return eth + ip + tcp + payload

    out = [packet(0, 0x02)]
    seq[0] += 1
    out.append(packet(1, 0x12))
    seq[1] += 1
    out.append(packet(0, 0x10))
    for direction, payload in chunks:
        out.append(packet(direction, 0x18, payload))
        seq[direction] += len(payload)
    return out
