// End-to-end tests in Debian's Chromium (never a downloaded browser) against a real
// `fullfinity serve` on real PostgreSQL (e2e/server.ts). Every test fails on a console error or
// an unexpected failed request and keeps a screenshot when it fails (e2e/fixtures.ts).
import { defineConfig } from "@playwright/test";
import { BASE } from "./e2e/server";

export default defineConfig({
  testDir: "e2e",
  testMatch: "*.spec.ts",
  globalSetup: "./e2e/global-setup.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: BASE,
    viewport: { width: 1400, height: 900 },
    screenshot: "only-on-failure",
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
});
