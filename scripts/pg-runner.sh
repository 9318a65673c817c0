# SPDX-License-Identifier: MIT
# Sourced by the scripts that start temporary PostgreSQL servers
# (test-postgresql.sh, test-platform.sh): who runs them. initdb and pg_ctl
# refuse root, so as root the servers run as the system user prepay-pg
# (created if missing); otherwise as the caller. Sets `runner` and defines
# `as_runner COMMAND...`; returns non-zero if the user cannot be created.
pg_runner_setup() {
  if [ "$(id -u)" -eq 0 ]; then
    runner=prepay-pg
    id -u "$runner" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$runner" ||
      return 1
    as_runner() { runuser -u "$runner" -- "$@"; }
  else
    runner=$(id -un)
    as_runner() { "$@"; }
  fi
}
