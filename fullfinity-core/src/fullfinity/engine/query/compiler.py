"""The SQL compiler: ``Query`` -> ``(sql, params)``.

The query object (``fullfinity.engine.query.query``) says what is asked; this module says how
in SQL. Paths are resolved against the model (``paths``), filters compile through
``where``; ordering by a relation path (``team__name``) LEFT JOINs the chain of
ManyToOne targets. Every value is a bind parameter; ``$n`` numbering happens once, in
``Sql.finish()``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from fullfinity.engine.access.control import check_field
from fullfinity.engine.fields.base import Field
from fullfinity.engine.query.paths import resolve_path
from fullfinity.engine.query.query import OrderItem, Query
from fullfinity.engine.query.sql import Sql, ident, join
from fullfinity.engine.query.where import WhereCompiler
from fullfinity.exceptions import BadRequest

if TYPE_CHECKING:
    from fullfinity.engine.records.environment import Environment
    from fullfinity.engine.records.models import Model

__all__ = ["ROOT", "Compiler", "display_name_sql"]

ROOT = "t0"


def display_name_sql(model: type[Model], alias: str) -> str:
    """SQL computing ``display_name`` of ``model`` rows aliased ``alias`` (ManyToOne rec names follow the target)."""
    rec_name = model._rec_name
    field: Any = model._fields.get(rec_name) if rec_name else None
    if field is None or field.column is None:
        return f"('{model._name},' || {alias}.\"id\")"
    if field.relational:
        target = field.target_model
        inner = f"{alias}_dn"
        return (
            f"(SELECT {display_name_sql(target, inner)} FROM {ident(target._table)} AS {inner} "
            f'WHERE {inner}."id" = {alias}.{ident(field.column)})'
        )
    return f"{alias}.{ident(field.column)}::text"


class Compiler:
    """Compiles one query for one environment (bindings, timezone, active test)."""

    def __init__(self, query: Query, env: Environment) -> None:
        self.query = query
        self.model = query.model
        self.env = env
        self.table = ident(self.model._table)
        self.wheres = WhereCompiler(env)
        self._joins: dict[tuple[str, ...], str] = {}
        self._join_sql: list[Sql] = []

    # -- helpers -------------------------------------------------------------------
    def column(self, field: Field[Any], alias: str = ROOT) -> str:
        return self.wheres.column(field, alias)

    def select_expr(self, field: Field[Any], alias: str = ROOT) -> str:
        if field.name == "display_name" and field.automatic:
            return display_name_sql(self.model, alias)
        return field.select_sql(self.column(field, alias))

    def _join_path(self, fields: tuple[Field[Any], ...]) -> tuple[str, Field[Any]]:
        """LEFT JOIN the ManyToOne chain of ``fields[:-1]``; return (alias, last field)."""
        alias = ROOT
        names: list[str] = []
        for field in fields:
            check_field(self.env, self.env.registry.get(field.model_name), field, "sort or group by")
        for field in fields[:-1]:
            if getattr(field, "many", True):
                raise BadRequest(
                    f"Cannot order or group by a path through the x-to-many field {field.model_name}.{field.name}.",
                    details=[{"path": field.name, "message": "x-to-many in an order/group path"}],
                )
            names.append(field.name)
            key = tuple(names)
            joined = self._joins.get(key)
            if joined is None:
                joined = f"j{len(self._joins) + 1}"
                target = field.target_model  # type: ignore[attr-defined]
                self._joins[key] = joined
                on = Sql(f'{joined}."id" = {alias}.{ident(str(field.column))}')
                restriction = self.wheres.restrict(target, joined, None)  # unreadable targets join as NULL
                if restriction is not None:
                    on = on + " AND " + restriction
                self._join_sql.append(Sql(f" LEFT JOIN {ident(target._table)} AS {joined} ON ") + on)
            alias = joined
        return alias, fields[-1]

    def load_join(self, parent_alias: str, field: Field[Any], path: str) -> str:
        """LEFT JOIN the target of the ManyToOne ``field`` of ``parent_alias`` to read it in the SELECT.

        The target's read record rules go in the ``ON`` (a hidden target joins as NULL); archived
        targets are not hidden: a ManyToOne shows its target whatever its ``active`` (as the
        batched prefetch does). See ``fullfinity.engine.query.joins``.
        """
        joined = f"j{len(self._joins) + 1}"
        self._joins[("<load>", path)] = joined
        target = field.target_model  # type: ignore[attr-defined]
        on = Sql(f'{joined}."id" = {parent_alias}.{ident(str(field.column))}')
        restriction = self.wheres.restrict(target, joined, None, hide_archived=False)
        if restriction is not None:
            on = on + " AND " + restriction
        self._join_sql.append(Sql(f" LEFT JOIN {ident(target._table)} AS {joined} ON ") + on)
        return joined

    def path_expr(self, path: str) -> str:
        """SQL expression of a stored field path (``name``, ``team__name``); a ManyToOne orders by its rec name."""
        resolved = resolve_path(self.model, path, allow_lookup=False)
        alias, field = self._join_path(resolved.fields)
        return self.column(field, alias)

    def order_expr(self, path: str) -> str:
        resolved = resolve_path(self.model, path, allow_lookup=False)
        fields = resolved.fields
        last: Any = fields[-1]
        if last.relational and not getattr(last, "many", True):
            target = last.target_model
            rec: Any = target._fields.get(target._rec_name) if target._rec_name else None
            if rec is not None and rec.column is not None and not rec.relational:
                fields = (*fields, rec)
        alias, field = self._join_path(fields)
        return self.column(field, alias)

    @property
    def joins(self) -> Sql:
        return join(self._join_sql, "")

    # -- clauses -------------------------------------------------------------------------
    def where(self) -> Sql:
        return self.wheres.filters(self.model, ROOT, self.query.filters)

    def where_clause(self) -> Sql:
        where = self.where()
        return Sql() if where.text == "TRUE" else " WHERE " + where

    def order_by(self, items: Iterable[OrderItem] | None = None) -> str:
        out = []
        for item in items if items is not None else self.query.effective_order():
            text = f"{self.order_expr(item.path)} {'DESC' if item.descending else 'ASC'}"
            if item.nulls:
                text += f" NULLS {item.nulls}"
            out.append(text)
        return ", ".join(out)

    def order_clause(self) -> str:
        order = self.order_by()
        return f" ORDER BY {order}" if order else ""

    def window(self) -> str:
        text = ""
        if self.query.limit is not None:
            text += f" LIMIT {int(self.query.limit)}"
        if self.query.offset:
            text += f" OFFSET {int(self.query.offset)}"
        return text

    # -- statements ---------------------------------------------------------------------------
    def selected_fields(self) -> list[Field[Any]]:
        """The fields a SELECT loads: ``with_fields`` (plus id) or every stored field.

        Relation paths (``team__name``) select the ManyToOne's own column here; the
        queryset then prefetches the rest of the path.
        """
        fields = self.model._fields
        profile = None if self.env.is_elevated else self.env.access
        if self.query.fields is None:
            if profile is None:
                return list(self.model._stored)
            return [f for f in self.model._stored if profile.sees(f)]  # restricted fields are left out
        out = [fields["id"]]
        specs = self.env.registry.compute_info.specs
        for name in self.query.fields:
            field = resolve_path(self.model, name.replace(".", "__"), allow_lookup=False).fields[0]
            check_field(self.env, self.model, field, "read")
            if field.column is None and not (field.name == "display_name" and field.automatic):
                # x-to-many and computed fields are loaded after the main query; select the
                # columns a computed field's declared dependencies start from, so it costs no extra query.
                spec = specs.get((self.model._name, field.name))
                for dep in spec.deps if spec else ():
                    first = fields.get(dep.split("__")[0])
                    if first is not None and first.column is not None and first not in out:
                        out.append(first)
                continue
            if field not in out:
                out.append(field)
        return out

    def _from(self, body: Sql) -> Sql:
        """``FROM table AS t0 <joins> WHERE ...`` (the joins are known once ORDER BY/where were compiled)."""
        return Sql(f" FROM {self.table} AS {ROOT}") + self.joins + body

    def select(self, fields: list[Field[Any]], joined_columns: Iterable[str] = ()) -> Sql:
        columns = ", ".join([*(self.select_expr(f) for f in fields), *joined_columns])
        distinct = "DISTINCT " if self.query.distinct else ""
        where = self.where_clause()
        tail = self.order_clause() + self.window()
        return Sql(f"SELECT {distinct}{columns}") + self._from(where) + tail

    def count(self) -> Sql:
        return Sql("SELECT count(*)") + self._from(self.where_clause())

    def exists(self) -> Sql:
        return Sql("SELECT EXISTS (SELECT 1") + self._from(self.where_clause()) + ")"

    def capped_count(self) -> Sql:
        """``count(*)`` over the query's window: the scan stops after ``limit`` matching rows."""
        return Sql("SELECT count(*) FROM (") + self.id_subquery() + ") AS capped"

    def id_subquery(self) -> Sql:
        """The ids of the query honouring order/limit/offset (for update/delete of a window)."""
        where = self.where_clause()
        tail = self.order_clause() + self.window()
        return Sql(f'SELECT {ROOT}."id"') + self._from(where) + tail

    def restriction(self) -> Sql:
        """WHERE clause (on alias t0) selecting the records of the query for UPDATE/DELETE."""
        if self.query.limit is None and not self.query.offset:
            return self.where()
        return Sql(f'{ROOT}."id" IN (') + self.id_subquery() + ")"
