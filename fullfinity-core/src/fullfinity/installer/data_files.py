"""Finding, reading and ordering a module's data files (modules.md 7.1 and 7.2).

Every ``.yaml``, ``.yml`` and ``.json`` file under ``security/``, ``data/``, ``templates/``,
``views/`` (and ``demo/`` for demo tenants) is a list of records. Files starting with ``_`` are
skipped. Order: folders in that order, files alphabetically by relative path, records in file
order; a file named in a record's ``depends`` is moved before the file holding that record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from fullfinity.installer.exceptions import data_error

__all__ = ["DATA_FOLDERS", "DEMO_FOLDER", "DataFile", "DataRecord", "module_data_files", "parse_data_file"]

DATA_FOLDERS = ("security", "data", "templates", "views")
DEMO_FOLDER = "demo"
SUFFIXES = (".yaml", ".yml", ".json")
RESERVED_KEYS = ("data_type", "identifier", "apply_once", "depends")


@dataclass(frozen=True)
class DataRecord:
    """One record of a data file: its model, identifier and the field values it sets."""

    file: DataFile
    index: int
    data_type: str
    identifier: str
    apply_once: bool
    values: dict[str, Any]
    depends: tuple[str, ...] = ()


@dataclass(eq=False)
class DataFile:
    """One data file of a module (``label`` is ``<module>:<relative path>``, used in every error)."""

    module: str
    path: Path
    relative: str
    records: list[DataRecord] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.module}:{self.relative}"

    @property
    def folder(self) -> Path:
        return self.path.parent


def _load(path: Path, label: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
        return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise data_error(label, None, None, f"cannot be read: {exc}") from None


def parse_data_file(module: str, root: Path, path: Path) -> DataFile:
    """Read one file into a ``DataFile``; every malformed record is reported with its position."""
    relative = path.relative_to(root).as_posix()
    data_file = DataFile(module, path, relative)
    raw = _load(path, data_file.label)
    if raw is None:
        return data_file
    if not isinstance(raw, list):
        raise data_error(
            data_file.label,
            None,
            None,
            f"must be a list of records (YAML sequence or JSON array), got {type(raw).__name__}",
        )
    for index, item in enumerate(raw):
        where = f"record #{index + 1}"
        if not isinstance(item, dict):
            raise data_error(data_file.label, where, None, f"must be a mapping of keys, got {type(item).__name__}")
        identifier = item.get("identifier")
        if not isinstance(identifier, str) or not identifier.strip():
            raise data_error(data_file.label, where, "identifier", "is required: a non-empty string")
        data_type = item.get("data_type")
        if not isinstance(data_type, str) or not data_type:
            raise data_error(data_file.label, identifier, "data_type", "is required: the model name of the record")
        apply_once = item.get("apply_once", False)
        if not isinstance(apply_once, bool):
            raise data_error(data_file.label, identifier, "apply_once", f"must be true or false, got {apply_once!r}")
        depends = item.get("depends", [])
        if isinstance(depends, str):
            depends = [depends]
        if not isinstance(depends, list) or not all(isinstance(d, str) for d in depends):
            raise data_error(data_file.label, identifier, "depends", "must be a list of data file paths")
        values = {k: v for k, v in item.items() if k not in RESERVED_KEYS}
        data_file.records.append(
            DataRecord(data_file, index, data_type, identifier, apply_once, values, tuple(depends))
        )
    return data_file


def _files_of(root: Path, folder: str) -> list[Path]:
    base = root / folder
    if not base.is_dir():
        return []
    found = [
        p
        for p in base.rglob("*")
        if p.is_file() and p.suffix in SUFFIXES and not any(part.startswith("_") for part in p.relative_to(base).parts)
    ]
    return sorted(found, key=lambda p: p.relative_to(base).as_posix())


def module_data_files(module: str, root: Path, *, demo: bool = False) -> list[DataFile]:
    """The module's data files in load order (``depends`` applied); demo files last when ``demo``."""
    folders = [*DATA_FOLDERS, DEMO_FOLDER] if demo else list(DATA_FOLDERS)
    files = [parse_data_file(module, root, p) for folder in folders for p in _files_of(root, folder)]
    return _apply_depends(files)


def _apply_depends(files: list[DataFile]) -> list[DataFile]:
    by_path = {f.path.resolve(): f for f in files}
    after: dict[DataFile, list[DataFile]] = {f: [] for f in files}
    for data_file in files:
        for record in data_file.records:
            for dep in record.depends:
                target = (data_file.folder / dep).resolve()
                other = by_path.get(target)
                if other is None:
                    problem = f"names '{dep}', which is not a data file of the module"
                    if target.is_file():
                        problem += " (files outside security/, data/, templates/, views/, demo/ are not loaded)"
                    raise data_error(data_file.label, record.identifier, "depends", problem)
                if other is not data_file and other not in after[data_file]:
                    after[data_file].append(other)
    ordered: list[DataFile] = []
    state: dict[DataFile, str] = {}

    def visit(data_file: DataFile, chain: list[DataFile]) -> None:
        if state.get(data_file) == "done":
            return
        if state.get(data_file) == "visiting":
            cycle = " -> ".join(f.relative for f in [*chain[chain.index(data_file) :], data_file])
            raise data_error(data_file.label, None, "depends", f"files depend on each other in a cycle: {cycle}")
        state[data_file] = "visiting"
        for dep in after[data_file]:
            visit(dep, [*chain, data_file])
        state[data_file] = "done"
        ordered.append(data_file)

    for data_file in files:
        visit(data_file, [])
    return ordered
