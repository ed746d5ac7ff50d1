import { expect, login, openMenu, test } from "./fixtures";

test("install a module from the Modules screen; its menu appears", async ({ page }) => {
  test.setTimeout(120_000);
  await login(page);
  await openMenu(page, "Settings", "Modules");
  await page.getByRole("button", { name: /Remove Filter: Installed/ }).click();
  await page.getByTestId("kanban-card").filter({ hasText: "E2E Notes" }).click();
  await expect(page.getByRole("group", { name: "State" })).toContainText("Not installed");
  await page.getByRole("button", { name: "Install", exact: true }).click();
  await expect(page.getByRole("button", { name: "Uninstall" })).toBeVisible({ timeout: 60_000 });
  const nav = page.getByRole("navigation", { name: "Main menu" });
  await expect(nav.getByRole("link", { name: "All notes" })).toBeVisible();
  await nav.getByRole("link", { name: "All notes" }).click();
  await page.getByRole("button", { name: "New" }).click();
  await page.getByRole("textbox", { name: "Name" }).fill("First note");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("navigation", { name: "Breadcrumbs" })).toContainText("First note");
});

test("the General Settings form opens on the single configuration record", async ({ page }) => {
  await login(page);
  await openMenu(page, "Settings", "General Settings");
  await expect(page.getByRole("tab", { name: "General" })).toBeVisible();
  await expect(page.getByText("Main company")).toBeVisible();
  await expect(page.getByRole("textbox", { name: "Time zone" })).toHaveValue("UTC");
});

for (const [menu, title] of [["Users", "Users"], ["Groups", "Groups"], ["Access Rights", "Access Rights"], ["Record Rules", "Record Rules"], ["Companies", "Companies"]] as const) {
  test(`the ${menu} screen lists records and opens one`, async ({ page }) => {
    await login(page);
    await openMenu(page, "Settings", menu);
    const table = page.getByRole("table", { name: title });
    await expect(table.locator("tbody tr").first()).toBeVisible();
    if (menu === "Access Rights") return; // an editable list: rows are edited in place
    await table.locator("tbody tr").first().click();
    await expect(page.getByTestId("form-view")).toBeVisible();
  });
}
