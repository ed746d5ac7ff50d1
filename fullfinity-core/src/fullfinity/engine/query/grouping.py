"""GROUP BY and aggregates (orm.md section 16).

Keys are stored fields (``"stage"``) or Date/Datetime fields with a granularity
(``"created_date:month"``; default month; weeks start Monday; buckets in the user's
timezone, labelled by the ISO date of their first day). Aggregates are
``"field:count|sum|avg|min|max"``; every group also has ``__count``. Groups are ordered by
their keys unless ``order_by`` names a key or an aggregate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from fullfinity.engine.fields.base import Field
from fullfinity.engine.query.compiler import Compiler, display_name_sql
from fullfinity.engine.query.paths import resolve_path
from fullfinity.engine.query.sql import Sql, ident, join
from fullfinity.exceptions import BadRequest

__all__ = ["GRANULARITIES", "run_group_by"]

GRANULARITIES = ("day", "week", "month", "quarter", "year")
FUNCTIONS = ("count", "sum", "avg", "min", "max")
NUMERIC = ("Integer", "Float", "Monetary", "Numeric")


def _key_sql(compiler: Compiler, spec: str) -> tuple[Sql, Field[Any]]:
    name, _, granularity = spec.partition(":")
    path = name.replace(".", "__")
    field = resolve_path(compiler.model, path, allow_lookup=False).field
    column = compiler.path_expr(path)
    if field.type_name in ("Date", "Datetime"):
        granularity = granularity or "month"
        if granularity not in GRANULARITIES:
            raise BadRequest(f"Bad group_by {spec!r}: granularity must be one of {', '.join(GRANULARITIES)}.")
        if field.type_name == "Datetime":
            local = Sql(f"({column} AT TIME ZONE ") + Sql.param(compiler.env.tz) + ")"
            return Sql(f"date_trunc('{granularity}', ") + local + ")::date", field
        return Sql(f"date_trunc('{granularity}', {column})::date"), field
    if granularity:
        raise BadRequest(f"Bad group_by {spec!r}: only Date and Datetime keys take a granularity.")
    return Sql(column), field


def _aggregate_sql(compiler: Compiler, spec: str) -> Sql:
    name, _, function = spec.partition(":")
    if function not in FUNCTIONS:
        raise BadRequest(
            f"Bad aggregate {spec!r}: expected 'field:function' with function one of {', '.join(FUNCTIONS)}."
        )
    path = name.replace(".", "__")
    field = resolve_path(compiler.model, path, allow_lookup=False).field
    column = compiler.path_expr(path)
    if function == "count":
        return Sql(f"count({column})")
    if function in ("sum", "avg") and field.type_name not in NUMERIC:
        raise BadRequest(f"Bad aggregate {spec!r}: {function} needs a numeric field; {name} is {field.type_name}.")
    if function == "avg" and field.type_name == "Integer":
        return Sql(f"avg({column})::float8")
    if function == "sum" and field.type_name == "Integer":
        return Sql(f"sum({column})::bigint")
    return Sql(f"{function}({column})")


async def run_group_by(compiler: Compiler, keys: Sequence[str], aggregates: Sequence[str]) -> list[dict[str, Any]]:
    keys = list(keys)
    key_parts = [_key_sql(compiler, k) for k in keys]
    agg_parts = [_aggregate_sql(compiler, a) for a in aggregates]
    labels = [f"k{i}" for i in range(len(keys))]
    select = [k.wrap("", f" AS {labels[i]}") for i, (k, _) in enumerate(key_parts)]
    select.append(Sql("count(*) AS __count"))
    select += [a.wrap("", f" AS a{i}") for i, a in enumerate(agg_parts)]
    where = compiler.where_clause()
    sql = Sql("SELECT ") + join(select, ", ") + compiler._from(where)
    if keys:
        sql = sql + " GROUP BY " + ", ".join(labels)
    relations = [i for i, (_, f) in enumerate(key_parts) if f.relational]
    if relations:
        sql = _with_display_names(sql, key_parts, labels, relations, len(aggregates))
    order = _order(compiler, keys, list(aggregates), labels)
    if order:
        sql = sql + f" ORDER BY {order}"
    sql = sql + compiler.window()
    text, params = sql.finish()
    rows = await compiler.env.fetch(text, *params)
    # Columns by position: the keys, the display names of relational keys, the count, the aggregates.
    names = {i: len(keys) + n for n, i in enumerate(relations)}
    count_at = len(keys) + len(relations)
    columns = [(spec, i, names.get(i)) for i, spec in enumerate(keys)]
    totals = [(spec, count_at + 1 + i) for i, spec in enumerate(aggregates)]
    out = []
    for row in rows:
        group: dict[str, Any] = {}
        for spec, i, name_at in columns:
            value = row[i]
            if name_at is not None and value is not None:
                value = {"id": value, "display_name": row[name_at]}
            group[spec] = value
        group["__count"] = row[count_at]
        for spec, i in totals:
            group[spec] = row[i]
        out.append(group)
    return out


def _with_display_names(
    grouped: Sql, key_parts: list[tuple[Sql, Field[Any]]], labels: list[str], relations: list[int], aggregates: int
) -> Sql:
    """The groups of ``grouped`` with the display names of their relational keys, joined once
    the rows are grouped (one hash join over the groups; a lookup per group would scan a small
    target table once per group)."""
    columns = [f"g.{label} AS {label}" for label in labels]
    joins = []
    for i in relations:
        target = cast(Any, key_parts[i][1]).target_model
        alias = f"dn{i}"
        columns.append(f"{display_name_sql(target, alias)} AS {labels[i]}_dn")
        joins.append(f' LEFT JOIN {ident(target._table)} AS {alias} ON {alias}."id" = g.{labels[i]}')
    columns.append("g.__count AS __count")
    columns += [f"g.a{i} AS a{i}" for i in range(aggregates)]
    return Sql(f"SELECT {', '.join(columns)} FROM (") + grouped + (") AS g" + "".join(joins))


def _order(compiler: Compiler, keys: list[str], aggregates: list[str], labels: list[str]) -> str:
    if compiler.query.order is None:
        return ", ".join(f"{label} ASC NULLS FIRST" for label in labels)
    parts = []
    for item in compiler.query.order:
        spec = item.path
        direction = "DESC" if item.descending else "ASC"
        nulls = f" NULLS {item.nulls}" if item.nulls else ""
        if spec == "__count":
            parts.append(f"__count {direction}{nulls}")
            continue
        matched = False
        for i, key in enumerate(keys):
            if key.split(":")[0].replace(".", "__") == spec:
                parts.append(f"{labels[i]} {direction}{nulls}")
                matched = True
        for i, agg in enumerate(aggregates):
            if agg.replace(":", "__") == spec or agg == spec:
                parts.append(f"a{i} {direction}{nulls}")
                matched = True
        if not matched:
            raise BadRequest(f"group_by results can only be ordered by a key, an aggregate or __count, not {spec!r}.")
    return ", ".join(parts)
