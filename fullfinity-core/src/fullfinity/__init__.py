"""Fullfinity: a modular business-application platform on async Python.

The public entry points a module author or script uses:

- ``fullfinity.engine.base``: models, fields, ``Q``, ``D``, ``get_model``, exceptions;
- ``fullfinity.hookimpl``: the marker for hook implementations in a module's ``hooks.py``;
- ``fullfinity.tenant_env``: an environment on a tenant for scripts and tests.
"""

from __future__ import annotations

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("fullfinity-core")
except _metadata.PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

from typing import TYPE_CHECKING, Any

from fullfinity.plugins import hookimpl

if TYPE_CHECKING:
    from fullfinity.scripting import tenant_env

__all__ = ["__version__", "hookimpl", "tenant_env"]


def __getattr__(name: str) -> Any:
    # tenant_env pulls in the whole engine; import it on first use only.
    if name == "tenant_env":
        from fullfinity.scripting import tenant_env

        return tenant_env
    raise AttributeError(f"module 'fullfinity' has no attribute {name!r}")
