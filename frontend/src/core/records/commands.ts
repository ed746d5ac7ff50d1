/**
 * x-to-many values while editing (orm.md 9.5): a OneToMany/ManyToMany field of a draft is a
 * list of lines; `toCommands` writes the change as the API's command list.
 *
 * - OneToMany: a new line is `["N", values]`, an edited line `["W", id, changed]`, a removed
 *   line `["D", id]` (the child is deleted, as the embedded list shows it gone);
 * - ManyToMany (tags): the whole set, `["S", ids]`, plus `["N", values]` for tags created inline.
 */
import type { RecordValues } from "../api/shapes";

export interface Line {
  /** Stable React key; the record id for stored lines, `new-N` for new ones. */
  key: string;
  id: number | null;
  /** What is shown: the stored values overlaid with the edits. */
  values: RecordValues;
  /** Only the fields the user changed (new lines: every value given). */
  changed: RecordValues;
  removed?: boolean;
}

let counter = 0;

export function newLine(values: RecordValues = {}): Line {
  counter += 1;
  return { key: `new-${counter}`, id: null, values: { ...values }, changed: { ...values } };
}

export function storedLine(values: RecordValues): Line {
  return { key: String(values.id), id: Number(values.id), values, changed: {} };
}

export function editLine(line: Line, field: string, value: unknown): Line {
  return { ...line, values: { ...line.values, [field]: value }, changed: { ...line.changed, [field]: value } };
}

export function isDirty(lines: Line[]): boolean {
  return lines.some((l) => l.id === null || l.removed || Object.keys(l.changed).length > 0);
}

type Command = ["N", RecordValues] | ["W", number, RecordValues] | ["D", number] | ["S", number[]] | ["U", number] | ["L", number];

export function toCommands(lines: Line[], kind: "OneToMany" | "ManyToMany", writeValue: (v: RecordValues) => RecordValues = (v) => v): Command[] {
  const out: Command[] = [];
  if (kind === "ManyToMany") {
    out.push(["S", lines.filter((l) => l.id !== null && !l.removed).map((l) => l.id!)]);
    for (const l of lines) if (l.id === null && !l.removed) out.push(["N", writeValue(l.changed)]);
    return out;
  }
  for (const l of lines) {
    if (l.id === null) { if (!l.removed) out.push(["N", writeValue(l.changed)]); }
    else if (l.removed) out.push(["D", l.id]);
    else if (Object.keys(l.changed).length) out.push(["W", l.id, writeValue(l.changed)]);
  }
  return out;
}

/** The position of each line in the command list, so `lines.2.quantity` errors find their line. */
export function commandIndex(lines: Line[], kind: "OneToMany" | "ManyToMany"): Map<number, string> {
  const map = new Map<number, string>();
  let i = kind === "ManyToMany" ? 1 : 0;
  for (const l of lines) {
    if (kind === "ManyToMany" && l.id !== null) continue;
    if (l.id === null ? !l.removed : l.removed || Object.keys(l.changed).length) { map.set(i, l.key); i++; }
  }
  return map;
}
