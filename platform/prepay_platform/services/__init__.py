# SPDX-License-Identifier: MIT
"""Services of the platform: one module per job (clock, audit, users, site, money, reports)."""
