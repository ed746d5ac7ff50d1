"""Errors of the view layer.

    ValidationError (fullfinity.exceptions)
    └── ViewValidationError          views, actions or menus refused at install: every problem listed

Each problem names the data file, the record identifier, the place in the record (a dotted path
such as ``arch.0.content.2.properties.widget``, or ``operations.1`` for an extension) and what is
wrong. The web/REST layer renders them as ``details`` entries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fullfinity.exceptions import ValidationError

__all__ = ["Problem", "ViewValidationError"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one view, action or menu record."""

    record: str
    path: str
    message: str
    file: str = ""

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        at = f" at {self.path}" if self.path else ""
        return f"{where}{self.record}{at}: {self.message}"


class ViewValidationError(ValidationError):
    """Views, actions or menus that fail validation; ``problems`` holds every one of them."""

    def __init__(self, problems: Iterable[Problem], *, context: str = "") -> None:
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.record, p.path, p.message))
        count = len(self.problems)
        lead = f"{context}: " if context else ""
        super().__init__(
            f"{lead}{count} problem{'s' if count != 1 else ''} in views, actions or menus; fix them and retry.",
            details=[
                {
                    "path": ".".join(part for part in (p.record, p.path) if part),
                    "message": f"{p.file}: {p.message}" if p.file else p.message,
                }
                for p in self.problems
            ],
        )
