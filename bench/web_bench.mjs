// Browser half of bench/web_bench.py: drives Debian's Chromium with playwright-core and prints
// one JSON object of measurements (milliseconds). Run by web_bench.py, which starts the server.
import { chromium } from "../frontend/node_modules/playwright-core/index.mjs";

const BASE = process.env.BENCH_BASE;
const TOKENS = JSON.parse(process.env.BENCH_TOKENS);
const PARENT = Number(process.env.BENCH_PARENT);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const p90 = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * 0.9))]; };

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });

async function context() {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await ctx.addInitScript((tokens) => localStorage.setItem("fullfinity.tokens", JSON.stringify(tokens)), TOKENS);
  return ctx;
}

async function rowsShown(page, count) {
  await page.waitForFunction((n) => document.querySelectorAll("table[aria-label] tbody tr.ff-row").length >= n, count, { timeout: 30000, polling: "raf" });
  return page.evaluate(() => performance.now());
}

// 1. Cold load to an interactive 80-row list: a new context each run (empty HTTP cache).
const cold = [];
for (let i = 0; i < RUNS; i++) {
  const ctx = await context();
  const page = await ctx.newPage();
  await page.goto(`${BASE}/action/core_contact_action?view=List`, { waitUntil: "commit" });
  const t = await rowsShown(page, 80);
  const start = await page.evaluate(() => performance.timeOrigin && performance.getEntriesByType("navigation")[0].startTime);
  cold.push(t - start);
  await ctx.close();
}

// 2. Warm switch between two list actions (menu clicks: Users and Companies, Contacts opening
// as Kanban cards now), and 3. a 2,000-row page.
const ctx = await context();
const page = await ctx.newPage();
await page.goto(`${BASE}/action/core_contact_action?view=List`);
await rowsShown(page, 80);
const nav = page.getByRole("navigation", { name: "Main menu" });
const switches = [];
for (let i = 0; i < RUNS * 2; i++) {
  const [link, table, n] = i % 2 === 0 ? ["Users", "Users", 3] : ["Companies", "Companies", 1];
  // The clock starts at the press: Playwright's click() first waits for the link to be visible,
  // stable and enabled (two animation frames and more), which is not the application's time.
  const box = await nav.getByRole("link", { name: link, exact: true }).boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const t0 = await page.evaluate(() => performance.now());
  await page.mouse.down();
  await page.mouse.up();
  await page.waitForFunction(([name, count]) => document.querySelectorAll(`table[aria-label="${name}"] tbody tr.ff-row`).length >= count, [table, n], { polling: "raf" });
  switches.push((await page.evaluate(() => performance.now())) - t0);
}

const big = [];
const bigFetch = [];
const scrollFrames = [];
for (let i = 0; i < Math.max(3, Math.floor(RUNS / 2)); i++) {
  await page.goto(`${BASE}/action/core_contact_action?view=List&limit=80`);
  await rowsShown(page, 80);
  const t0 = await page.evaluate(() => performance.now());
  await page.evaluate(() => { history.pushState({}, "", "/action/core_contact_action?view=List&limit=2000"); dispatchEvent(new PopStateEvent("popstate")); });
  await page.waitForFunction(() => document.querySelector("[data-testid=pager-text]")?.textContent?.startsWith("1-2,000") || document.querySelector("[data-testid=pager-text]")?.textContent?.startsWith("1-2000"), null, { polling: "raf", timeout: 30000 });
  await rowsShown(page, 20);
  const t1 = await page.evaluate(() => performance.now());
  big.push(t1 - t0);
  // Of that, the page's request for the 2,000 rows: from its start to its last byte (server + transfer + JSON).
  bigFetch.push(await page.evaluate(([from]) => {
    const entries = performance.getEntriesByType("resource").filter((e) => e.startTime >= from && /\/api\/query\/Contact/.test(e.name));
    return entries.length ? Math.max(...entries.map((e) => e.responseEnd - e.startTime)) : 0;
  }, [t0]));
  // Scroll through the 2,000 rows as a fast wheel does (400 px a frame, 60 frames); count frames longer than 2 vsyncs.
  scrollFrames.push(await page.evaluate(async () => {
    const box = document.querySelector("[data-testid=list-scroll]");
    const frames = [];
    let last = performance.now();
    for (let step = 1; step <= 60; step++) {
      box.scrollTop = step * 400;
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      frames.push(now - last);
      last = now;
    }
    return { worst: Math.max(...frames), dropped: frames.filter((f) => f > 33.4).length, rows: document.querySelectorAll("tbody tr.ff-row").length };
  }));
}

// 4. Typing in a form with 200 one-to-many lines: keydown to the next frame painted after the input.
await page.goto(`${BASE}/action/core_contact_action/${PARENT}`);
await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Children"] tbody tr').length >= 200, null, { timeout: 30000 });
const phone = page.getByRole("textbox", { name: "Phone" });
await phone.click();
await page.evaluate(() => {
  window.__keys = [];
  document.addEventListener("keydown", () => {
    const t0 = performance.now();
    requestAnimationFrame(() => setTimeout(() => window.__keys.push(performance.now() - t0), 0));
  }, true);
});
await phone.pressSequentially("0123456789 0123456789", { delay: 60 });
await page.waitForTimeout(300);
const keys = await page.evaluate(() => window.__keys);

// 5. Kanban of 2,000 cards in 8 stages: from the client-side navigation to every column showing
// its first 40 cards; then drags of a card to the next column (drop to the server's answer, and
// drop to the card shown in its new column).
const fullColumns = () => page.waitForFunction(() => {
  const columns = document.querySelectorAll("[data-testid=kanban-column]");
  // Each column holds its first 40 cards (data-loaded) and shows the ones in view (virtualised).
  return columns.length === 8 && [...columns].every((c) => Number(c.querySelector("[data-loaded]")?.getAttribute("data-loaded")) >= 40 && c.querySelectorAll("[data-testid=kanban-card]").length >= 5);
}, null, { polling: "raf", timeout: 30000 });
const kanban = [];
const kanbanNet = [];
for (let i = 0; i < RUNS; i++) {
  await page.goto(`${BASE}/action/core_user_action`);
  await page.waitForSelector("table[aria-label=Users] tbody tr.ff-row");
  const t0 = await page.evaluate(() => { const t = performance.now(); history.pushState({}, "", "/action/e2e_board_action"); dispatchEvent(new PopStateEvent("popstate")); return t; });
  await fullColumns();
  kanban.push((await page.evaluate(() => performance.now())) - t0);
  // Of that: the API requests the board made (how many, and when the last answer had arrived).
  kanbanNet.push(await page.evaluate(([from]) => {
    const entries = performance.getEntriesByType("resource").filter((e) => e.startTime >= from && e.name.includes("/api/"));
    return { count: entries.length, lastEnd: entries.length ? Math.max(...entries.map((e) => e.responseEnd)) - from : 0 };
  }, [t0]));
}
const drags = [];
const dropShown = [];
for (let i = 0; i < RUNS; i++) {
  const columns = page.getByTestId("kanban-column");
  const from = columns.nth(i % 2).getByTestId("kanban-card").first();
  const name = (await from.getAttribute("aria-label")) ?? "";
  const to = columns.nth(2 + (i % 2));
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  const before = await page.getByTestId("kanban-board").getAttribute("data-last-move-ms");
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2, { steps: 3 });
  await page.mouse.move(b.x + b.width / 2, b.y + 80, { steps: 10 });
  const t0 = await page.evaluate(() => performance.now());
  await page.mouse.up();
  await page.waitForFunction(([n, k]) => [...document.querySelectorAll("[data-testid=kanban-column]")][k]?.querySelector(`[aria-label="${n}"]`), [name, 2 + (i % 2)], { polling: "raf" });
  dropShown.push((await page.evaluate(() => performance.now())) - t0);
  await page.waitForFunction((prev) => { const v = document.querySelector("[data-testid=kanban-board]")?.getAttribute("data-last-move-ms"); return v && v !== prev; }, before, { polling: "raf" }).catch(() => {});
  drags.push(Number(await page.getByTestId("kanban-board").getAttribute("data-last-move-ms")));
  await page.waitForTimeout(300);
}

// 6. A month of 500 events: from the client-side navigation to the month grid showing them.
const calendar = [];
for (let i = 0; i < RUNS; i++) {
  await page.goto(`${BASE}/action/core_user_action`);
  await page.waitForSelector("table[aria-label=Users] tbody tr.ff-row");
  const t0 = await page.evaluate(() => { const t = performance.now(); history.pushState({}, "", "/action/e2e_schedule_action?mode=month"); dispatchEvent(new PopStateEvent("popstate")); return t; });
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=calendar-event]").length >= 100, null, { polling: "raf", timeout: 30000 });
  calendar.push((await page.evaluate(() => performance.now())) - t0);
}
await browser.close();

console.log(JSON.stringify({
  cold_p50: median(cold), cold_p90: p90(cold),
  switch_p50: median(switches), switch_p90: p90(switches),
  big_p50: median(big), big_p90: p90(big), big_fetch_p50: median(bigFetch),
  scroll_worst_frame: Math.max(...scrollFrames.map((s) => s.worst)), scroll_dropped: Math.max(...scrollFrames.map((s) => s.dropped)), rows_in_dom: scrollFrames[0]?.rows,
  key_p50: median(keys), key_p90: p90(keys), keys: keys.length,
  kanban_p50: median(kanban), kanban_p90: p90(kanban), kanban_requests: median(kanbanNet.map((n) => n.count)), kanban_last_answer_p50: median(kanbanNet.map((n) => n.lastEnd)), drag_p50: median(drags), drag_p90: p90(drags), drop_shown_p50: median(dropShown),
  calendar_p50: median(calendar), calendar_p90: p90(calendar),
}));
