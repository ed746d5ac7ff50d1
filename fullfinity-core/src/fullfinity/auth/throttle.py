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

The address budget is a :class:`RateLimit`, the same fixed-window counter other public
endpoints use (a module's lead or contact form): ``rate_limit(cache, "crm_lead")`` gives the
process's limiter of that name, and ``await limiter.hit(tenant, address, limit)`` counts one
request and raises ``RateLimited`` (429 with ``Retry-After``) past ``limit`` per window.
"""

from __future__ import annotations

import hashlib
import math
import time
import weakref
from collections.abc import Callable
from typing import Any

from fullfinity.engine.cache import Cache
from fullfinity.exceptions import RateLimited
from fullfinity.settings import Settings

__all__ = ["ADDRESS_WINDOW", "LoginThrottle", "RateLimit", "rate_limit"]

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


class RateLimit:
    """At most ``limit`` hits per ``window`` seconds for each (scope, key), e.g. per tenant and
    client address; counted in the shared cache (per process while it is down)."""

    def __init__(
        self, cache: Cache, name: str, *, window: float = ADDRESS_WINDOW, clock: Callable[[], float] = time.time
    ) -> None:
        self.name = name
        self.window = window
        self.clock = clock
        self.counters = _Counters(cache, clock)

    async def hit(self, scope: str, key: str, limit: int, *, what: str = "requests") -> None:
        """Count one hit; ``RateLimited`` (with ``retry_after``) once ``limit`` hits were counted in the window."""
        now = self.clock()
        name = f"{self.name}:{key}"
        state = await self.counters.get(scope, name)
        start, count = (state[0], state[1]) if isinstance(state, list) and len(state) == 2 else (now, 0)
        if now - start >= self.window:
            start, count = now, 0
        count += 1
        await self.counters.put(scope, name, [start, count], self.window)
        if count > limit:
            wait = max(1, math.ceil(start + self.window - now))
            per = "minute" if self.window == 60 else f"{self.window:g} seconds"
            raise RateLimited(
                f"Too many {what} from your address ({limit} per {per} allowed); try again in {wait} seconds.",
                retry_after=wait,
            )


_limits: weakref.WeakKeyDictionary[Cache, dict[str, RateLimit]] = weakref.WeakKeyDictionary()


def rate_limit(cache: Cache, name: str, *, window: float = ADDRESS_WINDOW) -> RateLimit:
    """This process's :class:`RateLimit` called ``name`` on ``cache``, created on first use (its
    fallback counters live as long as the cache)."""
    by_name = _limits.setdefault(cache, {})
    found = by_name.get(name)
    if found is None or found.window != window:
        found = by_name[name] = RateLimit(cache, name, window=window)
    return found


def _account_key(email: str) -> str:
    # Hashed: cache keys and dumps never show login names.
    return "account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:40]


class LoginThrottle:
    """The two limits, checked by ``/auth/authenticate`` and ``/auth/refresh``."""

    def __init__(self, cache: Cache, settings: Settings, *, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.clock = clock
        self.counters = _Counters(cache, clock)
        self.addresses = RateLimit(cache, "address", clock=clock)

    async def check_address(self, address: str) -> None:
        """Count one attempt from ``address``; ``RateLimited`` once the minute's budget is spent."""
        await self.addresses.hit(ADDRESSES, address, self.settings.login_ip_rate, what="login attempts")

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
