// The week/day time grid (hours down, days across, all-day events on top) and the month grid.
// Every day is a drop zone; a click on empty time asks for a quick create at that time.
import { Box, Group, Paper, Stack, Text, UnstyledButton } from "@mantine/core";
import { useDroppable } from "@dnd-kit/core";
import { useEffect, useRef, type MouseEvent, type ReactNode } from "react";
import type { RecordValues } from "../../core/api/shapes";
import type { DateValue } from "../../core/q/dates";
import { DAY_MINUTES, dayKey, snap, type CalendarSpec, type Placed } from "../../core/views/calendar";
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
  onDay?: (day: DateValue) => void;
  anchorMonth?: number;
}

function label(day: DateValue, lang: string, options: Intl.DateTimeFormatOptions): string {
  return new Intl.DateTimeFormat(lang, { ...options, timeZone: "UTC" }).format(new Date(Date.UTC(day.y, day.m - 1, day.d)));
}

function DayColumn({ day, events, spec, draggable, onOpen, onSlot }: { day: DateValue; events: Placed[]; spec: CalendarSpec; draggable: boolean; onOpen: GridProps["onOpen"]; onSlot: GridProps["onSlot"] }): ReactNode {
  const key = dayKey(day);
  const { setNodeRef, isOver } = useDroppable({ id: `day:${key}`, data: { day } });
  const click = (e: MouseEvent<HTMLDivElement>): void => {
    const top = e.currentTarget.getBoundingClientRect().top;
    onSlot(day, Math.min(DAY_MINUTES - 60, snap((e.clientY - top) / PX_PER_MINUTE - 15, 30)));
  };
  return (
    <div ref={setNodeRef} data-testid="calendar-day" data-day={key} onClick={click}
      style={{
        position: "relative", flex: 1, minWidth: 0, height: 24 * HOUR_PX, borderLeft: "1px solid var(--mantine-color-default-border)",
        background: isOver ? "var(--mantine-color-blue-light)" : `repeating-linear-gradient(to bottom, transparent 0, transparent ${HOUR_PX - 1}px, var(--mantine-color-default-border) ${HOUR_PX - 1}px, var(--mantine-color-default-border) ${HOUR_PX}px)`,
      }}>
      {events.filter((p) => !p.allDay).map((p) => <Event key={p.id} spec={spec} placed={p} timed pxPerMinute={PX_PER_MINUTE} draggable={draggable} onOpen={onOpen} />)}
    </div>
  );
}

function AllDayCell({ day, events, spec, draggable, onOpen, onSlot }: { day: DateValue; events: Placed[]; spec: CalendarSpec; draggable: boolean; onOpen: GridProps["onOpen"]; onSlot: GridProps["onSlot"] }): ReactNode {
  const { setNodeRef, isOver } = useDroppable({ id: `allday:${dayKey(day)}`, data: { day, allDay: true } });
  return (
    <div ref={setNodeRef} onClick={() => onSlot(day, null)} style={{ flex: 1, minWidth: 0, minHeight: 24, padding: 2, borderLeft: "1px solid var(--mantine-color-default-border)", background: isOver ? "var(--mantine-color-blue-light)" : undefined }}>
      {events.filter((p) => p.allDay).map((p) => <Event key={p.id} spec={spec} placed={p} timed={false} pxPerMinute={PX_PER_MINUTE} draggable={draggable} onOpen={onOpen} />)}
    </div>
  );
}

/** Week and day views. */
export function TimeGrid({ spec, days, placed, today, lang, draggable, onOpen, onSlot }: GridProps): ReactNode {
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
          {days.map((d) => <AllDayCell key={dayKey(d)} day={d} events={placed.get(dayKey(d)) ?? []} spec={spec} draggable={draggable} onOpen={onOpen} onSlot={onSlot} />)}
        </Group>
      )}
      <div ref={scroller} style={{ overflowY: "auto", maxHeight: "calc(100vh - 300px)", minHeight: 320 }} data-testid="calendar-scroll">
        <Group gap={0} wrap="nowrap" align="flex-start">
          <Box w={48} style={{ flexShrink: 0 }}>
            {Array.from({ length: 24 }, (_, h) => (
              <Text key={h} size="xs" c="dimmed" ta="right" pr={4} h={HOUR_PX} style={{ transform: "translateY(-7px)" }}>{h ? `${String(h).padStart(2, "0")}:00` : ""}</Text>
            ))}
          </Box>
          {days.map((d) => <DayColumn key={dayKey(d)} day={d} events={placed.get(dayKey(d)) ?? []} spec={spec} draggable={draggable} onOpen={onOpen} onSlot={onSlot} />)}
        </Group>
      </div>
    </Paper>
  );
}

function MonthCell({ day, events, spec, draggable, onOpen, onSlot, onDay, outside, isToday }: { day: DateValue; events: Placed[]; spec: CalendarSpec; draggable: boolean; onOpen: GridProps["onOpen"]; onSlot: GridProps["onSlot"]; onDay: ((d: DateValue) => void) | undefined; outside: boolean; isToday: boolean }): ReactNode {
  const { setNodeRef, isOver } = useDroppable({ id: `day:${dayKey(day)}`, data: { day, month: true } });
  const shown = events.slice(0, MONTH_LIMIT);
  return (
    <div ref={setNodeRef} data-testid="calendar-day" data-day={dayKey(day)} onClick={() => onSlot(day, null)}
      style={{ minHeight: 96, padding: 4, borderTop: "1px solid var(--mantine-color-default-border)", borderLeft: "1px solid var(--mantine-color-default-border)", background: isOver ? "var(--mantine-color-blue-light)" : undefined, minWidth: 0 }}>
      <Text size="xs" fw={isToday ? 700 : outside ? 400 : 600} c={isToday ? "blue" : outside ? "dimmed" : undefined}>{day.d}</Text>
      <Stack gap={0}>
        {shown.map((p) => <Event key={p.id} spec={spec} placed={p} timed={false} pxPerMinute={PX_PER_MINUTE} draggable={draggable} onOpen={onOpen} />)}
      </Stack>
      {events.length > MONTH_LIMIT && (
        <UnstyledButton onClick={(e) => { e.stopPropagation(); onDay?.(day); }}><Text size="xs" c="blue">+{events.length - MONTH_LIMIT} more</Text></UnstyledButton>
      )}
    </div>
  );
}

/** The month view: six weeks, Monday first. */
export function MonthGrid({ spec, days, placed, today, lang, draggable, onOpen, onSlot, onDay, anchorMonth }: GridProps): ReactNode {
  return (
    <Paper withBorder data-testid="calendar-grid" data-mode="month">
      <div style={{ display: "grid", gridTemplateColumns: "repeat(7, minmax(0, 1fr))" }}>
        {days.slice(0, 7).map((d) => <Text key={dayKey(d)} size="sm" fw={500} ta="center" py={4}>{label(d, lang, { weekday: "short" })}</Text>)}
        {days.map((d) => (
          <MonthCell key={dayKey(d)} day={d} events={placed.get(dayKey(d)) ?? []} spec={spec} draggable={draggable} onOpen={onOpen} onSlot={onSlot}
            onDay={onDay} outside={d.m !== anchorMonth} isToday={dayKey(d) === today} />
        ))}
      </div>
    </Paper>
  );
}
