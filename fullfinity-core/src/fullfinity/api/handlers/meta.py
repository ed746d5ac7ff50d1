"""``/api/meta/{model}``: field metadata and the current user's rights (api.md 5.1).

Fields hidden from the user by field ``groups`` are left out; ``access`` reflects
ModelAccess only (record rules apply per record).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fullfinity.engine.access.control import OPERATIONS
from fullfinity.engine.fields.relational import X2ManyField

if TYPE_CHECKING:
    from fullfinity.engine.env import Environment
    from fullfinity.engine.fields.base import Field
    from fullfinity.engine.models import Model

__all__ = ["field_meta", "model_meta"]


def field_meta(field: Field[Any], model: type[Model] | None = None) -> dict[str, Any]:
    """One field's metadata: type, label, flags and the options of its type; with ``model``, whether
    an ``@Model.onchange`` method of the model watches it (a form then calls ``/onchange``)."""
    f: Any = field
    out: dict[str, Any] = {
        "type": f.type_name,
        "label": f.description,
        "required": f.required,
        "readonly": not f.writable,
        "store": f.column is not None or (isinstance(f, X2ManyField) and f.store),
        "computed": f.calculate is not None,
        "hint": f.hint,
        "index": f.index,
        "unique": f.unique,
    }
    if f.type_name in ("Char",) and getattr(f, "max_length", None):
        out["max_length"] = f.max_length
    if f.type_name == "Text" and getattr(f, "html", False):
        out["html"] = True  # sanitised on the server: a client may show it as HTML
    if f.type_name == "Selection":
        out["selection"] = [[value, label] for value, label in f.choices]
    if f.type_name in ("Float", "Numeric") and getattr(f, "digits", None):
        out["digits"] = list(f.digits)
    if f.type_name == "Monetary":
        out["currency_field"] = f.currency_field
    if f.type_name == "File":
        out["accept"] = list(f.accept)
        out["max_size"] = f.max_size
    if f.relational:
        out["relation"] = f.related_model
        out["related_name"] = f.related_name
        if not isinstance(f, X2ManyField):
            out["on_delete"] = f.on_delete
    for key in ("prefix_field", "suffix_field"):
        if getattr(f, key, None):
            out[key] = getattr(f, key)
    if model is not None and any(f.name in watched for _, watched in model._onchanges):
        out["onchange"] = True
    return out


def model_meta(env: Environment, model: type[Model]) -> dict[str, Any]:
    profile = None if env.is_elevated else env.access
    fields = {
        name: field_meta(field, model)
        for name, field in model._fields.items()
        if profile is None or profile.sees(field)
    }
    return {
        "model": model._name,
        "verbose_name": model._verbose_name or model._name,
        "rec_name": model._rec_name,
        "transient": model._transient,
        "order": model._order,
        "fields": fields,
        "access": {op: profile is None or profile.can(model._name, op) for op in OPERATIONS},
    }
