"""Counters in fixed windows, incremented atomically: what rate limits and login throttling count with.

``Cache.count(tenant, namespace, key, window=..., now=...)`` adds one to a counter and returns
``(count, seconds left in its window)``; the window opens at the first count and the counter
disappears when it ends. Increment and read are one step, so concurrent requests (in one
process, or in every worker sharing a Valkey server) can never both see the same count: a
burst cannot slip past a limit.

- On Valkey: one Lua script (``INCR`` then ``PEXPIRE`` on the first count), atomic on the
  server (``valkey.py``).
- Without Valkey (and while it is down), when the runtime attached them: one UPSERT on a table
  of the catalog database (``pg_counters.py``), shared by every worker too.
- In process (a ``LocalCache`` alone, or no shared counter reachable): ``WindowCounters``,
  a dict updated without an ``await`` in between, which asyncio makes atomic.
"""

from __future__ import annotations

__all__ = ["WindowCounters"]

_MAX_ENTRIES = 10_000


class WindowCounters:
    """Per-process counters: ``(tenant, namespace, key)`` -> (window end, count)."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str, str], tuple[float, int]] = {}

    def count(
        self, tenant: str, namespace: str, key: str, *, window: float, now: float, renew_at: int | None = None
    ) -> tuple[int, float]:
        """One more; ``(count, seconds left)``. ``renew_at``: the count that restarts the window."""
        slot = (tenant, namespace, key)
        ends, value = self._counts.get(slot, (0.0, 0))
        if ends <= now:
            ends, value = now + window, 0
        value += 1
        if renew_at is not None and value == renew_at:
            ends = now + window
        if len(self._counts) >= _MAX_ENTRIES and slot not in self._counts:
            self._counts = {k: v for k, v in self._counts.items() if v[0] > now}
        self._counts[slot] = (ends, value)
        return value, ends - now

    def uncount(self, tenant: str, namespace: str, key: str) -> None:
        self._counts.pop((tenant, namespace, key), None)
