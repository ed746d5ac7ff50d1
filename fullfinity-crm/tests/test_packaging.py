"""fullfinity-crm builds a wheel carrying its data files and entry point, needing only fullfinity-core."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

DISTRIBUTION_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel pip builds from this checkout (offline: hatchling comes with core's test extra)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--disable-pip-version-check",
         "-q", "-w", str(out), str(DISTRIBUTION_DIR)],
        check=True,
        capture_output=True,
        timeout=120,
    )  # fmt: skip
    (built,) = out.glob("fullfinity_crm-*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


def _read(wheel, suffix):
    (name,) = [n for n in wheel.namelist() if n.endswith(suffix)]
    return wheel.read(name).decode()


def test_the_wheel_ships_every_source_and_data_file_of_the_module(wheel):
    source = DISTRIBUTION_DIR / "src"
    expected = {p.relative_to(source).as_posix() for p in source.rglob("*") if p.suffix in {".py", ".yaml"}}
    assert "fullfinity_crm/manifest.yaml" in expected and "fullfinity_crm/demo/leads.yaml" in expected
    assert {p for p in expected if "__pycache__" not in p} <= set(wheel.namelist())
    assert "fullfinity_crm/py.typed" in wheel.namelist()


def test_the_wheel_declares_the_crm_module_and_needs_only_fullfinity_core(wheel):
    entry_points = _read(wheel, ".dist-info/entry_points.txt")
    metadata = _read(wheel, ".dist-info/METADATA")
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:") and "extra ==" not in line]

    assert "[fullfinity.modules]\ncrm = fullfinity_crm" in entry_points
    assert requires == ["Requires-Dist: fullfinity-core>=0.1"]
