// The Kanban board on the e2e_board module's tasks (e2e/server.ts seeds the stages and tasks).
import type { Locator, Page } from "@playwright/test";
import { expect, expectAccessible, login, openMenu, settle, test } from "./fixtures";
import { BASE, token } from "./server";

async function task(name: string): Promise<{ id: number; stage: { display_name: string } | null; sequence: number }> {
  const response = await fetch(`${BASE}/api/query/E2eTask`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${await token()}` },
    body: JSON.stringify({ fields: ["stage", "sequence"], q_filter: `Q(name='${name}')` }),
  });
  return ((await response.json()) as { data: { id: number; stage: { display_name: string } | null; sequence: number }[] }).data[0]!;
}

async function taskKind(name: string): Promise<string> {
  const response = await fetch(`${BASE}/api/query/E2eTask`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${await token()}` },
    body: JSON.stringify({ fields: ["kind"], q_filter: `Q(name='${name}')` }),
  });
  return ((await response.json()) as { data: { kind: string }[] }).data[0]!.kind;
}

const column = (page: Page, name: string): Locator => page.locator(`section[aria-label="${name}"]`);
const card = (page: Page, name: string): Locator => page.getByTestId("kanban-card").filter({ hasText: name });

/**
 * A pointer drag in small steps, as a person drags (dnd-kit starts after 6 px). A column is
 * aimed at its cards' area (its drop zone), not its header; the button is released only once the
 * page has drawn the last move.
 */
async function drag(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = (await from.boundingBox())!;
  const zone = to.locator(".ff-kanban-scroll");
  const b = (await ((await zone.count()) ? zone : to).boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2, { steps: 3 });
  await settle(page);
  await page.mouse.move(b.x + b.width / 2, b.y + Math.min(b.height / 2, 30), { steps: 12 });
  await settle(page);
  await page.mouse.up();
}

test.beforeEach(async ({ page }) => {
  await login(page);
  await openMenu(page, "Board", "Task board");
  await expect(page.getByTestId("kanban-board")).toBeVisible();
});

test("the board shows every stage as a column with its count and sum, Done folded, and is accessible", async ({ page }) => {
  await expect(column(page, "Backlog").getByTestId("column-count")).toHaveText("45");
  await expect(column(page, "Backlog").getByTestId("column-total")).toHaveText("Amount 454.50");
  await expect(column(page, "Review").getByTestId("column-count")).toHaveText("0");
  await expect(page.locator("[data-folded=true]")).toContainText("Done");
  await expect(card(page, "Backlog task 01")).toBeVisible();
  await page.mouse.move(700, 5); // off the menu link it clicked
  await expectAccessible(page);
  await page.locator("[data-folded=true]").getByRole("button", { name: "Unfold Done" }).click();
  await expect(column(page, "Done")).toBeVisible();
});

test("a stage the column filter keeps for another user is not a column of the admin's board", async ({ page }) => {
  await expect(column(page, "Review")).toBeVisible();
  const stages = await fetch(`${BASE}/api/query/E2eStage`, {
    method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${await token()}` },
    body: JSON.stringify({ fields: ["name"], q_filter: "Q(name=\"Dana's stage\")" }),
  });
  expect(((await stages.json()) as { data: unknown[] }).data).toHaveLength(1); // it exists, Dana's only
  // The admin's columns are the four shared stages (plus one for tasks without a stage, which the
  // calendar's tests create when they run first), never Dana's.
  for (const name of ["Backlog", "Doing", "Review"]) await expect(column(page, name)).toBeVisible();
  await expect(page.locator("[data-folded=true]")).toContainText("Done");
  await expect(page.locator("[data-testid=kanban-column]").filter({ hasText: "Dana's stage" })).toHaveCount(0);
});

test("a column loads 40 cards, draws only those in view, then the rest with Load more", async ({ page }) => {
  const backlog = column(page, "Backlog");
  const scroll = backlog.locator(".ff-kanban-scroll");
  await expect(scroll).toHaveAttribute("data-loaded", "40");
  // Virtualised: the cards out of view are not in the DOM until the column scrolls to them.
  expect(await backlog.getByTestId("kanban-card").count()).toBeLessThan(25);
  await expect(card(page, "Backlog task 40")).toHaveCount(0);
  await backlog.getByRole("button", { name: /Load more \(5 more\)/ }).click();
  await expect(scroll).toHaveAttribute("data-loaded", "45");
  await expect(backlog.getByRole("button", { name: /Load more/ })).toHaveCount(0);
  await scroll.evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await expect(card(page, "Backlog task 45")).toBeVisible();
});

test("a group-by from the search bar makes the columns, and a drop writes that field", async ({ page }) => {
  await page.getByRole("button", { name: "Filters and grouping" }).click();
  await page.locator("[data-groupby=kind]").click();
  await page.keyboard.press("Escape");
  // Columns are now the Selection's choices, with the grouped counts (15 bugs and 30 features in Backlog, plus Doing's).
  await expect(page.getByTestId("kanban-column")).toHaveCount(3);
  await expect(column(page, "Bug").getByTestId("column-count")).toHaveText("16");
  await expect(column(page, "Chore")).toBeVisible();
  await expect(column(page, "Backlog")).toHaveCount(0);
  await drag(page, card(page, "Write the report"), column(page, "Chore"));
  await expect(column(page, "Chore").getByTestId("kanban-card").filter({ hasText: "Write the report" })).toBeVisible();
  await expect.poll(async () => (await taskKind("Write the report"))).toBe("chore");
});

test("dragging a card to another column writes its stage, without reloading the board's cards", async ({ page }) => {
  const queries: string[] = [];
  let answered = 0;
  let refused = 0;
  page.on("response", (r) => { if (r.url().includes("/api/update/E2eTask") && r.status() >= 400) refused++; });
  await drag(page, card(page, "Write the report"), column(page, "Review"));
  page.on("request", (r) => { if (r.url().includes("/api/query/E2eTask")) queries.push(r.postData() ?? ""); });
  page.on("requestfinished", (r) => { if (r.url().includes("/api/query/E2eTask")) answered++; });
  await expect(column(page, "Review").getByTestId("kanban-card").filter({ hasText: "Write the report" })).toBeVisible();
  await expect(column(page, "Review").getByTestId("column-count")).toHaveText("1");
  await expect.poll(async () => (await task("Write the report")).stage?.display_name).toBe("Review");
  // Only the grouped counts and totals are asked again (one query), not the columns' cards.
  await expect.poll(() => queries.length).toBeGreaterThan(0);
  expect(queries.filter((q) => q.includes("group_by"))).toHaveLength(queries.length);
  // The card took the server's new updated_date: moving it again is not refused as stale.
  await expect(page.getByTestId("kanban-board")).not.toHaveAttribute("data-last-move-ms", "");
  // The second drag starts once the counts asked again after the first have arrived. In headless
  // Chromium a drag started right after a drop now and then does not start at all (the press
  // selects text instead; not understood yet, see docs/web-client.md): the drag is tried again
  // then, and a refused move (a stale updated_date: the board would reload and a retry succeed)
  // is caught by its answer.
  await expect.poll(() => answered).toBe(queries.length);
  await expect(async () => {
    await settle(page);
    await drag(page, card(page, "Write the report"), column(page, "Doing"));
    await expect(column(page, "Review").getByTestId("column-count")).toHaveText("0", { timeout: 3000 });
  }).toPass({ timeout: 20000 });
  expect(refused).toBe(0);
  await expect.poll(async () => (await task("Write the report")).stage?.display_name).toBe("Doing");
});

test("a drag refused by a record rule puts the card back and shows the server's message", async ({ page, watch }) => {
  watch.allow("/api/update/E2eTask", 403);
  await drag(page, card(page, "Locked task"), column(page, "Review"));
  await expect(page.getByText(/not allowed to write E2eTask/)).toBeVisible();
  await expect(column(page, "Doing").getByTestId("kanban-card").filter({ hasText: "Locked task" })).toBeVisible();
  expect((await task("Locked task")).stage?.display_name).toBe("Doing");
});

test("reordering inside a column writes the sequence", async ({ page }) => {
  const backlog = column(page, "Backlog");
  await drag(page, card(page, "Backlog task 03"), card(page, "Backlog task 01"));
  await expect(backlog.getByTestId("kanban-card").first()).toContainText("Backlog task 03");
  await expect.poll(async () => (await task("Backlog task 03")).sequence).toBeLessThan((await task("Backlog task 01")).sequence);
});

test("quick create in a column makes a card in that stage", async ({ page }) => {
  const review = column(page, "Review");
  await review.getByRole("button", { name: "Quick create in Review" }).click();
  await review.getByRole("textbox", { name: "New card in Review" }).fill("Quickly made task");
  await page.keyboard.press("Enter");
  await expect(review.getByTestId("kanban-card").filter({ hasText: "Quickly made task" })).toBeVisible();
  expect((await task("Quickly made task")).stage?.display_name).toBe("Review");
});

test("a card moves with the keyboard: Space, arrows, Space", async ({ page }) => {
  const moving = card(page, "Fix the login bug");
  await moving.focus();
  for (const key of ["Space", "ArrowRight", "Space"]) {
    await page.keyboard.press(key);
    await page.waitForTimeout(250); // dnd-kit measures the droppables between key presses
  }
  await expect.poll(async () => (await task("Fix the login bug")).stage?.display_name).not.toBe("Doing");
});

test("Contacts open as a grid of cards that opens a contact", async ({ page }) => {
  await openMenu(page, "Contacts", "Contacts");
  await expect(page.getByTestId("kanban-grid")).toBeVisible();
  await expect(page.getByTestId("kanban-card")).toHaveCount(40);
  await page.getByRole("button", { name: /Load more/ }).click();
  await expect(page.getByTestId("kanban-card")).toHaveCount(80);
  await page.getByTestId("kanban-card").first().click({ position: { x: 12, y: 12 } }); // not on its e-mail link
  await expect(page).toHaveURL(/\/action\/core_contact_action\/\d+/);
});
