import { describe, expect, it } from "vitest";
import type { ActionDef, ViewDef } from "../api/shapes";
import { availableViews, capabilitiesOf, getViewType, has, registerViewType } from "./views";

const Nothing = () => null;

describe("the view-type registry", () => {
  registerViewType({ type: "List", label: "List", component: Nothing, switchable: true, capabilities: ["search", "pagination", "selection", "export"] });
  registerViewType({ type: "Timeline", label: "Timeline", component: Nothing, switchable: true, capabilities: ["search"] });

  it("answers capabilities by type, Tree being List", () => {
    expect(has("List", "pagination")).toBe(true);
    expect(has("Tree", "selection")).toBe(true);
    expect(has("Timeline", "pagination")).toBe(false);
    expect(getViewType("Kanban")).toBeNull();
  });

  it("keeps the action's view types the client can draw, in order", () => {
    const action = { views: [{ type: "Kanban", view: null }, { type: "List", view: "x" }, { type: "Form", view: null }] } as unknown as ActionDef;
    expect(availableViews(action).map((v) => v.type)).toEqual(["List"]);
  });

  it("switches generic features off for a data_method view unless it lists them", () => {
    const view = { type: "List", arch: [{ data_method: "ui_board", data_method_supports: ["search"] }] } as unknown as ViewDef;
    expect([...capabilitiesOf(view)]).toEqual(["search"]);
  });
});
