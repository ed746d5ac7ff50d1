"""Settings: FULLFINITY_* environment variables, the YAML config file, clear errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fullfinity.exceptions import ConfigurationError
from fullfinity.settings import CONFIG_FILE_ENV, Settings, configure, get_settings, settings_markdown


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No config file unless a test sets one; the cached settings are re-read around each test."""
    monkeypatch.delenv(CONFIG_FILE_ENV, raising=False)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def config_file(tmp_path, monkeypatch):
    def write(text: str):
        path = tmp_path / "fullfinity.yaml"
        path.write_text(text)
        monkeypatch.setenv(CONFIG_FILE_ENV, str(path))
        return path

    return write


def test_a_setting_is_read_from_its_environment_variable(monkeypatch):
    monkeypatch.setenv("FULLFINITY_DB_POOL_SIZE", "7")

    assert get_settings().db_pool_size == 7


def test_defaults_apply_when_nothing_is_set(monkeypatch):
    monkeypatch.delenv("FULLFINITY_DB_MAX_CONNECTIONS", raising=False)

    assert get_settings().db_max_connections == 50


def test_a_setting_is_read_from_the_config_file(config_file, monkeypatch):
    monkeypatch.delenv("FULLFINITY_DB_POOL_SIZE", raising=False)
    config_file("db_pool_size: 4\n")

    assert get_settings().db_pool_size == 4


def test_config_file_keys_may_use_the_variable_spelling_in_upper_case(config_file, monkeypatch):
    monkeypatch.delenv("FULLFINITY_DB_POOL_SIZE", raising=False)
    config_file("DB_POOL_SIZE: 3\n")

    assert get_settings().db_pool_size == 3


def test_environment_variables_win_over_the_config_file(config_file, monkeypatch):
    config_file("db_pool_size: 4\n")
    monkeypatch.setenv("FULLFINITY_DB_POOL_SIZE", "9")

    assert get_settings().db_pool_size == 9


def test_configure_selects_a_config_file(tmp_path, monkeypatch):
    monkeypatch.delenv("FULLFINITY_DB_POOL_SIZE", raising=False)
    path = tmp_path / "other.yaml"
    path.write_text("db_pool_size: 2\n")

    assert configure(path).db_pool_size == 2


def test_an_unknown_config_file_key_is_an_error_naming_it(config_file):
    path = config_file("db_pool_sise: 4\n")

    with pytest.raises(ConfigurationError) as caught:
        get_settings()

    assert str(path) in caught.value.message and "['db_pool_sise']" in caught.value.message


def test_a_missing_config_file_is_an_error_naming_it(monkeypatch, tmp_path):
    monkeypatch.setenv(CONFIG_FILE_ENV, str(tmp_path / "nope.yaml"))

    with pytest.raises(ConfigurationError, match=r"nope\.yaml does not exist"):
        get_settings()


def test_a_config_file_that_is_not_a_mapping_is_an_error(config_file):
    config_file("- db_pool_size\n")

    with pytest.raises(ConfigurationError, match="must hold a mapping"):
        get_settings()


def test_a_bad_value_names_the_environment_variable(monkeypatch):
    monkeypatch.setenv("FULLFINITY_PORT", "eighty")

    with pytest.raises(ConfigurationError) as caught:
        get_settings()

    assert caught.value.details[0]["path"] == "FULLFINITY_PORT"
    assert "'eighty'" in caught.value.details[0]["message"]


def test_a_bad_value_in_the_config_file_names_the_variable_and_the_file(config_file, monkeypatch):
    monkeypatch.delenv("FULLFINITY_DB_POOL_SIZE", raising=False)
    path = config_file("db_pool_size: 0\n")

    with pytest.raises(ConfigurationError) as caught:
        get_settings()

    assert str(path) in caught.value.message
    assert caught.value.details[0]["path"] == "FULLFINITY_DB_POOL_SIZE"


def test_every_bad_value_is_reported_at_once(monkeypatch):
    monkeypatch.setenv("FULLFINITY_PORT", "-1")
    monkeypatch.setenv("FULLFINITY_WORKERS", "0")

    with pytest.raises(ConfigurationError) as caught:
        get_settings()

    assert {d["path"] for d in caught.value.details} == {"FULLFINITY_PORT", "FULLFINITY_WORKERS"}


def test_database_servers_are_read_as_a_json_object(monkeypatch):
    monkeypatch.setenv("FULLFINITY_DATABASE_SERVERS", '{"eu": "postgresql://db-eu/postgres"}')

    assert get_settings().database_servers == {"eu": "postgresql://db-eu/postgres"}


def test_database_servers_that_are_not_json_name_the_variable(monkeypatch):
    monkeypatch.setenv("FULLFINITY_DATABASE_SERVERS", "eu=postgresql://db-eu")

    with pytest.raises(ConfigurationError) as caught:
        get_settings()

    assert caught.value.details[0]["path"] == "FULLFINITY_DATABASE_SERVERS"
    assert "must be a JSON object" in caught.value.details[0]["message"]


def test_the_default_server_alias_is_reserved(monkeypatch):
    monkeypatch.setenv("FULLFINITY_DATABASE_SERVERS", '{"default": "postgresql://x/postgres"}')

    with pytest.raises(ConfigurationError, match="reserved for FULLFINITY_DATABASE_URL"):
        get_settings()


def test_cors_origins_accept_a_comma_separated_list(monkeypatch):
    monkeypatch.setenv("FULLFINITY_CORS_ORIGINS", "https://a.example, https://b.example")

    assert get_settings().cors_origins == ["https://a.example", "https://b.example"]


def test_cors_origins_accept_a_json_list(monkeypatch):
    monkeypatch.setenv("FULLFINITY_CORS_ORIGINS", '["https://a.example"]')

    assert get_settings().cors_origins == ["https://a.example"]


def test_the_log_level_is_case_insensitive(monkeypatch):
    monkeypatch.setenv("FULLFINITY_LOG_LEVEL", "debug")

    assert get_settings().log_level == "DEBUG"


def test_without_a_database_url_the_embedded_server_is_used():
    assert Settings(database_url=None).embedded is True
    assert Settings(database_url="postgresql://db/postgres").embedded is False


def test_the_reference_table_has_one_row_per_setting():
    rows = [line for line in settings_markdown().splitlines() if line.startswith("| `FULLFINITY_")]

    assert [row.split("`")[1] for row in rows] == [f"FULLFINITY_{name.upper()}" for name in Settings.model_fields]


def test_every_setting_has_a_description():
    assert [name for name, field in Settings.model_fields.items() if not field.description] == []
