"""JSON Schemas of one model's records as the API reads and writes them (api.md 1.3).

``record_schema`` is the object query/fetch/create/update return (``HelpdeskTicket``);
``write_schema`` the values create/update accept (``HelpdeskTicketWrite``): writable fields
only, every one optional (create answers 422 naming missing required values).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fullfinity.api.bodies import BIGINT_MAX
from fullfinity.engine.fields.relational import X2ManyField

if TYPE_CHECKING:
    from fullfinity.engine.fields.base import Field
    from fullfinity.engine.models import Model

__all__ = ["SHARED_SCHEMAS", "record_schema", "ref", "write_schema"]

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


_INTEGER: Schema = {"type": "integer", "minimum": -(2**63), "maximum": BIGINT_MAX}
_ID: Schema = {"type": "integer", "minimum": 1, "maximum": BIGINT_MAX}

#: Schemas every tenant document carries (referenced by the per-model ones).
SHARED_SCHEMAS: dict[str, Schema] = {
    "RelatedRecord": {
        "type": "object",
        "description": "A ManyToOne value: the target's id and display name (null when it is hidden from you).",
        "properties": {"id": _ID, "display_name": _nullable({"type": "string"})},
        "required": ["id", "display_name"],
    },
    "FileValue": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "mimetype": {"type": "string"},
            "size": {"type": "integer"},
            "sha256": {"type": "string"},
            "url": {"type": "string"},
        },
    },
    "FileUpload": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "content": {"type": "string", "contentEncoding": "base64"},
            "mimetype": {"type": "string"},
        },
        "required": ["name", "content"],
    },
    "Command": {
        "type": "array",
        "description": 'An x-to-many command: ["L", id], ["U", id], ["S", [ids]], ["C"], ["N", {values}], '
        '["W", id, {values}] or ["D", id].',
        "minItems": 1,
        "maxItems": 3,
        "items": {},
    },
    "Error": {
        "type": "object",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "type": {"type": "string"},
                    "message": {"type": "string"},
                    "details": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"path": {"type": "string"}, "message": {"type": "string"}},
                            "required": ["path", "message"],
                        },
                    },
                },
                "required": ["type", "message", "details"],
            }
        },
        "required": ["error"],
    },
    "Deleted": {"type": "object", "properties": {"deleted": {"type": "array", "items": _ID}}, "required": ["deleted"]},
}

_SCALARS: dict[str, Schema] = {
    "Char": {"type": "string"},
    "Text": {"type": "string"},
    "Integer": _INTEGER,
    "Float": {"type": "number"},
    "Monetary": {"type": "number"},
    "Numeric": {"type": "number"},
    "Boolean": {"type": "boolean"},
    "Date": {"type": "string", "format": "date"},
    "Datetime": {"type": "string", "format": "date-time"},
    "Binary": {"type": "string", "contentEncoding": "base64"},
}


def _read(field: Field[Any]) -> Schema:
    f: Any = field
    if isinstance(f, X2ManyField):
        return _nullable(_ID) if f.single else {"type": "array", "items": _ID}
    if f.relational:
        return _nullable(ref("RelatedRecord"))
    if f.type_name == "JSON":
        return {}
    if f.type_name == "File":
        return _nullable(ref("FileValue"))
    if f.type_name == "Selection":
        return _nullable({"type": "string", "enum": f.values} if f.values else {"type": "string"})
    schema = dict(_SCALARS.get(f.type_name, {}))
    if f.type_name == "Char" and f.max_length:
        schema["maxLength"] = f.max_length
    if f.type_name == "Boolean":
        return schema
    return _nullable(schema) if schema else {}


def _write(field: Field[Any]) -> Schema:
    f: Any = field
    if isinstance(f, X2ManyField):
        return _nullable({"type": "array", "items": {"anyOf": [_ID, ref("Command")]}})
    if f.relational:
        return _nullable({"anyOf": [_ID, {"type": "object", "properties": {"id": _ID}, "required": ["id"]}]})
    if f.type_name == "File":
        return _nullable(ref("FileUpload"))
    if f.type_name in ("Monetary", "Numeric"):
        return _nullable({"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}]})
    return _read(field)


def _described(schema: Schema, field: Field[Any]) -> Schema:
    text = field.description or field.name
    if field.hint:
        text = f"{text}. {field.hint}"
    return {**schema, "description": text} if schema else {"description": text}


def record_schema(model: type[Model]) -> Schema:
    """The record object: ``id``, ``display_name``, ``updated_date`` always present, then every field."""
    properties: dict[str, Schema] = {
        name: _described(_read(field), field) for name, field in model._fields.items() if not field.groups
    }
    properties["display_name"] = _nullable({"type": "string"})
    return {
        "type": "object",
        "title": model._verbose_name or model._name,
        "properties": properties,
        "required": ["id", "display_name"] + ([] if model._transient else ["updated_date"]),
    }


def write_schema(model: type[Model]) -> Schema:
    """Writable fields (plus ``__context``); every field optional."""
    properties: dict[str, Schema] = {
        name: _described(_write(field), field)
        for name, field in model._fields.items()
        if field.writable and not field.groups
    }
    properties["__context"] = {"type": "object", "description": "Context keys for this write (api.md 1.2)."}
    return {"type": "object", "title": f"{model._name} values", "properties": properties, "additionalProperties": False}
