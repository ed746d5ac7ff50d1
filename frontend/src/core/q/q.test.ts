// The shared vectors of fullfinity-core/tests/data/q_vectors.json: the browser and Python must
// agree on every one (parse of the string form, and evaluation of the tree).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { matches, parseQ, type QBindings, type QNode } from ".";

interface Vector { note: string; q: string; tree: QNode; bindings: QBindings; values: Record<string, unknown>; expected: boolean }

const VECTORS: Vector[] = JSON.parse(
  readFileSync(resolve(import.meta.dirname, "../../../../fullfinity-core/tests/data/q_vectors.json"), "utf-8"),
);

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

describe("shared Q vectors", () => {
  it("are all there", () => expect(VECTORS.length).toBeGreaterThan(150));

  it.each(VECTORS.map((v) => [`${v.note} | ${v.q.trim()}`, v] as const))("parses %s", (_name, vector) => {
    expect(canonical(parseQ(vector.q))).toBe(canonical(vector.tree));
  });

  it.each(VECTORS.map((v) => [`${v.note} | ${v.q.trim()}`, v] as const))("evaluates %s", (_name, vector) => {
    expect(matches(vector.tree, vector.values, vector.bindings)).toBe(vector.expected);
  });
});

describe("Q strings the reader refuses", () => {
  it.each(["Q(a.b=1)", "Q(a=1) and Q(b=2)", "Q(a=foo)", "Q(a=1", "open('x')", "", "Q(a__in=5)", "Q(a=1, a=2)"])("%s", (text) => {
    expect(() => parseQ(text)).toThrow();
  });
});
