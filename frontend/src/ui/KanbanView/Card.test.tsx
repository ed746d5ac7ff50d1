import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { ViewDef } from "../../core/api/shapes";
import { kanbanSpec } from "../../core/views/kanban";
import "../widgets";
import { CardBody, type CardContext } from "./Card";

const view: ViewDef = {
  identifier: "v", name: "Board", type: "Kanban", model: "Task", fetch: ["name", "amount", "kind"], methods: {},
  arch: [{
    drag_fields: ["kind"], color_field: "kind", colors: { bug: "red" },
    content: [
      { type: "field", name: "name", properties: { widget: "Text", fw: 600 } },
      { type: "field", name: "amount", properties: { visible: { path: "amount", lookup: "isnotnull", value: true } } },
      { type: "actionButton", properties: { method: "action_done", label: "Done" } },
    ],
  }],
  models: { Task: { name: { type: "Char", label: "Name" }, amount: { type: "Numeric", label: "Amount" }, kind: { type: "Selection", label: "Kind", selection: [["bug", "Bug"]] } } },
};

function draw(record: Record<string, unknown>) {
  const ctx: CardContext = {
    spec: kanbanSpec(view), content: view.arch[0]!.content!, fields: view.models.Task!, profile: null, bindings: { tz: "UTC" },
    onOpen: vi.fn(), onButton: vi.fn(),
  };
  const { container } = render(<MantineProvider><CardBody record={record} ctx={ctx} /></MantineProvider>);
  return { ctx, container };
}

describe("a Kanban card", () => {
  it("lays out the arch's fields, hides those whose visible is false, colours the edge by color_field", () => {
    const { container } = draw({ id: 1, name: "Fix it", amount: null, kind: "bug" });
    expect(screen.getByText("Fix it")).toBeTruthy();
    expect(container.querySelector("[data-card-field=amount]")).toBeNull();
    expect(container.innerHTML).toContain("4px solid var(--mantine-color-red-6)");
  });
  it("shows exact amounts, and an actionButton runs its method on the card without opening it", () => {
    const { ctx } = draw({ id: 7, name: "Pay", amount: "1250.10", kind: "bug" });
    expect(screen.getByText(/1250\.10|1,250\.10/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Done" }));
    expect(ctx.onButton).toHaveBeenCalledWith("action_done", expect.objectContaining({ id: 7 }));
    expect(ctx.onOpen).not.toHaveBeenCalled();
  });
});
