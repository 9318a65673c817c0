-- SPDX-License-Identifier: MIT
-- Notification channel settings (services/notifications.py): webhook_url, webhook_secret,
-- smtp_host, smtp_port, smtp_sender; an empty value leaves the channel to the log.
CREATE TABLE notify_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
