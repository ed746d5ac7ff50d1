/**
 * The one HTTP client of the web client: a fixed set of verbs over the REST API (api.md), the
 * tenant header, bearer tokens with transparent refresh on 401, lossless JSON, the API's error
 * shape as `ApiError`, and every request counted on the global loading channel. Nothing else
 * in the client calls `fetch`.
 */
import { session, type Tokens } from "../auth/session";
import { loading } from "../query/loading";
import { ApiError, NetworkError } from "./errors";
import { parseLossless } from "./json";
import type {
  ActionDef, ExecuteResult, FetchBody, MenuNode, ModelMeta, Profile, QueryBody, QueryResult, RecordValues, ViewDef,
} from "./shapes";

export interface RequestOptions {
  /** A refetch of data already on screen: only the progress bar, never the overlay. */
  background?: boolean;
  /** Keep every digit of numbers (data endpoints); views and metadata use plain JSON. */
  lossless?: boolean;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Raw response (file downloads). */
  raw?: boolean;
}

let refreshing: Promise<boolean> | null = null;
const authListeners = new Set<() => void>();

function headers(extra?: Record<string, string>, auth = true): Record<string, string> {
  const out: Record<string, string> = { Accept: "application/json", ...extra };
  const tenant = session.tenant();
  if (tenant) out["X-Fullfinity-Tenant"] = tenant;
  const tokens = session.tokens();
  if (auth && tokens) out.Authorization = `Bearer ${tokens.access_token}`;
  return out;
}

async function toError(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try { body = await response.json(); } catch { /* not JSON */ }
  const error = (body as { error?: { type?: string; message?: string; details?: { path: string; message: string }[] } } | null)?.error;
  const retry = response.headers.get("retry-after");
  return new ApiError(
    response.status,
    error?.type ?? `HTTP${response.status}`,
    error?.message ?? `The server answered ${response.status} ${response.statusText}.`,
    error?.details ?? [],
    retry ? Number(retry) : null,
  );
}

async function refreshTokens(): Promise<boolean> {
  const tokens = session.tokens();
  if (!tokens) return false;
  refreshing ??= (async () => {
    try {
      const response = await fetch("/auth/refresh", {
        method: "POST",
        headers: { ...headers(undefined, false), "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: tokens.refresh_token }),
      });
      if (!response.ok) return false;
      session.setTokens((await response.json()) as Tokens);
      return true;
    } catch {
      return false;
    } finally {
      setTimeout(() => { refreshing = null; }, 0);
    }
  })();
  return refreshing;
}

async function request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const end = loading.begin(options.background ? "background" : "foreground");
  try {
    for (let attempt = 0; ; attempt++) {
      const init: RequestInit = { method, headers: headers(options.headers), signal: options.signal ?? null };
      if (body !== undefined) {
        (init.headers as Record<string, string>)["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
      }
      let response: Response;
      try {
        response = await fetch(path, init);
      } catch (error) {
        if ((error as Error).name === "AbortError") throw error;
        throw new NetworkError(`The server could not be reached (${method} ${path}). Check your connection and try again.`);
      }
      if (response.status === 401 && attempt === 0 && session.tokens() && !path.startsWith("/auth/")) {
        if (await refreshTokens()) continue;
        session.setTokens(null);
        authListeners.forEach((l) => l());
      }
      if (!response.ok) throw await toError(response);
      if (options.raw) return response as T;
      const text = await response.text();
      if (!text) return undefined as T;
      return (options.lossless ? parseLossless(text) : JSON.parse(text)) as T;
    }
  } finally {
    end();
  }
}

const data = { lossless: true } as const;
const enc = encodeURIComponent;

/** The verbs. `M` is a model name; bodies follow api.md 4. */
export const api = {
  login: (email: string, password: string) =>
    request<Tokens & { message: string }>("POST", "/auth/authenticate", { email, password }),
  /** Revokes the session of `tokens` (given explicitly: the client forgets them before asking). */
  logout: (tokens: Tokens) =>
    request<{ message: string }>("POST", "/auth/logout", { refresh_token: tokens.refresh_token }, {
      headers: { Authorization: `Bearer ${tokens.access_token}` },
    }),
  tenants: () => request<{ data: { name: string; label: string }[] }>("GET", "/auth/tenants"),

  profile: (o?: RequestOptions) => request<Profile>("GET", "/api/profile", undefined, o),
  menus: (o?: RequestOptions) => request<{ data: MenuNode[] }>("GET", "/api/menus", undefined, o),
  action: (identifier: string, o?: RequestOptions) => request<ActionDef>("GET", `/api/action/${enc(identifier)}`, undefined, o),
  view: (model: string, type: string, view?: string | null, o?: RequestOptions) =>
    request<ViewDef>("GET", `/api/views/${enc(model)}?type=${enc(type)}${view ? `&view=${enc(view)}` : ""}`, undefined, o),
  meta: (model: string, o?: RequestOptions) => request<ModelMeta>("GET", `/api/meta/${enc(model)}`, undefined, o),

  query: (model: string, body: QueryBody, o?: RequestOptions) =>
    request<QueryResult>("POST", `/api/query/${enc(model)}`, body, { ...data, ...o }),
  fetch: (model: string, id: number, body: FetchBody, o?: RequestOptions) =>
    request<RecordValues>("POST", `/api/fetch/${enc(model)}/${id}`, body, { ...data, ...o }),
  create: (model: string, values: RecordValues, o?: RequestOptions) =>
    request<RecordValues>("POST", `/api/create/${enc(model)}`, values, { ...data, ...o }),
  update: (model: string, id: number, values: RecordValues, o?: RequestOptions) =>
    request<RecordValues>("PUT", `/api/update/${enc(model)}/${id}`, values, { ...data, ...o }),
  remove: (model: string, id: number, o?: RequestOptions) =>
    request<{ deleted: number[] }>("DELETE", `/api/delete/${enc(model)}/${id}`, undefined, o),
  bulkUpdate: (model: string, ids: number[], values: RecordValues, o?: RequestOptions) =>
    request<{ updated: number[] }>("PUT", `/api/bulk-update/${enc(model)}`, { ids, values }, o),
  bulkDelete: (model: string, ids: number[], o?: RequestOptions) =>
    request<{ deleted: number[] }>("DELETE", `/api/bulk-delete/${enc(model)}`, { ids }, o),
  execute: (model: string, method: string, body: { ids?: number[]; args?: unknown[]; kwargs?: Record<string, unknown>; context?: Record<string, unknown>; values?: RecordValues }, o?: RequestOptions) =>
    request<ExecuteResult>("POST", `/api/execute/${enc(model)}/${enc(method)}`, body, { ...data, ...o }),
  defaultGet: (model: string, fields: string[], context: Record<string, unknown> = {}, o?: RequestOptions) =>
    request<{ values: RecordValues }>("POST", `/api/default-get/${enc(model)}`, { fields, context }, { ...data, ...o }),
  onchange: (model: string, body: { id?: number; values: RecordValues; changed?: string[]; context?: Record<string, unknown> }, o?: RequestOptions) =>
    request<{ values: RecordValues }>("POST", `/api/onchange/${enc(model)}`, body, { ...data, ...o }),
  exportFile: (model: string, body: ExportBody, o?: RequestOptions) =>
    request<Response>("POST", `/api/export/${enc(model)}`, body, { ...o, raw: true }),
  file: (model: string, id: number, field: string, o?: RequestOptions) =>
    request<Response>("GET", `/api/file/${enc(model)}/${id}/${enc(field)}?download=1`, undefined, { ...o, raw: true }),

  /** Called when the session ends because the refresh token was refused. */
  onSessionExpired(listener: () => void): () => void {
    authListeners.add(listener);
    return () => authListeners.delete(listener);
  },
};

export interface ExportBody {
  format: "csv" | "xlsx";
  fields: string[];
  labels?: string[];
  q_filter?: unknown;
  filters?: string[];
  order_by?: string[];
  ids?: number[];
  context?: Record<string, unknown>;
}
