// The RichText editor on a Text(html=True) field (the e2e_board tasks' notes): what a person types,
// with the toolbar and the editor's shortcuts, is saved as the editor's HTML, sanitised by the
// server, and shown again after a reload; typed angle brackets stay text.
import { expect, login, test } from "./fixtures";
import { BASE, token } from "./server";

async function taskByName(name: string): Promise<{ id: number; notes: string | null }> {
  const response = await fetch(`${BASE}/api/query/E2eTask`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${await token()}` },
    body: JSON.stringify({ fields: ["notes"], q_filter: `Q(name='${name}')` }),
  });
  return ((await response.json()) as { data: { id: number; notes: string | null }[] }).data[0]!;
}

test("typing into the notes with bold, a list and a literal tag saves the editor's HTML and shows it again", async ({ page }) => {
  const task = await taskByName("Backlog task 20");
  await login(page);
  await page.goto(`/action/e2e_board_action/${task.id}`);
  const field = page.locator("[data-field=notes]");
  const editor = field.locator(".ProseMirror");
  await expect(editor).toBeVisible(); // the editor's chunk loaded with the first such field
  await editor.click();
  await page.keyboard.type("Call ");
  await field.getByRole("button", { name: "Bold" }).click();
  await page.keyboard.type("Monday");
  await field.getByRole("button", { name: "Bold" }).click();
  await page.keyboard.type(" about <script>");
  await page.keyboard.press("Enter");
  await page.keyboard.type("- first point"); // the editor's input rule: "- " starts a bullet list
  await page.keyboard.press("Enter");
  await page.keyboard.type("second point");
  await expect(editor.locator("ul li")).toHaveCount(2);

  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  expect((await taskByName("Backlog task 20")).notes).toBe(
    "<p>Call <strong>Monday</strong> about &lt;script&gt;</p><ul><li><p>first point</p></li><li><p>second point</p></li></ul>",
  );

  await page.reload();
  await expect(editor.locator("strong")).toHaveText("Monday");
  await expect(editor).toContainText("about <script>");
  await expect(editor.locator("ul li")).toHaveText(["first point", "second point"]);
  await expect(editor.locator("script")).toHaveCount(0);
});

test("the Bold shortcut and clearing the notes: an emptied editor saves no value", async ({ page }) => {
  const task = await taskByName("Backlog task 21");
  await login(page);
  await page.goto(`/action/e2e_board_action/${task.id}`);
  const editor = page.locator("[data-field=notes] .ProseMirror");
  await editor.click();
  await page.keyboard.press("Control+b");
  await page.keyboard.type("urgent");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  expect((await taskByName("Backlog task 21")).notes).toBe("<p><strong>urgent</strong></p>");

  await editor.click();
  await page.keyboard.press("Control+a");
  await page.keyboard.press("Backspace");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved.").last()).toBeVisible();
  await expect.poll(async () => (await taskByName("Backlog task 21")).notes).toBeNull();
});
