"""A user never reaches what their groups do not grant: every ORM path applies model access,
record rules and field groups. (HTTP paths are covered with the REST API.)"""

import pytest

from fullfinity.engine.base import AccessError, Char, Integer, ManyToOne, MissingError, Model, Monetary, OneToMany, Q
from fullfinity.engine.records.identifiers import bind, ensure_table
from fullfinity.modules.core.models.access import ModelAccess, RecordRule
from fullfinity.modules.core.models.contact import Company, Contact
from fullfinity.modules.core.models.currency import Country, Currency
from fullfinity.modules.core.models.group import Group
from fullfinity.modules.core.models.user import User
from fullfinity.testing.orm import connect, env_on


class ScTeam(Model):
    name = Char(required=True)


class ScLead(Model):
    name = Char(required=True)
    team = ManyToOne("ScTeam", related_name="leads")
    salesman = ManyToOne("User", related_name="sc_leads")
    customer = ManyToOne("Contact", related_name="sc_leads")
    margin = Monetary(groups=["sc_manager"])


class ScCall(Model):
    name = Char(required=True)
    lead = ManyToOne("ScLead", related_name="calls")


class ScInvoice(Model):
    name = Char(required=True)
    lines = OneToMany("ScLine", related_name="invoice")
    total = Integer(calculate="compute_total", store=True)

    @Model.calculate("lines", "lines__qty")
    async def compute_total(self):
        await self.fetch_related("lines")
        self.total = sum(line.qty or 0 for line in self.lines)


class ScLine(Model):
    invoice = ManyToOne("ScInvoice", related_name="lines", required=True)
    qty = Integer()


CORE = [Group, User, ModelAccess, RecordRule, Company, Contact, Currency, Country]
MODELS = [*CORE, ScTeam, ScLead, ScCall, ScInvoice, ScLine]


@pytest.fixture(scope="module")
async def world(ff_registry, ff_database):
    conn = await connect(ff_database)
    await ensure_table(conn)
    await conn.close()
    async with env_on(ff_database, ff_registry, commit=True) as env:
        internal = await Group.create(name="Internal")
        portal = await Group.create(name="Portal")
        manager = await Group.create(name="Sales manager", implied_groups=[internal.id])
        for ident, group in (("core_internal", internal), ("core_portal", portal), ("sc_manager", manager)):
            await bind(env, ident, "Group", group.id, "test")
        customer = await Contact.create(name="ACME")
        other_customer = await Contact.create(name="Globex")
        ann = await User.create(name="Ann", email="ann@x.test", groups=[internal.id])
        bob = await User.create(name="Bob", email="bob@x.test", groups=[internal.id])
        boss = await User.create(name="Boss", email="boss@x.test", groups=[manager.id])
        pat = await User.create(name="Pat", email="pat@x.test", groups=[portal.id], contact=customer)
        nobody = await User.create(name="Nobody", email="no@x.test")
        for group, perms in ((internal, "rwcd"), (portal, "r")):
            for model in ("ScLead", "ScTeam", "ScCall"):
                await ModelAccess.create(
                    name=f"{model} {group.name}",
                    model=model,
                    group=group,
                    read_perm="r" in perms,
                    write_perm="w" in perms,
                    create_perm="c" in perms,
                    delete_perm="d" in perms,
                )
        await RecordRule.create(name="own leads", model="ScLead", groups=[internal.id], rule="Q(salesman__id__eq=uid)")
        await RecordRule.create(name="managers see all", model="ScLead", groups=[manager.id], rule="Q()")
        await RecordRule.create(
            name="portal: own customer", model="ScLead", groups=[portal.id], rule="Q(customer__id__eq=contact_id)"
        )
        await RecordRule.create(
            name="teams of my leads",
            model="ScTeam",
            groups=[internal.id, portal.id],
            rule="Q(leads__salesman__id__eq=uid) | Q(leads__customer__id__eq=contact_id)",
        )
        red = await ScTeam.create(name="Red")
        blue = await ScTeam.create(name="Blue")
        a1 = await ScLead.create(name="A1", team=red, salesman=ann, customer=customer, margin="100")
        a2 = await ScLead.create(name="A2", team=red, salesman=ann, customer=other_customer, margin="50")
        b1 = await ScLead.create(name="B1", team=blue, salesman=bob, customer=other_customer, margin="999")
        await ScCall.create(name="call A1", lead=a1)
        await ScCall.create(name="call B1", lead=b1)
    return dict(
        ann=ann.id,
        bob=bob.id,
        boss=boss.id,
        pat=pat.id,
        nobody=nobody.id,
        a1=a1.id,
        a2=a2.id,
        b1=b1.id,
        red=red.id,
        blue=blue.id,
    )


@pytest.fixture
def as_user(ff_registry, ff_database, world):
    def open_env(name):
        return env_on(ff_database, ff_registry, uid=world[name])

    return open_env


async def names(qs):
    return sorted(r.name for r in await qs)


async def test_query_shows_only_records_the_rules_allow(as_user):
    async with as_user("ann"):
        assert await names(ScLead.filter()) == ["A1", "A2"]
    async with as_user("boss"):
        assert await names(ScLead.filter()) == ["A1", "A2", "B1"]
    async with as_user("pat"):
        assert await names(ScLead.filter()) == ["A1"]


async def test_fetch_by_id_of_a_hidden_record_is_missing(as_user, world):
    async with as_user("ann"):
        with pytest.raises(MissingError):
            await ScLead.get(world["b1"])


async def test_count_exists_and_group_by_only_see_allowed_records(as_user):
    async with as_user("ann"):
        assert await ScLead.filter().count() == 2
        assert not await ScLead.filter(name="B1").exists()
        groups = await ScLead.filter().group_by("team")
        assert [(g["team"]["display_name"], g["__count"]) for g in groups] == [("Red", 2)]


async def test_filtering_through_a_relation_does_not_reveal_hidden_records(as_user):
    async with as_user("ann"):
        # Bob's lead is in team Blue; Ann cannot see it, so Blue has no lead matching "B1" for her.
        assert await names(ScTeam.filter(leads__name="B1")) == []
        assert await names(ScTeam.filter()) == ["Red"]  # the team rule goes through leads


async def test_related_reads_leave_out_hidden_records(as_user, world):
    async with as_user("ann"):
        red = await ScTeam.get(world["red"])
        await red.fetch_related("leads")
        assert sorted(lead.name for lead in red.leads) == ["A1", "A2"]


async def test_ordering_by_a_related_field_cannot_leak_hidden_values(as_user):
    async with as_user("pat"):
        assert await names(ScLead.order_by("team__name")) == ["A1"]


async def test_bulk_update_only_reaches_records_the_user_can_see(as_user, world):
    async with as_user("ann"):
        assert await ScLead.filter(id__in=[world["a1"], world["b1"]]).update(name="X") == 1
        assert await names(ScLead.filter(name="X")) == ["X"]
    async with as_user("boss"):
        assert await names(ScLead.filter(name="X")) == []  # rolled back; B1 was never touched


async def test_write_rule_narrower_than_read_refuses_the_whole_update(as_user, world, ff_registry, ff_database):
    async with env_on(ff_database, ff_registry) as env:  # system: add a rule, then act as Ann (same transaction)
        await RecordRule.create(
            name="no writing A2",
            model="ScLead",
            rule="~Q(name='A2')",
            read_perm=False,
            create_perm=False,
            delete_perm=False,
        )
        env.real_uid, env.is_elevated = world["ann"], False
        await env.load_access()
        with pytest.raises(AccessError, match="outside the record rules"):
            await ScLead.filter().update(name="Z")
        with env.sudo():
            assert await names(ScLead.filter(name="Z")) == []


async def test_writes_by_a_user_without_write_access_are_refused(as_user, world):
    async with as_user("pat"):
        lead = await ScLead.get(world["a1"])
        lead.name = "Hacked"
        with pytest.raises(AccessError, match="not allowed to write ScLead"):
            await lead.save()
        with pytest.raises(AccessError, match="not allowed to create ScLead"):
            await ScLead.create(name="New")
        with pytest.raises(AccessError, match="not allowed to delete ScLead"):
            await ScLead.filter().delete()


async def test_a_user_without_any_access_cannot_read(as_user):
    async with as_user("nobody"):
        with pytest.raises(AccessError, match="not allowed to read ScLead"):
            await ScLead.filter()


async def test_create_must_satisfy_the_create_rule(as_user, world):
    async with as_user("ann") as env:
        with pytest.raises(AccessError, match="outside the record rules"):
            await ScLead.create(name="For Bob", salesman=world["bob"])
        with env.sudo():
            assert not await ScLead.filter(name="For Bob").exists()
        lead = await ScLead.create(name="Mine", salesman=world["ann"])
        assert lead.id


async def test_delete_of_another_salesmans_lead_is_refused(as_user, world):
    async with as_user("ann"):
        with pytest.raises(MissingError):
            await ScLead.browse(world["b1"]).delete()


async def test_restricted_fields_are_hidden_on_read_and_refused_on_write(as_user, world):
    async with as_user("ann"):
        lead = await ScLead.get(world["a1"])
        assert not hasattr(lead, "_f_margin")  # left out of the default read
        with pytest.raises(AccessError, match="restricted to the groups sc_manager"):
            await ScLead.with_fields("margin").filter()
        with pytest.raises(AccessError, match="restricted"):
            await ScLead.filter(margin__gt=10)
        lead.margin = "1"
        with pytest.raises(AccessError, match="restricted"):
            await lead.save()
    async with as_user("boss"):
        assert (await ScLead.get(world["b1"])).margin == 999


async def test_sudo_bypasses_everything(as_user):
    async with as_user("pat") as env:
        with env.sudo():
            assert await ScLead.filter().count() == 3


async def test_q_filters_combine_with_rules(as_user):
    async with as_user("ann"):
        assert await names(ScLead.filter(Q(name="A1") | Q(name="B1"))) == ["A1"]


async def test_access_profiles_are_cached_and_invalidated_when_security_data_changes(ff_registry, ff_database, world):
    from fullfinity.engine.cache import create_cache

    cache = create_cache(None)
    async with env_on(ff_database, ff_registry, uid=world["pat"], cache=cache):
        assert await names(ScLead.filter()) == ["A1"]
    async with env_on(ff_database, ff_registry, uid=world["pat"], cache=cache) as env:
        with env.count_queries() as counter:
            await env.load_access()
    assert counter.total == 0  # served from the cache
    async with env_on(ff_database, ff_registry, cache=cache, commit=True):
        rule = await RecordRule.create(
            name="portal sees all", model="ScLead", rule="Q()", groups=[(await Group.filter(name="Portal").get()).id]
        )
    try:
        async with env_on(ff_database, ff_registry, uid=world["pat"], cache=cache):
            assert await names(ScLead.filter()) == ["A1", "A2", "B1"]  # the new rule applies at once
    finally:
        async with env_on(ff_database, ff_registry, cache=cache, commit=True):
            await RecordRule.browse(rule.id).delete()


async def test_related_records_of_a_model_the_user_cannot_read_stay_stubs(as_user, world):
    async with as_user("ann"):  # internal users have no access right on Contact in this world
        lead = await ScLead.get(world["a1"])
        await lead.fetch_related("customer")
        assert lead.customer.id is not None
        assert not hasattr(lead.customer, "_f_name")
        with pytest.raises(AccessError, match="not allowed to read Contact"):
            await Contact.filter()


async def test_a_to_one_target_hidden_by_a_record_rule_reads_as_a_stub_through_the_join(as_user, world, ff_registry):
    async with as_user("ann") as env:
        with env.count_queries() as counter:
            calls = await ScCall.filter().order_by("name").with_fields("name", "lead__name", "lead__display_name")
        assert counter.total == 1  # the leads are LEFT JOINed in the same statement
        mine, hidden = calls
        assert (mine.lead.name, mine.lead.display_name) == ("A1", "A1")
        assert hidden.lead.id == world["b1"]  # the id the call row holds, nothing of Bob's lead
        assert not hasattr(hidden.lead, "_f_name") and not hasattr(hidden.lead, "_f_display_name")
        with env.count_queries() as counter:
            joined = await ScCall.filter().order_by("name").fetch_related("lead")
        assert counter.total == 1
        assert joined[0].lead.name == "A1" and not hasattr(joined[1].lead, "_f_name")


async def test_a_group_protected_field_stays_protected_through_the_join(as_user, world):
    async with as_user("ann") as env:
        with pytest.raises(AccessError, match="restricted to the groups sc_manager"):
            await ScCall.with_fields("name", "lead__margin")
        calls = await ScCall.filter().order_by("name").fetch_related("lead")
        assert calls[0].lead.name == "A1" and not hasattr(calls[0].lead, "_f_margin")  # left out, as on a plain read
    async with as_user("boss") as env:
        with env.count_queries() as counter:
            calls = await ScCall.with_fields("name", "lead__margin").order_by("name")
        assert counter.total == 1
        assert [c.lead.margin for c in calls] == [100, 999]


async def test_joined_and_prefetched_to_one_reads_give_the_same_records(as_user, world):
    async with as_user("ann"):
        joined = await ScCall.filter().order_by("name").fetch_related("lead")
        later = await ScCall.filter().order_by("name")
        await later.fetch_related("lead")
        for a, b in zip(joined, later, strict=True):
            assert a.lead.id == b.lead.id
            assert getattr(a.lead, "_f_name", None) == getattr(b.lead, "_f_name", None)
            assert hasattr(a.lead, "_f_margin") == hasattr(b.lead, "_f_margin")


async def test_browse_cannot_read_hidden_records_through_refresh_or_fetch_related(as_user, world):
    async with as_user("ann"):
        hidden = ScLead.browse(world["b1"])
        with pytest.raises(MissingError):
            await hidden.refresh()
        await hidden.fetch_related("name")
        assert not hasattr(hidden, "_f_name")
        mine = ScLead.browse(world["a1"])
        await mine.refresh()
        assert mine.name == "A1" and not hasattr(mine, "_f_margin")  # restricted field left out
        with pytest.raises(AccessError, match="restricted"):
            await mine.fetch_related("margin")


async def test_stored_computed_fields_are_recomputed_even_where_the_user_cannot_read(ff_registry, ff_database, world):
    async with env_on(ff_database, ff_registry) as env:
        invoice = await ScInvoice.create(name="I", lines=[["N", {"qty": 1}]])
        line = await ScLine.filter(invoice=invoice).get()
        internal = (await Group.filter(name="Internal").get()).id
        await ModelAccess.create(name="lines", model="ScLine", group=internal, read_perm=True, write_perm=True)
        env.real_uid, env.is_elevated = world["ann"], False  # Ann may write lines, not read invoices
        await env.load_access()
        line.qty = 5
        await line.save()
        await env.flush()
        with env.sudo():
            assert (await ScInvoice.get(invoice.id)).total == 5
