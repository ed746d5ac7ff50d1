"""Resolving ``a__b__lookup`` keys against models."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fullfinity.engine.fields.base import Field
from fullfinity.exceptions import BadRequest

if TYPE_CHECKING:
    from fullfinity.engine.records.models import Model

__all__ = ["DATE_PARTS", "LOOKUP_NAMES", "ResolvedPath", "resolve_path", "unknown_field"]

DATE_PARTS = ("year", "month", "day")
LOOKUP_NAMES = frozenset(
    {
        "eq",
        "neq",
        "gt",
        "gte",
        "lt",
        "lte",
        "in",
        "nin",
        "isnull",
        "isnotnull",
        "contains",
        "icontains",
        "startswith",
        "istartswith",
        "endswith",
        "iendswith",
        "between",
        "any",
        "none",
    }
)


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


_resolved: dict[tuple[type[Model], str, bool], ResolvedPath] = {}
_MAX_RESOLVED = 8192


def resolve_path(model: type[Model], key: str, *, allow_lookup: bool = True) -> ResolvedPath:
    """Split ``a__b__lookup`` against the model's fields (relation segments: see ORM part 2).

    Composed model classes never change, so a path resolved once is remembered.
    """
    found = _resolved.get((model, key, allow_lookup))
    if found is None:
        found = _resolve(model, key, allow_lookup)
        if len(_resolved) >= _MAX_RESOLVED:
            _resolved.clear()
        _resolved[model, key, allow_lookup] = found
    return found


def _resolve(model: type[Model], key: str, allow_lookup: bool) -> ResolvedPath:
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
        target = getattr(field, "target", None)
        if target is None:
            break
        current = target
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
        raise BadRequest(
            f"{key!r}: unexpected '{'__'.join(rest)}' after the lookup '{lookup}'.",
            details=[{"path": key, "message": "unexpected trailing segments"}],
        )
    return ResolvedPath(tuple(fields), part, lookup)
