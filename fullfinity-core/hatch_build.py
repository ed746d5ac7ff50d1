"""Wheel build hook: the web client's bundle goes inside the wheel (web-client.md 2).

Before a (non-editable) wheel is built from a checkout holding ``frontend/``, the bundle is
built into ``src/fullfinity/web/static/`` unless it is fresh (``frontend/scripts/bundle.py``:
``npm ci`` and ``npm run build`` when the lockfile or the sources changed). The directory is
git-ignored, so ``pyproject.toml`` lists it as a wheel artifact.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

BUNDLE_SCRIPT = Path(__file__).resolve().parent.parent / "frontend" / "scripts" / "bundle.py"
INDEX = Path(__file__).resolve().parent / "src" / "fullfinity" / "web" / "static" / "index.html"


class WebClientBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        if not BUNDLE_SCRIPT.is_file():
            if not INDEX.is_file():
                self.app.display_warning("No frontend/ and no built web client: the wheel serves no web client.")
            return
        spec = importlib.util.spec_from_file_location("fullfinity_frontend_bundle", BUNDLE_SCRIPT)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.ensure_bundle(self.app.display_info)
