"""A lead's notes are HTML written through the RichText widget: every create and write over the API
keeps the editor's tags and removes scripts, event handlers and javascript: links (Text(html=True))."""

from __future__ import annotations

import pytest_asyncio

HOSTILE = (
    '<p onclick="steal()">Call <strong>Monday</strong></p><script>alert(1)</script>'
    '<img src="x" onerror="alert(1)"><a href="javascript:alert(1)">click</a><a href="https://ok.example">site</a>'
)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def sam(crm):
    return await crm.user("sam")


def assert_safe(stored: str) -> None:
    assert "<strong>Monday</strong>" in stored
    for bad in ("script", "onclick", "onerror", "javascript:", "<img", "alert"):
        assert bad not in stored, stored
    assert '<a href="https://ok.example" rel="noopener noreferrer">site</a>' in stored


async def test_lead_notes_are_sanitised_on_create_and_on_write(crm, sam):
    created = await crm.call("POST", "/api/create/CrmLead", "sam", {"name": "Rich notes", "description": HOSTILE})
    assert created.status_code == 200, created.text
    lead_id = created.json()["id"]
    async with crm.env() as env:
        assert_safe((await env["CrmLead"].get(lead_id)).description)

    written = await crm.call("PUT", f"/api/update/CrmLead/{lead_id}", "sam", {"description": "<em>x</em>" + HOSTILE})
    assert written.status_code == 200, written.text
    async with crm.env() as env:
        stored = (await env["CrmLead"].get(lead_id)).description
    assert stored.startswith("<em>x</em>")
    assert_safe(stored)


async def test_the_field_metadata_tells_the_client_the_notes_are_html(crm, sam):
    meta = (await crm.call("GET", "/api/meta/CrmLead", "sam")).json()
    fields = meta.get("fields", meta)
    assert fields["description"]["html"] is True
