// The command palette: Ctrl+K, menus by name, records of the current screen by display_name.
import { expect, expectAccessible, login, openMenu, test } from "./fixtures";

test("Ctrl+K finds a menu by name and opens it", async ({ page }) => {
  await login(page);
  await page.keyboard.press("Control+K");
  const search = page.getByRole("textbox", { name: "Search menus and records" });
  await expect(search).toBeVisible();
  await search.fill("record rul");
  await expect(page.getByTestId("palette-menu").first()).toContainText("Record Rules");
  await expectAccessible(page);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/action\/core_record_rule_action|\/action\/[^/]*rule/);
  await expect(page.getByRole("table", { name: "Record Rules" })).toBeVisible();
});

test("the palette opens a record of the current screen by its name", async ({ page }) => {
  await login(page);
  await openMenu(page, "Contacts", "Contacts");
  await page.getByTestId("open-palette").click();
  await page.getByRole("textbox", { name: "Search menus and records" }).fill("Listco Gamma");
  const record = page.getByTestId("palette-record").filter({ hasText: "Listco Gamma Person" });
  await expect(record).toBeVisible();
  await page.keyboard.press("ArrowDown"); // past the menu found ("Contacts" holds no "Listco Gamma": none), to the record
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/action\/core_contact_action\/\d+$/);
  await expect(page.getByRole("navigation", { name: "Breadcrumbs" })).toContainText("Listco Gamma Person");
});
