// The RichText widget: sanitised HTML in read mode, plain text in lists, a Textarea on plain Text.
import { MantineProvider } from "@mantine/core";
import { render, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { FieldMeta } from "../../core/api/shapes";
import { sanitizeHtml } from "../../core/html";
import { renderWidget } from "../../core/registry/widgets";
import "./index";

const html: FieldMeta = { type: "Text", label: "Notes", html: true };
const hostile = '<p onclick="x()">Hi <strong>there</strong></p><script>alert(1)</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">bad</a>';

describe("RichText", () => {
  it("keeps the editor's tags and removes scripts, handlers and javascript: links", () => {
    const out = sanitizeHtml(hostile);
    expect(out).toContain("<strong>there</strong>");
    expect(out).not.toMatch(/script|onclick|onerror|javascript|<img/i);
    expect(sanitizeHtml('<a href="https://x.org">x</a>')).toBe('<a href="https://x.org" rel="noopener noreferrer">x</a>');
  });

  it("shows sanitised HTML read-only (a lazy chunk) and text in lists", async () => {
    const props = { name: "description", field: html, value: hostile, record: {}, readonly: true, required: false, properties: {}, label: "Notes", onChange: () => {} };
    const shown = render(<MantineProvider>{renderWidget("RichText", { ...props, mode: "display" } as never)}</MantineProvider>);
    await waitFor(() => expect(shown.container.querySelector("strong")?.textContent).toBe("there"));
    expect(shown.container.querySelector(".ff-richtext")?.innerHTML).not.toMatch(/script|onerror|javascript/i);
    const listed = render(<MantineProvider>{renderWidget("RichText", { ...props, mode: "list" } as never)}</MantineProvider>);
    expect(listed.container.querySelector("strong")).toBeNull();
    expect(listed.container.textContent).toContain("Hi there");
  });
});
