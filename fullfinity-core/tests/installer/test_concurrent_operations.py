"""Module operations on one tenant run one at a time (the tenant's module lock); on two tenants,
at the same time. A wait longer than FULLFINITY_MODULE_LOCK_TIMEOUT is refused with a 409."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from fullfinity.exceptions import ConcurrencyError
from fullfinity.installer import install_modules
from fullfinity.installer.lifecycle import LOCK_KEY
from fullfinity.runtime import Runtime
from fullfinity.tenancy.service import installed_modules


@asynccontextmanager
async def module_operation_running(runtime: Any, info: Any) -> AsyncIterator[None]:
    """Hold the tenant's module lock, as an install in progress does, until the block ends."""
    async with runtime.db.connection(info.server, info.database) as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", LOCK_KEY)
        yield


async def test_an_install_waits_for_the_operation_running_on_its_tenant_while_another_tenant_goes_on(
    ff_runtime, new_tenant
):
    busy, free = await new_tenant(), await new_tenant()
    steps: list[str] = []
    async with module_operation_running(ff_runtime, busy):
        waiting = asyncio.create_task(install_modules(ff_runtime.db, busy, ["product"], progress=steps.append))
        other = await asyncio.wait_for(install_modules(ff_runtime.db, free, ["product"]), timeout=60)
        await asyncio.sleep(0.3)
        assert not waiting.done(), "the install on the busy tenant ran while another operation held its lock"
        assert any(step.startswith("Waiting (at most 60 s) for another module operation") for step in steps), steps
    report = await asyncio.wait_for(waiting, timeout=60)

    assert [m.identifier for m in other.modules] == ["product"]
    assert [m.identifier for m in report.modules] == ["product"]
    assert "product" in await installed_modules(ff_runtime.db, busy)


async def test_two_installs_of_one_module_on_one_tenant_at_once_install_it_once(ff_runtime, new_tenant):
    info = await new_tenant()

    first, second = await asyncio.gather(
        install_modules(ff_runtime.db, info, ["product"]), install_modules(ff_runtime.db, info, ["product"])
    )

    # The second ran after the first committed, saw product installed and had nothing to do.
    assert sorted(len(r.modules) for r in (first, second)) == [0, 1]
    assert "product" in await installed_modules(ff_runtime.db, info)


async def test_an_install_that_cannot_get_the_lock_in_time_is_refused_with_409_and_changes_nothing(
    ff_settings, ff_runtime, new_tenant
):
    info = await new_tenant()
    impatient = Runtime(settings=ff_settings.model_copy(update={"module_lock_timeout": 0.5}))
    impatient.start()
    try:
        async with module_operation_running(ff_runtime, info):
            started = time.monotonic()
            with pytest.raises(ConcurrencyError) as refused:
                await install_modules(impatient.db, info, ["product"])
            waited = time.monotonic() - started
    finally:
        await impatient.close()

    assert refused.value.status_code == 409
    assert f"running on tenant '{info.name}'" in refused.value.message
    assert "FULLFINITY_MODULE_LOCK_TIMEOUT" in refused.value.message
    assert 0.4 < waited < 10
    assert "product" not in await installed_modules(ff_runtime.db, info)
