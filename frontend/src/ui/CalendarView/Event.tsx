// One event on the calendar: coloured by the arch's color field, draggable to reschedule, with
// a bottom handle to resize (timed views), a right-edge handle to stretch an all-day event over
// days, Shift+arrows to resize from the keyboard; a click or Enter opens the record.
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
  /** Shift+Down/Up (timed: 15 minutes) and Shift+Right/Left (all day: a day) resize from the keyboard. */
  onResizeBy: (placed: Placed, step: number) => void;
}

/** The step of a keyboard resize, or null when the key is not one. */
function keyStep(key: string, allDay: boolean): number | null {
  if (allDay) return key === "ArrowRight" ? 1 : key === "ArrowLeft" ? -1 : null;
  return key === "ArrowDown" ? 15 : key === "ArrowUp" ? -15 : null;
}

export function Event({ spec, placed, timed, pxPerMinute, draggable, onOpen, onResizeBy }: Props): ReactNode {
  const id = `${placed.id}:${placed.day}`;
  const move = useDraggable({ id: `event:${id}`, data: { placed, kind: "move" }, disabled: !draggable });
  const resize = useDraggable({ id: `resize:${id}`, data: { placed, kind: "resize" }, disabled: !draggable || !timed || !spec.stop || placed.continues });
  // An all-day event (week's all-day row, month) stretches over days from a handle on its right edge.
  const stretch = useDraggable({ id: `stretch:${id}`, data: { placed, kind: "stretch" }, disabled: !draggable || !placed.allDay || !spec.stop || placed.continues });
  const resizable = draggable && Boolean(spec.stop) && (placed.allDay || timed);
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
      aria-keyshortcuts={resizable ? (placed.allDay ? "Shift+ArrowRight Shift+ArrowLeft" : "Shift+ArrowDown Shift+ArrowUp") : undefined}
      onClick={(e) => { e.stopPropagation(); onOpen(placed.record); }}
      onKeyDown={(e) => {
        if (e.key === "Enter") { e.preventDefault(); onOpen(placed.record); return; }
        const step = e.shiftKey && resizable ? keyStep(e.key, placed.allDay) : null;
        if (step !== null) { e.preventDefault(); onResizeBy(placed, step); }
      }}
      style={{
        ...style, ...moving, overflow: "hidden", borderRadius: 4, padding: "1px 4px", cursor: draggable ? "grab" : "pointer", boxSizing: "border-box",
        background: `var(--mantine-color-${color}-light)`, borderLeft: `3px solid var(--mantine-color-${color}-6)`, marginBottom: timed ? 0 : 2,
      }}>
      <Text size="xs" fw={600} lh={1.2} truncate>
        {!placed.allDay && !placed.continued && <span>{clock(placed.from)} </span>}{title}
      </Text>
      {timed && !placed.allDay && spec.stop && (
        // The pointer's resize handle (the keyboard resizes with Shift+arrows on the event): no second focusable control.
        <div ref={resize.setNodeRef} {...resize.listeners} aria-hidden data-testid="calendar-resize"
          onClick={(e) => e.stopPropagation()}
          onPointerDown={(e) => { e.stopPropagation(); resize.listeners?.onPointerDown?.(e); }}
          style={{ position: "absolute", left: 0, right: 0, bottom: 0, height: 6, cursor: "ns-resize" }} />
      )}
      {placed.allDay && spec.stop && draggable && !placed.continues && (
        <div ref={stretch.setNodeRef} {...stretch.listeners} aria-hidden data-testid="calendar-stretch"
          onClick={(e) => e.stopPropagation()}
          onPointerDown={(e) => { e.stopPropagation(); stretch.listeners?.onPointerDown?.(e); }}
          style={{ position: "absolute", top: 0, bottom: 0, right: 0, width: 6, cursor: "ew-resize" }} />
      )}
    </div>
  );
}
