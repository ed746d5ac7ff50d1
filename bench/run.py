"""Run Fullfinity's own benchmark scripts one after the other and print their tables.

    python bench/run.py                 # every script below that exists
    python bench/run.py computed        # only those whose name contains "computed"

The ORM-vs-peers comparison uses the shared harness instead (its own virtualenv with every
peer installed); see docs/benchmarks.md for the exact command.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    "computed_bench.py",
    "security_bench.py",
    "cache_bench.py",
    "api_bench.py",
    "tenancy_bench.py",
    "crm_bench.py",
]


def main(argv: list[str]) -> int:
    wanted = [s for s in SCRIPTS if (HERE / s).exists() and (not argv or any(a in s for a in argv))]
    if not wanted:
        print("No benchmark script matches", argv or "(all)", file=sys.stderr)
        return 2
    failed = 0
    for script in wanted:
        print(f"\n## {script}\n", flush=True)
        failed += subprocess.run([sys.executable, str(HERE / script)], cwd=HERE).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
