# SPDX-License-Identifier: MIT
"""The one error a service raises for bad input: a clear message, nothing changed."""


class InputError(ValueError):
    """Refused input; ``field`` names the offending field when there is one."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class Forbidden(PermissionError):
    """The user's role or tenancy does not allow the action."""


class NotFound(KeyError):
    """No such record (or not visible to this user)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "not found"
