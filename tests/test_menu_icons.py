"""Every icon a shipped menu names is one the web client draws (the rest fall back to a generic
icon, which is right for third-party modules but a slip for the repository's own)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "frontend" / "src" / "ui" / "Shell" / "icons.tsx"


def shipped_icons() -> set[str]:
    names: set[str] = set()
    for path in ROOT.glob("*/src/**/*.yaml"):
        if "node_modules" in path.parts or "templates" in path.parts:
            continue
        for doc in yaml.safe_load_all(path.read_text()):
            for record in doc if isinstance(doc, list) else []:
                if isinstance(record, dict) and record.get("data_type") == "UiMenu" and record.get("icon"):
                    names.add(str(record["icon"]))
    return names


def test_the_client_draws_every_icon_of_the_shipped_menus():
    block = re.search(r"const ICONS[^{]*\{(.*?)\};", ICONS.read_text(), re.S)
    assert block is not None, "icons.tsx: the ICONS map was not found"
    drawn = {name.strip() for name in block.group(1).split(",") if name.strip()}

    shipped = shipped_icons()
    assert {"Users", "Receipt", "Truck"} <= shipped, "the menus of core, invoicing and inventory were not read"
    missing = shipped - drawn
    assert not missing, f"add {sorted(missing)} to the ICONS map of {ICONS.relative_to(ROOT)}"
