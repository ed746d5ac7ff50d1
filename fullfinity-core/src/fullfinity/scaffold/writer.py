"""Writing a module from the templates in ``templates/module/`` (package data).

Every file there ends in ``.tmpl``; ``{{key}}`` in a file's text or in a path segment is replaced by
the value of ``key`` in :meth:`ModuleNames.values` (``{{package}}`` -> ``fullfinity_helpdesk``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

from fullfinity.exceptions import ScaffoldError
from fullfinity.scaffold.names import ModuleNames, module_names

__all__ = ["Scaffolded", "render", "scaffold_module", "template_files"]

SUFFIX = ".tmpl"
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
#: At most this many existing files are named in the error (the count says the rest).
_SHOWN = 8


@dataclass(frozen=True)
class Scaffolded:
    """What ``scaffold_module`` wrote: the distribution folder and its files (relative paths)."""

    root: Path
    names: ModuleNames
    files: tuple[PurePosixPath, ...]


def render(text: str, values: Mapping[str, str]) -> str:
    """``text`` with every ``{{key}}`` replaced; an unknown key is a bug of the template."""

    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise KeyError(f"template placeholder {{{{{key}}}}} has no value; known: {', '.join(sorted(values))}")
        return values[key]

    return _PLACEHOLDER.sub(value, text)


def _walk(folder: Traversable, prefix: PurePosixPath) -> Iterator[tuple[PurePosixPath, Traversable]]:
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            yield from _walk(entry, prefix / entry.name)
        elif entry.name.endswith(SUFFIX):
            yield prefix / entry.name.removesuffix(SUFFIX), entry


def template_files() -> list[tuple[PurePosixPath, Traversable]]:
    """(path with placeholders, template) for every file of the module template."""
    return list(_walk(resources.files("fullfinity.scaffold") / "templates" / "module", PurePosixPath()))


def scaffold_module(
    name: str, *, path: Path | None = None, depends: Sequence[str] = (), force: bool = False
) -> Scaffolded:
    """Write module ``name`` as a distribution in ``path`` (default ``./fullfinity-<name>``).

    Raises ``ScaffoldError`` (nothing written) for an invalid or taken name, an unknown
    dependency, or, without ``force``, files of the module that already exist there.
    """
    names = module_names(name, depends)
    values = names.values()
    root = (path if path is not None else Path.cwd() / names.distribution).resolve()
    planned = [(PurePosixPath(render(str(rel), values)), template) for rel, template in template_files()]
    if root.exists() and not root.is_dir():
        raise ScaffoldError(f"--path {root} is a file; give a folder (new or empty) for the distribution.")
    existing = [rel for rel, _ in planned if (root / rel).exists()]
    if existing and not force:
        shown = ", ".join(str(p) for p in existing[:_SHOWN])
        more = f" and {len(existing) - _SHOWN} more" if len(existing) > _SHOWN else ""
        raise ScaffoldError(
            f"{root} already holds {len(existing)} file(s) the module would write ({shown}{more}); "
            "nothing was written. Choose another --path, or pass --force to overwrite them."
        )
    for rel, template in planned:
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(template.read_text(encoding="utf-8"), values), encoding="utf-8")
    return Scaffolded(root=root, names=names, files=tuple(rel for rel, _ in planned))
