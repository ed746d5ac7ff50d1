/**
 * Window actions a method returns inline (`{"type": "action", "model": ..., "view_types": [...],
 * "q_filter": ..., "target": ...}`, or the same under `"action": {...}`) instead of naming a stored
 * WindowAction. They get an identifier of their own, `~` followed by their definition encoded for a
 * URL, so the action screen, the wizard dialog and a reload of the page all read them like stored
 * ones without asking the server.
 */
import { api } from "../api/http";
import type { ActionDef, ClientAction } from "../api/shapes";

export type ActionRequest = Extract<ClientAction, { type: "action" }> & { name?: string };
type Inline = Omit<ActionRequest, "type" | "action">;

const PREFIX = "~";

export function isInline(identifier: string): boolean {
  return identifier.startsWith(PREFIX);
}

/** The action a client action names: a stored identifier, or the inline definition it carries. */
export function normalise(action: ActionRequest): { identifier?: string; inline?: Inline } {
  const nested = (action as { action?: unknown }).action;
  if (typeof nested === "string") return { identifier: nested };
  const source = (nested && typeof nested === "object" ? { ...action, ...nested } : action) as ActionRequest;
  if (!source.model) return {};
  const { type: _type, action: _action, ...inline } = source;
  return { inline };
}

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  bytes.forEach((b) => { binary += String.fromCharCode(b); });
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): string {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

export function inlineIdentifier(inline: Inline): string {
  return PREFIX + toBase64Url(JSON.stringify(inline));
}

/** The definition of an inline identifier, shaped like a stored action's. */
export function inlineDef(identifier: string): ActionDef {
  const inline = JSON.parse(fromBase64Url(identifier.slice(PREFIX.length))) as Inline;
  const types = inline.view_types?.length ? inline.view_types : ["List", "Form"];
  return {
    identifier,
    name: inline.name ?? inline.model ?? "",
    model: inline.model ?? "",
    views: types.map((type) => ({ type, view: null })),
    q_filter: (inline.q_filter as ActionDef["q_filter"]) ?? null,
    context: inline.context ?? null,
    order_by: null,
    limit: null,
    target: inline.target === "new" ? "new" : "current",
    res_id: inline.res_id ?? null,
    help: null,
  };
}

/** A stored action from the server, or an inline one decoded here. */
export async function loadAction(identifier: string): Promise<ActionDef> {
  return isInline(identifier) ? inlineDef(identifier) : api.action(identifier);
}
