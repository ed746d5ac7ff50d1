"""``fullfinity scaffold module NAME``: a new module as a complete, tested pip distribution.

``scaffold_module("helpdesk")`` writes ``fullfinity-helpdesk/`` from the templates in
``templates/module/`` (package data): pyproject with the entry point, manifest, two models (a
relation, a computed field), security, views, data, demo data, a hook, a controller and tests
using core's pytest plugin. ``names.py`` derives and checks the names, ``writer.py`` renders.
"""

from fullfinity.scaffold.names import ModuleNames, module_names
from fullfinity.scaffold.writer import Scaffolded, scaffold_module

__all__ = ["ModuleNames", "Scaffolded", "module_names", "scaffold_module"]
