"""Does the ORM's cost grow linearly with the data? The peer workloads W2/W3 at 10,000 and 100,000
rows, and W7's group_by over 100,000 and 1,000,000 rows, each as a ratio to raw asyncpg (issue 18).

    /path/to/venv/bin/python bench/scale_bench.py [--read-sizes 10000,100000]
        [--group-sizes 100000,1000000] [--repeats 5]

Starts a throwaway embedded PostgreSQL (or uses FULLFINITY_BENCH_DATABASE_URL), creates the
peer harness's ``country`` / ``partner`` tables through the ORM (``sync_schema``: the automatic
columns included) and fills ``partner`` with one ``INSERT ... SELECT generate_series`` per size
(1 kB of notes per row for the reads, none for the group_by, so a million rows stay small):

- **W2**: ``Partner.with_fields("name", "email")`` against ``SELECT id, name, email``;
- **W3**: ``Partner.filter()`` (every stored column, records fully built) against ``SELECT *`` of
  the same table (the same columns; the peer harness's raw peer reads its narrower canonical table);
- **W7**: ``group_by("country", aggregates=["credit_limit:sum"])`` against the ``GROUP BY`` with the
  countries' names joined.

Both sides consume what they read (the peer harness's checksums); medians of ``--repeats`` runs,
run alternately. Linear cost shows as a flat "ms per 1,000 rows" column and a flat ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
from partner_models import Country, Partner

from fullfinity.engine.database.schema import sync_schema
from fullfinity.engine.db import EmbeddedPostgres, dsn_for_database
from fullfinity.engine.env import Environment
from fullfinity.engine.records.registry import Registry

N_COUNTRIES = 250


def ck_columns(name: str, email: str) -> int:
    return len(name) + len(email)


def ck_full(name: str, email: str, phone: str, active: bool, credit: float, notes: str | None, country: Any) -> int:
    return len(name) + len(email) + len(phone) + int(active) + int(credit) + len(notes or "") + (1 if country else 0)


FILL = """
INSERT INTO partner (name, email, phone, active, credit_limit, notes, {country})
SELECT 'Partner ' || g, 'partner' || g || '@example.test', '+1 555 ' || lpad(g::text, 7, '0'), g % 10 <> 0,
       (g % 1000) * 1.5, CASE WHEN $2 THEN repeat(chr(97 + g % 26), 1000) END, 1 + g % {countries}
FROM generate_series(1, $1) AS g
"""


async def medians_ms(
    raw: Callable[[], Awaitable[Any]], orm: Callable[[], Awaitable[Any]], repeats: int
) -> tuple[float, float, Any, Any]:
    """Median milliseconds of each, run alternately (a load on the machine hits both alike)."""
    times: tuple[list[float], list[float]] = ([], [])
    results: list[Any] = [None, None]
    for _ in range(repeats):
        for side, run in enumerate((raw, orm)):
            t0 = time.perf_counter()
            results[side] = await run()
            times[side].append((time.perf_counter() - t0) * 1000)
    return statistics.median(times[0]), statistics.median(times[1]), results[0], results[1]


async def measure(dsn: str, read_sizes: list[int], group_sizes: list[int], repeats: int) -> list[tuple[Any, ...]]:
    registry = Registry.from_models(Country, Partner)
    conn = await asyncpg.connect(dsn)
    rows: list[tuple[Any, ...]] = []
    try:

        def env() -> Environment:
            return Environment(tenant="bench", registry=registry, conn=conn, context={"active_test": False})

        with env().bind():
            await conn.execute("DROP TABLE IF EXISTS partner, country")
            await sync_schema(env(), registry)
            await Country.bulk_create([{"name": f"Country {i}", "code": f"C{i:02d}"[:3]} for i in range(N_COUNTRIES)])
        fields = env()["Partner"]._fields
        column = fields["country"].column
        fill = FILL.format(country=column, countries=N_COUNTRIES)
        columns = ", ".join(f'"{f.column}"' for f in fields.values() if f.column)

        async def orm_w2() -> int:
            with env().bind():
                found = await Partner.with_fields("name", "email").order_by()
            return sum(ck_columns(p.name, p.email) for p in found)

        async def raw_w2() -> int:
            found = await conn.fetch("SELECT id, name, email FROM partner ORDER BY id")
            return sum(ck_columns(r["name"], r["email"]) for r in found)

        async def orm_w3() -> int:
            with env().bind():
                found = await Partner.filter().order_by()
            return sum(ck_full(p.name, p.email, p.phone, p.active, p.credit_limit, p.notes, p.country) for p in found)

        async def raw_w3() -> int:
            found = await conn.fetch(f"SELECT {columns} FROM partner ORDER BY id")
            return sum(
                ck_full(r["name"], r["email"], r["phone"], r["active"], r["credit_limit"], r["notes"], r[column])
                for r in found
            )

        async def orm_w7() -> tuple[int, int]:
            with env().bind():
                groups = await Partner.filter().group_by("country", aggregates=["credit_limit:sum"])
            return len(groups), sum(g["__count"] for g in groups)

        async def raw_w7() -> tuple[int, int]:
            found = await conn.fetch(
                f"SELECT c.id, c.name, g.n, g.total FROM (SELECT {column} AS cid, count(*) AS n, "
                f"sum(credit_limit) AS total FROM partner GROUP BY {column}) g "
                "LEFT JOIN country c ON c.id = g.cid ORDER BY c.name"
            )
            return len(found), sum(r["n"] for r in found)

        plans = [("W2", n, True, raw_w2, orm_w2) for n in read_sizes]
        plans += [("W3", n, True, raw_w3, orm_w3) for n in read_sizes]
        plans += [("W7", n, False, raw_w7, orm_w7) for n in group_sizes]
        filled: tuple[int, bool] | None = None
        for label, size, notes, raw, orm in plans:
            if filled != (size, notes):
                await conn.execute("TRUNCATE partner RESTART IDENTITY")
                await conn.execute(fill, size, notes)
                await conn.execute("VACUUM ANALYZE partner")
                filled = (size, notes)
            await raw()
            await orm()  # warm: statements prepared, pages cached
            raw_ms, orm_ms, raw_sum, orm_sum = await medians_ms(raw, orm, repeats)
            assert raw_sum == orm_sum, f"{label} at {size}: the ORM read {orm_sum}, raw asyncpg {raw_sum}"
            rows.append((label, size, raw_ms, orm_ms))
            print(f"  {label} {size:>9,}: raw {raw_ms:9.1f} ms, ORM {orm_ms:9.1f} ms", flush=True)
    finally:
        await conn.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--read-sizes", default="10000,100000")
    parser.add_argument("--group-sizes", default="100000,1000000")
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args()
    read_sizes = [int(s) for s in options.read_sizes.split(",") if s]
    group_sizes = [int(s) for s in options.group_sizes.split(",") if s]
    tmp = Path(tempfile.mkdtemp(prefix="ffscalebench-"))
    os.chmod(tmp, 0o755)
    server = None
    try:
        external = os.environ.get("FULLFINITY_BENCH_DATABASE_URL")
        if external:
            base = external
        else:
            server = EmbeddedPostgres(tmp / "pg", cleanup="delete")
            (tmp / "pg").mkdir()
            os.chmod(tmp / "pg", 0o755)
            base = server.start()

        async def run() -> list[tuple[Any, ...]]:
            admin = await asyncpg.connect(dsn_for_database(base, "postgres"))
            try:
                await admin.execute("DROP DATABASE IF EXISTS ff_scale_bench")
                await admin.execute("CREATE DATABASE ff_scale_bench")
            finally:
                await admin.close()
            return await measure(dsn_for_database(base, "ff_scale_bench"), read_sizes, group_sizes, options.repeats)

        rows = asyncio.run(run())
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"\nMedians of {options.repeats}; ratio = ORM / raw asyncpg on the same table and columns")
    print(f"{'workload':<10}{'rows':>11}{'raw ms':>10}{'ORM ms':>10}{'ratio':>8}{'raw ms/1k':>11}{'ORM ms/1k':>11}")
    for label, size, raw_ms, orm_ms in rows:
        per = 1000 / size
        print(
            f"{label:<10}{size:>11,}{raw_ms:>10.1f}{orm_ms:>10.1f}{orm_ms / raw_ms:>8.2f}"
            f"{raw_ms * per:>11.3f}{orm_ms * per:>11.3f}"
        )


if __name__ == "__main__":
    main()
