import { readFileSync } from "node:fs";
import { expect, expectAccessible, login, openMenu, showList, test } from "./fixtures";

test.beforeEach(async ({ page }) => {
  await login(page);
  await openMenu(page, "Contacts", "Contacts");
  await showList(page);
  await expect(page.getByRole("table", { name: "Contacts" })).toBeVisible();
});

test("the list pages through records with a total, and is accessible", async ({ page }) => {
  const pager = page.getByTestId("pager-text");
  await expect(pager).toHaveText(/^1-80 \/ 1[34][0-9]$/);
  const total = Number((await pager.textContent())!.split("/ ")[1]);
  await page.getByRole("button", { name: "Next page" }).click();
  await expect(pager).toHaveText(`81-${total} / ${total}`);
  await expect(page.locator("tbody tr")).toHaveCount(total - 80);
  await page.getByRole("combobox", { name: "Records per page" }).click();
  await page.getByRole("option", { name: "200" }).click();
  await expect(pager).toHaveText(`1-${total} / ${total}`);
  await expectAccessible(page);
});

test("sorting by a header, then by a second one with shift", async ({ page }) => {
  const firstName = page.locator("tbody tr").first().locator("td").nth(1);
  await expect(firstName).toHaveText(/^A/);
  await page.getByRole("button", { name: "Sort by Name" }).click();
  await expect(page).toHaveURL(/order=name\+DESC|order=name%20DESC/);
  await expect(firstName).toHaveText(/^Paging Contact 130$/);
  await page.getByRole("button", { name: "Sort by Email" }).click({ modifiers: ["Shift"] });
  await expect(page).toHaveURL(/email/);
  await expect(page.getByRole("columnheader", { name: /Name/ })).toHaveAttribute("aria-sort", "descending");
});

test("search for a field value, add a filter, group by a field", async ({ page }) => {
  const search = page.getByRole("textbox", { name: "Search records" });
  await search.fill("listco");
  await page.getByRole("option", { name: /Search Email for: listco/ }).click();
  await expect(page.locator("[data-facet=field]")).toContainText("listco");
  await expect(page.getByTestId("pager-text")).toHaveText("1-3 / 3");
  await page.getByRole("button", { name: "Filters and grouping" }).click();
  await page.locator("[data-filter=companies]").click();
  await expect(page.getByTestId("pager-text")).toHaveText("1-1 / 1");
  await page.locator("[data-filter=companies]").click();
  await page.locator("[data-groupby=company]").click();
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("groups")).toBeVisible();
  await expect(page.locator("[data-group=None]")).toContainText("(3)");
  await page.locator("[data-group=None]").click();
  await expect(page.getByRole("table", { name: "Records of the group" }).locator("tbody tr")).toHaveCount(3);
  await expectAccessible(page);
});

test("select records and archive them in bulk, then find them under Archived", async ({ page }) => {
  await page.getByRole("textbox", { name: "Search records" }).fill("Paging Contact 12");
  await page.getByRole("option", { name: /Search Name for/ }).click();
  await expect(page.getByTestId("pager-text")).toHaveText("1-10 / 10");
  await page.getByRole("checkbox", { name: "Select all records of the page" }).check();
  await expect(page.getByTestId("selection-bar")).toContainText("10 selected");
  await page.getByRole("button", { name: "Actions" }).click();
  await page.getByRole("menuitem", { name: "Archive", exact: true }).click();
  await expect(page.getByText("Records archived.")).toBeVisible();
  await expect(page.getByTestId("empty-state")).toBeVisible();
  await page.getByRole("button", { name: "Filters and grouping" }).click();
  await page.locator("[data-filter=archived]").click();
  await expect(page.getByTestId("pager-text")).toHaveText("1-10 / 10");
});

test("export the selected records as CSV", async ({ page }) => {
  await page.getByRole("textbox", { name: "Search records" }).fill("Paging Contact 00");
  await page.getByRole("option", { name: /Search Name for/ }).click();
  await page.getByRole("checkbox", { name: "Select Paging Contact 001" }).check();
  await page.getByRole("checkbox", { name: "Select Paging Contact 002" }).check();
  await page.getByRole("button", { name: "Actions" }).click();
  const download = page.waitForEvent("download");
  await page.getByRole("menuitem", { name: "Export CSV" }).click();
  const file = await (await download).path();
  const text = readFileSync(file, "utf-8").replace(/^\ufeff/, "");
  const lines = text.trim().split(/\r\n/);
  expect(lines[0]).toBe("Name,Email,Phone,Company,Country");
  expect(lines.slice(1)).toEqual(["Paging Contact 001,paging1@example.test,,,", "Paging Contact 002,paging2@example.test,,,"]);
});

test("save the current search and apply it again", async ({ page }) => {
  await page.getByRole("textbox", { name: "Search records" }).fill("globex");
  await page.getByRole("option", { name: /Search Email for: globex/ }).click();
  await page.getByRole("button", { name: "Saved searches" }).click();
  await page.getByRole("textbox", { name: "Name of the search to save" }).fill("Globex people");
  await page.getByRole("button", { name: "Save current search" }).click();
  await page.keyboard.press("Escape");
  await page.getByRole("button", { name: /Remove Email: globex/ }).click();
  await expect(page.getByTestId("pager-text")).toHaveText(/^1-80/);
  await page.getByRole("button", { name: "Saved searches" }).click();
  await page.getByRole("menuitem", { name: /Globex people/ }).click();
  await expect(page.getByTestId("pager-text")).toHaveText("1-2 / 2");
});

test("a long page hands its rows from the records scrolled out to those scrolled in, each showing its own record", async ({ page }) => {
  await page.getByRole("combobox", { name: "Records per page" }).click();
  await page.getByRole("option", { name: "200" }).click();
  const total = Number((await page.getByTestId("pager-text").textContent())!.split("/ ")[1]);
  const box = page.getByTestId("list-scroll");
  await expect(page.locator("tbody tr.ff-row").first()).toBeVisible();
  // Focus the first row, mark every <tr> in the DOM, then scroll a screen and a half down.
  await page.locator("tbody tr.ff-row").first().focus();
  await page.evaluate(() => document.querySelectorAll<HTMLElement>("tbody tr.ff-row").forEach((tr) => { tr.dataset.was = tr.dataset.row; }));
  await box.evaluate((el) => { el.scrollTop = 900; });
  await expect.poll(() => page.locator("tbody tr.ff-row").first().getAttribute("data-row")).not.toBe("0");
  const shown = () => page.evaluate(() => [...document.querySelectorAll<HTMLElement>("tbody tr.ff-row")].map((tr) => ({
    row: Number(tr.dataset.row), was: tr.dataset.was, name: tr.querySelectorAll("td")[1]?.textContent ?? "",
  })));
  const rows = await shown();
  // The same <tr> elements now show other records (nothing was unmounted and mounted again)...
  expect(rows.filter((r) => r.was !== undefined && Number(r.was) !== r.row).length).toBeGreaterThan(5);
  // ...in order, each with its own record: consecutive indexes, the paging contacts numbered in step.
  rows.forEach((r, i) => expect(r.row).toBe(rows[0]!.row + i));
  const paging = rows.map((r) => ({ row: r.row, n: Number(/^Paging Contact (\d+)$/.exec(r.name)?.[1]) })).filter((r) => r.n);
  expect(paging.length).toBeGreaterThan(5);
  paging.forEach((r) => expect(r.n - paging[0]!.n).toBe(r.row - paging[0]!.row));
  // Focus did not stay on a row that now shows a stranger's record.
  expect(await page.evaluate(() => document.activeElement?.closest("tr")?.getAttribute("data-row") ?? null)).not.toBe(String(rows.find((r) => r.was === "0")?.row));
  // The bottom of the page is the last record.
  await box.evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await expect(page.locator("tbody tr.ff-row").last()).toHaveAttribute("aria-rowindex", String(total + 1));
});
