// The date pickers, loaded lazily by widgets/dates.tsx (with their styles).
import "@mantine/dates/styles.css";
import { DateInput, DateTimePicker } from "@mantine/dates";
import type { ReactNode } from "react";
import type { DateEditorProps } from "./dates";

export function DateEditor(p: DateEditorProps): ReactNode {
  return <DateInput {...p.input} value={p.value} onChange={(v) => p.onChange(v || null)} valueFormat="YYYY-MM-DD" clearable={p.clearable} popoverProps={{ withinPortal: true }} />;
}

export function DateTimeEditor(p: DateEditorProps): ReactNode {
  return (
    <DateTimePicker {...p.input} value={p.value} valueFormat="YYYY-MM-DD HH:mm" clearable={p.clearable}
      description={p.form ? `Time zone: ${p.tz}` : undefined} onChange={(v) => p.onChange(v || null)} popoverProps={{ withinPortal: true }} />
  );
}
