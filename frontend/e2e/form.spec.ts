import { ADMIN } from "./server";
import { expect, expectAccessible, login, openMenu, showList, test } from "./fixtures";

async function openContact(page: import("@playwright/test").Page, name: string): Promise<void> {
  await openMenu(page, "Contacts", "Contacts");
  await showList(page);
  await page.getByRole("textbox", { name: "Search records" }).fill(name);
  await page.getByRole("option", { name: /Search Name for/ }).click();
  await page.getByRole("cell", { name, exact: true }).click();
  await expect(page.getByTestId("form-view")).toBeVisible();
}

test.beforeEach(async ({ page }) => login(page));

test("open a contact, edit it and save it", async ({ page }) => {
  await openContact(page, "Dana Ortiz");
  await expectAccessible(page);
  const phone = page.getByRole("textbox", { name: "Phone" });
  await phone.fill("+32 2 555 0199");
  await expect(page.getByTestId("form-view")).toHaveAttribute("data-dirty", "true");
  await page.keyboard.press("Alt+s");
  await expect(page.getByText("Saved.")).toBeVisible();
  await page.reload();
  await expect(page.getByRole("textbox", { name: "Phone" })).toHaveValue("+32 2 555 0199");
});

test("a modifier hides a field live while editing", async ({ page }) => {
  await openContact(page, "Chen Wei");
  await expect(page.getByRole("combobox", { name: "Parent" })).toBeVisible();
  await page.getByRole("switch", { name: "Is company" }).check();
  await expect(page.getByRole("combobox", { name: "Parent" })).toHaveCount(0);
  await page.getByRole("button", { name: "Discard" }).click();
  await expect(page.getByRole("combobox", { name: "Parent" })).toBeVisible();
});

test("leaving a changed form asks to save, discard or stay", async ({ page }) => {
  await openContact(page, "Bastian Keller");
  await page.getByRole("textbox", { name: "Email" }).fill("changed@example.test");
  await page.getByRole("navigation", { name: "Main menu" }).getByRole("link", { name: "Users", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Unsaved changes" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Stay" }).click();
  await expect(page.getByRole("textbox", { name: "Email" })).toHaveValue("changed@example.test");
  await page.getByRole("navigation", { name: "Main menu" }).getByRole("link", { name: "Users", exact: true }).click();
  await dialog.getByRole("button", { name: "Discard" }).click();
  await expect(page.getByRole("table", { name: "Users" })).toBeVisible();
  await page.goBack();
  await expect(page.getByRole("textbox", { name: "Email" })).toHaveValue("bastian.keller@northwind.example");
});

test("a validation error from the server shows under its field", async ({ page, watch }) => {
  watch.allow("/api/update/Contact/", 422);
  await openContact(page, "Globex Corporation");
  await page.getByRole("textbox", { name: "Name" }).fill("");
  await page.getByRole("button", { name: "Save" }).click();
  const wrapper = page.locator("[data-field-wrapper=name]");
  await expect(wrapper).toContainText("is required");
  await page.getByRole("textbox", { name: "Name" }).fill("Globex Corporation");
  await expect(wrapper).not.toContainText("is required");
});

test("two people editing one contact: the second save gets the conflict dialog and keeps the edits", async ({ page, browser, watch }) => {
  watch.allow("/api/update/Contact/", 409);
  await openContact(page, "Ada Brooks");
  const other = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const second = await other.newPage();
  await login(second, ADMIN);
  await second.goto(page.url());
  await second.getByRole("textbox", { name: "Phone" }).fill("+1 555 7777");
  await second.getByRole("button", { name: "Save" }).click();
  await expect(second.getByText("Saved.")).toBeVisible();
  await other.close();

  await page.getByRole("textbox", { name: "Email" }).fill("ada@conflict.example");
  await page.getByRole("button", { name: "Save" }).click();
  const dialog = page.getByRole("dialog", { name: "Someone else changed this record" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Reload, keep my changes" }).click();
  await expect(page.getByRole("textbox", { name: "Email" })).toHaveValue("ada@conflict.example");
  await expect(page.getByRole("textbox", { name: "Phone" })).toHaveValue("+1 555 7777");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
});

test("a many-to-one field creates the record typed in it", async ({ page }) => {
  await openContact(page, "Chen Wei");
  const company = page.getByRole("combobox", { name: "Company" });
  await company.click();
  await company.fill("Initech Quick");
  await page.getByRole("option", { name: 'Create "Initech Quick"' }).click();
  await expect(company).toHaveValue("Initech Quick");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  await page.reload();
  await expect(page.getByRole("combobox", { name: "Company" })).toHaveValue("Initech Quick");
});

test("create a contact from the list with the New button", async ({ page }) => {
  await openMenu(page, "Contacts", "Contacts");
  await showList(page);
  await page.getByRole("button", { name: "New" }).click();
  await page.getByRole("textbox", { name: "Name" }).fill("Brand New Contact");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/\/action\/core_contact_action\/\d+$/);
  await expect(page.getByRole("navigation", { name: "Breadcrumbs" })).toContainText("Brand New Contact");
});

test("a many-to-one field opens the related form to create and edit a record", async ({ page }) => {
  await openContact(page, "Dana Ortiz");
  const company = page.getByRole("combobox", { name: "Company" });
  await company.click();
  await company.fill("Dialog Co");
  await page.getByRole("option", { name: "Create and edit..." }).click();
  const dialog = page.getByRole("dialog", { name: "Create Company" });
  await expect(dialog.getByRole("textbox", { name: "Name" })).toHaveValue("Dialog Co");
  await dialog.getByRole("textbox", { name: "Name" }).fill("Dialog Company Ltd");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(company).toHaveValue("Dialog Company Ltd");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
});

test("an editable list saves a row edited in place with Enter", async ({ page }) => {
  await openMenu(page, "Settings", "Access Rights");
  const table = page.getByRole("table", { name: "Access Rights" });
  await table.locator("tbody tr").first().click();
  const name = table.getByRole("textbox", { name: /Name \(row 1\)/ });
  await name.fill("Renamed in place");
  await name.press("Enter");
  await expect(table.getByRole("cell", { name: "Renamed in place", exact: true })).toBeVisible();
});
