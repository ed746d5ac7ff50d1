/**
 * Dates for Q evaluation, exactly as `fullfinity.engine.qlang.dates` reads them: strict ISO strings,
 * wall-clock time in an IANA time zone (through Intl, no library), and `D(...)` resolution.
 *
 * A date is `{kind: "date", y, m, d}`; an instant is `{kind: "datetime", us}` (microseconds since
 * the epoch, exact in a double until the year 2255). Naive datetimes stay naive (`naive: true`,
 * `us` counted as if the wall clock were UTC) until a time zone makes them instants.
 */
import { ANCHORS, OFFSETS, QEvalError, type DateSpec } from "./types";

export interface DateValue { kind: "date"; y: number; m: number; d: number }
export interface DateTimeValue { kind: "datetime"; us: number; naive: boolean }
export type Moment = DateValue | DateTimeValue;

const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const ISO_DATETIME =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,6}))?)?(Z|[+-][0-9]{2}:[0-9]{2})?$/;
const DAY_US = 86_400_000_000;

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function validDate(y: number, m: number, d: number): boolean {
  return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/** Days since 1970-01-01 of a calendar date (proleptic Gregorian, like Python). */
export function epochDay(v: DateValue): number {
  const t = new Date(0);
  t.setUTCFullYear(v.y, v.m - 1, v.d);
  return Math.round(t.getTime() / 86_400_000);
}

export function fromEpochDay(days: number): DateValue {
  const t = new Date(days * 86_400_000);
  return { kind: "date", y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

function wallUs(y: number, m: number, d: number, h = 0, mi = 0, s = 0, micro = 0): number {
  return (epochDay({ kind: "date", y, m, d }) * 86_400 + h * 3600 + mi * 60 + s) * 1_000_000 + micro;
}

/** `text` as a date or datetime if it is strict ISO 8601 (the server's rule), else null. */
export function parseIso(text: string): Moment | null {
  let m = ISO_DATE.exec(text);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return validDate(y, mo, d) ? { kind: "date", y, m: mo, d } : null;
  }
  m = ISO_DATETIME.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m![i] ?? 0)) as [number, number, number, number, number, number];
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return null;
  const micro = Number((m[7] ?? "0").padEnd(6, "0"));
  let us = wallUs(y, mo, d, h, mi, s, micro);
  const offset = m[8];
  if (offset === undefined) return { kind: "datetime", us, naive: true };
  if (offset !== "Z") {
    const sign = offset[0] === "-" ? -1 : 1;
    const oh = Number(offset.slice(1, 3));
    const om = Number(offset.slice(4, 6));
    if (om > 59 || oh > 23) return null;
    us -= sign * (oh * 3600 + om * 60) * 1_000_000;
  }
  return { kind: "datetime", us, naive: false };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
        hour: "numeric", minute: "numeric", second: "numeric",
      });
    } catch {
      throw new QEvalError(`tz '${tz}' is not a known IANA timezone; use a name such as 'UTC' or 'Europe/Brussels'`);
    }
    formatters.set(tz, f);
  }
  return f;
}

/** UTC offset (microseconds) of `tz` at the instant `us`. */
export function offsetAt(us: number, tz: string): number {
  if (tz === "UTC") return 0;
  const ms = Math.floor(us / 1000);
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(ms))) if (p.type !== "literal") parts[p.type] = Number(p.value);
  const wallMs = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  const utcSeconds = Math.floor(ms / 1000) * 1000;
  return (wallMs - utcSeconds) * 1000;
}

/** Wall-clock fields of the instant `us` in `tz`. */
export function toLocal(us: number, tz: string): { date: DateValue; wall: number } {
  const wall = us + offsetAt(us, tz);
  return { date: fromEpochDay(Math.floor(wall / DAY_US)), wall };
}

/**
 * The instant of a wall-clock time in `tz`, as Python's `replace(tzinfo=ZoneInfo(tz))` with
 * fold=0: in a gap or an overlap the offset in force before the change applies.
 */
export function wallToInstant(wall: number, tz: string): number {
  if (tz === "UTC") return wall;
  const before = offsetAt(wall - DAY_US, tz);
  const after = offsetAt(wall + DAY_US, tz);
  const valid = (o: number): boolean => offsetAt(wall - o, tz) === o;
  if (before === after || valid(before) || !valid(after)) return wall - before;
  return wall - after;
}

export function localMidnight(day: DateValue, tz: string): number {
  return wallToInstant(epochDay(day) * DAY_US, tz);
}

/** An instant: aware datetimes as they are, naive ones read in `tz`. */
export function instant(v: DateTimeValue, tz: string): number {
  return v.naive ? wallToInstant(v.us, tz) : v.us;
}

export function readNow(now: string | Date | undefined): number {
  if (now === undefined) return Date.now() * 1000;
  if (now instanceof Date) return now.getTime() * 1000;
  const parsed = parseIso(now);
  if (!parsed || parsed.kind !== "datetime" || parsed.naive) {
    throw new QEvalError(`binding 'now' must be an ISO string with an offset ('2026-03-15T10:30:00Z'), got ${now}`);
  }
  return parsed.us;
}

function addMonthsDate(v: DateValue, months: number): DateValue {
  const total = v.y * 12 + (v.m - 1) + months;
  const y = Math.floor(total / 12);
  const m = total - y * 12 + 1;
  return { kind: "date", y, m, d: Math.min(v.d, daysInMonth(y, m)) };
}

function addDays(v: DateValue, days: number): DateValue {
  return fromEpochDay(epochDay(v) + days);
}

function anchorDate(anchor: string, today: DateValue): DateValue {
  if (anchor === "today") return today;
  if (anchor === "yesterday") return addDays(today, -1);
  if (anchor === "tomorrow") return addDays(today, 1);
  if (anchor.startsWith("week_")) {
    const weekday = (new Date(epochDay(today) * 86_400_000).getUTCDay() + 6) % 7; // Monday = 0
    const start = addDays(today, -weekday);
    return anchor === "week_start" ? start : addDays(start, 6);
  }
  const first = anchor.startsWith("month_") ? today.m : anchor.startsWith("quarter_") ? 3 * Math.floor((today.m - 1) / 3) + 1 : 1;
  const start: DateValue = { kind: "date", y: today.y, m: first, d: 1 };
  if (anchor.endsWith("_start")) return start;
  const span = anchor.startsWith("month_") ? 1 : anchor.startsWith("quarter_") ? 3 : 12;
  return addDays(addMonthsDate(start, span), -1);
}

/** The concrete date, or instant, of `D(...)` at `nowUs` for a user in `tz` (orm.md 12.5). */
export function resolveDate(spec: DateSpec, tz: string, nowUs: number): Moment {
  const anchor = spec.anchor;
  const off = (name: (typeof OFFSETS)[number]): number => spec[name] ?? 0;
  const elapsed = (off("hours") * 3600 + off("minutes") * 60 + off("seconds")) * 1_000_000;
  const months = off("years") * 12 + off("months");
  const days = off("weeks") * 7 + off("days");
  let base: Moment;
  if (anchor === "now") {
    base = { kind: "datetime", us: toLocal(nowUs, tz).wall, naive: true };
  } else if ((ANCHORS as readonly string[]).includes(anchor)) {
    base = anchorDate(anchor, toLocal(nowUs, tz).date);
  } else {
    const parsed = parseIso(anchor);
    if (!parsed) throw new QEvalError(`D() anchor must be one of ${ANCHORS.join(", ")} or an ISO date/datetime string`);
    base = parsed.kind === "datetime" && !parsed.naive ? { kind: "datetime", us: toLocal(parsed.us, tz).wall, naive: true } : parsed;
  }
  if (base.kind === "datetime") {
    // Wall-clock arithmetic for months and days, then the offset valid on the new day, then elapsed time.
    const day = fromEpochDay(Math.floor(base.us / DAY_US));
    const time = base.us - epochDay(day) * DAY_US;
    const shifted = addDays(addMonthsDate(day, months), days);
    return { kind: "datetime", us: wallToInstant(epochDay(shifted) * DAY_US + time, tz) + elapsed, naive: false };
  }
  const shifted = addDays(addMonthsDate(base, months), days);
  const givesDatetime = off("hours") !== 0 || off("minutes") !== 0 || off("seconds") !== 0;
  if (!givesDatetime) return shifted;
  return { kind: "datetime", us: localMidnight(shifted, tz) + elapsed, naive: false };
}

export function formatDate(v: DateValue): string {
  return `${String(v.y).padStart(4, "0")}-${String(v.m).padStart(2, "0")}-${String(v.d).padStart(2, "0")}`;
}
