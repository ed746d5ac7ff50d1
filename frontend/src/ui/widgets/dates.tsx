// Dates and datetimes. Dates are "YYYY-MM-DD"; datetimes travel in UTC and are shown and edited
// as wall-clock time in the user's time zone (the profile's tz), converted with the Q module's
// zone rules (the same ones modifiers use).
import type { ReactNode } from "react";
import { formatDate, fromEpochDay, parseIso, toLocal, wallToInstant } from "../../core/q/dates";
import { createWidget, registerWidget, type WidgetProps } from "../../core/registry/widgets";
import { DisplayText, editable, inputProps } from "./text";
import { lazyComponent } from "../lazyComponent";

const DAY_US = 86_400_000_000;

/** "2026-05-04T09:30:00Z" -> "2026-05-04 11:30:00" in Europe/Brussels. */
export function utcToWall(value: string, tz: string): string | null {
  const parsed = parseIso(value);
  if (!parsed || parsed.kind !== "datetime") return null;
  const { wall } = toLocal(parsed.naive ? parsed.us : parsed.us, tz);
  const day = fromEpochDay(Math.floor(wall / DAY_US));
  const seconds = Math.floor((wall - Math.floor(wall / DAY_US) * DAY_US) / 1_000_000);
  const hh = String(Math.floor(seconds / 3600)).padStart(2, "0");
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
  const ss = String(seconds % 60).padStart(2, "0");
  return `${formatDate(day)} ${hh}:${mm}:${ss}`;
}

/** "2026-05-04 11:30:00" (wall clock in tz) -> "2026-05-04T09:30:00Z". */
export function wallToUtc(value: string, tz: string): string | null {
  const parsed = parseIso(value.replace(" ", "T"));
  if (!parsed || parsed.kind !== "datetime") return null;
  const us = wallToInstant(parsed.us, tz);
  return new Date(Math.floor(us / 1000)).toISOString().replace(".000Z", "Z");
}

// The pickers (@mantine/dates and dayjs) load with the first editable date field, not with the first screen.
const Editors = {
  Date: lazyComponent(() => import("./dateEditors").then((m) => m.DateEditor)),
  Datetime: lazyComponent(() => import("./dateEditors").then((m) => m.DateTimeEditor)),
};

export interface DateEditorProps { input: Record<string, unknown>; value: string | null; onChange: (v: string | null) => void; clearable: boolean; tz: string; form: boolean }

registerWidget("DateInput", createWidget({
  name: "DateInput",
  fieldTypes: ["Date"],
  render: (p: WidgetProps): ReactNode => editable(p) && !p.readonly
    ? <Editors.Date input={inputProps(p)} value={(p.value as string) ?? null} onChange={(v) => p.onChange(v || null)} clearable={!p.required} tz={p.profile?.tz || "UTC"} form={p.mode === "form"} />
    : <DisplayText {...p} />,
}));

registerWidget("DateTimeInput", createWidget({
  name: "DateTimeInput",
  fieldTypes: ["Datetime"],
  render: (p: WidgetProps): ReactNode => {
    if (!editable(p) || p.readonly) return <DisplayText {...p} />;
    const tz = p.profile?.tz || "UTC";
    const wall = typeof p.value === "string" ? utcToWall(p.value, tz) : null;
    return (
      <Editors.Datetime input={inputProps(p)} value={wall} clearable={!p.required} tz={tz} form={p.mode === "form"}
        onChange={(v) => p.onChange(v ? wallToUtc(v.length === 16 ? `${v}:00` : v, tz) : null)} />
    );
  },
}));
