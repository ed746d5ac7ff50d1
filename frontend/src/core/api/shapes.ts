/**
 * Shapes of the answers the OpenAPI document leaves open (views, actions, menus, metadata,
 * profile are JSON objects there): api.md 5 is their contract. Request bodies and model records
 * come from the generated `types.ts`.
 */
import type { QNode } from "../q";
import type { FetchBody as GeneratedFetchBody, QueryBody as GeneratedQueryBody } from "./types";

export type QueryBody = Omit<GeneratedQueryBody, "q_filter"> & { q_filter?: string | QNode | null };
export type FetchBody = GeneratedFetchBody;

/** A record as the data endpoints answer it (lossless: decimals are strings). */
export type RecordValues = Record<string, unknown>;
export interface Related { id: number; display_name: string | null; [key: string]: unknown }

export interface QueryResult {
  data: RecordValues[];
  total: number | null;
  total_capped?: boolean;
}

export interface FieldMeta {
  type: string;
  label: string;
  required?: boolean;
  readonly?: boolean;
  store?: boolean;
  computed?: boolean;
  hint?: string | null;
  max_length?: number;
  /** Text(html=True): the value is HTML sanitised by the server. */
  html?: boolean;
  selection?: [string, string][];
  relation?: string;
  related_name?: string;
  prefix_field?: string;
  suffix_field?: string;
  digits?: [number, number] | number | null;
  precision?: number;
  [key: string]: unknown;
}

export interface ModelMeta {
  model: string;
  verbose_name: string;
  rec_name: string | null;
  transient: boolean;
  order: string;
  fields: Record<string, FieldMeta>;
  access: { read: boolean; write: boolean; create: boolean; delete: boolean };
}

export interface ArchNode {
  type: string;
  name?: string;
  title?: string;
  span?: number | Record<string, number>;
  anchor?: string;
  display_mode?: string;
  properties?: Record<string, unknown>;
  content?: ArchNode[];
}

export interface RootBlock extends Record<string, unknown> {
  content?: ArchNode[];
  editable?: boolean | "top" | "bottom" | "inline";
  buttons?: ArchNode[];
}

export interface SearchSpec {
  fields: { name: string; label: string; lookup?: string; q_filter?: QNode | null; [key: string]: unknown }[];
  filters: { name: string; label: string; q_filter: QNode; default?: boolean; group?: number; [key: string]: unknown }[][];
  group_by: { name: string; label: string; [key: string]: unknown }[];
}

export interface ViewDef {
  identifier: string | null;
  name: string;
  type: string;
  model: string;
  arch: RootBlock[];
  fetch: string[];
  models: Record<string, Record<string, FieldMeta>>;
  methods: Record<string, { confirm?: { title?: string; message?: string; confirm_label?: string; confirm_variant?: string } }>;
  search?: SearchSpec;
}

export interface ActionDef {
  identifier: string;
  name: string;
  model: string;
  views: { type: string; view: string | null }[];
  q_filter: string | QNode | null;
  context: Record<string, unknown> | null;
  order_by: string[] | null;
  limit: number | null;
  target: "current" | "new";
  res_id: number | null;
  help: string | null;
}

export interface MenuNode {
  identifier: string;
  name: string;
  icon: string | null;
  sequence: number;
  action: string | null;
  children: MenuNode[];
}

export interface Profile {
  id: number;
  name: string;
  email: string;
  lang: string;
  tz: string;
  user_type: "internal" | "portal" | "public" | null;
  groups: string[];
  contact_id: number | null;
  company_id: number | null;
  company_ids: number[];
  allowed_companies: { id: number; name: string }[];
}

export type ClientAction =
  | { type: "close"; reload?: boolean }
  | { type: "reload" }
  | { type: "action"; action?: string; model?: string; view_types?: string[]; res_id?: number; q_filter?: unknown; context?: Record<string, unknown>; target?: string }
  | { type: "notify"; title?: string; message?: string; color?: string }
  | { type: "url"; url: string; target?: "self" | "blank" };

export interface ExecuteResult { result: unknown }
