import { expect, login, openMenu, test } from "./fixtures";
import { BOOKS_BASE } from "./server";

// The invoicing tenant (the e2e tenant holds core only, as the other specs expect).
test.use({ baseURL: BOOKS_BASE });

test("picking a product on an invoice line fills its price and taxes, and the totals follow", async ({ page }) => {
  await login(page);
  await openMenu(page, "Invoicing", "Customers", "Invoices");
  await page.getByRole("button", { name: "New" }).click();
  await page.getByRole("button", { name: "Add a line" }).click();
  const product = page.getByRole("combobox", { name: "Product (line 1)" });
  await product.click();
  await product.fill("Standing");
  await page.getByRole("option", { name: "Standing desk" }).click();

  await expect(page.getByRole("textbox", { name: "Description (line 1)" })).toHaveValue("Standing desk");
  await expect(page.getByRole("textbox", { name: "Unit price (line 1)" })).toHaveValue(/549\.00/);
  await page.getByRole("textbox", { name: "Quantity (line 1)" }).fill("2");
  await expect(page.getByRole("cell", { name: "1,098.00" }).first()).toBeVisible();
  await expect(page.getByTestId("tax-totals")).toContainText("1,098.00");
});

test("a new invoice opens with its journal and currency, and a line with its defaults", async ({ page }) => {
  await login(page);
  await openMenu(page, "Invoicing", "Customers", "Invoices");
  await page.getByRole("button", { name: "New" }).click();
  await expect(page.getByRole("combobox", { name: "Journal" })).toHaveValue("Customer invoices");
  await page.getByRole("button", { name: "Add a line" }).click();
  await expect(page.getByRole("textbox", { name: "Quantity (line 1)" })).toHaveValue("1.0000");
  const partner = page.getByRole("combobox", { name: "Partner" });
  await partner.click();
  await partner.fill("Northwind");
  await page.getByRole("option").first().click();
  const product = page.getByRole("combobox", { name: "Product (line 1)" });
  await product.click();
  await product.fill("chair");
  await page.getByRole("option", { name: "Ergonomic chair" }).click();
  await expect(page.getByRole("textbox", { name: "Description (line 1)" })).toHaveValue("Ergonomic chair");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("navigation", { name: "Breadcrumbs" })).toContainText("Draft invoice");
  await expect(page.getByRole("combobox", { name: "Currency" })).toHaveValue("EUR");
  if (process.env.FULLFINITY_SCREENSHOTS) await page.screenshot({ path: "../docs/screenshots/invoice-form.png" });
});

test("an accountant posts an invoice and registers its payment in the wizard", async ({ page }) => {
  await login(page);
  await openMenu(page, "Invoicing", "Customers", "Invoices");
  await page.getByRole("button", { name: "New" }).click();
  const partner = page.getByRole("combobox", { name: "Partner" });
  await partner.click();
  await partner.fill("Northwind");
  await page.getByRole("option").first().click();
  await page.getByRole("button", { name: "Add a line" }).click();
  await page.getByRole("textbox", { name: "Description (line 1)" }).fill("Consulting");
  await page.getByRole("textbox", { name: "Unit price (line 1)" }).fill("250.00");
  // A line without product takes the default sales tax as soon as it is added, as saving would.
  await expect(page.getByTestId("tax-totals")).toContainText("300.00");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("navigation", { name: "Breadcrumbs" })).toContainText("Draft invoice");

  await page.getByRole("button", { name: "Post" }).click();
  await expect(page.getByRole("navigation", { name: "Breadcrumbs" })).toContainText(/INV\/\d{4}\/\d+/);
  await page.getByRole("button", { name: "Register payment" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByRole("textbox", { name: "Amount" })).toHaveValue(/300\.00/);
  await dialog.getByRole("button", { name: "Create payment" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText("Paid", { exact: true }).first()).toBeVisible();
  if (process.env.FULLFINITY_SCREENSHOTS) await page.screenshot({ path: "../docs/screenshots/invoice-paid.png" });
});
