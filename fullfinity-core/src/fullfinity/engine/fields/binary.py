"""Binary, JSON and File fields."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

import orjson
from typing_extensions import Unpack

from fullfinity.engine.fields.base import Field, FieldOptions, FieldValueError

__all__ = ["JSON", "Binary", "File"]

_SHA256 = re.compile(r"[0-9a-f]{64}")


class Binary(Field[bytes]):
    """Raw bytes: ``BYTEA``; a base64 string over the API (a str assigned here is decoded as base64)."""

    type_name = "Binary"
    sql_type = "BYTEA"
    param_type = "bytea"

    def convert(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bytes):
            return value
        if isinstance(value, bytearray | memoryview):
            return bytes(value)
        if isinstance(value, str):
            try:
                return base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raise FieldValueError("must be bytes or a base64 string; the string is not valid base64") from None
        raise FieldValueError(f"must be bytes or a base64 string, got {type(value).__name__}")


class JSON(Field[Any]):
    """Any JSON value (dict, list, scalar): ``JSONB``."""

    type_name = "JSON"
    sql_type = "JSONB"
    param_type = "jsonb"

    def convert(self, value: Any) -> Any:
        if value is None:
            return None
        try:
            # Round-trip: the stored value is exactly what a read returns (tuples become lists...).
            return orjson.loads(orjson.dumps(value))
        except (TypeError, orjson.JSONEncodeError) as exc:
            raise FieldValueError(f"must be JSON-serialisable: {exc}") from None


class File(Field[Any]):
    """A file kept in the tenant's filestore; the column holds its metadata.

    The value is a mapping ``{"id", "name", "mimetype", "size", "sha256"}``; assign
    ``{"name", "content": bytes, "mimetype"}`` (content is stored content-addressed under
    ``FULLFINITY_DATA_DIR/filestore/<tenant>/``) or ``None``. Read the bytes with
    ``await record.read_file("field")``.
    """

    type_name = "File"
    sql_type = "JSONB"
    param_type = "jsonb"

    def __init__(
        self, *, accept: list[str] | None = None, max_size: int | None = None, **options: Unpack[FieldOptions]
    ) -> None:
        super().__init__(**options)
        self.accept = list(accept or [])
        self.max_size = max_size

    @classmethod
    def _type_option_names(cls) -> str:
        return ", accept, max_size"

    def _type_options(self) -> dict[str, Any]:
        return {"accept": self.accept, "max_size": self.max_size}

    def convert(self, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise FieldValueError(f"must be a mapping with name, content and mimetype, got {type(value).__name__}")
        if "content" not in value:
            if {"sha256", "name", "size"} <= set(value):  # an already stored file value
                if not (isinstance(value["sha256"], str) and _SHA256.fullmatch(value["sha256"])):
                    raise FieldValueError("sha256 must be the 64 hexadecimal digits of a stored file's SHA-256")
                return dict(value)
            raise FieldValueError("must carry 'content' (bytes or base64) and 'name'")
        content = value["content"]
        if isinstance(content, str):
            try:
                content = base64.b64decode(content, validate=True)
            except (binascii.Error, ValueError):
                raise FieldValueError("content must be bytes or a base64 string") from None
        if not isinstance(content, bytes | bytearray):
            raise FieldValueError(f"content must be bytes, got {type(content).__name__}")
        name = value.get("name")
        if not isinstance(name, str) or not name.strip():
            raise FieldValueError("must have a non-empty 'name'")
        mimetype = value.get("mimetype") or "application/octet-stream"
        if self.accept and not any(_mime_matches(mimetype, pattern) for pattern in self.accept):
            raise FieldValueError(f"mimetype {mimetype!r} is not accepted; accepted: {self.accept}")
        if self.max_size is not None and len(content) > self.max_size:
            raise FieldValueError(f"file is {len(content)} bytes; the maximum is {self.max_size}")
        return {"name": name, "mimetype": mimetype, "content": bytes(content)}


def _mime_matches(mimetype: str, pattern: str) -> bool:
    if pattern.endswith("/*"):
        return mimetype.startswith(pattern[:-1])
    if pattern.startswith("."):
        return False
    return mimetype == pattern
