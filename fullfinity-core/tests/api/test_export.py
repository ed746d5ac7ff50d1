"""POST /api/export/{model}: the records of a search as CSV or XLSX, under the caller's rights."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest_asyncio

from fullfinity.testing.auth import drop_world, login, make_world, on


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(ff_runtime):
    from fullfinity.scripting import tenant_env

    built = await make_world(ff_runtime)
    async with tenant_env(built.tenant, runtime=ff_runtime) as env:
        country = await env["Country"].create(name="Exportland", code="EX")
        await env["Contact"].create(name="Zed Export", email="zed@example.test", country=country.id)
        await env["Contact"].create(name="Amy Export", email="=cmd|' /C calc'!A0", country=country.id)
        await env["Contact"].create(name="Old Export", active=False)
    try:
        yield built
    finally:
        await drop_world(ff_runtime, built)


async def export(client, world, body, who="adm"):
    token = (await login(client, world.tenant, world.email(who)))["access_token"]
    return await client.post("/api/export/Contact", json=body, headers=on(world.tenant, token))


BODY = {
    "fields": ["name", "email", "country"],
    "labels": ["Name", "Email", "Country"],
    "q_filter": "Q(name__endswith=' Export')",
    "order_by": ["name ASC"],
}


async def test_csv_export_has_a_header_and_one_row_per_matching_record(make_client, world):
    client = await make_client(login_ip_rate=1000)

    response = await export(client, world, BODY | {"format": "csv"})

    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == 'attachment; filename="Contact.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Name", "Email", "Country"]
    assert [r[0] for r in rows[1:]] == ["Amy Export", "Zed Export"]  # the archived one is left out
    assert rows[2][2] == "Exportland"


async def test_csv_cells_that_would_run_as_formulas_are_quoted_as_text(make_client, world):
    client = await make_client(login_ip_rate=1000)

    response = await export(client, world, BODY | {"format": "csv"})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][1].startswith("'=")


async def test_xlsx_export_is_a_workbook_with_the_same_cells(make_client, world):
    client = await make_client(login_ip_rate=1000)

    response = await export(client, world, BODY | {"format": "xlsx"})

    assert response.status_code == 200, response.text
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        assert "xl/workbook.xml" in book.namelist()
    assert "Zed Export" in sheet and "Exportland" in sheet


async def test_export_follows_the_named_search_filters(make_client, world):
    client = await make_client(login_ip_rate=1000)

    response = await export(client, world, BODY | {"format": "csv", "filters": ["archived"], "q_filter": None})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["Old Export"]


async def test_export_without_read_access_is_refused(make_client, world):
    client = await make_client(login_ip_rate=1000)

    response = await export(client, world, BODY | {"format": "csv"}, who="pat")

    assert response.status_code == 403


async def test_export_needs_one_label_per_field(make_client, world):
    client = await make_client(login_ip_rate=1000)

    response = await export(client, world, BODY | {"labels": ["Only one"]})

    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["path"] == "labels"
