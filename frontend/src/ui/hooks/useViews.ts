import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { loadAction } from "../../core/actions/inline";
import { api } from "../../core/api/http";
import type { ActionDef, ModelMeta, ViewDef } from "../../core/api/shapes";
import { queryKeys } from "../../core/query/keys";

// Views, actions and metadata change only when modules or views are written: kept for the
// session (invalidated after a module operation), unlike record data which is always fresh.
const KEEP = { staleTime: 5 * 60_000, gcTime: 30 * 60_000 } as const;

export function useAction(identifier: string | undefined): UseQueryResult<ActionDef> {
  return useQuery({ queryKey: queryKeys.action(identifier ?? ""), queryFn: () => loadAction(identifier!), enabled: Boolean(identifier), ...KEEP });
}

export function useView(model: string | undefined, type: string, view?: string | null): UseQueryResult<ViewDef> {
  return useQuery({ queryKey: queryKeys.view(model ?? "", type, view), queryFn: () => api.view(model!, type, view), enabled: Boolean(model), ...KEEP });
}

export function useMeta(model: string | undefined): UseQueryResult<ModelMeta> {
  return useQuery({ queryKey: queryKeys.meta(model ?? ""), queryFn: () => api.meta(model!), enabled: Boolean(model), ...KEEP });
}
