# SPDX-License-Identifier: MIT
"""python3 -m prepay_platform --db URL --data DIR [--port 8080] [--seed SITE.json] [--emu-port N]
[--dtu-listen [HOST:]PORT [--dtu-format PATTERN] [--dtu-heartbeat PATTERN] [--meter-dtu ADDRESS=DTU]...]
[--poll-seconds S] [--admin LOGIN]

Serves the platform with waitress on 127.0.0.1. With --emu-port the meters are read through the
field station (plat-field's prepay_platform.field.station, over the emulator's bus port) every
--poll-seconds, and relay commands go to the meters; without it commands are only recorded.
With --dtu-listen the station also accepts GPRS/4G DTUs that dial in (field/dtu.py): a meter put
behind a DTU (--meter-dtu ADDRESS=DTU, kept in the database; ``*`` for every meter) is reached
through the connection of the DTU that registers with that id (docs/platform.md "Dial-in DTUs")."""
from __future__ import annotations

import argparse
import sys
import threading
import time

from .app import create_app
from .services import readings, seed, users


def _station(db, port: int, listener=None):
    try:
        from .field.station import Endpoint, Station  # plat-field's adapter
    except ImportError:
        print("field station not available: relay commands are recorded, meters are not read", flush=True)
        return None
    return Station([Endpoint(mid, address, kind, port=port, dtu=dtu)
                    for mid, address, kind, dtu in seed.endpoints(db, port)], dtu=listener)


def _listener(args):
    """The DTU listener of --dtu-listen [HOST:]PORT (None without it)."""
    if not args.dtu_listen:
        return None
    from .field.dtu import DtuListener
    host, _, port = args.dtu_listen.rpartition(":")
    listener = DtuListener(args.dtu_format, args.dtu_heartbeat or None, host=host or "127.0.0.1", port=int(port),
                           dead_after=args.dtu_dead_after or None,
                           log=lambda line: print(f"dtu: {line}", flush=True))
    print(f"DTU listener on {host or '127.0.0.1'}:{listener.port} ({args.dtu_format})", flush=True)
    return listener


def _poller(app, seconds: float) -> None:
    def loop():
        while True:
            time.sleep(seconds)
            try:
                readings.poll(app.platform)
                if app.batch_runner is not None:
                    app.batch_runner.run_due(int(time.time()))
            except Exception as e:  # a failed round is retried at the next one; the web stays up
                print(f"poll: {e}", file=sys.stderr, flush=True)
    threading.Thread(target=loop, name="poll", daemon=True).start()


def _closer(app) -> None:
    """The scheduled month-end close (billing page: schedule monthly), checked every 10 minutes."""
    from .services import billing

    def loop():
        while True:
            try:
                billing.close_due(app.platform, int(time.time()))
            except Exception as e:  # refused (e.g. a period end the site cannot take): logged, retried
                print(f"billing close: {e}", file=sys.stderr, flush=True)
            time.sleep(600)
    threading.Thread(target=loop, name="billing-close", daemon=True).start()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="prepay_platform", description="the prepay reference platform")
    ap.add_argument("--db", required=True, help="sqlite:///abs/path.db or postgresql://...")
    ap.add_argument("--data", required=True, help="directory of the settlement journal")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--admin", default="", help="create this admin login with a random password (printed)")
    ap.add_argument("--seed", default="", help="a prepay-site/1 file: its rooms and accounts, created once")
    ap.add_argument("--emu-port", type=int, default=0, help="the emulator's bus port: read meters through it")
    ap.add_argument("--dtu-listen", default="", metavar="[HOST:]PORT",
                    help="accept dial-in DTUs on this port (host default 127.0.0.1; 0.0.0.0 for every interface)")
    ap.add_argument("--dtu-format", default="pattern:{id:1-32}", metavar="PATTERN",
                    help="the DTUs' registration packet (prepay/dtu.h: prefix:TEXT or pattern:TOKENS)")
    ap.add_argument("--dtu-heartbeat", default="", metavar="PATTERN", help="the DTUs' heartbeat packet, if any")
    ap.add_argument("--dtu-dead-after", type=float, default=0.0, metavar="S",
                    help="drop a DTU connection silent this long (0: only when closed)")
    ap.add_argument("--meter-dtu", action="append", default=[], metavar="ADDRESS=DTU",
                    help="put a meter (or * for every meter) behind a dial-in DTU (DTU empty: none); repeatable")
    ap.add_argument("--poll-seconds", type=float, default=10.0)
    ap.add_argument("--notify-seconds", type=float, default=30.0, help="the notification delivery schedule")
    args = ap.parse_args(argv)
    if args.dtu_listen and not args.dtu_listen.rpartition(":")[2].isdigit():
        ap.error(f"--dtu-listen {args.dtu_listen}: [HOST:]PORT")
    for item in args.meter_dtu:
        if "=" not in item:
            ap.error(f"--meter-dtu {item}: ADDRESS=DTU")
    try:
        listener = _listener(args)
    except (ValueError, OSError) as e:          # a bad pattern (prepay.TransportError), a port in use
        ap.error(f"--dtu-listen: {e}")
    app = create_app({"db": args.db, "data": args.data})
    p = app.platform
    if args.seed:
        for name, _, tenant in seed.seed_site(p, args.seed):
            password = users.random_password()
            users.add_user(p.db, f"shop{name}", password, "tenant", "setup", tenant)
            print(f"tenant login: shop{name}  password: {password}", flush=True)
    if args.admin and p.db.one("SELECT id FROM users WHERE login = ?", (args.admin,)) is None:
        password = users.random_password()
        users.add_user(p.db, args.admin, password, "admin", "setup")
        print(f"admin login: {args.admin}  password: {password}", flush=True)
    for item in args.meter_dtu:
        address, _, dtu_id = item.partition("=")
        try:
            n = seed.set_meter_dtu(p.db, address.strip(), dtu_id.strip())
        except ValueError as e:
            ap.error(f"--meter-dtu {item}: {e}")
        print(f"{n} meter(s) behind DTU {dtu_id.strip() or '(none)'}", flush=True)
    if args.emu_port or listener is not None:
        station = _station(p.db, args.emu_port, listener)
        p.station = p.money.station = station
        if station is not None:
            _poller(app, args.poll_seconds)
    from .services import notifications
    notifications.start(p, args.notify_seconds)
    _closer(app)
    print(f"prepay platform on http://{args.host}:{args.port}/", flush=True)
    import waitress
    waitress.serve(app, host=args.host, port=args.port, threads=4)
    return 0


if __name__ == "__main__":
    sys.exit(main())
