/**
 * Every screen in the URL (web-client.md 3): the action in the path, the rest in the query:
 * `view` (type), `order` ("name ASC,id DESC"), `offset`, `limit`, `search` (facets, JSON),
 * `filter` (an extra Q tree, e.g. from a link button) and `ctx` (context, e.g. active_id).
 * Reload and back/forward restore the same screen.
 */
import type { Facet } from "./views/search";
import type { QNode } from "./q";

export interface ListState {
  order: string[];
  offset: number;
  limit: number;
  facets: Facet[] | null;
  filter: QNode | null;
  context: Record<string, unknown>;
}

export const PAGE_SIZES = [80, 200, 500] as const;

function json<T>(text: string | null): T | null {
  if (!text) return null;
  try { return JSON.parse(text) as T; } catch { return null; }
}

export function readListState(params: URLSearchParams, defaultLimit = 80): ListState {
  const limit = Number(params.get("limit")) || defaultLimit;
  return {
    order: (params.get("order") ?? "").split(",").map((s) => s.trim()).filter(Boolean),
    offset: Math.max(0, Number(params.get("offset")) || 0),
    limit,
    facets: json<Facet[]>(params.get("search")),
    filter: json<QNode>(params.get("filter")),
    context: json<Record<string, unknown>>(params.get("ctx")) ?? {},
  };
}

export function writeListState(params: URLSearchParams, patch: Partial<ListState>): URLSearchParams {
  const next = new URLSearchParams(params);
  const set = (key: string, value: string | null): void => { if (value === null || value === "") next.delete(key); else next.set(key, value); };
  if ("order" in patch) set("order", patch.order?.length ? patch.order.join(",") : null);
  if ("offset" in patch) set("offset", patch.offset ? String(patch.offset) : null);
  if ("limit" in patch) set("limit", patch.limit && patch.limit !== 80 ? String(patch.limit) : null);
  if ("facets" in patch) set("search", patch.facets ? JSON.stringify(patch.facets) : null);
  if ("filter" in patch) set("filter", patch.filter ? JSON.stringify(patch.filter) : null);
  if ("context" in patch) set("ctx", patch.context && Object.keys(patch.context).length ? JSON.stringify(patch.context) : null);
  return next;
}

/** Sorting by a header: a click sorts by that column alone (toggling), shift-click adds it as a further key. */
export function nextOrder(order: string[], field: string, additive: boolean): string[] {
  const index = order.findIndex((o) => o.split(" ")[0] === field);
  const current = index >= 0 ? order[index]!.split(" ")[1] ?? "ASC" : null;
  const flipped = `${field} ${current === "ASC" ? "DESC" : "ASC"}`;
  if (!additive) return [current ? flipped : `${field} ASC`];
  if (index < 0) return [...order, `${field} ASC`];
  const next = [...order];
  next[index] = flipped;
  return next;
}

/** "1-80 / 2,000+" (web-client.md 3). */
export function pagerText(offset: number, count: number, total: number | null, capped: boolean): string {
  if (count === 0) return "0";
  const range = `${offset + 1}-${offset + count}`;
  if (total === null) return range;
  return `${range} / ${total.toLocaleString("en-US")}${capped ? "+" : ""}`;
}

export interface Crumb { label: string; to: string }

/** The breadcrumb trail kept in the history entry's state (so back/forward keep it right). */
export function trailOf(state: unknown): Crumb[] {
  const trail = (state as { trail?: Crumb[] } | null)?.trail;
  return Array.isArray(trail) ? trail : [];
}
