"""``tenant backup`` while clients write gives a consistent snapshot; restore refuses a damaged file.

Consistency checked on what the writes guarantee: each request creates a batch of 5 contacts in
one transaction, so a restored tenant holds every batch whole or not at all, and at least every
batch acknowledged before the backup started.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from fullfinity.exceptions import ModuleError
from fullfinity.tenancy.backup import backup_tenant, restore_tenant
from fullfinity.tenancy.service import drop_tenant


async def _batches(site, tenant: str) -> Counter[str]:
    info = await site.runtime.catalog.get(tenant)
    async with site.runtime.db.connection(info.server, info.database) as conn:
        rows = await conn.fetch("SELECT email FROM contact WHERE email LIKE 'b%@backup.test'")
    return Counter(row["email"] for row in rows)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return tmp_path_factory.mktemp("backups") / "under-writes.tar"


async def test_a_backup_taken_while_clients_write_restores_a_consistent_snapshot(site, archive):
    rt = site.runtime
    acknowledged: list[str] = []
    stop = asyncio.Event()

    async def writer(i: int) -> None:
        n = 0
        while not stop.is_set() and n < 300:
            n += 1
            batch = f"b{i}-{n}@backup.test"
            records = [{"name": f"{batch} #{j}", "email": batch} for j in range(5)]
            response = await site.client.post(
                "/api/bulk-create/Contact", json={"records": records}, headers=site.headers
            )
            assert response.status_code == 200, response.text
            acknowledged.append(batch)

    writers = [asyncio.create_task(writer(i)) for i in range(6)]
    await asyncio.sleep(0.5)
    before = set(acknowledged)
    await backup_tenant(rt.db, rt.catalog, site.tenant, archive)
    stop.set()
    await asyncio.gather(*writers)

    restored = f"{site.tenant}-copy"
    await restore_tenant(rt.db, rt.catalog, archive, restored)
    try:
        batches = await _batches(site, restored)
    finally:
        await drop_tenant(rt.db, rt.catalog, restored)
    print(f"\nbackup under 6 writers: {len(batches)} batches in the snapshot, {len(acknowledged)} written in all")
    assert set(batches.values()) == {5}, "every batch whole or absent"
    assert before <= set(batches), "everything acknowledged before the backup is in it"
    assert len(batches) < len(acknowledged), "writes went on during the backup"


def _damaged(archive, tmp_path, how: str):
    data = bytearray(archive.read_bytes())
    if how == "flipped":
        middle = len(data) // 2
        data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    else:
        data = data[: int(len(data) * 0.6)]
    broken = tmp_path / f"{how}.tar"
    broken.write_bytes(bytes(data))
    return broken


@pytest.mark.parametrize("how", ["flipped", "truncated"])
async def test_restore_refuses_a_damaged_backup_saying_so_and_creates_nothing(site, archive, tmp_path, how):
    rt = site.runtime
    with pytest.raises(ModuleError, match="is damaged") as refused:
        await restore_tenant(rt.db, rt.catalog, _damaged(archive, tmp_path, how), "damaged-copy")
    assert "Nothing was restored" in str(refused.value) or "nothing was restored" in str(refused.value)
    assert await rt.catalog.get("damaged-copy") is None
    async with rt.db.admin_connection() as admin:
        database = rt.settings.db_prefix + "damaged_copy"
        assert await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database) is None
