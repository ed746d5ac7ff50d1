"""Test helpers for Fullfinity and its module authors.

The fixtures come with the pytest plugin (``fullfinity.testing.pytest_plugin``, loaded through the
``pytest11`` entry point); :class:`ModuleChecks` is the generic checks a module runs on itself.
"""

from fullfinity.testing.module_checks import ModuleChecks

__all__ = ["ModuleChecks"]
