// The Table widget (embedded list of a OneToMany/ManyToMany field); its code is in tableEditor.tsx, loaded with the first form.
import { storedLine, type Line } from "../../core/records/commands";
import { createWidget, registerWidget } from "../../core/registry/widgets";
import { lazyWidget } from "./lazy";

export function asLines(value: unknown): Line[] {
  if (!Array.isArray(value)) return [];
  return value.map((v) => (v && typeof v === "object" && "key" in v && "changed" in v ? (v as Line) : storedLine(typeof v === "object" && v ? (v as Record<string, unknown>) : { id: v })));
}

const EmbeddedTable = lazyWidget(() => import("./tableEditor").then((m) => m.EmbeddedTable));

registerWidget("Table", createWidget({
  name: "Table",
  fieldTypes: ["OneToMany", "ManyToMany"],
  supportedModes: ["form", "display"],
  render: (p) => <EmbeddedTable {...p} />,
}));
