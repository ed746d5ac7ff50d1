/**
 * The view-type registry (views.md 14.3): each `UiView.type` the client can draw, its component
 * and its capabilities, which decide the chrome the shell shows around it. Kanban and Calendar
 * (part 2) register here the same way; an action whose first view type has no entry opens its
 * first type that has one.
 */
import type { ComponentType } from "react";
import type { ActionDef, ViewDef } from "../api/shapes";

export const CAPABILITIES = ["search", "pagination", "groupBy", "selection", "inlineEdit", "export", "browse", "formDrillDown"] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface ViewComponentProps {
  action: ActionDef;
  view: ViewDef;
  searchView?: ViewDef | null;
}

export interface ViewType {
  type: string;
  label: string;
  icon?: string;
  capabilities: ReadonlySet<Capability>;
  /** Loaded lazily when the type's code is large (Calendar, Kanban). */
  component: ComponentType<ViewComponentProps>;
  /** Shown in the view switcher of an action (Form is reached by opening a record). */
  switchable: boolean;
}

const viewTypes = new Map<string, ViewType>();

export function registerViewType(entry: Omit<ViewType, "capabilities"> & { capabilities: readonly Capability[] }): void {
  viewTypes.set(entry.type, { ...entry, capabilities: new Set(entry.capabilities) });
}

export function getViewType(type: string): ViewType | null {
  return viewTypes.get(type === "Tree" ? "List" : type) ?? null;
}

export function getViewTypes(): ViewType[] {
  return [...viewTypes.values()];
}

export function has(type: string, capability: Capability): boolean {
  return getViewType(type)?.capabilities.has(capability) ?? false;
}

/** The view types of an action the client can draw, in the action's order. */
export function availableViews(action: ActionDef): ActionDef["views"] {
  return action.views.filter((v) => getViewType(v.type) !== null);
}

/** Capabilities of a `data_method` view: only those the root block lists (views.md 8). */
export function capabilitiesOf(view: ViewDef): ReadonlySet<Capability> {
  const base = getViewType(view.type)?.capabilities ?? new Set<Capability>();
  const block = view.arch[0] ?? {};
  if (!block.data_method) return base;
  const supported = Array.isArray(block.data_method_supports) ? (block.data_method_supports as string[]) : [];
  return new Set([...base].filter((c) => supported.includes(c)));
}
