"""Two worker processes on one PostgreSQL database and one Valkey: a committed write is never served stale.

The test process is worker A. Worker B is a second Python process running ``WORKER`` (it
imports this file for the model), reading a ``.cached()`` queryset each time it receives
``read`` on stdin and answering one JSON line with the value it saw and the number of SQL
statements it sent (0 = served from the cache).
"""

import asyncio
import json
import sys
import uuid

import pytest_asyncio

from fullfinity.engine.base import Char, Integer, Model
from fullfinity.engine.cache.valkey import ValkeyCache
from fullfinity.testing.orm import env_on


class CpwGadget(Model):
    name = Char(required=True)
    quantity = Integer()


MODELS = [CpwGadget]

WORKER = r"""
import asyncio, importlib.util, json, sys

from fullfinity.engine.cache.valkey import ValkeyCache
from fullfinity.engine.records.registry import Registry
from fullfinity.testing.orm import env_on


async def main(test_file, dsn, url, tenant):
    spec = importlib.util.spec_from_file_location("cache_process_models", test_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    registry = Registry.from_models(*module.MODELS)
    cache = ValkeyCache(url)
    loop = asyncio.get_running_loop()
    print(json.dumps({"ready": True}), flush=True)
    while (await loop.run_in_executor(None, sys.stdin.readline)).strip() == "read":
        async with env_on(dsn, registry, cache=cache, tenant=tenant, commit=True) as env:
            with env.count_queries() as counter:
                found = await module.CpwGadget.filter(name="probe").cached()
        print(json.dumps({"quantity": found[0].quantity, "queries": counter.total}), flush=True)
    await cache.close()


asyncio.run(main(*sys.argv[1:]))
"""


class Worker:
    """The second process: ``await worker.read()`` -> what it served."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def line(self) -> dict:
        raw = await asyncio.wait_for(self.process.stdout.readline(), 60)
        if not raw:
            stderr = (await self.process.stderr.read()).decode()
            raise AssertionError(f"worker B exited:\n{stderr}")
        return json.loads(raw)

    async def read(self) -> dict:
        self.process.stdin.write(b"read\n")
        await self.process.stdin.drain()
        return await self.line()


@pytest_asyncio.fixture(loop_scope="session")
async def tenant():
    return "p" + uuid.uuid4().hex[:10]


@pytest_asyncio.fixture(loop_scope="session")
async def worker_b(ff_database, ff_registry, ff_valkey_url, tenant):
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        WORKER,
        __file__,
        ff_database,
        ff_valkey_url,
        tenant,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    worker = Worker(process)
    try:
        assert await worker.line() == {"ready": True}
        yield worker
    finally:
        if process.returncode is None:
            process.stdin.write(b"quit\n")
            await process.stdin.drain()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


async def test_a_write_committed_by_one_process_is_never_served_stale_by_another(
    ff_database, ff_registry, ff_valkey_url, tenant, worker_b
):
    worker_a = ValkeyCache(ff_valkey_url)

    def unit_of_work():
        return env_on(ff_database, ff_registry, cache=worker_a, tenant=tenant, commit=True)

    try:
        async with unit_of_work():
            await CpwGadget.create(name="probe", quantity=0)
        assert await worker_b.read() == {"quantity": 0, "queries": 1}
        assert await worker_b.read() == {"quantity": 0, "queries": 0}  # B serves it from the cache now
        async with unit_of_work() as env:
            with env.count_queries() as counter:
                assert (await CpwGadget.filter(name="probe").cached())[0].quantity == 0
            assert counter.total == 0  # and A reads the entry B put in Valkey

        for quantity in range(1, 21):
            async with unit_of_work():  # commit, then committed() bumps the generation
                await CpwGadget.filter(name="probe").update(quantity=quantity)
            # committed() has returned: B must not serve the old value, however soon it is asked.
            assert await worker_b.read() == {"quantity": quantity, "queries": 1}
            assert await worker_b.read() == {"quantity": quantity, "queries": 0}
    finally:
        await worker_a.close()
