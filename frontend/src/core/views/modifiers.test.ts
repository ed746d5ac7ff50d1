import { describe, expect, it } from "vitest";
import { bindingsOf, modifier, nodeState } from "./modifiers";
import type { Profile } from "../api/shapes";

const profile: Profile = {
  id: 7, name: "Ann", email: "ann@example.com", lang: "en", tz: "Europe/Brussels", user_type: "internal",
  groups: [], contact_id: null, company_id: 1, company_ids: [1], allowed_companies: [{ id: 1, name: "Co" }],
};
const bindings = bindingsOf(profile);

describe("modifiers", () => {
  it("takes booleans as they are", () => {
    expect(modifier(false, {}, bindings, true)).toBe(false);
    expect(modifier(true, {}, bindings, false)).toBe(true);
  });

  it("evaluates a Q tree on the live draft", () => {
    const visible = { path: "is_company", lookup: "eq", value: false };
    expect(modifier(visible, { is_company: false }, bindings, true)).toBe(true);
    expect(modifier(visible, { is_company: true }, bindings, true)).toBe(false);
  });

  it("binds uid from the profile", () => {
    const mine = { path: "user__id", lookup: "eq", value: { $var: "uid" } };
    expect(modifier(mine, { user: { id: 7, display_name: "Ann" } }, bindings, false)).toBe(true);
  });

  it("falls back when the tree cannot be evaluated", () => {
    const bad = { path: "name", lookup: "gt", value: 3 };
    expect(modifier(bad, { name: "x" }, bindings, true)).toBe(true);
  });

  it("makes a field required by the model or by the view", () => {
    expect(nodeState({}, {}, bindings, { required: true }).required).toBe(true);
    const when = { required: { path: "priority", lookup: "eq", value: "urgent" } };
    expect(nodeState(when, { priority: "urgent" }, bindings).required).toBe(true);
    expect(nodeState(when, { priority: "low" }, bindings).required).toBe(false);
  });
});
