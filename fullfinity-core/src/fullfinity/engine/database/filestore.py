"""The tenant filestore: File field contents, content-addressed by SHA-256.

Files live under ``FULLFINITY_DATA_DIR/filestore/<tenant>/<sha[:2]>/<sha>``; the
field's column keeps ``{"name", "mimetype", "size", "sha256"}``. Identical contents are
stored once.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fullfinity.exceptions import ValidationError

if TYPE_CHECKING:
    from fullfinity.engine.records.environment import Environment
    from fullfinity.engine.records.models import Model

__all__ = ["filestore_path", "read_file", "store_file"]


def filestore_root(tenant: str) -> Path:
    from fullfinity.settings import get_settings

    return Path(get_settings().data_dir) / "filestore" / tenant


def filestore_path(tenant: str, sha256: str) -> Path:
    return filestore_root(tenant) / sha256[:2] / sha256


def _write(path: Path, content: bytes) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own per write: two threads storing the same content never share a temp file.
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}-{secrets.token_hex(4)}")
    try:
        tmp.write_bytes(content)
        os.replace(tmp, path)
    except BaseException:  # disk full, quota, interrupted: leave nothing half-written behind
        tmp.unlink(missing_ok=True)
        raise


async def store_file(env: Environment, value: dict[str, Any]) -> dict[str, Any]:
    """Write the content of a converted File value; return the metadata to store."""
    content: bytes = value["content"]
    sha = hashlib.sha256(content).hexdigest()
    await asyncio.to_thread(_write, filestore_path(env.tenant, sha), content)
    return {"name": value["name"], "mimetype": value["mimetype"], "size": len(content), "sha256": sha}


async def read_file(record: Model, field_name: str) -> bytes | None:
    field = type(record)._fields.get(field_name)
    if field is None or field.type_name != "File":
        raise ValidationError(f"{type(record)._name}.{field_name} is not a File field.")
    value = getattr(record, field_name)
    if not value:
        return None
    path = filestore_path(record.env.tenant, value["sha256"])
    return await asyncio.to_thread(path.read_bytes)
