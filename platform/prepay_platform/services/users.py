# SPDX-License-Identifier: MIT
"""Operator and tenant logins. Passwords are hashed with scrypt (hashlib, memory-hard: n=2^14,
r=8, p=1, 16-byte salt), compared in constant time."""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets

from . import audit, clock, validate
from .errors import InputError

ROLES = ("admin", "operator", "finance", "readonly", "tenant")
_N, _R, _P = 2 ** 14, 8, 1


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${key.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, key = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(key) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), key)


def add_user(db, login: str, password: str, role: str, who: str, tenant_id=None) -> int:
    login = validate.name(login, "login")
    role = validate.choice(role, ROLES, "role")
    if len(password or "") < 10:
        raise InputError("password: at least 10 characters", "password")
    if (role == "tenant") != (tenant_id is not None):
        raise InputError("a tenant login needs a tenant, an operator login none", "tenant")
    if db.one("SELECT id FROM users WHERE login = ?", (login,)) is not None:
        raise InputError(f"login {login!r} exists", "login")
    with db.transaction():
        uid = db.next_id("users")
        db.execute("INSERT INTO users (id, login, role, tenant_id, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                   (uid, login, role, tenant_id, hash_password(password), clock.now()))
        audit.record(db, who, "user.add", f"user:{uid}", {"login": login, "role": role})
    return uid


def authenticate(db, login: str, password: str):
    """The user row when login and password match an active user, else None (same work either way)."""
    row = db.one("SELECT * FROM users WHERE login = ? AND active = 1", (str(login or ""),))
    stored = row["password_hash"] if row else hash_password("x" * 12)
    ok = check_password(str(password or ""), stored)
    return row if row and ok else None


def random_password() -> str:
    return secrets.token_urlsafe(12)
