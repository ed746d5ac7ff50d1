"""Regenerate the generated parts of docs/ from the code (``python3 dev.py docs`` runs this).

Each generated block sits between two markers naming the function that produces it:

    <!-- BEGIN GENERATED: fullfinity.settings.settings_markdown() -->
    ...
    <!-- END GENERATED -->

``--check`` changes nothing and exits 1 when a block is out of date (tests/test_docs.py
does the same check).
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable
from pathlib import Path

DOCS = Path(__file__).resolve().parent

# file -> dotted path of the function producing its generated block
GENERATED = {
    "settings.md": "fullfinity.settings.settings_markdown",
    "hooks.md": "fullfinity.plugins.hooks_markdown",
}

BLOCK = re.compile(
    r"(?P<begin><!-- BEGIN GENERATED: (?P<func>[\w.]+)\(\) -->\n)(?P<body>.*?)(?P<end><!-- END GENERATED -->)",
    re.DOTALL,
)


def producer(dotted: str) -> Callable[[], str]:
    module, _, name = dotted.rpartition(".")
    func: Callable[[], str] = getattr(importlib.import_module(module), name)
    return func


def regenerated(path: Path) -> str:
    """The file's text with its generated block replaced by what the code produces now."""
    text = path.read_text(encoding="utf-8")
    dotted = GENERATED[path.name]
    match = BLOCK.search(text)
    if match is None or match["func"] != dotted:
        raise SystemExit(f"{path}: no block marked <!-- BEGIN GENERATED: {dotted}() --> ... <!-- END GENERATED -->")
    body = producer(dotted)().rstrip("\n") + "\n"
    return text[: match.start("body")] + body + text[match.end("body") :]


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name in GENERATED:
        path = DOCS / name
        new = regenerated(path)
        if new != path.read_text(encoding="utf-8"):
            stale.append(name)
            if not check:
                path.write_text(new, encoding="utf-8")
    if check and stale:
        print(f"Out of date: {', '.join(stale)}. Run: python3 dev.py docs", file=sys.stderr)
        return 1
    print(f"{'Would update' if check else 'Updated'}: {', '.join(stale) or 'nothing (all in step)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
