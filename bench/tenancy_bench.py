"""Tenancy benchmark (issue 5): tenant creation, module installs, and 200 tenants touched in turn.

    /path/to/venv/bin/python bench/tenancy_bench.py [--tenants 200] [--budget 20]

Starts a throwaway embedded PostgreSQL (or uses ``FULLFINITY_BENCH_DATABASE_URL``) and writes five
synthetic module distributions (a dependency chain, each with three models and 60 data records)
next to core, so "all available modules" means core plus those five. It prints:

- tenant creation time: core only and with every module, from scratch (``--no-template``), the
  first creation with templates (which builds the template) and later ones (a copy);
- install time of each module into a core-only tenant;
- 200 tenants (same module set) each touched in turn by one small transaction: the most
  connections ever open against the budget, and memory growth per extra tenant (RSS, after the
  first 20 tenants warmed the shared registry).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import yaml

from fullfinity.engine.db import EmbeddedPostgres, dsn_for_database
from fullfinity.engine.module_registry import discover_modules
from fullfinity.installer import install_modules
from fullfinity.plugins import get_plugin_manager
from fullfinity.runtime import Runtime
from fullfinity.scripting import tenant_env
from fullfinity.settings import Settings
from fullfinity.tenancy.service import create_tenant

MODULES = ["benchsales", "benchstock", "benchbilling", "benchhelp", "benchreport"]


def write_modules(site: Path) -> None:
    """Five module distributions laid out as pip installs them (each depends on the previous one)."""
    previous: list[str] = []
    for ident in MODULES:
        package = site / f"ffbench_{ident}"
        (package / "models").mkdir(parents=True)
        (package / "data").mkdir()
        (package / "__init__.py").write_text("")
        manifest = {"name": ident.title(), "identifier": ident, "dependencies": previous[-1:]}
        (package / "manifest.yaml").write_text(yaml.safe_dump(manifest))
        p = ident.title()
        (package / "models" / "__init__.py").write_text(
            "from fullfinity.engine.base import Boolean, Char, Integer, ManyToOne, Model\n\n"
            f"class {p}Stage(Model):\n    name = Char(max_length=80, required=True)\n    sequence = Integer()\n\n"
            f"class {p}Item(Model):\n    name = Char(max_length=80, required=True)\n"
            f"    stage = ManyToOne('{p}Stage', on_delete='SET NULL')\n    contact = ManyToOne('Contact')\n\n"
            f"class {p}Tag(Model):\n    name = Char(max_length=80, required=True)\n    active = Boolean(default=True)\n"
        )
        records = [
            {"data_type": f"{p}Stage", "identifier": f"{ident}_stage_{i}", "name": f"S{i}", "sequence": i}
            for i in range(20)
        ]
        records += [{"data_type": f"{p}Tag", "identifier": f"{ident}_tag_{i}", "name": f"T{i}"} for i in range(20)]
        records += [{"data_type": f"{p}Item", "identifier": f"{ident}_item_{i}", "name": f"I{i}",
                     "stage": f"{ident}_stage_{i % 20}"} for i in range(20)]  # fmt: skip
        (package / "data" / "records.yaml").write_text(yaml.safe_dump(records))
        dist = site / f"fullfinity_{ident}-1.0.0.dist-info"
        dist.mkdir()
        (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: fullfinity-{ident}\nVersion: 1.0.0\n")
        (dist / "entry_points.txt").write_text(f"[fullfinity.modules]\n{ident} = ffbench_{ident}\n")
        previous.append(ident)
    sys.path.insert(0, str(site))
    discover_modules.cache_clear()
    get_plugin_manager.cache_clear()


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def timed_create(runtime: Runtime, modules: list[str], *, template: bool) -> float:
    name = f"b-{uuid.uuid4().hex[:8]}"
    started = time.perf_counter()
    await create_tenant(runtime.db, runtime.catalog, name, modules=modules, use_template=template)
    return time.perf_counter() - started


async def run(args: argparse.Namespace, base_dsn: str, data_dir: Path) -> None:
    settings = Settings(
        database_url=base_dsn,
        data_dir=data_dir,
        catalog_db=f"ffbench_catalog_{uuid.uuid4().hex[:6]}",
        db_prefix="ffb_",
        db_max_connections=args.budget,
    )
    runtime = Runtime(settings=settings, pm=get_plugin_manager())
    runtime.start()
    print(f"PostgreSQL: {dsn_for_database(base_dsn, '')!s}  modules: core + {', '.join(MODULES)}")
    print("\n== Tenant creation (seconds)")
    for label, modules in (("core only", []), ("all modules", MODULES)):
        scratch = await timed_create(runtime, modules, template=False)
        first = await timed_create(runtime, modules, template=True)
        later = sorted([await timed_create(runtime, modules, template=True) for _ in range(5)])[2]
        print(f"  {label:<12} no template {scratch:6.3f}   first with template (builds it) {first:6.3f}"
              f"   from template (median of 5) {later:6.3f}")  # fmt: skip

    print("\n== Install time per module into a core-only tenant (seconds, data statements)")
    name = f"b-{uuid.uuid4().hex[:8]}"
    info = await create_tenant(runtime.db, runtime.catalog, name)
    for ident in MODULES:
        report = await install_modules(runtime.db, info, [ident])
        print(f"  {ident:<14} {report.seconds:6.3f}s  {report.count('created'):4d} records  "
              f"{report.data_statements:3d} data statements  {len(report.ddl):3d} DDL")  # fmt: skip

    print(f"\n== {args.tenants} tenants with the same modules, each touched in turn (budget {args.budget})")
    names = []
    started = time.perf_counter()
    for _ in range(args.tenants):
        name = f"t-{uuid.uuid4().hex[:8]}"
        await create_tenant(runtime.db, runtime.catalog, name, modules=MODULES[:2])
        names.append(name)
    print(f"  created {args.tenants} tenants from one template in {time.perf_counter() - started:.1f}s")
    peak = 0
    warm = 0.0
    started = time.perf_counter()
    for index, name in enumerate(names):
        async with tenant_env(name, runtime=runtime) as env:
            await env["Contact"].create(name=f"visitor {index}")
            await env["BenchsalesItem"].filter().count()
        peak = max(peak, runtime.db.pools.open_connections)
        if index == 19:
            gc.collect()
            warm = rss_mib()
    gc.collect()
    end = rss_mib()
    elapsed = time.perf_counter() - started
    per_tenant_kib = (end - warm) * 1024 / max(1, len(names) - 20)
    print(f"  touched {len(names)} tenants in {elapsed:.1f}s ({elapsed / len(names) * 1000:.1f} ms each)")
    print(f"  open connections: peak {peak}, budget {args.budget}, open now {runtime.db.pools.open_connections}")
    print(f"  RSS after 20 tenants {warm:.1f} MiB, after {len(names)} {end:.1f} MiB: "
          f"{per_tenant_kib:.1f} KiB per extra tenant")  # fmt: skip
    await runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--budget", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ffbench-tenancy-") as tmp:
        os.chmod(tmp, 0o755)
        root = Path(tmp)
        (root / "site").mkdir()
        write_modules(root / "site")
        external = os.environ.get("FULLFINITY_BENCH_DATABASE_URL")
        server = None
        if external:
            base = dsn_for_database(external, "postgres")
        else:
            (root / "pg").mkdir()
            os.chmod(root / "pg", 0o755)
            server = EmbeddedPostgres(root / "pg", cleanup="delete")
            base = server.start()
        try:
            asyncio.run(run(args, base, root / "data"))
        finally:
            if server is not None:
                server.stop()


if __name__ == "__main__":
    main()
