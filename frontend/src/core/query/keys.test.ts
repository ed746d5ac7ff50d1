import { describe, expect, it } from "vitest";
import { normalise, queryKeys } from "./keys";

describe("queryKeys", () => {
  it("gives equivalent query bodies one key", () => {
    const a = queryKeys.query("Contact", { fields: ["name", "email", "name"], limit: 80, offset: 0, order_by: ["name ASC"] });
    const b = queryKeys.query("Contact", { order_by: ["name ASC"], fields: ["email", "name"] });
    expect(a).toEqual(b);
  });

  it("keeps the order of order_by, which changes the answer", () => {
    const a = queryKeys.query("Contact", { order_by: ["name ASC", "id DESC"] });
    const b = queryKeys.query("Contact", { order_by: ["id DESC", "name ASC"] });
    expect(a).not.toEqual(b);
  });

  it("tells pages apart", () => {
    expect(queryKeys.query("Contact", { offset: 80 })).not.toEqual(queryKeys.query("Contact", { offset: 0 }));
  });

  it("drops null and undefined members and sorts object keys", () => {
    expect(normalise({ b: 1, a: null, c: undefined, d: { z: 1, y: 2 } })).toEqual({ b: 1, d: { y: 2, z: 1 } });
  });

  it("keeps an empty and (Q() matches everything)", () => {
    expect(normalise({ q_filter: { and: [] } })).toEqual({ q_filter: { and: [] } });
  });

  it("puts every key of a model under the model prefix", () => {
    const prefix = queryKeys.model("Contact");
    for (const key of [queryKeys.query("Contact", {}), queryKeys.record("Contact", 4), queryKeys.groups("Contact", { group_by: ["country"] })]) {
      expect(key.slice(0, prefix.length)).toEqual([...prefix]);
    }
  });
});
