"""Relations: assignment, command lists, filters and ordering through relations, on_delete, prefetch."""

import pytest

from fullfinity.engine.base import (
    Boolean,
    Char,
    FieldNotLoadedError,
    Float,
    IntegrityError,
    ManyToMany,
    ManyToOne,
    Model,
    OneToMany,
    OneToOne,
    Q,
    ValidationError,
)


class RlCountry(Model):
    name = Char(required=True)
    code = Char(max_length=3)


class RlPartner(Model):
    name = Char(required=True)
    country = ManyToOne("RlCountry", related_name="partners")
    parent = ManyToOne("RlPartner", related_name="children", on_delete="CASCADE")
    active = Boolean(default=True)


class RlTag(Model):
    name = Char(required=True)
    active = Boolean(default=True)


class RlProduct(Model):
    name = Char(required=True)
    tags = ManyToMany("RlTag", related_name="products")


class RlPicking(Model):
    name = Char(required=True)
    partner = ManyToOne("RlPartner", related_name="pickings", on_delete="RESTRICT")
    moves = OneToMany("RlMove", related_name="picking")


class RlMove(Model):
    picking = ManyToOne("RlPicking", related_name="moves", on_delete="CASCADE", required=True)
    product = ManyToOne("RlProduct", related_name="moves")
    weight = Float()
    active = Boolean(default=True)


class RlBadge(Model):
    code = Char()
    holder = OneToOne("RlPartner", related_name="badge", on_delete="SET NULL")


MODELS = [RlCountry, RlPartner, RlTag, RlProduct, RlPicking, RlMove, RlBadge]


@pytest.fixture
async def world(ff_env):
    fr = await RlCountry.create(name="France", code="FR")
    de = await RlCountry.create(name="Germany", code="DE")
    ann = await RlPartner.create(name="Ann", country=fr)
    bob = await RlPartner.create(name="Bob", country=de.id)
    red = await RlTag.create(name="red")
    old = await RlTag.create(name="old", active=False)
    bolt = await RlProduct.create(name="Bolt", tags=[red.id, old.id])
    nut = await RlProduct.create(name="Nut")
    p1 = await RlPicking.create(
        name="P1",
        partner=ann,
        moves=[["N", {"product": bolt.id, "weight": 5}], ["N", {"product": nut.id, "weight": 20}]],
    )
    p2 = await RlPicking.create(name="P2", partner=bob, moves=[["N", {"product": nut.id, "weight": 1}]])
    return dict(fr=fr, de=de, ann=ann, bob=bob, red=red, old=old, bolt=bolt, nut=nut, p1=p1, p2=p2)


async def test_many_to_one_reads_a_stub_until_fetched(world):
    ann = await RlPartner.get(world["ann"].id)
    assert ann.country.id == world["fr"].id
    with pytest.raises(FieldNotLoadedError):
        _ = ann.country.name
    await ann.fetch_related("country")
    assert ann.country.name == "France"


async def test_reverse_fields_exist_and_load(world):
    fr = await RlCountry.get(world["fr"].id)
    await fr.fetch_related("partners")
    assert [p.name for p in fr.partners] == ["Ann"]
    assert "badge" in RlPartner._composed_class()._fields  # OneToOne reverse
    badge = await RlBadge.create(code="B1", holder=world["ann"])
    ann = await RlPartner.get(world["ann"].id)
    await ann.fetch_related("badge")
    assert ann.badge == badge


async def test_command_lists_on_many_to_many(world):
    bolt = world["bolt"]
    blue = await RlTag.create(name="blue")
    bolt.tags = [["U", world["red"].id], ["L", blue.id], ["N", {"name": "green"}]]
    await bolt.save()
    await bolt.fetch_related("tags")
    assert sorted(t.name for t in bolt.tags) == ["blue", "green"]  # "old" is archived: hidden in lists
    bolt.tags = [["S", [world["red"].id]]]
    await bolt.save()
    await bolt.fetch_related("tags")
    assert [t.name for t in bolt.tags] == ["red"]
    red = await RlTag.get(world["red"].id)
    await red.fetch_related("products")
    assert [p.name for p in red.products] == ["Bolt"]  # the reverse side sees the same links
    bolt.tags = [["C"]]
    await bolt.save()
    assert await RlProduct.filter(tags__isnull=True).count() == 2


async def test_command_lists_on_one_to_many(world):
    p1 = world["p1"]
    await p1.fetch_related("moves")
    first, second = p1.moves
    p1.moves = [["W", first.id, {"weight": 7}], ["D", second.id]]
    await p1.save()
    await p1.fetch_related("moves")
    assert [m.weight for m in p1.moves] == [7]
    p1.moves = [["U", first.id]]  # picking is required on moves: unlinking deletes the move
    await p1.save()
    assert not await RlMove.filter(id=first.id).exists()


async def test_bad_nested_values_report_a_dotted_path(world):
    with pytest.raises(ValidationError) as info:
        await RlPicking.create(name="P3", moves=[["N", {"weight": "heavy"}]])
    assert {d["path"] for d in info.value.details} == {"moves.0.weight"}


async def test_bulk_create_writes_many_to_many_links_in_one_statement(world, ff_env):
    red, blue = world["red"], await RlTag.create(name="blue")
    rows = [{"name": f"Screw {i}", "tags": [red.id, blue.id] if i % 2 else [["L", blue.id]]} for i in range(50)]

    with ff_env.count_queries() as counter:
        created = await RlProduct.bulk_create(rows)

    assert counter.total <= 4  # (the sequence name, once), ids, COPY, one INSERT of every link
    await created.fetch_related("tags")
    assert [sorted(t.name for t in p.tags) for p in created][:2] == [["blue"], ["blue", "red"]]


async def test_bulk_create_applies_one_to_many_commands(world):
    created = await RlPicking.bulk_create(
        [{"name": "B1", "moves": [["N", {"weight": 2}], ["N", {"weight": 3}]]}, {"name": "B2"}]
    )

    await created.fetch_related("moves")
    assert [sorted(m.weight for m in p.moves) for p in created] == [[2, 3], []]


async def test_bulk_create_reports_bad_nested_lines_under_their_row(world):
    with pytest.raises(ValidationError) as info:
        await RlPicking.bulk_create([{"name": "B3"}, {"name": "B4", "moves": [["N", {"weight": "heavy"}]]}])

    assert {d["path"] for d in info.value.details} == {"1.moves.0.weight"}


async def test_filters_through_relations_never_duplicate_rows(world):
    assert [p.name for p in await RlPicking.filter(partner__country__code="FR")] == ["P1"]
    assert await RlPicking.filter(moves__weight__gt=0).count() == 2  # P1 has two moves, counted once
    assert [p.name for p in await RlPicking.filter(moves__any=Q(weight__gt=10, product__name="Nut"))] == ["P1"]
    assert [p.name for p in await RlPicking.filter(moves__none=Q(weight__gt=10))] == ["P2"]
    assert await RlPicking.filter(moves__isnull=True).count() == 0
    assert [p.name for p in await RlPicking.filter(partner=world["bob"])] == ["P2"]
    assert [p.name for p in await RlPicking.filter("Q(partner__name__in=['Ann'])")] == ["P1"]


async def test_archived_related_records_do_not_match_filters(world):
    assert await RlProduct.filter(tags__name="old").count() == 0
    assert await RlProduct.filter(tags__name="red").count() == 1


async def test_negation_is_two_valued_across_null_relations(world):
    orphan = await RlPartner.create(name="Orphan")
    names = sorted(p.name for p in await RlPartner.exclude(country__code="FR"))
    assert names == ["Bob", "Orphan"]
    assert orphan.id in (await RlPartner.filter(~Q(country__name="Germany"))).ids


async def test_order_by_relation_paths(world):
    assert [p.name for p in await RlPicking.order_by("partner__country__name DESC")] == ["P2", "P1"]
    assert [p.name for p in await RlPartner.filter(country__isnull=False).order_by("country")] == ["Ann", "Bob"]


async def test_group_by_a_relation_gives_id_and_display_name(world):
    rows = await RlMove.filter().group_by("product", aggregates=["weight:sum"])
    assert rows == [
        {"product": {"id": world["bolt"].id, "display_name": "Bolt"}, "__count": 1, "weight:sum": 5.0},
        {"product": {"id": world["nut"].id, "display_name": "Nut"}, "__count": 2, "weight:sum": 21.0},
    ]
    by_country = await RlPicking.filter().group_by("partner__country")
    assert [g["partner__country"]["display_name"] for g in by_country] == ["France", "Germany"]


async def test_on_delete_restrict_cascade_and_set_null(world):
    with pytest.raises(IntegrityError, match="RlPicking records still refer"):
        await world["ann"].delete()
    await world["p1"].delete()
    assert await RlMove.filter(picking=world["p1"].id).count() == 0  # CASCADE
    badge = await RlBadge.create(code="B2", holder=world["ann"])
    child = await RlPartner.create(name="Kid", parent=world["ann"])
    await world["ann"].delete()
    assert not await RlPartner.filter(id=child.id).exists()  # CASCADE through the ORM
    assert (await RlBadge.get(badge.id)).holder is None  # SET NULL


async def test_a_loop_reading_a_relation_costs_one_query(world, ff_env):
    for i in range(30):
        await RlPicking.create(name=f"L{i}", partner=world["bob"])
    pickings = await RlPicking.filter(name__startswith="L")
    with ff_env.count_queries() as counter:
        for picking in pickings:
            await picking.fetch_related("partner")
            assert picking.partner.name == "Bob"
    assert counter.total == 1


async def test_nested_paths_cost_one_query_per_level(world, ff_env):
    pickings = await RlPicking.filter()
    with ff_env.count_queries() as counter:
        await pickings.fetch_related("moves__product__tags")
    assert counter.total == 4  # moves, products, tag links, tags
    names = sorted(t.name for p in pickings for m in p.moves for t in m.product.tags)
    assert names == ["red"]


async def test_with_fields_to_one_paths_are_read_in_the_same_statement(world, ff_env):
    with ff_env.count_queries() as counter:
        pickings = await RlPicking.with_fields("name", "partner__name").order_by("name")
    assert [(p.name, p.partner.name) for p in pickings] == [("P1", "Ann"), ("P2", "Bob")]
    assert counter.total == 1  # one SELECT with a LEFT JOIN of the partners


async def test_queryset_fetch_related_joins_every_to_one_level_in_one_statement(world, ff_env):
    with ff_env.count_queries() as counter:
        moves = await RlMove.filter().order_by("weight").fetch_related("picking__partner__country")
    assert counter.total == 1
    assert [(m.picking.name, m.picking.partner.name, m.picking.partner.country.code) for m in moves] == [
        ("P2", "Bob", "DE"),
        ("P1", "Ann", "FR"),
        ("P1", "Ann", "FR"),
    ]
    assert moves[1].picking is moves[2].picking  # one record per target, shared by the rows
    assert {p.name for p in moves[0].picking._grp()} == {"P1", "P2"}  # the targets' own prefetch group


async def test_a_missing_to_one_target_reads_as_none_through_the_join(world, ff_env):
    await RlPartner.create(name="Nobody's")
    partners = await RlPartner.filter(name="Nobody's").fetch_related("country", "parent")
    assert partners[0].country is None and partners[0].parent is None


async def test_x2many_paths_stay_batched_beside_joined_to_one_paths(world, ff_env):
    with ff_env.count_queries() as counter:
        pickings = await RlPicking.filter().order_by("name").fetch_related("partner", "moves")
    assert counter.total == 2  # pickings JOIN partners, then the moves of every picking
    assert [(p.partner.name, sorted(m.weight for m in p.moves)) for p in pickings] == [("Ann", [5, 20]), ("Bob", [1])]


async def test_one_to_one_is_unique(world, ff_registry):
    badge = ff_registry.get("RlBadge")
    assert badge._fields["holder"].unique is True
    await RlBadge.create(code="U1", holder=world["bob"])
    with pytest.raises(IntegrityError, match="holder"):
        await RlBadge.create(code="U2", holder=world["bob"])
