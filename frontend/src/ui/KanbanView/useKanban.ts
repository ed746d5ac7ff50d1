// The board's queries: the grouped counts and totals, the columns' records (stages), and each
// column's cards 40 at a time. All keys come from queryKeys.viewData under the model's prefix,
// so a write anywhere on the model refreshes the board.
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api } from "../../core/api/http";
import type { QueryBody, RecordValues } from "../../core/api/shapes";
import type { QNode } from "../../core/q";
import { queryKeys } from "../../core/query/keys";
import { columnFilter, MAX_EMPTY_COLUMNS, PAGE, type ColumnTarget, type ColumnValue, type KanbanSpec } from "../../core/views/kanban";

export interface BoardRequest {
  q_filter: QNode | null;
  filters: string[] | null;
  order_by: string[] | null;
  context: Record<string, unknown>;
}

function and(a: QNode | null, b: QNode | null): QNode | null {
  if (!a) return b;
  if (!b) return a;
  return { and: [a, b] };
}

/** Counts and header totals per column: one grouped query. */
export function useColumnGroups(spec: KanbanSpec, request: BoardRequest) {
  const body = groupsBody(spec, request);
  return useQuery({
    queryKey: queryKeys.viewData(spec.model, "Kanban", { groups: body }),
    queryFn: async ({ signal, client, queryKey }) => {
      const background = client.getQueryData(queryKey) !== undefined;
      if (!spec.groupField) {
        const all = await api.query(spec.model, { fields: ["id"], limit: 0, total: "exact", q_filter: request.q_filter, filters: request.filters, context: request.context }, { signal, background });
        return [{ __count: all.total ?? 0 }] as RecordValues[];
      }
      return (await api.query(spec.model, body, { signal, background })).data;
    },
  });
}

/**
 * The target records of a ManyToOne column field (every stage, so empty ones show; with the arch's
 * `column_filter`, those it keeps: the server binds its names, `uid` and the others).
 */
export function useColumnTargets(spec: KanbanSpec) {
  const relation = spec.group?.type === "ManyToOne" ? spec.group.relation : undefined;
  const fields = ["display_name", ...(spec.foldField ? [spec.foldField] : [])];
  const q_filter = spec.columnsFilter;
  return useQuery({
    queryKey: queryKeys.viewData(relation ?? "-", "KanbanColumns", { fields, q_filter }),
    queryFn: async ({ signal }) =>
      (await api.query(relation!, { fields, q_filter, limit: MAX_EMPTY_COLUMNS + 1, total: "none" }, { signal, background: true })).data as ColumnTarget[],
    enabled: Boolean(relation),
  });
}

/** The query of one column's cards: its body (without the offset) and its cache key. */
export function columnCardsQuery(spec: KanbanSpec, request: BoardRequest, value: ColumnValue) {
  const q_filter = and(request.q_filter, columnFilter(spec, value));
  const base: QueryBody = {
    fields: spec.fields, q_filter, filters: request.filters, context: request.context,
    order_by: spec.ordered ? ["sequence ASC", "id ASC"] : request.order_by, limit: PAGE, total: "none",
  };
  return { base, key: queryKeys.viewData(spec.model, "Kanban", { cards: base }) };
}

/** The cache key of the grouped counts and totals (a drop refreshes only this query). */
export function columnGroupsKey(spec: KanbanSpec, request: BoardRequest) {
  return queryKeys.viewData(spec.model, "Kanban", { groups: groupsBody(spec, request) });
}

function groupsBody(spec: KanbanSpec, request: BoardRequest): QueryBody {
  const aggregates = [...new Set(["id:count", ...spec.aggregates.map((a) => a.key)])];
  return {
    group_by: spec.groupField ? [spec.groupField] : [], aggregates, q_filter: request.q_filter, filters: request.filters,
    context: request.context, limit: 400,
  };
}

/** The pages of a column's cards as the cache holds them. */
export interface CardPages { pages: RecordValues[][]; pageParams: unknown[] }

/** The cards of one column, a page of 40 at a time ("Load more" fetches the next page). */
export function useColumnCards(spec: KanbanSpec, request: BoardRequest, value: ColumnValue, enabled: boolean, count: number) {
  const { base, key } = columnCardsQuery(spec, request, value);
  return useInfiniteQuery({
    queryKey: key,
    initialPageParam: 0,
    queryFn: async ({ pageParam, signal, client, queryKey }) => {
      const background = client.getQueryData(queryKey) !== undefined;
      return (await api.query(spec.model, { ...base, offset: pageParam }, { signal, background })).data;
    },
    // The next offset is the number of cards loaded, more while the column's count says so: a card
    // dropped in or out of a loaded page (the board patches its cache) keeps the offsets right.
    getNextPageParam: (_last, pages) => {
      const loaded = pages.reduce((n, p) => n + p.length, 0);
      return loaded < count && _last.length > 0 ? loaded : undefined;
    },
    enabled,
  });
}
