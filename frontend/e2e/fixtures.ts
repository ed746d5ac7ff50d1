// The `test` of every spec: a page that fails the test on any console error, uncaught
// exception or failed request (4xx/5xx, network failure) that the test did not declare as
// expected, as Odoo's tours do; axe-core checks; the login helper.
import AxeBuilder from "@axe-core/playwright";
import { expect, test as base, type Page } from "@playwright/test";
import { ADMIN } from "./server";

interface Watch {
  /** Declare a failing response as expected (a test of an error path): a URL part and a status. */
  allow: (urlPart: string, status: number) => void;
}

export const test = base.extend<{ watch: Watch }>({
  watch: [async ({ page }, use, testInfo) => {
    const problems: string[] = [];
    const allowed: { urlPart: string; status: number }[] = [];
    const pending: Promise<void>[] = [];
    const isAllowed = (url: string, status: number): boolean => allowed.some((a) => url.includes(a.urlPart) && a.status === status);
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const text = message.text();
      // The browser logs every expected HTTP error once more as a console error: judged by the response below.
      const failed = /Failed to load resource: the server responded with a status of (\d+)/.exec(text);
      if (failed) {
        const status = Number(failed[1]);
        const url = message.location().url;
        if (isAllowed(url, status)) return;
      }
      problems.push(`console error: ${text}`);
    });
    page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
    page.on("response", (response) => {
      if (response.status() >= 400 && !isAllowed(response.url(), response.status())) {
        const line = `HTTP ${response.status()} ${response.request().method()} ${response.url()}`;
        problems.push(line);
        pending.push(response.text().then((body) => { problems[problems.indexOf(line)] = `${line}\n    request: ${response.request().postData() ?? ""}\n    answer: ${body.slice(0, 400)}`; }).catch(() => {}));
      }
    });
    page.on("requestfailed", (request) => {
      const failure = request.failure()?.errorText ?? "";
      if (failure.includes("ERR_ABORTED")) return; // navigation away or a superseded query
      problems.push(`request failed: ${request.method()} ${request.url()} ${failure}`);
    });
    await use({ allow: (urlPart, status) => allowed.push({ urlPart, status }) });
    await Promise.all(pending);
    if (problems.length) {
      await page.screenshot({ path: testInfo.outputPath("problems.png") }).catch(() => {});
      throw new Error(`The page reported problems:\n${problems.join("\n")}`);
    }
  }, { auto: true }],
});

export { expect };

export async function login(page: Page, user = ADMIN): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(user.email);
  await page.getByRole("textbox", { name: "Password" }).fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("user-menu")).toBeVisible();
}

export async function openMenu(page: Page, ...names: string[]): Promise<void> {
  const nav = page.getByRole("navigation", { name: "Main menu" });
  for (const name of names.slice(0, -1)) {
    const group = nav.getByText(name, { exact: true }).first();
    await expect(group).toBeVisible();
  }
  await nav.getByRole("link", { name: names.at(-1)!, exact: true }).click();
}

/** Switch the current action to its List view (Contacts open as Kanban cards). */
export async function showList(page: Page): Promise<void> {
  await page.getByRole("radiogroup", { name: "View type" }).getByText("List", { exact: true }).click();
  await expect(page.getByRole("table").first()).toBeVisible();
}

/** No serious or critical axe-core violation on the page as it is now. */
export async function expectAccessible(page: Page): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

/**
 * Waits until the page has drawn two frames: a drag library decides what is under the pointer
 * while React renders the last move, so releasing the button before that (a loaded CI machine)
 * would drop on the place the pointer came from.
 */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))));
}
