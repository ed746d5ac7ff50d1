"""How cached values travel as bytes: orjson plus a small tagged encoding, exact for every value we store.

JSON alone would lose types (``Decimal("1.10")`` would come back as a float or a string,
a ``datetime`` as a string, a tuple as a list, ``nan`` as ``null``), so values that JSON
cannot carry exactly are written as tagged objects ``{"\\x00": <tag>, "v": <payload>}``.
A user dict that itself has the key ``"\\x00"`` (or non-string keys) is written as a
tagged list of pairs, so decoding is never ambiguous. Only exact built-in types are
accepted; anything else (subclasses, custom objects) raises ``Uncacheable`` and the
caller simply does not cache. No pickle: a payload is data, never code.

Two payload kinds, told apart by a three-byte header (format version, kind, and whether the
decoded value is immutable and so may be handed to several callers):

- values (``encode``): any nesting of the types below; decoding walks the structure only
  when the encoder had to tag something.
- query rows (``encode_rows``): a list of database rows, encoded column by column: a
  column of one scalar type (``Decimal``, ``datetime``...) gets one converter applied on
  decode, so a cache hit costs one ``orjson.loads`` and a pass over the converted columns.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import uuid
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import orjson

__all__ = ["Uncacheable", "decode", "encode", "encode_rows", "is_shareable"]

TAG = "\x00"
_VERSION = b"\x01"
_PLAIN = _VERSION + b"P"  # JSON, nothing tagged: decoded by orjson alone
_TAGGED = _VERSION + b"T"  # JSON with tagged objects: decoded by a walk
_ROWS = _VERSION + b"R"  # [column codecs, rows]
_SHARED, _OWNED = b"s", b"m"  # third header byte: immutable once decoded, or not
_I64 = (-(2**63), 2**63 - 1)
_MUTABLE = (list, dict, set)


class Uncacheable(TypeError):
    """The value holds something the cache encoding cannot carry exactly."""


# -- scalar converters (shared by the value walk and the row columns) ------------------------
def _pack_datetime(value: dt.datetime) -> Any:
    if value.fold:
        raise Uncacheable("datetime with fold=1 is not cached (its ISO form would drop the fold)")
    tz = value.tzinfo
    if tz is None or type(tz) is dt.timezone:
        return value.isoformat()
    if type(tz) is ZoneInfo:
        return [value.replace(tzinfo=None).isoformat(), tz.key]
    raise Uncacheable(f"datetime with tzinfo {type(tz).__name__} cannot be cached exactly")


def _unpack_datetime(raw: Any) -> dt.datetime:
    if isinstance(raw, str):
        return dt.datetime.fromisoformat(raw)
    return dt.datetime.fromisoformat(raw[0]).replace(tzinfo=ZoneInfo(raw[1]))


def _pack_time(value: dt.time) -> str:
    if value.fold or (value.tzinfo is not None and type(value.tzinfo) is not dt.timezone):
        raise Uncacheable("time with fold=1 or a non-fixed tzinfo is not cached")
    return value.isoformat()


#: type -> (tag, pack, unpack); the tag doubles as the column codec name of a row payload.
_SCALARS: dict[type, tuple[str, Callable[[Any], Any], Callable[[Any], Any]]] = {
    Decimal: ("D", str, Decimal),
    dt.datetime: ("T", _pack_datetime, _unpack_datetime),
    dt.date: ("d", dt.date.isoformat, dt.date.fromisoformat),
    dt.time: ("t", _pack_time, dt.time.fromisoformat),
    dt.timedelta: (
        "td",
        lambda v: [v.days, v.seconds, v.microseconds],
        lambda v: dt.timedelta(days=v[0], seconds=v[1], microseconds=v[2]),
    ),
    bytes: ("b", lambda v: base64.b64encode(v).decode("ascii"), base64.b64decode),
    uuid.UUID: ("u", str, uuid.UUID),
}
_UNPACK: dict[str, Callable[[Any], Any]] = {tag: unpack for tag, _, unpack in _SCALARS.values()}


# -- the tagged walk ------------------------------------------------------------------------------
class _Packer:
    """Turns a value into JSON-native data, tagging what JSON cannot carry; records what it saw."""

    __slots__ = ("mutable", "tagged")

    def __init__(self) -> None:
        self.tagged = False
        self.mutable = False

    def tag(self, name: str, payload: Any) -> dict[str, Any]:
        self.tagged = True
        return {TAG: name, "v": payload}

    def pack(self, value: Any) -> Any:
        kind = type(value)
        if value is None or kind is str or kind is bool:
            return value
        if kind is int:
            return value if _I64[0] <= value <= _I64[1] else self.tag("i", str(value))
        if kind is float:
            return value if math.isfinite(value) else self.tag("f", repr(value))
        if kind is list:
            self.mutable = True
            return [self.pack(item) for item in value]
        if kind is dict:
            self.mutable = True
            if TAG in value or any(type(k) is not str for k in value):
                return self.tag("m", [[self.pack(k), self.pack(v)] for k, v in value.items()])
            return {k: self.pack(v) for k, v in value.items()}
        if kind is tuple:
            return self.tag("tu", [self.pack(item) for item in value])
        if kind is set or kind is frozenset:
            self.mutable = self.mutable or kind is set
            return self.tag("s" if kind is set else "fs", [self.pack(item) for item in value])
        scalar = _SCALARS.get(kind)
        if scalar is None:
            raise Uncacheable(f"a {kind.__module__}.{kind.__qualname__} value cannot be cached exactly")
        name, pack, _ = scalar
        return self.tag(name, pack(value))


def _unpack(value: Any) -> Any:
    kind = type(value)
    if kind is list:
        return [_unpack(item) for item in value]
    if kind is dict:
        if TAG not in value:
            return {k: _unpack(v) for k, v in value.items()}
        name, raw = value[TAG], value["v"]
        if name == "tu":
            return tuple(_unpack(item) for item in raw)
        if name == "m":
            return {_unpack(k): _unpack(v) for k, v in raw}
        if name == "s":
            return {_unpack(item) for item in raw}
        if name == "fs":
            return frozenset(_unpack(item) for item in raw)
        if name == "i":
            return int(raw)
        if name == "f":
            return float(raw)
        return _UNPACK[name](raw)
    return value


def _dumps(data: Any) -> bytes:
    try:
        return orjson.dumps(data)
    except (TypeError, orjson.JSONEncodeError) as exc:  # e.g. a str with lone surrogates
        raise Uncacheable(str(exc)) from exc


# -- values -----------------------------------------------------------------------------------
def encode(value: Any) -> bytes:
    """A value as a payload; ``Uncacheable`` when it holds a type the encoding cannot carry exactly."""
    packer = _Packer()
    data = packer.pack(value)
    prefix = _TAGGED if packer.tagged else _PLAIN
    return prefix + (_OWNED if packer.mutable else _SHARED) + _dumps(data)


# -- rows -------------------------------------------------------------------------------------
def _column_codec(values: Sequence[Any]) -> tuple[str | None, list[Any] | None, bool]:
    """(codec, converted values or None when unchanged, holds mutable values) for one column."""
    present = [v for v in values if v is not None]
    kinds = set(map(type, present))
    if not kinds or kinds <= {str, bool}:
        return None, None, False
    if kinds == {int}:
        if _I64[0] <= min(present) and max(present) <= _I64[1]:
            return None, None, False
    elif kinds == {float}:
        if all(map(math.isfinite, present)):
            return None, None, False
    elif len(kinds) == 1:
        scalar = _SCALARS.get(next(iter(kinds)))
        if scalar is not None:
            name, pack, _ = scalar
            return name, [None if v is None else pack(v) for v in values], False
    packer = _Packer()
    packed = [packer.pack(v) for v in values]
    return ("G" if packer.tagged else None), (packed if packer.tagged else None), packer.mutable


def encode_rows(rows: Iterable[Iterable[Any]]) -> bytes:
    """Database rows (asyncpg records or tuples) as a payload; decoded back as a list of lists."""
    table = [tuple(row) for row in rows]
    if not table:
        return _ROWS + _SHARED + b"[[],[]]"
    columns = list(zip(*table, strict=True))
    codecs: list[str | None] = []
    shareable = True
    changed = False
    for index, column in enumerate(columns):
        codec, converted, mutable = _column_codec(column)
        codecs.append(codec)
        shareable = shareable and not mutable
        if converted is not None:
            columns[index] = tuple(converted)
            changed = True
    data = list(zip(*columns, strict=True)) if changed else table
    return _ROWS + (_SHARED if shareable else _OWNED) + _dumps([codecs, data])


def _decode_rows(body: bytes) -> list[list[Any]]:
    codecs, rows = orjson.loads(body)
    for index, codec in enumerate(codecs):
        if codec is None:
            continue
        convert = _unpack if codec == "G" else _UNPACK[codec]
        for row in rows:
            value = row[index]
            if value is not None:
                row[index] = convert(value)
    return rows  # type: ignore[no-any-return]


def is_shareable(payload: bytes) -> bool:
    """Whether the decoded value holds nothing mutable (then one decoded copy can serve every hit)."""
    return payload[2:3] == _SHARED


def decode(payload: bytes) -> Any:
    """The value (or rows) a payload was made from; ``ValueError`` for a payload of another format."""
    head, body = payload[:2], payload[3:]
    if head == _PLAIN:
        return orjson.loads(body)
    if head == _TAGGED:
        return _unpack(orjson.loads(body))
    if head == _ROWS:
        return _decode_rows(body)
    raise ValueError(f"not a Fullfinity cache payload (header {head!r}); it was written by another version")
