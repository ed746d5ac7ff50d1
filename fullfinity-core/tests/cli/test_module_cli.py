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
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert rows[0] == ["module", "name", "version", "dependencies", "edition", "distribution"]
    row = next(r for r in rows if r[0] == "widgets")
    assert row[2] == "3.1.4" and row[3] == "core, widgets_base"
    names = [r[0] for r in rows[1:]]
    assert names.index("core") < names.index("widgets_base") < names.index("widgets")


def test_module_list_for_a_tenant_shows_the_state_of_each_module(module_site, ff_tenant):
    module_site.add("widgets")

    result = CliRunner().invoke(build_cli(), ["module", "list", "--tenant", ff_tenant.name])

    assert result.exit_code == 0, result.output
    rows = {line.split("\t")[0]: line.split("\t") for line in result.output.splitlines()}
    assert rows["module"][-1] == f"state in {ff_tenant.name}"
    assert rows["core"][-1] == "installed"
    assert rows["widgets"][-1] == "uninstalled"


def test_module_list_shows_a_glue_module_missing_a_dependency_as_unavailable(module_site, ff_tenant):
    module_site.add("widgets")
    module_site.add("widgets_ledger", manifest={"name": "Glue", "identifier": "widgets_ledger", "implicit": True,
                                                "dependencies": ["widgets", "ledger_absent"]})  # fmt: skip

    result = CliRunner().invoke(build_cli(), ["module", "list", "--tenant", ff_tenant.name])

    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if line.startswith("widgets_ledger\t"))
    assert row.endswith("\tunavailable: needs ledger_absent (not pip-installed)")


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
