// The server the end-to-end tests run against: a real `fullfinity serve` on the embedded
// PostgreSQL, in a throw-away data directory, with a demo tenant (core's demo data, 130 more
// contacts for paging) and the e2e_notes module available to install from the browser.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export const PORT = Number(process.env.FULLFINITY_E2E_PORT ?? 8765);
export const BASE = `http://127.0.0.1:${PORT}`;
export const TENANT = "e2e";
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
  run(["tenant", "create", TENANT, "--demo", "--modules", "invoicing", "--admin-email", ADMIN.email]);
  run(["user", "passwd", ADMIN.email, "--tenant", TENANT, "--password-stdin"], `${ADMIN.password}\n`);
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
  return child;
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGINT");
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  await exited;
  clearTimeout(timer);
}
