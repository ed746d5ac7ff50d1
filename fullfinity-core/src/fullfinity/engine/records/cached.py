"""Cached querysets: ``Model.filter(...).cached(ttl=60)`` serves ``all()`` and ``count()`` from the cache.

The key is the tenant, the compiled SQL and its parameters, ``cache_key_extra()`` and the
generation of ``model:<Name>`` for every model whose table the SQL reads, so a committed
write to any of them makes the old result unreachable in every worker. A hit rebuilds the
records with the same row builder as a database read (the cache only replaces the fetch of
the rows), so they behave exactly like fresh ones.

Not cached (the query goes to the database as usual):

- when the environment has no cache, or the transaction already wrote one of the models
  the query reads (it must see its own uncommitted writes, and they are not yet in any
  generation);
- when the SQL reads a table that is not a model's table (a join table, say), or calls a
  volatile function (``now()``, ``random()``...), since no generation covers those;
- values the cache encoding cannot carry exactly (see ``fullfinity.engine.cache.codec``).

``get()``, ``first()``, ``values()`` and the other terminals are never cached. Results are
stored only from transactions at READ COMMITTED (the default): a REPEATABLE READ snapshot
may predate a write whose generation bump it has already seen.
"""

from __future__ import annotations

import hashlib
import re
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from fullfinity.engine.cache.codec import Uncacheable, encode
from fullfinity.engine.cache.store import Cache, Lookup, model_namespace
from fullfinity.engine.query.query import Query
from fullfinity.engine.records.queryset import QuerySet

if TYPE_CHECKING:
    from fullfinity.engine.records.environment import Environment
    from fullfinity.engine.records.models import Model
    from fullfinity.engine.records.registry import Registry

__all__ = ["QUERY_NAMESPACE", "CachedQuerySet", "cache_key_extra", "query_dependencies"]

M = TypeVar("M", bound="Model")

#: The namespace of query results: ``cache.bump(tenant, QUERY_NAMESPACE)`` drops them all.
QUERY_NAMESPACE = "query"

_TABLES = re.compile(r'\b(?:FROM|JOIN)\s+"((?:[^"]|"")+)"', re.IGNORECASE)
_QUOTED = re.compile(r'"(?:[^"]|"")*"|\'(?:[^\']|\'\')*\'')  # identifiers and literals: not function calls
_VOLATILE = re.compile(
    r"\b(?:now|random|clock_timestamp|statement_timestamp|transaction_timestamp|timeofday|nextval|currval"
    r"|lastval|setval|current_date|current_time|current_timestamp|localtime|localtimestamp|current_user"
    r"|session_user|current_setting|txid_current|pg_current_xact_id|gen_random_uuid)\b",
    re.IGNORECASE,
)


def cache_key_extra(env: Environment, model: type[Model]) -> tuple[str, ...]:
    """What, besides the SQL and its parameters, a cached result depends on.

    Extension point: today nothing (the SQL carries the filters, the active test and the
    timezone-dependent expressions). Field-level access rules will add the user's groups
    here, so two users who may see different columns never share an entry.
    """
    return ()


def query_dependencies(env: Environment, model: type[Model], sql: str) -> list[str] | None:
    """Model names whose tables ``sql`` reads (``model`` first); ``None`` when it cannot be cached.

    A many-to-many join table counts as both models of the relation (a link or unlink marks
    the side it was written from as written). Answers are remembered per registry and SQL text.
    """
    memo = _dependency_memo.get(env.registry)
    if memo is None:
        memo = _dependency_memo[env.registry] = {}
    found = memo.get(sql, _UNKNOWN)
    if found is _UNKNOWN:
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        found = memo[sql] = _dependencies(env.registry, model, sql)
    return None if found is None else list(found)


def _dependencies(registry: Registry, model: type[Model], sql: str) -> tuple[str, ...] | None:
    if _VOLATILE.search(_QUOTED.sub("", sql)):
        return None
    names = [model._name]
    join_tables = _join_tables(registry)
    for quoted in _TABLES.findall(sql):
        table = quoted.replace('""', '"')
        other = registry.model_for_table(table)
        found = (other._name,) if other is not None else join_tables.get(table)
        if found is None:
            return None
        names.extend(name for name in found if name not in names)
    return tuple(names)


_UNKNOWN: Any = object()
_MEMO_SIZE = 4096
_dependency_memo: weakref.WeakKeyDictionary[Registry, dict[str, tuple[str, ...] | None]] = weakref.WeakKeyDictionary()
_join_table_maps: weakref.WeakKeyDictionary[Registry, dict[str, tuple[str, ...]]] = weakref.WeakKeyDictionary()


def _join_tables(registry: Registry) -> dict[str, tuple[str, ...]]:
    """Join table -> the two model names of its many-to-many relation, per registry (computed once)."""
    found = _join_table_maps.get(registry)
    if found is None:
        found = {}
        for cls in registry:
            for field in cls._fields.values():
                relation = getattr(field, "relation", None)
                target = getattr(field, "target", None)
                if relation is not None and target is not None and registry.model_for_table(relation[0]) is None:
                    models = (cls._name, str(target._name))
                    found[relation[0]] = tuple(dict.fromkeys((*found.get(relation[0], ()), *models)))
        _join_table_maps[registry] = found
    return found


def _query_key(kind: str, sql: str, params: Sequence[Any], extra: tuple[str, ...]) -> str | None:
    try:
        material = encode([kind, sql, list(params), list(extra)])
    except Uncacheable:
        return None
    return hashlib.blake2b(material, digest_size=20).hexdigest()


class CachedQuerySet(QuerySet[M]):
    """A queryset whose ``all()`` and ``count()`` go through the cache; chainable like any queryset."""

    __slots__ = ("_ttl",)

    def __init__(self, model: type[M], query: Query | None = None, ttl: float | None = None) -> None:
        if ttl is not None and not ttl > 0:
            raise ValueError(f"cached(ttl=...) takes a positive number of seconds or None, got {ttl!r}")
        super().__init__(model, query)
        self._ttl = ttl

    def _derive(self, **changes: Any) -> CachedQuerySet[M]:
        return CachedQuerySet(self.model, self._query.replace(**changes), self._ttl)

    async def _lookup(self, env: Environment, kind: str, sql: str, params: Sequence[Any]) -> Lookup | None:
        cache = env.cache
        if not isinstance(cache, Cache):
            return None
        models = query_dependencies(env, self.model, sql)
        if models is None or not env.written.isdisjoint(models):
            return None
        key = _query_key(kind, sql, params, cache_key_extra(env, self.model))
        if key is None:
            return None
        namespaces = [model_namespace(name) for name in models]
        return await cache.lookup(env.tenant, QUERY_NAMESPACE, key, depends_on=namespaces)

    async def _fetch_rows(self, env: Environment, query: Query, sql: str, params: Sequence[Any]) -> Sequence[Any]:
        if query is not self._query:  # get(), first(), update()...: derived queries, not cached
            return await super()._fetch_rows(env, query, sql, params)
        found = await self._lookup(env, "rows", sql, params)
        if found is not None and found.hit:
            return found.value  # type: ignore[no-any-return]
        rows = await env.fetch(sql, *params)
        if found is not None:
            await found.store_rows(rows, ttl=self._ttl)
        return rows

    async def count(self, *, cap: int | None = None) -> int:
        compiler, sql, params = await self._count_statement(cap)
        env = compiler.env
        found = await self._lookup(env, "count", sql, params)
        if found is not None and found.hit:
            return int(found.value)
        value = int(await env.fetchval(sql, *params))
        if found is not None:
            await found.store(value, ttl=self._ttl)
        return value

    def __repr__(self) -> str:
        ttl = "default" if self._ttl is None else f"{self._ttl:g}s"
        return f"<CachedQuerySet {self.model._name} ttl={ttl} {self._query}>"
