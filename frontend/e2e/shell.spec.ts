import { ADMIN, INTERNAL, PORTAL } from "./server";
import { expect, expectAccessible, login, openMenu, showList, test } from "./fixtures";

test("a guest gets the login page, and the login page is accessible", async ({ page }) => {
  await page.goto("/action/core_contact_action");
  await expect(page).toHaveURL(/\/login\?next=/);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  await expectAccessible(page);
});

test("a wrong password is refused with a message", async ({ page, watch }) => {
  watch.allow("/auth/authenticate", 401);
  await page.goto("/login");
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByRole("textbox", { name: "Password" }).fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("Invalid email or password");
});

test("log in, see the menus, log out", async ({ page }) => {
  await login(page);
  const nav = page.getByRole("navigation", { name: "Main menu" });
  await expect(nav.getByRole("link", { name: "Contacts", exact: true })).toBeVisible();
  await expect(nav.getByText("Settings", { exact: true })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Users", exact: true })).toBeVisible();
  await page.getByTestId("user-menu").click();
  await page.getByRole("menuitem", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
});

test("the URL of a screen survives a reload and back/forward", async ({ page }) => {
  await login(page);
  await openMenu(page, "Contacts", "Contacts");
  await showList(page);
  await page.getByRole("button", { name: "Next page" }).click();
  await expect(page).toHaveURL(/offset=80/);
  await page.reload();
  await expect(page.getByTestId("pager-text")).toHaveText(/^81-/);
  await page.goBack();
  await expect(page.getByTestId("pager-text")).toHaveText(/^1-80/);
  await page.goForward();
  await expect(page.getByTestId("pager-text")).toHaveText(/^81-/);
});

test("an internal user sees Contacts but not Settings, and cannot create contacts", async ({ page }) => {
  await login(page, INTERNAL);
  const nav = page.getByRole("navigation", { name: "Main menu" });
  await expect(nav.getByRole("link", { name: "Contacts", exact: true })).toBeVisible();
  await expect(nav.getByText("Settings", { exact: true })).toHaveCount(0);
  await nav.getByRole("link", { name: "Contacts", exact: true }).click();
  await expect(page.getByTestId("kanban-grid")).toBeVisible();
  await expect(page.getByRole("button", { name: "New" })).toHaveCount(0);
});

test("a portal user sees no back-office menu and cannot open an administrator's screen", async ({ page, watch }) => {
  watch.allow("/api/action/core_user_action", 404);
  await login(page, PORTAL);
  await expect(page.getByText("There is nothing for you to open here yet")).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main menu" }).getByRole("link")).toHaveCount(0);
  await page.goto("/action/core_user_action");
  await expect(page.getByText("Not available")).toBeVisible();
});
