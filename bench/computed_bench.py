"""Computed-field recomputation: 10,000 invoice lines across 1,000 invoices.

    python bench/computed_bench.py

Times, against one PostgreSQL, (a) a bulk update of every line's amount followed by the
recompute of every invoice total, (b) the same for 10 lines (work proportional to what
changed), each with the number of SQL statements, next to raw asyncpg doing the
equivalent by hand (one UPDATE of the lines, one UPDATE ... FROM (aggregate) of the totals).
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections.abc import AsyncIterator
from decimal import Decimal

import asyncpg
from _server import bench_database

from fullfinity.engine.base import ManyToOne, Model, Monetary, OneToMany
from fullfinity.engine.env import Environment
from fullfinity.testing.orm import connect, env_on, registry_on

N_INVOICES, LINES_EACH, REPEATS = 1000, 10, 5


class BnInvoice(Model):
    lines = OneToMany("BnLine", related_name="invoice")
    total = Monetary(calculate="compute_total", store=True)

    @Model.calculate("lines", "lines__amount")
    async def compute_total(self):
        await self.fetch_related("lines")
        self.total = sum((line.amount for line in self.lines), Decimal(0))


class BnLine(Model):
    invoice = ManyToOne("BnInvoice", related_name="lines", required=True, on_delete="CASCADE")
    amount = Monetary()


async def timed(fn) -> tuple[float, int]:
    samples, statements = [], 0
    for i in range(REPEATS + 1):
        start = time.perf_counter()
        statements = await fn(i)
        if i:
            samples.append((time.perf_counter() - start) * 1000)
    return statements, statistics.median(samples)


async def main() -> None:
    async with bench_database() as dsn:
        registry = await registry_on(dsn, BnInvoice, BnLine)
        async with env_on(dsn, registry, commit=True) as env:
            invoices = await BnInvoice.bulk_create([{} for _ in range(N_INVOICES)])
            await BnLine.bulk_create(
                [{"invoice": i, "amount": "1.00"} for i in invoices.ids for _ in range(LINES_EACH)]
            )
            await env.flush()
        conn = await asyncpg.connect(dsn)
        orm_conn = await connect(dsn)

        @contextlib.asynccontextmanager
        async def unit() -> AsyncIterator[Environment]:
            """One transaction on a kept connection, as a request handler would have."""
            env = Environment(tenant="bench", registry=registry, conn=orm_conn)
            async with orm_conn.transaction():
                with env.bind():
                    yield env
                    await env.flush()

        some = [r["id"] for r in await conn.fetch("SELECT id FROM bn_line ORDER BY id LIMIT 10")]

        async def orm_all(i: int) -> int:
            async with unit() as env:
                with env.count_queries() as counter:
                    await BnLine.filter().update(amount=Decimal(i + 2))
                    await env.flush()
            return counter.total

        async def orm_some(i: int) -> int:
            async with unit() as env:
                with env.count_queries() as counter:
                    await BnLine.filter(id__in=some).update(amount=Decimal(i + 100))
                    await env.flush()
            return counter.total

        async def raw_all(i: int) -> int:
            async with conn.transaction():
                await conn.execute("UPDATE bn_line SET amount = $1", Decimal(i + 2))
                await conn.execute(
                    "UPDATE bn_invoice i SET total = s.t FROM (SELECT invoice_id, sum(amount) AS t "
                    "FROM bn_line GROUP BY invoice_id) s WHERE i.id = s.invoice_id"
                )
            return 2

        async def raw_some(i: int) -> int:
            async with conn.transaction():
                await conn.execute(
                    "UPDATE bn_line SET amount = $1 WHERE id = ANY($2::bigint[])", Decimal(i + 100), some
                )
                await conn.execute(
                    "UPDATE bn_invoice i SET total = s.t FROM (SELECT invoice_id, sum(amount) AS t "
                    "FROM bn_line WHERE invoice_id IN (SELECT invoice_id FROM bn_line WHERE id = "
                    "ANY($1::bigint[])) GROUP BY invoice_id) s WHERE i.id = s.invoice_id",
                    some,
                )
            return 2

        rows = []
        for label, fn in [
            ("10,000 lines -> 1,000 invoices", (orm_all, raw_all)),
            ("10 lines -> their invoices", (orm_some, raw_some)),
        ]:
            orm_q, orm_ms = await timed(fn[0])
            raw_q, raw_ms = await timed(fn[1])
            rows.append((label, orm_ms, orm_q, raw_ms, raw_q))
        await conn.close()
        await orm_conn.close()
    print("| workload | Fullfinity ms | statements | raw asyncpg ms | statements | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, orm_ms, orm_q, raw_ms, raw_q in rows:
        print(f"| {label} | {orm_ms:.1f} | {orm_q} | {raw_ms:.1f} | {raw_q} | {orm_ms / raw_ms:.2f} |")


if __name__ == "__main__":
    asyncio.run(main())
