// One column of the board: header (label, count, totals, fold, quick create), its cards 40 at a
// time with "Load more", a drop zone even when empty, and a folded form (a narrow strip).
import { ActionIcon, Badge, Button, Group, Paper, Stack, Text, TextInput, UnstyledButton } from "@mantine/core";
import { useDroppable } from "@dnd-kit/core";
import { SortableContext, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { ChevronsLeftRight, ChevronsRightLeft, Plus } from "lucide-react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { FieldMeta, RecordValues } from "../../core/api/shapes";
import { formatNumber } from "../../core/format";
import type { Column as ColumnData } from "../../core/views/kanban";
import { Card, type CardContext } from "./Card";
import type { BoardRequest } from "./useKanban";
import { useColumnCards } from "./useKanban";

export interface ColumnProps {
  column: ColumnData;
  request: BoardRequest;
  ctx: CardContext;
  fields: Record<string, FieldMeta>;
  folded: boolean;
  onFold: (key: string, folded: boolean) => void;
  /** Cards shown while a move waits for the server (the board's optimistic state). */
  override: RecordValues[] | undefined;
  /** Tells the board which cards the column holds (to plan a drop). */
  onCards: (key: string, cards: RecordValues[]) => void;
  draggable: boolean;
  canCreate: boolean;
  onQuickCreate: ((column: ColumnData, name: string) => Promise<boolean>) | null;
}

/** A first guess of a card's height (each drawn card is then measured). */
const CARD_HEIGHT = 78;

function total(key: string, value: unknown, fields: Record<string, FieldMeta>): string | null {
  const [name = "", func] = key.split(":");
  if (func === "count" || value === null || value === undefined) return null;
  const field = fields[name];
  const shown = field ? formatNumber(value, field) : String(value);
  return `${field?.label ?? name}${func === "avg" ? " (average)" : ""} ${shown}`;
}

// Memoised: the board passes stable props, so only the columns a drop touches redraw.
export const Column = memo(function Column({ column, request, ctx, fields, folded, onFold, override, onCards, draggable, canCreate, onQuickCreate }: ColumnProps): ReactNode {
  const cards = useColumnCards(ctx.spec, request, column.value, !folded, column.count);
  const loaded = cards.data?.pages.flat() ?? [];
  const shown = override ?? loaded;
  // The same array while the same cards show: a new one would redraw every sortable card of the board.
  const idsKey = shown.map((r) => String(r.id)).join(",");
  const items = useMemo(() => (idsKey ? idsKey.split(",").map((id) => `card:${id}`) : []), [idsKey]);
  // Only the cards in view (and a few around) are drawn: 8 columns of 40 cards mount about 80.
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: folded ? 0 : shown.length, getScrollElement: () => scroller.current, estimateSize: () => CARD_HEIGHT, overscan: 3,
    getItemKey: (i) => String(shown[i]?.id ?? i), initialRect: { width: 260, height: 640 },
  });
  const rows = virtualizer.getVirtualItems();
  const { setNodeRef, isOver } = useDroppable({ id: `column:${column.key}`, data: { column: column.key } });
  const [creating, setCreating] = useState<string | null>(null);
  useEffect(() => { onCards(column.key, loaded); }, [column.key, loaded, onCards]);
  const totals = Object.entries(column.totals).map(([k, v]) => total(k, v, fields)).filter((t): t is string => Boolean(t));
  const label = column.label || "Cards";

  if (folded) {
    return (
      <Paper ref={setNodeRef} withBorder p={4} w={44} mih={200} data-testid="kanban-column" data-column={column.key} data-folded="true"
        bg={isOver ? "var(--mantine-color-blue-light)" : undefined}>
        <UnstyledButton onClick={() => onFold(column.key, false)} aria-label={`Unfold ${label}`} h="100%" w="100%">
          <Stack align="center" gap={6}>
            <ChevronsLeftRight size={14} />
            <Badge size="xs" variant="light">{column.count}</Badge>
            <Text size="sm" fw={600} style={{ writingMode: "vertical-rl" }}>{label}</Text>
          </Stack>
        </UnstyledButton>
      </Paper>
    );
  }

  const submit = async (): Promise<void> => {
    const name = creating?.trim();
    if (!name || !onQuickCreate) return;
    if (await onQuickCreate(column, name)) setCreating(null);
  };

  return (
    <Paper withBorder p="xs" w={280} miw={280} bg="var(--mantine-color-default-hover)" data-testid="kanban-column" data-column={column.key}
      component="section" aria-label={label}>
      <Stack gap="xs" h="100%">
        <Group justify="space-between" wrap="nowrap" gap={4}>
          <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
            <Text fw={600} size="sm" truncate>{label}</Text>
            <Badge size="sm" variant="light" data-testid="column-count">{column.count}</Badge>
          </Group>
          <Group gap={2} wrap="nowrap">
            {onQuickCreate && canCreate && (
              <ActionIcon size="sm" variant="subtle" aria-label={`Quick create in ${label}`} onClick={() => setCreating("")}><Plus size={14} /></ActionIcon>
            )}
            {ctx.spec.groupField && (
              <ActionIcon size="sm" variant="subtle" aria-label={`Fold ${label}`} onClick={() => onFold(column.key, true)}><ChevronsRightLeft size={14} /></ActionIcon>
            )}
          </Group>
        </Group>
        {totals.length > 0 && <Text size="xs" c="dimmed" data-testid="column-total">{totals.join(" · ")}</Text>}
        {creating !== null && (
          <TextInput size="xs" autoFocus placeholder="Name, then Enter" aria-label={`New card in ${label}`} value={creating}
            onChange={(e) => setCreating(e.currentTarget.value)}
            onKeyDown={(e) => { if (e.key === "Enter") { e.preventDefault(); void submit(); } if (e.key === "Escape") setCreating(null); }}
            onBlur={() => { if (!creating.trim()) setCreating(null); }} />
        )}
        <div ref={scroller} className="ff-kanban-scroll" data-loaded={shown.length}>
          <div ref={setNodeRef} style={{ minHeight: 60, borderRadius: 4, outline: isOver ? "2px dashed var(--mantine-color-blue-5)" : undefined,
            paddingTop: rows[0]?.start ?? 0, paddingBottom: rows.length ? virtualizer.getTotalSize() - rows[rows.length - 1]!.end : 0 }}>
            <SortableContext items={items} strategy={verticalListSortingStrategy}>
              {rows.map((row) => {
                const record = shown[row.index]!;
                return (
                  <div key={String(record.id)} data-index={row.index} ref={virtualizer.measureElement} className="ff-kanban-slot">
                    <Card record={record} column={column.key} ctx={ctx} draggable={draggable} />
                  </div>
                );
              })}
            </SortableContext>
          </div>
        </div>
        {cards.hasNextPage && !override && (
          <Button size="compact-xs" variant="subtle" onClick={() => void cards.fetchNextPage()} loading={cards.isFetchingNextPage}>
            Load more ({Math.max(0, column.count - loaded.length)} more)
          </Button>
        )}
      </Stack>
    </Paper>
  );
});
