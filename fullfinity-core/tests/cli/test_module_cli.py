"""``fullfinity module list``: every discovered module, version, dependencies, state in a tenant."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from fullfinity.cli import build_cli, main


def test_module_list_shows_an_installed_module_with_its_version_and_dependencies(module_site, run_cli):
    module_site.add("widgets_base", version="0.9.1")
    module_site.add("widgets", version="3.1.4", dependencies=["widgets_base"])

    result = run_cli("module", "list", env=module_site.env())

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    row = next(line for line in lines if "│ widgets " in line)
    assert "3.1.4" in row and "core, widgets_base" in row
    names = [line.split("│")[1].strip() for line in lines if line.startswith("│")]
    assert names.index("core") < names.index("widgets_base") < names.index("widgets")


def test_module_list_for_a_tenant_shows_the_state_of_each_module(module_site, ff_tenant):
    module_site.add("widgets")

    result = CliRunner().invoke(build_cli(), ["module", "list", "--tenant", ff_tenant.name], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"state in {ff_tenant.name}" in result.output
    assert next(line for line in lines if "│ core " in line).rstrip(" │").endswith("installed")
    assert next(line for line in lines if "│ widgets " in line).rstrip(" │").endswith("uninstalled")


def test_module_list_shows_a_glue_module_missing_a_dependency_as_unavailable(module_site, ff_tenant):
    module_site.add("widgets")
    module_site.add("widgets_ledger", manifest={"name": "Glue", "identifier": "widgets_ledger", "implicit": True,
                                                "dependencies": ["widgets", "ledger_absent"]})  # fmt: skip

    result = CliRunner().invoke(build_cli(), ["module", "list", "--tenant", ff_tenant.name], env={"COLUMNS": "250"})

    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "│ widgets_ledger " in line)
    assert row.rstrip(" │").endswith("unavailable: needs ledger_absent (not pip-installed)")


def test_module_list_for_an_unknown_tenant_is_a_clear_error(ff_settings, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["module", "list", "--tenant", "nobody-here"])

    assert exited.value.code == 1
    assert "Tenant 'nobody-here' does not exist" in capsys.readouterr().err


def test_module_list_reports_a_broken_dependency_graph_in_one_message(module_site, capsys):
    module_site.add("orphan", dependencies=["lost_one", "lost_two"])

    with pytest.raises(SystemExit) as exited:
        main(["module", "list"])

    err = capsys.readouterr().err
    assert exited.value.code == 1
    assert "missing module 'lost_one'" in err and "missing module 'lost_two'" in err
