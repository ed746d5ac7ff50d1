"""The runnable examples of docs/ run and show what the guides say."""

import importlib.util
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"docs_example_{name}", DOCS / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_orm_tour_runs_as_the_guide_describes(ff_database):
    tour = load("orm_tour")
    from fullfinity.testing.orm import env_on, registry_on

    registry = await registry_on(ff_database, tour.HelpdeskTicket)
    async with env_on(ff_database, registry):
        seen = await tour.tour()
    assert seen["problems"] == ["name", "priority", "price"]
    assert seen["urgent"] == ["Printer jam"]
    assert seen["overdue"] == 100 and seen["q"] == 101 and seen["q_string"] == 100
    assert seen["hydrated"] == "Printer jam"
    assert {g["priority"]: g["__count"] for g in seen["groups"]} == {"normal": 100, "urgent": 1}
    assert seen["updated"] == 100
