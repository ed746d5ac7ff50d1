// The widget registry with the widgets of this release: a default widget for every field type,
// every mode rendering, display fallback, and exact decimals.
import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router";
import { QueryClientProvider } from "@tanstack/react-query";
import { describe, expect, it, vi } from "vitest";
import type { FieldMeta, Profile } from "../../core/api/shapes";
import { createQueryClient } from "../../core/query/client";
import { DEFAULT_WIDGETS, MODES, createWidget, defaultWidgetName, getWidget, getWidgetNames, hasWidget, modeFor, registerWidget, renderWidget, resolveWidget, type WidgetMode } from "../../core/registry/widgets";
import "./index";

const profile: Profile = { id: 1, name: "Ann", email: "a@x", lang: "en", tz: "Europe/Brussels", user_type: "internal", groups: [], contact_id: null, company_id: 1, company_ids: [1], allowed_companies: [] };

function wrap(node: ReactNode): ReactNode {
  return (
    <MantineProvider>
      <QueryClientProvider client={createQueryClient()}>
        <MemoryRouter>{node}</MemoryRouter>
      </QueryClientProvider>
    </MantineProvider>
  );
}

const SAMPLES: Record<string, [FieldMeta, unknown]> = {
  Char: [{ type: "Char", label: "Name" }, "Ada"],
  Text: [{ type: "Text", label: "Notes" }, "Line one"],
  Integer: [{ type: "Integer", label: "Count" }, 42],
  Float: [{ type: "Float", label: "Weight" }, "12.50"],
  Numeric: [{ type: "Numeric", label: "Quantity", digits: [16, 4] }, "2.5000"],
  Monetary: [{ type: "Monetary", label: "Amount", prefix_field: "currency__symbol" }, "1234.50"],
  Boolean: [{ type: "Boolean", label: "Active" }, true],
  Selection: [{ type: "Selection", label: "State", selection: [["draft", "Draft"], ["done", "Done"]] }, "done"],
  Date: [{ type: "Date", label: "Deadline" }, "2026-05-04"],
  Datetime: [{ type: "Datetime", label: "Created" }, "2026-05-04T09:30:00Z"],
  ManyToOne: [{ type: "ManyToOne", label: "Company", relation: "Company" }, { id: 4, display_name: "Northwind" }],
  OneToMany: [{ type: "OneToMany", label: "Lines", relation: "Line" }, []],
  ManyToMany: [{ type: "ManyToMany", label: "Tags", relation: "Tag" }, [{ id: 2, display_name: "vip" }]],
  Binary: [{ type: "Binary", label: "Blob" }, null],
  File: [{ type: "File", label: "Scan" }, { id: 9, name: "scan.pdf", mimetype: "application/pdf" }],
  JSON: [{ type: "JSON", label: "Data" }, { a: 1 }],
};

function props(type: string, mode: WidgetMode, onChange = vi.fn()) {
  const [field, value] = SAMPLES[type]!;
  return { mode, name: "f", value, onChange, field, record: { id: 1, currency: { id: 1, display_name: "EUR", symbol: "€" } }, readonly: false, required: false, properties: {}, label: field.label, model: "M", profile };
}

describe("the widget registry", () => {
  it("has a registered default widget for every field type", () => {
    for (const type of Object.keys(SAMPLES)) expect(hasWidget(DEFAULT_WIDGETS[type]!), type).toBe(true);
  });

  it("lists the widgets the shipped views name", () => {
    for (const name of ["Text", "TextInput", "Textarea", "Link", "DataCombo", "TagsInput", "Table", "Switch", "Checkbox", "Badge", "Select", "TaxTotals"]) {
      expect(getWidgetNames()).toContain(name);
    }
  });

  it.each(Object.keys(SAMPLES).flatMap((type) => MODES.map((mode) => [type, mode] as const)))("renders %s in %s mode", (type, mode) => {
    const node = renderWidget(undefined, props(type, mode));
    expect(() => render(wrap(node))).not.toThrow();
  });

  it("falls back to the default widget of the type for an unknown name, with a warning", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(resolveWidget("NoSuchWidget", "Char")?.name).toBe("TextInput");
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
  });

  it("gives a Text(html=True) field the RichText widget when its view names none, a plain Text the Textarea", () => {
    expect(defaultWidgetName({ type: "Text", html: true })).toBe("RichText");
    expect(defaultWidgetName({ type: "Text" })).toBeUndefined();
    expect(defaultWidgetName({ type: "Char", html: true })).toBeUndefined();
    render(wrap(renderWidget(undefined, { ...props("Text", "list"), value: "<p>Call <strong>Monday</strong></p>", field: { ...props("Text", "list").field, html: true } })));
    expect(screen.getByText("Call Monday")).toBeTruthy(); // its text, never its tags
  });

  it("renders a widget without the requested mode in display mode", () => {
    const widget = createWidget({ name: "OnlyDisplay", supportedModes: ["display"], render: (p) => <span>{p.mode}</span> });
    registerWidget("OnlyDisplay", widget);
    expect(modeFor(getWidget("OnlyDisplay")!, "form")).toEqual({ kind: "render", widget, mode: "display" });
    render(wrap(renderWidget("OnlyDisplay", props("Char", "form"))));
    expect(screen.getByText("display")).toBeTruthy();
  });

  it("shows an invoice's totals per tax group with every digit", () => {
    const totals = { amount_untaxed: "1234567.10", amount_tax: "246913.42", amount_total: "1481480.52",
      groups: [{ tax_group: 1, name: "VAT 20%", base: "1234567.10", amount: "246913.42" }] };
    render(wrap(renderWidget("TaxTotals", { ...props("JSON", "form"), value: totals, label: "Totals" })));
    expect(screen.getByText("VAT 20%")).toBeTruthy();
    expect(screen.getByText("246,913.42")).toBeTruthy();
    expect(screen.getByText("1,481,480.52")).toBeTruthy();
  });

  it("shows money with its currency symbol and every digit", () => {
    const p = { ...props("Monetary", "list"), value: "123456789012345678.90" };
    render(wrap(renderWidget("MonetaryInput", p)));
    expect(screen.getByText((text) => text.startsWith("€") && text.endsWith("123,456,789,012,345,678.90"))).toBeTruthy();
  });

  it("hands typed money over as the exact decimal string", () => {
    const onChange = vi.fn();
    render(wrap(renderWidget("MonetaryInput", props("Monetary", "form", onChange))));
    fireEvent.change(screen.getByRole("textbox", { name: "Amount" }), { target: { value: "1234567890123456789.01" } });
    expect(onChange).toHaveBeenLastCalledWith("1234567890123456789.01");
  });

  it("refuses text that is not a number", () => {
    const onChange = vi.fn();
    render(wrap(renderWidget("NumberInput", props("Float", "form", onChange))));
    fireEvent.change(screen.getByRole("textbox", { name: "Weight" }), { target: { value: "12,3,4" } });
    expect(onChange).not.toHaveBeenCalled();
    expect(screen.getByText("Enter a number, such as 1234.50.")).toBeTruthy();
  });

  it("shows a datetime in the user's time zone", () => {
    render(wrap(renderWidget("Text", props("Datetime", "list"))));
    expect(screen.getByText(/11:30/)).toBeTruthy(); // 09:30Z is 11:30 in Brussels (CEST)
  });

  it("draws list cells as plain spans sized by a class, with inline style only for what the view sets", () => {
    const { container } = render(wrap(<>
      {renderWidget("Text", props("Char", "list"))}
      {renderWidget("DataCombo", props("ManyToOne", "list"))}
      {renderWidget("NumberInput", props("Integer", "list"))}
      {renderWidget("Text", { ...props("Char", "list"), properties: { ta: "right", c: "dimmed" } })}
    </>));
    const spans = [...container.querySelectorAll("span.ff-t-sm")];
    expect(spans.map((s) => s.textContent)).toEqual(["Ada", "Northwind", "42", "Ada"]);
    expect(spans.slice(0, 3).map((s) => s.getAttribute("style"))).toEqual([null, null, null]);
    expect(spans[2]!.classList.contains("ff-num")).toBe(true);
    expect(spans[3]!.classList.contains("ff-t-dimmed")).toBe(true);
    expect((spans[3] as HTMLElement).style.textAlign).toBe("right");
  });
});
