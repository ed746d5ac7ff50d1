// The server the end-to-end tests run against: a real `fullfinity serve` on the embedded
// PostgreSQL, in a throw-away data directory, with a demo tenant (core's demo data, 130 more
// contacts for paging), the e2e_notes module available to install from the browser, and the
// e2e_board module installed with stages and tasks for the Kanban and Calendar tests.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export const PORT = Number(process.env.FULLFINITY_E2E_PORT ?? 8765);
export const BASE = `http://127.0.0.1:${PORT}`;
export const TENANT = "e2e";
/** The tenant with invoicing, served for the host name `localhost` (BOOKS_BASE). */
export const BOOKS = "books";
export const BOOKS_BASE = `http://localhost:${PORT}`;
/** The tenant with inventory (its demo stock), served for the host name `stock.localhost` (loopback for Chromium). */
export const STOCK = "stock";
export const STOCK_BASE = `http://stock.localhost:${PORT}`;
export const ADMIN = { email: "admin@demo.example.com", password: "demo-admin-password" };
export const INTERNAL = { email: "user@demo.example.com", password: "demo-user-password" };
export const PORTAL = { email: "ada.brooks@northwind.example", password: "demo-portal-password" };

const HERE = import.meta.dirname;
const ROOT = resolve(HERE, "../..");
const DATA = join(HERE, ".data");

function fullfinity(): string {
  const venv = join(ROOT, ".venv", "bin", "fullfinity");
  return existsSync(venv) ? venv : "fullfinity";
}

function env(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    FULLFINITY_DATA_DIR: DATA,
    FULLFINITY_DEFAULT_TENANT: TENANT,
    FULLFINITY_LOG_LEVEL: "WARNING",
    // Every test logs in from 127.0.0.1: the default 20 logins a minute per address would refuse
    // the suite's own logins (throttling has its own tests in fullfinity-core/tests/auth/).
    FULLFINITY_LOGIN_IP_RATE: "1000",
    PYTHONPATH: [join(HERE, "fixtures"), process.env.PYTHONPATH].filter(Boolean).join(":"),
    PATH: [dirname(fullfinity()), process.env.PATH].join(":"),
  };
}

function run(args: string[], input?: string): void {
  const done = spawnSync(fullfinity(), args, { env: env(), input, encoding: "utf-8" });
  if (done.status !== 0) throw new Error(`fullfinity ${args.join(" ")} failed:\n${done.stdout}\n${done.stderr}`);
}

async function waitFor(url: string, child: ChildProcess, seconds = 120): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`fullfinity serve exited with ${child.exitCode}`);
    try { if ((await fetch(url)).ok) return; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${seconds} s`);
}

async function api(path: string, body: unknown, token?: string): Promise<unknown> {
  const response = await fetch(`${BASE}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

export async function token(user = ADMIN): Promise<string> {
  return ((await api("/auth/authenticate", user)) as { access_token: string }).access_token;
}

export async function startServer(): Promise<ChildProcess> {
  rmSync(DATA, { recursive: true, force: true });
  mkdirSync(DATA, { recursive: true });
  run(["tenant", "create", TENANT, "--demo", "--admin-email", ADMIN.email, "--modules", "e2e_board"]);
  run(["user", "passwd", ADMIN.email, "--tenant", TENANT, "--password-stdin"], `${ADMIN.password}\n`);
  // A second tenant, reached as http://localhost:PORT, for the business modules' screens.
  run(["tenant", "create", BOOKS, "--demo", "--admin-email", ADMIN.email, "--modules", "invoicing", "--hostname", "localhost"]);
  run(["user", "passwd", ADMIN.email, "--tenant", BOOKS, "--password-stdin"], `${ADMIN.password}\n`);
  run(["tenant", "create", STOCK, "--demo", "--admin-email", ADMIN.email, "--modules", "inventory", "--hostname", "stock.localhost"]);
  run(["user", "passwd", ADMIN.email, "--tenant", STOCK, "--password-stdin"], `${ADMIN.password}\n`);
  const child = spawn(fullfinity(), ["serve", "--host", "127.0.0.1", "--port", String(PORT)], { env: env(), stdio: ["ignore", "inherit", "inherit"] });
  await waitFor(`${BASE}/health`, child);
  const admin = await token();
  const records = Array.from({ length: 130 }, (_, i) => ({ name: `Paging Contact ${String(i + 1).padStart(3, "0")}`, email: `paging${i + 1}@example.test` }));
  await api("/api/bulk-create/Contact", { records }, admin);
  const listco = [
    { name: "Listco Alpha", email: "alpha@listco.example", is_company: true },
    { name: "Listco Beta Person", email: "beta@listco.example" },
    { name: "Listco Gamma Person", email: "gamma@listco.example" },
  ];
  await api("/api/bulk-create/Contact", { records: listco }, admin);
  await seedBoard(admin);
  return child;
}

/** Monday 00:00 UTC of the current week, plus `days` and `hours`, as the API's ISO form. */
export function thisWeek(days: number, hours: number): string {
  const now = new Date();
  const monday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - ((now.getUTCDay() + 6) % 7)));
  return new Date(monday.getTime() + (days * 24 + hours) * 3_600_000).toISOString();
}

/** Stages (Done folded, one only Dana's) and tasks: 45 in Backlog (one "Load more"), a locked one the record rule protects. */
async function seedBoard(admin: string): Promise<void> {
  const stages = [
    { name: "Backlog", sequence: 10 }, { name: "Doing", sequence: 20 }, { name: "Review", sequence: 30 }, { name: "Done", sequence: 40, fold: true },
  ];
  const created = (await api("/api/bulk-create/E2eStage", { records: stages }, admin)) as { data: { id: number }[] };
  const [backlog, doing, , done] = created.data.map((s) => s.id);
  // A stage of the demo user Dana's only: the board's column_filter leaves it out of the admin's board.
  const users = (await api("/api/query/User", { fields: ["id"], q_filter: "Q(email='user@demo.example.com')" }, admin)) as { data: { id: number }[] };
  await api("/api/bulk-create/E2eStage", { records: [{ name: "Dana's stage", sequence: 25, owner: users.data[0]!.id }] }, admin);
  const tasks = [
    ...Array.from({ length: 45 }, (_, i) => ({ name: `Backlog task ${String(i + 1).padStart(2, "0")}`, stage: backlog, sequence: (i + 1) * 10, amount: "10.10", kind: i % 3 === 0 ? "bug" : "feature" })),
    { name: "Write the report", stage: doing, sequence: 10, amount: "100.25", kind: "feature", start: thisWeek(1, 9), stop: thisWeek(1, 11) },
    { name: "Fix the login bug", stage: doing, sequence: 20, amount: "0.50", kind: "bug", start: thisWeek(2, 13), stop: thisWeek(2, 14) },
    { name: "Locked task", stage: doing, sequence: 30, amount: "1.00", kind: "chore", locked: true, start: thisWeek(3, 10), stop: thisWeek(3, 12) },
    { name: "Team offsite", stage: done, kind: "chore", all_day: true, start: thisWeek(4, 0), stop: thisWeek(5, 0) },
    // 09:00 in Brussels on both sides of the end of summer time (Sunday 25 October 2026, 03:00 CEST -> 02:00 CET).
    { name: "DST before", stage: done, kind: "chore", start: "2026-10-23T07:00:00Z", stop: "2026-10-23T08:00:00Z" },
    { name: "DST after", stage: done, kind: "chore", start: "2026-10-25T08:00:00Z", stop: "2026-10-25T09:00:00Z" },
  ];
  await api("/api/bulk-create/E2eTask", { records: tasks }, admin);
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGINT");
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  await exited;
  clearTimeout(timer);
}
