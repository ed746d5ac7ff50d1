"""Values and records to JSON (api.md 1.3), serialised with orjson.

- Monetary (``Decimal``) is written as a JSON number with its exact digits (an orjson
  ``Fragment``), so ``"12.30"`` read back is ``Decimal("12.30")`` to the cent.
- Datetime is ISO 8601 in UTC with ``Z`` and always six fractional digits, so an
  ``updated_date`` sent back compares exactly (orm.md 19).
- ManyToOne is ``{"id", "display_name"}`` (``display_name`` ``null`` when the target is
  hidden from the user); x-to-many a list of ids; an expanded relation an object (list of
  objects) with ``id``, ``display_name`` and the requested sub-fields.

Records are read through their slots, never through attribute access, so a value that
was not loaded encodes as ``null`` instead of raising.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import orjson
from starlette.responses import Response

from fullfinity.engine.fields.relational import X2ManyField, record_slot

if TYPE_CHECKING:
    from fullfinity.api.decode import FieldTree
    from fullfinity.engine.fields.base import Field
    from fullfinity.engine.models import Model
    from fullfinity.engine.query import SelectPlan

__all__ = [
    "RecordEncoder",
    "RowsEncoder",
    "datetime_text",
    "dumps",
    "encode_scalar",
    "file_value",
    "json_response",
    "record_encoder",
    "rows_encoder",
]

RecordEncoder = Callable[["Model"], dict[str, Any]]
_MISSING = object()
_UTC = dt.UTC


_ZERO = dt.timedelta(0)


def datetime_text(value: dt.datetime) -> str:
    """``2026-05-04T09:30:00.125000Z``: UTC, ``Z``, always microseconds (naive values are UTC)."""
    offset = value.utcoffset()
    if offset is None:
        value = value.replace(tzinfo=_UTC)
    elif offset != _ZERO:
        value = value.astimezone(_UTC)
    text = value.isoformat()  # ends with +00:00; microseconds only when non-zero
    return text[:-6] + "Z" if value.microsecond else text[:-6] + ".000000Z"


def _default(value: Any) -> Any:
    """orjson's hook for the types it does not know; anything else is a server bug (TypeError -> 500)."""
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise TypeError(f"cannot encode the non-finite amount {value!r} as JSON")
        return orjson.Fragment(format(value, "f").encode())
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC


def dumps(payload: Any) -> bytes:
    """JSON bytes; datetimes left in a payload are written by orjson in UTC with ``Z``."""
    return orjson.dumps(payload, default=_default, option=_OPTIONS)


def json_response(payload: Any, status_code: int = 200) -> Response:
    return Response(dumps(payload), status_code=status_code, media_type="application/json")


def file_value(model: str, record_id: int | None, field: str, value: Any) -> Any:
    """A stored File value as the API shows it (api.md 1.3), with its download URL."""
    if not isinstance(value, Mapping):
        return None
    return {
        "name": value.get("name"),
        "mimetype": value.get("mimetype"),
        "size": value.get("size"),
        "sha256": value.get("sha256"),
        "url": f"/api/file/{model}/{record_id}/{field}",
    }


def encode_scalar(type_name: str, value: Any) -> Any:
    """A non-relational value as JSON-ready Python (datetimes to text, bytes to base64)."""
    if value is None:
        return None
    if type_name == "Datetime" and isinstance(value, dt.datetime):
        return datetime_text(value)
    if type_name == "Binary" and isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def _slot(record: Any, slot: str) -> Any:
    try:
        return object.__getattribute__(record, slot)
    except AttributeError:
        return _MISSING


def _ref(target: Any) -> dict[str, Any]:
    name = _slot(target, "_f_display_name")
    return {"id": _slot(target, "_f_id"), "display_name": None if name is _MISSING else name}


def _field_encoder(model: type[Model], field: Field[Any], sub: FieldTree | None) -> Callable[[Any], Any]:
    slot = field.slot
    type_name = field.type_name
    if isinstance(field, X2ManyField):
        target = field.target_model
        inner = record_encoder(target, sub) if sub is not None else None

        def x2many(record: Any) -> Any:
            value = _slot(record, slot)
            if value is _MISSING or value is None:
                return None if field.single else []
            items = [value] if field.single else value
            out = [inner(r) if inner is not None else r.id for r in items]
            return out[0] if field.single else out

        return x2many
    if field.relational:  # ManyToOne / OneToOne
        rslot = record_slot(field.name)
        target = field.target_model  # type: ignore[attr-defined]
        inner = record_encoder(target, sub) if sub is not None else None

        def many_to_one(record: Any) -> Any:
            loaded = _slot(record, rslot)
            if loaded is not _MISSING:
                if loaded is None:
                    return None
                return inner(loaded) if inner is not None else _ref(loaded)
            target_id = _slot(record, slot)
            if target_id is _MISSING or target_id is None:
                return None
            if not isinstance(target_id, int):  # a compute method assigned a record
                return inner(target_id) if inner is not None else _ref(target_id)
            return {"id": target_id, "display_name": None}

        return many_to_one
    if type_name == "File":
        model_name, name = model._name, field.name

        def file(record: Any) -> Any:
            value = _slot(record, slot)
            return file_value(model_name, _slot(record, "_f_id"), name, value)

        return file
    if type_name in ("Datetime", "Binary"):

        def converted(record: Any) -> Any:
            value = _slot(record, slot)
            return None if value is _MISSING else encode_scalar(type_name, value)

        return converted

    def plain(record: Any) -> Any:
        value = _slot(record, slot)
        return None if value is _MISSING else value

    return plain


_encoders: dict[tuple[type, str, bool], RecordEncoder] = {}


def record_encoder(
    model: type[Model], tree: FieldTree | None, *, top: bool = False, bare: bool = False
) -> RecordEncoder:
    """A function turning one loaded record into its JSON object: ``id``, ``display_name``,
    ``updated_date`` (top level only) and the fields of ``tree``; only the latter when ``bare``.

    Top-level encoders are generated once per (model, tree): one dict display reading the
    slots directly, so encoding a page costs about one dict per record. A record missing a
    slot (a field hidden from the user, a relation not prefetched) takes the general path.
    """
    cache_key = (model, repr(tree), top)
    if not bare:
        found = _encoders.get(cache_key)
        if found is not None:
            return found
    encoders = [(name, _field_encoder(model, model._fields[name], sub)) for name, sub in (tree or {}).items()]
    if bare:

        def encode_bare(record: Model) -> dict[str, Any]:
            return {key: fn(record) for key, fn in encoders}

        return encode_bare
    skip = {"id", "display_name"} | ({"updated_date"} if top else set())
    encoders = [(name, fn) for name, fn in encoders if name not in skip]
    general = _general_encoder(encoders, top)
    fast = _generated_encoder(model, encoders, top, general)
    if len(_encoders) > 4096:  # field lists come from requests: keep the memo bounded
        _encoders.clear()
    _encoders[cache_key] = fast
    return fast


def _general_encoder(encoders: list[tuple[str, Callable[[Any], Any]]], top: bool) -> RecordEncoder:
    """Encoding through the per-field functions, tolerant of any missing slot."""

    def encode(record: Model) -> dict[str, Any]:
        name = _slot(record, "_f_display_name")
        out: dict[str, Any] = {"id": _slot(record, "_f_id"), "display_name": None if name is _MISSING else name}
        if top:
            updated = _slot(record, "_f_updated_date")
            out["updated_date"] = None if updated is _MISSING or updated is None else datetime_text(updated)
        for key, fn in encoders:
            out[key] = fn(record)
        return out

    return encode


def _datetime_expr(source: str) -> str:
    """Generated code for a datetime value: kept as it is when orjson writes it exactly as
    ``datetime_text`` would (UTC, non-zero microseconds), else formatted by ``T`` (``datetime_text``)."""
    return f"(v if (v := {source}) is None or (v.microsecond and v.tzinfo is UTC) else T(v))"


def _generated_encoder(
    model: type[Model],
    encoders: list[tuple[str, Callable[[Any], Any]]],
    top: bool,
    general: RecordEncoder,
) -> RecordEncoder:
    """One generated function: ``{"id": r._f_id, ..., "name": r._f_name}`` with a fallback.

    Plain values are read straight from their slots. Datetimes stay ``datetime`` objects
    when orjson writes them exactly as ``datetime_text`` would (UTC with microseconds);
    only the others (rare: a whole second, another timezone) are formatted in Python.
    Relations, files and binaries use their field functions.
    """
    namespace: dict[str, Any] = {"UTC": _UTC, "T": datetime_text, "general": general}
    items = ['"id": r._f_id', '"display_name": r._f_display_name']
    if top:
        items.append(f'"updated_date": {_datetime_expr("r._f_updated_date")}')
    for index, (key, fn) in enumerate(encoders):
        field = model._fields[key]
        slot = field.slot
        if field.relational or field.type_name in ("File", "Binary") or not slot.isidentifier():
            namespace[f"E{index}"] = fn
            items.append(f"{key!r}: E{index}(r)")
        elif field.type_name == "Datetime":
            items.append(f"{key!r}: {_datetime_expr(f'r.{slot}')}")
        else:
            items.append(f"{key!r}: r.{slot}")
    source = (
        "def encode(r):\n"
        "    try:\n"
        f"        return {{{', '.join(items)}}}\n"
        "    except AttributeError:\n"
        "        return general(r)\n"
    )
    exec(compile(source, f"<encoder {model._name}>", "exec"), namespace)
    encode: RecordEncoder = namespace["encode"]
    return encode


RowsEncoder = Callable[[Sequence[Any]], list[dict[str, Any]]]
_rows_encoders: dict[tuple[Any, ...], RowsEncoder | None] = {}


def rows_encoder(model: type[Model], tree: FieldTree, plan: SelectPlan) -> RowsEncoder | None:
    """A function turning the raw rows of ``plan`` straight into top-level JSON objects, or
    ``None`` when the response needs records (relations, files, binaries, computed fields).

    The flat case of a list page: no record objects are built at all, each row becomes
    one dict (the same values, in the same form, as ``record_encoder(..., top=True)``).
    """
    key = (model, repr(tree), plan.slots, plan.copies)
    if key in _rows_encoders:
        return _rows_encoders[key]
    found = _generated_rows_encoder(model, tree, plan)
    if len(_rows_encoders) > 4096:
        _rows_encoders.clear()
    _rows_encoders[key] = found
    return found


def _generated_rows_encoder(model: type[Model], tree: FieldTree, plan: SelectPlan) -> RowsEncoder | None:
    if plan.extra_paths or plan.joins:
        return None
    columns = {slot: index for index, slot in enumerate(plan.slots)}
    for slot, source in plan.copies:
        if source in columns:
            columns[slot] = columns[source]
    items: list[str] = []
    for key in dict.fromkeys(["id", "display_name", "updated_date", *tree]):
        field = model._fields.get(key)
        if field is None or field.relational or field.type_name in ("File", "Binary") or field.slot not in columns:
            return None
        if tree.get(key) is not None:  # an expanded sub-tree
            return None
        index = columns[field.slot]
        value = _datetime_expr(f"r[{index}]") if field.type_name == "Datetime" else f"r[{index}]"
        items.append(f"{key!r}: {value}")
    source = f"def encode_rows(rows):\n    return [{{{', '.join(items)}}} for r in rows]\n"
    namespace: dict[str, Any] = {"UTC": _UTC, "T": datetime_text}
    exec(compile(source, f"<rows encoder {model._name}>", "exec"), namespace)
    encode: RowsEncoder = namespace["encode_rows"]
    return encode
