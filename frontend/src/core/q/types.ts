/**
 * The JSON form of Q (orm.md 12.6): what the server sends for every modifier, decoration and
 * search filter, and what the client sends back as `q_filter`.
 */

export const LOOKUPS = [
  "eq", "neq", "gt", "gte", "lt", "lte", "in", "nin", "isnull", "isnotnull",
  "contains", "icontains", "startswith", "istartswith", "endswith", "iendswith",
  "between", "any", "none",
] as const;
export const DATE_PARTS = ["year", "month", "day"] as const;
export const BOUND_NAMES = [
  "uid", "cid", "company_id", "cids", "contact_id", "today", "now", "active_id", "value",
] as const;
export const ANCHORS = [
  "today", "yesterday", "tomorrow", "now", "week_start", "week_end", "month_start", "month_end",
  "quarter_start", "quarter_end", "year_start", "year_end",
] as const;
export const OFFSETS = ["years", "months", "weeks", "days", "hours", "minutes", "seconds"] as const;

export type Lookup = (typeof LOOKUPS)[number];
export type DatePart = (typeof DATE_PARTS)[number];
export type BoundName = (typeof BOUND_NAMES)[number];
export type Offset = (typeof OFFSETS)[number];

export type DateSpec = { anchor: string } & Partial<Record<Offset, number>>;
export type QValue =
  | string
  | number
  | boolean
  | null
  | { $var: BoundName }
  | { $date: DateSpec }
  | QValue[]
  | QNode;

export interface QLeaf {
  path: string;
  part?: DatePart;
  lookup: Lookup;
  value: QValue;
}
export type QNode = QLeaf | { and: QNode[] } | { or: QNode[] } | { not: QNode };

/** Values of the bound names, the user's time zone and the clock (`now`, ISO with offset or a Date). */
export interface QBindings {
  uid?: number | null;
  cid?: number | null;
  company_id?: number | null;
  cids?: number[];
  contact_id?: number | null;
  active_id?: number | null;
  value?: string | null;
  today?: string;
  now?: string | Date;
  tz?: string;
}

export class QSyntaxError extends Error {
  override name = "QSyntaxError";
}

/** A Q that cannot be evaluated on these values (the server answers such cases with a 400). */
export class QEvalError extends Error {
  override name = "QEvalError";
}

export function isLeaf(node: QNode): node is QLeaf {
  return typeof (node as QLeaf).lookup === "string";
}
