"""``POST /api/export/{model}``: the records of a search as a CSV or XLSX file (web-client.md 3).

The body is a query (``fields``, ``q_filter``, ``filters``, ``order_by``, ``context``; api.md 4.1)
plus ``format`` (``csv`` or ``xlsx``) and optional column ``labels``. Every matching record is
written, up to ``FULLFINITY_API_MAX_LIMIT``: the same access rules, record rules and filters as
``/api/query``, read on a read-only connection. Cells hold what the list shows: a relation's
display name, x-to-many display names joined with ``, ``, Selection keys, ISO dates and
datetimes, and exact decimals (numeric cells in XLSX, never rounded through a float).
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import re
import zipfile
from typing import Annotated, Any, Literal
from xml.sax.saxutils import escape

from fastapi import APIRouter, Path, Request
from pydantic import Field
from starlette.responses import Response

from fullfinity.api.bodies import QueryBody
from fullfinity.api.handlers.query import run_query
from fullfinity.api.limits import request_settings
from fullfinity.api.route import api_route_class
from fullfinity.engine.context import current_env
from fullfinity.exceptions import BadRequest

__all__ = ["ExportBody", "build_export_router", "cell_text"]

PATH = "/export/{model}"
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


class ExportBody(QueryBody):
    """``POST /api/export/{model}``: a query and the file to write."""

    format: Literal["csv", "xlsx"] = Field("csv", description="csv (UTF-8 with a header row) or xlsx.")
    labels: list[str] | None = Field(None, description="Column titles, one per field (default: the field paths).")


def cell_text(value: Any) -> Any:
    """A JSON value of an answer as a cell: text, or a number kept exact (int / Decimal)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | decimal.Decimal):
        return value
    if isinstance(value, float):
        return decimal.Decimal(repr(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return str(value.get("display_name") if "display_name" in value else value.get("name", value.get("id", "")))
    if isinstance(value, list):
        return ", ".join(str(cell_text(item)) for item in value)
    return str(value)


def _column(path: str) -> str:
    """The top-level key of a field path in a record of the answer."""
    return path.replace("__", ".").split(".")[0]


def _rows(records: list[dict[str, Any]], fields: list[str]) -> list[list[Any]]:
    return [[cell_text(record.get(_column(f))) for f in fields] for record in records]


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        # A cell starting with = + - @ would run as a formula in a spreadsheet: quote it as text.
        writer.writerow(["'" + c if isinstance(c, str) and c[:1] in ("=", "+", "-", "@") else c for c in row])
    return ("\ufeff" + out.getvalue()).encode()


def _col_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _xml_cell(ref: str, value: Any) -> str:
    if isinstance(value, int | decimal.Decimal) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    text = escape(_ILLEGAL_XML.sub("", str(value)))
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _xlsx(header: list[str], rows: list[list[Any]]) -> bytes:
    lines = []
    for r, row in enumerate([header, *rows], start=1):
        cells = "".join(_xml_cell(f"{_col_name(c)}{r}", v) for c, v in enumerate(row))
        lines.append(f'<row r="{r}">{cells}</row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(lines)}</sheetData></worksheet>"
    )
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Export" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def build_export_router() -> APIRouter:
    """The ``/api/export`` router (authenticated like ``/api``, read-only connection)."""
    router = APIRouter(prefix="/api", route_class=api_route_class("user", (f"/api{PATH}",)))

    @router.post(PATH, tags=["data"], summary="Export the records of a search as CSV or XLSX")
    async def export(request: Request, model: Annotated[str, Path(max_length=200)], body: ExportBody) -> Response:
        env = current_env()
        cls = env.get_model(model)
        if not body.fields:
            raise BadRequest(
                "Name the columns to export in 'fields'.", details=[{"path": "fields", "message": "empty"}]
            )
        if body.labels is not None and len(body.labels) != len(body.fields):
            raise BadRequest(
                f"'labels' has {len(body.labels)} titles for {len(body.fields)} fields; give one per field.",
                details=[{"path": "labels", "message": "one title per field"}],
            )
        settings = request_settings(request)
        query = QueryBody.model_validate(
            body.model_dump(exclude={"format", "labels"})
            | {"limit": settings.api_max_limit, "offset": 0, "total": "none"}
        )
        answer = await run_query(env, cls, query, settings)
        header = body.labels or list(body.fields)
        rows = _rows(answer["data"], list(body.fields))
        content = _csv(header, rows) if body.format == "csv" else _xlsx(header, rows)
        filename = f"{model}.{body.format}"
        return Response(
            content,
            media_type=_TYPES[body.format],
            headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
        )

    return router
