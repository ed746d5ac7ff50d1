import { describe, expect, it } from "vitest";
import { nextOrder, pagerText, readListState, writeListState } from "./url";

describe("list state in the URL", () => {
  it("reads back what it writes", () => {
    const params = writeListState(new URLSearchParams(), {
      order: ["name ASC", "id DESC"], offset: 80, limit: 200, facets: [{ kind: "field", field: "name", values: ["ada"] }], filter: null, context: { active_id: 4 },
    });
    expect(readListState(params)).toEqual({
      order: ["name ASC", "id DESC"], offset: 80, limit: 200, facets: [{ kind: "field", field: "name", values: ["ada"] }], filter: null, context: { active_id: 4 },
    });
  });

  it("leaves defaults out of the URL", () => {
    expect(writeListState(new URLSearchParams(), { offset: 0, limit: 80, order: [] }).toString()).toBe("");
  });
});

describe("sorting", () => {
  it("toggles one column", () => {
    expect(nextOrder([], "name", false)).toEqual(["name ASC"]);
    expect(nextOrder(["name ASC"], "name", false)).toEqual(["name DESC"]);
    expect(nextOrder(["name ASC", "email ASC"], "email", false)).toEqual(["email DESC"]);
  });

  it("adds keys with shift", () => {
    expect(nextOrder(["name ASC"], "email", true)).toEqual(["name ASC", "email ASC"]);
    expect(nextOrder(["name ASC", "email ASC"], "email", true)).toEqual(["name ASC", "email DESC"]);
  });
});

describe("pager", () => {
  it("caps the total", () => {
    expect(pagerText(0, 80, 10000, true)).toBe("1-80 / 10,000+");
    expect(pagerText(80, 40, 120, false)).toBe("81-120 / 120");
    expect(pagerText(0, 0, 0, false)).toBe("0");
  });
});
