"""Callers remembered between requests: the same access token, unchanged security data.

Authenticating a request with an access token means verifying the token, checking that its
session is alive and its user active, and loading the user's access profile: three answers
that only change when ``AuthSession``, ``User`` or a security model (``Group``,
``ModelAccess``, ``RecordRule``) is written, or when the token expires. ``remembered()``
gives back the previous answer for the same token when the generations of those
namespaces are unchanged (one cache round trip with Valkey, a few dictionary reads
in process), so the common request pays neither the two cache lookups nor their decoding.

An entry lives at most ``SESSION_CHECK_TTL`` seconds (the bound on how late a revocation
made by a process that does not share the cache is seen, as for the session check) and
never past the token's expiry. API keys are not remembered.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fullfinity.auth.sessions import SESSION_CHECK_TTL
from fullfinity.engine.access.control import SECURITY_MODELS
from fullfinity.engine.cache import ALL, model_namespace

if TYPE_CHECKING:
    from fullfinity.engine.access.control import AccessProfile
    from fullfinity.engine.env import Environment

__all__ = ["NAMESPACES", "Caller", "generations_before", "remember", "remembered"]

#: Everything an authenticated caller depends on.
NAMESPACES: tuple[str, ...] = (
    ALL,
    "session",
    "access",
    *sorted({model_namespace(name) for name in (*SECURITY_MODELS, "AuthSession")}),
)
_MAX = 4096


@dataclass(frozen=True, eq=False)
class Caller:
    """What authenticating one credential gave: reused while ``generations`` are current."""

    uid: int
    profile: AccessProfile
    extra: Any  # what the caller of ``remember`` wants back (principal, user type)
    registry: Any
    cache: Any  # the generations are this cache's (a process may run several applications)
    generations: tuple[int, ...]
    expires: float  # monotonic deadline


_callers: dict[tuple[str, str], Caller] = {}


async def remembered(env: Environment, credential: str) -> Caller | None:
    """The remembered caller for ``credential`` in ``env``'s tenant, if still valid."""
    caller = _callers.get((env.tenant, credential))
    if caller is None or env.cache is None:
        return None
    stale = caller.registry is not env.registry or caller.cache is not env.cache
    if stale or caller.expires <= time.monotonic():
        _callers.pop((env.tenant, credential), None)
        return None
    if await env.cache.generations(env.tenant, NAMESPACES) != caller.generations:
        _callers.pop((env.tenant, credential), None)
        return None
    return caller


async def generations_before(env: Environment) -> tuple[int, ...] | None:
    """Read before authenticating: a caller is remembered under the generations it was checked at."""
    if env.cache is None:
        return None
    found: tuple[int, ...] | None = await env.cache.generations(env.tenant, NAMESPACES)
    return found


def remember(
    env: Environment,
    credential: str,
    generations: tuple[int, ...] | None,
    *,
    uid: int,
    profile: AccessProfile,
    extra: Any,
    token_expiry: float,
) -> None:
    """Remember an authenticated caller (``generations`` from ``generations_before``)."""
    if generations is None:
        return
    left = min(SESSION_CHECK_TTL, token_expiry - time.time())
    if left <= 0:
        return
    if len(_callers) >= _MAX:
        _callers.clear()
    deadline = time.monotonic() + left
    _callers[env.tenant, credential] = Caller(uid, profile, extra, env.registry, env.cache, generations, deadline)
