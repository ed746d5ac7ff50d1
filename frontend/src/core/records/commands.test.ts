import { describe, expect, it } from "vitest";
import { commandIndex, editLine, newLine, storedLine, toCommands } from "./commands";

describe("x-to-many command lists", () => {
  it("writes new, edited and removed OneToMany lines", () => {
    const kept = storedLine({ id: 1, name: "a" });
    const edited = editLine(storedLine({ id: 2, name: "b" }), "name", "B");
    const removed = { ...storedLine({ id: 3, name: "c" }), removed: true };
    const added = editLine(newLine(), "name", "d");
    expect(toCommands([kept, edited, removed, added], "OneToMany")).toEqual([
      ["W", 2, { name: "B" }], ["D", 3], ["N", { name: "d" }],
    ]);
  });

  it("writes ManyToMany as the whole set", () => {
    const tags = [storedLine({ id: 5 }), { ...storedLine({ id: 6 }), removed: true }, storedLine({ id: 9 })];
    expect(toCommands(tags, "ManyToMany")).toEqual([["S", [5, 9]]]);
  });

  it("maps command positions back to lines for error paths", () => {
    const a = storedLine({ id: 1 });
    const b = editLine(storedLine({ id: 2 }), "q", "3");
    const c = editLine(newLine(), "q", "x");
    expect([...commandIndex([a, b, c], "OneToMany").entries()]).toEqual([[0, b.key], [1, c.key]]);
  });
});
