"""Developer tasks: ``nox -s serve | test | lint | typecheck | bench``.

Like tox.ini and dev.py, every session installs a distribution's extras from its own
pyproject.toml (``test``, ``lint``, ``typecheck``): one dependency list, three front-ends.
``nox`` alone runs test, lint and typecheck. Extra arguments after ``--`` go to the tool
(``nox -s test -- -k tenant``, ``nox -s serve -- --port 8001``).
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
CORE = ROOT / "fullfinity-core"
BENCH_SCRIPT = ROOT / "bench" / "run.py"

nox.options.sessions = ["test", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True


def distributions() -> list[Path]:
    """Every distribution folder, core first (the others depend on it)."""
    found = sorted(p.parent for p in ROOT.glob("*/pyproject.toml"))
    return sorted(found, key=lambda d: (d != CORE, d.name))


def install(session: nox.Session, *extras: str, dists: list[Path] | None = None) -> None:
    """Install distributions editable with ``extras``, in one pip call (so local ones resolve together)."""
    args: list[str] = []
    for dist in dists or distributions():
        args += ["-e", f"{dist}[{','.join(extras)}]" if extras else str(dist)]
    session.install(*args)


@nox.session
def test(session: nox.Session) -> None:
    """Each distribution's tests (from its own folder and config), then the cross-distribution tests."""
    install(session, "test")
    for dist in distributions():
        if not any((dist / "tests").rglob("test_*.py")):
            session.log(f"{dist.name}: no tests yet, skipped")
            continue
        with session.chdir(dist):
            session.run("pytest", *session.posargs)
    with session.chdir(ROOT):
        session.run("pytest", "tests", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole repository."""
    install(session, "lint", dists=[CORE])
    with session.chdir(ROOT):
        session.run("ruff", "check", ".")
        session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy (strict) on every distribution that configures it (``[tool.mypy]`` in its pyproject.toml)."""
    install(session, "typecheck", "test")  # test: pytest/httpx types for fullfinity.testing
    for dist in distributions():
        if "[tool.mypy]" in (dist / "pyproject.toml").read_text():
            with session.chdir(dist):
                session.run("mypy", *session.posargs)


@nox.session
def serve(session: nox.Session) -> None:
    """Run the server with a `demo` tenant (what ``python3 dev.py start`` does, in nox's venv)."""
    install(session)
    data_dir = os.environ.get("FULLFINITY_DATA_DIR", str(ROOT / ".fullfinity"))
    env = {"FULLFINITY_DATA_DIR": data_dir, "FULLFINITY_DEFAULT_TENANT": "demo"}
    session.run("fullfinity", "tenant", "create", "demo", "--demo", "--if-not-exists", env=env)
    session.run("fullfinity", "serve", *session.posargs, env=env)


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmarks (bench/run.py), once the repository has them."""
    if not BENCH_SCRIPT.exists():
        session.skip(
            f"No benchmark script yet ({BENCH_SCRIPT.relative_to(ROOT)} is missing). The peer-harness "
            "adapter bench/peers_adapter.py, if present, runs from the harness folder: see its docstring."
        )
    install(session)
    session.run("python", str(BENCH_SCRIPT), *session.posargs)
