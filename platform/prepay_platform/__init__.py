# SPDX-License-Identifier: MIT
"""prepay-platform: a reference prepaid water-and-electricity platform over libprepay (docs/platform.md).

The settlement Site with its journal is the source of truth for money; the database holds
descriptions (buildings, rooms, accounts, meters, tenants, tariffs, orders, audit) and caches."""

__version__ = "0.1.0"
