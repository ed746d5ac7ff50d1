"""Compiled SELECT plans: the same query, for the same caller, is compiled once per process.

Compiling a query (resolving paths, checking field access, adding the record rules,
numbering parameters) costs tens of microseconds, about as much as a fast query takes
in PostgreSQL. A list view, a form or an integration asks the same queries over and over,
so ``select_plan()`` keeps the result: the SQL text, its parameters, the row builder and
what has to be loaded after the main query.

A plan is reused only when everything the compiler reads is the same:

- the registry (the tenant's module set) and the query object itself (model, filters with
  their values, order, window, fields), compared by value;
- the caller: elevated or not, the user id, the *same* access-profile object (a profile is
  rebuilt when any security model is written, so a new profile never meets an old plan)
  and the context (timezone, company, ``active_test``, ...).

Statements whose filters or record rules use the clock (``now``, ``today``, ``D(...)``)
are never kept: they are valid at the moment they were compiled only. Queries whose
values cannot be hashed, or that carry a long list of values (``id__in`` with the ids of a
batch: prefetching), are compiled every time: hashing the list would cost more than it saves,
and such a list rarely comes back. At most ``MAX_PLANS`` plans are kept,
least recently used first out.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fullfinity.engine.query.compiler import Compiler
from fullfinity.engine.query.joins import JoinedLoad, plan_joins

if TYPE_CHECKING:
    from fullfinity.engine.access.control import AccessProfile
    from fullfinity.engine.fields.base import Field
    from fullfinity.engine.query.query import Query
    from fullfinity.engine.records.environment import Environment

__all__ = ["MAX_PLANS", "SelectPlan", "clear_plans", "select_plan"]

MAX_PLANS = 2048


@dataclass(frozen=True, eq=False, slots=True)
class SelectPlan:
    """A compiled SELECT and what it takes to turn its rows into records."""

    query: Query
    sql: str
    params: tuple[Any, ...]
    #: The record slots of the selected columns, in order.
    slots: tuple[str, ...]
    #: (slot, source slot): slots filled from another selected column (see ``_shared_columns``).
    copies: tuple[tuple[str, str], ...]
    #: ``with_fields`` paths loaded after the main query (relations, x-to-many, computed).
    extra_paths: tuple[str, ...]
    #: For each relation path in ``extra_paths``, the target's fields to load.
    leaf_fields: dict[str, list[str]]
    #: The profile the plan was compiled for (identity-checked on reuse).
    profile: AccessProfile | None
    #: To-one levels read through LEFT JOINs; their columns follow ``slots``' in each row.
    joins: tuple[JoinedLoad, ...] = ()


_plans: OrderedDict[tuple[Any, ...], SelectPlan] = OrderedDict()


def clear_plans() -> None:
    """Forget every kept plan (tests; never needed for correctness)."""
    _plans.clear()


#: A filter value with more items than this makes a query not worth keeping.
MAX_LIST = 32


def _short(node: Any) -> bool:
    """No leaf of the Q tree ``node`` holds a list longer than ``MAX_LIST``."""
    children = getattr(node, "children", None)
    if children is None:  # a leaf
        value = node.value
        return not isinstance(value, tuple | list | set | frozenset) or len(value) <= MAX_LIST
    return all(_short(child) for child in children)


def _key(query: Query, env: Environment, profile: AccessProfile | None) -> tuple[Any, ...] | None:
    if not all(_short(q) for q, _ in query.filters):
        return None
    try:
        key = (env.registry, query, env.is_elevated, id(profile), env.uid, tuple(sorted(env.context.items())))
        hash(key)
    except TypeError:  # a filter value or a context value that cannot be hashed
        return None
    return key


def select_plan(query: Query, env: Environment) -> SelectPlan:
    """The plan of ``query``'s SELECT for ``env``'s caller, compiled now or reused."""
    profile = None if env.is_elevated else env.access
    key = _key(query, env, profile)
    if key is not None:
        plan = _plans.get(key)
        if plan is not None and plan.profile is profile:
            _plans.move_to_end(key)
            return plan
    compiler = Compiler(query, env)
    fields = compiler.selected_fields()
    paths, leaf_fields = extra_loads(query)
    joins, joined_columns, paths = plan_joins(compiler, fields, paths, leaf_fields)
    fields, copies = _shared_columns(query, fields)
    sql, params = compiler.select(fields, joined_columns).finish()
    plan = SelectPlan(
        query=query,
        sql=sql,
        params=tuple(params),
        slots=tuple(f.slot for f in fields),
        copies=copies,
        extra_paths=paths,
        leaf_fields=leaf_fields,
        profile=profile,
        joins=joins,
    )
    if key is not None and not compiler.wheres.clock_used:
        _plans[key] = plan
        if len(_plans) > MAX_PLANS:
            _plans.popitem(last=False)
    return plan


def _shared_columns(query: Query, fields: list[Field[Any]]) -> tuple[list[Field[Any]], tuple[tuple[str, str], ...]]:
    """Select a text record name once when both it and ``display_name`` are asked for.

    ``display_name`` is then ``name::text`` of the same row, i.e. the same string.
    """
    model = query.model
    display = model._fields.get("display_name")
    name_field = model._fields.get(model._rec_name) if model._rec_name else None
    if (
        display is None
        or not display.automatic
        or name_field is None
        or name_field.column is None
        or name_field.relational
        or name_field.type_name not in ("Char", "Text")
        or display not in fields
        or name_field not in fields
    ):
        return fields, ()
    return [f for f in fields if f is not display], ((display.slot, name_field.slot),)


def extra_loads(query: Query) -> tuple[tuple[str, ...], dict[str, list[str]]]:
    """What ``with_fields`` and ``fetch_related`` ask for beyond the main SELECT's columns: relation
    paths (joined or prefetched) and, for those ``with_fields`` names, their leaf fields."""
    related: list[str] = []
    for path in query.related:  # "partner__country": both levels, whole records (as the prefetch loads them)
        segments = path.replace(".", "__").split("__")
        related.extend("__".join(segments[: i + 1]) for i in range(len(segments)))
    related = list(dict.fromkeys(related))
    if not query.fields:
        return tuple(related), {}
    model = query.model
    paths: list[str] = [*related]
    leaf_fields: dict[str, list[str]] = {}
    for name in query.fields:
        segments = name.replace(".", "__").split("__")
        field = model._fields[segments[0]]
        if len(segments) == 1:
            if field.column is None and not (field.name == "display_name" and field.automatic):
                paths.append(field.name)
            continue
        prefix = "__".join(segments[:-1])
        paths.append(prefix)
        leaf_fields.setdefault(prefix, []).append(segments[-1])
    return tuple(dict.fromkeys(paths)), leaf_fields
