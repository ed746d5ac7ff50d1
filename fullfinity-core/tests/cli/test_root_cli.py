"""The ``fullfinity`` command itself: help, version, -c config file, settings."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from fullfinity import __version__
from fullfinity.cli import build_cli, main
from fullfinity.settings import CONFIG_FILE_ENV, get_settings, settings_markdown


@pytest.fixture
def no_config_file(monkeypatch):
    """``-c`` exports FULLFINITY_CONFIG_FILE for child processes: restore the environment after."""
    monkeypatch.delenv(CONFIG_FILE_ENV, raising=False)
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def test_help_lists_every_core_command():
    result = CliRunner().invoke(build_cli(), ["--help"], env={"COLUMNS": "200"})

    assert result.exit_code == 0
    for command in ("serve", "tenant", "module", "settings", "shell"):
        assert f" {command} " in result.output


def test_version_prints_the_distribution_version():
    result = CliRunner().invoke(build_cli(), ["--version"])

    assert result.output.strip() == f"fullfinity {__version__}"


def test_a_config_file_given_with_c_is_used(tmp_path, no_config_file, monkeypatch):
    monkeypatch.delenv("FULLFINITY_DB_POOL_SIZE", raising=False)
    config = tmp_path / "fullfinity.yaml"
    config.write_text("db_pool_size: 3\n")

    result = CliRunner().invoke(build_cli(), ["-c", str(config), "settings"])

    assert result.exit_code == 0, result.output
    assert "FULLFINITY_DB_POOL_SIZE = 3" in result.output


def test_a_missing_config_file_is_a_clear_error(tmp_path, no_config_file, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["-c", str(tmp_path / "absent.yaml"), "settings"])

    assert exited.value.code == 1
    assert "absent.yaml does not exist" in capsys.readouterr().err


def test_settings_masks_secrets(ff_settings):
    result = CliRunner().invoke(build_cli(), ["settings"])

    assert "FULLFINITY_DATABASE_URL = ***" in result.output
    assert ff_settings.database_url not in result.output


def test_settings_markdown_prints_the_reference_table():
    result = CliRunner().invoke(build_cli(), ["settings", "--markdown"])

    assert result.output == settings_markdown()


def test_serve_refuses_several_workers_without_a_cache_url(monkeypatch, capsys):
    monkeypatch.delenv("FULLFINITY_CACHE_URL", raising=False)
    get_settings.cache_clear()

    with pytest.raises(SystemExit) as exited:
        main(["serve", "--workers", "2"])

    assert exited.value.code == 1
    assert "--workers 2 needs FULLFINITY_CACHE_URL" in capsys.readouterr().err
