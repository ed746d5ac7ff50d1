import { describe, expect, it } from "vitest";
import type { FieldMeta } from "../api/shapes";
import { editLine, newLine, storedLine } from "./commands";
import { changesOf, mergeAnswer, toPaths, triggersOnchange } from "./onchange";

const lines: FieldMeta = { type: "OneToMany", label: "Lines", relation: "InvoiceLine" };
const lineFields: Record<string, FieldMeta> = {
  product: { type: "ManyToOne", label: "Product", onchange: true },
  price_unit: { type: "Monetary", label: "Unit price" },
  price_subtotal: { type: "Monetary", label: "Subtotal", readonly: true },
};
const fields: Record<string, FieldMeta> = { lines, partner: { type: "ManyToOne", label: "Partner" }, note: { type: "Char", label: "Note" } };
const models = { InvoiceLine: lineFields };

describe("onchange requests", () => {
  it("names the field of the line the user changed by its command index", () => {
    const kept = storedLine({ id: 1, name: "kept" });
    const first = editLine(newLine(), "name", "a");
    const second = newLine();
    const before = [kept, first, second];
    const after = [kept, first, editLine(second, "product", { id: 7, display_name: "Desk" })];

    const changes = changesOf("lines", lines, before, after);

    expect(toPaths(changes, { lines: after })).toEqual(["lines", "lines.1.product"]);
  });

  it("finds a line where it is when the request leaves, after lines before it were removed", () => {
    const first = editLine(newLine(), "name", "a");
    const second = editLine(newLine(), "product", 7);
    const changes = changesOf("lines", lines, [first, newLine()], [first, second]).filter((c) => c.line === second.key);

    expect(toPaths(changes, { lines: [second] })).toEqual(["lines", "lines.0", "lines.0.product"]);
  });

  it("names a line just added by its command index alone, so all its onchange methods run", () => {
    const kept = storedLine({ id: 1, name: "kept" });
    const added = editLine(newLine(), "quantity", "1");

    const changes = changesOf("lines", lines, [kept], [kept, added]);

    expect(toPaths(changes, { lines: [kept, added] })).toEqual(["lines", "lines.0", "lines.0.quantity"]);
    expect(changesOf("lines", lines, [kept, added], [kept, added])).toEqual([{ field: "lines" }]);
  });

  it("asks the server only when something depends on the edit", () => {
    expect(triggersOnchange(fields.note, {}, false)).toBe(false);
    expect(triggersOnchange({ ...fields.note!, onchange: true }, {}, false)).toBe(true);
    expect(triggersOnchange(lines, lineFields, false)).toBe(true);
    expect(triggersOnchange(fields.note, {}, true)).toBe(true);
  });
});

describe("onchange answers", () => {
  it("makes assigned writable fields edits, and only shows read-only ones", () => {
    const line = editLine(newLine(), "product", { id: 7, display_name: "Desk" });
    const answer = { lines: [{ price_unit: "120.00", price_subtotal: "360.00" }], partner: { id: 3, display_name: "Acme" } };

    const merged = mergeAnswer({ lines: [line], partner: null }, answer, fields, models, new Set());

    const [after] = merged.values.lines as (typeof line)[];
    expect(after!.values).toMatchObject({ price_unit: "120.00", price_subtotal: "360.00" });
    expect(after!.changed).toEqual({ product: { id: 7, display_name: "Desk" }, price_unit: "120.00" });
    expect(merged.assigned).toEqual(["partner"]);
  });

  it("keeps what the user typed since the request left", () => {
    const merged = mergeAnswer({ note: "mine" }, { note: "server" }, fields, models, new Set(["note"]));

    expect(merged.values.note).toBe("mine");
  });
});
