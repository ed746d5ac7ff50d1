// Draft values <-> API values (api.md 1.3): relations written as ids and command lists.
import type { FieldMeta, RecordValues } from "../../core/api/shapes";
import { toCommands, type Line } from "../../core/records/commands";
import { asLines } from "../widgets";

function isLines(value: unknown): value is Line[] {
  return Array.isArray(value) && value.every((v) => v && typeof v === "object" && "key" in v && "changed" in v);
}

/** The write form of `values` for fields of one model (`fields`: its metadata). */
export function writeValues(values: RecordValues, fields: Record<string, FieldMeta>, relationFields: Record<string, Record<string, FieldMeta>> = {}): RecordValues {
  const out: RecordValues = {};
  for (const [name, value] of Object.entries(values)) {
    const field = fields[name];
    if (!field) continue;
    switch (field.type) {
      case "ManyToOne":
      case "OneToOne":
        out[name] = value && typeof value === "object" ? (value as { id: number }).id : value ?? null;
        break;
      case "OneToMany": {
        const sub = relationFields[field.relation ?? ""] ?? {};
        out[name] = toCommands(isLines(value) ? value : asLines(value), "OneToMany", (v) => writeValues(v, sub, relationFields));
        break;
      }
      case "ManyToMany":
        if (isLines(value)) out[name] = toCommands(value, "ManyToMany");
        else out[name] = [["S", (Array.isArray(value) ? value : []).map((v) => (typeof v === "object" && v ? (v as { id: number }).id : Number(v)))]];
        break;
      case "File":
        out[name] = value && typeof value === "object" && "content" in value ? value : value === null ? null : undefined;
        if (out[name] === undefined) delete out[name];
        break;
      default:
        out[name] = value;
    }
  }
  return out;
}

/** Fields of a view that the client may write (stored or with a setter, not read-only). */
export function writable(field: FieldMeta | undefined): boolean {
  return Boolean(field) && !field!.readonly && !(field!.computed && field!.store === false);
}
