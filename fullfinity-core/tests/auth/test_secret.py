"""The signing secret: from settings, else generated once into the data directory."""

from __future__ import annotations

import stat

import pytest

from fullfinity.auth.secret import signing_secret
from fullfinity.exceptions import ConfigurationError
from fullfinity.settings import Settings


def test_without_a_configured_key_one_is_generated_into_the_data_directory_readable_by_the_owner_only(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", secret_key=None)

    key = signing_secret(settings)

    path = tmp_path / "data" / "secret_key"
    assert path.read_text().strip() == key and len(key) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_generated_key_is_reused_by_later_processes(tmp_path):
    (tmp_path / "secret_key").write_text("k" * 40 + "\n")

    assert signing_secret(Settings(data_dir=tmp_path, secret_key=None)) == "k" * 40


def test_a_configured_key_wins_over_the_data_directory(tmp_path):
    settings = Settings(data_dir=tmp_path, secret_key="s" * 32)

    assert signing_secret(settings) == "s" * 32
    assert not (tmp_path / "secret_key").exists()


def test_a_short_configured_key_is_refused_with_how_to_make_one(tmp_path):
    with pytest.raises(ConfigurationError, match=r"at least 32 characters.*secrets\.token_hex"):
        signing_secret(Settings(data_dir=tmp_path, secret_key="short"))
