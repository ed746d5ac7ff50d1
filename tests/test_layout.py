"""Every distribution of the repository follows the same layout and naming contract (STYLE.md)."""

from __future__ import annotations

import configparser
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DISTRIBUTIONS = sorted(p.parent for p in ROOT.glob("*/pyproject.toml"))


def pyproject(dist: Path) -> dict:
    with (dist / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def test_the_core_distribution_is_there():
    assert ROOT / "fullfinity-core" in DISTRIBUTIONS


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=lambda d: d.name)
def test_the_distribution_is_named_after_its_folder(dist):
    assert pyproject(dist)["project"]["name"] == dist.name


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=lambda d: d.name)
def test_the_distribution_has_a_src_package_and_tests(dist):
    packages = {p.name for p in (dist / "src").iterdir() if (p / "__init__.py").is_file()}
    # fullfinity-core ships the import package `fullfinity`; every other distribution its own name.
    main_package = "fullfinity" if dist.name == "fullfinity-core" else dist.name.replace("-", "_")
    entry_points = pyproject(dist)["project"].get("entry-points", {}).get("fullfinity.modules", {})
    module_packages = {package.split(".")[0] for package in entry_points.values()}

    assert main_package in packages, f"{dist.name}/src must hold the import package {main_package}"
    extra = packages - module_packages - {main_package}
    assert not extra, (
        f"{dist.name}/src holds {sorted(extra)}, which no fullfinity.modules entry point names: "
        "a distribution ships one import package, plus one per glue module it declares"
    )
    assert (dist / "tests").is_dir()


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=lambda d: d.name)
def test_every_module_entry_point_names_a_package_with_a_manifest(dist):
    entry_points = pyproject(dist)["project"].get("entry-points", {}).get("fullfinity.modules", {})

    assert entry_points, f"{dist.name} declares no module in the entry-point group fullfinity.modules"
    for identifier, package in entry_points.items():
        package_dir = dist / "src" / Path(*package.split("."))
        assert (package_dir / "manifest.yaml").is_file(), f"{identifier}: no manifest.yaml in {package_dir}"


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=lambda d: d.name)
def test_the_distribution_declares_the_shared_extras(dist):
    extras = pyproject(dist)["project"].get("optional-dependencies", {})

    assert "test" in extras, f"{dist.name}: tox, nox and dev.py install the 'test' extra"


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=lambda d: d.name)
def test_tox_has_a_test_factor_for_the_distribution(dist):
    tox = configparser.ConfigParser(interpolation=None)
    tox.read(ROOT / "tox.ini")
    factor = dist.name.removeprefix("fullfinity-")

    assert f"{factor}:" in tox["testenv"]["deps"], f"tox.ini: add the '{factor}' factor for {dist.name}"


def test_ci_runs_exactly_the_readme_test_command():
    script = ROOT / ".ci" / "run"
    commands = [
        line for line in script.read_text().splitlines() if line.strip() and not line.startswith(("#", "set ", "cd "))
    ]

    assert commands == ["exec python3 dev.py test"]
    assert script.stat().st_mode & 0o111, ".ci/run must be executable"
