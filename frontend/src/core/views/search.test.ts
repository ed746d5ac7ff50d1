import { describe, expect, it } from "vitest";
import type { SearchSpec } from "../api/shapes";
import { addFieldSearch, defaultFacets, searchRequest, toggleFilter, toggleGroupBy } from "./search";

const spec: SearchSpec = {
  fields: [
    { name: "name", label: "Name", lookup: "icontains" },
    { name: "company", label: "Company", lookup: "company__display_name__icontains" },
    { name: "email", label: "Email", q_filter: { path: "email", lookup: "istartswith", value: { $var: "value" } } },
  ],
  filters: [
    [{ name: "companies", label: "Companies", q_filter: { and: [] } }, { name: "people", label: "Individuals", q_filter: { and: [] } }],
    [{ name: "archived", label: "Archived", q_filter: { and: [] }, default: true }],
  ],
  group_by: [{ name: "country", label: "Country" }],
};

describe("search facets", () => {
  it("sends filters by name; the server ORs a group and ANDs groups", () => {
    let state = toggleFilter({ facets: [] }, 0, "companies");
    state = toggleFilter(state, 0, "people");
    state = toggleFilter(state, 1, "archived");
    expect(state.facets).toHaveLength(2);
    expect(searchRequest(spec, state).filters).toEqual(["companies", "people", "archived"]);
  });

  it("ORs values of one field and ANDs fields", () => {
    let state = addFieldSearch({ facets: [] }, "name", "ada");
    state = addFieldSearch(state, "name", "bob");
    state = addFieldSearch(state, "company", "north");
    expect(searchRequest(spec, state).q_filter).toEqual({
      and: [
        { or: [{ path: "name", lookup: "icontains", value: "ada" }, { path: "name", lookup: "icontains", value: "bob" }] },
        { path: "company__display_name", lookup: "icontains", value: "north" },
      ],
    });
  });

  it("binds value in a field's own q_filter", () => {
    const state = addFieldSearch({ facets: [] }, "email", "ada@");
    expect(searchRequest(spec, state).q_filter).toEqual({ path: "email", lookup: "istartswith", value: "ada@" });
  });

  it("collects group-by keys in order", () => {
    let state = toggleGroupBy({ facets: [] }, "country");
    state = toggleGroupBy(state, "created_date:month");
    expect(searchRequest(spec, state).group_by).toEqual(["country", "created_date:month"]);
  });

  it("starts from the default filters and the action's search_default", () => {
    expect(defaultFacets(spec, ["people"])).toEqual([
      { kind: "filter", group: 0, names: ["people"] },
      { kind: "filter", group: 1, names: ["archived"] },
    ]);
  });
});
