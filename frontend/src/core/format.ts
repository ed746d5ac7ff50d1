/**
 * Values as people read them: dates in the user's locale, datetimes in the user's time zone,
 * decimals with their precision and grouping, money with its currency symbol, relations by
 * display name, selections by label.
 */
import type { FieldMeta, RecordValues } from "./api/shapes";
import { formatDecimal, isDecimalString } from "./decimal";

export interface FormatContext { tz: string; lang: string }

const dateFormats = new Map<string, Intl.DateTimeFormat>();

function cached(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = dateFormats.get(key);
  if (!f) { f = make(); dateFormats.set(key, f); }
  return f;
}

export function formatDate(value: string, ctx: FormatContext): string {
  const [y, m, d] = value.split("-").map(Number);
  if (!y || !m || !d) return value;
  return cached(`d:${ctx.lang}`, () => new Intl.DateTimeFormat(ctx.lang, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" }))
    .format(new Date(Date.UTC(y, m - 1, d)));
}

export function formatDatetime(value: string, ctx: FormatContext): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return cached(`dt:${ctx.lang}:${ctx.tz}`, () => new Intl.DateTimeFormat(ctx.lang, {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: ctx.tz,
  })).format(date);
}

/** Digits after the point for a Float/Monetary field (metadata `digits`, else 2 for money). */
export function precisionOf(field: FieldMeta, record?: RecordValues): number | undefined {
  const digits = field.digits;
  if (Array.isArray(digits)) return digits[1];
  if (typeof digits === "number") return digits;
  if (typeof field.precision === "number") return field.precision;
  if (field.type === "Monetary") {
    const currency = record?.currency as { decimal_places?: number } | undefined;
    return typeof currency?.decimal_places === "number" ? currency.decimal_places : 2;
  }
  return undefined;
}

/** The currency symbol of a Monetary value: its `prefix_field`/`suffix_field` path read on the record. */
export function affixOf(field: FieldMeta, record: RecordValues | undefined): { prefix?: string; suffix?: string } {
  const read = (path: string | undefined): string | undefined => {
    if (!path || !record) return undefined;
    let current: unknown = record;
    for (const part of path.split(/__|\./)) current = current && typeof current === "object" ? (current as RecordValues)[part] : undefined;
    return typeof current === "string" ? current : undefined;
  };
  const prefix = read(field.prefix_field);
  const suffix = read(field.suffix_field);
  return { ...(prefix ? { prefix } : {}), ...(suffix ? { suffix } : {}) };
}

export function formatNumber(value: unknown, field: FieldMeta, record?: RecordValues): string {
  if (value === null || value === undefined || value === "") return "";
  if (typeof value !== "number" && !isDecimalString(value)) return String(value);
  const text = formatDecimal(value, { precision: field.type === "Integer" ? 0 : precisionOf(field, record) });
  const { prefix, suffix } = field.type === "Monetary" ? affixOf(field, record) : {};
  return `${prefix ? `${prefix}\u00a0` : ""}${text}${suffix ? `\u00a0${suffix}` : ""}`;
}

export function selectionLabel(field: FieldMeta, value: unknown): string {
  if (value === null || value === undefined) return "";
  const found = field.selection?.find(([key]) => key === value);
  return found ? found[1] : String(value);
}

/** Plain text for any value (list cells, exports, titles). */
export function formatValue(value: unknown, field: FieldMeta | undefined, ctx: FormatContext, record?: RecordValues): string {
  if (value === null || value === undefined) return "";
  const type = field?.type ?? "";
  switch (type) {
    case "Boolean": return value ? "Yes" : "No";
    case "Date": return typeof value === "string" ? formatDate(value, ctx) : String(value);
    case "Datetime": return typeof value === "string" ? formatDatetime(value, ctx) : String(value);
    case "Integer": case "Float": case "Monetary": case "Numeric": return formatNumber(value, field!, record);
    case "Selection": return selectionLabel(field!, value);
    case "ManyToOne": case "OneToOne": return (value as { display_name?: string }).display_name ?? "";
    case "OneToMany": case "ManyToMany":
      return Array.isArray(value) ? value.map((v) => (typeof v === "object" && v ? (v as { display_name?: string }).display_name : String(v))).join(", ") : "";
    case "File": return (value as { name?: string }).name ?? "";
    case "JSON": return JSON.stringify(value);
    default: return String(value);
  }
}
