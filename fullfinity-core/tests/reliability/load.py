"""A bounded mixed load of reads and writes, with every answer counted and every write remembered."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class LoadResult:
    statuses: Counter[int] = field(default_factory=Counter)
    #: exceptions that escaped the app (unhandled errors): must stay empty
    crashes: list[str] = field(default_factory=list)
    #: name -> status of each create sent
    writes: dict[str, int] = field(default_factory=dict)
    #: 503 answers without a Retry-After header, or not in the one error shape
    malformed: list[str] = field(default_factory=list)
    #: monotonic time of every 200 answer
    ok_times: list[float] = field(default_factory=list)

    def summary(self) -> str:
        return ", ".join(f"{status}: {count}" for status, count in sorted(self.statuses.items()))


async def run_load(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    stop: asyncio.Event,
    *,
    clients: int = 16,
    max_requests: int = 20_000,
    tag: str = "w",
    result: LoadResult | None = None,
) -> LoadResult:
    """``clients`` concurrent loops until ``stop`` is set (or ``max_requests`` in all): two reads
    (GET and POST /api/query/Contact) for every create of a uniquely named Contact. ``result``:
    record into this one (the caller can watch it while the load runs)."""
    result = result if result is not None else LoadResult()
    sent = 0

    async def one(i: int) -> None:
        nonlocal sent
        n = 0
        while not stop.is_set() and sent < max_requests:
            n += 1
            sent += 1
            name: str | None = None
            try:
                if n % 3 == 0:
                    name = f"{tag}{i}-{n}"
                    response = await client.post("/api/create/Contact", json={"name": name}, headers=headers)
                    result.writes[name] = response.status_code
                elif n % 3 == 1:
                    response = await client.get("/api/query/Contact?limit=5&fields=name", headers=headers)
                else:
                    response = await client.post(
                        "/api/query/Contact", json={"limit": 3, "fields": ["name", "email"]}, headers=headers
                    )
            except Exception as exc:  # the point is to count them
                result.crashes.append(f"{type(exc).__name__}: {exc}")
                if name is not None:
                    result.writes[name] = -1
                await asyncio.sleep(0.01)
                continue
            result.statuses[response.status_code] += 1
            if response.status_code == 200:
                result.ok_times.append(time.monotonic())
            elif response.status_code == 503:
                _check_503(response, result)
                await asyncio.sleep(0.02)  # a client honouring Retry-After would wait longer

    await asyncio.gather(*(one(i) for i in range(clients)))
    return result


def _check_503(response: httpx.Response, result: LoadResult) -> None:
    body: Any = None
    with contextlib.suppress(ValueError):
        body = response.json()
    shaped = isinstance(body, dict) and set(body.get("error", {})) == {"type", "message", "details"}
    if not shaped or "retry-after" not in response.headers:
        result.malformed.append(f"{response.headers} {response.text[:200]}")
