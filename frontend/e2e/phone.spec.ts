// At a 390 px phone width: the menu collapses behind the burger, lists become cards, forms stack,
// and nothing is wider than the screen.
import { expect, login, test } from "./fixtures";

test.use({ viewport: { width: 390, height: 844 } });

async function fitsTheScreen(page: import("@playwright/test").Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
}

test("a list and a form at phone width", async ({ page }, info) => {
  await login(page);
  await expect(page.getByRole("button", { name: "Toggle the menu" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main menu" })).not.toBeInViewport();
  await page.goto("/action/core_contact_action?view=List");
  await expect(page.getByTestId("pager-text")).toBeVisible();
  await fitsTheScreen(page);
  await page.screenshot({ path: info.outputPath("phone-list.png") });
  await page.getByText("Listco Alpha", { exact: true }).first().click();
  await expect(page.getByTestId("form-view")).toBeVisible();
  await fitsTheScreen(page);
  const name = (await page.getByRole("textbox", { name: "Name" }).boundingBox())!;
  const email = (await page.getByRole("textbox", { name: "Email" }).boundingBox())!;
  expect(email.y).toBeGreaterThan(name.y + name.height - 1); // stacked, not side by side
  await page.screenshot({ path: info.outputPath("phone-form.png") });
  await page.getByRole("button", { name: "Toggle the menu" }).click();
  await expect(page.getByRole("navigation", { name: "Main menu" }).getByRole("link", { name: "Contacts", exact: true })).toBeInViewport();
});

test("the board and the calendar at phone width scroll inside themselves", async ({ page }) => {
  await login(page);
  await page.goto("/action/e2e_board_action");
  await expect(page.getByTestId("kanban-board")).toBeVisible();
  await fitsTheScreen(page);
  await page.goto("/action/e2e_schedule_action?mode=day");
  await expect(page.getByTestId("calendar-grid")).toBeVisible();
  await fitsTheScreen(page);
});
