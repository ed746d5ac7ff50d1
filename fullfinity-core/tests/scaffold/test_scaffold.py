"""``scaffold_module``: a complete module distribution from one identifier, or an error that
names every problem and writes nothing."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from fullfinity.engine.module_registry import load_manifest
from fullfinity.exceptions import ScaffoldError
from fullfinity.scaffold import scaffold_module

RUFF_CONFIG = Path(__file__).resolve().parents[3] / "ruff.toml"
RUFF = Path(sys.executable).with_name("ruff")
DATA_FOLDERS = ("security", "data", "views", "demo")


@pytest.fixture
def helpdesk(tmp_path):
    return scaffold_module("helpdesk", path=tmp_path / "fullfinity-helpdesk")


def test_the_distribution_declares_the_module_entry_point_and_a_version(helpdesk):
    project = tomllib.loads((helpdesk.root / "pyproject.toml").read_text())["project"]

    assert project["name"] == "fullfinity-helpdesk"
    assert project["version"] == "0.1.0"
    assert project["entry-points"]["fullfinity.modules"] == {"helpdesk": "fullfinity_helpdesk"}
    assert "fullfinity-core>=0.1" in project["dependencies"]
    assert "test" in project["optional-dependencies"]


def test_the_module_has_every_part_a_module_author_starts_from(helpdesk):
    package = helpdesk.root / "src" / "fullfinity_helpdesk"
    expected = [
        "manifest.yaml", "hooks.py", "models/__init__.py", "models/item.py", "models/category.py",
        "routes/__init__.py", "routes/summary.py", "security/groups.yaml", "security/access.yaml",
        "security/rules.yaml", "views/item.yaml", "views/menus.yaml", "data/categories.yaml", "demo/items.yaml",
    ]  # fmt: skip

    assert [name for name in expected if not (package / name).is_file()] == []
    assert (helpdesk.root / "README.md").is_file()
    assert {p.name for p in (helpdesk.root / "tests").iterdir()} >= {"conftest.py", "test_module.py", "test_items.py"}


def test_the_manifest_is_valid_and_names_the_module(helpdesk):
    manifest, warnings = load_manifest(helpdesk.root / "src" / "fullfinity_helpdesk" / "manifest.yaml")

    assert (manifest.identifier, manifest.name, manifest.dependencies) == ("helpdesk", "Helpdesk", [])
    assert warnings == ()


def test_no_placeholder_is_left_in_any_file_or_path(helpdesk):
    for rel in helpdesk.files:
        assert "{{" not in str(rel)
        text = (helpdesk.root / rel).read_text()
        assert not re.search(r"\{\{\w+\}\}", text), f"{rel} keeps a placeholder"


def test_every_data_file_is_a_list_of_records_with_identifiers_prefixed_by_the_module(helpdesk):
    package = helpdesk.root / "src" / "fullfinity_helpdesk"
    kinds = set()
    for folder in DATA_FOLDERS:
        for file in (package / folder).glob("*.yaml"):
            records = yaml.safe_load(file.read_text())
            assert isinstance(records, list) and records, file
            for record in records:
                assert record["identifier"].startswith("helpdesk_"), (file, record["identifier"])
                kinds.add(record["data_type"])

    assert kinds >= {"Group", "ModelAccess", "RecordRule", "UiView", "WindowAction", "UiMenu", "HelpdeskItem"}


def test_the_model_declares_a_relation_and_a_stored_computed_field(helpdesk):
    source = (helpdesk.root / "src" / "fullfinity_helpdesk" / "models" / "item.py").read_text()

    assert "class HelpdeskItem(Model):" in source
    assert 'ManyToOne("HelpdeskCategory"' in source and 'ManyToOne("User"' in source
    assert 'calculate="_compute_amount", store=True' in source


def test_the_python_files_parse_and_pass_the_repository_lint_rules(helpdesk):
    for rel in helpdesk.files:
        if rel.suffix == ".py":
            ast.parse((helpdesk.root / rel).read_text(), filename=str(rel))

    for command in (["check"], ["format", "--check"]):
        done = subprocess.run(
            [str(RUFF), *command, "--config", str(RUFF_CONFIG), str(helpdesk.root)], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_names_with_underscores_give_a_hyphenated_distribution_and_camel_case_models(tmp_path):
    done = scaffold_module("field_service", path=tmp_path / "out")

    project = tomllib.loads((done.root / "pyproject.toml").read_text())["project"]
    assert project["name"] == "fullfinity-field-service"
    assert project["entry-points"]["fullfinity.modules"] == {"field_service": "fullfinity_field_service"}
    item = (done.root / "src" / "fullfinity_field_service" / "models" / "item.py").read_text()
    assert "class FieldServiceItem(Model):" in item


def test_the_default_folder_is_the_distribution_name_in_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    done = scaffold_module("helpdesk")

    assert done.root == tmp_path / "fullfinity-helpdesk"
    assert (tmp_path / "fullfinity-helpdesk" / "pyproject.toml").is_file()


def test_dependencies_go_in_the_manifest_and_their_distributions_in_the_requirements(tmp_path):
    done = scaffold_module("sales_desk", path=tmp_path / "out", depends=["crm", "product"])

    manifest, _ = load_manifest(done.root / "src" / "fullfinity_sales_desk" / "manifest.yaml")
    assert manifest.dependencies == ["crm", "product"]
    requirements = tomllib.loads((done.root / "pyproject.toml").read_text())["project"]["dependencies"]
    assert requirements == ["fullfinity-core>=0.1", "fullfinity-crm>=0.1.0"]  # product ships in fullfinity-core


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("Helpdesk", "must be snake_case"),
        ("help-desk", "must be snake_case"),
        ("2fa", "must be snake_case"),
        ("help__desk", "must not end with '_' nor hold '__'"),
        ("class", "must not be a Python keyword"),
        ("a" * 33, "must be at most 32 characters"),
    ],
)
def test_a_bad_identifier_is_refused_with_the_rule(tmp_path, name, rule):
    with pytest.raises(ScaffoldError) as raised:
        scaffold_module(name, path=tmp_path / "out")

    assert raised.value.details[0]["path"] == "NAME"
    assert rule in raised.value.details[0]["message"]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("taken", ["core", "crm", "product"])
def test_the_identifier_of_an_available_module_is_refused(tmp_path, taken):
    with pytest.raises(ScaffoldError) as raised:
        scaffold_module(taken, path=tmp_path / "out")

    assert f"module '{taken}' already exists" in str(raised.value)
    assert not (tmp_path / "out").exists()


def test_a_name_whose_distribution_is_pip_installed_is_refused(tmp_path, module_site):
    module_site.add("gadget_parts", distribution="fullfinity-gadgets")

    with pytest.raises(ScaffoldError) as raised:
        scaffold_module("gadgets", path=tmp_path / "out")

    assert "distribution fullfinity-gadgets is already pip-installed" in str(raised.value)


def test_an_unknown_dependency_is_refused_with_the_available_modules(tmp_path):
    with pytest.raises(ScaffoldError) as raised:
        scaffold_module("helpdesk", path=tmp_path / "out", depends=["crm", "mail_gateway", "helpdesk"])

    messages = {d["message"] for d in raised.value.details}
    assert any("'mail_gateway' is not an available module (available: core, crm," in m for m in messages)
    assert any("cannot depend on itself" in m for m in messages)
    assert not (tmp_path / "out").exists()


def test_existing_files_are_never_overwritten_without_force(helpdesk):
    manifest = helpdesk.root / "src" / "fullfinity_helpdesk" / "manifest.yaml"
    manifest.write_text("name: Mine\n")
    readme_before = (helpdesk.root / "README.md").read_text()
    (helpdesk.root / "README.md").write_text("my notes\n")

    with pytest.raises(ScaffoldError) as raised:
        scaffold_module("helpdesk", path=helpdesk.root)

    assert f"already holds {len(helpdesk.files)} file(s)" in raised.value.message
    assert "--force" in raised.value.message
    assert manifest.read_text() == "name: Mine\n"
    assert (helpdesk.root / "README.md").read_text() == "my notes\n" != readme_before


def test_force_overwrites_the_module_files_and_keeps_the_others(helpdesk):
    (helpdesk.root / "src" / "fullfinity_helpdesk" / "manifest.yaml").write_text("name: Mine\n")
    (helpdesk.root / "NOTES.txt").write_text("kept\n")

    scaffold_module("helpdesk", path=helpdesk.root, force=True)

    assert "identifier: helpdesk" in (helpdesk.root / "src" / "fullfinity_helpdesk" / "manifest.yaml").read_text()
    assert (helpdesk.root / "NOTES.txt").read_text() == "kept\n"


def test_an_empty_existing_folder_is_fine(tmp_path):
    (tmp_path / "out").mkdir()

    done = scaffold_module("helpdesk", path=tmp_path / "out")

    assert (done.root / "pyproject.toml").is_file()


def test_a_path_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "out").write_text("")

    with pytest.raises(ScaffoldError, match="is a file"):
        scaffold_module("helpdesk", path=tmp_path / "out")
