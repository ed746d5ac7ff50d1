import type { Page } from "@playwright/test";
import { expect, login, openMenu, test } from "./fixtures";
import { STOCK_BASE } from "./server";

// The inventory tenant (its demo warehouse and stock); the other tenants stay without inventory.
test.use({ baseURL: STOCK_BASE });

/** A new transfer of `operationType` with one move of `product` for `demand`, saved (draft). */
async function newTransfer(page: Page, menu: string, operationType: string, product: string, demand: string): Promise<void> {
  await openMenu(page, "Inventory", "Operations", menu);
  await page.getByRole("button", { name: "New" }).click();
  const type = page.getByRole("combobox", { name: "Operation type" });
  await type.click();
  await type.fill(operationType);
  await page.getByRole("option", { name: operationType }).first().click();
  await page.getByRole("button", { name: "Add a line" }).click();
  const line = page.getByRole("combobox", { name: "Product (line 1)" });
  await line.click();
  await line.fill(product);
  await page.getByRole("option", { name: product }).first().click();
  await page.getByRole("textbox", { name: "Demand (line 1)" }).fill(demand);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("navigation", { name: "Breadcrumbs" })).toContainText(/WH\/(IN|OUT)\/\d+/);
}

/** Opens Inventory > Products and waits until `product`'s row shows `quantity` on hand. */
async function expectOnHand(page: Page, product: string, quantity: string): Promise<void> {
  // Inventory > Products > Products (the product module has a "Products" menu of its own).
  await page.getByRole("navigation", { name: "Main menu" }).locator('[data-menu="inventory_products_menu"]').click();
  await expect(page).toHaveURL(/inventory_product_action/);
  // Retried: a row of the screen being left can match for a moment, then leave the page.
  await expect(page.getByRole("row").filter({ hasText: product }).first()).toContainText(quantity);
}

test("the overview shows each operation type with its ready, waiting and late counts named", async ({ page }) => {
  await login(page);
  await openMenu(page, "Inventory", "Overview");
  const receipts = page.getByTestId("kanban-card").filter({ hasText: "Receipts" }).first();
  await expect(receipts).toContainText("Ready");
  await expect(receipts).toContainText("Waiting");
  await expect(receipts).toContainText("Late");
  if (process.env.FULLFINITY_SCREENSHOTS) await page.screenshot({ path: "../docs/screenshots/inventory-overview.png" });
});

test("a receipt validated in the browser puts the goods on hand", async ({ page }) => {
  await login(page);
  await expectOnHand(page, "Monitor 27", "0.0000"); // the demo's monitors are ordered, not received
  await newTransfer(page, "Receipts", "Receipts", "Monitor 27", "4");
  await page.getByRole("button", { name: "Validate" }).click();
  await expect(page.getByRole("button", { name: "Return" })).toBeVisible(); // done
  if (process.env.FULLFINITY_SCREENSHOTS) await page.screenshot({ path: "../docs/screenshots/inventory-receipt-done.png" });
  await expectOnHand(page, "Monitor 27", "4.0000");
});

test("a delivery short of stock is validated with a backorder for the rest", async ({ page }) => {
  await login(page);
  await newTransfer(page, "Deliveries", "Delivery Orders", "Ergonomic chair", "500");
  await page.getByRole("button", { name: "Check availability" }).click();
  await page.getByRole("button", { name: "Validate" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("Less than the demand is picked");
  await dialog.getByRole("button", { name: "Create backorder" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("button", { name: "Return" })).toBeVisible(); // the delivery is done
  const number = (await page.getByRole("navigation", { name: "Breadcrumbs" }).innerText()).match(/WH\/OUT\/\d+/)![0];
  await openMenu(page, "Inventory", "Operations", "Deliveries");
  // The delivery itself (done) and its backorder, whose source document is the delivery's number.
  const rows = page.getByRole("row").filter({ hasText: number });
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: "Done" })).toHaveCount(1);
});
