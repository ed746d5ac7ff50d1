"""SQL fragments: text with anonymous parameter markers plus their parameters.

Every compiler node returns a ``Sql`` whose text marks parameters with ``PH``; values
are never formatted into the text. ``Sql.finish()`` numbers the markers ``$1..$n``
once, at the end, so fragments compose freely.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["PH", "Sql", "ident", "join"]

PH = "\x00"  # never valid in identifiers or SQL we write, so it cannot collide


class Sql:
    __slots__ = ("params", "text")

    def __init__(self, text: str = "", params: Sequence[Any] = ()) -> None:
        self.text = text
        self.params = list(params)

    @classmethod
    def param(cls, value: Any, cast: str | None = None) -> Sql:
        return cls(f"{PH}::{cast}" if cast else PH, [value])

    def __add__(self, other: Sql | str) -> Sql:
        if isinstance(other, str):
            return Sql(self.text + other, self.params)
        return Sql(self.text + other.text, self.params + other.params)

    def __radd__(self, other: str) -> Sql:
        return Sql(other + self.text, self.params)

    def wrap(self, before: str, after: str) -> Sql:
        return Sql(before + self.text + after, self.params)

    def finish(self) -> tuple[str, list[Any]]:
        """The text with ``$1..$n`` markers and the parameter list."""
        parts = self.text.split(PH)
        if len(parts) - 1 != len(self.params):
            raise AssertionError(f"SQL has {len(parts) - 1} markers for {len(self.params)} parameters")
        out = [parts[0]]
        for i, part in enumerate(parts[1:], 1):
            out.append(f"${i}")
            out.append(part)
        return "".join(out), self.params

    def __repr__(self) -> str:
        return f"Sql({self.text.replace(PH, '?')!r}, {self.params!r})"


def ident(name: str) -> str:
    """A quoted identifier."""
    return '"' + name.replace('"', '""') + '"'


def join(parts: Iterable[Sql], sep: str) -> Sql:
    items = list(parts)
    return Sql(sep.join(p.text for p in items), [v for p in items for v in p.params])
