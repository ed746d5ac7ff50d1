import type { ArchNode, FieldMeta, ViewDef } from "../../core/api/shapes";

export interface Column { name: string; node: ArchNode; field: FieldMeta; label: string }

/** The columns of a List view: its field nodes whose field the user may read. */
export function columnsOf(view: ViewDef): Column[] {
  const fields = view.models[view.model] ?? {};
  return (view.arch[0]?.content ?? [])
    .filter((n) => n.type === "field" && n.name && fields[n.name] && n.properties?.visible !== false)
    .map((n) => ({ name: n.name!, node: n, field: fields[n.name!]!, label: (n.properties?.label as string) ?? fields[n.name!]!.label ?? n.name! }));
}

/** Field paths to query: the view's fetch list, x-to-many columns with their display names. */
export function listFields(view: ViewDef, columns: Column[]): string[] {
  const out = new Set(view.fetch.filter((f) => !f.includes(".")));
  for (const c of columns) {
    if (c.field.type === "ManyToMany" || c.field.type === "OneToMany") { out.delete(c.name); out.add(`${c.name}.display_name`); }
  }
  for (const f of view.fetch) if (f.includes(".")) out.add(f);
  return [...out];
}

const KEY = "fullfinity.columns";

/** Columns hidden by this user in this view, remembered in the browser per user and view. */
export function hiddenColumns(uid: number | undefined, view: string): string[] {
  try {
    const all = JSON.parse(localStorage.getItem(KEY) ?? "{}") as Record<string, string[]>;
    return all[`${uid}:${view}`] ?? [];
  } catch {
    return [];
  }
}

export function setHiddenColumns(uid: number | undefined, view: string, hidden: string[]): void {
  const all = JSON.parse(localStorage.getItem(KEY) ?? "{}") as Record<string, string[]>;
  all[`${uid}:${view}`] = hidden;
  localStorage.setItem(KEY, JSON.stringify(all));
}
