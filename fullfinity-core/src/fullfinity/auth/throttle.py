"""Login throttling per account and per client address (security.md 9.6).

- **Account** (tenant + email): ``FULLFINITY_LOGIN_MAX_FAILURES`` failed logins within
  ``FULLFINITY_LOGIN_LOCK_SECONDS`` lock the account for ``FULLFINITY_LOGIN_LOCK_SECONDS``
  (counted from the failure reaching the limit); a successful login clears the count. Unknown
  emails are counted exactly like real ones, so a lock reveals nothing about which accounts exist.
- **Address**: at most ``FULLFINITY_LOGIN_IP_RATE`` login/refresh attempts per minute per
  client address, whatever the tenant.

Every attempt is counted *before* the password is checked, with one atomic increment shared by
every worker (``Cache.count``: a Lua ``INCR`` on Valkey; without Valkey, or while it is down, an
``INSERT ... ON CONFLICT DO UPDATE`` in the catalog database, ``engine/cache/pg_counters.py``).
So a burst of concurrent attempts, across any number of workers, gets at most the allowed number
of password checks: the others are refused with 429 before any work. Only when no shared
counter is reachable do the counters fall back to per-process ones (each worker then allows
the limit on its own).

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

from fullfinity.engine.cache import Cache
from fullfinity.engine.cache.counters import WindowCounters
from fullfinity.exceptions import RateLimited
from fullfinity.settings import Settings

__all__ = ["ADDRESS_WINDOW", "LoginThrottle", "RateLimit", "rate_limit"]

ADDRESS_WINDOW = 60.0
NAMESPACE = "auth_throttle"
#: Cache "tenant" of the per-address counters: not a valid tenant name, so it never clashes with one.
ADDRESSES = "_addresses"


class _Counters:
    """Atomic window counters shared by the workers (``Cache.count``); per-process ones while
    none is reachable."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self.local = WindowCounters()

    async def count(
        self, scope: str, key: str, *, window: float, now: float, renew_at: int | None = None
    ) -> tuple[int, float]:
        found = await self.cache.count(scope, NAMESPACE, key, window=window, now=now, renew_at=renew_at)
        if found is None:
            return self.local.count(scope, NAMESPACE, key, window=window, now=now, renew_at=renew_at)
        return found

    async def uncount(self, scope: str, key: str) -> None:
        self.local.uncount(scope, NAMESPACE, key)
        await self.cache.uncount(scope, NAMESPACE, key)


class RateLimit:
    """At most ``limit`` hits per ``window`` seconds for each (scope, key), e.g. per tenant and
    client address; counted in the shared cache (per process while it is down)."""

    def __init__(
        self, cache: Cache, name: str, *, window: float = ADDRESS_WINDOW, clock: Callable[[], float] = time.time
    ) -> None:
        self.name = name
        self.window = window
        self.clock = clock
        self.counters = _Counters(cache)

    async def hit(self, scope: str, key: str, limit: int, *, what: str = "requests") -> None:
        """Count one hit; ``RateLimited`` (with ``retry_after``) once ``limit`` hits were counted in the window."""
        count, left = await self.counters.count(scope, f"{self.name}:{key}", window=self.window, now=self.clock())
        if count > limit:
            wait = max(1, math.ceil(left))
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
        self.counters = _Counters(cache)
        self.addresses = RateLimit(cache, "address", clock=clock)

    async def check_address(self, address: str) -> None:
        """Count one attempt from ``address``; ``RateLimited`` once the minute's budget is spent."""
        await self.addresses.hit(ADDRESSES, address, self.settings.login_ip_rate, what="login attempts")

    async def check_account(self, tenant: str, email: str) -> None:
        """Count this attempt against the account (as a failure until ``succeeded`` clears it);
        ``RateLimited`` once the allowed failures are spent, before the password is even checked."""
        limit = self.settings.login_max_failures
        count, left = await self.counters.count(
            tenant, _account_key(email), window=self.settings.login_lock_seconds, now=self.clock(), renew_at=limit
        )
        if count > limit:
            wait = max(1, math.ceil(left))
            raise RateLimited(
                f"Too many failed logins for this account; it is locked for {wait} more seconds.",
                retry_after=wait,
            )

    async def failed(self, tenant: str, email: str) -> None:
        """A failed login: already counted by ``check_account`` (kept for callers and symmetry)."""

    async def succeeded(self, tenant: str, email: str) -> None:
        """A successful login clears the account's failures."""
        await self.counters.uncount(tenant, _account_key(email))
