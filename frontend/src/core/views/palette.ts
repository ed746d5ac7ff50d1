/**
 * The command palette's data (web-client.md 3, Ctrl+K): the menus that open an action, with their
 * path ("Settings / Users"), matched on every typed word, and the current screen's action (its
 * records are searched by `display_name` on the server).
 */
import type { MenuNode } from "../api/shapes";

export interface MenuEntry { identifier: string; action: string; label: string; path: string }

/** Every menu with an action, depth first, with the names of its parents. */
export function menuEntries(nodes: MenuNode[], parents: string[] = []): MenuEntry[] {
  const out: MenuEntry[] = [];
  for (const node of nodes) {
    if (node.action) out.push({ identifier: node.identifier, action: node.action, label: node.name, path: parents.join(" / ") });
    out.push(...menuEntries(node.children ?? [], [...parents, node.name]));
  }
  return out;
}

function words(text: string): string[] {
  return text.toLocaleLowerCase().normalize("NFKD").replace(/\p{M}/gu, "").split(/\s+/).filter(Boolean);
}

/** The entries whose label and path hold every typed word (all of them when nothing is typed). */
export function matchMenus(entries: MenuEntry[], query: string, limit = 8): MenuEntry[] {
  const wanted = words(query);
  const found = entries.filter((e) => {
    const hay = words(`${e.path} ${e.label}`).join(" ");
    return wanted.every((w) => hay.includes(w));
  });
  // Labels that start with the query first, then by path order.
  const first = wanted[0] ?? "";
  return [...found].sort((a, b) => Number(!words(a.label).join(" ").startsWith(first)) - Number(!words(b.label).join(" ").startsWith(first))).slice(0, limit);
}

/** The action identifier of a client path (`/action/<identifier>[/<id>]`), else null. */
export function actionOfPath(pathname: string): string | null {
  const m = /^\/action\/([^/]+)/.exec(pathname);
  return m ? decodeURIComponent(m[1]!) : null;
}
