import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api } from "../../core/api/http";
import type { QueryBody, QueryResult } from "../../core/api/shapes";
import { queryKeys } from "../../core/query/keys";

/** One page of records (or groups); a refetch of a shown page only drives the progress bar. */
export function useListQuery(model: string, body: QueryBody, enabled = true) {
  return useQuery<QueryResult>({
    queryKey: body.group_by?.length ? queryKeys.groups(model, body) : queryKeys.query(model, body),
    queryFn: ({ signal, client, queryKey }) => api.query(model, body, { signal, background: client.getQueryData(queryKey) !== undefined }),
    placeholderData: keepPreviousData,
    enabled,
  });
}
