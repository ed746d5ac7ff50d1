"""In-memory evaluation of Q trees: ``q.resolve(bindings)`` and ``q.matches(values, bindings)``.

The web client implements the same rules in TypeScript and both are tested against
``tests/data/q_vectors.json``; anything decided here must be expressible there.

Records are JSON-like dicts. ``a__b`` reads ``values["a"]["b"]``; a missing key is null; a
bare id stands for ``{"id": id}``; a ManyToOne dict compared directly compares its ``id``;
a list (x-to-many) crossed by a path, or compared directly, matches when at least one
element does; a null met half-way makes the rest of the path null.

Comparisons (after the relation id is taken):

- two-valued null logic (see ``Q``'s docstring): ``in`` never matches null, ``nin``
  always does;
- dates: when one side is a ``date``/``datetime`` or both sides are strict ISO strings
  (``dates.parse_iso``), both are read as dates/datetimes; naive datetimes are wall-clock
  time in the bindings' ``tz``; a date compared with a datetime stands for its midnight in
  ``tz``, except that a datetime *record value* against a date in ``eq``/``neq``/``in``/
  ``nin`` matches the whole local day (``gt``/``gte``/``lt``/``lte``/``between`` use the
  midnight, so ``lte`` a date excludes that day after 00:00);
- numbers: int, float and Decimal compare by value; a number against a decimal string
  (``"1234.50"``, how Monetary values travel) compares as numbers;
- booleans equal only booleans; strings order by code point; text lookups on ``i*`` use
  ``str.casefold``;
- other mixes are never equal, and ordering them (gt, between...) is a ``BadRequest``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from fullfinity.engine.qlang.dates import DateExpr, local_midnight, parse_iso, zone
from fullfinity.engine.qlang.q import BOUND_NAMES, TEXT_LOOKUPS, Leaf, Q, Var
from fullfinity.exceptions import BadRequest, QSyntaxError

__all__ = ["Bindings", "matches", "resolve"]

_NUMERIC = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?", re.ASCII)


class Bindings:
    """Values for bound names, plus the user's ``tz`` and the clock ``now``."""

    __slots__ = ("_values", "clock_used", "now", "tz", "zone")

    def __init__(self, bindings: Mapping[str, Any] | None = None) -> None:
        values = dict(bindings or {})
        unknown = sorted(map(str, set(values) - {*BOUND_NAMES, "tz"}))
        if unknown:
            raise BadRequest(
                f"unknown binding(s) {', '.join(map(repr, unknown))}; bindings are tz and the bound names "
                f"{', '.join(BOUND_NAMES)}"
            )
        self.tz: str = values.pop("tz", "UTC")
        self.zone: ZoneInfo = zone(self.tz)
        self.now: datetime = _read_now(values.get("now"))
        self._values = values
        #: Set when a value derived from the clock (``now``, ``today``, ``D(...)``): a result
        #: resolved with these bindings is only valid at this moment (compiled plans are not kept).
        self.clock_used = False

    def value_of(self, name: str) -> Any:
        """The concrete value of a bound name; ``today``/``now`` derive from the clock."""
        if name == "now":
            self.clock_used = True
            return self.now
        if name == "today":
            if "today" not in self._values:
                self.clock_used = True
                return self.now.astimezone(self.zone).date()
            today = self._values["today"]
            parsed = parse_iso(today) if isinstance(today, str) else today
            if type(parsed) is not date:
                raise BadRequest(f"binding 'today' must be a date or an ISO date string, got {today!r:.80}")
            return parsed
        if name == "company_id" and name not in self._values:
            name = "cid"
        if name not in self._values:
            raise BadRequest(f"the Q uses the bound name {name!r} but no value is bound to it; pass it in bindings")
        return self._values[name]

    def date_of(self, expr: DateExpr) -> date | datetime:
        self.clock_used = True
        return expr.resolve(self.tz, self.now)


def _read_now(raw: Any) -> datetime:
    if raw is None:
        return datetime.now(UTC)
    parsed = parse_iso(raw) if isinstance(raw, str) else raw
    if not isinstance(parsed, datetime) or parsed.utcoffset() is None:
        raise BadRequest(
            f"binding 'now' must be an aware datetime or an ISO string with an offset "
            f"('2026-03-15T10:30:00Z'), got {raw!r:.80}"
        )
    return parsed.astimezone(UTC)


# -- resolve ---------------------------------------------------------------------------


def resolve(q: Q, bindings: Bindings) -> Q:
    return Q.combine(q.connector, [_resolve_node(child, bindings) for child in q.children])


def _resolve_node(node: Q | Leaf, bindings: Bindings) -> Q | Leaf:
    if isinstance(node, Q):
        return resolve(node, bindings)
    value = _resolve_value(node.value, bindings)
    if value is node.value:
        return node
    try:
        return node.with_value(value)
    except QSyntaxError as exc:
        raise QSyntaxError(f"after binding names, {exc.message}") from None


def _resolve_value(value: Any, bindings: Bindings) -> Any:
    if isinstance(value, Var):
        return bindings.value_of(value.name)
    if isinstance(value, DateExpr):
        return bindings.date_of(value)
    if isinstance(value, Q):
        return resolve(value, bindings)
    if isinstance(value, tuple) and any(isinstance(item, (Var, DateExpr)) for item in value):
        return tuple(_resolve_value(item, bindings) for item in value)
    return value


# -- matches ---------------------------------------------------------------------------


def matches(q: Q, values: Mapping[str, Any], bindings: Bindings) -> bool:
    if not isinstance(values, Mapping):
        raise BadRequest(f"values must be a record as a dict of field values, got {values!r:.80}")
    return _Evaluator(bindings.zone).node(resolve(q, bindings), values)


class _Evaluator:
    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz

    def node(self, node: Q | Leaf, record: Mapping[str, Any]) -> bool:
        if isinstance(node, Leaf):
            return self.walk(node, record, node.path.split("__"))
        if node.connector == "not":
            return not self.node(node.children[0], record)
        if node.connector == "or":
            return any(self.node(child, record) for child in node.children)
        return all(self.node(child, record) for child in node.children)

    def walk(self, leaf: Leaf, holder: Any, segments: list[str]) -> bool:
        """Read ``segments[0]`` from ``holder`` and go on; lists mean "at least one"."""
        if holder is None:
            return self.terminal(leaf, None)
        if isinstance(holder, list):
            return any(self.walk(leaf, item, segments) for item in holder)
        if isinstance(holder, int) and not isinstance(holder, bool):
            holder = {"id": holder}
        if not isinstance(holder, Mapping):
            raise BadRequest(
                f"{leaf.key:.80}: cannot read {segments[0]!r} from {holder!r:.60}; "
                "a path crosses records given as dicts, ids or lists of them"
            )
        value = holder.get(segments[0])
        if len(segments) == 1:
            return self.terminal(leaf, value)
        return self.walk(leaf, value, segments[1:])

    def terminal(self, leaf: Leaf, value: Any) -> bool:
        lookup = leaf.lookup
        if lookup in ("any", "none"):
            items = [] if value is None else value if isinstance(value, list) else [value]
            hit = any(self.node(leaf.value, _as_record(leaf, item)) for item in items)
            return hit if lookup == "any" else not hit
        if isinstance(value, list):
            if lookup in ("isnull", "isnotnull") and leaf.part is None:
                return (not value) == _wants_null(leaf)
            return any(self.compare(leaf, item) for item in value)
        return self.compare(leaf, value)

    def compare(self, leaf: Leaf, value: Any) -> bool:
        if isinstance(value, Mapping):
            value = value.get("id")
        if leaf.part is not None:
            value = self.date_part(leaf, value)
        lookup, target = leaf.lookup, leaf.value
        if lookup in ("isnull", "isnotnull"):
            return (value is None) == _wants_null(leaf)
        if lookup == "eq":
            return value is None if target is None else value is not None and self.equal(value, target)
        if lookup == "neq":
            return value is not None if target is None else value is None or not self.equal(value, target)
        if lookup in ("in", "nin"):
            found = value is not None and any(self.equal(value, item) for item in _as_list(leaf, target))
            return found if lookup == "in" else value is None or not found
        if value is None:
            return False
        if lookup in TEXT_LOOKUPS:
            return _text_match(leaf, value, target)
        if lookup == "between":
            return self.order(leaf, value, target[0]) >= 0 and self.order(leaf, value, target[1]) <= 0
        sign = self.order(leaf, value, target)
        return {"gt": sign > 0, "gte": sign >= 0, "lt": sign < 0, "lte": sign <= 0}[lookup]

    def date_part(self, leaf: Leaf, value: Any) -> int | None:
        if value is None:
            return None
        moment = parse_iso(value) if isinstance(value, str) else value
        if not isinstance(moment, date):
            raise BadRequest(f"{leaf.key:.80}: the {leaf.part} of {value!r:.60} cannot be taken; it needs a date")
        if isinstance(moment, datetime):
            moment = self.aware(moment).astimezone(self.tz)
        part: int = getattr(moment, leaf.part or "")
        return part

    def aware(self, moment: datetime) -> datetime:
        return moment.replace(tzinfo=self.tz) if moment.tzinfo is None else moment

    def pair(self, left: Any, right: Any, whole_day: bool) -> tuple[Any, Any] | None:
        """``left`` and ``right`` made comparable, or ``None`` when they are not."""
        if isinstance(left, bool) or isinstance(right, bool):
            return (left, right) if isinstance(left, bool) and isinstance(right, bool) else None
        if isinstance(left, date) or isinstance(right, date) or (isinstance(left, str) and isinstance(right, str)):
            l_moment = parse_iso(left) if isinstance(left, str) else left
            r_moment = parse_iso(right) if isinstance(right, str) else right
            if isinstance(l_moment, date) and isinstance(r_moment, date):
                return self.moments(l_moment, r_moment, whole_day)
            if isinstance(left, str) and isinstance(right, str):
                return left, right
            return None
        if _is_number(left) and _is_number(right):
            if isinstance(left, Decimal) or isinstance(right, Decimal):
                return _decimal(left), _decimal(right)
            return left, right
        if _is_number(left) and isinstance(right, str) and _NUMERIC.fullmatch(right):
            return _decimal(left), Decimal(right)
        if isinstance(left, str) and _NUMERIC.fullmatch(left) and _is_number(right):
            return Decimal(left), _decimal(right)
        return None

    def moments(self, left: date, right: date, whole_day: bool) -> tuple[date, date]:
        if isinstance(left, datetime) and isinstance(right, datetime):
            return self.aware(left), self.aware(right)
        if isinstance(left, datetime):
            if whole_day:  # a datetime value against a date: the whole local day
                return self.aware(left).astimezone(self.tz).date(), right
            return self.aware(left), local_midnight(right, self.tz)
        if isinstance(right, datetime):
            return local_midnight(left, self.tz), self.aware(right)
        return left, right

    def equal(self, value: Any, target: Any) -> bool:
        if isinstance(value, Mapping | list):
            return False
        pair = self.pair(value, target, whole_day=True)
        return pair is not None and bool(pair[0] == pair[1])

    def order(self, leaf: Leaf, value: Any, target: Any) -> int:
        pair = self.pair(value, target, whole_day=False)
        if pair is None or isinstance(pair[0], bool):
            raise BadRequest(
                f"{leaf.key:.80}: cannot order {value!r:.60} ({type(value).__name__}) against "
                f"{target!r:.60} ({type(target).__name__}); compare values of one kind"
            )
        left, right = pair
        return int(left > right) - int(left < right)


def _wants_null(leaf: Leaf) -> bool:
    return bool(leaf.value) == (leaf.lookup == "isnull")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _decimal(value: Any) -> Decimal:
    # repr() is the shortest string that reads back as the same float: 0.1 -> Decimal("0.1").
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _as_list(leaf: Leaf, target: Any) -> tuple[Any, ...]:
    if not isinstance(target, tuple):  # defensive: resolve() already checked this
        raise BadRequest(f"{leaf.key:.80}: {leaf.lookup} needs a list, got {target!r:.60}")
    return target


def _as_record(leaf: Leaf, item: Any) -> Mapping[str, Any]:
    if isinstance(item, Mapping):
        return item
    if isinstance(item, int) and not isinstance(item, bool):
        return {"id": item}
    raise BadRequest(f"{leaf.key:.80}: {leaf.lookup} needs related records as dicts or ids, got {item!r:.60}")


def _text_match(leaf: Leaf, value: Any, target: Any) -> bool:
    if not isinstance(value, str) or not isinstance(target, str):
        raise BadRequest(f"{leaf.key:.80}: {leaf.lookup} compares text, got {value!r:.60} and {target!r:.60}")
    text, needle = (value.casefold(), target.casefold()) if leaf.lookup.startswith("i") else (value, target)
    if leaf.lookup.endswith("contains"):
        return needle in text
    if leaf.lookup.endswith("startswith"):
        return text.startswith(needle)
    return text.endswith(needle)
