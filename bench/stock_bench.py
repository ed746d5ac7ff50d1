"""Validating large transfers (issue 15): one receipt and one delivery of 5,000 and of 50,000 lines.

    /path/to/venv/bin/python bench/stock_bench.py [--lines 5000,50000]

Starts a throwaway embedded PostgreSQL (or uses FULLFINITY_BENCH_DATABASE_URL), creates a tenant with
the inventory module and, per size, that many storable products (FIFO cost, one SQL statement), then
times through the public API (``Transfer.action_validate`` etc., one transaction each, committed):

1. a receipt of N lines (one move per product) from the vendors to WH/Stock: validate (quants
   created, valuation layers, lines) — Odoo needed 121 s for 5,000 lines before its fix, 8.5 s after;
2. a delivery of the same N lines: reserve (``action_assign``) then validate.

The moves are created untimed with ``StockMove.bulk_create`` (one COPY). After each size, the ledger
check recomputes every quant from the move history (``fullfinity_inventory.problems``) and must find
nothing. Targets: 5,000 lines validated in under 2 s, 50,000 in under 20 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any


async def measure(tenant: str, sizes: list[int]) -> list[dict[str, Any]]:
    from fullfinity.runtime import Runtime
    from fullfinity.scripting import tenant_env
    from fullfinity.settings import get_settings
    from fullfinity.tenancy.service import create_tenant
    from fullfinity_inventory import problems

    runtime = Runtime(settings=get_settings())
    runtime.start()
    out = []
    try:
        await runtime.catalog.ensure()
        await create_tenant(runtime.db, runtime.catalog, tenant, modules=["inventory"])
        for size in sizes:
            figures: dict[str, Any] = {"lines": size}
            async with tenant_env(tenant, runtime=runtime) as env:
                uom = await env.fetchval("SELECT id FROM uom ORDER BY id LIMIT 1")
                prefix = uuid.uuid4().hex[:6]
                products = [
                    r["id"]
                    for r in await env.fetch(
                        "INSERT INTO product (name, product_type, uom_id, sale_price, cost, active, storable, "
                        "tracking, cost_method) SELECT $1 || g, 'goods', $2, 10, (g % 97) + 1, true, true, 'none', "
                        "'fifo' FROM generate_series(1, $3) AS g RETURNING id",
                        f"Bench {prefix} ",
                        uom,
                        size,
                    )
                ]
                wh = await env["Warehouse"].filter(code="WH").get()
                await wh.fetch_related("stock_location", "receipt_type", "delivery_type")
                ids = {}
                for kind, op, source, destination in (
                    ("receipt", wh.receipt_type, wh.receipt_type.default_source, wh.stock_location.id),
                    ("delivery", wh.delivery_type, wh.stock_location.id, wh.delivery_type.default_destination),
                ):
                    transfer = await env["Transfer"].create(operation_type=op.id)
                    await env["StockMove"].bulk_create(
                        [
                            {"transfer": transfer.id, "product": p, "demand": Decimal(5), "uom": uom,
                             "source": source, "destination": destination}
                            for p in products
                        ]
                    )  # fmt: skip
                    ids[kind] = transfer.id
            async with tenant_env(tenant, runtime=runtime) as env:
                t0 = time.perf_counter()
                await env["Transfer"].browse(ids["receipt"]).action_validate()
            figures["receipt: validate"] = time.perf_counter() - t0
            async with tenant_env(tenant, runtime=runtime) as env:
                t0 = time.perf_counter()
                await env["Transfer"].browse(ids["delivery"]).action_assign()
            figures["delivery: reserve"] = time.perf_counter() - t0
            async with tenant_env(tenant, runtime=runtime) as env:
                t0 = time.perf_counter()
                await env["Transfer"].browse(ids["delivery"]).action_validate()
            figures["delivery: validate"] = time.perf_counter() - t0
            async with tenant_env(tenant, runtime=runtime) as env:
                figures["ledger check"] = await problems(env)
            out.append(figures)
    finally:
        await runtime.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", default="5000,50000")
    options = parser.parse_args()
    sizes = [int(s) for s in options.lines.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="ffstockbench-"))
    os.chmod(tmp, 0o755)
    token = uuid.uuid4().hex[:6]
    from fullfinity.engine.db import EmbeddedPostgres, dsn_for_database

    server = None
    external = os.environ.get("FULLFINITY_BENCH_DATABASE_URL")
    if external:
        base = dsn_for_database(external, "postgres")
    else:
        server = EmbeddedPostgres(tmp / "pg", cleanup="delete")
        (tmp / "pg").mkdir()
        os.chmod(tmp / "pg", 0o755)
        base = server.start()
    os.environ.pop("FULLFINITY_CACHE_URL", None)
    os.environ.update(
        {
            "FULLFINITY_DATABASE_URL": base,
            "FULLFINITY_DATA_DIR": str(tmp / "data"),
            "FULLFINITY_CATALOG_DB": f"ffstockbench_{token}_catalog",
            "FULLFINITY_DB_PREFIX": f"ffstockbench_{token}_",
            "FULLFINITY_SECRET_KEY": secrets.token_urlsafe(32),
            "FULLFINITY_LOG_LEVEL": "WARNING",
            "FULLFINITY_DB_STATEMENT_TIMEOUT": "600",
        }
    )
    try:
        results = asyncio.run(measure(f"stockbench-{token}", sizes))
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n{'lines':>8}{'receipt validate':>18}{'delivery reserve':>18}{'delivery validate':>19}  ledger check")
    for r in results:
        check = "consistent" if not r["ledger check"] else f"{len(r['ledger check'])} problems"
        print(
            f"{r['lines']:>8,}{r['receipt: validate']:>16.2f} s{r['delivery: reserve']:>16.2f} s"
            f"{r['delivery: validate']:>17.2f} s  {check}"
        )
    print("(targets: 5,000 lines validated in under 2 s, 50,000 in under 20 s)")


if __name__ == "__main__":
    main()
