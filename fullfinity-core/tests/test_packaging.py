"""fullfinity-core builds a wheel carrying its data files and entry points."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

DISTRIBUTION_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    """The wheel pip builds from this checkout (offline: hatchling comes from the test extra)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "-q",
            "-w",
            str(out),
            str(DISTRIBUTION_DIR),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (built,) = out.glob("fullfinity_core-*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


def _read(wheel: zipfile.ZipFile, suffix: str) -> str:
    (name,) = [n for n in wheel.namelist() if n.endswith(suffix)]
    return wheel.read(name).decode()


def test_the_wheel_ships_the_core_manifest(wheel):
    assert "fullfinity/modules/core/manifest.yaml" in wheel.namelist()


def test_the_wheel_ships_every_source_file_of_the_package(wheel):
    source = DISTRIBUTION_DIR / "src"
    expected = {p.relative_to(source).as_posix() for p in source.rglob("*") if p.suffix in {".py", ".yaml"}}
    expected = {p for p in expected if "__pycache__" not in p}

    assert expected <= set(wheel.namelist())


def test_the_wheel_ships_the_module_templates_of_the_scaffold(wheel):
    templates = DISTRIBUTION_DIR / "src" / "fullfinity" / "scaffold" / "templates"
    expected = {p.relative_to(DISTRIBUTION_DIR / "src").as_posix() for p in templates.rglob("*.tmpl")}

    assert "fullfinity/scaffold/templates/module/pyproject.toml.tmpl" in expected
    assert expected <= set(wheel.namelist())


def test_the_wheel_declares_core_in_the_modules_entry_point_group(wheel):
    entry_points = _read(wheel, ".dist-info/entry_points.txt")

    assert "[fullfinity.modules]\ncore = fullfinity.modules.core" in entry_points


def test_the_wheel_installs_the_fullfinity_command_and_the_pytest_plugin(wheel):
    entry_points = _read(wheel, ".dist-info/entry_points.txt")

    assert "fullfinity = fullfinity.cli:main" in entry_points
    assert "[pytest11]\nfullfinity = fullfinity.testing.pytest_plugin" in entry_points


def test_the_wheel_marks_the_package_as_typed(wheel):
    assert "fullfinity/py.typed" in wheel.namelist()


def test_the_wheel_ships_the_built_web_client(wheel):
    names = wheel.namelist()

    assert "fullfinity/web/static/index.html" in names
    assets = [n for n in names if n.startswith("fullfinity/web/static/assets/")]
    assert any(n.endswith(".js") for n in assets) and any(n.endswith(".css") for n in assets)
    index = wheel.read("fullfinity/web/static/index.html").decode()
    referenced = re.findall(r'(?:src|href)="/(assets/[^"]+)"', index)
    assert referenced and all(f"fullfinity/web/static/{path}" in names for path in referenced)
