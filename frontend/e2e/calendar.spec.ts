// The Calendar on the e2e_board module's tasks (e2e/server.ts seeds them in the current week).
import type { Locator, Page } from "@playwright/test";
import { expect, expectAccessible, login, openMenu, settle, test } from "./fixtures";
import { BASE, INTERNAL, thisWeek, token } from "./server";

async function api(path: string, body: unknown, method = "POST"): Promise<{ data: Record<string, unknown>[] }> {
  const response = await fetch(`${BASE}${path}`, {
    method, headers: { "Content-Type": "application/json", Authorization: `Bearer ${await token()}` }, body: JSON.stringify(body),
  });
  return (await response.json()) as { data: Record<string, unknown>[] };
}

async function task(name: string): Promise<{ start: string; stop: string }> {
  const found = await api("/api/query/E2eTask", { fields: ["start", "stop"], q_filter: `Q(name='${name}')` });
  return found.data[0] as { start: string; stop: string };
}

const instant = (iso: string): number => new Date(iso).getTime();
const event = (page: Page, name: string): Locator => page.getByTestId("calendar-event").filter({ hasText: name });
const day = (page: Page, days: number): Locator => page.locator(`[data-testid=calendar-day][data-day="${thisWeek(days, 0).slice(0, 10)}"]`);

/** Drag `from` by a pointer to the point (dx, dy) of `to`'s box. */
async function dragTo(page: Page, from: Locator, to: Locator, dy: number): Promise<void> {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + 8);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 6, a.y + 14, { steps: 3 });
  await page.mouse.move(b.x + b.width / 2, a.y + 8 + dy, { steps: 12 });
  await settle(page);
  await page.mouse.up();
}

test.beforeEach(async ({ page }) => {
  await login(page);
  await openMenu(page, "Board", "Task schedule");
  await expect(page.getByTestId("calendar-grid")).toHaveAttribute("data-mode", "week");
});

test("the week shows each task at its time, in its colour, and is accessible", async ({ page }) => {
  await expect(event(page, "Write the report")).toContainText("09:00");
  await expect(event(page, "Fix the login bug")).toContainText("13:00");
  await page.mouse.move(700, 5);
  await expectAccessible(page);
  await page.getByRole("radiogroup", { name: "Calendar range" }).getByText("Month").click();
  await expect(page.getByTestId("calendar-grid")).toHaveAttribute("data-mode", "month");
  await expect(event(page, "Write the report")).toBeVisible();
  await expectAccessible(page);
});

test("dragging an event to another day and hour reschedules it, keeping its length", async ({ page }) => {
  const before = await task("Write the report");
  await dragTo(page, event(page, "Write the report"), day(page, 2), 40); // Wednesday, one hour later
  await expect.poll(async () => (await task("Write the report")).start).not.toBe(before.start);
  const after = await task("Write the report");
  expect(instant(after.start)).toBe(instant(thisWeek(2, 10)));
  expect(instant(after.stop) - instant(after.start)).toBe(instant(before.stop) - instant(before.start));
  await expect(day(page, 2).getByTestId("calendar-event").filter({ hasText: "Write the report" })).toContainText("10:00");
});

test("dragging the bottom edge of an event changes its end", async ({ page }) => {
  const handle = event(page, "Fix the login bug").getByTestId("calendar-resize");
  const box = (await handle.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + 12, { steps: 3 });
  await page.mouse.move(box.x + box.width / 2, box.y + 42, { steps: 10 });
  await settle(page);
  await page.mouse.up();
  await expect.poll(async () => instant((await task("Fix the login bug")).stop)).toBe(instant(thisWeek(2, 15)));
});

test("a reschedule refused by a record rule puts the event back with the message", async ({ page, watch }) => {
  watch.allow("/api/update/E2eTask", 403);
  const before = await task("Locked task");
  await dragTo(page, event(page, "Locked task"), day(page, 4), 0);
  await expect(page.getByText(/not allowed to write E2eTask/)).toBeVisible();
  await expect(day(page, 3).getByTestId("calendar-event").filter({ hasText: "Locked task" })).toBeVisible();
  expect((await task("Locked task")).start).toBe(before.start);
});

test("a click on empty time creates a task there", async ({ page }) => {
  const thursday = (await day(page, 3).boundingBox())!;
  await page.mouse.click(thursday.x + thursday.width / 2, thursday.y + 15 * 40 + 10); // 15:00
  const dialog = page.getByRole("dialog", { name: "New event" });
  await dialog.getByRole("textbox", { name: "Name" }).fill("Made on the calendar");
  await page.keyboard.press("Enter");
  await expect(event(page, "Made on the calendar")).toContainText("15:00");
  expect(instant((await task("Made on the calendar")).start)).toBe(instant(thisWeek(3, 15)));
});

test("in Brussels time, 09:00 stays at 09:00 on both sides of the end of summer time", async ({ page }) => {
  const users = await api("/api/query/User", { fields: ["tz"], q_filter: `Q(email='${INTERNAL.email}')` });
  const id = Number(users.data[0]!.id);
  await api(`/api/update/User/${id}`, { tz: "Europe/Brussels" }, "PUT");
  try {
    await page.getByTestId("user-menu").click();
    await page.getByRole("menuitem", { name: "Log out" }).click();
    await login(page, INTERNAL);
    await page.goto("/action/e2e_schedule_action?mode=week&date=2026-10-25");
    await expect(page.getByTestId("calendar-view")).toHaveAttribute("data-tz", "Europe/Brussels");
    const before = event(page, "DST before");
    const after = event(page, "DST after");
    await expect(before).toContainText("09:00"); // 07:00 UTC, summer time (+02:00)
    await expect(after).toContainText("09:00"); // 08:00 UTC, winter time (+01:00)
    expect((await before.boundingBox())!.y).toBe((await after.boundingBox())!.y);
    await expect(page.locator('[data-day="2026-10-23"]').getByTestId("calendar-event")).toHaveCount(1);
    await expect(page.locator('[data-day="2026-10-25"]').getByTestId("calendar-event")).toHaveCount(1);
  } finally {
    await api(`/api/update/User/${id}`, { tz: "UTC" }, "PUT");
  }
});

test("a drag on empty time creates a task over the dragged range", async ({ page }) => {
  const friday = (await day(page, 4).boundingBox())!;
  const x = friday.x + friday.width / 2;
  await page.mouse.move(x, friday.y + 10 * 40 + 2); // 10:00
  await page.mouse.down();
  await page.mouse.move(x, friday.y + 11 * 40, { steps: 4 });
  await page.mouse.move(x, friday.y + 12.5 * 40 - 2, { steps: 6 }); // 12:30
  await expect(page.getByTestId("calendar-selection")).toContainText("10:00 – 12:30");
  await settle(page);
  await page.mouse.up();
  const dialog = page.getByRole("dialog", { name: "New event" });
  await expect(dialog.getByTestId("new-event-range")).toContainText("10:00 – 12:30");
  await dialog.getByRole("textbox", { name: "Name" }).fill("Dragged on the calendar");
  await page.keyboard.press("Enter");
  await expect(event(page, "Dragged on the calendar")).toContainText("10:00");
  const made = await task("Dragged on the calendar");
  expect([instant(made.start), instant(made.stop)]).toEqual([instant(thisWeek(4, 10)), instant(thisWeek(4, 12.5))]);
});

test("a drag on empty time across days creates one task from the first day's time to the last day's", async ({ page }) => {
  const wednesday = (await day(page, 2).boundingBox())!;
  const thursday = (await day(page, 3).boundingBox())!;
  await page.mouse.move(wednesday.x + wednesday.width / 2, wednesday.y + 16 * 40 + 2); // Wednesday 16:00
  await page.mouse.down();
  await page.mouse.move(wednesday.x + wednesday.width / 2, wednesday.y + 17 * 40, { steps: 4 });
  await page.mouse.move(thursday.x + thursday.width / 2, thursday.y + 9.5 * 40 - 2, { steps: 10 }); // Thursday 09:30
  await expect(page.getByTestId("calendar-selection")).toHaveCount(2); // the end of Wednesday and the start of Thursday
  await expect(day(page, 2).getByTestId("calendar-selection")).toContainText("16:00 – Thu 09:30");
  await settle(page);
  await page.mouse.up();
  const dialog = page.getByRole("dialog", { name: "New event" });
  await expect(dialog.getByTestId("new-event-range")).toContainText("16:00 –");
  await expect(dialog.getByTestId("new-event-range")).toContainText("09:30");
  await dialog.getByRole("textbox", { name: "Name" }).fill("Overnight job");
  await page.keyboard.press("Enter");
  await expect(event(page, "Overnight job")).toHaveCount(2); // drawn on both days
  const made = await task("Overnight job");
  expect([instant(made.start), instant(made.stop)]).toEqual([instant(thisWeek(2, 16)), instant(thisWeek(3, 9.5))]);
});

test("a drag over days of the month creates an all-day task over them", async ({ page }) => {
  await page.getByRole("radiogroup", { name: "Calendar range" }).getByText("Month").click();
  await expect(page.getByTestId("calendar-grid")).toHaveAttribute("data-mode", "month");
  const monday = (await day(page, 0).boundingBox())!;
  const wednesday = (await day(page, 2).boundingBox())!;
  await page.mouse.move(monday.x + monday.width / 2, monday.y + monday.height - 6); // below the day's events
  await page.mouse.down();
  await page.mouse.move(monday.x + monday.width, monday.y + monday.height - 6, { steps: 4 });
  await page.mouse.move(wednesday.x + wednesday.width / 2, wednesday.y + wednesday.height - 6, { steps: 8 });
  await expect(page.locator("[data-testid=calendar-day][data-selected]")).toHaveCount(3);
  await settle(page);
  await page.mouse.up();
  const dialog = page.getByRole("dialog", { name: "New event" });
  await dialog.getByRole("textbox", { name: "Name" }).fill("Trade fair");
  await page.keyboard.press("Enter");
  await expect(dialog).toBeHidden();
  const found = await api("/api/query/E2eTask", { fields: ["start", "stop", "all_day"], q_filter: "Q(name='Trade fair')" });
  const made = found.data[0] as { start: string; stop: string; all_day: boolean };
  expect([instant(made.start), instant(made.stop), made.all_day]).toEqual([instant(thisWeek(0, 0)), instant(thisWeek(3, 0)), true]);
  await expect(event(page, "Trade fair")).toHaveCount(3);
});

test("Shift+Down and Shift+Up resize a focused event from the keyboard", async ({ page }) => {
  await api("/api/create/E2eTask", { name: "Keyboard task", start: thisWeek(5, 9), stop: thisWeek(5, 10) });
  await page.reload();
  const moving = event(page, "Keyboard task");
  await moving.focus();
  await page.keyboard.press("Shift+ArrowDown");
  await expect.poll(async () => instant((await task("Keyboard task")).stop)).toBe(instant(thisWeek(5, 10.25)));
  await expect(moving).toHaveAttribute("aria-label", /09:00 to 10:15/);
  await moving.focus();
  await page.keyboard.press("Shift+ArrowDown");
  await expect.poll(async () => instant((await task("Keyboard task")).stop)).toBe(instant(thisWeek(5, 10.5)));
  await moving.focus();
  await page.keyboard.press("Shift+ArrowUp");
  await expect.poll(async () => instant((await task("Keyboard task")).stop)).toBe(instant(thisWeek(5, 10.25)));
});

test("an all-day event stretches over days by its right edge, and back with Shift+Left", async ({ page }) => {
  const offsite = page.getByTestId("calendar-allday").getByTestId("calendar-event").filter({ hasText: "Team offsite" });
  await expect(offsite).toBeVisible();
  const handle = (await offsite.getByTestId("calendar-stretch").boundingBox())!;
  const sunday = (await page.locator(`[data-testid=calendar-allday][data-day="${thisWeek(6, 0).slice(0, 10)}"]`).boundingBox())!;
  await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
  await page.mouse.down();
  await page.mouse.move(handle.x + 14, handle.y + handle.height / 2, { steps: 3 });
  await page.mouse.move(sunday.x + sunday.width / 2, sunday.y + sunday.height / 2, { steps: 12 });
  await settle(page);
  await page.mouse.up();
  await expect.poll(async () => instant((await task("Team offsite")).stop)).toBe(instant(thisWeek(7, 0)));
  await expect(page.getByTestId("calendar-allday").getByTestId("calendar-event").filter({ hasText: "Team offsite" })).toHaveCount(3);
  await page.getByTestId("calendar-allday").getByTestId("calendar-event").filter({ hasText: "Team offsite" }).first().focus();
  await page.keyboard.press("Shift+ArrowLeft");
  await expect.poll(async () => instant((await task("Team offsite")).stop)).toBe(instant(thisWeek(6, 0)));
});
