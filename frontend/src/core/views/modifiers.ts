/**
 * View modifiers (views.md 5.1): `visible`, `readonly`, `required` are booleans or Q trees,
 * evaluated on the current values (the live draft of a form, the row of a list) with the
 * bindings of the profile, by the same evaluator the shared vectors check.
 */
import type { Profile } from "../api/shapes";
import { matches, type QBindings, type QNode } from "../q";

export function bindingsOf(profile: Profile | null | undefined, extra: Partial<QBindings> = {}): QBindings {
  return {
    uid: profile?.id ?? null,
    cid: profile?.company_id ?? null,
    company_id: profile?.company_id ?? null,
    cids: profile?.company_ids ?? [],
    contact_id: profile?.contact_id ?? null,
    active_id: null,
    value: null,
    tz: profile?.tz || "UTC",
    ...extra,
  };
}

/** A modifier's value on `record`; `fallback` when absent or not evaluable (logged). */
export function modifier(value: unknown, record: Record<string, unknown>, bindings: QBindings, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "boolean") return value;
  if (typeof value === "object") {
    try {
      return matches(value as QNode, record, bindings);
    } catch (error) {
      console.warn("A view modifier could not be evaluated", value, error);
      return fallback;
    }
  }
  return fallback;
}

export interface NodeState { visible: boolean; readonly: boolean; required: boolean }

export function nodeState(properties: Record<string, unknown> | undefined, record: Record<string, unknown>, bindings: QBindings, field?: { readonly?: boolean; required?: boolean }): NodeState {
  const p = properties ?? {};
  return {
    visible: modifier(p.visible, record, bindings, true),
    readonly: Boolean(field?.readonly) || modifier(p.readonly, record, bindings, false),
    required: Boolean(field?.required) || modifier(p.required, record, bindings, false),
  };
}
