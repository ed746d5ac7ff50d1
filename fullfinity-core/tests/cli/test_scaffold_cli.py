"""``fullfinity scaffold module NAME [--path DIR] [--depends a,b] [--force]``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

FULLFINITY = Path(sys.executable).with_name("fullfinity")


def scaffold(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FULLFINITY), "scaffold", "module", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


def test_scaffold_writes_the_distribution_and_prints_the_next_commands(tmp_path):
    done = scaffold("helpdesk", cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert (tmp_path / "fullfinity-helpdesk" / "src" / "fullfinity_helpdesk" / "manifest.yaml").is_file()
    assert "Module helpdesk written to fullfinity-helpdesk/" in done.stdout
    assert 'pip install -e "./fullfinity-helpdesk[test]"' in done.stdout
    assert "fullfinity module install helpdesk --tenant demo" in done.stdout


def test_scaffold_with_path_and_depends(tmp_path):
    done = scaffold("desk", "--path", str(tmp_path / "somewhere"), "--depends", "crm, product", cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    manifest = yaml.safe_load((tmp_path / "somewhere" / "src" / "fullfinity_desk" / "manifest.yaml").read_text())
    assert manifest["dependencies"] == ["crm", "product"]


def test_a_bad_name_exits_1_with_the_rule_and_writes_nothing(tmp_path):
    done = scaffold("Help-Desk", cwd=tmp_path)

    assert done.returncode == 1
    assert "Cannot scaffold module 'Help-Desk'; nothing was written" in done.stderr
    assert "NAME: must be snake_case" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_existing_files_exit_1_unless_force(tmp_path):
    assert scaffold("helpdesk", cwd=tmp_path).returncode == 0
    readme = tmp_path / "fullfinity-helpdesk" / "README.md"
    readme.write_text("mine\n")

    refused = scaffold("helpdesk", cwd=tmp_path)
    forced = scaffold("helpdesk", "--force", cwd=tmp_path)

    assert refused.returncode == 1 and "pass --force to overwrite them" in refused.stderr
    assert forced.returncode == 0, forced.stderr
    assert readme.read_text() != "mine\n"


def test_a_missing_name_is_a_usage_error_exit_2(tmp_path):
    done = scaffold(cwd=tmp_path)

    assert done.returncode == 2
    assert "Missing argument" in done.stderr
