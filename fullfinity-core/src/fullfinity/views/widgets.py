"""The widget catalogue (views.md 11): which widget fits which field type, and the defaults."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = [
    "DEFAULT_WIDGETS",
    "WIDGETS",
    "default_widget",
    "field_kind",
    "fitting_widgets",
    "register_widget",
    "widget_fits",
]

#: Widget name -> field types it can render (``None``: any type).
WIDGETS: dict[str, frozenset[str] | None] = {
    "Text": None,
    "TextInput": frozenset({"Char"}),
    "PasswordInput": frozenset({"Char"}),
    "Textarea": frozenset({"Text"}),
    "RichText": frozenset({"Text"}),
    "NumberInput": frozenset({"Integer", "Float", "Numeric"}),
    "MonetaryInput": frozenset({"Monetary"}),
    "Checkbox": frozenset({"Boolean"}),
    "Switch": frozenset({"Boolean"}),
    "Select": frozenset({"Selection"}),
    "SegmentedControl": frozenset({"Selection"}),
    "Badge": frozenset({"Selection", "Char", "Boolean", "ManyToOne"}),
    "Priority": frozenset({"Selection"}),
    "Progress": frozenset({"Integer", "Float", "Numeric"}),
    "DateInput": frozenset({"Date"}),
    "DateTimeInput": frozenset({"Datetime"}),
    "DataCombo": frozenset({"ManyToOne", "OneToOne"}),
    "TagsInput": frozenset({"ManyToMany"}),
    "Table": frozenset({"OneToMany", "ManyToMany"}),
    "Avatar": frozenset({"ManyToOne", "File"}),
    "FileInput": frozenset({"File", "Binary"}),
    "ImageInput": frozenset({"File", "Binary"}),
    "ColorInput": frozenset({"Char"}),
    "JsonInput": frozenset({"JSON"}),
    "Link": frozenset({"Char"}),
}

#: Field type -> the widget used when a node names none.
DEFAULT_WIDGETS: dict[str, str] = {
    "Char": "TextInput",
    "Text": "Textarea",
    "Integer": "NumberInput",
    "Float": "NumberInput",
    "Numeric": "NumberInput",
    "Monetary": "MonetaryInput",
    "Boolean": "Checkbox",
    "Selection": "Select",
    "Date": "DateInput",
    "Datetime": "DateTimeInput",
    "ManyToOne": "DataCombo",
    "OneToOne": "DataCombo",
    "ManyToMany": "TagsInput",
    "OneToMany": "Table",
    "File": "FileInput",
    "Binary": "FileInput",
    "JSON": "JsonInput",
}

# A Text field is a long Char: widgets for Char fit it too (a Link in a Text column is fine).
_ALSO = {"Text": ("Char",)}


def register_widget(name: str, field_types: Iterable[str] | None) -> None:
    """Declare a widget the web client knows (``None``: fits every field type)."""
    WIDGETS[name] = None if field_types is None else frozenset(field_types)


def field_kind(field: Any) -> str:
    """The type name of a field as views see it (a reverse OneToOne is a OneToOne)."""
    return str(field.type_name)


def widget_fits(widget: str, field_type: str) -> bool | None:
    """Whether ``widget`` can render a ``field_type`` field; ``None`` for a widget not in the catalogue.

    Unknown widgets are not refused: the client falls back to the default widget (views.md 11).
    """
    if widget not in WIDGETS:
        return None
    accepted = WIDGETS[widget]
    if accepted is None:
        return True
    return field_type in accepted or any(alias in accepted for alias in _ALSO.get(field_type, ()))


def default_widget(field_type: str) -> str:
    return DEFAULT_WIDGETS.get(field_type, "Text")


def fitting_widgets(field_type: str) -> list[str]:
    """Widget names that fit ``field_type`` (for error messages)."""
    return sorted(name for name in WIDGETS if widget_fits(name, field_type))
