# SPDX-License-Identifier: MIT
"""Channel adapters: payment (with a mock WeChat Pay) and notifications (log, webhook, SMTP)."""
