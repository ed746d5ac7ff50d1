"""Errors of module operations and data files.

    ModuleError (fullfinity.exceptions)
    └── DataFileError (ValueError)     a data file or one of its records is wrong           500

Every ``DataFileError`` names the file (``<module>:<relative path>``), the record identifier
and the field, in its message and in ``details`` (path ``<file>#<identifier>.<field>``).
"""

from __future__ import annotations

from fullfinity.exceptions import ModuleError

__all__ = ["DataFileError", "data_error"]


class DataFileError(ModuleError, ValueError):
    """A data file cannot be read, or one of its records cannot be applied."""


def data_error(file: str, identifier: str | None, field: str | None, problem: str) -> DataFileError:
    """The error for one problem of one record (or of the whole file when ``identifier`` is None)."""
    where = f"Data file {file}"
    if identifier:
        where += f", record '{identifier}'"
    if field:
        where += f", field '{field}'"
    path = file + (f"#{identifier}" if identifier else "") + (f".{field}" if field else "")
    return DataFileError(f"{where}: {problem}", details=[{"path": path, "message": problem}])
