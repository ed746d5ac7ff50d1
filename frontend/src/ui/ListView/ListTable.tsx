// The table of a List: sortable headers, selection, decorations, in-place editing of a row, and
// virtualised rows for long pages (only the rows in view are in the DOM).
import { Checkbox, Group, Paper, Stack, Table, Text, UnstyledButton } from "@mantine/core";
import { ArrowDown, ArrowUp } from "lucide-react";
import { memo, useLayoutEffect, useMemo, useRef, type KeyboardEvent, type ReactNode, type RefObject } from "react";
import type { Profile, RecordValues } from "../../core/api/shapes";
import { parseQ, type QBindings } from "../../core/q";
import { renderWidget } from "../../core/registry/widgets";
import { modifier } from "../../core/views/modifiers";
import type { Column } from "./columns";
import { lazyComponent } from "../lazyComponent";

export interface ListTableProps {
  model: string;
  columns: Column[];
  rows: RecordValues[];
  order: string[];
  onSort?: (field: string, additive: boolean) => void;
  selected: Set<number>;
  onSelect?: (ids: number[], on: boolean) => void;
  onOpen?: (row: RecordValues, index: number) => void;
  profile: Profile | null;
  bindings: QBindings;
  decorations?: Record<string, unknown>;
  /** In-place editing: the row being edited, its draft and errors. */
  editing?: { id: number | "new"; values: RecordValues; errors: Record<string, string> } | null;
  onEdit?: (field: string, value: unknown) => void;
  onEditKey?: (event: KeyboardEvent, index: number) => void;
  onStartEdit?: (row: RecordValues, index: number) => void;
  caption: string;
  height?: number;
  /** Phones: one card per record (columns with `mobile: false` are already left out). */
  cards?: boolean;
}

const VIRTUAL_FROM = 120;
export const ROW = 37;

function decorationOf(decorations: Record<string, unknown> | undefined, row: RecordValues, bindings: QBindings): string | undefined {
  if (!decorations) return undefined;
  for (const [name, q] of Object.entries(decorations)) {
    // The server turns the Q strings it knows into trees; a decoration may still arrive as a string.
    let tree: unknown = q;
    if (typeof q === "string") { try { tree = parseQ(q); } catch { continue; } }
    if (modifier(tree, row, bindings, false)) return name;
  }
  return undefined;
}

function Cards(p: ListTableProps): ReactNode {
  const [first, ...rest] = p.columns;
  return (
    <Stack gap={6} aria-label={p.caption} role="list">
      {p.rows.map((row, index) => (
        <Paper key={String(row.id ?? "new")} withBorder p="sm" radius="md" role="listitem" tabIndex={0} className="ff-row" style={{ cursor: "pointer" }}
          onClick={() => p.onOpen?.(row, index)} onKeyDown={(e) => { if (e.key === "Enter") p.onOpen?.(row, index); }}>
          <Group justify="space-between" wrap="nowrap" gap="xs">
            <Text fw={600} size="sm" truncate>{first ? String(row[first.name] && typeof row[first.name] === "object" ? (row[first.name] as { display_name?: string }).display_name : row[first.name] ?? row.display_name ?? "") : String(row.display_name ?? "")}</Text>
            {p.onSelect && row.id !== undefined && (
              <Checkbox size="xs" aria-label={`Select ${String(row.display_name ?? row.id)}`} checked={p.selected.has(Number(row.id))}
                onClick={(e) => e.stopPropagation()} onChange={(e) => p.onSelect!([Number(row.id)], e.currentTarget.checked)} />
            )}
          </Group>
          {rest.map((c) => (
            <Group key={c.name} gap={6} wrap="nowrap">
              <Text size="xs" c="dimmed" w={90} style={{ flexShrink: 0 }}>{c.label}</Text>
              <div style={{ minWidth: 0, overflow: "hidden" }}>
                {renderWidget(c.node.properties?.widget as string | undefined, {
                  mode: "list", name: c.name, value: row[c.name] ?? null, onChange: () => {}, field: c.field, record: row, readonly: true, required: false,
                  properties: { ...(c.node.properties ?? {}), size: "xs" }, label: c.label, model: p.model, profile: p.profile,
                })}
              </div>
            </Group>
          ))}
        </Paper>
      ))}
    </Stack>
  );
}

export function ListTable(p: ListTableProps): ReactNode {
  if (p.cards && !p.editing) return <Cards {...p} />;
  return <RowsTable {...p} />;
}

interface RowProps { p: ListTableProps; row: RecordValues; index: number; selected: boolean; editing: boolean; editValues: RecordValues | undefined }

// One row, redrawn only when its record, selection or edit state changes: scrolling a long page
// redraws the rows coming into view (in the <tr> of rows that left it) and leaves the others alone.
const Row = memo(function Row({ p, row, index, selected, editing }: RowProps): ReactNode {
  const id = Number(row.id);
  const tr = useRef<HTMLTableRowElement>(null);
  const shown = useRef(row.id);
  useLayoutEffect(() => {
    // A recycled row (long pages) now shows another record: focus leaves with its record, as it
    // does when a row scrolls out and unmounts, instead of staying on a stranger's row.
    if (shown.current !== row.id && tr.current?.contains(document.activeElement)) (document.activeElement as HTMLElement).blur();
    shown.current = row.id;
  }, [row.id]);
  const cell = (c: Column): ReactNode => {
    const values = editing ? p.editing!.values : row;
    if (!editing && c.node.properties?.visible !== undefined && !modifier(c.node.properties.visible, row, p.bindings, true)) return null;
    const readonly = Boolean(c.field.readonly) || modifier(c.node.properties?.readonly, values, p.bindings, false);
    return renderWidget(c.node.properties?.widget as string | undefined, {
      mode: editing ? "formlist" : "list", name: c.name, value: values[c.name] ?? null, onChange: (v) => p.onEdit?.(c.name, v),
      field: c.field, record: values, readonly, required: Boolean(c.field.required) || modifier(c.node.properties?.required, values, p.bindings, false),
      error: editing ? p.editing!.errors[c.name] : undefined, properties: c.node.properties ?? {}, label: `${c.label} (row ${index + 1})`,
      model: p.model, profile: p.profile,
    });
  };
  // Plain <tr>/<td> (styled by .ff-table in global.css): rows are mounted by the hundred.
  return (
    <tr ref={tr} className="ff-row" data-selected={selected || undefined} data-row={index}
      data-decoration={decorationOf(p.decorations, row, p.bindings)} aria-rowindex={index + 2} tabIndex={editing ? undefined : 0}
      onClick={() => (p.onStartEdit ? p.onStartEdit(row, index) : p.onOpen?.(row, index))}
      onKeyDown={(e) => {
        if (editing) { p.onEditKey?.(e, index); return; }
        if (e.key === "Enter") { e.preventDefault(); if (p.onStartEdit) p.onStartEdit(row, index); else p.onOpen?.(row, index); }
        if (e.key === "ArrowDown") { e.preventDefault(); (e.currentTarget.nextElementSibling as HTMLElement | null)?.focus(); }
        if (e.key === "ArrowUp") { e.preventDefault(); (e.currentTarget.previousElementSibling as HTMLElement | null)?.focus(); }
      }}>
      {p.onSelect && (
        <td onClick={(e) => e.stopPropagation()}>
          {/* A native checkbox: thousands of rows mount and unmount while scrolling. */}
          {row.id !== undefined && <input type="checkbox" className="ff-check" aria-label={`Select ${String(row.display_name ?? id)}`} checked={selected} onChange={(e) => p.onSelect!([id], e.currentTarget.checked)} />}
        </td>
      )}
      {p.columns.map((c) => <td key={c.name} onClick={editing ? (e) => e.stopPropagation() : undefined}>{cell(c)}</td>)}
    </tr>
  );
}, (a, b) => a.row === b.row && a.selected === b.selected && a.editing === b.editing && a.index === b.index
  && (!a.editing || a.editValues === b.editValues) && a.p.columns === b.p.columns && a.p.profile === b.p.profile);

// Long pages are virtualised by VirtualTable.tsx, loaded with the first long page.
const VirtualTable = lazyComponent(() => import("./VirtualTable").then((m) => m.VirtualTable));

function RowsTable(p: ListTableProps): ReactNode {
  if (p.rows.length >= VIRTUAL_FROM) return <VirtualTable p={p} />;
  return <TableShell p={p} items={null} />;
}

interface HeadProps {
  columns: Column[]; order: string[]; rows: RecordValues[]; allSelected: boolean; someSelected: boolean;
  onSort?: ListTableProps["onSort"]; onSelect?: ListTableProps["onSelect"];
}

// The header row, memoised: scrolling a long page redraws the rows' window, not these Mantine cells.
const TableHead = memo(function TableHead(h: HeadProps): ReactNode {
  const direction = (name: string): "ASC" | "DESC" | null => {
    const found = h.order.find((o) => o.split(" ")[0] === name);
    return found ? ((found.split(" ")[1] ?? "ASC") as "ASC" | "DESC") : null;
  };
  return (
    <Table.Thead>
      <Table.Tr>
        {h.onSelect && (
          <Table.Th w={36}>
            <Checkbox size="xs" aria-label="Select all records of the page" checked={h.allSelected} indeterminate={!h.allSelected && h.someSelected}
              onChange={(e) => h.onSelect!(h.rows.map((r) => Number(r.id)), e.currentTarget.checked)} />
          </Table.Th>
        )}
        {h.columns.map((c) => {
          const dir = direction(c.name);
          const numeric = ["Integer", "Float", "Monetary", "Numeric"].includes(c.field.type);
          const sortable = h.onSort && c.field.store !== false;
          return (
            <Table.Th key={c.name} ta={numeric ? "right" : undefined} aria-sort={dir === "ASC" ? "ascending" : dir === "DESC" ? "descending" : undefined}>
              {sortable ? (
                <UnstyledButton onClick={(e) => h.onSort!(c.name, e.shiftKey)} aria-label={`Sort by ${c.label}`} data-sort={c.name}>
                  <Group gap={4} wrap="nowrap" justify={numeric ? "flex-end" : undefined}>
                    <Text size="sm" fw={600}>{c.label}</Text>
                    {dir === "ASC" && <ArrowUp size={12} aria-hidden />}
                    {dir === "DESC" && <ArrowDown size={12} aria-hidden />}
                  </Group>
                </UnstyledButton>
              ) : <Text size="sm" fw={600}>{c.label}</Text>}
            </Table.Th>
          );
        })}
      </Table.Tr>
    </Table.Thead>
  );
});

export const rowKey = (row: RecordValues): string => (row.id === undefined ? "new" : String(row.id));

/** The rows in view of a long page, from VirtualTable.tsx, with the <tr> slot of each record (slots.ts). */
export interface VirtualWindow {
  ref: RefObject<HTMLDivElement | null>; items: { index: number; start: number; end: number }[]; total: number; slots: Map<string, number>;
}

export function TableShell({ p, items: window }: { p: ListTableProps; items: VirtualWindow | null }): ReactNode {
  const fallbackRef = useRef<HTMLDivElement>(null);
  const parent = window?.ref ?? fallbackRef;
  const virtual = window !== null;
  const items = window?.items ?? null;
  const [allSelected, someSelected] = useMemo(() => [
    p.rows.length > 0 && p.rows.every((r) => p.selected.has(Number(r.id))), p.rows.some((r) => p.selected.has(Number(r.id))),
  ], [p.rows, p.selected]);
  const visibleRows = items ? items.map((i) => ({ row: p.rows[i.index]!, index: i.index })) : p.rows.map((row, index) => ({ row, index }));
  const padTop = items && items.length ? items[0]!.start : 0;
  const padBottom = items && items.length ? window!.total - items[items.length - 1]!.end : 0;

  return (
    <div ref={parent} style={{ overflowX: "auto", overflowY: virtual ? "auto" : undefined, maxHeight: virtual ? (p.height ?? 640) : undefined }} data-testid="list-scroll">
      <Table className="ff-table" striped={false} highlightOnHover={false} stickyHeader verticalSpacing={6} aria-label={p.caption} aria-rowcount={p.rows.length + 1}>
        <TableHead columns={p.columns} order={p.order} onSort={p.onSort} onSelect={p.onSelect} rows={p.rows} allSelected={allSelected} someSelected={someSelected} />
        <Table.Tbody>
          {padTop > 0 && <tr style={{ height: padTop }} aria-hidden />}
          {visibleRows.map(({ row, index }) => (
            <Row key={window ? `slot-${window.slots.get(rowKey(row))}` : rowKey(row)} p={p} row={row} index={index} selected={p.selected.has(Number(row.id))}
              editing={Boolean(p.editing && (p.editing.id === row.id || (p.editing.id === "new" && row.id === undefined)))} editValues={p.editing?.values} />
          ))}
          {padBottom > 0 && <tr style={{ height: padBottom }} aria-hidden />}
        </Table.Tbody>
      </Table>
    </div>
  );
}
