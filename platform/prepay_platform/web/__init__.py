# SPDX-License-Identifier: MIT
"""The web layer: sessions, CSRF and role checks (auth), HTML pages, the JSON API, payments."""
