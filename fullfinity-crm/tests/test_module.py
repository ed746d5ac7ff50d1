"""Core's generic module checks, run on the CRM (installs with its demo data, access rights on
every model, actions and menus open, idempotent upgrade, clean uninstall and reinstall)."""

from fullfinity.testing import ModuleChecks


class TestCrmModule(ModuleChecks):
    module = "crm"
    # The won/lost history behind the automatic probability: read and written only by the CRM's
    # own elevated code (lead writes, the batch recompute), never by a user.
    private_models = frozenset({"CrmLeadScoringFrequency"})


async def test_the_leads_table_leaves_room_for_hot_updates(crm):
    from fullfinity_crm.hooks import LEAD_FILLFACTOR

    async with crm.env() as env:
        options = await env.fetchval("SELECT reloptions FROM pg_class WHERE relname = 'crm_lead'")
    assert f"fillfactor={LEAD_FILLFACTOR}" in options
