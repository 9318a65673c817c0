# SPDX-License-Identifier: MIT
"""The platform object: the database, the money service over the settlement Site, the station."""
from __future__ import annotations

import os

from .db import open_database
from .services import notifications, recharge
from .services.money import Money


class Platform:
    """``db_url`` a database url (db.open_database); ``data_dir`` holds the settlement journal;
    ``station`` an object with the plat-field Station interface or None (commands recorded only)."""

    def __init__(self, db_url: str, data_dir: str, station=None) -> None:
        os.makedirs(data_dir, exist_ok=True)
        self.db = open_database(db_url)
        self.db.migrate()
        self.station = station
        self.money = Money(self.db, os.path.join(data_dir, "settlement.journal"), station,
                           make_outbox=notifications.make_outbox)
        self.money.rebuild()
        recharge.resume_pending(self)

    def close(self) -> None:
        self.money.close()
        self.db.close()
