"""`module install|upgrade|uninstall`, `license` and the issue-5 tenant commands, as a user runs them."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from typer.testing import CliRunner

from fullfinity.cli import build_cli
from fullfinity.engine.licensing import sign_payload


def invoke(*args: str):
    return CliRunner().invoke(build_cli(), list(args), env={"COLUMNS": "200"})


def rediscover() -> None:
    """Forget discovered modules (the tenant fixture ran discovery before the test added its own)."""
    from fullfinity.engine.module_registry import discover_modules
    from fullfinity.plugins import get_plugin_manager

    discover_modules.cache_clear()
    get_plugin_manager.cache_clear()


@pytest.fixture
def license_key(monkeypatch):
    """A fresh Ed25519 key whose public half is FULLFINITY_LICENSE_PUBLIC_KEY for the test."""
    from fullfinity.settings import get_settings

    key = Ed25519PrivateKey.generate()
    public = base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()
    monkeypatch.setenv("FULLFINITY_LICENSE_PUBLIC_KEY", public)
    get_settings.cache_clear()
    yield key
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def tenant(ff_settings):
    name = f"cli-{uuid.uuid4().hex[:8]}"
    result = invoke("tenant", "create", name)
    assert result.exit_code == 0, result.output
    yield name
    invoke("tenant", "drop", name, "--yes")


def test_install_with_plan_and_json_lists_the_modules_and_changes_nothing(module_site, tenant):
    module_site.add("cliplan_base")
    module_site.add("cliplan", dependencies=["cliplan_base"])
    rediscover()

    result = invoke("module", "install", "cliplan", "--tenant", tenant, "--plan", "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["planned"] is True
    assert [(m["identifier"], m["reason"]) for m in report["modules"]] == [
        ("cliplan_base", "dependency"),
        ("cliplan", "requested"),
    ]
    listing = invoke("module", "list", "--tenant", tenant)
    assert next(line for line in listing.output.splitlines() if line.startswith("cliplan\t")).endswith("\tuninstalled")


def test_install_then_uninstall_updates_the_module_list(module_site, tenant):
    module_site.add("cliwidgets")
    rediscover()

    installed = invoke("module", "install", "cliwidgets", "--tenant", tenant)
    listed = invoke("module", "list", "--tenant", tenant)
    removed = invoke("module", "uninstall", "cliwidgets", "--tenant", tenant)
    after = invoke("module", "list", "--tenant", tenant)

    assert installed.exit_code == 0, installed.output
    assert "install cliwidgets 1.0.0 [requested]" in installed.output
    assert next(line for line in listed.output.splitlines() if line.startswith("cliwidgets\t")).endswith("\tinstalled")
    assert removed.exit_code == 0, removed.output
    assert next(line for line in after.output.splitlines() if line.startswith("cliwidgets\t")).endswith("\tuninstalled")


def test_install_without_a_tenant_is_a_usage_error(ff_settings):
    result = invoke("module", "install", "core")

    assert result.exit_code == 2
    assert "--tenant" in result.output


def test_uninstalling_core_is_refused_with_a_reason(ff_settings, capsys):
    from fullfinity.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["module", "uninstall", "core", "--tenant", "whatever"])

    assert exited.value.code == 1
    assert "core module cannot be uninstalled" in capsys.readouterr().err


def test_upgrade_with_nothing_changed_reports_no_module_changes(tenant):
    result = invoke("module", "upgrade", "--tenant", tenant)

    assert result.exit_code == 0, result.output
    assert "no module changes" in result.output


def test_tenant_create_with_modules_and_demo_then_list_shows_modules_and_size(module_site, ff_settings):
    module_site.add("clicrm")
    name = f"cli-{uuid.uuid4().hex[:8]}"
    try:
        created = invoke("tenant", "create", name, "--modules", "clicrm", "--demo")
        listed = invoke("tenant", "list")
    finally:
        invoke("tenant", "drop", name, "--yes")

    assert created.exit_code == 0, created.output
    row = next(line.split("\t") for line in listed.output.splitlines() if line.startswith(f"{name}\t"))
    assert row[4] == "yes" and "clicrm 1.0.0" in row[5] and "core " in row[5] and row[6].endswith(" MiB")


def test_backup_and_restore_through_the_cli(tenant, tmp_path):
    archive = tmp_path / "t.tar"
    copy = f"cli-{uuid.uuid4().hex[:8]}"
    try:
        backed_up = invoke("tenant", "backup", tenant, str(archive))
        restored = invoke("tenant", "restore", str(archive), copy)
    finally:
        invoke("tenant", "drop", copy, "--yes")

    assert backed_up.exit_code == 0, backed_up.output
    assert f"Backup of {tenant} written to {archive}" in backed_up.output
    assert restored.exit_code == 0, restored.output
    assert f"Tenant {copy} restored" in restored.output


def test_license_add_and_show(tenant, tmp_path, license_key):
    expires = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    payload = {"licensee": "Northwind", "tenants": [tenant], "modules": ["bank_sync"], "expires": expires}
    path = tmp_path / "license.json"
    path.write_text(json.dumps(sign_payload(license_key, payload)))

    added = invoke("license", "add", str(path), "--tenant", tenant)
    shown = invoke("license", "show", "--tenant", tenant)

    assert added.exit_code == 0, added.output
    assert f"License for Northwind: added in tenant '{tenant}'" in added.output
    assert "bank_sync" in shown.output and expires in shown.output


def test_license_show_json_lists_what_each_license_covers(tenant, tmp_path, license_key):
    expires = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    payload = {"licensee": "Northwind", "tenants": [tenant], "modules": ["bank_sync"], "expires": expires}
    path = tmp_path / "license.json"
    path.write_text(json.dumps(sign_payload(license_key, payload)))
    assert invoke("license", "add", str(path), "--tenant", tenant).exit_code == 0

    shown = invoke("license", "show", "--tenant", tenant, "--json")

    assert shown.exit_code == 0, shown.output
    document = json.loads(shown.stdout)
    assert document["tenant"] == tenant and document["rejected"] == []
    (entry,) = document["licenses"]
    assert {k: v for k, v in entry.items() if k != "source"} == {
        "licensee": "Northwind", "tenants": [tenant], "modules": ["bank_sync"], "expires": expires, "expired": False,
    }  # fmt: skip


def test_license_add_refuses_a_license_signed_by_another_key(tenant, tmp_path, license_key):
    path = tmp_path / "license.json"
    payload = {"licensee": "X", "tenants": "*", "modules": ["m"], "expires": "2999-01-01"}
    path.write_text(json.dumps(sign_payload(Ed25519PrivateKey.generate(), payload)))

    result = invoke("license", "add", str(path), "--tenant", tenant)

    assert result.exit_code == 1
    assert "invalid signature" in result.output


def test_dash_u_all_with_a_tenant_upgrades_every_installed_module_of_that_tenant(tenant):
    result = invoke("-u", "all", "--tenant", tenant)

    assert result.exit_code == 0, result.output
    assert f"upgrade on tenant '{tenant}'" in result.output
    assert "upgrade core" in result.output


def test_dash_u_without_a_tenant_upgrades_every_active_tenant(ff_settings, monkeypatch):
    calls = []
    monkeypatch.setattr(
        "fullfinity.cli.module_ops.upgrade_tenants", lambda modules, tenant: calls.append((modules, tenant))
    )

    assert invoke("-u", "all").exit_code == 0
    assert invoke("-u", "crm, sales").exit_code == 0
    assert calls == [(["all"], None), (["crm", "sales"], None)]


def test_dash_u_with_a_command_or_tenant_without_dash_u_is_a_usage_error(ff_settings):
    combined = invoke("-u", "all", "module", "list")
    assert combined.exit_code == 2 and "cannot be combined" in combined.output
    lone = invoke("--tenant", "x", "module", "list")
    assert lone.exit_code == 2 and "goes with -u" in lone.output
