"""The endpoint logic, one module per family; each function runs in the request's bound environment
and returns the JSON-ready payload (the router only parses and serialises)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fullfinity.exceptions import BadRequest

if TYPE_CHECKING:
    from fullfinity.engine.models import Model

__all__ = ["refuse_transient"]


def refuse_transient(model: type[Model], endpoint: str) -> None:
    """Transient models (wizards) have no table: only default-get, onchange, execute and meta apply."""
    if model._transient:
        raise BadRequest(
            f"{model._name} is a transient model (a wizard without a table): {endpoint} does not apply to it. "
            f"Use default-get, onchange, execute or meta.",
        )
