"""Build the web client when its sources changed: ``npm ci`` then ``npm run build``.

One implementation for ``dev.py`` (start and test) and the wheel's build hook
(``fullfinity-core/hatch_build.py``). Standard library only.

- ``npm ci`` runs when ``node_modules`` is missing or ``package-lock.json`` changed since the
  last install (a stamp in ``node_modules/.fullfinity-lock``);
- ``npm run build`` runs when the bundle is missing or any source file changed since it was
  built (a stamp in the bundle directory, ``.build-stamp``, holding a hash of the sources).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

FRONTEND = Path(__file__).resolve().parents[1]
BUNDLE = FRONTEND.parent / "fullfinity-core" / "src" / "fullfinity" / "web" / "static"
SOURCES = ("src", "public", "index.html", "package.json", "package-lock.json", "vite.config.ts", "tsconfig.json")
BUILD_STAMP = ".build-stamp"
LOCK_STAMP = ".fullfinity-lock"


class BundleError(RuntimeError):
    """npm is missing or a step failed."""


def _files() -> list[Path]:
    found: list[Path] = []
    for name in SOURCES:
        path = FRONTEND / name
        if path.is_dir():
            found.extend(p for p in path.rglob("*") if p.is_file() and not p.name.endswith((".test.ts", ".test.tsx")))
        elif path.is_file():
            found.append(path)
    return sorted(found)


def sources_digest() -> str:
    digest = hashlib.sha256()
    for path in _files():
        digest.update(path.relative_to(FRONTEND).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def lock_digest() -> str:
    return hashlib.sha256((FRONTEND / "package-lock.json").read_bytes()).hexdigest()


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise BundleError(
            "npm is not installed: the web client is built with Node.js 20+ and npm "
            "(Debian: apt-get install nodejs npm), then run this command again."
        )
    return npm


def _run(args: list[str], say: object) -> None:
    if callable(say):
        say(f"{' '.join(args)}   [frontend/]")
    env = dict(os.environ)
    env.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")  # browsers come from Debian, never downloaded
    if subprocess.run([_npm(), *args], cwd=FRONTEND, env=env, stdin=subprocess.DEVNULL).returncode != 0:
        raise BundleError(f"`npm {' '.join(args)}` failed in {FRONTEND}; see its output above.")


def ensure_node_modules(say: object = None) -> bool:
    """``npm ci`` unless the installed packages match the lockfile; True when it ran."""
    stamp = FRONTEND / "node_modules" / LOCK_STAMP
    wanted = lock_digest()
    if stamp.is_file() and stamp.read_text().strip() == wanted:
        return False
    _run(["ci", "--no-audit", "--no-fund"], say)
    stamp.write_text(wanted + "\n")
    return True


def bundle_fresh() -> bool:
    stamp = BUNDLE / BUILD_STAMP
    return (BUNDLE / "index.html").is_file() and stamp.is_file() and stamp.read_text().strip() == sources_digest()


def ensure_bundle(say: object = None) -> bool:
    """Install the packages and build the bundle unless it is fresh; True when it was built."""
    ensure_node_modules(say)
    if bundle_fresh():
        return False
    _run(["run", "build"], say)
    (BUNDLE / BUILD_STAMP).write_text(sources_digest() + "\n")
    return True


if __name__ == "__main__":
    ensure_bundle(print)
