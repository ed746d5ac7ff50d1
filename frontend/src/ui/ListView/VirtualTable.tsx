// The table of a long page: only the rows in view (and a few around) are in the DOM, in <tr>
// slots that scrolling hands from the records leaving the view to those coming into it.
import { useVirtualizer } from "@tanstack/react-virtual";
import { useRef, type ReactNode } from "react";
import { ROW, TableShell, rowKey, type ListTableProps } from "./ListTable";
import { assignSlots } from "./slots";

export function VirtualTable({ p }: { p: ListTableProps }): ReactNode {
  const ref = useRef<HTMLDivElement>(null);
  const slots = useRef(new Map<string, number>());
  const virtualizer = useVirtualizer({ count: p.rows.length, getScrollElement: () => ref.current, estimateSize: () => ROW, overscan: 6 });
  const items = virtualizer.getVirtualItems();
  slots.current = assignSlots(items.map((i) => rowKey(p.rows[i.index]!)), slots.current);
  return <TableShell p={p} items={{ ref, items, total: virtualizer.getTotalSize(), slots: slots.current }} />;
}
