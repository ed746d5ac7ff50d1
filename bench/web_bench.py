"""The web client's budgets (web-client.md 4), measured in real Chromium on loopback.

    /path/to/venv/bin/python bench/web_bench.py [--runs 7]

Starts a real ``fullfinity serve`` on the embedded PostgreSQL in a throw-away data directory
with a demo tenant, 2,000 more contacts and one company with 200 contacts (a form with a
200-line one-to-many), and the end-to-end tests' ``e2e_board`` module (frontend/e2e/fixtures)
with 2,000 tasks in 8 stages (the Kanban), 500 of them events in the current month (the Calendar),
builds nothing (the bundle in fullfinity/web/static is measured as it
is), then runs ``bench/web_bench.mjs`` (playwright-core on /usr/bin/chromium) and prints the
figures beside their budgets. First-screen JS and CSS are the gzip sizes of what index.html
loads (lazy chunks are not counted: they load with the first form or date picker).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "fullfinity-core" / "src" / "fullfinity" / "web" / "static"
BIN = Path(sys.executable).parent
PORT = int(os.environ.get("BENCH_PORT", "8766"))
FIXTURES = ROOT / "frontend" / "e2e" / "fixtures"
BASE = f"http://127.0.0.1:{PORT}"
ADMIN, PASSWORD = "admin@demo.example.com", "bench-admin-password"


def call(path: str, body: object, token: str | None = None, method: str = "POST") -> dict:
    request = urllib.request.Request(f"{BASE}{path}", data=json.dumps(body).encode(), method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def seed_board(token: str) -> None:
    """2,000 tasks in 8 stages (the Kanban), 500 of them timed in the current month (the Calendar)."""
    stages = [{"name": f"Stage {i + 1}", "sequence": (i + 1) * 10} for i in range(8)]
    ids = [row["id"] for row in call("/api/bulk-create/E2eStage", {"records": stages}, token)["data"]]
    for start in range(0, 1500, 500):
        tasks = [
            {"name": f"Task {i:04d}", "stage": ids[i % 8], "sequence": i, "amount": "12.50", "kind": "feature"}
            for i in range(start, start + 500)
        ]
        call("/api/bulk-create/E2eTask", {"records": tasks}, token)
    today = time.gmtime()
    events = []
    for i in range(500):
        day, hour = 1 + i % 28, 8 + (i // 28) % 10
        begin = f"{today.tm_year:04d}-{today.tm_mon:02d}-{day:02d}T{hour:02d}:00:00Z"
        end = f"{today.tm_year:04d}-{today.tm_mon:02d}-{day:02d}T{hour:02d}:45:00Z"
        events.append({"name": f"Event {i:03d}", "stage": ids[i % 8], "kind": "chore", "start": begin, "stop": end})
    call("/api/bulk-create/E2eTask", {"records": events}, token)


def first_screen_sizes() -> tuple[int, int]:
    index = (STATIC / "index.html").read_text()
    js = css = 0
    for path in re.findall(r'(?:src|href)="(/assets/[^"]+)"', index):
        gz = STATIC / (path.lstrip("/") + ".gz")
        size = (
            gz.stat().st_size
            if gz.is_file()
            else len(__import__("gzip").compress((STATIC / path.lstrip("/")).read_bytes()))
        )
        if path.endswith(".js"):
            js += size
        elif path.endswith(".css"):
            css += size
    return js, css


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not (STATIC / "index.html").is_file():
        sys.exit("Build the web client first: python3 dev.py start (or cd frontend && npm run build).")
    data = Path(tempfile.mkdtemp(prefix="ffwebbench-"))
    env = dict(
        os.environ,
        FULLFINITY_DATA_DIR=str(data),
        FULLFINITY_DEFAULT_TENANT="bench",
        FULLFINITY_LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join(p for p in (str(FIXTURES), os.environ.get("PYTHONPATH", "")) if p),
    )
    ff = str(BIN / "fullfinity")
    subprocess.run(
        [ff, "tenant", "create", "bench", "--demo", "--admin-email", ADMIN, "--modules", "e2e_board"],
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [ff, "user", "passwd", ADMIN, "--tenant", "bench", "--password-stdin"],
        env=env,
        check=True,
        input=PASSWORD + "\n",
        text=True,
        capture_output=True,
    )
    server = subprocess.Popen([ff, "serve", "--host", "127.0.0.1", "--port", str(PORT)], env=env)
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{BASE}/health", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        tokens = call("/auth/authenticate", {"email": ADMIN, "password": PASSWORD})
        token = tokens["access_token"]
        for start in range(0, 2000, 500):
            records = [
                {"name": f"Bench Contact {i:04d}", "email": f"b{i}@bench.example", "phone": f"+1 555 {i:04d}"}
                for i in range(start, start + 500)
            ]
            call("/api/bulk-create/Contact", {"records": records}, token)
        children = [["N", {"name": f"Bench Child {i:03d}", "email": f"c{i}@bench.example"}] for i in range(200)]
        parent = call("/api/create/Contact", {"name": "Bench Parent", "is_company": True, "children": children}, token)
        seed_board(token)
        js, css = first_screen_sizes()
        out = subprocess.run(
            ["node", str(ROOT / "bench" / "web_bench.mjs")],
            env=dict(
                os.environ,
                BENCH_BASE=BASE,
                BENCH_TOKENS=json.dumps(tokens),
                BENCH_PARENT=str(parent["id"]),
                BENCH_RUNS=str(args.runs),
            ),
            check=True,
            capture_output=True,
            text=True,
        )
        m = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        server.send_signal(2)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(data, ignore_errors=True)
    rows = [
        ("JavaScript for the first screen (gzip)", f"{js / 1024:.0f} kB", "<= 250 kB", js <= 250 * 1024),
        ("CSS for the first screen (gzip)", f"{css / 1024:.0f} kB", "<= 45 kB", css <= 45 * 1024),
        (
            "cold load to an interactive 80-row list, p50 (p90)",
            f"{m['cold_p50']:.0f} ms ({m['cold_p90']:.0f})",
            "<= 1000 ms",
            m["cold_p50"] <= 1000,
        ),
        (
            "switch between two list actions (warm), p50 (p90)",
            f"{m['switch_p50']:.0f} ms ({m['switch_p90']:.0f})",
            "<= 150 ms",
            m["switch_p50"] <= 150,
        ),
        (
            "a 2,000-row page rendered, p50 (p90)",
            f"{m['big_p50']:.0f} ms ({m['big_p90']:.0f})",
            "<= 300 ms",
            m["big_p50"] <= 300,
        ),
        (
            "  of which the request for the rows (server, transfer), p50",
            f"{m['big_fetch_p50']:.0f} ms",
            "(part of it)",
            True,
        ),
        (
            "  scrolling it: worst frame, frames over 33 ms",
            f"{m['scroll_worst_frame']:.0f} ms, {m['scroll_dropped']}",
            "no dropped frames",
            m["scroll_dropped"] == 0,
        ),
        (
            "typing in a form with 200 one-to-many lines, p50 (p90)",
            f"{m['key_p50']:.0f} ms ({m['key_p90']:.0f})",
            "<= 50 ms",
            m["key_p50"] <= 50,
        ),
        (
            "Kanban of 2,000 cards in 8 stages: first columns, p50 (p90)",
            f"{m['kanban_p50']:.0f} ms ({m['kanban_p90']:.0f})",
            "<= 500 ms",
            m["kanban_p50"] <= 500,
        ),
        (
            "  of which until the last of its API answers, p50 (requests)",
            f"{m['kanban_last_answer_p50']:.0f} ms ({m['kanban_requests']})",
            "(part of it)",
            True,
        ),
        (
            "  a drag to another column: drop to server answer, p50 (p90)",
            f"{m['drag_p50']:.0f} ms ({m['drag_p90']:.0f})",
            "<= 100 ms",
            m["drag_p50"] <= 100,
        ),
        (
            "  the card in its new column after the drop, p50",
            f"{m['drop_shown_p50']:.0f} ms",
            "(optimistic)",
            True,
        ),
        (
            "a month of 500 calendar events rendered, p50 (p90)",
            f"{m['calendar_p50']:.0f} ms ({m['calendar_p90']:.0f})",
            "(no budget)",
            True,
        ),
    ]
    print(f"{'what':<58} {'measured':>18}  {'budget':>18}")
    for what, value, budget, ok in rows:
        print(f"{what:<58} {value:>18}  {budget:>18}  {'met' if ok else 'MISSED'}")
    print(f"(rows in the DOM for the 2,000-row page: {m['rows_in_dom']}; keystrokes measured: {m['keys']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
