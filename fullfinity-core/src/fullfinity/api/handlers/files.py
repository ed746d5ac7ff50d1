"""``GET /api/file/{model}/{id}/{field}``: the content of a File or Binary value (api.md 5.6).

Access is exactly that of reading the field through the API: read access to the model (403),
a record the user sees under the record rules, archived ones included as with ``/api/fetch``
(404 naming the model and id), and the field's groups (403). Only the field's column is read.

A File value's bytes come from the tenant's content-addressed filestore and are streamed from
disk (``Range`` requests included) with the stored mimetype and file name. A Binary value is
the bytes of the row, sent as ``application/octet-stream`` (it records no type or name).
``?download=1`` asks for ``Content-Disposition: attachment``; otherwise ``inline``. The ETag is
the SHA-256 of the content; ``If-None-Match`` naming it answers 304 without a body.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import stat
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.responses import FileResponse, Response

from fullfinity.api.conditional import none_match
from fullfinity.api.handlers import refuse_transient
from fullfinity.api.handlers.records import with_archived
from fullfinity.engine.access.control import check_field, check_model
from fullfinity.engine.database.filestore import filestore_path
from fullfinity.engine.fields.binary import Binary, File
from fullfinity.engine.query import unknown_field
from fullfinity.exceptions import BadRequest, MissingError

if TYPE_CHECKING:
    from fullfinity.engine.env import Environment
    from fullfinity.engine.models import Model

__all__ = ["content_disposition", "download"]

log = logging.getLogger(__name__)

OCTET_STREAM = "application/octet-stream"
_SHA256 = re.compile(r"[0-9a-f]{64}")
#: ``type/subtype`` with optional parameters; a stored value that is not one is sent as octet-stream.
_MIMETYPE = re.compile(r'[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*( *; *[\w.+-]+=("[\x20-\x7e]*"|[\w.+-]+))*', re.ASCII)
#: Types a browser would run as a document of the API's origin if shown inline: sandboxed.
_ACTIVE = ("text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml")


def content_disposition(kind: str, filename: str | None) -> str:
    """``attachment; filename="scan.pdf"``; names beyond plain ASCII also as RFC 5987 ``filename*``."""
    if not filename:
        return kind
    fallback = re.sub(r'[^\x20-\x7e]|["\\]', "_", filename)
    if fallback == filename:
        return f'{kind}; filename="{filename}"'
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _headers(etag: str, mimetype: str, disposition: str) -> dict[str, str]:
    headers = {
        "ETag": etag,
        "Content-Disposition": disposition,
        "Cache-Control": "private, no-cache",  # keep it per user, revalidate with If-None-Match
        "X-Content-Type-Options": "nosniff",
    }
    if mimetype.split(";")[0].strip().lower() in _ACTIVE:
        headers["Content-Security-Policy"] = "sandbox"
    return headers


def _file_field(env: Environment, model: type[Model], name: str) -> File | Binary:
    field = model._fields.get(name)
    if field is None:
        raise unknown_field(model, name, "field")
    check_field(env, model, field, "read")
    if not isinstance(field, File | Binary):
        raise BadRequest(
            f"{model._name}.{name} is a {field.type_name} field; only File and Binary fields can be downloaded "
            f"from /api/file. Read other fields with /api/fetch/{model._name}/<id>.",
            details=[{"path": "field", "message": f"{field.type_name} is not downloadable (File or Binary)"}],
        )
    return field


def _no_file(model: type[Model], record_id: int, name: str) -> MissingError:
    return MissingError(
        f"{model._name}({record_id}).{name} has no file.",
        details=[{"path": "field", "message": f"{name} is empty"}],
    )


def _stat(path: os.PathLike[str]) -> os.stat_result | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found if stat.S_ISREG(found.st_mode) else None


async def download(
    env: Environment,
    model: type[Model],
    record_id: int,
    name: str,
    *,
    attachment: bool = False,
    if_none_match: str | None = None,
) -> Response:
    """The response carrying the content of ``model(record_id).name`` for the env's user."""
    refuse_transient(model, "file download")
    check_model(env, model, "read")
    field = _file_field(env, model, name)
    record = await with_archived(model, [record_id]).order_by().with_fields(name).first()
    if record is None:
        raise MissingError(f"{model._name}({record_id}) does not exist or is not visible to you.")
    value: Any = getattr(record, name)
    kind = "attachment" if attachment else "inline"
    if isinstance(field, Binary):
        if not value:
            raise _no_file(model, record_id, name)
        content = bytes(value)
        etag = f'"{hashlib.sha256(content).hexdigest()}"'
        headers = _headers(etag, OCTET_STREAM, content_disposition(kind, None))
        if none_match(if_none_match, etag):
            return Response(status_code=304, headers=headers)
        return Response(content, media_type=OCTET_STREAM, headers=headers)
    sha = value.get("sha256") if isinstance(value, dict) else None
    if not sha:
        raise _no_file(model, record_id, name)
    path = filestore_path(env.tenant, sha) if isinstance(sha, str) and _SHA256.fullmatch(sha) else None
    found = await asyncio.to_thread(_stat, path) if path is not None else None
    if path is None or found is None:
        log.error(
            "%s(%s).%s: content %r missing from the filestore of %s", model._name, record_id, name, sha, env.tenant
        )
        raise MissingError(
            f"The content of {model._name}({record_id}).{name} is missing from the filestore; ask an "
            f"administrator to restore it (or upload the file again).",
            details=[{"path": "field", "message": "file content missing from the filestore"}],
        )
    mimetype = value.get("mimetype")
    if not isinstance(mimetype, str) or not _MIMETYPE.fullmatch(mimetype):
        mimetype = OCTET_STREAM
    filename = value.get("name") if isinstance(value.get("name"), str) else None
    headers = _headers(f'"{sha}"', mimetype, content_disposition(kind, filename))
    if none_match(if_none_match, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    return FileResponse(path, headers=headers, media_type=mimetype, stat_result=found)
