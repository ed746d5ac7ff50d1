"""``/api/query/{model}``: search and read a page of records, or groups (api.md 4.1).

``total`` (decision): by default it is counted exactly up to ``COUNT_CAP`` records
(``"total": "capped"``), and the response says ``"total_capped": true`` when there are more;
``"total": "exact"`` counts without a cap, ``"total": "none"`` skips counting (``null``).
No count query runs when the page itself shows where the results end: one row more than
the page is read, and when it is absent ``total`` is ``offset + rows``.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fullfinity.api.bodies import QueryBody
from fullfinity.api.decode import normalise_path, parse_context, parse_field_list, parse_q
from fullfinity.api.encode import RowsEncoder, record_encoder, rows_encoder
from fullfinity.api.handlers import refuse_transient
from fullfinity.api.hydrate import default_tree, hydration_paths
from fullfinity.api.limits import COUNT_CAP, check_limit
from fullfinity.engine.Q import Q
from fullfinity.engine.query import resolve_path
from fullfinity.exceptions import BadRequest
from fullfinity.views.search import search_filters

if TYPE_CHECKING:
    from fullfinity.api.decode import FieldTree
    from fullfinity.engine.access.control import AccessProfile
    from fullfinity.engine.env import Environment
    from fullfinity.engine.models import Model
    from fullfinity.engine.query import SelectPlan
    from fullfinity.engine.records.queryset import QuerySet
    from fullfinity.settings import Settings

__all__ = ["run_query", "run_remembered_query"]


async def run_query(env: Environment, model: type[Model], body: QueryBody, settings: Settings) -> dict[str, Any]:
    refuse_transient(model, "query")
    with env.with_context(**parse_context(body.context)):
        limit = check_limit(body.limit, settings)
        q = await _filter(env, model, body)
        qs = _ordered(model, q, body)
        if body.group_by is not None:
            return await _grouped(env, model, qs, body, limit, q)
        return await _run_page(env, _page(env, model, qs, body, limit))


async def run_remembered_query(
    env: Environment,
    model: type[Model],
    source: tuple[str, str | bytes],
    parse: Callable[[], QueryBody],
    settings: Settings,
) -> dict[str, Any]:
    """``run_query`` for a request whose raw form is ``source`` (the query string, or the body).

    The same raw request from the same caller (access profile) skips parsing and building the
    queryset: a list view refreshed or paged back and forth costs one dictionary lookup before
    the database round trip. Grouped queries and named filters (views can change) are not kept.
    """
    refuse_transient(model, "query")
    profile = None if env.is_elevated else env.access
    key = (model, source, id(profile), env.is_elevated, settings.api_max_limit)
    page = _pages.get(key)
    if page is None or page.profile is not profile:
        body = parse()
        if body.group_by is not None or body.filters or body.search_view is not None:
            return await run_query(env, model, body, settings)
        context = parse_context(body.context)
        limit = check_limit(body.limit, settings)
        with env.with_context(**context):
            page = _page(env, model, _ordered(model, parse_q(body.q_filter), body), body, limit)
        page.context = context
        if len(_pages) >= 2048:
            _pages.clear()
        _pages[key] = page
    if page.context:
        with env.with_context(**page.context):
            return await _run_page(env, page)
    return await _run_page(env, page)


@dataclass(eq=False)
class _Page:
    """A prepared page query: what a request asks for, ready to run (see ``run_remembered_query``)."""

    model: type[Model]
    qs: QuerySet[Any]  # the filter and order (for counting)
    window: QuerySet[Any]  # the page itself, one row more than the limit
    tree: FieldTree
    limit: int
    offset: int
    total: str
    profile: AccessProfile | None
    context: dict[str, Any] = field(default_factory=dict)
    #: Row encoders per compiled plan (``rows_encoder``; ``None``: records are needed).
    encoders: dict[SelectPlan, RowsEncoder | None] = field(default_factory=dict)


_pages: dict[tuple[Any, ...], _Page] = {}


def _ordered(model: type[Model], q: Q | None, body: QueryBody) -> QuerySet[Any]:
    qs: QuerySet[Any] = model.filter(q) if q is not None else model.filter()
    if body.order_by:
        qs = qs.order_by(*([body.order_by] if isinstance(body.order_by, str) else body.order_by))
    return qs


def _page(env: Environment, model: type[Model], qs: QuerySet[Any], body: QueryBody, limit: int) -> _Page:
    tree, paths = _shape(env, model, body.fields)
    window = qs.with_fields(*paths).offset(body.offset).limit(limit + 1)
    profile = None if env.is_elevated else env.access
    return _Page(model, qs, window, tree, limit, body.offset, body.total, profile)


async def _run_page(env: Environment, page: _Page) -> dict[str, Any]:
    plan, rows = await page.window.plan_rows()
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    if plan in page.encoders:
        flat = page.encoders[plan]
    else:
        flat = page.encoders[plan] = rows_encoder(page.model, page.tree, plan)
        if len(page.encoders) > 8:  # plans of queries using the clock are compiled anew each time
            page.encoders.clear()
    if flat is not None:  # selected columns straight to JSON objects, no records built
        data = flat(rows)
    else:
        encode = record_encoder(page.model, page.tree, top=True)
        data = [encode(r) for r in await page.window.records_of(plan, rows)]
    total, capped = await _total(page.qs, page.total, page.offset, len(data), more)
    return {"data": data, "total": total, "total_capped": capped}


_shapes: dict[tuple[Any, ...], tuple[FieldTree, tuple[str, ...], AccessProfile | None]] = {}


def _shape(env: Environment, model: type[Model], fields: list[str] | None) -> tuple[FieldTree, tuple[str, ...]]:
    """The field tree of a response and the ``with_fields`` paths loading it, remembered per
    (model, fields, access profile): they depend on nothing else. The tree is shared: read only."""
    profile = None if env.is_elevated else env.access
    key: tuple[Any, ...] | None = (model, tuple(fields) if fields is not None else None, id(profile), env.is_elevated)
    try:
        found = _shapes.get(key)  # type: ignore[arg-type]
    except TypeError:  # a malformed field list (parse_field_list names the entry)
        found, key = None, None
    if found is not None and found[2] is profile:
        return found[0], found[1]
    tree = parse_field_list(model, fields) if fields is not None else default_tree(env, model, x2many=False)
    paths = tuple(hydration_paths(env, model, tree))
    if key is not None:
        if len(_shapes) >= 1024:
            _shapes.clear()
        _shapes[key] = (tree, paths, profile)
    return tree, paths


async def _filter(env: Environment, model: type[Model], body: QueryBody) -> Q | None:
    """``q_filter`` AND the named Search-view ``filters``."""
    q = parse_q(body.q_filter)
    if not body.filters:
        if body.search_view is not None:
            raise BadRequest(
                "search_view is only used with filters: give the filter names too, or drop search_view.",
                details=[{"path": "search_view", "message": "needs filters"}],
            )
        return q
    named = await search_filters(env, model._name, body.filters, body.search_view)
    return named if q is None else q & named


async def _total(qs: QuerySet[Any], mode: str, offset: int, shown: int, more: bool) -> tuple[int | None, bool]:
    if mode == "none":
        return None, False
    if not more and (shown or not offset):
        return offset + shown, False
    if mode == "exact":
        return await qs.count(), False
    count = await qs.count(cap=COUNT_CAP + 1)  # the scan stops after COUNT_CAP + 1 rows
    return min(count, COUNT_CAP), count > COUNT_CAP


# -- group_by ---------------------------------------------------------------------------------------


async def _grouped(
    env: Environment, model: type[Model], qs: QuerySet[Any], body: QueryBody, limit: int, q: Q | None
) -> dict[str, Any]:
    keys = list(body.group_by or [])
    for index, key in enumerate(keys):
        if not isinstance(key, str) or not key.strip():
            raise BadRequest(
                f"group_by[{index}] must be a field name, optionally with a granularity ('created_date:month').",
                details=[{"path": f"group_by.{index}", "message": "expected a group key"}],
            )
    groups = await qs.offset(body.offset).limit(limit + 1).group_by(*keys, aggregates=body.aggregates)
    more = len(groups) > limit
    groups = groups[:limit]
    total: int | None = None
    capped = False
    if body.total != "none":
        if not more and (groups or not body.offset):
            total = body.offset + len(groups)
        else:
            window = qs.order_by() if body.total == "exact" else qs.order_by().limit(COUNT_CAP + 1)
            total = len(await window.group_by(*keys))
            if body.total == "capped" and total > COUNT_CAP:
                total, capped = COUNT_CAP, True
    for group in groups:
        parts = ([f"({q})"] if q is not None else []) + [_key_filter(model, key, group[key]) for key in keys]
        group["__q_filter"] = " & ".join(parts) if parts else "Q()"
    return {"data": groups, "total": total, "total_capped": capped}


_STEPS = {"day": (0, 1), "week": (0, 7), "month": (1, 0), "quarter": (3, 0), "year": (12, 0)}


def _bucket_end(start: dt.date, granularity: str) -> dt.date:
    months, days = _STEPS[granularity]
    if months:
        total = start.year * 12 + start.month - 1 + months
        return dt.date(total // 12, total % 12 + 1, 1)
    return start + dt.timedelta(days=days)


def _literal(value: Any) -> str:
    if isinstance(value, bool | int | float | str):
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return repr(str(value))


def _key_filter(model: type[Model], key: str, value: Any) -> str:
    """A Q string selecting the records of one group value (drill-down)."""
    name, _, granularity = key.partition(":")
    path = normalise_path(name.strip())
    field = resolve_path(model, path, allow_lookup=False).field
    if value is None:
        return f"Q({path}__isnull=True)"
    if field.relational:
        return f"Q({path}__id__eq={int(value['id'])})"
    if field.type_name in ("Date", "Datetime") and isinstance(value, dt.date):
        end = _bucket_end(value, granularity or "month")
        if field.type_name == "Datetime":  # D(): the bucket's midnight in the user's timezone, as grouped
            return f"Q({path}__gte=D('{value.isoformat()}')) & Q({path}__lt=D('{end.isoformat()}'))"
        return f"Q({path}__gte='{value.isoformat()}') & Q({path}__lt='{end.isoformat()}')"
    return f"Q({path}={_literal(value)})"
