/**
 * What a form sends to `/api/onchange` and how it takes the answer back (api.md, onchange):
 *
 * - `changesOf` names what one edit changed: the field itself, and for the lines of a OneToMany
 *   field each field of a line the user changed; `toPaths` writes them as `changed`
 *   (`lines.<command index>.<field>`), so the server runs the onchange methods of that line (a
 *   product picked fills its price); a line just added is also sent as `lines.<command index>`
 *   (every onchange method of the new line runs: it takes the defaults of its parent);
 * - `mergeAnswer` puts the answer into the draft: fields an onchange assigned that the user may
 *   write become edits (they are saved), computed and read-only ones are only shown.
 */
import type { FieldMeta, RecordValues } from "../api/shapes";
import { commandIndex, editLine, type Line } from "./commands";

function isLines(value: unknown): value is Line[] {
  return Array.isArray(value) && value.every((v) => v && typeof v === "object" && "key" in v && "changed" in v);
}

function same(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** One change a request reports: a field, one field of one line (by its stable key), or a line
 *  just added (`line` without `name`). */
export interface Change { field: string; line?: string; name?: string }

export function changeId(c: Change): string {
  return c.line === undefined ? c.field : `${c.field}\u0000${c.line}\u0000${c.name ?? ""}`;
}

/** The changes of an edit of `field` from `before` to `after` (line changes only for OneToMany lines). */
export function changesOf(field: string, meta: FieldMeta | undefined, before: unknown, after: unknown): Change[] {
  const out: Change[] = [{ field }];
  if (meta?.type !== "OneToMany" || !isLines(after)) return out;
  const previous = new Map((isLines(before) ? before : []).map((l) => [l.key, l]));
  for (const line of after) {
    if (line.removed) continue;
    const old = previous.get(line.key);
    if (!old && line.id === null) out.push({ field, line: line.key });
    for (const [name, value] of Object.entries(line.changed)) {
      if (!old || !same(old.changed[name], value)) out.push({ field, line: line.key, name });
    }
  }
  return out;
}

/** `changed` of the request: `field`, or `field.<command index>.<name>` where the line is now. */
export function toPaths(changes: Iterable<Change>, values: RecordValues): string[] {
  const out = new Set<string>();
  const positions = new Map<string, Map<string, number>>();
  for (const c of changes) {
    out.add(c.field);
    if (c.line === undefined) continue;
    const lines = values[c.field];
    if (!isLines(lines)) continue;
    let byKey = positions.get(c.field);
    if (!byKey) {
      byKey = new Map([...commandIndex(lines, "OneToMany")].map(([index, key]) => [key, index]));
      positions.set(c.field, byKey);
    }
    const index = byKey.get(c.line);
    if (index !== undefined) out.add(c.name === undefined ? `${c.field}.${index}` : `${c.field}.${index}.${c.name}`);
  }
  return [...out];
}

/** Whether an edit of this field (or of a line field of it) can change other values. */
export function triggersOnchange(meta: FieldMeta | undefined, lineFields: Record<string, FieldMeta>, anyComputed: boolean): boolean {
  if (anyComputed || meta?.onchange) return true;
  return meta?.type === "OneToMany" && Object.values(lineFields).some((f) => f.onchange || f.computed);
}

function userMayWrite(meta: FieldMeta | undefined): boolean {
  return Boolean(meta) && !meta!.readonly && !meta!.computed;
}

export interface Merged {
  values: RecordValues;
  /** Fields an onchange assigned that are saved with the record. */
  assigned: string[];
}

/**
 * The draft `current` with the answer's `values` applied; `typed` are the fields the user changed
 * since the request left (theirs win). Lines of OneToMany fields are matched by command index.
 */
export function mergeAnswer(
  current: RecordValues,
  answer: RecordValues,
  fields: Record<string, FieldMeta>,
  models: Record<string, Record<string, FieldMeta>>,
  typed: Set<string>,
): Merged {
  const values: RecordValues = { ...current };
  const assigned: string[] = [];
  for (const [name, value] of Object.entries(answer)) {
    const meta = fields[name];
    if (!meta || typed.has(name)) continue;
    if (meta.type === "OneToMany") {
      if (isLines(current[name]) && Array.isArray(value)) {
        values[name] = mergeLines(current[name] as Line[], value as (RecordValues | null)[], models[meta.relation ?? ""] ?? {});
      }
      continue;
    }
    if (same(current[name], value)) continue;
    values[name] = value;
    if (userMayWrite(meta)) assigned.push(name);
  }
  return { values, assigned };
}

function mergeLines(lines: Line[], answer: (RecordValues | null)[], lineFields: Record<string, FieldMeta>): Line[] {
  const byIndex = commandIndex(lines, "OneToMany");
  const updates = new Map<string, RecordValues>();
  answer.forEach((values, index) => {
    const key = byIndex.get(index);
    if (key && values) updates.set(key, values);
  });
  if (!updates.size) return lines;
  return lines.map((line) => {
    const values = updates.get(line.key);
    if (!values) return line;
    let next = line;
    for (const [name, value] of Object.entries(values)) {
      if (name === "id" || same(next.values[name], value)) continue;
      next = userMayWrite(lineFields[name]) ? editLine(next, name, value) : { ...next, values: { ...next.values, [name]: value } };
    }
    return next;
  });
}
