// The week/day time grid (hours down, days across, all-day events on top) and the month grid.
// Every day is a drop zone; a click on empty time asks for a quick create at that time, a drag
// on empty time for one over the dragged range.
import { Box, Group, Paper, Stack, Text, UnstyledButton } from "@mantine/core";
import { useDroppable } from "@dnd-kit/core";
import { useEffect, useRef, useState, type PointerEvent, type ReactNode } from "react";
import type { RecordValues } from "../../core/api/shapes";
import type { DateValue } from "../../core/q/dates";
import { clock, DAY_MINUTES, dayKey, snap, type CalendarSpec, type Placed } from "../../core/views/calendar";
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
  /** A drag on empty time: a new record from `from` to `to` minutes of `day`. */
  onRange: (day: DateValue, from: number, to: number) => void;
  /** The keyboard resize of an event (minutes for a timed one, days for an all-day one). */
  onResizeBy: (placed: Placed, step: number) => void;
  onDay?: (day: DateValue) => void;
  anchorMonth?: number;
}

function label(day: DateValue, lang: string, options: Intl.DateTimeFormatOptions): string {
  return new Intl.DateTimeFormat(lang, { ...options, timeZone: "UTC" }).format(new Date(Date.UTC(day.y, day.m - 1, day.d)));
}

interface DayProps { day: DateValue; events: Placed[]; spec: CalendarSpec; draggable: boolean; onOpen: GridProps["onOpen"]; onSlot: GridProps["onSlot"]; onRange: GridProps["onRange"]; onResizeBy: GridProps["onResizeBy"] }

function DayColumn({ day, events, spec, draggable, onOpen, onSlot, onRange, onResizeBy }: DayProps): ReactNode {
  const key = dayKey(day);
  const { setNodeRef, isOver } = useDroppable({ id: `day:${key}`, data: { day } });
  // A press on empty time starts a range: a drag selects it (15-minute steps) and opens the quick
  // create with both ends filled; a press without a drag is a click (an hour from that time).
  const [range, setRange] = useState<{ anchor: number; from: number; to: number; moved: boolean } | null>(null);
  const minutesAt = (e: PointerEvent<HTMLDivElement>): number => (e.clientY - e.currentTarget.getBoundingClientRect().top) / PX_PER_MINUTE;
  const down = (e: PointerEvent<HTMLDivElement>): void => {
    if (e.button !== 0 || e.target !== e.currentTarget) return;
    const at = Math.min(DAY_MINUTES - 15, Math.floor(minutesAt(e) / 15) * 15);
    e.currentTarget.setPointerCapture?.(e.pointerId);
    setRange({ anchor: at, from: at, to: at + 15, moved: false });
  };
  const move = (e: PointerEvent<HTMLDivElement>): void => {
    if (!range) return;
    const at = Math.max(0, Math.min(DAY_MINUTES, minutesAt(e)));
    const from = Math.min(range.anchor, Math.floor(at / 15) * 15);
    const to = Math.max(range.anchor + 15, Math.ceil(at / 15) * 15);
    if (from !== range.from || to !== range.to) setRange({ ...range, from, to, moved: range.moved || to - from > 15 });
  };
  const up = (e: PointerEvent<HTMLDivElement>): void => {
    if (!range) return;
    setRange(null);
    if (range.moved) onRange(day, range.from, range.to);
    else onSlot(day, Math.min(DAY_MINUTES - 60, snap(minutesAt(e) - 15, 30)));
  };
  return (
    <div ref={setNodeRef} data-testid="calendar-day" data-day={key} onPointerDown={down} onPointerMove={move} onPointerUp={up}
      onPointerCancel={() => setRange(null)}
      style={{
        position: "relative", flex: 1, minWidth: 0, height: 24 * HOUR_PX, borderLeft: "1px solid var(--mantine-color-default-border)",
        background: isOver ? "var(--mantine-color-blue-light)" : `repeating-linear-gradient(to bottom, transparent 0, transparent ${HOUR_PX - 1}px, var(--mantine-color-default-border) ${HOUR_PX - 1}px, var(--mantine-color-default-border) ${HOUR_PX}px)`,
      }}>
      {range?.moved && (
        <div data-testid="calendar-selection" aria-hidden style={{
          position: "absolute", left: 1, right: 2, top: range.from * PX_PER_MINUTE, height: (range.to - range.from) * PX_PER_MINUTE, pointerEvents: "none",
          borderRadius: 4, background: "var(--mantine-color-blue-light)", border: "1px solid var(--mantine-color-blue-6)",
        }}>
          <Text size="xs" px={4}>{clock(range.from)} – {clock(range.to)}</Text>
        </div>
      )}
      {events.filter((p) => !p.allDay).map((p) => <Event key={p.id} spec={spec} placed={p} timed pxPerMinute={PX_PER_MINUTE} draggable={draggable} onOpen={onOpen} onResizeBy={onResizeBy} />)}
    </div>
  );
}

function AllDayCell({ day, events, spec, draggable, onOpen, onSlot, onResizeBy }: DayProps): ReactNode {
  const { setNodeRef, isOver } = useDroppable({ id: `allday:${dayKey(day)}`, data: { day, allDay: true } });
  return (
    <div ref={setNodeRef} data-testid="calendar-allday" data-day={dayKey(day)} onClick={() => onSlot(day, null)} style={{ flex: 1, minWidth: 0, minHeight: 24, padding: 2, borderLeft: "1px solid var(--mantine-color-default-border)", background: isOver ? "var(--mantine-color-blue-light)" : undefined }}>
      {events.filter((p) => p.allDay).map((p) => <Event key={p.id} spec={spec} placed={p} timed={false} pxPerMinute={PX_PER_MINUTE} draggable={draggable} onOpen={onOpen} onResizeBy={onResizeBy} />)}
    </div>
  );
}

/** Week and day views. */
export function TimeGrid({ spec, days, placed, today, lang, draggable, onOpen, onSlot, onRange, onResizeBy }: GridProps): ReactNode {
  const scroller = useRef<HTMLDivElement>(null);
  useEffect(() => { scroller.current?.scrollTo({ top: 7 * HOUR_PX }); }, []);
  const hasAllDay = [...placed.values()].some((list) => list.some((p) => p.allDay)) || spec.dateOnly || Boolean(spec.allDay);
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
          {days.map((d) => <AllDayCell key={dayKey(d)} day={d} events={placed.get(dayKey(d)) ?? []} spec={spec} draggable={draggable} onOpen={onOpen} onSlot={onSlot} onRange={onRange} onResizeBy={onResizeBy} />)}
        </Group>
      )}
      <div ref={scroller} style={{ overflowY: "auto", maxHeight: "calc(100vh - 300px)", minHeight: 320 }} data-testid="calendar-scroll">
        <Group gap={0} wrap="nowrap" align="flex-start">
          <Box w={48} style={{ flexShrink: 0 }}>
            {Array.from({ length: 24 }, (_, h) => (
              <Text key={h} size="xs" c="dimmed" ta="right" pr={4} h={HOUR_PX} style={{ transform: "translateY(-7px)" }}>{h ? `${String(h).padStart(2, "0")}:00` : ""}</Text>
            ))}
          </Box>
          {days.map((d) => <DayColumn key={dayKey(d)} day={d} events={placed.get(dayKey(d)) ?? []} spec={spec} draggable={draggable} onOpen={onOpen} onSlot={onSlot} onRange={onRange} onResizeBy={onResizeBy} />)}
        </Group>
      </div>
    </Paper>
  );
}

function MonthCell({ day, events, spec, draggable, onOpen, onSlot, onResizeBy, onDay, outside, isToday }: { day: DateValue; events: Placed[]; spec: CalendarSpec; draggable: boolean; onOpen: GridProps["onOpen"]; onSlot: GridProps["onSlot"]; onResizeBy: GridProps["onResizeBy"]; onDay: ((d: DateValue) => void) | undefined; outside: boolean; isToday: boolean }): ReactNode {
  const { setNodeRef, isOver } = useDroppable({ id: `day:${dayKey(day)}`, data: { day, month: true } });
  const shown = events.slice(0, MONTH_LIMIT);
  return (
    <div ref={setNodeRef} data-testid="calendar-day" data-day={dayKey(day)} onClick={() => onSlot(day, null)}
      style={{ minHeight: 96, padding: 4, borderTop: "1px solid var(--mantine-color-default-border)", borderLeft: "1px solid var(--mantine-color-default-border)", background: isOver ? "var(--mantine-color-blue-light)" : undefined, minWidth: 0 }}>
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
export function MonthGrid({ spec, days, placed, today, lang, draggable, onOpen, onSlot, onResizeBy, onDay, anchorMonth }: GridProps): ReactNode {
  return (
    <Paper withBorder data-testid="calendar-grid" data-mode="month">
      <div style={{ display: "grid", gridTemplateColumns: "repeat(7, minmax(0, 1fr))" }}>
        {days.slice(0, 7).map((d) => <Text key={dayKey(d)} size="sm" fw={500} ta="center" py={4}>{label(d, lang, { weekday: "short" })}</Text>)}
        {days.map((d) => (
          <MonthCell key={dayKey(d)} day={d} events={placed.get(dayKey(d)) ?? []} spec={spec} draggable={draggable} onOpen={onOpen} onSlot={onSlot} onResizeBy={onResizeBy}
            onDay={onDay} outside={d.m !== anchorMonth} isToday={dayKey(d) === today} />
        ))}
      </div>
    </Paper>
  );
}
