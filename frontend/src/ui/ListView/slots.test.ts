import { describe, expect, it } from "vitest";
import { assignSlots } from "./slots";

describe("assignSlots", () => {
  it("numbers the first window's records in order", () => {
    expect([...assignSlots(["1", "2", "3"], new Map())]).toEqual([["1", 0], ["2", 1], ["3", 2]]);
  });

  it("keeps the slot of a record that stays and gives those that left to the newcomers", () => {
    const first = assignSlots(["1", "2", "3", "4"], new Map());
    const next = assignSlots(["3", "4", "5", "6"], first);
    expect(next.get("3")).toBe(2);
    expect(next.get("4")).toBe(3);
    expect(new Set([next.get("5"), next.get("6")])).toEqual(new Set([0, 1]));
  });

  it("adds slots when the window grows and never gives two records one slot", () => {
    const next = assignSlots(["2", "3", "4", "5", "6"], assignSlots(["1", "2"], new Map()));
    expect(new Set(next.values()).size).toBe(5);
    expect(next.get("2")).toBe(1);
    expect([...next.values()].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it("starts over for a page of other records", () => {
    const next = assignSlots(["9", "8"], assignSlots(["1", "2"], new Map()));
    expect([...next.values()].sort()).toEqual([0, 1]);
  });
});
