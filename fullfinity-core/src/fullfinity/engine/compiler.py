"""The SQL compiler: ``Query`` -> ``(sql, params)``.

Paths are resolved against the model (a segment is a field if the model has one of
that name, otherwise a date part or a lookup; anything else is a ``BadRequest`` naming
the model, the field and the closest valid names). Every value is a bind parameter.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fullfinity.engine.fields_base import Field
from fullfinity.engine.lookups import LookupContext, compile_lookup
from fullfinity.engine.Q import Leaf, Q
from fullfinity.engine.query import OrderItem, Query
from fullfinity.engine.sql import Sql, ident, join
from fullfinity.exceptions import BadRequest

if TYPE_CHECKING:
    from fullfinity.engine.env import Environment
    from fullfinity.engine.models import Model

__all__ = ["Compiler", "ResolvedPath", "resolve_path"]

DATE_PARTS = ("year", "month", "day")
LOOKUP_NAMES = frozenset({
    "eq", "neq", "gt", "gte", "lt", "lte", "in", "nin", "isnull", "isnotnull", "contains", "icontains",
    "startswith", "istartswith", "endswith", "iendswith", "between", "any", "none",
})
ROOT = "t0"


@dataclass(frozen=True)
class ResolvedPath:
    fields: tuple[Field[Any], ...]
    part: str | None
    lookup: str

    @property
    def field(self) -> Field[Any]:
        return self.fields[-1]


def unknown_field(model: type[Model], name: str, key: str) -> BadRequest:
    close = difflib.get_close_matches(name, list(model._fields), n=3)
    hint = f" Closest: {', '.join(close)}." if close else ""
    return BadRequest(
        f"{model._name} has no field '{name}' (in {key!r}).{hint} Fields are: {', '.join(model._fields)}.",
        details=[{"path": key, "message": f"unknown field '{name}'"}],
    )


def resolve_path(model: type[Model], key: str, *, allow_lookup: bool = True) -> ResolvedPath:
    """Split ``a__b__lookup`` against the model's fields (relation segments: see ORM part 2)."""
    segments = key.split("__")
    fields: list[Field[Any]] = []
    current = model
    index = 0
    while index < len(segments):
        field = current._fields.get(segments[index])
        if field is None:
            break
        fields.append(field)
        index += 1
        if not field.relational:
            break
    if not fields:
        raise unknown_field(model, segments[0], key)
    rest = segments[index:]
    part = rest.pop(0) if rest and rest[0] in DATE_PARTS else None
    lookup = "eq"
    if rest:
        candidate = rest.pop(0)
        if not allow_lookup or candidate not in LOOKUP_NAMES:
            if candidate in current._fields or not allow_lookup:
                raise BadRequest(
                    f"{key!r}: {fields[-1].model_name}.{fields[-1].name} is a {fields[-1].type_name} field; it has "
                    f"no sub-field '{candidate}'.",
                    details=[{"path": key, "message": f"unexpected '{candidate}'"}],
                )
            raise BadRequest(
                f"{key!r}: '{candidate}' is neither a field of {current._name} nor a lookup. Lookups: "
                f"{', '.join(sorted(LOOKUP_NAMES))}; date parts: year, month, day.",
                details=[{"path": key, "message": f"unknown lookup '{candidate}'"}],
            )
        lookup = candidate
    if rest:
        raise BadRequest(f"{key!r}: unexpected '{'__'.join(rest)}' after the lookup '{lookup}'.",
                         details=[{"path": key, "message": "unexpected trailing segments"}])
    return ResolvedPath(tuple(fields), part, lookup)


def _leaf_keys(node: Q | Leaf) -> Iterator[str]:
    if isinstance(node, Leaf):
        yield node.key
    else:
        for child in node.children:
            yield from _leaf_keys(child)


class Compiler:
    """Compiles one query for one environment (bindings, timezone, active test)."""

    def __init__(self, query: Query, env: Environment) -> None:
        self.query = query
        self.model = query.model
        self.env = env
        self.table = ident(self.model._table)

    # -- helpers -------------------------------------------------------------------
    def column(self, field: Field[Any], alias: str = ROOT) -> str:
        if field.column is None:
            raise BadRequest(
                f"{field.model_name}.{field.name} is not stored (computed on read): it cannot be used to filter, "
                f"sort or group.",
                details=[{"path": field.name, "message": "not stored"}],
            )
        return f"{alias}.{ident(field.column)}"

    def select_expr(self, field: Field[Any], alias: str = ROOT) -> str:
        if field.name == "display_name" and field.automatic:
            return self._display_name_expr(alias)
        return field.select_sql(self.column(field, alias))

    def _display_name_expr(self, alias: str) -> str:
        rec_name = self.model._rec_name
        field = self.model._fields.get(rec_name) if rec_name else None
        if field is not None and field.column is not None:
            return f"{alias}.{ident(field.column)}::text"
        return f"'{self.model._name},' || {alias}.\"id\""

    # -- WHERE ------------------------------------------------------------------------
    def where(self) -> Sql:
        parts: list[Sql] = []
        bindings = self.env.bindings()
        mentions_active = False
        for q, negated in self.query.filters:
            q = q.resolve(bindings)
            mentions_active = mentions_active or any(k.split("__")[0] == "active" for k in _leaf_keys(q))
            sql = self.node(q)
            parts.append(sql.wrap("NOT (", ")") if negated else sql)
        if self.model._has_active and not mentions_active and self.env.context.get("active_test", True) is not False:
            parts.insert(0, Sql(f"{ROOT}.\"active\""))
        if not parts:
            return Sql("TRUE")
        return join(parts, " AND ") if len(parts) > 1 else parts[0]

    def node(self, node: Q | Leaf) -> Sql:
        if isinstance(node, Leaf):
            return self.leaf(node.key, node.value)
        children = [self.node(child) for child in node.children]
        if node.connector == "not":
            return children[0].wrap("NOT (", ")")
        if not children:
            return Sql("TRUE")
        if len(children) == 1:
            return children[0]
        return join((c.wrap("(", ")") for c in children), " AND " if node.connector == "and" else " OR ")

    def leaf(self, key: str, value: Any) -> Sql:
        path = resolve_path(self.model, key)
        field = path.field
        ctx = LookupContext(key, self.model._name, self.env.tz)
        if field.name == "display_name" and field.automatic:
            return self._display_name_filter(path, value, ctx)
        return compile_lookup(field, self.column(field), path.lookup, value, path.part, ctx)

    def _display_name_filter(self, path: ResolvedPath, value: Any, ctx: LookupContext) -> Sql:
        search = [self.model._fields[name] for name in (self.model._search_fields or []) if name in self.model._fields]
        if not search:
            return compile_lookup(path.field, f"('{self.model._name},' || {ROOT}.\"id\")", path.lookup, value,
                                  None, ctx)
        parts = [compile_lookup(f, self.column(f), path.lookup, value, None, ctx) for f in search]
        return join((p.wrap("(", ")") for p in parts), " OR ") if len(parts) > 1 else parts[0]

    # -- ORDER BY --------------------------------------------------------------------------
    def order_by(self, items: Iterable[OrderItem] | None = None) -> str:
        out = []
        for item in items if items is not None else self.query.effective_order():
            path = resolve_path(self.model, item.path, allow_lookup=False)
            expr = self.column(path.field)
            text = f"{expr} {'DESC' if item.descending else 'ASC'}"
            if item.nulls:
                text += f" NULLS {item.nulls}"
            out.append(text)
        return ", ".join(out)

    def window(self) -> str:
        text = ""
        if self.query.limit is not None:
            text += f" LIMIT {int(self.query.limit)}"
        if self.query.offset:
            text += f" OFFSET {int(self.query.offset)}"
        return text

    # -- statements ---------------------------------------------------------------------------
    def selected_fields(self) -> list[Field[Any]]:
        """The fields a SELECT loads: ``with_fields`` (plus id) or every stored field."""
        fields = self.model._fields
        if self.query.fields is None:
            return list(self.model._stored)
        out = [fields["id"]]
        for name in self.query.fields:
            field = fields.get(name)
            if field is None:
                path = resolve_path(self.model, name.replace(".", "__"), allow_lookup=False)
                field = path.field
            if field.column is None and not (field.name == "display_name" and field.automatic):
                raise BadRequest(
                    f"{self.model._name}.{field.name} is computed on read; loading it with with_fields needs "
                    f"computed-field support for it (see fetch_related).",
                    details=[{"path": name, "message": "not stored"}],
                )
            if field not in out:
                out.append(field)
        return out

    def select(self, fields: list[Field[Any]]) -> Sql:
        columns = ", ".join(self.select_expr(f) for f in fields)
        distinct = "DISTINCT " if self.query.distinct else ""
        sql = Sql(f"SELECT {distinct}{columns} FROM {self.table} AS {ROOT}") + self.where_clause()
        return sql + self.order_clause() + self.window()

    def where_clause(self) -> Sql:
        where = self.where()
        return Sql() if where.text == "TRUE" else " WHERE " + where

    def order_clause(self) -> str:
        order = self.order_by()
        return f" ORDER BY {order}" if order else ""

    def count(self) -> Sql:
        return Sql(f"SELECT count(*) FROM {self.table} AS {ROOT} WHERE ") + self.where()

    def exists(self) -> Sql:
        return Sql(f"SELECT EXISTS (SELECT 1 FROM {self.table} AS {ROOT} WHERE ") + self.where() + ")"

    def id_subquery(self) -> Sql:
        """``t0.id IN (...)`` restriction honouring order/limit/offset (for update/delete of a window)."""
        inner = Sql(f"SELECT {ROOT}.\"id\" FROM {self.table} AS {ROOT}") + self.where_clause()
        return inner + self.order_clause() + self.window()

    def restriction(self) -> Sql:
        """WHERE clause (on alias t0) selecting the records of the query for UPDATE/DELETE."""
        if self.query.limit is None and not self.query.offset:
            return self.where()
        return Sql(f"{ROOT}.\"id\" IN (") + self.id_subquery() + ")"
