"""Q expressions: composable, serialisable filters (orm.md section 12).

    overdue = Q(deadline__lt=D("today")) & ~Q(stage__is_closed=True)
    mine = Q.parse("Q(assignee__id__eq=uid) | Q(watchers__any=Q(id=uid))")

A Q is an immutable tree. Its inner nodes are ``Q`` objects whose ``connector`` is
``"and"``, ``"or"`` or ``"not"``; their ``children`` are ``Q`` objects or ``Leaf``
conditions. A ``Leaf`` is one keyword lookup ``path__part__lookup=value``, split
syntactically: a trailing segment in ``LOOKUPS`` is the lookup (default ``eq``), then a
trailing segment in ``DATE_PARTS`` is the date part; at least one segment always stays as
the path. The model-aware SQL compiler re-resolves ``leaf.key`` against the model.

Canonical form, so that equal filters compare equal and ``to_json`` is stable:

- an and/or node with a single child *is* that child: ``Q(a=1)`` is an and of one leaf and
  serialises as the bare leaf; ``Q(q)`` equals ``q``;
- an and inside an and, an or inside an or, are spliced into the parent:
  ``Q(a=1) & Q(b=2) == Q(a=1, b=2)``, and ``Q() & q == q``;
- children keep their order; nothing else is rewritten (``~~q`` stays two negations).

Values are literals (str, int, float, bool, None; ``Decimal``, ``date`` and ``datetime``
from Python), lists of literals (stored as tuples), ``Var`` (a bound name such as ``uid``),
``DateExpr`` (``D(...)``) and, for ``any``/``none``, a nested ``Q``. An object with a
``__q_value__()`` method (a record) is replaced by what that method returns (its id).
Integers must fit in ±(2**53 - 1) so that JSON clients read them exactly.

JSON (orm.md 12.6): ``to_json`` encodes ``date``/``datetime`` as ISO strings and
``Decimal`` as a plain decimal string (``"1234.50"``); ``from_json`` keeps them as strings,
which evaluate the same because in-memory comparison parses ISO dates and numeric strings.
Likewise ``str(q)`` is a Q string that ``Q.parse`` reads back to an equal Q, except that
such values come back as strings.

Evaluation is two-valued: every leaf is true or false (comparisons with null are false
except ``eq None``, ``neq``, ``nin``, ``isnull``, ``isnotnull``), and ``~`` is plain
negation, so ``~Q(priority="low")`` matches records whose priority is null.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal, TypeAlias

from fullfinity.engine.qlang.dates import DateExpr
from fullfinity.exceptions import QSyntaxError

__all__ = ["BOUND_NAMES", "DATE_PARTS", "LOOKUPS", "MAX_DEPTH", "Leaf", "Q", "Var"]

# fmt: off
LOOKUPS: tuple[str, ...] = (
    "eq", "neq", "gt", "gte", "lt", "lte", "in", "nin", "isnull", "isnotnull",
    "contains", "icontains", "startswith", "istartswith", "endswith", "iendswith",
    "between", "any", "none",
)
DATE_PARTS: tuple[str, ...] = ("year", "month", "day")
BOUND_NAMES: tuple[str, ...] = (
    "uid", "cid", "company_id", "cids", "contact_id", "today", "now", "active_id", "value",
)
# fmt: on
MAX_DEPTH = 64
"""Deepest nesting of Q nodes accepted from any source (Python, Q strings, JSON)."""
MAX_INT = 2**53 - 1

TEXT_LOOKUPS = frozenset({"contains", "icontains", "startswith", "istartswith", "endswith", "iendswith"})
_SEGMENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*", re.ASCII)

Connector: TypeAlias = Literal["and", "or", "not"]
Node: TypeAlias = "Q | Leaf"


class Var:
    """A bound name (``uid``, ``cids``, ``today``...) resolved when the Q is evaluated.

    JSON form ``{"$var": "uid"}``; Q-string form the bare name ``uid``.
    """

    __slots__ = ("name",)
    name: str

    def __init__(self, name: str) -> None:
        if name not in BOUND_NAMES:
            raise QSyntaxError(f"unknown bound name {name!r:.80}; the bound names are {', '.join(BOUND_NAMES)}")
        object.__setattr__(self, "name", name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Var is immutable")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Var) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("Var", self.name))

    def __repr__(self) -> str:
        return f"Var({self.name!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Var, (self.name,))

    def to_json(self) -> dict[str, str]:
        return {"$var": self.name}


_split: dict[str, tuple[str, str | None, str]] = {}


def split_key(key: str) -> tuple[str, str | None, str]:
    """``"created_date__month__in"`` -> ``("created_date", "month", "in")``.

    Keys come back again and again (the same filters in every request): a split is remembered.
    """
    found = _split.get(key) if type(key) is str else None
    if found is None:
        found = _split_key(key)
        if len(_split) >= 4096:
            _split.clear()
        _split[key] = found
    return found


def _split_key(key: str) -> tuple[str, str | None, str]:
    if not isinstance(key, str) or not key:
        raise QSyntaxError(f"a lookup key must be a non-empty string such as 'name__icontains', got {key!r:.80}")
    segments = key.split("__")
    for segment in segments:
        if not _SEGMENT.fullmatch(segment):
            found = "an empty segment" if not segment else repr(segment)
            raise QSyntaxError(
                f"lookup key {key!r:.80} is not a path: found {found}; a path is field names joined by '__' "
                "(ASCII letters, digits and '_', each starting with a letter), then an optional lookup"
            )
    lookup = segments.pop() if len(segments) > 1 and segments[-1] in LOOKUPS else "eq"
    part = segments.pop() if len(segments) > 1 and segments[-1] in DATE_PARTS else None
    return "__".join(segments), part, lookup


def _join_key(path: str, part: str | None, lookup: str) -> str:
    key = f"{path}__{part}" if part else path
    if lookup != "eq":
        return f"{key}__{lookup}"
    # `a__contains` read back would take `contains` as the lookup: spell eq out.
    return key if split_key(key) == (path, part, "eq") else f"{key}__eq"


def _short(text: str, limit: int = 80) -> str:
    """Values in messages are cut: a Q string may hold a list of thousands of ids."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _normalise(value: Any, key: str, *, in_list: bool = False) -> Any:
    to_value = getattr(type(value), "__q_value__", None)
    if to_value is not None:
        value = to_value(value)
    if value is None or isinstance(value, (bool, str, Var, DateExpr, Q, date)):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_INT:
            raise QSyntaxError(f"{_short(key)}: integers must be within ±{MAX_INT} to stay exact in JSON clients")
        return value
    if isinstance(value, (float, Decimal)):
        if not math.isfinite(value):
            raise QSyntaxError(f"{_short(key)}={value}: only finite numbers can be compared")
        return value
    if isinstance(value, (list, tuple)) and not in_list:
        if value and all(type(item) is int for item in value) and min(value) >= -MAX_INT and max(value) <= MAX_INT:
            return tuple(value)  # a list of ids: checked in one pass
        return tuple(_normalise(item, key, in_list=True) for item in value)
    kind = "a list inside a list" if isinstance(value, (list, tuple)) else f"a {type(value).__name__}"
    raise QSyntaxError(
        f"{_short(key)}= got {kind} ({_short(repr(value))}); a Q value is a str, int, float, bool, None, Decimal, "
        "date, datetime, a list of those, a bound name, D(...), or a Q(...) for __any/__none"
    )


def _check_value(key: str, lookup: str, part: str | None, value: Any) -> None:
    key = _short(key)  # only used in messages

    def fail(needs: str) -> QSyntaxError:
        from fullfinity.engine.qlang.parse import format_value  # parse.py imports this module

        return QSyntaxError(f"{key}={_short(format_value(value))}: {lookup} needs {needs}")

    if lookup in ("any", "none"):
        if part:
            raise QSyntaxError(f"{key}: date parts cannot be combined with {lookup}")
        if not isinstance(value, Q):
            raise fail(f"a Q(...) for the related records, e.g. moves__{lookup}=Q(weight__gt=10)")
        return
    items = value if isinstance(value, tuple) else (value,)
    if any(isinstance(item, Q) for item in items):
        raise fail("a value; a Q(...) value is only for __any and __none")
    if lookup in ("isnull", "isnotnull"):
        if not isinstance(value, bool):
            raise fail("True or False")
        return
    if lookup in TEXT_LOOKUPS:
        if part:
            raise QSyntaxError(f"{key}: date parts cannot be combined with {lookup}")
        if not isinstance(value, (str, Var)):
            raise fail("a string")
        return
    if lookup in ("in", "nin"):
        if not isinstance(value, (tuple, Var)):
            raise fail("a list such as [1, 2], or a bound name holding one such as cids")
        if None in items:
            raise fail("a list without None (None never matches in a list); add | Q(...__isnull=True) instead")
    elif lookup == "between":
        if not isinstance(value, tuple) or len(value) != 2 or None in value:
            raise fail("a list of two values [low, high] (both included)")
    elif isinstance(value, tuple):
        raise fail("a single value; use __in to compare with a list")
    elif value is None and lookup not in ("eq", "neq"):
        raise fail("a value; a comparison with None is never true, use __isnull")
    if part and any(not isinstance(item, (int, Var)) or isinstance(item, bool) for item in items if item is not None):
        raise fail(f"whole numbers: a {part} is compared with integers")


def _strict(value: Any) -> Any:
    """Equality key that tells True from 1 and 1 from 1.0, as JSON does."""
    if isinstance(value, tuple):
        return ("list", tuple(_strict(item) for item in value))
    return (type(value).__name__, value)


class Leaf:
    """One condition ``path__part__lookup=value``: the leaves of a Q tree.

    ``key`` is the raw keyword (``created_date__month__in``); ``path`` (``created_date``),
    ``part`` (``"year"``, ``"month"``, ``"day"`` or ``None``) and ``lookup`` are its
    syntactic split. Equality ignores ``key``: ``a=1`` equals ``a__eq=1``.
    """

    __slots__ = ("depth", "key", "lookup", "part", "path", "value")
    key: str
    path: str
    part: str | None
    lookup: str
    value: Any
    depth: int

    def __init__(self, key: str, value: Any) -> None:
        self._setup(key, *split_key(key), value)

    @classmethod
    def from_parts(cls, path: str, lookup: str = "eq", value: Any = None, part: str | None = None) -> Leaf:
        """A leaf from its JSON parts: ``Leaf.from_parts("created_date", "in", [1, 2], part="month")``."""
        if lookup not in LOOKUPS:
            raise QSyntaxError(f"unknown lookup {lookup!r:.80}; expected one of {', '.join(LOOKUPS)}")
        if part is not None and part not in DATE_PARTS:
            raise QSyntaxError(f"unknown date part {part!r:.80}; expected one of {', '.join(DATE_PARTS)}")
        if not isinstance(path, str) or not path or any(not _SEGMENT.fullmatch(s) for s in path.split("__")):
            raise QSyntaxError(f"path {path!r:.80} is not field names joined by '__' (such as 'team__leader__email')")
        leaf = cls.__new__(cls)
        leaf._setup(_join_key(path, part, lookup), path, part, lookup, value)
        return leaf

    def _setup(self, key: str, path: str, part: str | None, lookup: str, value: Any) -> None:
        value = _normalise(value, key)
        _check_value(key, lookup, part, value)
        depth = 1 + (value.depth if isinstance(value, Q) else 0)
        if depth > MAX_DEPTH:
            raise QSyntaxError(f"Q nested deeper than {MAX_DEPTH} levels")
        attributes = {"key": key, "path": path, "part": part, "lookup": lookup, "value": value, "depth": depth}
        for name, item in attributes.items():
            object.__setattr__(self, name, item)

    def with_value(self, value: Any) -> Leaf:
        """The same condition with another value (checked again for the lookup)."""
        return _restore_leaf(self.key, self.path, self.part, self.lookup, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Leaf is immutable")

    def _identity(self) -> tuple[Any, ...]:
        return (self.path, self.part, self.lookup, _strict(self.value))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Leaf) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def __repr__(self) -> str:
        from fullfinity.engine.qlang.parse import format_value  # parse.py imports this module

        return f"Leaf({self.key!r}, {format_value(self.value)})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore_leaf, (self.key, self.path, self.part, self.lookup, self.value))

    def to_json(self) -> dict[str, Any]:
        node: dict[str, Any] = {"path": self.path}
        if self.part:
            node["part"] = self.part
        node["lookup"] = self.lookup
        node["value"] = value_to_json(self.value)
        return node


def _restore_leaf(key: str, path: str, part: str | None, lookup: str, value: Any) -> Leaf:
    leaf = Leaf.__new__(Leaf)
    leaf._setup(key, path, part, lookup, value)
    return leaf


def _unwrap(node: Node) -> Node:
    if isinstance(node, Q) and node.connector != "not" and len(node.children) == 1:
        return node.children[0]
    return node


class Q:
    """A filter: ``Q(priority="urgent")``, combined with ``&``, ``|`` and ``~``.

    ``Q(*qs, **lookups)`` is the AND of the positional Qs, then the keyword lookups in
    order; ``Q()`` matches everything. See the module docstring for the canonical form.
    """

    __slots__ = ("children", "connector", "depth")
    connector: Connector
    children: tuple[Node, ...]
    depth: int

    def __init__(self, *children: Q, **lookups: Any) -> None:
        for child in children:
            if not isinstance(child, Q):
                hint = " (parse a Q string with Q.parse(text))" if isinstance(child, str) else ""
                raise TypeError(f"Q() positional arguments must be Q objects, got {child!r}{hint}")
        self._setup("and", [*children, *(Leaf(key, value) for key, value in lookups.items())])

    @classmethod
    def combine(cls, connector: Connector, nodes: Iterable[Node]) -> Q:
        """The canonical and/or of ``nodes``, or the not of the single node given."""
        q = cls.__new__(cls)
        q._setup(connector, list(nodes))
        return q

    def _setup(self, connector: Connector, nodes: list[Node]) -> None:
        if connector == "not":
            if len(nodes) != 1:
                raise QSyntaxError(f"a not node negates exactly one node, got {len(nodes)}")
            children: tuple[Node, ...] = (_unwrap(nodes[0]),)
        else:
            flat: list[Node] = []
            for node in map(_unwrap, nodes):
                if isinstance(node, Q) and node.connector == connector:
                    flat.extend(node.children)
                else:
                    flat.append(node)
            if len(flat) == 1 and isinstance(flat[0], Q):
                connector, flat = flat[0].connector, list(flat[0].children)
            elif len(flat) == 1:
                connector = "and"
            children = tuple(flat)
        depth = 1 + max((child.depth for child in children), default=0)
        if depth > MAX_DEPTH:
            raise QSyntaxError(f"Q nested deeper than {MAX_DEPTH} levels")
        object.__setattr__(self, "connector", connector)
        object.__setattr__(self, "children", children)
        object.__setattr__(self, "depth", depth)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Q is immutable; combine with &, | and ~ to build a new one")

    def __and__(self, other: Q) -> Q:
        if not isinstance(other, Q):
            return NotImplemented
        return Q.combine("and", (self, other))

    def __or__(self, other: Q) -> Q:
        if not isinstance(other, Q):
            return NotImplemented
        return Q.combine("or", (self, other))

    def __invert__(self) -> Q:
        return Q.combine("not", (self,))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Q) and (self.connector, self.children) == (other.connector, other.children)

    def __hash__(self) -> int:
        return hash((self.connector, self.children))

    def __reduce__(self) -> tuple[Any, ...]:
        return (Q.combine, (self.connector, self.children))

    def __str__(self) -> str:
        """The Q string for this Q (``Q.parse(str(q)) == q``, see the module docstring)."""
        from fullfinity.engine.qlang.parse import format_q  # parse.py imports this module

        return format_q(self)

    __repr__ = __str__

    @staticmethod
    def parse(text: str) -> Q:
        """Read a Q string (orm.md 12.4) with the safe parser; ``QSyntaxError`` if it is not one."""
        if not isinstance(text, str):
            raise QSyntaxError(f"a Q string must be a str, got {type(text).__name__}")
        return _parse_cached(text) if len(text) <= 1000 else _parse(text)

    def to_json(self) -> dict[str, Any]:
        """The JSON form (orm.md 12.6); a single-child and/or is written as its child."""
        return _node_to_json(self)

    @classmethod
    def from_json(cls, tree: Any) -> Q:
        """Read the JSON form; ``QSyntaxError`` naming the place (``$.and[1].value``) if invalid."""
        node = _node_from_json(tree, "$", 1)
        return node if isinstance(node, Q) else cls.combine("and", [node])

    def resolve(self, bindings: Mapping[str, Any] | Any = None) -> Q:
        """A copy with bound names and ``D(...)`` replaced by concrete values.

        ``bindings`` maps bound names to values, plus ``tz`` (IANA name, default UTC) and
        ``now`` (aware datetime or ISO string with offset, default the real now); an
        ``evaluate.Bindings`` object is used as it is (the compiler shares one per statement).
        """
        from fullfinity.engine.qlang import evaluate  # evaluate.py imports this module

        if not isinstance(bindings, evaluate.Bindings):
            bindings = evaluate.Bindings(bindings)
        return evaluate.resolve(self, bindings)

    def matches(self, values: Mapping[str, Any], bindings: Mapping[str, Any] | None = None) -> bool:
        """Whether a record given as a JSON-like dict satisfies this Q (same semantics as SQL)."""
        from fullfinity.engine.qlang import evaluate  # evaluate.py imports this module

        return evaluate.matches(self, values, evaluate.Bindings(bindings))


def _parse(text: str) -> Q:
    from fullfinity.engine.qlang.parse import parse  # parse.py imports this module

    return parse(text)


# Record rules and view modifiers are short and parsed again and again; Q is immutable,
# so one parsed object can be shared. Long texts are not kept, to bound the memory.
_parse_cached = lru_cache(maxsize=1024)(_parse)


# -- JSON ------------------------------------------------------------------------------


def value_to_json(value: Any) -> Any:
    if isinstance(value, Q):
        return _node_to_json(value)
    if isinstance(value, (Var, DateExpr)):
        return value.to_json()
    if isinstance(value, tuple):
        return [value_to_json(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def _node_to_json(node: Node) -> dict[str, Any]:
    if isinstance(node, Leaf):
        return node.to_json()
    if node.connector == "not":
        return {"not": _node_to_json(node.children[0])}
    if len(node.children) == 1:
        return _node_to_json(node.children[0])
    return {node.connector: [_node_to_json(child) for child in node.children]}


def _node_from_json(tree: Any, where: str, depth: int) -> Node:
    def fail(message: str) -> QSyntaxError:
        return QSyntaxError(f"Q JSON at {where}: {message}", details=[{"path": where, "message": message}])

    if depth > MAX_DEPTH:
        raise fail(f"nested deeper than {MAX_DEPTH} levels")
    if not isinstance(tree, dict):
        raise fail(f"expected a node (an object with and, or, not, or path/lookup/value), got {tree!r:.80}")
    keys = set(tree)
    if keys in ({"and"}, {"or"}):
        connector: Connector = "and" if "and" in keys else "or"
        items = tree[connector]
        if not isinstance(items, list):
            raise fail(f'"{connector}" must hold a list of nodes, got {items!r:.80}')
        if connector == "or" and not items:
            raise fail('"or" needs at least one node; {"not": {"and": []}} is the node that is never true')
        children = [_node_from_json(item, f"{where}.{connector}[{i}]", depth + 1) for i, item in enumerate(items)]
        return Q.combine(connector, children)
    if keys == {"not"}:
        return Q.combine("not", [_node_from_json(tree["not"], f"{where}.not", depth + 1)])
    if not keys >= {"path", "lookup", "value"} or keys - {"path", "lookup", "value", "part"}:
        raise fail(
            f"unexpected keys {sorted(map(str, keys))}; a node is {{'and': [...]}}, {{'or': [...]}}, {{'not': node}} "
            "or a leaf {'path', 'lookup', 'value'} with an optional 'part'"
        )
    path, lookup, part, raw = tree["path"], tree["lookup"], tree.get("part"), tree["value"]
    nested: Node | None = None
    if lookup in ("any", "none"):
        nested = _node_from_json(raw, f"{where}.value", depth + 1)  # its errors name their own place
    try:
        value = _value_from_json(raw) if nested is None else nested
        return Leaf.from_parts(path, lookup, Q.combine("and", [value]) if isinstance(value, Leaf) else value, part)
    except QSyntaxError as exc:
        raise fail(exc.message) from None


def _value_from_json(raw: Any) -> Any:
    if isinstance(raw, dict):
        if set(raw) == {"$var"}:
            return Var(raw["$var"])
        if set(raw) == {"$date"}:
            return DateExpr.from_json(raw["$date"])
        raise QSyntaxError(f'an object value must be {{"$var": name}} or {{"$date": {{...}}}}, got {raw!r:.80}')
    if isinstance(raw, list):
        return [_value_from_json(item) for item in raw]
    return raw
