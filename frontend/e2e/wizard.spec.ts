// Wizards and confirmations: the Change password wizard of core (a transient model in a dialog).
import { expect, login, openMenu, test } from "./fixtures";
import { ADMIN, BASE, INTERNAL, TENANT } from "./server";

async function canLogIn(email: string, password: string): Promise<boolean> {
  const response = await fetch(`${BASE}/auth/authenticate`, {
    method: "POST", headers: { "Content-Type": "application/json", "X-Fullfinity-Tenant": TENANT }, body: JSON.stringify({ email, password }),
  });
  return response.ok;
}

test("a button opens the wizard on the record, its method asks for confirmation, the notification closes it", async ({ page }) => {
  await login(page);
  await openMenu(page, "Settings", "Users");
  await page.getByRole("cell", { name: INTERNAL.email, exact: true }).click();
  await page.getByRole("button", { name: "Change password" }).click();
  const wizard = page.getByRole("dialog", { name: "Change password" });
  await expect(wizard.getByRole("textbox", { name: "User" })).toHaveValue(INTERNAL.email);
  await expect(wizard.getByLabel("Current password")).toHaveCount(0); // not their own password
  await wizard.getByLabel("New password", { exact: true }).fill("a new user password");
  await wizard.getByLabel("Confirm the new password").fill("a new user password");
  await wizard.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Every other session of this user is signed out.")).toBeVisible();
  await page.getByTestId("confirm-method").click();
  await expect(page.getByText("Password changed")).toBeVisible();
  await expect(wizard).toHaveCount(0);
  expect(await canLogIn(INTERNAL.email, "a new user password")).toBe(true);
  // Put it back for the other tests (the wizard again, from the same form).
  await page.getByRole("button", { name: "Change password" }).click();
  await wizard.getByLabel("New password", { exact: true }).fill(INTERNAL.password);
  await wizard.getByLabel("Confirm the new password").fill(INTERNAL.password);
  await wizard.getByRole("button", { name: "Change password" }).click();
  await page.getByTestId("confirm-method").click();
  await expect(wizard).toHaveCount(0);
  expect(await canLogIn(INTERNAL.email, INTERNAL.password)).toBe(true);
});

test("changing one's own password from the user menu: wrong values are shown under their fields", async ({ page, watch }) => {
  watch.allow("/api/execute/ChangePassword/action_change_password", 422);
  await login(page);
  await page.getByTestId("user-menu").click();
  await page.getByRole("menuitem", { name: "Change password" }).click();
  const wizard = page.getByRole("dialog", { name: "Change password" });
  await expect(wizard.getByRole("textbox", { name: "User" })).toHaveValue(ADMIN.email);
  await wizard.getByLabel("Current password").fill("not my password");
  await wizard.getByLabel("New password", { exact: true }).fill("short");
  await wizard.getByLabel("Confirm the new password").fill("different");
  await wizard.getByRole("button", { name: "Change password" }).click();
  await page.getByTestId("confirm-method").click();
  await expect(wizard.getByText("is not your current password")).toBeVisible();
  await expect(wizard.getByText("does not match the new password")).toBeVisible();
  await expect(wizard.getByText(/at least 8 characters/)).toBeVisible();
  await wizard.getByLabel("Current password").fill(ADMIN.password);
  await wizard.getByLabel("New password", { exact: true }).fill(ADMIN.password);
  await wizard.getByLabel("Confirm the new password").fill(ADMIN.password);
  await wizard.getByRole("button", { name: "Change password" }).click();
  await page.getByTestId("confirm-method").click();
  await expect(page.getByText("Password changed")).toBeVisible();
  // This session stays signed in.
  await openMenu(page, "Settings", "Users");
  await expect(page.getByRole("table", { name: "Users" })).toBeVisible();
});
