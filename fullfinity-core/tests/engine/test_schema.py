"""Schema sync creates and additively alters tables; it never drops; a second run changes nothing."""

import pytest

from fullfinity.engine.base import Boolean, Char, Integer, ManyToOne, Model, Selection
from fullfinity.engine.database.schema import plan_schema, sync_schema
from fullfinity.engine.records.registry import Registry
from fullfinity.exceptions import ModuleError
from fullfinity.testing.orm import connect


def v1():
    class ScWidget(Model):
        name = Char(max_length=20, required=True)
        code = Char(max_length=10, index=True)
        legacy = Char(required=True)

    return ScWidget


def v2():
    class ScWidget(Model):
        name = Char(max_length=50, required=True)  # widened
        code = Char(max_length=10, unique=True)  # index -> unique
        qty = Integer(required=True, default=1)  # new required field with a default
        flag = Boolean(default=True)  # new boolean
        kind = Selection(choices=["x"])
        # 'legacy' removed from code: kept, NOT NULL relaxed

    return ScWidget


def v3_type_change():
    class ScWidget(Model):
        name = Integer()

    return ScWidget


@pytest.fixture
async def conn(ff_database):
    connection = await connect(ff_database)
    yield connection
    await connection.close()


async def columns(conn, table):
    rows = await conn.fetch(
        "SELECT column_name, data_type, character_maximum_length AS len, is_nullable FROM information_schema.columns "
        "WHERE table_name = $1",
        table,
    )
    return {r["column_name"]: (r["data_type"], r["len"], r["is_nullable"]) for r in rows}


async def test_sync_creates_then_alters_additively_and_is_idempotent(conn):
    first = Registry.from_models(v1())
    plan = await sync_schema(conn, first)
    assert plan.ddl().startswith('CREATE TABLE "sc_widget"')
    assert (await plan_schema(conn, first)).empty
    await conn.execute("INSERT INTO sc_widget (name, code, legacy) VALUES ('a', 'A', 'l')")

    second = Registry.from_models(v2())
    dry = await sync_schema(conn, second, dry_run=True)
    assert 'ALTER TABLE "sc_widget" ADD COLUMN "qty" BIGINT' in dry.ddl()
    assert (await columns(conn, "sc_widget")).get("qty") is None  # dry run changed nothing
    await sync_schema(conn, second)
    cols = await columns(conn, "sc_widget")
    assert cols["name"] == ("character varying", 50, "NO")
    assert cols["qty"][2] == "NO" and cols["flag"][2] == "NO"
    assert cols["legacy"] == ("text", None, "YES")
    row = await conn.fetchrow("SELECT qty, flag FROM sc_widget")
    assert row["qty"] == 1 and row["flag"] is True
    indexes = {r["indexname"] for r in await conn.fetch("SELECT indexname FROM pg_indexes WHERE tablename='sc_widget'")}
    assert "ix_sc_widget__code" not in indexes and "uq_sc_widget__code" in indexes
    assert (await plan_schema(conn, second)).empty


async def test_a_one_column_unique_together_is_kept_by_the_next_sync(conn):
    class ScLabel(Model):
        _unique_together = [("name",)]
        name = Char(max_length=20, required=True)

    registry = Registry.from_models(ScLabel)
    await sync_schema(conn, registry)
    assert (await plan_schema(conn, registry)).empty


async def test_changing_a_field_type_is_refused(conn):
    await sync_schema(conn, Registry.from_models(v1()))
    with pytest.raises(ModuleError, match="needs a migration"):
        await sync_schema(conn, Registry.from_models(v3_type_change()))


def shelf_models(*, indexed: bool):
    class ScShelf(Model):
        name = Char(max_length=20)

    class ScBook(Model):
        shelf = ManyToOne("ScShelf") if indexed else ManyToOne("ScShelf", index=False)

    return ScShelf, ScBook


async def indexes_and_keys(conn, table):
    indexes = {r["indexname"] for r in await conn.fetch("SELECT indexname FROM pg_indexes WHERE tablename = $1", table)}
    keys = {
        r["conname"] for r in await conn.fetch("SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass", table)
    }
    return indexes, keys


async def test_index_false_on_a_many_to_one_opts_out_of_its_index_and_keeps_the_foreign_key(conn):
    registry = Registry.from_models(*shelf_models(indexed=False))
    await sync_schema(conn, registry)
    indexes, keys = await indexes_and_keys(conn, "sc_book")
    assert "ix_sc_book__shelf_id" not in indexes
    assert "fk_sc_book__shelf_id" in keys
    assert (await plan_schema(conn, registry)).empty


async def test_an_upgrade_drops_the_index_a_many_to_one_opts_out_of_and_creates_it_back(conn):
    await sync_schema(conn, Registry.from_models(*shelf_models(indexed=True)))
    assert "ix_sc_book__shelf_id" in (await indexes_and_keys(conn, "sc_book"))[0]

    leaner = Registry.from_models(*shelf_models(indexed=False))
    assert 'DROP INDEX "ix_sc_book__shelf_id"' in (await sync_schema(conn, leaner)).ddl()
    indexes, keys = await indexes_and_keys(conn, "sc_book")
    assert "ix_sc_book__shelf_id" not in indexes and "fk_sc_book__shelf_id" in keys
    assert (await plan_schema(conn, leaner)).empty

    await sync_schema(conn, Registry.from_models(*shelf_models(indexed=True)))
    assert "ix_sc_book__shelf_id" in (await indexes_and_keys(conn, "sc_book"))[0]
