"""Selective hydration: request 3 fields, fetch 3 columns; unloaded fields fail loudly."""

import pytest

from fullfinity.engine.base import Boolean, Char, FieldNotLoadedError, Model, Text


class HyPartner(Model):
    name = Char(max_length=80, required=True)
    email = Char()
    notes = Text()
    active = Boolean(default=True)


MODELS = [HyPartner]


@pytest.fixture
async def partners(ff_env):
    return await HyPartner.bulk_create(
        [{"name": f"p{i}", "email": f"p{i}@x.test", "notes": "n" * 100} for i in range(5)]
    )


async def test_with_fields_selects_only_the_requested_columns(partners, ff_env):
    with ff_env.count_queries() as counter:
        rows = await HyPartner.with_fields("name", "email").filter(name__startswith="p")
    assert len(rows) == 5
    (sql,) = counter.statements
    select_list = sql.split(" FROM ")[0]
    assert select_list == 'SELECT t0."id", t0."name", t0."email"'


async def test_full_reads_select_every_stored_column_and_no_computed_one(partners, ff_env):
    with ff_env.count_queries() as counter:
        await HyPartner.filter()
    select_list = counter.statements[0].split(" FROM ")[0]
    for column in ("id", "name", "email", "notes", "active", "created_date", "updated_date", "create_uid", "write_uid"):
        assert f't0."{column}"' in select_list
    assert "display_name" not in select_list


async def test_reading_an_unloaded_field_raises_with_advice(partners):
    row = await HyPartner.with_fields("name").first()
    assert row.name == "p0"
    with pytest.raises(FieldNotLoadedError, match=r"HyPartner.notes was not loaded.*with_fields"):
        _ = row.notes
    assert isinstance(FieldNotLoadedError("x"), AttributeError)


async def test_display_name_can_be_requested(partners):
    row = await HyPartner.with_fields("display_name").order_by("name").first()
    assert row.display_name == "p0"


async def test_refresh_loads_everything(partners):
    row = await HyPartner.with_fields("name").first()
    await row.refresh()
    assert row.notes == "n" * 100


async def test_record_sets_behave_like_sequences(partners):
    rows = await HyPartner.filter().order_by("name")
    assert len(rows) == 5 and bool(rows)
    assert rows.ids == sorted(rows.ids)
    assert rows[0].name == "p0" and [r.name for r in rows[1:3]] == ["p1", "p2"]
    with pytest.raises(ValueError, match="expected a single record"):
        _ = rows.name
    empty = await HyPartner.filter(name="none")
    assert not empty and len(empty) == 0 and empty.name is None and empty.active is False
    assert rows[0] == await HyPartner.get(rows[0].id)
    with pytest.raises(ValueError, match="expected a single record"):
        rows.ensure_one()


async def test_assigning_on_a_set_assigns_every_record_and_save_saves_all(partners):
    rows = await HyPartner.filter()
    rows.email = "same@x.test"
    await rows.save()
    assert await HyPartner.filter(email="same@x.test").count() == 5
