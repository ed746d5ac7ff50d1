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

from fullfinity.plugins import hookimpl  # noqa: E402

__all__ = ["__version__", "hookimpl"]
