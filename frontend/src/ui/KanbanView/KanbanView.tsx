// The Kanban view type (views.md 7.2, web-client.md 3): columns by the arch's group field,
// drag and drop between and inside columns (pointer and keyboard, dnd-kit), each drop written
// with the record's `updated_date`; a refused write puts the card back and shows the server's
// message. Without `drag_fields` the cards are a grid (Contacts).
import { Button, Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useHotkeys } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import {
  closestCorners, DndContext, pointerWithin, type CollisionDetection, DragOverlay, KeyboardSensor, PointerSensor, useSensor, useSensors, type DragEndEvent, type DragStartEvent,
} from "@dnd-kit/core";
import { sortableKeyboardCoordinates } from "@dnd-kit/sortable";
import { useQueryClient } from "@tanstack/react-query";
import { Plus } from "lucide-react";
import { useCallback, useMemo, useRef, useState, type ReactNode } from "react";
import { useLocation, useNavigate, useSearchParams } from "react-router";
import { api } from "../../core/api/http";
import { errorMessage } from "../../core/api/errors";
import type { RecordValues } from "../../core/api/shapes";
import { queryKeys } from "../../core/query/keys";
import type { ViewComponentProps } from "../../core/registry/views";
import { readListState, trailOf, writeListState } from "../../core/url";
import { buildColumns, kanbanSpec, PAGE, planMove, type Column as ColumnData } from "../../core/views/kanban";
import { bindingsOf } from "../../core/views/modifiers";
import { defaultFacets, searchRequest, type SearchState } from "../../core/views/search";
import { useAuth } from "../auth";
import { runButton } from "../FormView/buttons";
import { useMeta } from "../hooks";
import { actionFilter } from "../ListView/ListView";
import { SearchBar } from "../SearchBar";
import { CardBody, type CardContext } from "./Card";
import { Column } from "./Column";
import { columnCardsQuery, columnGroupsKey, useColumnCards, useColumnGroups, useColumnTargets, type BoardRequest, type CardPages } from "./useKanban";

/**
 * What a card is dropped on: the card under the pointer, else the column under it; the nearest
 * corners when there is no pointer (the keyboard sensor).
 */
const collide: CollisionDetection = (args) => {
  const within = pointerWithin(args);
  const cards = within.filter((c) => String(c.id).startsWith("card:"));
  if (cards.length) return cards;
  if (within.length) return within;
  return closestCorners(args);
};

/** Milliseconds of the last drop's round trip (the benchmark reads it from the board's data attribute). */
function since(start: number): string {
  return String(Math.round(performance.now() - start));
}

function CardGrid({ ctx, request, count }: { ctx: CardContext; request: BoardRequest; count: number }): ReactNode {
  const cards = useColumnCards(ctx.spec, request, null, true, count);
  const loaded = cards.data?.pages.flat() ?? [];
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 1, sm: 2, md: 3, lg: 4 }} spacing="xs" data-testid="kanban-grid">
        {loaded.map((record) => (
          <div key={String(record.id)} role="button" tabIndex={0} data-testid="kanban-card" data-id={String(record.id)} className="ff-kanban-card"
            aria-label={String(record.display_name ?? "")} onClick={() => ctx.onOpen(record)} onKeyDown={(e) => { if (e.key === "Enter") ctx.onOpen(record); }}>
            <CardBody record={record} ctx={ctx} />
          </div>
        ))}
      </SimpleGrid>
      {cards.hasNextPage && (
        <Group justify="center">
          <Button size="xs" variant="light" onClick={() => void cards.fetchNextPage()} loading={cards.isFetchingNextPage}>
            Load more ({Math.max(0, count - loaded.length)} more)
          </Button>
        </Group>
      )}
    </Stack>
  );
}

export function KanbanView({ action, view, searchView }: ViewComponentProps): ReactNode {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const location = useLocation();
  const client = useQueryClient();
  const { profile } = useAuth();
  const model = view.model;
  const fields = view.models[model] ?? {};
  const meta = useMeta(model).data ?? null;
  const state = readListState(params, action.limit ?? 80);
  const facets = state.facets ?? defaultFacets(searchView?.search, action.context?.search_default);
  const search: SearchState = { facets };
  const base = actionFilter(action);
  const searched = searchRequest(searchView?.search, search, state.filter ? (base ? { and: [base, state.filter] } : state.filter) : base);
  // The columns follow the search bar's group-by when it names a Selection or ManyToOne field.
  const groupKey = searched.group_by.join(",");
  const spec = useMemo(() => kanbanSpec(view, meta?.fields, groupKey ? groupKey.split(",") : undefined), [view, meta, groupKey]);
  const context = useMemo(() => ({ ...(action.context ?? {}), ...state.context }), [action.context, state.context]);
  const asked: BoardRequest = {
    q_filter: searched.q_filter, filters: searched.filters.length ? searched.filters : null,
    order_by: state.order.length ? state.order : action.order_by ?? null, context,
  };
  // The same request object while the search does not change: the columns are memoised on it, so
  // a drag start, a drop or a fold redraws the board's shell, not every column.
  const requestKey = JSON.stringify(asked);
  const request = useMemo(() => asked, [requestKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const groups = useColumnGroups(spec, request);
  const targets = useColumnTargets(spec);
  const columns = useMemo(() => buildColumns(spec, groups.data ?? [], targets.data ?? null), [spec, groups.data, targets.data]);
  const bindings = useMemo(() => bindingsOf(profile), [profile]);
  const [folds, setFolds] = useState<Record<string, boolean>>({});
  const [overrides, setOverrides] = useState<Record<string, RecordValues[]>>({});
  const [dragging, setDragging] = useState<RecordValues | null>(null);
  const [lastMove, setLastMove] = useState<string>("");
  const cardsOf = useRef<Record<string, RecordValues[]>>({});
  const onCards = useCallback((key: string, cards: RecordValues[]) => { cardsOf.current[key] = cards; }, []);
  const canWrite = Boolean(meta?.access.write) && spec.groupField !== null;
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates, keyboardCodes: { start: ["Space"], cancel: ["Escape"], end: ["Space", "Enter"] } }),
  );
  const invalidate = (): Promise<void> => client.invalidateQueries({ queryKey: queryKeys.model(model) });

  const trail = (): unknown => ({ trail: [...trailOf(location.state), { label: action.name, to: `${location.pathname}${location.search}` }] });
  const onOpen = useCallback((record: RecordValues) => {
    void navigate(`/action/${encodeURIComponent(action.identifier)}/${String(record.id)}`, { state: trail() });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [action.identifier, location.pathname, location.search]);
  // One context object while nothing it holds changes: cards are memoised on it, so a drag, a drop
  // or a fold redraws only the cards that moved, not the 320 on the board.
  const contextKey = JSON.stringify(context);
  const ctx: CardContext = useMemo(() => ({
    spec, content: view.arch[0]?.content ?? [], fields, profile, bindings, onOpen,
    onButton: (method: string, record: RecordValues) => void runButton({
      model, method, ids: [Number(record.id)], view, context, navigate,
      after: () => client.invalidateQueries({ queryKey: queryKeys.model(model) }),
    }),
  }), [spec, view, fields, profile, bindings, onOpen, model, contextKey, navigate, client]); // eslint-disable-line react-hooks/exhaustive-deps

  /** Puts `cards` in the cache of a column's query, in pages of 40 as "Load more" reads them. */
  const patchColumn = (value: ColumnData["value"], cards: RecordValues[]): void => {
    client.setQueryData<CardPages>(columnCardsQuery(spec, request, value).key, (old) => {
      if (!old) return old;
      const pages: RecordValues[][] = [];
      for (let i = 0; i < Math.max(cards.length, 1); i += PAGE) pages.push(cards.slice(i, i + PAGE));
      return { pages, pageParams: pages.map((_, i) => i * PAGE) };
    });
  };

  const onDragStart = (event: DragStartEvent): void => setDragging((event.active.data.current?.record as RecordValues | undefined) ?? null);
  const onDragEnd = async (event: DragEndEvent): Promise<void> => {
    setDragging(null);
    const { active, over } = event;
    if (!over) return;
    const card = active.data.current?.record as RecordValues | undefined;
    const from = active.data.current?.column as string | undefined;
    const to = (over.data.current?.column as string | undefined) ?? String(over.id).replace(/^column:/, "");
    if (!card || from === undefined) return;
    const fromColumn = columns.find((c) => c.key === from);
    const toColumn = columns.find((c) => c.key === to);
    if (!fromColumn || !toColumn) return;
    const target = (cardsOf.current[to] ?? []).filter((c) => c.id !== card.id);
    const overIndex = String(over.id).startsWith("card:") ? target.findIndex((c) => `card:${String(c.id)}` === String(over.id)) : -1;
    let index = overIndex >= 0 ? overIndex : target.length;
    if (from === to && overIndex >= 0) {
      // Moving down inside a column puts the card after the one it is dropped on.
      const old = (cardsOf.current[from] ?? []).findIndex((c) => c.id === card.id);
      if (old >= 0 && old <= overIndex) index = overIndex + 1;
    }
    if (from === to && !spec.ordered) return;
    const writes = planMove(spec, card, fromColumn.value, toColumn.value, target, index);
    if (!writes.length) return;
    const moved = { ...card, ...writes[0]!.values };
    const next = [...target.slice(0, index), moved, ...target.slice(index)];
    setOverrides(from === to ? { [to]: next } : { [from]: (cardsOf.current[from] ?? []).filter((c) => c.id !== card.id), [to]: next });
    const started = performance.now();
    try {
      const answers: RecordValues[] = [];
      for (const w of writes) answers.push(await api.update(model, w.id, w.values));
      setLastMove(since(started));
      // No refetch of the board: the two columns' cached cards take the move and the server's
      // answer (the new updated_date), and only the grouped counts and totals are asked again.
      const byId = new Map(answers.map((a) => [String(a.id), a]));
      const patch = (c: RecordValues): RecordValues => ({ ...c, ...(byId.get(String(c.id)) ?? {}) });
      if (from !== to) patchColumn(fromColumn.value, (cardsOf.current[from] ?? []).filter((c) => c.id !== card.id));
      patchColumn(toColumn.value, next.map(patch));
      void client.invalidateQueries({ queryKey: queryKeys.model(model), refetchType: "none" });
      void client.invalidateQueries({ queryKey: columnGroupsKey(spec, request), exact: true });
    } catch (error) {
      notifications.show({ color: "red", title: "The card was not moved", message: errorMessage(error) });
      await invalidate();
    } finally {
      setOverrides({});
    }
  };

  const quickCreate = async (column: ColumnData, name: string): Promise<boolean> => {
    try {
      const recName = meta?.rec_name ?? "name";
      await api.create(model, { [recName]: name, ...(spec.groupField ? { [spec.groupField]: column.value } : {}), __context: context });
      await invalidate();
      return true;
    } catch (error) {
      notifications.show({ color: "red", title: "Not created", message: errorMessage(error) });
      return false;
    }
  };
  const quickRef = useRef(quickCreate);
  quickRef.current = quickCreate;
  const onQuickCreate = useCallback((column: ColumnData, name: string) => quickRef.current(column, name), []);
  const onFold = useCallback((key: string, folded: boolean) => setFolds((s) => ({ ...s, [key]: folded })), []);
  const create = (): void => { void navigate(`/action/${encodeURIComponent(action.identifier)}/new`, { state: trail() }); };
  useHotkeys([["alt+c", () => { if (meta?.access.create) create(); }]]);
  const setSearch = (next: SearchState): void => setParams(writeListState(params, { facets: next.facets, offset: 0 }), { state: location.state });
  const total = columns.reduce((n, c) => n + c.count, 0);

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Group gap="xs">
          <Title order={1} size="h3">{action.name}</Title>
          {meta?.access.create && <Button size="xs" leftSection={<Plus size={14} />} onClick={create} title="New (Alt+C)">New</Button>}
        </Group>
        <Text size="sm" c="dimmed" aria-live="polite">{groups.data ? `${total.toLocaleString("en-US")} records` : ""}</Text>
      </Group>
      <SearchBar model={model} action={action.identifier} spec={searchView?.search} fields={searchView?.models[model] ?? fields} state={search} onChange={setSearch} />
      {!spec.groupField ? (
        <CardGrid ctx={ctx} request={request} count={total} />
      ) : (
        <DndContext sensors={sensors} collisionDetection={collide} onDragStart={onDragStart} onDragEnd={(e) => { void onDragEnd(e); }}
          onDragCancel={() => setDragging(null)}>
          <div style={{ overflowX: "auto" }} data-testid="kanban-board" data-last-move-ms={lastMove}>
            <Group align="flex-start" wrap="nowrap" gap="sm" pb="xs">
              {columns.map((column) => (
                <Column key={column.key} column={column} request={request} ctx={ctx} fields={fields}
                  folded={folds[column.key] ?? column.fold} onFold={onFold}
                  override={overrides[column.key]} onCards={onCards} draggable={canWrite}
                  canCreate={Boolean(meta?.access.create)} onQuickCreate={spec.quickCreate ? onQuickCreate : null} />
              ))}
            </Group>
          </div>
          <DragOverlay>{dragging ? <CardBody record={dragging} ctx={ctx} /> : null}</DragOverlay>
        </DndContext>
      )}
    </Stack>
  );
}
