/**
 * Cache keys (views.md 14.4): one factory, parameters normalised so that equivalent requests
 * share a key (object keys sorted, empty and default values dropped, field lists sorted and
 * de-duplicated), and prefixes for invalidation (`queryKeys.model(model)` covers every query,
 * record and group of a model).
 */
import type { QueryBody } from "../api/shapes";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const SORTED_LISTS = new Set(["fields", "related", "filters", "aggregates"]);
const DEFAULTS: Record<string, Json> = { offset: 0, limit: 80, total: "capped" };

/** Canonical JSON-like value: sorted keys, no undefined/null/empty members, sorted sets. */
export function normalise(value: unknown, key?: string): Json | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((v) => normalise(v)).filter((v): v is Json => v !== undefined);
    if (key && SORTED_LISTS.has(key)) {
      const unique = [...new Set(items.map((v) => JSON.stringify(v)))].sort();
      return unique.length ? unique.map((s) => JSON.parse(s) as Json) : undefined;
    }
    return items;
  }
  if (typeof value === "object") {
    const out: Record<string, Json> = {};
    for (const k of Object.keys(value).sort()) {
      const v = normalise((value as Record<string, unknown>)[k], k);
      if (v === undefined) continue;
      if (k in DEFAULTS && JSON.stringify(v) === JSON.stringify(DEFAULTS[k])) continue;
      if (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0 && k !== "and") continue;
      if (Array.isArray(v) && v.length === 0 && (key === undefined || SORTED_LISTS.has(k))) continue;
      out[k] = v;
    }
    return out;
  }
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  return String(value);
}

export const queryKeys = {
  all: ["fullfinity"] as const,
  profile: () => ["fullfinity", "profile"] as const,
  menus: () => ["fullfinity", "menus"] as const,
  action: (identifier: string) => ["fullfinity", "action", identifier] as const,
  view: (model: string, type: string, view?: string | null) => ["fullfinity", "view", model, type, view ?? null] as const,
  meta: (model: string) => ["fullfinity", "meta", model] as const,
  /** Prefix of everything holding records of `model` (invalidate after a write). */
  model: (model: string) => ["fullfinity", "data", model] as const,
  query: (model: string, body: QueryBody) => ["fullfinity", "data", model, "query", normalise(body) ?? {}] as const,
  groups: (model: string, body: QueryBody) => ["fullfinity", "data", model, "groups", normalise(body) ?? {}] as const,
  record: (model: string, id: number | null, fields?: string[]) =>
    ["fullfinity", "data", model, "record", id, normalise({ fields }) ?? {}] as const,
  savedSearches: (model: string, action: string | null) => ["fullfinity", "data", "SavedSearch", "for", model, action] as const,
  /** Families of later view types (Kanban columns, Calendar ranges) share the model prefix. */
  viewData: (model: string, viewType: string, params: unknown) => ["fullfinity", "data", model, viewType, normalise(params) ?? {}] as const,
};
