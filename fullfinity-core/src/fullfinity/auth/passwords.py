"""Password hashing with argon2id (security.md 9.4).

Hashing and verifying cost tens of milliseconds of CPU on purpose, so the async helpers run
them in a worker thread and the event loop keeps serving other requests meanwhile.
"""

from __future__ import annotations

import asyncio
import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from fullfinity.exceptions import ValidationError

__all__ = ["check_password_policy", "hash_password", "needs_rehash", "verify_dummy", "verify_password"]

# argon2-cffi's defaults are RFC 9106's second recommended profile (argon2id, 64 MiB, t=3, p=4).
_hasher = PasswordHasher()


def check_password_policy(password: str, min_length: int) -> None:
    """Refuse a password shorter than ``min_length`` characters (``FULLFINITY_PASSWORD_MIN_LENGTH``)."""
    if len(password) < min_length:
        raise ValidationError(
            {"password": f"must have at least {min_length} characters, got {len(password)}"},
        )
    if password != password.strip():
        raise ValidationError({"password": "must not start or end with spaces"})


async def hash_password(password: str) -> str:
    """The argon2id hash (PHC string: algorithm, parameters, salt and hash) of ``password``."""
    return await asyncio.to_thread(_hasher.hash, password)


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify_password(hashed: str, password: str) -> bool:
    """Whether ``password`` matches ``hashed`` (argon2 compares in constant time)."""
    return await asyncio.to_thread(_verify, hashed, password)


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("fullfinity dummy password: never matches a real one")


async def verify_dummy(password: str) -> bool:
    """Spend the time of a real verification; used for unknown emails so timing reveals nothing."""
    await asyncio.to_thread(_verify, _dummy_hash(), password)
    return False


def needs_rehash(hashed: str) -> bool:
    """Whether the hash was made with older parameters (rehash it at the next successful login)."""
    try:
        return _hasher.check_needs_rehash(hashed)
    except InvalidHashError:
        return True
