// The week/day time grid (hours down, days across, all-day events on top) and the month grid.
// Every day is a drop zone; a click on empty time asks for a quick create at that time, a drag
// on empty time for one over the dragged range (across days too), a drag over the month's days or
// the all-day row for one over those days.
import { Box, Group, Paper, Stack, Text, UnstyledButton } from "@mantine/core";
import { useDroppable } from "@dnd-kit/core";
import { useEffect, useRef, useState, type JSX, type PointerEvent, type ReactNode } from "react";
import type { RecordValues } from "../../core/api/shapes";
import { epochDay, fromEpochDay, type DateValue } from "../../core/q/dates";
import { clock, DAY_MINUTES, dayKey, dragRange, gridPoint, parseDay, snap, type CalendarSpec, type GridPoint, type Placed } from "../../core/views/calendar";
import { Event } from "./Event";

export const HOUR_PX = 40;
export const PX_PER_MINUTE = HOUR_PX / 60;
const MONTH_LIMIT = 4;

interface GridProps {
  spec: CalendarSpec;
  days: DateValue[];
  placed: Map<string, Placed[]>;
  today: string;
  lang: string;
  draggable: boolean;
  onOpen: (record: RecordValues) => void;
  onSlot: (day: DateValue, minutes: number | null) => void;
  /** A drag on empty time: a new record from `from` minutes of `day` to `to` minutes of `endDay`. */
  onRange: (day: DateValue, from: number, to: number, endDay: DateValue) => void;
  /** A drag over whole days (month, all-day row): a new record from `first` to `last`. */
  onDays: (first: DateValue, last: DateValue) => void;
  /** The keyboard resize of an event (minutes for a timed one, days for an all-day one). */
  onResizeBy: (placed: Placed, step: number) => void;
  onDay?: (day: DateValue) => void;
  anchorMonth?: number;
}

function label(day: DateValue, lang: string, options: Intl.DateTimeFormatOptions): string {
  return new Intl.DateTimeFormat(lang, { ...options, timeZone: "UTC" }).format(new Date(Date.UTC(day.y, day.m - 1, day.d)));
}

/** What a drag on empty time or over days has selected so far (minutes or days since 1970-01-01). */
interface Selection { anchor: number; from: number; to: number; moved: boolean }

/** The grid cell of `testid` under the pointer (captured pointers still hit-test where they are). */
function cellAt(e: PointerEvent, testid: string): HTMLElement | null {
  return (document.elementsFromPoint(e.clientX, e.clientY).find((el) => el instanceof HTMLElement && el.dataset.testid === testid) as HTMLElement | undefined) ?? null;
}

/** A press on empty space, not on an event, its handles or a button. */
function onEmpty(e: PointerEvent<HTMLElement>): boolean {
  return e.button === 0 && !(e.target as HTMLElement).closest("[data-testid=calendar-event], button");
}

/**
 * A drag over whole days (the month's cells, the week's all-day row): a press on a day's empty
 * space and a move over other days of the same row or grid selects them; releasing asks for a
 * record over those days, a release on the day pressed is a click on it.
 */
function useDaysDrag(testid: string, onDays: GridProps["onDays"], onSlot: GridProps["onSlot"]) {
  const [selection, setSelection] = useState<Selection | null>(null);
  const dayOf = (el: HTMLElement | null): number | null => {
    const parsed = el?.dataset.day ? parseDay(el.dataset.day) : null;
    return parsed ? epochDay(parsed) : null;
  };
  const handlers = (day: DateValue) => ({
    onPointerDown: (e: PointerEvent<HTMLDivElement>): void => {
      if (!onEmpty(e)) return;
      e.currentTarget.setPointerCapture?.(e.pointerId);
      const at = epochDay(day);
      setSelection({ anchor: at, from: at, to: at, moved: false });
    },
    onPointerMove: (e: PointerEvent<HTMLDivElement>): void => {
      if (!selection) return;
      const at = dayOf(cellAt(e, testid));
      if (at === null) return;
      const from = Math.min(selection.anchor, at);
      const to = Math.max(selection.anchor, at);
      if (from !== selection.from || to !== selection.to) setSelection({ ...selection, from, to, moved: selection.moved || from !== to });
    },
    onPointerUp: (): void => {
      if (!selection) return;
      setSelection(null);
      if (selection.moved && selection.from !== selection.to) onDays(fromEpochDay(selection.from), fromEpochDay(selection.to));
      else onSlot(day, null);
    },
    onPointerCancel: (): void => setSelection(null),
  });
  const selected = (day: DateValue): boolean => Boolean(selection?.moved && selection.from <= epochDay(day) && epochDay(day) <= selection.to);
  return { handlers, selected };
}

interface DayProps {
  day: DateValue; events: Placed[]; spec: CalendarSpec; draggable: boolean; onOpen: GridProps["onOpen"]; onResizeBy: GridProps["onResizeBy"];
  /** This day's part of the range being dragged (minutes of the day) and its label on the first part. */
  part: { from: number; to: number; label: string | null } | null;
  handlers: Pick<JSX.IntrinsicElements["div"], "onPointerDown" | "onPointerMove" | "onPointerUp" | "onPointerCancel">;
}

function DayColumn({ day, events, spec, draggable, onOpen, onResizeBy, part, handlers }: DayProps): ReactNode {
  const key = dayKey(day);
  const { setNodeRef, isOver } = useDroppable({ id: `day:${key}`, data: { day } });
  return (
    <div ref={setNodeRef} data-testid="calendar-day" data-day={key} {...handlers}
      style={{
        position: "relative", flex: 1, minWidth: 0, height: 24 * HOUR_PX, borderLeft: "1px solid var(--mantine-color-default-border)",
        background: isOver ? "var(--mantine-color-blue-light)" : `repeating-linear-gradient(to bottom, transparent 0, transparent ${HOUR_PX - 1}px, var(--mantine-color-default-border) ${HOUR_PX - 1}px, var(--mantine-color-default-border) ${HOUR_PX}px)`,
      }}>
      {part && (
        <div data-testid="calendar-selection" aria-hidden style={{
          position: "absolute", left: 1, right: 2, top: part.from * PX_PER_MINUTE, height: (part.to - part.from) * PX_PER_MINUTE, pointerEvents: "none",
          borderRadius: 4, background: "var(--mantine-color-blue-light)", border: "1px solid var(--mantine-color-blue-6)",
        }}>
          {part.label && <Text size="xs" px={4}>{part.label}</Text>}
        </div>
      )}
      {events.filter((p) => !p.allDay).map((p) => <Event key={p.id} spec={spec} placed={p} timed pxPerMinute={PX_PER_MINUTE} draggable={draggable} onOpen={onOpen} onResizeBy={onResizeBy} />)}
    </div>
  );
}

function AllDayCell({ day, events, spec, draggable, onOpen, onResizeBy, selected, handlers }: Omit<DayProps, "part"> & { selected: boolean }): ReactNode {
  const { setNodeRef, isOver } = useDroppable({ id: `allday:${dayKey(day)}`, data: { day, allDay: true } });
  return (
    <div ref={setNodeRef} data-testid="calendar-allday" data-day={dayKey(day)} data-selected={selected || undefined} {...handlers}
      style={{ flex: 1, minWidth: 0, minHeight: 24, padding: 2, borderLeft: "1px solid var(--mantine-color-default-border)", background: isOver || selected ? "var(--mantine-color-blue-light)" : undefined }}>
      {events.filter((p) => p.allDay).map((p) => <Event key={p.id} spec={spec} placed={p} timed={false} pxPerMinute={PX_PER_MINUTE} draggable={draggable} onOpen={onOpen} onResizeBy={onResizeBy} />)}
    </div>
  );
}

/** Week and day views. */
export function TimeGrid({ spec, days, placed, today, lang, draggable, onOpen, onSlot, onRange, onDays, onResizeBy }: GridProps): ReactNode {
  const scroller = useRef<HTMLDivElement>(null);
  useEffect(() => { scroller.current?.scrollTo({ top: 7 * HOUR_PX }); }, []);
  const hasAllDay = [...placed.values()].some((list) => list.some((p) => p.allDay)) || spec.dateOnly || Boolean(spec.allDay);
  const allDay = useDaysDrag("calendar-allday", onDays, onSlot);
  // A press on empty time starts a range: a drag selects it in 15-minute steps, across days too,
  // and opens the quick create with both ends filled; a press without a drag is a click (an hour
  // from that time).
  const [range, setRange] = useState<Selection | null>(null);
  const pointAt = (e: PointerEvent, column: HTMLElement): GridPoint | null => {
    const day = parseDay(column.dataset.day);
    return day ? { day, minutes: (e.clientY - column.getBoundingClientRect().top) / PX_PER_MINUTE } : null;
  };
  const timeHandlers = (day: DateValue): DayProps["handlers"] => ({
    onPointerDown: (e) => {
      if (e.button !== 0 || e.target !== e.currentTarget) return;
      const at = pointAt(e, e.currentTarget);
      if (!at) return;
      e.currentTarget.setPointerCapture?.(e.pointerId);
      const start = Math.min(DAY_MINUTES - 15, Math.floor(at.minutes / 15) * 15);
      const { from, to } = dragRange({ day, minutes: start }, { day, minutes: start });
      setRange({ anchor: epochDay(day) * DAY_MINUTES + start, from, to, moved: false });
    },
    onPointerMove: (e) => {
      if (!range) return;
      const column = cellAt(e, "calendar-day");
      const at = column ? pointAt(e, column) : null;
      if (!at) return;
      const anchor = gridPoint(range.anchor, false);
      const { from, to } = dragRange(anchor, at);
      if (from !== range.from || to !== range.to) setRange({ ...range, from, to, moved: range.moved || to - from > 15 });
    },
    onPointerUp: (e) => {
      if (!range) return;
      setRange(null);
      const first = gridPoint(range.from, false);
      const last = gridPoint(range.to, true);
      if (range.moved) onRange(first.day, first.minutes, last.minutes, last.day);
      else {
        const at = pointAt(e, e.currentTarget);
        onSlot(day, Math.min(DAY_MINUTES - 60, snap((at?.minutes ?? 0) - 15, 30)));
      }
    },
    onPointerCancel: () => setRange(null),
  });
  const partOf = (day: DateValue): DayProps["part"] => {
    if (!range?.moved) return null;
    const begin = epochDay(day) * DAY_MINUTES;
    const from = Math.max(range.from, begin);
    const to = Math.min(range.to, begin + DAY_MINUTES);
    if (from >= to) return null;
    const first = gridPoint(range.from, false);
    const last = gridPoint(range.to, true);
    const sameDay = dayKey(first.day) === dayKey(last.day);
    const text = from === range.from
      ? sameDay ? `${clock(first.minutes)} – ${clock(last.minutes)}` : `${clock(first.minutes)} – ${label(last.day, lang, { weekday: "short" })} ${clock(last.minutes)}`
      : null;
    return { from: from - begin, to: to - begin, label: text };
  };
  return (
    <Paper withBorder data-testid="calendar-grid" data-mode={days.length === 1 ? "day" : "week"}>
      <Group gap={0} wrap="nowrap" pl={48} style={{ borderBottom: "1px solid var(--mantine-color-default-border)" }}>
        {days.map((d) => (
          <Text key={dayKey(d)} size="sm" ta="center" fw={dayKey(d) === today ? 700 : 500} c={dayKey(d) === today ? "blue" : undefined} style={{ flex: 1 }} py={4}>
            {label(d, lang, { weekday: "short", day: "numeric", month: days.length === 1 ? "long" : "short" })}
          </Text>
        ))}
      </Group>
      {hasAllDay && (
        <Group gap={0} wrap="nowrap" align="stretch" style={{ borderBottom: "1px solid var(--mantine-color-default-border)" }}>
          <Text size="xs" c="dimmed" w={48} ta="right" pr={4} pt={4}>all day</Text>
          {days.map((d) => <AllDayCell key={dayKey(d)} day={d} events={placed.get(dayKey(d)) ?? []} spec={spec} draggable={draggable} onOpen={onOpen} onResizeBy={onResizeBy}
            selected={allDay.selected(d)} handlers={allDay.handlers(d)} />)}
        </Group>
      )}
      <div ref={scroller} style={{ overflowY: "auto", maxHeight: "calc(100vh - 300px)", minHeight: 320 }} data-testid="calendar-scroll">
        <Group gap={0} wrap="nowrap" align="flex-start">
          <Box w={48} style={{ flexShrink: 0 }}>
            {Array.from({ length: 24 }, (_, h) => (
              <Text key={h} size="xs" c="dimmed" ta="right" pr={4} h={HOUR_PX} style={{ transform: "translateY(-7px)" }}>{h ? `${String(h).padStart(2, "0")}:00` : ""}</Text>
            ))}
          </Box>
          {days.map((d) => <DayColumn key={dayKey(d)} day={d} events={placed.get(dayKey(d)) ?? []} spec={spec} draggable={draggable} onOpen={onOpen} onResizeBy={onResizeBy}
            part={partOf(d)} handlers={timeHandlers(d)} />)}
        </Group>
      </div>
    </Paper>
  );
}

interface MonthCellProps {
  day: DateValue; events: Placed[]; spec: CalendarSpec; draggable: boolean; onOpen: GridProps["onOpen"]; onResizeBy: GridProps["onResizeBy"];
  onDay: ((d: DateValue) => void) | undefined; outside: boolean; isToday: boolean; selected: boolean; handlers: DayProps["handlers"];
}

function MonthCell({ day, events, spec, draggable, onOpen, onResizeBy, onDay, outside, isToday, selected, handlers }: MonthCellProps): ReactNode {
  const { setNodeRef, isOver } = useDroppable({ id: `day:${dayKey(day)}`, data: { day, month: true } });
  const shown = events.slice(0, MONTH_LIMIT);
  return (
    <div ref={setNodeRef} data-testid="calendar-day" data-day={dayKey(day)} data-selected={selected || undefined} {...handlers}
      style={{ minHeight: 96, padding: 4, borderTop: "1px solid var(--mantine-color-default-border)", borderLeft: "1px solid var(--mantine-color-default-border)", background: isOver || selected ? "var(--mantine-color-blue-light)" : undefined, minWidth: 0 }}>
      <Text size="xs" fw={isToday ? 700 : outside ? 400 : 600} c={isToday ? "blue" : outside ? "dimmed" : undefined}>{day.d}</Text>
      <Stack gap={0}>
        {shown.map((p) => <Event key={p.id} spec={spec} placed={p} timed={false} pxPerMinute={PX_PER_MINUTE} draggable={draggable} onOpen={onOpen} onResizeBy={onResizeBy} />)}
      </Stack>
      {events.length > MONTH_LIMIT && (
        <UnstyledButton onClick={(e) => { e.stopPropagation(); onDay?.(day); }}><Text size="xs" c="blue">+{events.length - MONTH_LIMIT} more</Text></UnstyledButton>
      )}
    </div>
  );
}

/** The month view: six weeks, Monday first. */
export function MonthGrid({ spec, days, placed, today, lang, draggable, onOpen, onSlot, onDays, onResizeBy, onDay, anchorMonth }: GridProps): ReactNode {
  const drag = useDaysDrag("calendar-day", onDays, onSlot);
  return (
    <Paper withBorder data-testid="calendar-grid" data-mode="month">
      <div style={{ display: "grid", gridTemplateColumns: "repeat(7, minmax(0, 1fr))" }}>
        {days.slice(0, 7).map((d) => <Text key={dayKey(d)} size="sm" fw={500} ta="center" py={4}>{label(d, lang, { weekday: "short" })}</Text>)}
        {days.map((d) => (
          <MonthCell key={dayKey(d)} day={d} events={placed.get(dayKey(d)) ?? []} spec={spec} draggable={draggable} onOpen={onOpen} onResizeBy={onResizeBy}
            onDay={onDay} outside={d.m !== anchorMonth} isToday={dayKey(d) === today} selected={drag.selected(d)} handlers={drag.handlers(d)} />
        ))}
      </div>
    </Paper>
  );
}
