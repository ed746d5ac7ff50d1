"""API keys: ``ffk_<prefix>_<secret>``, stored as a SHA-256 hash (security.md 9.5).

The prefix (8 letters and digits) finds the key's record; the secret (40 letters and digits,
about 238 bits) makes guessing pointless, which is why a fast hash is enough. The whole key
is shown once when created and never stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass
from typing import Any

from fullfinity.engine.env import Environment
from fullfinity.exceptions import AuthenticationError, MissingError, ValidationError

__all__ = [
    "KEY_MARKER",
    "NewApiKey",
    "create_api_key",
    "hash_key",
    "is_api_key",
    "list_api_keys",
    "revoke_api_key",
    "verify_api_key",
]

KEY_MARKER = "ffk_"
PREFIX_LENGTH = 8
SECRET_LENGTH = 40
_ALPHABET = string.ascii_letters + string.digits
_KEY_RE = re.compile(rf"^ffk_([A-Za-z0-9]{{{PREFIX_LENGTH}}})_([A-Za-z0-9]{{{SECRET_LENGTH}}})$")
# Writing last_used_at on every call would cost a write per request: once a minute is precise enough.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class NewApiKey:
    """A key just created: ``key`` is the only time the secret is available."""

    id: int
    name: str
    prefix: str
    key: str
    expires_at: dt.datetime | None


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def is_api_key(token: str) -> bool:
    """Whether a bearer credential is meant as an API key (rather than a JWT)."""
    return token.startswith(KEY_MARKER)


def _check_expiry(expires_at: dt.datetime | None) -> None:
    if expires_at is not None and expires_at <= dt.datetime.now(dt.UTC):
        raise ValidationError({"expires_at": f"must be in the future, got {expires_at.isoformat()}"})


async def create_api_key(env: Environment, user_id: int, name: str, expires_at: dt.datetime | None = None) -> NewApiKey:
    """Create a key acting as ``user_id``; returns it with the secret (shown once)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "must not be empty: give the key a label such as 'ERP sync'"})
    if expires_at is not None and expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=dt.UTC)
    _check_expiry(expires_at)
    prefix = _random(PREFIX_LENGTH)
    key = f"{KEY_MARKER}{prefix}_{_random(SECRET_LENGTH)}"
    with env.sudo():
        record = await env["ApiKey"].create(
            name=name, user=user_id, prefix=prefix, key_hash=hash_key(key), expires_at=expires_at
        )
    return NewApiKey(record.id, name, prefix, key, expires_at)


async def list_api_keys(env: Environment, user_id: int) -> list[dict[str, Any]]:
    """The keys of ``user_id`` (never their secrets), newest first."""
    with env.sudo():
        return await (
            env["ApiKey"]
            .filter(user=user_id)
            .order_by("id DESC")
            .values("id", "name", "prefix", "created_date", "last_used_at", "expires_at")
        )


async def revoke_api_key(env: Environment, key_id: int, *, user_id: int | None = None) -> None:
    """Delete key ``key_id`` (of ``user_id`` when given); ``MissingError`` when there is no such key."""
    model = env["ApiKey"]
    with env.sudo():
        qs = model.filter(id=key_id) if user_id is None else model.filter(id=key_id, user=user_id)
        if not await qs.delete():
            owner = "" if user_id is None else " of yours"
            raise MissingError(f"There is no API key{owner} with id {key_id}.")


async def verify_api_key(env: Environment, key: str) -> tuple[int, int]:
    """(key id, user id) of a valid key of an active user; ``AuthenticationError`` otherwise."""
    match = _KEY_RE.match(key)
    if match is None:
        raise AuthenticationError(
            f"The API key is malformed: expected {KEY_MARKER}<{PREFIX_LENGTH} letters or digits>_"
            f"<{SECRET_LENGTH} letters or digits>."
        )
    keys, users = env["ApiKey"]._table, env["User"]._table
    row = await env.fetchrow(
        f'SELECT k.id, k.user_id, k.key_hash, k.expires_at, k.last_used_at, u.active FROM "{keys}" k '
        f'JOIN "{users}" u ON u.id = k.user_id WHERE k.prefix = $1',
        match.group(1),
    )
    stored = row["key_hash"] if row is not None else hash_key("")
    if not hmac.compare_digest(stored, hash_key(key)) or row is None:
        raise AuthenticationError("The API key is not valid: it was revoked, or never existed in this tenant.")
    now = dt.datetime.now(dt.UTC)
    if row["expires_at"] is not None and row["expires_at"] <= now:
        raise AuthenticationError(f"The API key expired on {row['expires_at']:%Y-%m-%d %H:%M} UTC; create a new one.")
    if not row["active"]:
        raise AuthenticationError("The API key's user is disabled.")
    if row["last_used_at"] is None or row["last_used_at"] < now - LAST_USED_PRECISION:
        await _touch(env, keys, int(row["id"]))
    return int(row["id"]), int(row["user_id"])


async def _touch(env: Environment, table: str, key_id: int) -> None:
    """Record the use of a key. Raw SQL on purpose: a bookkeeping write must not invalidate
    cached ApiKey reads. On a read-only request connection it gets a read-write transaction of
    its own (one round trip: the statements travel together; the id is an int, never text)."""
    sql = f'UPDATE "{table}" SET last_used_at = now() WHERE id = {int(key_id)}'
    if env.read_only and not env.conn.is_in_transaction():
        await env.execute(f"BEGIN READ WRITE; {sql}; COMMIT")
    else:
        await env.execute(sql)
