"""Login throttling per account and per client address (security.md 9.6).

- **Account** (tenant + email): ``FULLFINITY_LOGIN_MAX_FAILURES`` failed logins within
  ``FULLFINITY_LOGIN_LOCK_SECONDS`` lock the account for ``FULLFINITY_LOGIN_LOCK_SECONDS``; a
  successful login clears the count. Unknown emails are counted exactly like real ones, so a
  lock reveals nothing about which accounts exist.
- **Address**: at most ``FULLFINITY_LOGIN_IP_RATE`` login/refresh attempts per minute per
  client address, whatever the tenant.

Counters live in the shared cache, so every worker sees them; while the cache server is
unreachable they fall back to per-process counters. Read-modify-write is not atomic across
workers: under a burst a few extra attempts may slip through, never an unbounded number.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from typing import Any

from fullfinity.engine.cache import Cache
from fullfinity.exceptions import RateLimited
from fullfinity.settings import Settings

__all__ = ["ADDRESS_WINDOW", "LoginThrottle"]

ADDRESS_WINDOW = 60.0
NAMESPACE = "auth_throttle"
#: Cache "tenant" of the per-address counters: not a valid tenant name, so it never clashes with one.
ADDRESSES = "_addresses"
_LOCAL_MAX = 10_000


class _Counters:
    """Small JSON-able values with a lifetime: in the cache, or in this process when it is down."""

    def __init__(self, cache: Cache, clock: Callable[[], float]) -> None:
        self.cache = cache
        self.clock = clock
        self.local: dict[tuple[str, str], tuple[float, Any]] = {}

    def _use_local(self) -> bool:
        return self.cache.status == "degraded"

    async def get(self, tenant: str, key: str) -> Any:
        if self._use_local():
            found = self.local.get((tenant, key))
            return found[1] if found and found[0] > self.clock() else None
        return await self.cache.get(tenant, NAMESPACE, key)

    async def put(self, tenant: str, key: str, value: Any, ttl: float) -> None:
        if not self._use_local() and await self.cache.set(tenant, NAMESPACE, key, value, ttl=ttl):
            return
        now = self.clock()
        if len(self.local) > _LOCAL_MAX:
            self.local = {k: v for k, v in self.local.items() if v[0] > now}
        self.local[(tenant, key)] = (now + ttl, value)

    async def drop(self, tenant: str, key: str) -> None:
        self.local.pop((tenant, key), None)
        if not self._use_local():
            await self.cache.set(tenant, NAMESPACE, key, None, ttl=1)


def _account_key(email: str) -> str:
    # Hashed: cache keys and dumps never show login names.
    return "account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:40]


class LoginThrottle:
    """The two limits, checked by ``/auth/authenticate`` and ``/auth/refresh``."""

    def __init__(self, cache: Cache, settings: Settings, *, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.clock = clock
        self.counters = _Counters(cache, clock)

    async def check_address(self, address: str) -> None:
        """Count one attempt from ``address``; ``RateLimited`` once the minute's budget is spent."""
        now = self.clock()
        key = "address:" + address
        state = await self.counters.get(ADDRESSES, key)
        start, count = (state[0], state[1]) if isinstance(state, list) and len(state) == 2 else (now, 0)
        if now - start >= ADDRESS_WINDOW:
            start, count = now, 0
        count += 1
        await self.counters.put(ADDRESSES, key, [start, count], ADDRESS_WINDOW)
        if count > self.settings.login_ip_rate:
            wait = math.ceil(start + ADDRESS_WINDOW - now)
            raise RateLimited(
                f"Too many login attempts from your address ({self.settings.login_ip_rate} per minute allowed); "
                f"try again in {wait} seconds.",
                retry_after=wait,
            )

    async def check_account(self, tenant: str, email: str) -> None:
        """``RateLimited`` while the account is locked after too many failures."""
        state = await self.counters.get(tenant, _account_key(email))
        locked_until = state.get("locked_until", 0) if isinstance(state, dict) else 0
        now = self.clock()
        if locked_until > now:
            wait = math.ceil(locked_until - now)
            raise RateLimited(
                f"Too many failed logins for this account; it is locked for {wait} more seconds.",
                retry_after=wait,
            )

    async def failed(self, tenant: str, email: str) -> None:
        """Record a failed login; the one that reaches the limit locks the account."""
        window = self.settings.login_lock_seconds
        key = _account_key(email)
        now = self.clock()
        state = await self.counters.get(tenant, key)
        failures = [t for t in (state.get("failures", []) if isinstance(state, dict) else []) if t > now - window]
        failures.append(now)
        value: dict[str, Any] = {"failures": failures}
        if len(failures) >= self.settings.login_max_failures:
            value = {"failures": [], "locked_until": now + window}
        await self.counters.put(tenant, key, value, window)

    async def succeeded(self, tenant: str, email: str) -> None:
        """A successful login clears the account's failures."""
        await self.counters.drop(tenant, _account_key(email))
