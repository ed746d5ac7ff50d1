/**
 * The Kanban board's data (views.md 7.2, web-client.md 3): what the arch asks for (the column
 * field, folding, colours, the header aggregates), the columns (every stage of a ManyToOne in
 * its order, or those the arch's `column_filter` keeps, plus any holding cards; every choice of a
 * Selection, else the values present), the filter of one column,
 * and the writes a drop makes (the column field and, when the model has `sequence`, the order,
 * each with the record's `updated_date` so a stale card is refused, never overwritten).
 */
import type { FieldMeta, RecordValues, ViewDef } from "../api/shapes";
import type { QNode } from "../q";

/** Cards loaded per column, and per "Load more". */
export const PAGE = 40;
/** A ManyToOne with more target records than this shows only the values present (views.md 7.2). */
export const MAX_EMPTY_COLUMNS = 50;
const SEQUENCE_STEP = 10;

export interface Aggregate { key: string; field: string; func: string }

export interface KanbanSpec {
  model: string;
  /** The column field (`drag_fields[0]`); null: one column of every card (a card grid). */
  groupField: string | null;
  group: FieldMeta | null;
  foldField: string | null;
  /**
   * The arch's `column_filter` (a Q tree over the columns' model, bound names unresolved): which
   * target records the board lists as columns when they hold no card. Null: every target.
   */
  columnsFilter: QNode | null;
  quickCreate: boolean;
  colorField: string | null;
  colors: Record<string, string>;
  aggregates: Aggregate[];
  /** Cards are ordered by `sequence` and can be reordered inside a column. */
  ordered: boolean;
  /** What one card needs: the arch's fields plus the group, colour and sequence fields. */
  fields: string[];
}

/**
 * The column field a search bar group-by asks for: its first key when that is a plain Selection or
 * ManyToOne field of the model (a date key such as `date:month`, or another type, keeps the arch's
 * column field).
 */
export function groupByColumn(groupBy: readonly string[] | undefined, fields: Record<string, FieldMeta>): string | null {
  const key = groupBy?.[0];
  if (!key || key.includes(":")) return null;
  const type = fields[key]?.type;
  return type === "Selection" || type === "ManyToOne" ? key : null;
}

/**
 * The server adds `sequence` to a Kanban view's fields when the model has one; `modelFields` (the
 * model's metadata) says it too, for views resolved elsewhere. `groupBy` (the search bar's
 * group-by keys) replaces the arch's column field when its first key is a Selection or ManyToOne.
 */
export function kanbanSpec(view: ViewDef, modelFields?: Record<string, FieldMeta>, groupBy?: readonly string[]): KanbanSpec {
  const block = view.arch[0] ?? {};
  const fields = { ...(modelFields ?? {}), ...(view.models[view.model] ?? {}) };
  const drag = Array.isArray(block.drag_fields) ? (block.drag_fields as string[]) : [];
  const archField = drag[0] && fields[drag[0]] ? drag[0] : null;
  const chosen = groupByColumn(groupBy, fields);
  const groupField = chosen ?? archField;
  const colorField = typeof block.color_field === "string" ? block.color_field : null;
  const ordered = Boolean(fields.sequence && fields.sequence.type === "Integer");
  const aggregates = (Array.isArray(block.aggregates) ? (block.aggregates as string[]) : []).map((key) => {
    const [field = "id", func = "count"] = key.split(":");
    return { key, field, func };
  });
  const wanted = new Set(view.fetch);
  // x-to-many fields come as their records' names (a card shows tags, not ids).
  for (const f of view.fetch) {
    const type = fields[f]?.type;
    if (type === "ManyToMany" || type === "OneToMany") { wanted.delete(f); wanted.add(`${f}.display_name`); }
  }
  for (const f of [groupField, colorField, ordered ? "sequence" : null, "updated_date", "display_name"]) if (f) wanted.add(f);
  return {
    model: view.model,
    groupField,
    group: groupField ? fields[groupField] ?? null : null,
    // The fold field belongs to the arch's column relation; another group-by folds nothing.
    foldField: typeof block.fold_field === "string" && groupField === archField ? block.fold_field : null,
    // So does the column filter: it is a Q over the arch's column relation.
    columnsFilter: block.column_filter && typeof block.column_filter === "object" && groupField === archField ? (block.column_filter as QNode) : null,
    quickCreate: block.quick_create !== false && groupField !== null,
    colorField,
    colors: (block.colors && typeof block.colors === "object" ? block.colors : {}) as Record<string, string>,
    aggregates,
    ordered,
    fields: [...wanted],
  };
}

/** A column's value: a target id (ManyToOne), a choice (Selection), or null ("None"). */
export type ColumnValue = number | string | boolean | null;

export interface Column {
  key: string;
  value: ColumnValue;
  label: string;
  fold: boolean;
  count: number;
  /** The header aggregates of the column (`"amount:sum"` -> `"1250.00"`), exact strings for decimals. */
  totals: Record<string, unknown>;
}

export function columnKey(value: ColumnValue): string {
  return value === null || value === false ? "none" : String(value);
}

/** The value of a record (or a group row) in the column field. */
export function valueOf(spec: KanbanSpec, row: RecordValues): ColumnValue {
  if (!spec.groupField) return null;
  const v = row[spec.groupField];
  if (v && typeof v === "object" && "id" in v) return Number((v as { id: number }).id);
  if (v === undefined || v === false) return null;
  return v as ColumnValue;
}

/** The records of one column. */
export function columnFilter(spec: KanbanSpec, value: ColumnValue): QNode | null {
  if (!spec.groupField) return null;
  if (value === null) return { path: spec.groupField, lookup: "isnull", value: true };
  if (spec.group?.type === "ManyToOne") return { path: `${spec.groupField}__id`, lookup: "eq", value };
  return { path: spec.groupField, lookup: "eq", value };
}

export interface ColumnTarget { id: number; display_name: string | null; [key: string]: unknown }

/**
 * The board's columns, in order: for a ManyToOne every record of the target (`targets`, in its
 * default order, when there are at most 50; the arch's `column_filter` narrows them), for a
 * Selection every choice, then the values the groups have that are not listed yet (a stage the
 * filter leaves out still shows while it holds cards, after the listed ones); a "None" column only
 * when records have no value. Counts and totals come from the grouped query.
 */
export function buildColumns(spec: KanbanSpec, groups: RecordValues[], targets: ColumnTarget[] | null): Column[] {
  const byKey = new Map<string, RecordValues>();
  for (const g of groups) byKey.set(columnKey(valueOf(spec, g)), g);
  const totals = (g: RecordValues | undefined): Record<string, unknown> =>
    Object.fromEntries(spec.aggregates.map((a) => [a.key, g?.[a.key] ?? (a.func === "count" ? 0 : null)]));
  const count = (g: RecordValues | undefined): number => Number(g?.__count ?? 0);
  const columns: Column[] = [];
  const seen = new Set<string>();
  const push = (value: ColumnValue, label: string, fold: boolean): void => {
    const key = columnKey(value);
    if (seen.has(key)) return;
    seen.add(key);
    const g = byKey.get(key);
    columns.push({ key, value, label, fold, count: count(g), totals: totals(g) });
  };
  if (!spec.groupField) {
    push(null, "", false);
    return columns;
  }
  const none = byKey.get("none");
  if (none && count(none) > 0) push(null, "None", false);
  if (spec.group?.type === "ManyToOne" && targets && targets.length <= MAX_EMPTY_COLUMNS) {
    for (const t of targets) push(t.id, t.display_name ?? `#${t.id}`, Boolean(spec.foldField && t[spec.foldField]));
  } else if (spec.group?.type === "Selection") {
    for (const [value, label] of spec.group.selection ?? []) push(value, label, false);
  }
  for (const g of groups) {
    const value = valueOf(spec, g);
    if (value === null) continue;
    const raw = g[spec.groupField];
    const label = raw && typeof raw === "object" ? String((raw as { display_name?: unknown }).display_name ?? value) : String(value);
    push(value, label, false);
  }
  return columns;
}

export interface Write { id: number; values: RecordValues }

/**
 * The writes that put `card` at `index` of the column `to` whose cards (in order, without the
 * moved card) are `cards`. The column field is written when the column changes; with
 * `sequence`, the card takes a sequence between its new neighbours, and when there is no room
 * between them the cards from the drop point on are renumbered. Every write carries the
 * `updated_date` the client read, so a card changed by someone else meanwhile is refused (409).
 */
export function planMove(spec: KanbanSpec, card: RecordValues, fromValue: ColumnValue, to: ColumnValue, cards: RecordValues[], index: number): Write[] {
  const id = Number(card.id);
  const values: RecordValues = {};
  if (spec.groupField && columnKey(fromValue) !== columnKey(to)) values[spec.groupField] = to;
  const writes: Write[] = [];
  if (spec.ordered) {
    const others = cards.filter((c) => Number(c.id) !== id);
    const at = Math.max(0, Math.min(index, others.length));
    const seq = (c: RecordValues | undefined): number | null => (c && typeof c.sequence === "number" ? c.sequence : null);
    const before = seq(others[at - 1]);
    const after = seq(others[at]);
    const current = seq(card);
    let target: number | null;
    if (before === null && after === null) target = current ?? SEQUENCE_STEP;
    else if (before === null) target = after! - SEQUENCE_STEP;
    else if (after === null) target = before + SEQUENCE_STEP;
    else target = after - before >= 2 ? Math.floor((before + after) / 2) : null;
    const stays = (before === null || (current !== null && current > before)) && (after === null || (current !== null && current < after));
    if (target === null) {
      // No room: renumber the card and every card after it, keeping the ones before.
      let next = (before ?? 0) + SEQUENCE_STEP;
      values.sequence = next;
      for (const c of others.slice(at)) {
        next += SEQUENCE_STEP;
        if (seq(c) !== next) writes.push({ id: Number(c.id), values: { sequence: next, updated_date: c.updated_date } });
      }
    } else if (!stays || columnKey(fromValue) !== columnKey(to)) {
      if (target !== current) values.sequence = target;
    }
  }
  if (Object.keys(values).length === 0) return writes;
  return [{ id, values: { ...values, updated_date: card.updated_date } }, ...writes];
}

/** The colour of a card: the arch's `colors` map, else a stable colour per value. */
const PALETTE = ["blue", "teal", "grape", "orange", "cyan", "lime", "pink", "indigo", "yellow", "violet"];
export function colorOf(value: unknown, colors: Record<string, string> = {}): string | null {
  if (value === null || value === undefined || value === false || value === "") return null;
  const key = typeof value === "object" && value && "id" in value ? String((value as { id: unknown }).id) : String(value);
  if (colors[key]) return colors[key]!;
  let hash = 0;
  for (const ch of key) hash = (hash * 31 + ch.charCodeAt(0)) | 0;
  return PALETTE[Math.abs(hash) % PALETTE.length]!;
}
