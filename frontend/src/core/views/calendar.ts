/**
 * The Calendar's data (views.md 7.3, web-client.md 3): which fields the arch maps (`start`,
 * `stop`, `all_day`, `title`, `color`), the days a month, week or day shows (weeks start on
 * Monday), the filter of that range, where each record sits (in the user's time zone, by wall
 * clock, so 09:00 stays at 09:00 on both sides of a daylight-saving change), and the values a
 * move, a resize or a quick create writes (instants back in UTC, with `updated_date`).
 */
import type { FieldMeta, RecordValues, ViewDef } from "../api/shapes";
import { epochDay, fromEpochDay, parseIso, toLocal, wallToInstant, type DateValue } from "../q/dates";
import type { QNode } from "../q";

export type CalendarMode = "month" | "week" | "day";
export const MODES: CalendarMode[] = ["month", "week", "day"];
const DAY_US = 86_400_000_000;
const MINUTE_US = 60_000_000;
export const DAY_MINUTES = 1440;

export interface CalendarSpec {
  model: string;
  start: string;
  stop: string | null;
  allDay: string | null;
  title: string | null;
  color: string | null;
  /** The start field is a Date: events are whole days. */
  dateOnly: boolean;
  defaultMode: CalendarMode;
  /** Other field nodes, shown in the event's popover. */
  details: string[];
  fields: string[];
}

export function calendarSpec(view: ViewDef): CalendarSpec {
  const block = view.arch[0] ?? {};
  const fields = view.models[view.model] ?? {};
  const role = (mode: string): string | null => (block.content ?? []).find((n) => n.type === "field" && n.display_mode === mode)?.name ?? null;
  const start = role("start") ?? "";
  const mapped = new Set(["start", "stop", "all_day", "title", "color"].map(role).filter((n): n is string => Boolean(n)));
  const details = (block.content ?? []).filter((n) => n.type === "field" && n.name && !mapped.has(n.name)).map((n) => n.name!);
  const mode = block.default_mode;
  const spec = {
    model: view.model, start, stop: role("stop"), allDay: role("all_day"), title: role("title"), color: role("color"),
    dateOnly: (fields[start] as FieldMeta | undefined)?.type === "Date",
    defaultMode: (MODES as string[]).includes(String(mode)) ? (mode as CalendarMode) : "month",
    details,
  };
  const wanted = new Set<string>(["display_name", "updated_date", ...mapped, ...details]);
  return { ...spec, fields: [...wanted] };
}

export function dayKey(d: DateValue): string {
  return `${String(d.y).padStart(4, "0")}-${String(d.m).padStart(2, "0")}-${String(d.d).padStart(2, "0")}`;
}

export function parseDay(text: string | null | undefined): DateValue | null {
  const m = text ? parseIso(text) : null;
  return m && m.kind === "date" ? m : null;
}

/** Today in `tz`. */
export function today(tz: string, nowMs = Date.now()): DateValue {
  return toLocal(nowMs * 1000, tz).date;
}

function addDays(d: DateValue, n: number): DateValue {
  return fromEpochDay(epochDay(d) + n);
}

function monday(d: DateValue): DateValue {
  const weekday = (epochDay(d) + 3) % 7; // 1970-01-01 was a Thursday; 0 = Monday
  return addDays(d, -((weekday + 7) % 7));
}

/** The days on screen: six weeks around a month, a Monday-to-Sunday week, or one day. */
export function visibleDays(mode: CalendarMode, anchor: DateValue): DateValue[] {
  if (mode === "day") return [anchor];
  if (mode === "week") return Array.from({ length: 7 }, (_, i) => addDays(monday(anchor), i));
  const first = monday({ kind: "date", y: anchor.y, m: anchor.m, d: 1 });
  return Array.from({ length: 42 }, (_, i) => addDays(first, i));
}

/** The anchor `n` months, weeks or days away. */
export function shiftAnchor(mode: CalendarMode, anchor: DateValue, n: number): DateValue {
  if (mode === "day") return addDays(anchor, n);
  if (mode === "week") return addDays(anchor, 7 * n);
  const month = anchor.y * 12 + (anchor.m - 1) + n;
  return { kind: "date", y: Math.floor(month / 12), m: (month % 12) + 1, d: 1 };
}

function isoInstant(us: number): string {
  return new Date(Math.round(us / 1000)).toISOString();
}

/** The instant of `minutes` past local midnight of `day` in `tz`. */
export function instantAt(day: DateValue, minutes: number, tz: string): number {
  return wallToInstant(epochDay(day) * DAY_US + minutes * MINUTE_US, tz);
}

/** The records of the days on screen: those starting before the last day ends and ending after the first begins. */
export function rangeFilter(spec: CalendarSpec, days: DateValue[], tz: string): QNode {
  const first = days[0]!;
  const after = addDays(days[days.length - 1]!, 1);
  const lo = spec.dateOnly ? dayKey(first) : isoInstant(instantAt(first, 0, tz));
  const hi = spec.dateOnly ? dayKey(after) : isoInstant(instantAt(after, 0, tz));
  const starts: QNode = { path: spec.start, lookup: "lt", value: hi };
  if (!spec.stop) return { and: [{ path: spec.start, lookup: "gte", value: lo }, starts] };
  return {
    and: [starts, { or: [{ path: spec.stop, lookup: "gte", value: lo }, { and: [{ path: spec.stop, lookup: "isnull", value: true }, { path: spec.start, lookup: "gte", value: lo }] }] }],
  };
}

export interface Placed {
  record: RecordValues;
  id: number;
  day: string;
  /** Wall-clock minutes past local midnight where the event starts and ends on this day. */
  from: number;
  to: number;
  allDay: boolean;
  /** The event began on an earlier day / goes on after this one. */
  continued: boolean;
  continues: boolean;
  /** Lane and lane count among overlapping events of the day (week and day views). */
  lane: number;
  lanes: number;
}

interface Span { startWall: number; endWall: number; allDay: boolean }

/** An event's start and end as wall-clock microseconds in `tz` (dates: whole days). */
export function spanOf(spec: CalendarSpec, record: RecordValues, tz: string): Span | null {
  const start = typeof record[spec.start] === "string" ? parseIso(record[spec.start] as string) : null;
  if (!start) return null;
  const stopValue = spec.stop && typeof record[spec.stop] === "string" ? parseIso(record[spec.stop] as string) : null;
  const wall = (m: NonNullable<typeof start>): number => (m.kind === "date" ? epochDay(m) * DAY_US : m.naive ? m.us : toLocal(m.us, tz).wall);
  const allDay = start.kind === "date" || Boolean(spec.allDay && record[spec.allDay]);
  const startWall = wall(start);
  let endWall = stopValue ? wall(stopValue) : startWall + (allDay ? DAY_US : 60 * MINUTE_US);
  if (stopValue?.kind === "date") endWall += DAY_US; // a date stop is the last day, inclusive
  if (endWall <= startWall) endWall = startWall + (allDay ? DAY_US : 30 * MINUTE_US);
  return { startWall, endWall, allDay };
}

/** Each event on each day it covers, with overlapping timed events given lanes. */
export function placeEvents(spec: CalendarSpec, records: RecordValues[], days: DateValue[], tz: string): Map<string, Placed[]> {
  const out = new Map<string, Placed[]>(days.map((d) => [dayKey(d), []]));
  for (const record of records) {
    const span = spanOf(spec, record, tz);
    if (!span) continue;
    for (const day of days) {
      const dayStart = epochDay(day) * DAY_US;
      const dayEnd = dayStart + DAY_US;
      if (span.endWall <= dayStart || span.startWall >= dayEnd) continue;
      const from = Math.max(0, Math.round((span.startWall - dayStart) / MINUTE_US));
      const to = Math.min(DAY_MINUTES, Math.round((span.endWall - dayStart) / MINUTE_US));
      out.get(dayKey(day))!.push({
        record, id: Number(record.id), day: dayKey(day), from, to, allDay: span.allDay,
        continued: span.startWall < dayStart, continues: span.endWall > dayEnd, lane: 0, lanes: 1,
      });
    }
  }
  for (const list of out.values()) {
    list.sort((a, b) => a.from - b.from || b.to - a.to || a.id - b.id);
    // Greedy lanes over clusters of overlapping timed events.
    let cluster: Placed[] = [];
    let clusterEnd = -1;
    const close = (): void => { const n = Math.max(1, ...cluster.map((p) => p.lane + 1)); cluster.forEach((p) => { p.lanes = n; }); };
    for (const p of list) {
      if (p.allDay) continue;
      if (p.from >= clusterEnd && cluster.length) { close(); cluster = []; }
      const ends: number[] = [];
      for (const q of cluster) ends[q.lane] = Math.max(ends[q.lane] ?? -1, q.to);
      let lane = 0;
      while (ends[lane] !== undefined && ends[lane]! > p.from) lane++;
      p.lane = lane;
      cluster.push(p);
      clusterEnd = Math.max(clusterEnd, p.to);
    }
    if (cluster.length) close();
  }
  return out;
}

function write(spec: CalendarSpec, startUs: number, stopUs: number | null, record: RecordValues | null): RecordValues {
  const values: RecordValues = { [spec.start]: isoInstant(startUs) };
  if (spec.stop && stopUs !== null) values[spec.stop] = isoInstant(stopUs);
  if (record) values.updated_date = record.updated_date;
  return values;
}

function dayWrite(spec: CalendarSpec, first: DateValue, last: DateValue | null, record: RecordValues | null): RecordValues {
  const values: RecordValues = { [spec.start]: dayKey(first) };
  if (spec.stop && last) values[spec.stop] = dayKey(last);
  if (record) values.updated_date = record.updated_date;
  return values;
}

/**
 * The values that move `record` to `day` at `minutes` past local midnight (null: keep its time
 * of day, as a month view moves it), keeping its duration.
 */
export function moveValues(spec: CalendarSpec, record: RecordValues, day: DateValue, minutes: number | null, tz: string): RecordValues | null {
  const span = spanOf(spec, record, tz);
  if (!span) return null;
  const startDay = fromEpochDay(Math.floor(span.startWall / DAY_US));
  if (spec.dateOnly) {
    const length = Math.round((span.endWall - span.startWall) / DAY_US) - 1;
    return dayWrite(spec, day, spec.stop ? addDays(day, length) : null, record);
  }
  const at = minutes ?? Math.round((span.startWall - epochDay(startDay) * DAY_US) / MINUTE_US);
  const start = instantAt(day, at, tz);
  const original = parseIso(String(record[spec.start]));
  const stopRaw = spec.stop ? record[spec.stop] : null;
  const stopMoment = typeof stopRaw === "string" ? parseIso(stopRaw) : null;
  const duration = original?.kind === "datetime" && stopMoment?.kind === "datetime" ? stopMoment.us - original.us : null;
  return write(spec, start, duration !== null ? start + duration : null, record);
}

/** The values that make `record` end at `minutes` past local midnight of `day` (at least 15 minutes long). */
export function resizeValues(spec: CalendarSpec, record: RecordValues, day: DateValue, minutes: number, tz: string): RecordValues | null {
  if (!spec.stop) return null;
  const start = parseIso(String(record[spec.start]));
  if (!start) return null;
  if (spec.dateOnly || start.kind === "date") return dayWrite(spec, start as DateValue, day, record);
  const startUs = start.naive ? wallToInstant(start.us, tz) : start.us;
  const end = Math.max(instantAt(day, minutes, tz), startUs + 15 * MINUTE_US);
  return { [spec.stop]: isoInstant(end), updated_date: record.updated_date };
}

/** A new record at `minutes` past local midnight of `day` (null: the whole day), one hour long. */
export function quickValues(spec: CalendarSpec, day: DateValue, minutes: number | null): (tz: string) => RecordValues {
  return (tz) => {
    if (spec.dateOnly) return dayWrite(spec, day, spec.stop ? day : null, null);
    const start = instantAt(day, minutes ?? 9 * 60, tz);
    const values = write(spec, start, start + 60 * MINUTE_US, null);
    if (spec.allDay && minutes === null) values[spec.allDay] = true;
    return values;
  };
}

/**
 * A new record from `from` to `to` minutes past local midnight of `day` (a drag on empty time),
 * at least 15 minutes long, whichever way the drag went.
 */
export function rangeValues(spec: CalendarSpec, day: DateValue, from: number, to: number, endDay: DateValue = day): (tz: string) => RecordValues {
  return (tz) => {
    // Ordered as points in time: a drag may end on an earlier day or earlier in the day.
    const a = epochDay(day) * DAY_MINUTES + from;
    const b = epochDay(endDay) * DAY_MINUTES + to;
    const [lo, hi] = [Math.min(a, b), Math.max(a, b, Math.min(a, b) + 15)];
    const first = gridPoint(lo, false);
    const last = gridPoint(hi, true);
    if (spec.dateOnly) return dayWrite(spec, first.day, spec.stop ? last.day : null, null);
    return write(spec, instantAt(first.day, first.minutes, tz), instantAt(last.day, last.minutes, tz), null);
  };
}

/** A point of a time grid: minutes past local midnight of a day (1440 is the end of that day). */
export interface GridPoint { day: DateValue; minutes: number }

/** The point `minutes` after 1970-01-01 00:00 (wall clock); an end at midnight stays on the day before, at 1440. */
export function gridPoint(minutes: number, isEnd: boolean): GridPoint {
  let days = Math.floor(minutes / DAY_MINUTES);
  let rest = minutes - days * DAY_MINUTES;
  if (isEnd && rest === 0) { days -= 1; rest = DAY_MINUTES; }
  return { day: fromEpochDay(days), minutes: rest };
}

/**
 * The range a drag on empty time selects in a week or day grid, across days too: from the
 * 15-minute step it started in to the step under the pointer, whichever way it went (the start's
 * step stays selected), as minutes since 1970-01-01 00:00 wall clock.
 */
export function dragRange(anchor: GridPoint, at: GridPoint): { from: number; to: number } {
  const start = epochDay(anchor.day) * DAY_MINUTES + Math.floor(anchor.minutes / 15) * 15;
  const here = epochDay(at.day) * DAY_MINUTES + Math.max(0, Math.min(DAY_MINUTES, at.minutes));
  return here >= start
    ? { from: start, to: Math.max(start + 15, Math.ceil(here / 15) * 15) }
    : { from: Math.floor(here / 15) * 15, to: start + 15 };
}

/**
 * A new record over whole days, `first` to `last` inclusive in either order (a drag over the
 * month's days or the week's all-day row): date fields get the two days; with an all-day field,
 * local midnight of the first day to the midnight after the last; else 09:00 on the first day to
 * 10:00 on the last.
 */
export function daysValues(spec: CalendarSpec, first: DateValue, last: DateValue): (tz: string) => RecordValues {
  return (tz) => {
    const [lo, hi] = epochDay(first) <= epochDay(last) ? [first, last] : [last, first];
    if (spec.dateOnly) return dayWrite(spec, lo, spec.stop ? hi : null, null);
    if (spec.allDay) return { ...write(spec, instantAt(lo, 0, tz), instantAt(addDays(hi, 1), 0, tz), null), [spec.allDay]: true };
    return write(spec, instantAt(lo, 9 * 60, tz), instantAt(hi, 10 * 60, tz), null);
  };
}

/**
 * The values that make an all-day `record` end on `lastDay` (inclusive), never before the day it
 * starts: a date stop is that day, a datetime stop the next local midnight.
 */
export function resizeDaysValues(spec: CalendarSpec, record: RecordValues, lastDay: DateValue, tz: string): RecordValues | null {
  if (!spec.stop) return null;
  const span = spanOf(spec, record, tz);
  if (!span) return null;
  const firstDay = fromEpochDay(Math.floor(span.startWall / DAY_US));
  const last = epochDay(lastDay) < epochDay(firstDay) ? firstDay : lastDay;
  const start = parseIso(String(record[spec.start]));
  if (spec.dateOnly || start?.kind === "date") return { [spec.stop]: dayKey(last), updated_date: record.updated_date };
  return { [spec.stop]: isoInstant(instantAt(fromEpochDay(epochDay(last) + 1), 0, tz)), updated_date: record.updated_date };
}

/**
 * The keyboard resize of an event (Shift+arrows): a timed event's end moves by `step` minutes
 * (at least 15 minutes after its start), an all-day event's last day by `step` days.
 */
export function resizeByValues(spec: CalendarSpec, record: RecordValues, step: number, tz: string): RecordValues | null {
  const span = spanOf(spec, record, tz);
  if (!span || !spec.stop) return null;
  if (span.allDay) {
    const lastDay = fromEpochDay(Math.floor((span.endWall - 1) / DAY_US) + step);
    return resizeDaysValues(spec, record, lastDay, tz);
  }
  const end = span.endWall + step * MINUTE_US;
  const endDay = fromEpochDay(Math.floor(end / DAY_US));
  return resizeValues(spec, record, endDay, Math.round((end - epochDay(endDay) * DAY_US) / MINUTE_US), tz);
}

/** "09:30" of wall-clock minutes. */
export function clock(minutes: number): string {
  const m = Math.max(0, Math.min(DAY_MINUTES, Math.round(minutes)));
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

/** Minutes snapped to a step (15 by default). */
export function snap(minutes: number, step = 15): number {
  return Math.max(0, Math.min(DAY_MINUTES, Math.round(minutes / step) * step));
}
