"""Checking values before they are written: every problem of a record reported at once.

``check_values`` converts each value through its field, checks ``required``, runs the
field's ``validators`` (``fn(value)`` or ``fn(value, record)``, sync or async, raising
``ValidationError`` to refuse) and collects every failure as a ``{"path", "message"}``
detail. Paths are field names, prefixed by the caller (``3.name`` in a bulk create).
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from fullfinity.engine.fields.base import Field, FieldValueError
from fullfinity.exceptions import BadRequest, ValidationError

if TYPE_CHECKING:
    from fullfinity.engine.records.models import Model

__all__ = [
    "check_values",
    "convert_values",
    "default_values",
    "raise_if_problems",
    "row_converter",
    "run_validators",
    "unknown_fields_error",
]

Problem = dict[str, str]


def unknown_fields_error(model: type[Model], names: Iterable[str], prefix: str = "") -> BadRequest:
    details = []
    for name in names:
        close = difflib.get_close_matches(name, list(model._fields), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        details.append({"path": prefix + name, "message": f"{model._name} has no field '{name}'{hint}"})
    listed = ", ".join(repr(d["path"]) for d in details)
    return BadRequest(f"Unknown field(s) {listed} for {model._name}.", details=details)


async def _run_validator(fn: Any, value: Any, record: Any) -> None:
    try:
        params = len(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        params = 1
    result = fn(value, record) if params >= 2 else fn(value)
    if inspect.isawaitable(result):
        await result


async def check_values(
    model: type[Model],
    values: Mapping[str, Any],
    *,
    record: Model | None = None,
    creating: bool,
    prefix: str = "",
    problems: list[Problem] | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """Converted values and the list of problems (empty when everything is valid)."""
    problems = [] if problems is None else problems
    converted = convert_values(model, values, record=record, creating=creating, prefix=prefix, problems=problems)
    await run_validators(model, converted, record=record, prefix=prefix, problems=problems)
    return converted, problems


def convert_values(
    model: type[Model],
    values: Mapping[str, Any],
    *,
    record: Model | None,
    creating: bool,
    prefix: str,
    problems: list[Problem],
) -> dict[str, Any]:
    """The synchronous part of ``check_values``: conversion and ``required`` (no validators)."""
    converted: dict[str, Any] = {}
    table = model.__dict__.get("_conversions") or _conversions(model)
    for name, value in values.items():
        entry = table.get(name)
        if entry is None:
            problems.append({"path": prefix + name, "message": f"{model._name} has no field '{name}'"})
            continue
        convert, required, is_empty, field = entry
        try:
            # A Monetary value is rounded to its currency's places.
            new = convert(value) if field is None else convert(value, _currency_places(field, record))
        except FieldValueError as exc:
            problems.append({"path": prefix + name, "message": str(exc)})
            continue
        if required and is_empty(new):
            problems.append({"path": prefix + name, "message": "is required"})
            continue
        converted[name] = new
    if creating:
        for name in _required_names(model):
            if name not in values:
                problems.append({"path": prefix + name, "message": "is required"})
    return converted


_Conversion = tuple[Callable[..., Any], bool, Callable[[Any], bool], "Field[Any] | None"]


def _conversions(model: type[Model]) -> dict[str, _Conversion]:
    """Per field name: its bound ``convert``, ``required``, bound ``is_empty`` and (Monetary only)
    the field; kept on the composed class, which never changes (one lookup per value on bulk paths)."""
    cached: dict[str, _Conversion] | None = model.__dict__.get("_conversions")
    if cached is None:
        cached = {
            name: (f.convert, bool(f.required), f.is_empty, f if f.type_name == "Monetary" else None)
            for name, f in model._fields.items()
        }
        model._conversions = cached  # type: ignore[attr-defined]
    return cached


_row_converters: dict[tuple[type[Model], tuple[str, ...]], Callable[..., dict[str, Any]] | None] = {}


def row_converter(model: type[Model], keys: tuple[str, ...]) -> Callable[..., dict[str, Any]] | None:
    """``convert(values, index, problems)``: ``convert_values(..., creating=True)`` for row ``index``
    having exactly ``keys`` (problem paths ``"<index>.<field>"``), generated once per (model, keys)
    so a bulk insert's per-value work is the field's ``convert`` call alone (no lookups, no
    branches on the field's kind). ``None`` when a key is unknown or a Monetary field needs the
    record's currency: use ``convert_values`` then."""
    found_key = (model, keys)
    if found_key in _row_converters:
        return _row_converters[found_key]
    table = _conversions(model)
    convert: Callable[..., dict[str, Any]] | None = None
    if all(key in table and table[key][3] is None for key in keys):
        namespace: dict[str, Any] = {"FieldValueError": FieldValueError}
        # The problem paths start with the row's index, built only when there is a problem.
        lines = ["def convert(values, index, problems):", "    out = {}"]
        for i, key in enumerate(keys):
            field_convert, required, is_empty, _monetary = table[key]
            namespace[f"c{i}"], namespace[f"e{i}"] = field_convert, is_empty
            lines += [
                "    try:",
                f"        v = c{i}(values[{key!r}])",
                "    except FieldValueError as exc:",
                f"        problems.append({{'path': f'{{index}}.' + {key!r}, 'message': str(exc)}})",
                "    else:",
            ]
            if required:
                lines += [
                    f"        if e{i}(v):",
                    f"            problems.append({{'path': f'{{index}}.' + {key!r}, 'message': 'is required'}})",
                    "        else:",
                    f"            out[{key!r}] = v",
                ]
            else:
                lines.append(f"        out[{key!r}] = v")
        for name in _required_names(model):
            if name not in keys:
                lines.append(f"    problems.append({{'path': f'{{index}}.' + {name!r}, 'message': 'is required'}})")
        lines.append("    return out")
        exec(compile("\n".join(lines) + "\n", f"<row converter {model.__name__}>", "exec"), namespace)
        convert = namespace["convert"]
    if len(_row_converters) >= 1024:
        _row_converters.clear()
    _row_converters[found_key] = convert
    return convert


def _required_names(model: type[Model]) -> tuple[str, ...]:
    cached: tuple[str, ...] | None = model.__dict__.get("_required_names")
    if cached is None:
        cached = tuple(f.name for f in model._stored if f.required and not f.automatic)
        model._required_names = cached  # type: ignore[attr-defined]
    return cached


async def run_validators(
    model: type[Model], converted: Mapping[str, Any], *, record: Model | None, prefix: str, problems: list[Problem]
) -> None:
    """Run the fields' ``validators`` on converted values, collecting problems."""
    fields = model._fields
    for name, new in converted.items():
        for fn in fields[name].validators:
            try:
                await _run_validator(fn, new, record)
            except ValidationError as exc:
                problems.append({"path": prefix + name, "message": exc.message})
            except (ValueError, TypeError) as exc:
                problems.append({"path": prefix + name, "message": str(exc)})


def _currency_places(field: Field[Any], record: Model | None) -> int:
    currency_field = getattr(field, "currency_field", None)
    if record is None or not currency_field:
        return 2
    try:  # object.__getattribute__: an unset slot raises at once, without Model.__getattr__'s detour
        currency = object.__getattribute__(record, "_f_" + currency_field)
    except AttributeError:
        return 2
    places = getattr(currency, "decimal_places", None)
    return int(places) if isinstance(places, int) else 2


def raise_if_problems(model: type[Model], problems: list[Problem]) -> None:
    if not problems:
        return
    count = len(problems)
    summary = (
        f"{count} value{'s are' if count != 1 else ' is'} invalid for {model._name}: "
        + "; ".join(f"{p['path']} {p['message']}" for p in problems[:5])
        + ("; ..." if count > 5 else "")
        + "."
    )
    raise ValidationError(summary, details=problems)


async def default_values(
    model: type[Model], context: Mapping[str, Any], record: Model | None = None, skip: Collection[str] = ()
) -> dict[str, Any]:
    """Field defaults (callables receive the new record; awaitables are awaited), then ``default_<field>``;
    fields in ``skip`` (given a value already) are left out, so their default callables never run."""
    out: dict[str, Any] = {}
    for name, field in model._fields.items():
        if field.automatic or field.column is None or name in skip:
            continue
        default = field.default
        if default is None:
            continue
        if callable(default):
            default = default(record)
            if inspect.isawaitable(default):
                default = await default
        out[name] = default
    for key, value in context.items():
        if key.startswith("default_") and key[8:] in model._fields and key[8:] not in skip:
            out[key[8:]] = value
    return out
