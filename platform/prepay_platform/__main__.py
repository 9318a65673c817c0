# SPDX-License-Identifier: MIT
"""python3 -m prepay_platform --db URL --data DIR [--port 8080] [--station-config JSON] [--admin LOGIN]"""
from __future__ import annotations

import argparse
import sys

from .app import create_app
from .services import users


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="prepay_platform", description="the prepay reference platform")
    ap.add_argument("--db", required=True, help="sqlite:///abs/path.db or postgresql://...")
    ap.add_argument("--data", required=True, help="directory of the settlement journal")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--admin", default="", help="create this admin login with a random password (printed)")
    ap.add_argument("--seed", default="", help="a prepay-site/1 JSON file: create its rooms and accounts once")
    ap.add_argument("--emu-port", type=int, default=0, help="prepay-emu's DTU port: read meters through the station")
    args = ap.parse_args(argv)
    station = None
    if args.emu_port:
        from .services.field import make_station
        station = make_station(args.seed, args.emu_port)
    app = create_app({"db": args.db, "data": args.data, "station": station})
    p = app.platform
    if args.seed:
        from .services.seed import seed_site
        seed_site(p, args.seed)
    if args.admin and p.db.one("SELECT id FROM users WHERE login = ?", (args.admin,)) is None:
        password = users.random_password()
        users.add_user(p.db, args.admin, password, "admin", "setup")
        print(f"admin login: {args.admin}  password: {password}", flush=True)
    print(f"prepay platform on http://{args.host}:{args.port}/", flush=True)
    import waitress
    waitress.serve(app, host=args.host, port=args.port, threads=4)
    return 0


if __name__ == "__main__":
    sys.exit(main())
