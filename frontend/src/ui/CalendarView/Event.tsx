// One event on the calendar: coloured by the arch's color field, draggable to reschedule, with
// a bottom handle to resize (timed views); a click opens the record.
import { Text } from "@mantine/core";
import { useDraggable } from "@dnd-kit/core";
import type { CSSProperties, ReactNode } from "react";
import type { RecordValues } from "../../core/api/shapes";
import { clock, type CalendarSpec, type Placed } from "../../core/views/calendar";
import { colorOf } from "../../core/views/kanban";

export function titleOf(spec: CalendarSpec, record: RecordValues): string {
  const v = spec.title ? record[spec.title] : null;
  if (v && typeof v === "object" && "display_name" in v) return String((v as { display_name: unknown }).display_name ?? "");
  return String(v ?? record.display_name ?? `#${String(record.id)}`);
}

interface Props {
  spec: CalendarSpec;
  placed: Placed;
  /** Timed views place the event by its minutes; the month view lists it. */
  timed: boolean;
  pxPerMinute: number;
  draggable: boolean;
  onOpen: (record: RecordValues) => void;
}

export function Event({ spec, placed, timed, pxPerMinute, draggable, onOpen }: Props): ReactNode {
  const id = `${placed.id}:${placed.day}`;
  const move = useDraggable({ id: `event:${id}`, data: { placed, kind: "move" }, disabled: !draggable });
  const resize = useDraggable({ id: `resize:${id}`, data: { placed, kind: "resize" }, disabled: !draggable || !timed || !spec.stop || placed.continues });
  const color = (spec.color ? colorOf(placed.record[spec.color]) : null) ?? "blue";
  const title = titleOf(spec, placed.record);
  const dy = resize.transform?.y ?? 0;
  const style: CSSProperties = timed && !placed.allDay
    ? {
      position: "absolute", top: placed.from * pxPerMinute, height: Math.max(18, (placed.to - placed.from) * pxPerMinute + dy),
      left: `calc(${(placed.lane / placed.lanes) * 100}% + 1px)`, width: `calc(${100 / placed.lanes}% - 3px)`,
    }
    : { position: "relative" };
  const moving = move.transform ? { transform: `translate3d(${move.transform.x}px, ${move.transform.y}px, 0)`, zIndex: 5, opacity: 0.85 } : {};
  return (
    <div ref={move.setNodeRef} {...move.attributes} {...move.listeners} role="button" data-testid="calendar-event" data-id={placed.id}
      aria-label={`${title}${placed.allDay ? "" : `, ${clock(placed.from)} to ${clock(placed.to)}`}`}
      onClick={(e) => { e.stopPropagation(); onOpen(placed.record); }}
      style={{
        ...style, ...moving, overflow: "hidden", borderRadius: 4, padding: "1px 4px", cursor: draggable ? "grab" : "pointer", boxSizing: "border-box",
        background: `var(--mantine-color-${color}-light)`, borderLeft: `3px solid var(--mantine-color-${color}-6)`, marginBottom: timed ? 0 : 2,
      }}>
      <Text size="xs" fw={600} lh={1.2} truncate>
        {!placed.allDay && !placed.continued && <span>{clock(placed.from)} </span>}{title}
      </Text>
      {timed && !placed.allDay && spec.stop && (
        // Resizing is for the pointer (the keyboard reschedules from the form): no second control inside the event.
        <div ref={resize.setNodeRef} {...resize.listeners} aria-hidden data-testid="calendar-resize"
          onClick={(e) => e.stopPropagation()}
          onPointerDown={(e) => { e.stopPropagation(); resize.listeners?.onPointerDown?.(e); }}
          style={{ position: "absolute", left: 0, right: 0, bottom: 0, height: 6, cursor: "ns-resize" }} />
      )}
    </div>
  );
}
