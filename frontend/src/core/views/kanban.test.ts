import { describe, expect, it } from "vitest";
import type { ViewDef } from "../api/shapes";
import { buildColumns, colorOf, columnFilter, kanbanSpec, planMove } from "./kanban";

function board(extra: Record<string, unknown> = {}): ViewDef {
  return {
    identifier: "v", name: "Board", type: "Kanban", model: "Task",
    arch: [{ drag_fields: ["stage"], fold_field: "fold", aggregates: ["id:count", "amount:sum"], content: [{ type: "field", name: "name" }], ...extra }],
    fetch: ["name", "stage.display_name", "amount", "tags"],
    models: {
      Task: {
        name: { type: "Char", label: "Name" },
        stage: { type: "ManyToOne", label: "Stage", relation: "Stage" },
        kind: { type: "Selection", label: "Kind", selection: [["bug", "Bug"], ["feature", "Feature"]] },
        amount: { type: "Numeric", label: "Amount" },
        tags: { type: "ManyToMany", label: "Tags", relation: "Tag" },
      },
    },
    methods: {},
  };
}

// The view's models hold the arch's fields; `sequence` comes from the model's metadata.
function specOf(view: ViewDef, withSequence = true) {
  return kanbanSpec(view, withSequence ? { sequence: { type: "Integer", label: "Sequence" } } : {});
}

describe("kanbanSpec", () => {
  it("reads the column field, folding, totals and fetches what a move needs", () => {
    const spec = specOf(board());
    expect(spec.groupField).toBe("stage");
    expect(spec.foldField).toBe("fold");
    expect(spec.ordered).toBe(true);
    expect(spec.aggregates.map((a) => a.key)).toEqual(["id:count", "amount:sum"]);
    expect(spec.fields).toEqual(expect.arrayContaining(["name", "stage", "sequence", "updated_date", "amount", "tags.display_name"]));
    expect(spec.fields).not.toContain("tags");
  });
  it("without drag_fields the board is one grid of cards and has no quick create", () => {
    const spec = specOf(board({ drag_fields: undefined }));
    expect(spec.groupField).toBeNull();
    expect(spec.quickCreate).toBe(false);
    expect(buildColumns(spec, [{ __count: 3 }], null)).toMatchObject([{ key: "none", count: 3 }]);
  });
  it("takes its columns from the search bar's group-by when that is a Selection or ManyToOne", () => {
    const spec = kanbanSpec(board(), {}, ["kind"]);
    expect(spec.groupField).toBe("kind");
    expect(spec.foldField).toBeNull();
    expect(spec.fields).toContain("kind");
    expect(buildColumns(spec, [{ kind: "bug", __count: 2 }], null).map((c) => [c.key, c.label, c.count])).toEqual([["bug", "Bug", 2], ["feature", "Feature", 0]]);
    expect(columnFilter(spec, "bug")).toEqual({ path: "kind", lookup: "eq", value: "bug" });
  });
  it("reads the arch's column_filter (a Q tree over the column model) and drops it for another group-by", () => {
    const tree = { or: [{ path: "team", lookup: "isnull", value: true }, { path: "team__members__id", lookup: "eq", value: { $var: "uid" } }] };
    expect(specOf(board({ column_filter: tree })).columnsFilter).toEqual(tree);
    expect(specOf(board()).columnsFilter).toBeNull();
    expect(kanbanSpec(board({ column_filter: tree }), {}, ["kind"]).columnsFilter).toBeNull();
  });
  it("keeps the arch's column field for a group-by on another type or a date part", () => {
    expect(kanbanSpec(board(), {}, ["amount"]).groupField).toBe("stage");
    expect(kanbanSpec(board(), {}, ["kind:month"]).groupField).toBe("stage");
    expect(kanbanSpec(board(), {}, ["stage", "kind"]).foldField).toBe("fold");
  });
});

describe("buildColumns", () => {
  const spec = specOf(board());
  const targets = [{ id: 1, display_name: "New", fold: false }, { id: 2, display_name: "Done", fold: true }];
  it("shows every stage in order, empty ones too, with counts, exact totals and folding", () => {
    const groups = [{ stage: { id: 2, display_name: "Done" }, __count: 4, "id:count": 4, "amount:sum": "1250.10" }];
    const columns = buildColumns(spec, groups, targets);
    expect(columns.map((c) => [c.label, c.count, c.fold])).toEqual([["New", 0, false], ["Done", 4, true]]);
    expect(columns[1]!.totals["amount:sum"]).toBe("1250.10");
  });
  it("a stage the column filter leaves out shows only while it holds cards, after the listed ones", () => {
    const listed = [{ id: 1, display_name: "New", fold: false }];
    expect(buildColumns(spec, [], listed).map((c) => c.label)).toEqual(["New"]);
    const groups = [{ stage: { id: 5, display_name: "Enterprise review" }, __count: 2 }];
    expect(buildColumns(spec, groups, listed).map((c) => [c.label, c.count])).toEqual([["New", 0], ["Enterprise review", 2]]);
  });
  it("adds a None column only when records have no stage", () => {
    const columns = buildColumns(spec, [{ stage: null, __count: 2 }], targets);
    expect(columns[0]).toMatchObject({ key: "none", label: "None", count: 2 });
  });
  it("with more than 50 stages shows only those with records", () => {
    const many = Array.from({ length: 51 }, (_, i) => ({ id: i + 1, display_name: `S${i + 1}` }));
    const columns = buildColumns(spec, [{ stage: { id: 7, display_name: "S7" }, __count: 1 }], many);
    expect(columns.map((c) => c.label)).toEqual(["S7"]);
  });
  it("a Selection column field shows every choice in declared order", () => {
    const s = specOf(board({ drag_fields: ["kind"] }));
    expect(buildColumns(s, [{ kind: "feature", __count: 1 }], null).map((c) => [c.key, c.count])).toEqual([["bug", 0], ["feature", 1]]);
    expect(columnFilter(s, "bug")).toEqual({ path: "kind", lookup: "eq", value: "bug" });
  });
  it("a ManyToOne column filters by id, the None column by isnull", () => {
    expect(columnFilter(spec, 3)).toEqual({ path: "stage__id", lookup: "eq", value: 3 });
    expect(columnFilter(spec, null)).toEqual({ path: "stage", lookup: "isnull", value: true });
  });
});

describe("planMove", () => {
  const spec = specOf(board());
  const card = { id: 9, sequence: 10, updated_date: "T9" };
  const column = [{ id: 1, sequence: 10, updated_date: "T1" }, { id: 2, sequence: 20, updated_date: "T2" }, { id: 3, sequence: 30, updated_date: "T3" }];
  it("writes the new column and a sequence between the neighbours, with updated_date", () => {
    expect(planMove(spec, card, 1, 2, column, 1)).toEqual([{ id: 9, values: { stage: 2, sequence: 15, updated_date: "T9" } }]);
  });
  it("at the end of a column takes the last sequence plus a step; in an empty column keeps its own", () => {
    expect(planMove(spec, card, 1, 2, column, 3)[0]!.values).toEqual({ stage: 2, sequence: 40, updated_date: "T9" });
    expect(planMove(spec, card, 1, 2, [], 0)[0]!.values).toEqual({ stage: 2, updated_date: "T9" });
  });
  it("renumbers the cards after the drop point when there is no room between neighbours", () => {
    const tight = [{ id: 1, sequence: 10, updated_date: "T1" }, { id: 2, sequence: 11, updated_date: "T2" }];
    expect(planMove(spec, { id: 9, sequence: 50, updated_date: "T9" }, 2, 2, tight, 1)).toEqual([
      { id: 9, values: { sequence: 20, updated_date: "T9" } },
      { id: 2, values: { sequence: 30, updated_date: "T2" } },
    ]);
  });
  it("a drop where the card already was writes nothing", () => {
    const same = [{ id: 1, sequence: 10 }, { id: 3, sequence: 30 }];
    expect(planMove(spec, { id: 2, sequence: 20, updated_date: "T2" }, 1, 1, same, 1)).toEqual([]);
  });
  it("without sequence only the column field is written", () => {
    const plain = specOf(board(), false);
    expect(planMove(plain, card, 1, 2, column, 0)).toEqual([{ id: 9, values: { stage: 2, updated_date: "T9" } }]);
    expect(planMove(plain, card, 1, 1, column, 0)).toEqual([]);
  });
});

describe("colorOf", () => {
  it("uses the arch's map, else a stable colour per value, none for empty values", () => {
    expect(colorOf("bug", { bug: "red" })).toBe("red");
    expect(colorOf("chore")).toBe(colorOf("chore"));
    expect(colorOf({ id: 4, display_name: "x" })).toBe(colorOf(4));
    expect(colorOf(null)).toBeNull();
  });
});
