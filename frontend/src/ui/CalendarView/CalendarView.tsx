// The Calendar view type (views.md 7.3, web-client.md 3): month, week and day in the user's
// time zone; drag to reschedule and resize (written with `updated_date`: a refusal puts the
// event back with the server's message; Shift+arrows resize from the keyboard, a right-edge
// handle stretches an all-day event); a click on empty time quick-creates a record there, a
// drag on empty time one over the dragged range;
// colours from the arch; the search bar filters. Mode and date live in the URL.
import { ActionIcon, Button, Group, Modal, SegmentedControl, Stack, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { DndContext, PointerSensor, pointerWithin, useSensor, useSensors, type DragEndEvent } from "@dnd-kit/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ChevronLeft, ChevronRight } from "lucide-react";
import { useMemo, useRef, useState, type ReactNode } from "react";
import { useLocation, useNavigate, useSearchParams } from "react-router";
import { api } from "../../core/api/http";
import { errorMessage } from "../../core/api/errors";
import type { RecordValues } from "../../core/api/shapes";
import type { QNode } from "../../core/q";
import type { DateValue } from "../../core/q/dates";
import { queryKeys } from "../../core/query/keys";
import type { ViewComponentProps } from "../../core/registry/views";
import { readListState, trailOf, writeListState } from "../../core/url";
import {
  calendarSpec, clock, dayKey, daysValues, MODES, moveValues, parseDay, placeEvents, quickValues, rangeFilter, rangeValues, resizeByValues, resizeDaysValues, resizeValues, shiftAnchor, snap, today as todayIn,
  visibleDays, type CalendarMode, type Placed,
} from "../../core/views/calendar";
import { defaultFacets, searchRequest, type SearchState } from "../../core/views/search";
import { useAuth } from "../auth";
import { useMeta } from "../hooks";
import { actionFilter } from "../ListView/ListView";
import { SearchBar } from "../SearchBar";
import { MonthGrid, PX_PER_MINUTE, TimeGrid } from "./Grids";

const PAGE = 400; // the API's largest page: a busy month is read in a few pages

function and(...parts: (QNode | null)[]): QNode | null {
  const kept = parts.filter((p): p is QNode => p !== null);
  return kept.length === 0 ? null : kept.length === 1 ? kept[0]! : { and: kept };
}

export function CalendarView({ action, view, searchView }: ViewComponentProps): ReactNode {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const location = useLocation();
  const client = useQueryClient();
  const { profile } = useAuth();
  const tz = profile?.tz || "UTC";
  const lang = profile?.lang?.replace("_", "-") || "en";
  const spec = useMemo(() => calendarSpec(view), [view]);
  const model = view.model;
  const meta = useMeta(model).data ?? null;
  const mode = (MODES as string[]).includes(params.get("mode") ?? "") ? (params.get("mode") as CalendarMode) : spec.defaultMode;
  const now = todayIn(tz);
  const anchor = parseDay(params.get("date")) ?? now;
  const days = useMemo(() => visibleDays(mode, anchor), [mode, anchor.y, anchor.m, anchor.d]); // eslint-disable-line react-hooks/exhaustive-deps
  const state = readListState(params);
  const facets = state.facets ?? defaultFacets(searchView?.search, action.context?.search_default);
  const search: SearchState = { facets };
  const searched = searchRequest(searchView?.search, search, and(actionFilter(action), state.filter));
  const context = { ...(action.context ?? {}), ...state.context };
  const body = {
    fields: spec.fields, q_filter: and(searched.q_filter, rangeFilter(spec, days, tz)),
    filters: searched.filters.length ? searched.filters : null, order_by: [`${spec.start} ASC`, "id ASC"], context,
  };
  const events = useQuery({
    queryKey: queryKeys.viewData(model, "Calendar", body),
    queryFn: async ({ signal, client: qc, queryKey }) => {
      const background = qc.getQueryData(queryKey) !== undefined;
      const rows: RecordValues[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const page = await api.query(model, { ...body, limit: PAGE, offset, total: "none" }, { signal, background });
        rows.push(...page.data);
        if (page.data.length < PAGE) return rows;
      }
    },
  });
  const [pending, setPending] = useState<Record<number, RecordValues>>({});
  const records = useMemo(() => (events.data ?? []).map((r) => (pending[Number(r.id)] ? { ...r, ...pending[Number(r.id)] } : r)), [events.data, pending]);
  const placed = useMemo(() => placeEvents(spec, records, days, tz), [spec, records, days, tz]);
  const [creating, setCreating] = useState<{ values: RecordValues; name: string; range?: string } | null>(null);
  const lastDrag = useRef(0);
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 5 } }));
  const canWrite = Boolean(meta?.access.write);
  const invalidate = (): Promise<void> => client.invalidateQueries({ queryKey: queryKeys.model(model) });

  const go = (patch: { mode?: CalendarMode; date?: DateValue }): void => {
    const next = new URLSearchParams(params);
    if (patch.mode) next.set("mode", patch.mode);
    if (patch.date) next.set("date", dayKey(patch.date));
    setParams(next, { state: location.state });
  };
  const settled = (): boolean => performance.now() - lastDrag.current > 300;
  const onOpen = (record: RecordValues): void => {
    if (!settled()) return;
    const trail = [...trailOf(location.state), { label: action.name, to: `${location.pathname}${location.search}` }];
    void navigate(`/action/${encodeURIComponent(action.identifier)}/${String(record.id)}`, { state: { trail } });
  };
  const onSlot = (day: DateValue, minutes: number | null): void => {
    if (!settled() || !meta?.access.create) return;
    setCreating({ values: quickValues(spec, day, minutes)(tz), name: "" });
  };

  const onRange = (day: DateValue, from: number, to: number, endDay: DateValue): void => {
    if (!meta?.access.create) return;
    lastDrag.current = performance.now();
    const dayText = (d: DateValue): string => fmt(d, { weekday: "short", day: "numeric", month: "short" });
    const range = dayKey(day) === dayKey(endDay)
      ? `${dayText(day)}, ${clock(from)} – ${clock(to)}`
      : `${dayText(day)}, ${clock(from)} – ${dayText(endDay)}, ${clock(to)}`;
    setCreating({ values: rangeValues(spec, day, from, to, endDay)(tz), name: "", range });
  };
  const onDays = (first: DateValue, last: DateValue): void => {
    if (!meta?.access.create) return;
    lastDrag.current = performance.now();
    const dayText = (d: DateValue): string => fmt(d, { weekday: "short", day: "numeric", month: "short" });
    setCreating({ values: daysValues(spec, first, last)(tz), name: "", range: `${dayText(first)} – ${dayText(last)}` });
  };
  const onResizeBy = (p: Placed, step: number): void => {
    const values = resizeByValues(spec, p.record, step, tz);
    if (values) void write(p.id, values);
  };

  const write = async (id: number, values: RecordValues): Promise<void> => {
    setPending((p) => ({ ...p, [id]: values }));
    try {
      await api.update(model, id, values);
    } catch (error) {
      notifications.show({ color: "red", title: "Not rescheduled", message: errorMessage(error) });
    } finally {
      await invalidate();
      setPending((p) => { const n = { ...p }; delete n[id]; return n; });
    }
  };
  const onDragEnd = (event: DragEndEvent): void => {
    lastDrag.current = performance.now();
    const data = event.active.data.current as { placed: Placed; kind: "move" | "resize" | "stretch" } | undefined;
    const target = event.over?.data.current as { day: DateValue; month?: boolean; allDay?: boolean } | undefined;
    if (!data || !target) return;
    const { placed: p, kind } = data;
    const timed = !target.month && !target.allDay && mode !== "month";
    const values = kind === "stretch"
      ? resizeDaysValues(spec, p.record, target.day, tz)
      : kind === "resize"
      ? resizeValues(spec, p.record, target.day, snap(p.to + event.delta.y / PX_PER_MINUTE), tz)
      : moveValues(spec, p.record, target.day, timed && !p.allDay ? snap(p.from + event.delta.y / PX_PER_MINUTE) : null, tz);
    if (!values) return;
    void write(p.id, values);
  };
  const create = async (): Promise<void> => {
    if (!creating) return;
    const name = creating.name.trim();
    const titleField = spec.title ?? meta?.rec_name ?? "name";
    try {
      await api.create(model, { ...creating.values, ...(name ? { [titleField]: name } : {}), __context: context });
      setCreating(null);
      await invalidate();
    } catch (error) {
      notifications.show({ color: "red", title: "Not created", message: errorMessage(error) });
    }
  };
  const setSearch = (next: SearchState): void => setParams(writeListState(params, { facets: next.facets }), { state: location.state });
  const fmt = (d: DateValue, o: Intl.DateTimeFormatOptions): string => new Intl.DateTimeFormat(lang, { ...o, timeZone: "UTC" }).format(new Date(Date.UTC(d.y, d.m - 1, d.d)));
  const heading = mode === "month" ? fmt({ ...anchor, d: 15 }, { month: "long", year: "numeric" })
    : mode === "day" ? fmt(anchor, { weekday: "long", day: "numeric", month: "long", year: "numeric" })
    : `${fmt(days[0]!, { day: "numeric", month: "short" })} – ${fmt(days[6]!, { day: "numeric", month: "short", year: "numeric" })}`;
  const grid = { spec, days, placed, today: dayKey(now), lang, draggable: canWrite, onOpen, onSlot, onRange, onDays, onResizeBy };

  return (
    <Stack gap="sm" data-testid="calendar-view" data-tz={tz}>
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Group gap="xs" wrap="wrap">
          <Title order={1} size="h3">{action.name}</Title>
          <Button size="xs" variant="default" onClick={() => go({ date: now })}>Today</Button>
          <ActionIcon variant="default" aria-label="Previous" onClick={() => go({ date: shiftAnchor(mode, anchor, -1) })}><ChevronLeft size={16} /></ActionIcon>
          <ActionIcon variant="default" aria-label="Next" onClick={() => go({ date: shiftAnchor(mode, anchor, 1) })}><ChevronRight size={16} /></ActionIcon>
          <Text fw={600} data-testid="calendar-title">{heading}</Text>
        </Group>
        <SegmentedControl size="xs" aria-label="Calendar range" value={mode} onChange={(m) => go({ mode: m as CalendarMode })}
          data={[{ value: "month", label: "Month" }, { value: "week", label: "Week" }, { value: "day", label: "Day" }]} />
      </Group>
      <SearchBar model={model} action={action.identifier} spec={searchView?.search} fields={searchView?.models[model] ?? view.models[model] ?? {}} state={search} onChange={setSearch} />
      <DndContext sensors={sensors} collisionDetection={pointerWithin} onDragEnd={onDragEnd} onDragStart={() => { lastDrag.current = performance.now(); }}>
        {mode === "month"
          ? <MonthGrid {...grid} anchorMonth={anchor.m} onDay={(d) => go({ mode: "day", date: d })} />
          : <TimeGrid {...grid} />}
      </DndContext>
      <Modal opened={creating !== null} onClose={() => setCreating(null)} title="New event" centered>
        <Stack>
          {creating?.range && <Text size="sm" data-testid="new-event-range">{creating.range}</Text>}
          <TextInput autoFocus label="Name" value={creating?.name ?? ""} onChange={(e) => { const v = e.currentTarget.value; setCreating((c) => (c ? { ...c, name: v } : c)); }}
            onKeyDown={(e) => { if (e.key === "Enter") { e.preventDefault(); void create(); } }} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setCreating(null)}>Cancel</Button>
            <Button onClick={() => void create()}>Create</Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
