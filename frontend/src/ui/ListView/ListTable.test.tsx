import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import "../widgets";
import { ListTable } from "./ListTable";
import type { Column } from "./columns";

const columns: Column[] = [
  { name: "name", node: { type: "field", name: "name" }, field: { type: "Char", label: "Name" }, label: "Name" },
  { name: "amount", node: { type: "field", name: "amount" }, field: { type: "Monetary", label: "Amount" }, label: "Amount" },
];
const rows = [
  { id: 1, display_name: "Ada", name: "Ada", amount: "1234.50", active: true },
  { id: 2, display_name: "Bob", name: "Bob", amount: "0.10", active: false },
];

function draw(extra: Partial<Parameters<typeof ListTable>[0]> = {}) {
  const props = {
    model: "M", columns, rows, order: ["name ASC"], selected: new Set<number>(), profile: null, bindings: { tz: "UTC" },
    caption: "Things", onSort: vi.fn(), onSelect: vi.fn(), onOpen: vi.fn(), ...extra,
  };
  render(<MantineProvider><ListTable {...props} /></MantineProvider>);
  return props;
}

describe("ListTable", () => {
  it("draws one row per record with formatted cells", () => {
    draw();
    expect(screen.getAllByRole("row")).toHaveLength(3);
    expect(screen.getByText("1,234.50")).toBeTruthy();
  });

  it("sorts by a header, adding a key with shift", () => {
    const props = draw();
    fireEvent.click(screen.getByRole("button", { name: "Sort by Amount" }), { shiftKey: true });
    expect(props.onSort).toHaveBeenCalledWith("amount", true);
    expect(screen.getByRole("columnheader", { name: /Name/ }).getAttribute("aria-sort")).toBe("ascending");
  });

  it("selects a row without opening it, and opens it on click or Enter", () => {
    const props = draw();
    fireEvent.click(screen.getByRole("checkbox", { name: "Select Ada" }));
    expect(props.onSelect).toHaveBeenCalledWith([1], true);
    expect(props.onOpen).not.toHaveBeenCalled();
    fireEvent.keyDown(screen.getAllByRole("row")[2]!, { key: "Enter" });
    expect(props.onOpen).toHaveBeenCalledWith(rows[1], 1);
  });

  it("marks rows with the first decoration whose Q matches", () => {
    draw({ decorations: { muted: { path: "active", lookup: "eq", value: false }, danger: "Q(name='Ada')" } });
    const [, ada, bob] = screen.getAllByRole("row");
    expect(ada!.getAttribute("data-decoration")).toBe("danger");
    expect(bob!.getAttribute("data-decoration")).toBe("muted");
  });

  it("draws cards on phones", () => {
    draw({ cards: true });
    expect(screen.getAllByRole("listitem")).toHaveLength(2);
  });
});
