"""The names of a new module, derived from its identifier and checked before anything is written.

One identifier gives every other name (STYLE.md): module ``helpdesk``, distribution
``fullfinity-helpdesk``, import package ``fullfinity_helpdesk``, entry point
``helpdesk = "fullfinity_helpdesk"``, models ``HelpdeskItem`` and ``HelpdeskCategory``.
"""

from __future__ import annotations

import importlib.util
import keyword
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata

from fullfinity.engine.module_registry import ModuleInfo, discover_modules
from fullfinity.exceptions import ScaffoldError

__all__ = ["MAX_LENGTH", "ModuleNames", "module_names"]

IDENTIFIER_RE = re.compile(r"^[a-z][a-z0-9_]*$")
#: Table names are ``<identifier>_category`` and PostgreSQL cuts identifiers at 63 bytes; join
#: tables and indexes add more, so keep well below.
MAX_LENGTH = 32


@dataclass(frozen=True)
class ModuleNames:
    """Every name of a new module; ``values()`` feeds the templates."""

    identifier: str
    dependencies: tuple[str, ...]
    #: pip requirements of the distributions providing ``dependencies`` (``fullfinity-crm>=0.1``)
    requirements: tuple[str, ...]

    @property
    def camel(self) -> str:
        return "".join(part.capitalize() for part in self.identifier.split("_") if part)

    @property
    def title(self) -> str:
        return " ".join(part.capitalize() for part in self.identifier.split("_") if part)

    @property
    def distribution(self) -> str:
        return "fullfinity-" + self.identifier.replace("_", "-")

    @property
    def package(self) -> str:
        return "fullfinity_" + self.identifier

    def values(self) -> dict[str, str]:
        deps = ", ".join(self.dependencies)
        requirements = "".join(f'    "{r}",\n' for r in self.requirements)
        return {
            "module": self.identifier,
            "Camel": self.camel,
            "title": self.title,
            "distribution": self.distribution,
            "package": self.package,
            "item_model": f"{self.camel}Item",
            "category_model": f"{self.camel}Category",
            "dependencies_yaml": f"[{deps}]",
            "extra_requirements": requirements,
        }


def _identifier_problem(name: str) -> str | None:
    if not IDENTIFIER_RE.match(name):
        return (
            "must be snake_case: lower-case letters, digits and '_', starting with a letter "
            f"(e.g. helpdesk or field_service), got {name!r}"
        )
    if len(name) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters (its tables are named after it), got {len(name)}"
    if name.endswith("_") or "__" in name:
        return f"must not end with '_' nor hold '__' (model and class names are derived from it), got {name!r}"
    if keyword.iskeyword(name):
        return f"must not be a Python keyword, got {name!r}"
    return None


def _installed_distribution(name: str) -> str | None:
    try:
        return metadata.distribution(name).metadata["Name"]
    except metadata.PackageNotFoundError:
        return None


def module_names(
    name: str, depends: Sequence[str] = (), available: Mapping[str, ModuleInfo] | None = None
) -> ModuleNames:
    """The names of module ``name`` depending on ``depends``, or a ``ScaffoldError`` listing every
    problem: a bad identifier, one taken by an available module, a pip-installed distribution or an
    importable package, an unknown or repeated dependency."""
    modules = available if available is not None else discover_modules()
    problems: list[dict[str, str]] = []
    bad = _identifier_problem(name)
    if bad:
        problems.append({"path": "NAME", "message": bad})
    else:
        names = ModuleNames(name, (), ())
        if name in modules:
            info = modules[name]
            problems.append(
                {
                    "path": "NAME",
                    "message": f"module '{name}' already exists (distribution {info.distribution}); "
                    "choose another name",
                }
            )
        elif (dist := _installed_distribution(names.distribution)) is not None:
            problems.append(
                {
                    "path": "NAME",
                    "message": f"distribution {dist} is already pip-installed; choose another name "
                    f"or `pip uninstall {dist}` first",
                }
            )
        elif importlib.util.find_spec(names.package) is not None:
            problems.append(
                {
                    "path": "NAME",
                    "message": f"the import package {names.package} already exists on sys.path; choose another name",
                }
            )
    requirements: list[str] = []
    for dep in depends:
        if dep == name:
            problems.append({"path": "--depends", "message": f"a module cannot depend on itself ('{dep}')"})
        elif dep not in modules:
            known = ", ".join(sorted(modules))
            problems.append(
                {
                    "path": "--depends",
                    "message": f"'{dep}' is not an available module (available: {known}); pip-install its "
                    "distribution first or fix the name",
                }
            )
        elif dep != "core":
            dist = modules[dep].distribution
            requirement = f"{dist}>={modules[dep].version}"
            if requirement not in requirements and dist != "fullfinity-core":
                requirements.append(requirement)
    if len(set(depends)) != len(depends):
        problems.append({"path": "--depends", "message": f"lists a module twice: {', '.join(depends)}"})
    if problems:
        raise ScaffoldError(f"Cannot scaffold module {name!r}; nothing was written:", details=problems)
    return ModuleNames(name, tuple(d for d in depends if d != "core"), tuple(requirements))
