import { chromium } from "@playwright/test";
const BASE = "http://127.0.0.1:8011";
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const errors = [];
page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
page.on("response", (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
await page.goto(BASE + "/login");
await page.getByLabel("Email").fill("admin@demo.example.com");
await page.getByRole("textbox", { name: "Password" }).fill("demo-admin-password");
await page.getByRole("button", { name: "Sign in" }).click();
await page.waitForTimeout(3000);
await page.screenshot({ path: "/tmp/shots/after-login.png" });
const nav = page.getByRole("navigation", { name: "Main menu" });
const steps = process.argv.slice(2);
for (const step of steps) {
  const [name, ...path] = step.split(">");
  try {

    await nav.getByRole("link", { name: path.at(-1), exact: true }).first().click();
    await page.waitForTimeout(2500);
    await page.screenshot({ path: `/tmp/shots/${name}.png` });
    console.log("shot", name, page.url());
  } catch (e) { console.log("FAIL", name, e.message.split("\n")[0]); }
}
console.log("ERRORS", JSON.stringify(errors.slice(0, 20)));
await browser.close();
