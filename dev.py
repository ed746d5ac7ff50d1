#!/usr/bin/env python3
"""The two commands of the README, with nothing but Python 3.11+ installed.

    python3 dev.py start [serve options]   install, build the web client, create the `demo` tenant, run the server
    python3 dev.py test [pytest options]   install, then ruff, mypy, every test suite and the web client's checks
    python3 dev.py docs                    regenerate the generated parts of docs/

Everything goes into `.venv/` at the repository root: every distribution of the repository
(each `*/pyproject.toml` at the top level) installed editable with all its extras. The install
is skipped while the pyproject files are unchanged (a stamp in `.venv/` holds their hash).
Data (the embedded PostgreSQL, filestore) lives in `.fullfinity/` unless FULLFINITY_DATA_DIR is set.
The web client (`frontend/`) is installed with `npm ci` and built into the core package when its
lockfile or sources changed (`frontend/scripts/bundle.py`, stamps beside the outputs).

Standard library only: this file runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs under whatever python3 the machine has
    sys.exit(f"dev.py needs Python 3.11 or newer; this is {sys.version.split()[0]}.")

import tomllib

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".fullfinity-install"
CORE = "fullfinity-core"
DEMO_ADMIN = "admin@demo.example.com"
DEMO_PASSWORD = "demo-admin-password"


def say(message: str) -> None:
    print(f"\033[1m==> {message}\033[0m" if sys.stdout.isatty() else f"==> {message}", flush=True)


def distributions() -> list[Path]:
    """Every distribution folder of the repository, core first (the others depend on it)."""
    found = sorted(p.parent for p in ROOT.glob("*/pyproject.toml"))
    return sorted(found, key=lambda d: (d.name != CORE, d.name))


def pyproject(dist: Path) -> dict:
    with (dist / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def requirement(dist: Path) -> str:
    """`./fullfinity-core[lint,test,typecheck]`: the distribution, editable, with every extra."""
    extras = sorted(pyproject(dist).get("project", {}).get("optional-dependencies", {}))
    return f"{dist}[{','.join(extras)}]" if extras else str(dist)


def install() -> None:
    """Create `.venv` if missing and install every distribution editable, unless nothing changed."""
    if not PYTHON.exists():
        say(f"Creating the virtual environment {VENV.relative_to(ROOT)}/")
        try:
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        except subprocess.CalledProcessError:
            sys.exit(
                "Could not create .venv with `python3 -m venv`. On Debian/Ubuntu install the venv module "
                "(apt install python3-venv), then run this command again."
            )
    dists = distributions()
    digest = hashlib.sha256()
    digest.update(sys.version.encode())
    for dist in dists:
        digest.update(dist.name.encode())
        digest.update((dist / "pyproject.toml").read_bytes())
    wanted = digest.hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        say(f"Dependencies up to date ({', '.join(d.name for d in dists)})")
        return
    say(f"Installing {', '.join(d.name for d in dists)} (editable, with extras) into .venv/")
    command = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "--upgrade-strategy", "eager"]
    for dist in dists:
        command += ["-e", requirement(dist)]
    if subprocess.run(command).returncode != 0:
        sys.exit("pip install failed; see its output above.")
    STAMP.write_text(wanted + "\n")


def frontend_bundle() -> ModuleType:
    """``frontend/scripts/bundle.py``, loaded by path (standard library only, like this file)."""
    spec = importlib.util.spec_from_file_location(
        "fullfinity_frontend_bundle", ROOT / "frontend" / "scripts" / "bundle.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_web_client() -> None:
    """Install the Node packages and build the web client unless both are up to date."""
    bundle = frontend_bundle()
    try:
        if not bundle.ensure_bundle(say):
            say("Web client up to date (frontend/ unchanged since the last build)")
    except bundle.BundleError as exc:
        sys.exit(str(exc))


CHROMIUM = Path("/usr/bin/chromium")


def ensure_chromium() -> bool:
    """Debian's Chromium for the end-to-end tests (never a downloaded browser): installed with
    apt-get when missing and we may (root, as CI runs); False when it is not there."""
    if CHROMIUM.exists():
        return True
    if hasattr(os, "geteuid") and os.geteuid() == 0 and Path("/usr/bin/apt-get").exists():
        say("Installing Debian's chromium for the web client's end-to-end tests (apt-get install -y chromium)")
        apt_env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], env=apt_env, stdin=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=apt_env, stdin=subprocess.DEVNULL)
    return CHROMIUM.exists()


def tool(name: str) -> str:
    return str(BIN / name)


def venv_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
    env["VIRTUAL_ENV"] = str(VENV)
    env.update(extra)
    return env


# -- start ---------------------------------------------------------------------------------


DEMO_MODULES_SCRIPT = """
from fullfinity.engine.module_registry import discover_modules
print(" ".join(
    ident for ident, info in discover_modules().items()
    if ident != "core" and not info.manifest.implicit and info.manifest.edition == "community"
))
"""


def demo_modules(env: dict[str, str]) -> list[str]:
    """The modules a demo tenant holds: every available community module that is not implicit."""
    found = subprocess.run([str(PYTHON), "-c", DEMO_MODULES_SCRIPT], env=env, capture_output=True, text=True)
    if found.returncode != 0:
        sys.exit(f"Could not list the available modules:\n{found.stderr}")
    return found.stdout.split()


def start(serve_args: list[str]) -> None:
    install()
    build_web_client()
    env = venv_env()
    env.setdefault("FULLFINITY_DATA_DIR", str(ROOT / ".fullfinity"))
    env.setdefault("FULLFINITY_DEFAULT_TENANT", "demo")
    Path(env["FULLFINITY_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    say(f"Data directory: {env['FULLFINITY_DATA_DIR']}")
    tenant = env["FULLFINITY_DEFAULT_TENANT"]
    say(f"Creating the '{tenant}' tenant if it does not exist")
    created = subprocess.run(
        [tool("fullfinity"), "tenant", "create", tenant, "--demo", "--if-not-exists", "--admin-email", DEMO_ADMIN],
        env=env,
    )
    if created.returncode != 0:
        sys.exit(created.returncode)
    # Every available module in the demo tenant, also those pip-installed after it was created
    # (installing what is installed already changes nothing; implicit glue modules come along).
    modules = demo_modules(env)
    if modules:
        say(f"Installing the available modules in '{tenant}': {', '.join(modules)}")
        installed = subprocess.run([tool("fullfinity"), "module", "install", *modules, "--tenant", tenant], env=env)
        if installed.returncode != 0:
            sys.exit(installed.returncode)
    # A known password for the demo administrator (a demo tenant only; reset at every start).
    password = subprocess.run(
        [tool("fullfinity"), "user", "passwd", DEMO_ADMIN, "--tenant", tenant, "--password-stdin"],
        env=env,
        input=DEMO_PASSWORD + "\n",
        text=True,
    )
    if password.returncode != 0:
        sys.exit(password.returncode)
    port = next((serve_args[i + 1] for i, a in enumerate(serve_args[:-1]) if a == "--port"), "8000")
    say(f"Open http://127.0.0.1:{port}/ in a browser and log in as {DEMO_ADMIN} / {DEMO_PASSWORD}")
    say(
        "   (internal user: user@demo.example.com / demo-user-password; portal user: "
        "ada.brooks@northwind.example / demo-portal-password)"
    )
    say(f"Starting the server (default tenant '{tenant}'); stop it with Ctrl-C")
    os.execve(tool("fullfinity"), [tool("fullfinity"), "serve", *serve_args], env)


# -- test ----------------------------------------------------------------------------------


def has_tests(folder: Path) -> bool:
    return folder.is_dir() and any(folder.rglob("test_*.py"))


def test(pytest_args: list[str]) -> int:
    began = time.monotonic()
    install()
    env = venv_env()
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    env.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    build_web_client()  # the packaging and serving tests look at the built bundle
    npx = str(ROOT / "frontend" / "node_modules" / ".bin")
    steps: list[tuple[str, list[str], Path]] = [
        ("ruff check", [tool("ruff"), "check", "."], ROOT),
        ("ruff format", [tool("ruff"), "format", "--check", "."], ROOT),
        ("web client: typecheck (tsc)", [f"{npx}/tsc", "-p", "."], ROOT / "frontend"),
        ("web client: unit tests (vitest)", [f"{npx}/vitest", "run"], ROOT / "frontend"),
    ]
    for dist in distributions():
        if "mypy" in pyproject(dist).get("tool", {}):
            steps.append((f"mypy {dist.name}", [tool("mypy")], dist))
    skipped: list[str] = []
    for folder in [*distributions(), ROOT]:
        label = f"pytest {folder.name if folder != ROOT else 'tests/ (cross-distribution)'}"
        if not has_tests(folder / "tests"):
            skipped.append(label)  # explicit: a distribution without tests yet, not a silent exit code 5
            continue
        target = ["tests"] if folder == ROOT else []
        steps.append((label, [tool("pytest"), *target, *pytest_args], folder))
    # Last: the end-to-end suite in real Chromium against a real `fullfinity serve` (frontend/e2e).
    if ensure_chromium():
        steps.append(
            ("web client: end to end (Playwright, Chromium)", [f"{npx}/playwright", "test"], ROOT / "frontend")
        )
    else:
        missing = "web client: end to end (no /usr/bin/chromium: apt-get install chromium)"
        steps.append((missing, [sys.executable, "-c", "raise SystemExit(1)"], ROOT))

    results: list[tuple[str, int, float]] = []
    for label, command, cwd in steps:
        where = cwd.relative_to(ROOT) if cwd != ROOT else Path(".")
        say(f"{label}   [{where}$ {Path(command[0]).name} {' '.join(command[1:])}]")
        t0 = time.monotonic()
        code = subprocess.run(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL).returncode
        results.append((label, code, time.monotonic() - t0))
    failed = [label for label, code, _ in results if code != 0]

    print()
    for label, code, seconds in results:
        state = "ok" if code == 0 else ("FAILED (no tests collected)" if code == 5 else f"FAILED (exit {code})")
        print(f"  {label:<48} {state:<28} {seconds:6.1f}s")
    for label in skipped:
        print(f"  {label:<48} skipped: no tests yet")
    elapsed = time.monotonic() - began
    if failed:
        print(f"SUMMARY: {len(failed)} of {len(results)} steps failed ({', '.join(failed)}) in {elapsed:.0f}s")
        return 1
    print(f"SUMMARY: all {len(results)} steps passed in {elapsed:.0f}s")
    return 0


# -- docs ----------------------------------------------------------------------------------


def docs() -> int:
    install()
    return subprocess.run([str(PYTHON), str(ROOT / "docs" / "generate.py")], env=venv_env()).returncode


def main(argv: list[str]) -> int:
    commands = {"start", "test", "docs"}
    if not argv or argv[0] not in commands:
        print(__doc__.strip().split("\n\n")[0] if __doc__ else "", file=sys.stderr)
        print(f"\nusage: python3 dev.py {{{'|'.join(sorted(commands))}}} [args...]", file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "start":
        start(rest)
        return 0
    if command == "docs":
        return docs()
    return test(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
