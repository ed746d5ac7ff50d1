"""/api/query applies Search-view filters by name (views.md 7.4): ORed within a divider group,
ANDed across groups and with ``q_filter``; record rules still apply."""

from __future__ import annotations

import pytest
import pytest_asyncio

SEARCH_ARCH = [
    {
        "content": [
            {"type": "field", "name": "name"},
            {"type": "filter", "name": "mine", "properties": {"label": "Mine", "q_filter": "Q(assignee__id__eq=uid)"}},
            {
                "type": "filter",
                "name": "unassigned",
                "properties": {"label": "Free", "q_filter": "Q(assignee__isnull=True)"},
            },
            {"type": "divider"},
            {"type": "filter", "name": "urgent", "properties": {"label": "Urgent", "q_filter": "Q(priority='urgent')"}},
            {"type": "filter", "name": "low", "properties": {"label": "Low", "q_filter": "Q(priority='low')"}},
        ]
    }
]
BLUE_ARCH = [{"content": [{"type": "filter", "name": "blue", "properties": {"q_filter": "Q(team__code='B')"}}]}]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def views(api):
    async with api.env(api.app.state.test_runtime) as env:
        await env["UiView"].create(name="tickets", type="Search", model="ApiTicket", arch=SEARCH_ARCH, sequence=1)
        alt = await env["UiView"].create(name="blue", type="Search", model="ApiTicket", arch=BLUE_ARCH, sequence=50)
    return {"alt": f"ui_view_{alt.id}"}


async def names(api, body) -> list[str]:
    response = await api.post("/api/query/ApiTicket", {"fields": ["name"], **body})
    assert response.status_code == 200, response.text
    return sorted(r["name"] for r in response.json()["data"])


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (["mine"], ["Printer jams", "VPN drops"]),
        (["mine", "unassigned"], ["Printer jams", "Unassigned", "VPN drops"]),  # same group: OR
        (["mine", "urgent"], ["Printer jams"]),  # across a divider: AND
        (["unassigned", "urgent", "low"], ["Unassigned"]),
    ],
)
async def test_named_filters_combine_like_the_search_view(api, views, filters, expected):
    assert await names(api, {"filters": filters}) == expected


async def test_named_filters_are_anded_with_q_filter(api, views):
    assert await names(api, {"filters": ["mine"], "q_filter": "Q(name__icontains='vpn')"}) == ["VPN drops"]


async def test_record_rules_still_apply_to_named_filters(api, views):
    assert await names(api, {"filters": ["low"]}) == ["Unassigned"]  # Bob's low ticket stays hidden


async def test_get_query_accepts_comma_separated_filters(api, views):
    response = await api.get("/api/query/ApiTicket", params={"fields": "name", "filters": "mine,urgent"})
    assert response.status_code == 200, response.text
    assert [r["name"] for r in response.json()["data"]] == ["Printer jams"]


async def test_an_unknown_filter_is_400_naming_it_and_the_available_ones(api, views):
    response = await api.post("/api/query/ApiTicket", {"filters": ["mine", "boss"]})
    assert response.status_code == 400
    error = response.json()["error"]
    assert "'boss'" in error["message"] and "available: low, mine, unassigned, urgent" in error["message"]
    assert error["details"] == [{"path": "filters", "message": "unknown filter 'boss'"}]


async def test_search_view_names_another_view_whose_filters_then_apply(api, views):
    assert await names(api, {"filters": ["blue"], "search_view": views["alt"]}) == ["Unassigned"]
    response = await api.post("/api/query/ApiTicket", {"filters": ["blue"]})  # not in the user's default view
    assert response.status_code == 400 and "available: low, mine" in response.json()["error"]["message"]


async def test_search_view_without_filters_is_400(api, views):
    response = await api.post("/api/query/ApiTicket", {"search_view": views["alt"]})
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["path"] == "search_view"


async def test_groups_drill_down_with_the_named_filters(api, views):
    response = await api.post("/api/query/ApiTicket", {"filters": ["mine"], "group_by": ["priority"]})
    assert response.status_code == 200, response.text
    groups = {g["priority"]: g for g in response.json()["data"]}
    assert {k: g["__count"] for k, g in groups.items()} == {"urgent": 1, "normal": 1}
    drill = groups["urgent"]["__q_filter"]
    assert await names(api, {"q_filter": drill}) == ["Printer jams"]
