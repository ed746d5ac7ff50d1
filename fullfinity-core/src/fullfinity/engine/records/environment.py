"""The environment: who is working, on which tenant, in which transaction.

An ``Environment`` carries the tenant, its composed model registry, the user id, the
context dict, the elevated flag and the connection of the current transaction. It is
bound to the running task through ``env_ctx`` (see ``fullfinity.engine.context``); the
ORM takes everything it needs from there.

Every statement the ORM sends goes through ``Environment.fetch`` / ``execute`` /
``fetchval``, which count queries (``env.stats``, ``env.count_queries()``) and map
database errors to Fullfinity errors in one place (``fullfinity.engine.database.errors``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import asyncpg

from fullfinity.engine.context import env_ctx
from fullfinity.engine.database.errors import map_db_error
from fullfinity.plugins import await_me_maybe

if TYPE_CHECKING:
    from fullfinity.engine.access.control import AccessProfile
    from fullfinity.engine.records.models import Model
    from fullfinity.engine.records.registry import Registry

__all__ = ["Environment", "QueryCounter", "QueryStats"]

log = logging.getLogger(__name__)

SYSTEM_UID = 1


@dataclass
class QueryStats:
    """Statements sent by this environment (all kinds), with the SQL of each when recording."""

    total: int = 0
    statements: list[str] = field(default_factory=list)
    recording: int = 0

    def add(self, sql: str) -> None:
        self.total += 1
        if self.recording:
            self.statements.append(sql)


@dataclass
class QueryCounter:
    """What ``env.count_queries()`` yields: statements sent inside the block."""

    start: int
    stats: QueryStats
    first_statement: int
    end: int | None = None

    @property
    def total(self) -> int:
        return (self.end if self.end is not None else self.stats.total) - self.start

    @property
    def statements(self) -> list[str]:
        return self.stats.statements[self.first_statement :]


class Environment:
    """Tenant, registry, user, context and transaction of the current unit of work."""

    def __init__(
        self,
        *,
        tenant: str,
        registry: Registry,
        conn: asyncpg.Connection,
        uid: int | None = None,
        context: dict[str, Any] | None = None,
        elevated: bool = False,
        stats: QueryStats | None = None,
        cache: Any = None,
        read_only: bool = False,
    ) -> None:
        self.tenant = tenant
        self.registry = registry
        self.conn = conn
        self.real_uid = uid
        self.context: dict[str, Any] = dict(context or {})
        self.is_elevated = elevated or uid is None
        self.stats = stats or QueryStats()
        self.cache = cache
        #: On a read-only connection, statements autocommit one by one and PostgreSQL refuses
        #: writes (the read endpoints of the API; ``DatabaseManager.connection(read_only=True)``).
        self.read_only = read_only
        #: The login session (token family) of the request, when it came with an access token: what
        #: "sign out my other sessions" keeps (the Change password wizard).
        self.session_family: str | None = None
        #: What the user may do (``fullfinity.engine.access.control``); ``None`` until loaded, unused when elevated.
        self.access: AccessProfile | None = None
        self._savepoints = 0
        #: Model names written in this transaction (the cache invalidates them after commit).
        self.written: set[str] = set()
        #: (model, stored computed field) -> ids to recompute at the next flush.
        self.dirty: dict[tuple[str, str], set[int]] = {}
        self._after_commit: list[Callable[[], Any]] = []

    # -- identity ------------------------------------------------------------------
    @property
    def uid(self) -> int:
        """The current user id; the built-in system user for system work."""
        return self.real_uid if self.real_uid is not None else SYSTEM_UID

    @property
    def user(self) -> Model | None:
        """The current user as a ``User`` record (loaded on demand with ``fetch_related``/``refresh``);
        ``None`` when the registry has no ``User`` model."""
        if "User" not in self.registry:
            return None
        return self.registry.get("User").browse(self.uid)

    @property
    def lang(self) -> str:
        return str(self.context.get("lang") or "en")

    @property
    def tz(self) -> str:
        return str(self.context.get("tz") or "UTC")

    def bindings(self) -> dict[str, Any]:
        """Values of the bound names usable in Q strings (orm.md 12.5)."""
        return {
            "uid": self.uid,
            "cid": self.context.get("cid"),
            "company_id": self.context.get("cid"),
            "cids": [self.context["cid"]] if self.context.get("cid") is not None else [],
            "contact_id": self.access.contact_id if self.access is not None else self.context.get("contact_id"),
            "active_id": self.context.get("active_id"),
            "tz": self.tz,
            "now": dt.datetime.now(dt.UTC),
        }

    # -- models --------------------------------------------------------------------
    async def load_access(self) -> None:
        """Load the user's access profile (called when an environment is opened for a user)."""
        if self.real_uid is not None:
            from fullfinity.engine.access.control import cached_profile  # here: importing env stays light

            self.access = await cached_profile(self, self.real_uid)

    def get_model(self, name: str) -> type[Model]:
        """The composed model class ``name`` of this tenant."""
        return self.registry.get(name)

    def __getitem__(self, name: str) -> type[Model]:
        return self.registry.get(name)

    # -- scoped variants ---------------------------------------------------------------
    @contextlib.contextmanager
    def sudo(self) -> Iterator[Environment]:
        """Run the block elevated: no access checks (audit fields still record the real user)."""
        previous = self.is_elevated
        self.is_elevated = True
        try:
            yield self
        finally:
            self.is_elevated = previous

    @contextlib.contextmanager
    def with_context(self, **values: Any) -> Iterator[Environment]:
        """Overlay context keys for the block."""
        previous = self.context
        self.context = {**previous, **values}
        try:
            yield self
        finally:
            self.context = previous

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Environment]:
        """A savepoint inside the current transaction: an exception rolls back to it and propagates.

        On a read-only connection outside any transaction, the block gets a (read-only) transaction.
        """
        if self.read_only and not self.conn.is_in_transaction():
            async with self.conn.transaction():
                yield self
            return
        await self.flush()
        self._savepoints += 1
        name = f"ff_sp_{self._savepoints}"
        await self.execute(f"SAVEPOINT {name}")
        try:
            yield self
            await self.flush()
        except BaseException:
            await self.execute(f"ROLLBACK TO SAVEPOINT {name}")
            raise
        else:
            await self.execute(f"RELEASE SAVEPOINT {name}")
        finally:
            self._savepoints -= 1

    def after_commit(self, callback: Callable[[], Any]) -> None:
        """Run ``callback()`` (sync or async) once the transaction has committed; dropped on rollback."""
        self._after_commit.append(callback)

    async def committed(self) -> None:
        """Called by whoever committed the transaction: cache invalidation, then ``after_commit`` callbacks.

        Failures are logged, never raised: the transaction is already durable.
        """
        callbacks, self._after_commit = self._after_commit, []
        written, self.written = self.written, set()
        if self.cache is not None and written:
            try:
                await await_me_maybe(self.cache.models_written(self.tenant, written))
            except Exception:
                log.exception("Cache invalidation after commit failed for tenant %s", self.tenant)
        for callback in callbacks:
            try:
                await await_me_maybe(callback())
            except Exception:
                log.exception("after_commit callback %r failed", callback)

    def rolled_back(self) -> None:
        """Called when the transaction rolled back: pending side effects are dropped."""
        self._after_commit.clear()
        self.written.clear()
        self.dirty.clear()

    async def flush(self) -> None:
        """Write pending recomputations (stored computed fields) now."""
        if self.dirty:
            from fullfinity.engine.records.computed import flush  # here: importing env stays light

            await flush(self)

    # -- statements ----------------------------------------------------------------
    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        self.stats.add(sql)
        try:
            return await self.conn.fetch(sql, *args)
        except asyncpg.PostgresError as exc:
            raise map_db_error(exc, self) from exc

    async def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        self.stats.add(sql)
        try:
            return await self.conn.fetchrow(sql, *args)
        except asyncpg.PostgresError as exc:
            raise map_db_error(exc, self) from exc

    async def fetchval(self, sql: str, *args: Any) -> Any:
        self.stats.add(sql)
        try:
            return await self.conn.fetchval(sql, *args)
        except asyncpg.PostgresError as exc:
            raise map_db_error(exc, self) from exc

    async def execute(self, sql: str, *args: Any) -> str:
        self.stats.add(sql)
        try:
            return await self.conn.execute(sql, *args)
        except asyncpg.PostgresError as exc:
            raise map_db_error(exc, self) from exc

    async def executemany(self, sql: str, args: Sequence[Sequence[Any]]) -> None:
        self.stats.add(sql)
        try:
            await self.conn.executemany(sql, args)
        except asyncpg.PostgresError as exc:
            raise map_db_error(exc, self) from exc

    async def copy_records(self, table: str, columns: Sequence[str], records: Sequence[Sequence[Any]]) -> None:
        self.stats.add(f"COPY {table} ({', '.join(columns)}) FROM STDIN")
        try:
            await self.conn.copy_records_to_table(table, records=records, columns=list(columns))
        except asyncpg.PostgresError as exc:
            raise map_db_error(exc, self) from exc

    @contextlib.contextmanager
    def count_queries(self) -> Iterator[QueryCounter]:
        """Count (and record the SQL of) the statements sent inside the block."""
        self.stats.recording += 1
        counter = QueryCounter(self.stats.total, self.stats, len(self.stats.statements))
        try:
            yield counter
        finally:
            counter.end = self.stats.total
            self.stats.recording -= 1

    def bind(self) -> contextlib.AbstractContextManager[Environment]:
        """Bind this environment to ``env_ctx`` for the block."""
        return _bound(self)

    def __repr__(self) -> str:
        return f"<Environment tenant={self.tenant!r} uid={self.uid} elevated={self.is_elevated}>"


@contextlib.contextmanager
def _bound(env: Environment) -> Iterator[Environment]:
    token = env_ctx.set(env)
    try:
        yield env
    finally:
        env_ctx.reset(token)
