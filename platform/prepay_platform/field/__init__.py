# SPDX-License-Identifier: MIT
"""Field adapters: the station over the library's DL/T 645 / CJ/T 188 codecs, batch tasks, schedules."""
