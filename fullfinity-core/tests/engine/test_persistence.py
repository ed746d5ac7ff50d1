"""Writing records: create, save of changed fields only, delete, copy, bulk create, concurrency, errors."""

import asyncio

import pytest

from fullfinity.engine.base import (
    Char,
    ConcurrencyError,
    Integer,
    IntegrityError,
    Model,
    Selection,
    ValidationError,
)
from fullfinity.testing.orm import env_on


class PeItem(Model):
    code = Char(max_length=20, unique=True, clone=False)
    name = Char(required=True)
    qty = Integer(default=lambda rec: 7)
    kind = Selection(choices=["a", "b"], default="a")


class PeNote(Model):
    _transient = True
    text = Char(required=True)


class PeGuarded(Model):
    low = Integer()
    high = Integer()
    log = Char()

    @Model.constrain("low", "high")
    async def _check_range(self):
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValidationError({"low": "must not exceed high"})

    async def save(self, *args, **kwargs):
        self.log = (self.log or "") + "s"
        return await super().save(*args, **kwargs)


MODELS = [PeItem, PeNote, PeGuarded]


async def test_create_applies_callable_defaults_and_returns_automatic_fields(ff_env):
    item = await PeItem.create(code="A1", name="Apple")
    assert item.id > 0 and item.qty == 7 and item.kind == "a"
    assert item.created_date is not None and item.updated_date >= item.created_date


async def test_a_default_callable_runs_only_for_fields_left_out(ff_env):
    calls = []
    field = ff_env.get_model("PeItem")._fields["qty"]
    original = field.default
    field.default = lambda rec: calls.append(rec) or 3
    try:
        given = await PeItem.create(code="DF1", name="given", qty=11)
        left_out = await PeItem.create(code="DF2", name="left out")
    finally:
        field.default = original
    assert (given.qty, left_out.qty, len(calls)) == (11, 3, 1)


async def test_save_writes_only_changed_fields(ff_env):
    item = await PeItem.create(code="A2", name="Pear")
    item.qty = 9
    assert item._changes == {"qty": 7}
    with ff_env.count_queries() as counter:
        await item.save()
    (sql,) = counter.statements
    assert sql.startswith('UPDATE "pe_item" SET "qty" = $1, "write_uid"')
    assert '"name"' not in sql and item._changes == {}


async def test_updated_date_changes_on_every_write(ff_env):
    item = await PeItem.create(code="A3", name="Plum")
    seen = [item.updated_date]
    for qty in range(3):
        item.qty = qty
        await item.save()
        seen.append(item.updated_date)
    assert seen == sorted(seen) and len(set(seen)) == 4


async def test_unique_violation_names_the_field_and_value(ff_env):
    await PeItem.create(code="DUP", name="one")
    with pytest.raises(IntegrityError) as info:
        async with ff_env.transaction():
            await PeItem.create(code="DUP", name="two")
    assert "PeItem.code must be unique" in info.value.message and "'DUP'" in info.value.message
    assert info.value.details[0]["path"] == "code"
    assert isinstance(info.value, ValidationError) and info.value.status_code == 409


async def test_savepoint_rolls_back_only_the_block(ff_env):
    await PeItem.create(code="S1", name="kept")
    with pytest.raises(RuntimeError):
        async with ff_env.transaction():
            await PeItem.create(code="S2", name="dropped")
            raise RuntimeError("boom")
    assert await PeItem.filter(code__in=["S1", "S2"]).distinct_values("code") == ["S1"]


async def test_delete_removes_the_records(ff_env):
    items = await PeItem.bulk_create([{"code": "D1", "name": "x"}, {"code": "D2", "name": "y"}])
    await items.delete()
    assert await PeItem.filter(code__in=["D1", "D2"]).count() == 0


async def test_copy_respects_clone_and_overrides(ff_env):
    item = await PeItem.create(code="C1", name="Original", qty=3)
    dup = await item.copy(name="Copy")
    assert dup.id != item.id and dup.code is None and dup.name == "Copy" and dup.qty == 3


async def test_bulk_create_is_one_round_trip_per_batch_and_keeps_input_order(ff_env):
    rows = [{"code": f"B{i}", "name": f"n{i}"} for i in range(500)]
    with ff_env.count_queries() as counter:
        items = await PeItem.bulk_create(rows)
    assert counter.total <= 3  # reserve ids, COPY (sequence name looked up once per registry)
    assert [r.code for r in items] == [r["code"] for r in rows]
    stored = await PeItem.filter(code__startswith="B").order_by("id").values("code", "qty")
    assert [s["code"] for s in stored] == [r["code"] for r in rows] and stored[0]["qty"] == 7


async def test_bulk_create_reports_every_bad_row_and_writes_nothing(ff_env):
    with pytest.raises(ValidationError) as info:
        await PeItem.bulk_create([{"code": "E1", "name": "ok"}, {"code": "E2"}, {"name": "x", "kind": "z"}])
    assert {d["path"] for d in info.value.details} == {"1.name", "2.kind"}
    assert await PeItem.filter(code__startswith="E").count() == 0


async def test_bulk_create_reports_the_same_problems_whatever_the_keys_of_each_row(ff_env):
    rows = [{"code": "F1", "name": ""}, {"code": "F2", "name": "ok", "nope": 1}, {"code": "F3", "name": 5}]
    with pytest.raises(ValidationError) as info:
        await PeItem.bulk_create(rows)
    assert sorted((d["path"], d["message"]) for d in info.value.details) == [
        ("0.name", "is required"),
        ("1.nope", "PeItem has no field 'nope'"),
        ("2.name", "must be a string, got int"),
    ]
    assert await PeItem.filter(code__startswith="F").count() == 0


async def test_get_or_create(ff_env):
    first, created = await PeItem.get_or_create(code="G1", defaults={"name": "made"})
    again, created_again = await PeItem.get_or_create(code="G1", defaults={"name": "other"})
    assert created and not created_again and again.id == first.id and again.name == "made"


async def test_transient_models_validate_without_writing(ff_env):
    note = await PeNote.create(text="hello")
    assert note.id is None and note.text == "hello"
    with pytest.raises(ValidationError):
        await PeNote.create(text="")
    with pytest.raises(TypeError, match="transient"):
        PeNote.filter()


async def test_constraints_report_and_save_overrides_run(ff_env):
    rec = await PeGuarded.create(low=1, high=5)
    assert rec.log == "s"
    rec.low = 9
    with pytest.raises(ValidationError) as info:
        await rec.save()
    assert info.value.details == [{"path": "low", "message": "must not exceed high"}]


async def test_bulk_update_goes_through_overridden_save(ff_env):
    await PeGuarded.bulk_create([{"low": 1, "high": 2}, {"low": 1, "high": 3}])
    assert await PeGuarded.filter(high__in=[2, 3]).update(high=4) == 2
    logs = await PeGuarded.filter(high=4).distinct_values("log")
    assert logs == ["ss"]  # once by bulk_create, once by update


async def test_bulk_create_goes_through_overridden_save_in_input_order(ff_env):
    made = await PeGuarded.bulk_create([{"low": 7, "high": 8}, {"low": 7, "high": 9}])
    assert [r.high for r in made] == [8, 9] and [r.log for r in made] == ["s", "s"]
    assert await PeGuarded.filter(low=7, log="s").count() == 2


async def test_bulk_create_through_save_writes_nothing_when_a_row_fails(ff_env):
    with pytest.raises(ValidationError) as info:
        await PeGuarded.bulk_create([{"low": 5, "high": 6}, {"low": 9, "high": 1}])
    assert info.value.details == [{"path": "1.low", "message": "must not exceed high"}]
    assert await PeGuarded.filter(low__in=[5, 9]).count() == 0


async def test_read_only_automatic_fields_cannot_be_assigned(ff_env):
    item = await PeItem.create(code="R1", name="r")
    with pytest.raises(ValidationError, match="automatic field"):
        item.id = 5


async def test_unknown_field_on_create_is_refused(ff_env):
    with pytest.raises(ValueError, match="no field 'nmae'; did you mean name"):
        await PeItem.create(nmae="x")


async def test_concurrent_write_is_detected(ff_registry, ff_database):
    async with env_on(ff_database, ff_registry, commit=True):
        item = await PeItem.create(code="CC", name="v1")
    async with env_on(ff_database, ff_registry) as env_a:
        mine = await PeItem.get(item.id)
        async with env_on(ff_database, ff_registry, commit=True):
            theirs = await PeItem.get(item.id)
            theirs.name = "theirs"
            await theirs.save()
        with env_a.bind():
            mine.name = "mine"
            with pytest.raises(ConcurrencyError, match="modified by someone else"):
                await mine.save(check_concurrency=True)
    async with env_on(ff_database, ff_registry, commit=True):
        assert (await PeItem.get(item.id)).name == "theirs"
        await PeItem.filter(code="CC").delete()


async def test_last_writer_wins_without_the_check(ff_registry, ff_database):
    async with env_on(ff_database, ff_registry, commit=True):
        item = await PeItem.create(code="LW", name="v1")
    async with env_on(ff_database, ff_registry, commit=True):
        stale = await PeItem.get(item.id)
        stale.name = "late"
        await asyncio.sleep(0)
        await stale.save()
        assert (await PeItem.get(item.id)).name == "late"
        await PeItem.filter(code="LW").delete()
