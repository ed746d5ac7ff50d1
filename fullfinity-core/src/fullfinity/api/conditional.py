"""HTTP conditional requests: ``ETag``, ``If-Match`` and ``If-None-Match`` (api.md 4.4, 5.6).

A record's entity tag is its ``updated_date`` exactly as the API writes it, quoted:
``ETag: "2026-05-04T09:31:02.771904Z"``. ``If-Match`` carrying it is the header form of the
body's ``updated_date`` precondition (orm.md 19), checked by the same code
(``records.check_updated_dates``). Only one strong validator is accepted: ``updated_date``
changes with every write, so a weak comparison would mean nothing. ``If-Match: *`` asks only
that the record exist.

A file's entity tag is the SHA-256 of its content; ``If-None-Match`` naming it answers 304.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from fullfinity.api.encode import datetime_text, json_response
from fullfinity.engine.fields.base import FieldValueError
from fullfinity.exceptions import BadRequest

if TYPE_CHECKING:
    from starlette.responses import Response

    from fullfinity.engine.models import Model

__all__ = ["ANY", "expected_updated_date", "if_match_value", "none_match", "record_response"]

#: ``If-Match: *``: the record must exist, whatever its version.
ANY = "*"
_HEADER = "If-Match"


def record_response(payload: dict[str, Any]) -> Response:
    """The JSON response of one record, with ``ETag: "<updated_date>"`` when it has one."""
    response = json_response(payload)
    updated = payload.get("updated_date")
    if isinstance(updated, dt.datetime):  # the generated encoders leave datetimes to orjson
        updated = datetime_text(updated)
    if isinstance(updated, str):
        response.headers["ETag"] = f'"{updated}"'
    return response


def _refuse(message: str, problem: str) -> BadRequest:
    return BadRequest(message, details=[{"path": _HEADER, "message": problem}])


def if_match_value(header: str | None) -> str | None:
    """The ``updated_date`` text an ``If-Match`` header carries (quotes optional), ``ANY``, or ``None``."""
    if header is None:
        return None
    value = header.strip()
    if value == ANY:
        return ANY
    if value.startswith(("W/", "w/")):
        raise _refuse(
            f"If-Match {value!r} is a weak validator; this API compares strong validators only. Send the "
            f'ETag exactly as read (ETag: "<updated_date>"), without W/.',
            "weak validators are not accepted",
        )
    if "," in value:
        raise _refuse(
            f"If-Match {value!r} lists several validators; send one: the ETag (updated_date) of the record "
            f"as you read it, or *.",
            "expected one validator",
        )
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not value or '"' in value:
        raise _refuse(
            f'If-Match {header!r} is not an entity tag; send the ETag as read (ETag: "<updated_date>"), '
            f"with or without its double quotes, or *.",
            "expected the record's ETag or *",
        )
    return value


def expected_updated_date(model: type[Model], body_value: Any, header: str | None) -> Any:
    """The ``updated_date`` a write must find (``None``: no check), from the body and ``If-Match``.

    The header value is checked here (400 naming ``If-Match``); the body value is left to
    ``check_updated_dates``, which reports it under ``updated_date`` as before. Both given and
    different: 400 naming both.
    """
    value = if_match_value(header)
    if value is None or value == ANY:
        return body_value
    field = model._fields["updated_date"]
    try:
        parsed = field.convert(value)
    except FieldValueError as exc:
        raise _refuse(
            f'If-Match {header!r} is not a record ETag: {exc}. Send the ETag (ETag: "<updated_date>") or the '
            f'updated_date exactly as the API returned it, e.g. "2026-05-04T09:31:02.771904Z".',
            str(exc),
        ) from None
    if body_value is not None:
        try:
            from_body = field.convert(body_value)
        except FieldValueError:
            return body_value  # reported as an invalid body value (422)
        if from_body != parsed:
            raise BadRequest(
                f"The If-Match header ({value}) and the body's updated_date ({body_value}) name different "
                f"versions of the record; send one of them, or the same value in both.",
                details=[
                    {"path": _HEADER, "message": f"differs from updated_date ({body_value})"},
                    {"path": "updated_date", "message": f"differs from If-Match ({value})"},
                ],
            )
    return value


def none_match(header: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names the current ``etag`` (quoted), so 304 applies (weak comparison)."""
    if header is None:
        return False
    for candidate in header.split(","):
        tag = candidate.strip()
        if tag == ANY:
            return True
        if tag.startswith(("W/", "w/")):
            tag = tag[2:]
        if tag == etag:
            return True
    return False
