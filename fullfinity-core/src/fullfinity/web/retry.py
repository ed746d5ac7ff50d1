"""Requests run again when the database failed in a way that makes a second run safe.

Two cases, decided by the error handlers (``web/errors.py``), which classify the failure and
record it on the request's :class:`Attempt` (``scope["fullfinity.attempt"]``):

- **Lost connection before anything was written**: the request only read (a read-only
  request environment, or it failed before opening one: tenant lookup, registry). It runs
  once more; the broken connection and its idle siblings were discarded by the pool, so the
  second run gets a fresh one.
- **Deadlock or serialization failure**: PostgreSQL rolled the whole request transaction
  back; the request runs again up to ``FULLFINITY_DB_CONFLICT_RETRIES`` times, after a short
  random pause, and then answers 503 (``Retry-After``).

The error response of a failed attempt is dropped before anything reaches the client, so a
retried request answers exactly once. Bodies are kept in memory to be replayed, so only
requests with a body of at most ``MAX_REPLAY_BYTES`` (and a ``Content-Length``) are retried;
bigger uploads answer the first attempt's error.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["ATTEMPT_KEY", "MAX_REPLAY_BYTES", "Attempt", "RetryMiddleware", "attempt_of"]

log = logging.getLogger(__name__)

ATTEMPT_KEY = "fullfinity.attempt"
MAX_REPLAY_BYTES = 1 << 20
_NO_BODY = ("GET", "HEAD", "OPTIONS", "DELETE")

Reason = Literal["connection", "conflict"]


@dataclass
class Attempt:
    """What one run of a request did, as far as retrying it is concerned."""

    number: int = 1
    conflict_retries: int = 0
    #: Set when the request opened a read-write transaction: a lost connection is then not retried.
    wrote: bool = False
    #: Set by the error handler when this run failed in a retryable way.
    retry: Reason | None = None

    @property
    def conflicts_left(self) -> bool:
        return self.number <= self.conflict_retries

    def should_retry(self, reason: Reason) -> bool:
        """Whether a failure for ``reason`` lets the request run again (and so, should be swallowed)."""
        if reason == "connection":
            return self.number == 1 and not self.wrote
        return self.conflicts_left


def attempt_of(scope: Mapping[str, Any]) -> Attempt | None:
    """The :class:`Attempt` of the request whose ASGI scope is ``scope`` (None outside the middleware)."""
    found = scope.get(ATTEMPT_KEY)
    return found if isinstance(found, Attempt) else None


class RetryMiddleware:
    """ASGI middleware running a request again after a retryable database failure."""

    def __init__(self, app: ASGIApp, *, conflict_retries: int = 3) -> None:
        self.app = app
        self.conflict_retries = conflict_retries

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _replayable(scope):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:  # the client went away while sending
            return
        number = 1
        while True:
            attempt = Attempt(number=number, conflict_retries=self.conflict_retries)
            child = {**scope, ATTEMPT_KEY: attempt, "state": dict(scope.get("state") or {})}
            swallowed = False

            async def guarded_send(message: Message, attempt: Attempt = attempt) -> None:
                nonlocal swallowed
                if message["type"] == "http.response.start" and attempt.retry is not None:
                    swallowed = attempt.should_retry(attempt.retry)
                if not swallowed:
                    await send(message)

            await self.app(child, _replay(body, receive), guarded_send)
            if not swallowed:
                return
            log.info("Retrying %s %s (attempt %d failed: %s)", scope["method"], scope["path"], number, attempt.retry)
            if attempt.retry == "conflict":
                await asyncio.sleep(random.uniform(0.005, 0.03) * number)
            number += 1


def _replayable(scope: Scope) -> bool:
    if scope["method"] in _NO_BODY:
        return True
    for name, value in scope.get("headers") or ():
        if name == b"content-length":
            try:
                return int(value) <= MAX_REPLAY_BYTES
            except ValueError:
                return False
    return False


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` giving ``body`` once, then the client's own messages (its disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
