"""``POST /crm/lead``: the website's contact form, open to anyone (auth ``public``).

Takes JSON or a form post (``application/x-www-form-urlencoded``) with ``name`` (who asks,
required), ``email`` and/or ``phone`` (at least one, to answer), ``company`` and ``message``.
Every invalid value is reported at once in a 422 naming its field; unknown fields are refused
too. Posts are counted per tenant and client address (``Configuration.crm_lead_capture_rate``
a minute, 429 with ``Retry-After`` beyond, invalid posts included). A valid post creates a lead
(an opportunity when the tenant skips leads) in the default team, unassigned, and the answer
says only that it was received: nothing about the lead, its duplicates or the tenant's data.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from typing import Any

from fastapi import Request
from starlette.requests import ClientDisconnect

from fullfinity.auth.throttle import rate_limit
from fullfinity.engine.base import ValidationError
from fullfinity.engine.context import env_ctx
from fullfinity.engine.controller import Controller, route
from fullfinity.engine.fields.html import text_to_html
from fullfinity.engine.middleware import services
from fullfinity.exceptions import BadRequest

from ..models._settings import crm_settings, default_team

__all__ = ["FIELDS", "LeadCapture"]

#: field -> (maximum length, required)
FIELDS: dict[str, tuple[int, bool]] = {
    "name": (200, True),
    "email": (320, False),
    "phone": (64, False),
    "company": (200, False),
    "message": (10_000, False),
}
MAX_BODY = 64 * 1024
RECEIVED = {"message": "received"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+()./ \-]{4,64}$")


async def _body(request: Request) -> dict[str, Any]:
    """The posted fields, from JSON or an url-encoded form; 400 for anything else or unreadable."""
    try:
        raw = await request.body()
    except ClientDisconnect:  # the visitor went away mid-body: nothing to answer, nothing to log
        raise BadRequest("The client disconnected before sending the whole body.") from None
    if len(raw) > MAX_BODY:
        raise BadRequest(f"The request body is {len(raw)} bytes; at most {MAX_BODY} are accepted.")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            data = json.loads(raw or b"null")
        except (ValueError, UnicodeDecodeError):
            raise BadRequest("The body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise BadRequest(f"The JSON body must be an object of fields, got {type(data).__name__}.")
        return data
    if kind == "application/x-www-form-urlencoded":
        try:
            pairs = urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            raise BadRequest("The form body is not valid UTF-8.") from None
        form: dict[str, Any] = {}
        for key, value in pairs:
            if key in form:  # a repeated field: kept as a list, which validation refuses
                previous = form[key]
                form[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
            else:
                form[key] = value
        return form
    raise BadRequest(
        f"Send the form as application/json or application/x-www-form-urlencoded, not {kind or 'no content type'}."
    )


def validate(data: dict[str, Any]) -> dict[str, str | None]:
    """Clean values per field, or a ``ValidationError`` listing every problem with its field."""
    problems: dict[str, str] = {}
    clean: dict[str, str | None] = {}
    for key in data:
        if key not in FIELDS:
            problems[key] = f"is not a field of the lead form; send only {', '.join(FIELDS)}"
    for key, (limit, required) in FIELDS.items():
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            problems[key] = f"must be text, got {type(value).__name__}"
            continue
        text = (value or "").strip()
        if len(text) > limit:
            problems[key] = f"must be at most {limit} characters, got {len(text)}"
        elif required and not text:
            problems[key] = "is required"
        clean[key] = text or None
    email, phone = clean.get("email"), clean.get("phone")
    if "email" not in problems and email and not _EMAIL.match(email):
        problems["email"] = f"must be an e-mail address such as ada@example.com, got {email!r}"
    if "phone" not in problems and phone and not _PHONE.match(phone):
        problems["phone"] = "must be a phone number (digits, spaces and + ( ) - . /)"
    if not email and not phone and "email" not in problems and "phone" not in problems:
        problems["email"] = "an e-mail address or a phone number is required, so we can answer"
    if problems:
        raise ValidationError(problems)
    return clean


class LeadCapture(Controller):
    _name = "crm_lead_capture"

    @route(
        "/crm/lead",
        methods=["POST"],
        auth="public",
        summary="Website form: send a request to the sales team",
        tags=["crm"],
    )
    async def capture(self, request: Request) -> dict[str, str]:
        """Create a lead from a public form post; answers ``{"message": "received"}``."""
        env = env_ctx.get()
        settings = await crm_settings()
        address = request.client.host if request.client else "unknown"
        limiter = rate_limit(services(request).runtime.cache, "crm_lead")
        await limiter.hit(env.tenant, address, settings.lead_capture_rate, what="form posts")
        values = validate(await _body(request))
        who = values["name"]
        with env.sudo():
            await env.get_model("CrmLead").create(
                name=f"{values['company'] or who}: website request",
                lead_type="lead" if settings.use_leads else "opportunity",
                contact_name=who,
                company_name=values["company"],
                email=values["email"],
                phone=values["phone"],
                description=text_to_html(values["message"]) if values["message"] else None,
                source="Website form",
                team=await default_team(),
                salesperson=None,
            )
        return RECEIVED
