"""The generated parts of docs/ are in step with the code."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _generator():
    spec = importlib.util.spec_from_file_location("docs_generate", ROOT / "docs" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATE = _generator()


@pytest.mark.parametrize("name", sorted(GENERATE.GENERATED))
def test_the_generated_block_matches_the_code(name):
    path = ROOT / "docs" / name

    assert GENERATE.regenerated(path) == path.read_text(encoding="utf-8"), (
        f"docs/{name} is out of date: run `python3 dev.py docs`"
    )


def test_the_settings_page_lists_every_setting():
    from fullfinity.settings import Settings

    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")

    assert [n for n in Settings.model_fields if f"`FULLFINITY_{n.upper()}`" not in text] == []


def test_the_hooks_page_documents_every_hook():
    from fullfinity import hookspecs

    text = (ROOT / "docs" / "hooks.md").read_text(encoding="utf-8")
    hooks = [name for name, obj in vars(hookspecs).items() if hasattr(obj, "fullfinity_spec")]

    assert hooks and [h for h in hooks if f"### `{h}`" not in text] == []


@pytest.mark.parametrize("page", ["README.md", "docs/architecture.md", "docs/operations.md"])
def test_relative_links_point_at_existing_files(page):
    import re

    text = (ROOT / page).read_text(encoding="utf-8")
    targets = re.findall(r"\]\((?!https?://|#)([^)#\s]+)", text)

    missing = [t for t in targets if not ((ROOT / page).parent / t).exists()]
    assert missing == []


def test_the_architecture_page_and_the_readme_name_every_room_of_the_engine():
    engine = ROOT / "fullfinity-core" / "src" / "fullfinity" / "engine"
    rooms = sorted(p.name for p in engine.iterdir() if (p / "__init__.py").is_file())
    architecture = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    assert rooms, "no room found under fullfinity-core/src/fullfinity/engine"
    assert [r for r in rooms if f"| `engine/{r}/` |" not in architecture] == []
    assert [r for r in rooms if f"{r}/" not in readme] == []
