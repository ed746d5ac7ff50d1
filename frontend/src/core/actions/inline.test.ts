import { describe, expect, it } from "vitest";
import { inlineDef, inlineIdentifier, isInline, normalise } from "./inline";

describe("inline window actions", () => {
  it("names a stored action by its identifier", () => {
    expect(normalise({ type: "action", action: "core_change_password_action" })).toEqual({ identifier: "core_change_password_action" });
  });

  it("reads an inline action flat or nested under `action`, with the same result", () => {
    const flat = normalise({ type: "action", model: "Transfer", view_types: ["List", "Form"], q_filter: "Q(id__in=[3, 4])" });
    const nested = normalise({ type: "action", action: { model: "Transfer", view_types: ["List", "Form"], q_filter: "Q(id__in=[3, 4])" } } as never);
    expect(nested).toEqual(flat);
    expect(flat.inline?.model).toBe("Transfer");
  });

  it("round-trips through its identifier, non-ASCII names included, shaped like a stored action", () => {
    const id = inlineIdentifier({ name: "Dépôts / Überweisungen", model: "PaymentRegister", view_types: ["Form"], target: "new", context: { active_ids: [1, 2] } });
    expect(isInline(id)).toBe(true);
    expect(id).not.toMatch(/[/+=]/);
    const def = inlineDef(id);
    expect(def).toMatchObject({ name: "Dépôts / Überweisungen", model: "PaymentRegister", target: "new", views: [{ type: "Form", view: null }], context: { active_ids: [1, 2] } });
  });
});
