// The table of a long page: only the rows in view (and a few around) are in the DOM.
import { useVirtualizer } from "@tanstack/react-virtual";
import { useRef, type ReactNode } from "react";
import { ROW, TableShell, type ListTableProps } from "./ListTable";

export function VirtualTable({ p }: { p: ListTableProps }): ReactNode {
  const ref = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: p.rows.length, getScrollElement: () => ref.current, estimateSize: () => ROW, overscan: 6 });
  return <TableShell p={p} items={{ ref, items: virtualizer.getVirtualItems(), total: virtualizer.getTotalSize() }} />;
}
