"""The view tests install throw-away modules with the installer tests' helpers."""

from __future__ import annotations

from installer.conftest import env_of, modules, new_tenant  # noqa: F401 - shared fixtures
