"""The filestore's disk fills up: a file upload answers 507 in the one error shape, and the tenant
keeps no record without its file (the request's transaction is rolled back).

The filestore of the test's tenant is a real 1 MiB tmpfs (mounting one needs root, as CI and the
development machines run); an upload of 1.5 MiB gets ENOSPC from the kernel mid-write.
"""

from __future__ import annotations

import base64
import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.reliability.conftest import running_site

from fullfinity.engine.database.filestore import filestore_root

PNG = b"\x89PNG\r\n\x1a\n"


@contextlib.contextmanager
def tiny_disk(path: Path, size: str = "1m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``path`` for the block (skips the test when mounting is not allowed)."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs (needs root): {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def _image(name: str, size: int) -> dict[str, str]:
    content = PNG + os.urandom(size - len(PNG))
    return {"name": name, "mimetype": "image/png", "content": base64.b64encode(content).decode()}


async def _create(site, name: str, image: dict[str, str]):
    return await site.client.post("/api/create/Product", json={"name": name, "image": image}, headers=site.headers)


async def _names(site) -> list[str]:
    found = await site.client.post("/api/query/Product", json={"fields": ["name", "image"]}, headers=site.headers)
    assert found.status_code == 200, found.text
    return [r["name"] for r in found.json()["data"] if r["image"]]


async def test_an_upload_on_a_full_filestore_answers_507_and_leaves_no_record_without_its_file(rel_settings):
    async with running_site(rel_settings, modules=["product"]) as site:
        with tiny_disk(filestore_root(site.tenant)):
            refused = await _create(site, "Too big for the disk", _image("big.png", 1_500_000))
            names = await _names(site)

    assert refused.status_code == 507, refused.text
    error = refused.json()["error"]
    assert error["type"] == "StorageFull"
    assert "no space left" in error["message"] and "nothing was saved" in error["message"]
    assert error["details"] == [{"path": "", "message": "no space left on device"}]
    assert names == []  # the record was rolled back with its request


async def test_a_failed_upload_leaves_no_partial_file_and_the_next_one_that_fits_is_stored(rel_settings):
    async with running_site(rel_settings, modules=["product"]) as site:
        with tiny_disk(filestore_root(site.tenant)) as disk:
            refused = await _create(site, "Too big for the disk", _image("big.png", 1_500_000))
            left = sorted(p.name for p in disk.rglob("*") if p.is_file())
            stored = await _create(site, "Fits", _image("small.png", 20_000))
            names = await _names(site)
            files = {p.name: p.stat().st_size for p in disk.rglob("*") if p.is_file()}
            product = await site.client.post(
                f"/api/fetch/Product/{stored.json().get('id')}", json={"fields": ["image"]}, headers=site.headers
            )

    assert refused.status_code == 507, refused.text
    assert left == [], f"a failed write leaves nothing on the disk: {left}"
    assert stored.status_code == 200, stored.text  # the server goes on once there is room
    assert names == ["Fits"]
    assert files == {product.json()["image"]["sha256"]: 20_000}, files
