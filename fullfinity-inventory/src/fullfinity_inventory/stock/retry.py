"""Run a stock operation in a savepoint, retrying it when PostgreSQL reports a deadlock or a
serialization failure, so that neither ever reaches the user (business.md 3, invariant 4)."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fullfinity.engine.base import ConcurrencyError

__all__ = ["ATTEMPTS", "retrying"]

log = logging.getLogger(__name__)
T = TypeVar("T")
ATTEMPTS = 8


async def retrying(env: Any, operation: Callable[[], Awaitable[T]]) -> T:
    """``await operation()`` inside a savepoint; on a deadlock or serialization failure, roll back to the
    savepoint, wait a little and run it again (``ATTEMPTS`` times at most, then the error propagates)."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with env.transaction():
                return await operation()
        except ConcurrencyError as exc:
            log.info("Stock operation retried (attempt %s): %s", attempt, getattr(exc.__cause__, "detail", exc))
            if attempt == ATTEMPTS:
                raise
            await asyncio.sleep(random.uniform(0, 0.02 * attempt))
    raise AssertionError("unreachable")
