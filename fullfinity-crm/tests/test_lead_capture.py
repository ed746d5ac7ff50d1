"""``POST /crm/lead``: the public website form (valid, invalid, throttled, reveals nothing)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
import pytest_asyncio

from fullfinity.testing.auth import on

VALID = {"name": "Ada Brooks", "email": "ada@northwind.example", "phone": "+1 555 0101", "company": "Northwind",
         "message": "We need tracking for 40 trucks."}  # fmt: skip


@pytest_asyncio.fixture(loop_scope="session")
async def visitor(crm, ff_app):
    """A fresh client address per test (each has its own post budget)."""
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    transport = httpx.ASGITransport(app=ff_app, client=(address, 40_000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:

        async def post(body: Any = None, **kwargs: Any) -> httpx.Response:
            kwargs.setdefault("json", body)
            return await client.post("/crm/lead", headers=on(crm.tenant), **kwargs)

        yield post


async def settings(crm, **values):
    async with crm.env() as env:
        config = await env["Configuration"].filter().first()
        for name, value in values.items():
            setattr(config, name, value)
        await config.save()


async def created(crm, email):
    async with crm.env() as env:
        return await env["CrmLead"].filter(email=email).all()


async def test_a_valid_json_post_creates_an_unassigned_lead_in_the_default_team(crm, visitor):
    email = f"{uuid.uuid4().hex[:8]}@northwind.example"
    async with crm.env() as env:
        team = await env["CrmTeam"].create(name="Inbound")
    await settings(crm, crm_default_team=team.id, crm_use_leads=True)
    answer = await visitor({**VALID, "email": email})
    (lead,) = await created(crm, email)
    await settings(crm, crm_default_team=None)
    assert (answer.status_code, answer.json()) == (200, {"message": "received"})
    assert (lead.lead_type, lead.team.id, lead.salesperson, lead.source) == ("lead", team.id, None, "Website form")
    assert (lead.contact_name, lead.company_name, lead.phone) == ("Ada Brooks", "Northwind", "+1 555 0101")
    assert lead.description == f"<p>{VALID['message']}</p>" and lead.name == "Northwind: website request"
    assert lead.won_status == "pending" and 0 < lead.probability < 100


async def test_a_form_post_is_accepted_too(crm, visitor):
    email = f"{uuid.uuid4().hex[:8]}@form.example"
    answer = await visitor(json=None, data={"name": "Bob", "email": email, "message": "Call me"})
    assert (answer.status_code, answer.json()) == (200, {"message": "received"})
    (lead,) = await created(crm, email)
    assert (lead.contact_name, lead.description) == ("Bob", "<p>Call me</p>")


async def test_the_message_is_plain_text_kept_as_written_in_the_html_notes(crm, visitor):
    """The visitor types text, not markup: angle brackets stay characters, line breaks and blank lines
    become the notes' line breaks and paragraphs, and nothing the visitor types becomes a tag."""
    email = f"{uuid.uuid4().hex[:8]}@text.example"
    message = "Price for <b>5</b> units & delivery?\r\nBy Friday.\n\n\n<script>alert(1)</script>"
    answer = await visitor({"name": "Cy", "email": email, "message": message})
    (lead,) = await created(crm, email)
    assert answer.status_code == 200
    assert lead.description == (
        "<p>Price for &lt;b&gt;5&lt;/b&gt; units &amp; delivery?<br>By Friday.</p>"
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )


async def test_a_post_without_a_message_leaves_the_notes_empty(crm, visitor):
    email = f"{uuid.uuid4().hex[:8]}@empty.example"
    answer = await visitor({"name": "Dee", "email": email, "message": "   "})
    (lead,) = await created(crm, email)
    assert answer.status_code == 200 and lead.description is None


async def test_without_leads_the_request_goes_straight_to_the_pipeline(crm, visitor):
    email = f"{uuid.uuid4().hex[:8]}@direct.example"
    await settings(crm, crm_use_leads=False)
    answer = await visitor({"name": "Direct", "email": email})
    await settings(crm, crm_use_leads=True)
    (lead,) = await created(crm, email)
    assert answer.status_code == 200 and lead.lead_type == "opportunity"


@pytest.mark.parametrize(
    ("body", "path", "message"),
    [
        ({"email": "x@y.example"}, "name", "is required"),
        ({"name": "   ", "email": "x@y.example"}, "name", "is required"),
        ({"name": "Ann", "email": "not-an-address"}, "email", "must be an e-mail address"),
        ({"name": "Ann"}, "email", "an e-mail address or a phone number is required"),
        ({"name": "Ann", "phone": "call me maybe"}, "phone", "must be a phone number"),
        ({"name": "A" * 201, "email": "x@y.example"}, "name", "at most 200 characters"),
        ({"name": 42, "email": "x@y.example"}, "name", "must be text"),
        ({"name": "Ann", "email": "x@y.example", "budget": "1M"}, "budget", "is not a field of the lead form"),
    ],
)
async def test_an_invalid_post_is_a_422_naming_the_field(crm, visitor, body, path, message):
    answer = await visitor(body)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["type"] == "ValidationError"
    assert [d["path"] for d in error["details"]] == [path] and message in error["details"][0]["message"]


async def test_every_problem_of_a_post_is_reported_at_once_and_nothing_is_created(crm, visitor):
    async with crm.env() as env:
        before = await env["CrmLead"].filter().count()
    answer = await visitor({"email": "broken", "company": "C" * 300, "extra": "x"})
    async with crm.env() as env:
        after = await env["CrmLead"].filter().count()
    assert answer.status_code == 422
    assert sorted(d["path"] for d in answer.json()["error"]["details"]) == ["company", "email", "extra", "name"]
    assert after == before


@pytest.mark.parametrize(
    ("kwargs", "type_"),
    [
        ({"content": b"{not json", "headers": {"content-type": "application/json"}}, "BadRequest"),
        ({"content": b"[1, 2]", "headers": {"content-type": "application/json"}}, "BadRequest"),
        ({"content": b"<lead/>", "headers": {"content-type": "application/xml"}}, "BadRequest"),
        (
            {"content": b'{"message": "' + b"x" * 70_000 + b'"}', "headers": {"content-type": "application/json"}},
            "BadRequest",
        ),
    ],
)
async def test_an_unreadable_body_is_a_400(crm, ff_app, kwargs, type_):
    transport = httpx.ASGITransport(app=ff_app, client=(f"10.9.{uuid.uuid4().int % 250}.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        headers = {**on(crm.tenant), **kwargs.pop("headers")}
        answer = await client.post("/crm/lead", headers=headers, **kwargs)
    assert answer.status_code == 400 and answer.json()["error"]["type"] == type_


async def test_posts_from_one_address_are_throttled_with_429_and_retry_after(crm, visitor, ff_app):
    await settings(crm, crm_lead_capture_rate=3)
    try:
        statuses = [(await visitor({"name": "Spam", "email": f"s{i}@spam.example"})).status_code for i in range(3)]
        statuses.append((await visitor({"name": "Spam"})).status_code)  # invalid posts count too
        refused = await visitor({"name": "Spam", "email": "late@spam.example"})
        transport = httpx.ASGITransport(app=ff_app, client=("10.250.250.250", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
            body = {"name": "Ok", "email": "ok@ok.example"}
            elsewhere = await other.post("/crm/lead", json=body, headers=on(crm.tenant))
    finally:
        await settings(crm, crm_lead_capture_rate=5)
    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429 and refused.json()["error"]["type"] == "RateLimited"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert elsewhere.status_code == 200
    assert len(await created(crm, "late@spam.example")) == 0


async def test_the_answer_reveals_nothing_even_for_a_known_customer(crm, visitor):
    async with crm.env() as env:
        await env["CrmLead"].create(name="Existing deal", email="known@customer.example", expected_revenue="99000")
    known = await visitor({"name": "Known", "email": "known@customer.example"})
    unknown = await visitor({"name": "Unknown", "email": f"{uuid.uuid4().hex[:8]}@new.example"})
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content == b'{"message":"received"}'
    assert "location" not in known.headers


async def test_the_guest_cannot_read_leads_through_the_api(crm):
    answer = await crm.client.post("/api/query/CrmLead", json={}, headers=on(crm.tenant))
    assert answer.status_code == 401
