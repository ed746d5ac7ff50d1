"""Turning a data-file record's values into what the ORM writes (modules.md 7.4).

- scalars pass through (the ORM converts dates, numbers...); a string naming an existing
  ``.jinja``/``.html``/``.txt``/``.svg`` file next to the data file is replaced by its text;
- ``Date`` / ``Datetime`` fields also take a relative date, ``{"$date": {"anchor": "today",
  "days": -3}}`` (the JSON form of ``D(...)``, orm.md 12.6; the anchor defaults to ``today``),
  resolved in UTC when the file is loaded: demo data stays recent whenever it is installed;
- ``Binary`` / ``File`` fields: a path to any existing file loads its bytes;
- ManyToOne / OneToOne: an identifier string (an integer is a raw id);
- OneToMany / ManyToMany: a command list with identifiers, or a plain list of identifiers
  meaning "replace all".

References stay identifiers here; the loader resolves them (``Ref``) once their targets exist.
"""

from __future__ import annotations

import difflib
import mimetypes
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fullfinity.installer.exceptions import data_error

if TYPE_CHECKING:
    from fullfinity.engine.fields.base import Field
    from fullfinity.engine.models import Model
    from fullfinity.engine.records.registry import Registry
    from fullfinity.installer.data_files import DataRecord

__all__ = ["TEXT_SUFFIXES", "Pending", "Ref", "prepare_record"]

TEXT_SUFFIXES = (".jinja", ".html", ".txt", ".svg")
DATA_COMMANDS = ("L", "U", "S", "C", "N")
#: Models whose Char field ``model`` names a model of the tenant (checked when loading).
MODEL_REFERENCES = frozenset(
    {"ModelAccess", "RecordRule", "UiView", "WindowAction", "CronJob", "EmailTemplate", "ReportTemplate"}
)


@dataclass(frozen=True)
class Ref:
    """A reference to another record by identifier (or by raw id, when ``raw`` is set)."""

    identifier: str
    raw: int | None = None


@dataclass
class Pending:
    """One data-file record prepared for writing."""

    record: DataRecord
    model: type[Model]
    plain: dict[str, Any] = field(default_factory=dict)
    many2one: dict[str, Ref | None] = field(default_factory=dict)
    #: field -> commands, identifiers as ``Ref`` (``N`` values stay raw, prepared on use).
    x2many: dict[str, list[list[Any]]] = field(default_factory=dict)

    @property
    def identifier(self) -> str:
        return self.record.identifier

    @property
    def label(self) -> str:
        return self.record.file.label

    def error(self, field_name: str | None, problem: str) -> Exception:
        return data_error(self.label, self.identifier, field_name, problem)

    def required_refs(self) -> list[tuple[str, Ref]]:
        return [
            (name, ref)
            for name, ref in self.many2one.items()
            if ref is not None and ref.raw is None and self.model._fields[name].required
        ]


def _kind(f: Field[Any]) -> str:
    if f.relational:
        return "x2many" if getattr(f, "many", False) else "many2one"
    if f.type_name in ("Binary", "File"):
        return f.type_name.lower()
    return "scalar"


def _ref(pending: Pending, name: str, value: Any) -> Ref:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise pending.error(name, f"must be an identifier (string), got {type(value).__name__} {value!r}")
    if isinstance(value, int):
        return Ref(str(value), raw=value)
    return Ref(value)


def _commands(pending: Pending, name: str, value: Any) -> list[list[Any]]:
    if not isinstance(value, list):
        raise pending.error(name, f"must be a command list or a list of identifiers, got {type(value).__name__}")
    if all(not isinstance(item, list) for item in value):
        return [["S", [_ref(pending, name, item) for item in value]]]
    out: list[list[Any]] = []
    for index, command in enumerate(value):
        where = f"{name}.{index}"
        if not isinstance(command, list) or not command or command[0] not in DATA_COMMANDS:
            raise pending.error(
                where, f"must be a command [letter, ...] with letter one of {', '.join(DATA_COMMANDS)}, got {command!r}"
            )
        letter = command[0]
        arity = {"L": 2, "U": 2, "S": 2, "C": 1, "N": 2}[letter]
        if len(command) != arity:
            raise pending.error(where, f"command {letter} takes {arity - 1} argument(s), got {command!r}")
        if letter in ("L", "U"):
            out.append([letter, _ref(pending, where, command[1])])
        elif letter == "S":
            if not isinstance(command[1], list):
                raise pending.error(where, "command S takes a list of identifiers")
            out.append(["S", [_ref(pending, where, item) for item in command[1]]])
        elif letter == "N":
            if not isinstance(command[1], dict):
                raise pending.error(where, "command N takes a mapping of field values")
            out.append(["N", dict(command[1])])
        else:
            out.append(["C"])
    return out


def _file_value(pending: Pending, name: str, value: Any, kind: str) -> Any:
    if not isinstance(value, str):
        return value
    path = (pending.record.file.folder / value).resolve() if "\n" not in value and len(value) < 1024 else None
    if kind == "scalar":
        if path is not None and value.endswith(TEXT_SUFFIXES):
            if not path.is_file():
                raise pending.error(name, f"names the file '{value}', which does not exist next to the data file")
            return path.read_text(encoding="utf-8")
        return value
    if path is None or not path.is_file():
        return value  # base64 text, converted by the field
    content = path.read_bytes()
    if kind == "binary":
        return content
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return {"name": path.name, "content": content, "mimetype": mimetype}


def _relative_date(pending: Pending, name: str, value: dict[str, Any]) -> Any:
    from fullfinity.engine.qlang.dates import DateExpr
    from fullfinity.exceptions import QSyntaxError

    body = value.get("$date") if set(value) == {"$date"} else None
    if not isinstance(body, dict):
        raise pending.error(
            name, f'must be a date, a datetime or a relative date {{"$date": {{"days": -3}}}}, got {value!r:.80}'
        )
    try:
        return DateExpr.from_json({"anchor": "today", **body}).resolve("UTC")
    except QSyntaxError as exc:
        raise pending.error(name, str(exc)) from None


def prepare_record(registry: Registry, record: DataRecord) -> Pending:
    """Check the record's model and fields and sort its values by kind (no database access)."""
    model = registry.models.get(record.data_type)
    if model is None:
        close = difflib.get_close_matches(record.data_type, list(registry.models), n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise data_error(
            record.file.label,
            record.identifier,
            "data_type",
            f"model '{record.data_type}' is not installed in this tenant at this point: it must be defined by this "
            f"module or one of its dependencies.{hint}",
        )
    pending = Pending(record, model)
    for name, value in record.values.items():
        f = model._fields.get(name)
        if f is None or f.automatic:
            close = difflib.get_close_matches(name, [n for n, x in model._fields.items() if not x.automatic], n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            problem = "is set automatically" if f is not None else f"{model._name} has no field '{name}'{hint}"
            raise pending.error(name, problem)
        kind = _kind(f)
        if kind == "many2one":
            pending.many2one[name] = None if value is None else _ref(pending, name, value)
        elif kind == "x2many":
            pending.x2many[name] = [["C"]] if value is None else _commands(pending, name, value)
        elif f.type_name in ("Date", "Datetime") and isinstance(value, dict):
            pending.plain[name] = _relative_date(pending, name, value)
        else:
            value = _file_value(pending, name, value, kind)
            is_model_name = name == "model" and model._name in MODEL_REFERENCES and isinstance(value, str)
            if is_model_name and value not in registry.models:
                raise pending.error(name, f"names the model '{value}', which is not installed in this tenant")
            pending.plain[name] = value
    return pending
