"""File fields keep their bytes in the tenant filestore; D() filters resolve at query time."""

import datetime as dt

import pytest

from fullfinity.engine.base import D, Date, File, Model, ValidationError


class FdDoc(Model):
    scan = File(accept=["application/pdf", "image/*"], max_size=1024)
    due = Date()


MODELS = [FdDoc]


async def test_file_content_round_trips_through_the_filestore(ff_env, ff_settings):
    doc = await FdDoc.create(scan={"name": "a.pdf", "content": b"%PDF-1.7 hello", "mimetype": "application/pdf"})
    got = await FdDoc.get(doc.id)
    assert got.scan["name"] == "a.pdf" and got.scan["size"] == 14 and got.scan["mimetype"] == "application/pdf"
    assert await got.read_file("scan") == b"%PDF-1.7 hello"
    path = ff_settings.data_dir / "filestore" / ff_env.tenant / got.scan["sha256"][:2] / got.scan["sha256"]
    assert path.read_bytes() == b"%PDF-1.7 hello"


async def test_file_rules_are_enforced(ff_env):
    with pytest.raises(ValidationError, match="not accepted"):
        await FdDoc.create(scan={"name": "a.exe", "content": b"MZ", "mimetype": "application/x-msdownload"})
    with pytest.raises(ValidationError, match="maximum is 1024"):
        await FdDoc.create(scan={"name": "big.png", "content": b"x" * 2000, "mimetype": "image/png"})


async def test_relative_dates_resolve_when_the_query_runs(ff_env):
    today = dt.datetime.now(dt.UTC).date()
    await FdDoc.bulk_create([{"due": today - dt.timedelta(days=3)}, {"due": today + dt.timedelta(days=3)}])
    overdue = await FdDoc.filter(due__lt=D("today"))
    assert [r.due for r in overdue] == [today - dt.timedelta(days=3)]
    assert await FdDoc.filter("Q(due__gte=D(days=-7), due__lte=today)").count() == 1
