"""The engine is a handful of rooms whose imports run downward, behind the reference's import paths.

The map is drawn in ``fullfinity/engine/__init__.py`` (docs/architecture.md draws it too, checked
by the repository's tests/test_docs.py). These tests fail when code and map drift apart: an
import that runs upward (a room reaching a room above it, even from inside a function), a new
file at the top of the engine, a public path that lost a name. Imports under
``if TYPE_CHECKING:`` are free: they never run.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

import fullfinity.engine

ENGINE = Path(fullfinity.engine.__file__).parent

#: Each room and the rooms it may import at run time, lowest room first.
ROOMS = {
    "qlang": set(),
    "fields": set(),
    "cache": set(),
    "access": {"qlang", "cache"},
    "query": {"qlang", "fields", "access"},
    "database": {"fields"},
    "records": {"qlang", "fields", "cache", "access", "query", "database"},
    "licensing": set(),
}
#: Modules at the engine's top that import no room at run time: every room may use them.
BOTTOM = {"context", "exceptions", "module_registry"}
#: The reference's import paths that re-export rooms (or the web layer): no room imports them.
FACES = {"base", "models", "Q", "db", "env", "controller", "middleware"}
#: What the engine may import from the rest of the package: it sits below web, API, views, CLI.
OUTSIDE = {"fullfinity.exceptions", "fullfinity.settings", "fullfinity.plugins"}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _RuntimeImports(ast.NodeVisitor):
    """Every import that can run (module level and inside functions); ``if TYPE_CHECKING:`` skipped."""

    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []

    def visit_If(self, node: ast.If) -> None:
        for child in node.orelse if _is_type_checking(node.test) else [node.test, *node.body, *node.orelse]:
            self.visit(child)

    def visit_Import(self, node: ast.Import) -> None:
        self.found.extend((node.lineno, alias.name) for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and not node.level:
            self.found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)


def _runtime_imports(path: Path) -> list[tuple[int, str]]:
    visitor = _RuntimeImports()
    visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
    return sorted(set(visitor.found))


ROOM_FILES = sorted(path.relative_to(ENGINE) for room in ROOMS for path in (ENGINE / room).rglob("*.py"))


def test_the_engine_folder_holds_the_rooms_and_the_public_modules():
    entries = {p.name for p in ENGINE.iterdir() if p.name != "__pycache__"}
    expected = {"__init__.py"} | set(ROOMS) | {f"{name}.py" for name in BOTTOM | FACES}

    assert entries == expected, "a new file at the top of the engine belongs in a room (see engine/__init__.py)"
    assert all((ENGINE / room / "__init__.py").is_file() for room in ROOMS)


@pytest.mark.parametrize("path", ROOM_FILES, ids=str)
def test_a_room_imports_only_the_rooms_below_it(path):
    room = path.parts[0]
    wrong = []
    for line, name in _runtime_imports(ENGINE / path):
        if name.startswith("fullfinity.engine."):
            target = name.split(".")[2]
            if target == room or target in ROOMS[room] or target in BOTTOM:
                continue
            rule = "a public re-export" if target in FACES else f"may import {sorted(ROOMS[room]) or 'no room'}"
            wrong.append(f"line {line}: {name} ({room} {rule})")
        elif name.startswith("fullfinity.") and not any(name.startswith(allowed + ".") for allowed in OUTSIDE):
            wrong.append(f"line {line}: {name} (the engine imports only {sorted(OUTSIDE)} outside itself)")

    assert wrong == [], f"{path} imports upward: import it under TYPE_CHECKING, or move the code to its room"


@pytest.mark.parametrize("name", sorted(BOTTOM))
def test_the_bottom_modules_import_no_room(name):
    rooms = [n for _, n in _runtime_imports(ENGINE / f"{name}.py") if n.startswith("fullfinity.engine.")]
    assert [n for n in rooms if n.split(".")[2] in ROOMS] == []


def _room_table() -> dict[str, tuple[str, str]]:
    """The docstring's table: room -> (holds, may import), continuation lines joined."""
    lines = (fullfinity.engine.__doc__ or "").splitlines()
    borders = [i for i, line in enumerate(lines) if line.startswith("=====")]
    spans = [m.span() for m in re.finditer(r"=+", lines[borders[0]])]
    rows: dict[str, list[str]] = {}
    room = ""
    for line in lines[borders[1] + 1 : borders[2]]:
        cells = [line[start : end if k < len(spans) - 1 else None].strip() for k, (start, end) in enumerate(spans)]
        if cells[0]:
            room = cells[0].strip("`")
            rows[room] = ["", ""]
        rows[room] = [f"{rows[room][k]} {cells[k + 1]}".strip() for k in range(2)]
    return {name: (holds, imports) for name, (holds, imports) in rows.items()}


def test_the_engine_docstring_draws_every_room_with_what_it_may_import():
    table = _room_table()

    assert set(table) == set(ROOMS), "fullfinity/engine/__init__.py: one table row per room"
    for room, (_, allowed) in table.items():
        names = set() if allowed == "nothing" else set(re.findall(r"\w+", allowed))
        assert names == ROOMS[room] | (names & BOTTOM), f"{room}: the table says {allowed!r}"


#: Every name the public paths exported before the engine was split into rooms (and two more).
PUBLIC = {
    "models": "AUTOMATIC_FIELDS RESERVED_NAMES Model ModelMeta RecordGroup",
    "fields": "JSON Binary Boolean Char Date Datetime Field FieldValueError File Float Integer ManyToMany ManyToOne "
    "Monetary OneToMany OneToOne Selection Text",
    "Q": "BOUND_NAMES DATE_PARTS LOOKUPS MAX_DEPTH Leaf Q Var",
    "db": "DatabaseManager EmbeddedPostgres PoolManager dsn_for_database quote_ident init_connection",
    "env": "Environment QueryCounter QueryStats SYSTEM_UID",
    "cache": "ALL INVALIDATE_CHANNEL REGISTRY_CHANNEL Cache CacheStats CacheStatus HotCopy LocalCache Lookup "
    "create_cache fetch_in_env model_namespace",
    "context": "bind_tenant current_env current_tenant env_ctx tenant_ctx",
    "controller": "Controller ModuleRoutes RouteSpec compose_router route",
    "middleware": "AUTH_LEVELS AuthLevel InternalEnv PublicEnv RequestAuth UserEnv UserReadEnv allows_public no_auth "
    "reads_as_user request_env requires_internal requires_user services tenant_registry",
    "licensing": "TENANT_LICENSE_TABLE License add_tenant_license canonical_payload check_modules licenses_for "
    "load_public_key parse_documents server_licenses sign_payload tenant_documents verify_document",
    "exceptions": "AccessError ConcurrencyError FieldNotLoadedError FullfinityError IntegrityError MissingError "
    "UserError ValidationError",
}


@pytest.mark.parametrize("path", sorted(PUBLIC))
def test_a_public_path_keeps_every_name(path):
    module = importlib.import_module(f"fullfinity.engine.{path}")

    assert [n for n in PUBLIC[path].split() if n not in module.__all__] == []
    assert [n for n in module.__all__ if getattr(module, n, None) is None] == []


def test_a_re_export_is_the_rooms_object_itself():
    from fullfinity.engine import env, middleware, models
    from fullfinity.engine.records.environment import Environment
    from fullfinity.engine.records.models import Model
    from fullfinity.web.request_env import requires_user

    assert models.Model is Model and env.Environment is Environment and middleware.requires_user is requires_user
