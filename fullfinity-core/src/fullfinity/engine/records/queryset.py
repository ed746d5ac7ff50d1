"""Querysets: lazy, immutable queries with chainable methods and awaited terminals.

``Model.filter(...)`` starts one; every chainable method returns a new queryset and
nothing runs until a terminal (``all``, ``get``, ``count``, ``update``...) is awaited.
``await qs`` is ``await qs.all()``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from fullfinity.engine.access.control import check_field, check_model, check_rule
from fullfinity.engine.context import current_env
from fullfinity.engine.qlang.q import Q
from fullfinity.engine.query.compiler import ROOT, Compiler
from fullfinity.engine.query.grouping import run_group_by
from fullfinity.engine.query.paths import resolve_path
from fullfinity.engine.query.plans import SelectPlan, select_plan
from fullfinity.engine.query.query import Query, parse_order
from fullfinity.engine.query.sql import Sql, ident
from fullfinity.engine.records.computed import mark_changed
from fullfinity.engine.records.models import Model
from fullfinity.engine.records.persistence import NEXT_UPDATED_DATE
from fullfinity.engine.records.prefetch import check_paths, fetch_related
from fullfinity.engine.records.rows import row_builder
from fullfinity.engine.records.validation import check_values, raise_if_problems, unknown_fields_error
from fullfinity.exceptions import BadRequest, MissingError, UserError

if TYPE_CHECKING:
    from fullfinity.engine.records.cached import CachedQuerySet
    from fullfinity.engine.records.environment import Environment

__all__ = ["QuerySet", "row_builder"]

M = TypeVar("M", bound="Model")


def _referenced(model: type[Model], env: Environment) -> bool:
    """Whether some ManyToOne of the registry points at ``model`` (deleting needs its on_delete rules)."""
    cache: dict[str, bool] = env.registry.__dict__.setdefault("_referenced", {})
    found = cache.get(model._name)
    if found is None:
        found = any(
            getattr(f, "related_model", None) == model._name and f.column is not None
            for other in env.registry
            for f in other._fields.values()
            if f.relational
        )
        cache[model._name] = found
    return found


def _as_q(item: Any) -> Q:
    if isinstance(item, Q):
        return item
    if isinstance(item, str):
        return Q.parse(item)
    raise TypeError(f"filter() takes Q objects or Q strings as positional arguments, got {type(item).__name__}")


class QuerySet(Generic[M]):
    """A lazy query on one composed model."""

    __slots__ = ("_query",)

    def __init__(self, model: type[M], query: Query | None = None) -> None:
        if model._transient:
            raise TypeError(f"{model._name} is a transient model: it has no table and cannot be queried.")
        self._query = query or Query(model)

    @property
    def model(self) -> type[M]:
        return self._query.model  # type: ignore[return-value]

    @property
    def query(self) -> Query:
        return self._query

    def _derive(self, **changes: Any) -> QuerySet[M]:
        return QuerySet(self.model, self._query.replace(**changes))

    def _env(self) -> Environment:
        return current_env()

    def _compiler(self, query: Query | None = None) -> Compiler:
        env = current_env()
        return Compiler(query or self._query, env)

    async def _acompiler(self, query: Query | None = None, operation: str = "read") -> Compiler:
        """A compiler, after the access check and after flushing pending recomputations."""
        env = current_env()
        check_model(env, self.model, operation)
        if env.dirty:
            await env.flush()
        return Compiler(query or self._query, env)

    async def _check_rules(self, operation: str) -> None:
        """Before a bulk write: every targeted record must satisfy the operation's record rules."""
        env = current_env()
        if env.is_elevated or env.access is None or env.access.rule(self.model._name, operation) is None:
            return
        ids = (
            await self.order_by().distinct_values("id")
            if self._query.limit is None and not self._query.offset
            else [r.id for r in await self.with_fields("id")]
        )
        await check_rule(env, self.model, ids, operation)

    # -- chainable ---------------------------------------------------------------------
    def filter(self, *q: Any, **lookups: Any) -> QuerySet[M]:
        """AND of the positional Q objects / Q strings and the keyword lookups."""
        if not q and not lookups:
            return self
        node = Q(*(_as_q(item) for item in q), **lookups)
        return self._derive(filters=(*self._query.filters, (node, False)))

    def exclude(self, *q: Any, **lookups: Any) -> QuerySet[M]:
        """AND NOT of the same."""
        if not q and not lookups:
            return self
        node = Q(*(_as_q(item) for item in q), **lookups)
        return self._derive(filters=(*self._query.filters, (node, True)))

    def order_by(self, *specs: str) -> QuerySet[M]:
        """Order by fields (``"name"``, ``"hours DESC NULLS LAST"``); ``order_by()`` alone means unordered."""
        return self._derive(order=parse_order(specs))

    def limit(self, n: int | None) -> QuerySet[M]:
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 0):
            raise BadRequest(f"limit must be a non-negative integer, got {n!r}")
        return self._derive(limit=n)

    def offset(self, n: int | None) -> QuerySet[M]:
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 0):
            raise BadRequest(f"offset must be a non-negative integer, got {n!r}")
        return self._derive(offset=n)

    def with_fields(self, *names: str) -> QuerySet[M]:
        """Load only these fields (``id`` always): the SELECT lists exactly their columns."""
        for name in names:
            resolve_path(self.model, name.replace(".", "__"), allow_lookup=False)
        return self._derive(fields=tuple(names))

    def fetch_related(self, *paths: str) -> QuerySet[M]:
        """Load these relations with the records: a to-one path (``"country"``, ``"partner__country"``)
        is read in the same statement through a LEFT JOIN, an x-to-many one by one more query per
        level (``await records.fetch_related(...)`` after the query always takes the extra query)."""
        check_paths(self.model, paths)
        return self._derive(related=(*self._query.related, *paths))

    def distinct(self) -> QuerySet[M]:
        return self._derive(distinct=True)

    def __getitem__(self, item: slice) -> QuerySet[M]:
        if not isinstance(item, slice) or item.step not in (None, 1):
            raise TypeError("querysets support slices with step 1 only: qs[10:20]")
        start = item.start or 0
        qs = self.offset(start) if start else self
        if item.stop is not None:
            qs = qs.limit(max(0, item.stop - start))
        return qs

    # -- cache hook (fullfinity.engine.records.cached) ------------------------------------------
    def cached(self, ttl: float | None = None) -> CachedQuerySet[M]:
        """Serve ``all()`` and ``count()`` from the query cache; ``ttl`` in seconds (docs/cache.md)."""
        from fullfinity.engine.records.cached import CachedQuerySet

        return CachedQuerySet(self.model, self._query, ttl)

    async def _fetch_rows(self, env: Environment, query: Query, sql: str, params: Sequence[Any]) -> Sequence[Any]:
        """The rows of the main SELECT (``CachedQuerySet`` overrides this)."""
        return await env.fetch(sql, *params)

    # -- reading ------------------------------------------------------------------------
    async def _records(self, query: Query | None = None) -> list[M]:
        plan, rows = await self.plan_rows(query)
        return await self.records_of(plan, rows)

    async def plan_rows(self, query: Query | None = None) -> tuple[SelectPlan, Sequence[Any]]:
        """The compiled plan of the main SELECT and its raw rows (access checked, rules applied).

        For readers that can use the rows as they are (the REST API's flat pages);
        ``records_of()`` turns them into records, loading what ``with_fields`` asks beyond them.
        """
        env = current_env()
        check_model(env, self.model, "read")
        if env.dirty:
            await env.flush()
        query = query or self._query
        plan = select_plan(query, env)  # compiled once per query and caller
        return plan, await self._fetch_rows(env, query, plan.sql, plan.params)

    async def records_of(self, plan: SelectPlan, rows: Sequence[Any]) -> list[M]:
        """Records of the rows of ``plan``, with the plan's relations and computed fields loaded."""
        records = row_builder(self.model, plan.slots, plan.copies, plan.joins)(rows)
        if records and plan.extra_paths:
            await fetch_related(records[0], dict.fromkeys(plan.extra_paths), leaf_fields=plan.leaf_fields)
        return records

    def __await__(self) -> Generator[Any, None, M]:
        return self.all().__await__()

    async def all(self) -> M:
        """Every matching record, as a record set."""
        return self.model._make_set(await self._records())

    async def get(self) -> M:
        """Exactly one record: ``MissingError`` when none, ``UserError`` when several."""
        records = await self._records(self._query.replace(limit=2))
        if not records:
            raise MissingError(f"No {self.model._name} record matches the query.")
        if len(records) > 1:
            raise UserError(f"Several {self.model._name} records match the query; get() expects exactly one.")
        return records[0]

    async def _get_by_id(self, record_id: int) -> M:
        records = await self._records(self._query.replace(limit=1))
        if not records:
            raise MissingError(f"{self.model._name}({record_id}) does not exist or is not visible to you.")
        return records[0]

    async def first(self) -> M | None:
        records = await self._records(self._query.replace(limit=1))
        return records[0] if records else None

    async def last(self) -> M | None:
        order = tuple(item.reversed() for item in self._query.effective_order())
        records = await self._records(self._query.replace(order=order, limit=1, offset=None))
        return records[0] if records else None

    async def count(self, *, cap: int | None = None) -> int:
        """Matching records, ignoring order_by/limit/offset.

        With ``cap``, at most ``cap``: PostgreSQL stops scanning after ``cap`` matching rows
        (the REST API's ``"total": "capped"``), so a count over a huge table stays cheap.
        """
        compiler, sql, params = await self._count_statement(cap)
        return int(await compiler.env.fetchval(sql, *params))

    async def _count_statement(self, cap: int | None) -> tuple[Compiler, str, list[Any]]:
        if cap is None:
            compiler = await self._acompiler(self._query.replace(order=(), limit=None, offset=None))
            sql, params = compiler.count().finish()
        else:
            if isinstance(cap, bool) or not isinstance(cap, int) or cap < 0:
                raise BadRequest(f"count(cap=...) must be a non-negative integer, got {cap!r}")
            compiler = await self._acompiler(self._query.replace(order=(), limit=cap, offset=None))
            sql, params = compiler.capped_count().finish()
        return compiler, sql, params

    async def exists(self) -> bool:
        compiler = await self._acompiler()
        sql, params = compiler.exists().finish()
        return bool(await compiler.env.fetchval(sql, *params))

    async def values(self, *names: str) -> list[dict[str, Any]]:
        """Plain dicts of the given fields (default: every stored field)."""
        query = self._query.replace(fields=tuple(names)) if names else self._query
        compiler = await self._acompiler(query)
        fields = compiler.selected_fields()
        if names:
            wanted = {n.replace(".", "__") for n in names}
            fields = [f for f in fields if f.name in wanted]
        columns = ", ".join(f"{compiler.select_expr(f)} AS {ident(f.name)}" for f in fields)
        where = compiler.where_clause()
        tail = compiler.order_clause() + compiler.window()
        sql = Sql(f"SELECT {columns}") + compiler._from(where) + tail
        text, params = sql.finish()
        return [dict(row) for row in await compiler.env.fetch(text, *params)]

    async def distinct_values(self, name: str) -> list[Any]:
        """The sorted distinct values of one stored field among the matching records."""
        compiler = await self._acompiler(self._query.replace(order=(), limit=None, offset=None))
        field = resolve_path(self.model, name, allow_lookup=False).field
        expr = compiler.select_expr(field) if field.name == "display_name" else compiler.path_expr(name)
        where = compiler.where_clause()
        sql = Sql(f"SELECT DISTINCT {expr} AS v") + compiler._from(where)
        text, params = (sql + " ORDER BY v").finish()
        return [row["v"] for row in await compiler.env.fetch(text, *params)]

    async def iterator(self, chunk_size: int = 2000) -> AsyncIterator[M]:
        """Stream matching records in batches of ``chunk_size`` through a server-side cursor."""
        compiler = await self._acompiler()
        fields = compiler.selected_fields()
        text, params = compiler.select(fields).finish()
        build = row_builder(self.model, tuple(f.slot for f in fields))
        env = compiler.env
        env.stats.add(text)
        cursor = await env.conn.cursor(text, *params)
        while True:
            rows = await cursor.fetch(chunk_size)
            if not rows:
                return
            for record in build(rows):
                yield record

    async def group_by(self, *keys: str, aggregates: Sequence[str] = ()) -> list[dict[str, Any]]:
        """Groups with ``__count`` and the requested aggregates (orm.md section 16)."""
        return await run_group_by(await self._acompiler(), keys, aggregates)

    async def aggregate(self, *specs: str) -> dict[str, Any]:
        """One dict of aggregates over the whole set, with ``__count``."""
        compiler = await self._acompiler(self._query.replace(order=(), limit=None, offset=None))
        rows = await run_group_by(compiler, (), specs)
        return rows[0]

    # -- writing --------------------------------------------------------------------------
    def _needs_records(self, names: Sequence[str]) -> bool:
        model = self.model
        if model.save is not Model.save:
            return True
        touched = set(names)
        if any(getattr(model._fields.get(n), "many", False) for n in names):
            return True  # x-to-many commands apply per record
        if any(touched.intersection(fields) for _, fields in model._constraints):
            return True
        return any(model._fields[n].validators for n in names if n in model._fields)

    async def update(self, **values: Any) -> int:
        """Set ``values`` on every matching record; one UPDATE statement unless the model overrides
        ``save`` or has constraints/validators on these fields (then each record is saved)."""
        model = self.model
        unknown = [n for n in values if n not in model._fields]
        if unknown:
            raise unknown_fields_error(model, unknown)
        if self._needs_records(list(values)):
            records = await self._records(self._query.replace(fields=None))
            for record in records:
                for name, value in values.items():
                    setattr(record, name, value)
                await record.save()
            return len(records)
        env = current_env()
        check_model(env, model, "write")
        for name in values:
            check_field(env, model, model._fields[name], "write")
        converted, problems = await check_values(model, values, creating=False)
        raise_if_problems(model, problems)
        await self._check_rules("write")
        compiler = await self._acompiler(operation="write")
        sets: list[Sql] = []
        for name, value in converted.items():
            field = model._fields[name]
            if field.column is None:
                raise BadRequest(f"{model._name}.{name} is not stored; it cannot be updated in bulk.")
            sets.append(Sql(f"{ident(field.column)} = ") + Sql.param(field.to_db(value)))
        sets.append(Sql('"write_uid" = ') + Sql.param(env.real_uid, "bigint"))
        sets.append(Sql('"updated_date" = ' + NEXT_UPDATED_DATE.format(alias=f"{ROOT}.")))
        set_sql = Sql(", ".join(s.text for s in sets), [p for s in sets for p in s.params])
        info = env.registry.compute_info
        local = [s for s in info.stored_by_model(model._name) if s.local and set(s.deps) & set(converted)]
        if not local and not any((model._name, n) in info.triggers for n in converted):
            sql = Sql(f"UPDATE {compiler.table} AS {ROOT} SET ") + set_sql
            text, params = (sql + " WHERE " + compiler.restriction()).finish()
            status = await env.execute(text, *params)
            env.written.add(model._name)
            return int(status.split()[-1])
        # Computed fields depend on these values: learn which rows changed (and their old parents)
        # in the same statement, then mark the dependents dirty.
        parents = [model._fields[n] for n in converted if model._fields[n].relational]
        old_cols = "".join(f", {ROOT}.{ident(str(f.column))} AS {ident('old_' + f.name)}" for f in parents)
        returned = "".join(f", old.{ident('old_' + f.name)}" for f in parents)
        sql = (
            Sql(f'WITH old AS (SELECT {ROOT}."id"{old_cols} FROM {compiler.table} AS {ROOT} WHERE ')
            + compiler.restriction()
            + f" FOR UPDATE) UPDATE {compiler.table} AS {ROOT} SET "
            + set_sql
            + f' FROM old WHERE {ROOT}."id" = old."id" RETURNING {ROOT}."id"{returned}'
        )
        text, params = sql.finish()
        rows = await env.fetch(text, *params)
        env.written.add(model._name)
        ids = [r["id"] for r in rows]
        for spec in local:
            env.dirty.setdefault((spec.model, spec.field), set()).update(ids)
        old_parents = {f.name: {r["old_" + f.name] for r in rows if r["old_" + f.name] is not None} for f in parents}
        await mark_changed(model, ids, set(converted), old_parents=old_parents)
        return len(ids)

    async def delete(self) -> int:
        """Delete every matching record; returns how many."""
        model = self.model
        env = current_env()
        if model.delete is not Model.delete or _referenced(model, env):
            records = await self._records(self._query.replace(fields=("id",)))
            if model.delete is Model.delete:
                await model._make_set(records).delete()  # one DELETE after the on_delete rules
                return len(records)
            for record in records:
                await record.delete()
            return len(records)
        await self._check_rules("delete")
        compiler = await self._acompiler(operation="delete")
        text, params = (Sql(f"DELETE FROM {compiler.table} AS {ROOT} WHERE ") + compiler.restriction()).finish()
        status = await env.execute(text, *params)
        env.written.add(model._name)
        return int(status.split()[-1])

    def __repr__(self) -> str:
        return f"<QuerySet {self.model._name} {self._query}>"
