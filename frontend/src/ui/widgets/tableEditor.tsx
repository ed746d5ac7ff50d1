// The embedded list of a OneToMany/ManyToMany field on a form (widget Table): its columns are the
// node's `content`, cells render in `formlist` mode; lines are added, edited in place (or in a
// dialog with `editable: dialog`), removed, and reordered when the related model has `sequence`.
// The form writes the lines as a command list (core/records/commands.ts).
import { ActionIcon, Button, Group, Input, ScrollArea, Table as MTable, Text } from "@mantine/core";
import { ArrowDown, ArrowUp, Plus, Trash2 } from "lucide-react";
import type { ReactNode } from "react";
import type { ArchNode, FieldMeta } from "../../core/api/shapes";
import { api } from "../../core/api/http";
import { commandIndex, editLine, newLine, type Line } from "../../core/records/commands";
import { asLines } from "./table";
import { renderWidget, type WidgetProps } from "../../core/registry/widgets";
import { useRecordDialog } from "./dialogs";
import { editable } from "./text";


/** The least width of an editable column, so an input shows what it holds (the table scrolls sideways). */
function columnWidth(field: FieldMeta | undefined): number {
  switch (field?.type) {
    case "ManyToOne": case "OneToOne": case "ManyToMany": return 170;
    case "Char": case "Text": return 200;
    case "Selection": return 130;
    case "Integer": return 80;
    case "Float": case "Numeric": case "Monetary": return 110;
    default: return 90;
  }
}

export function EmbeddedTable(p: WidgetProps): ReactNode {
  const lines = asLines(p.value);
  const visible = lines.filter((l) => !l.removed);
  const columns = ((p.node?.content ?? []) as ArchNode[]).filter((n) => n.type === "field" && n.name);
  const relationFields: Record<string, FieldMeta> = p.view?.models[p.field.relation ?? ""] ?? {};
  const interactive = editable(p) && !p.readonly;
  const dialogMode = p.properties.editable === "dialog";
  const openDialog = useRecordDialog();
  const kind = p.field.type === "ManyToMany" ? "ManyToMany" : "OneToMany";
  const hasSequence = "sequence" in relationFields;
  const errors = p.nestedErrors ?? {};
  const byCommand = commandIndex(lines, kind);
  const lineErrors = new Map<string, Record<string, string>>();
  for (const [path, message] of Object.entries(errors)) {
    const [index, ...rest] = path.split(".");
    const key = byCommand.get(Number(index));
    if (key) lineErrors.set(key, { ...lineErrors.get(key), [rest.join(".")]: message });
  }

  const set = (next: Line[]): void => p.onChange(next);
  const update = (line: Line, field: string, value: unknown): void => set(lines.map((l) => (l.key === line.key ? editLine(l, field, value) : l)));
  const remove = (line: Line): void => set(line.id === null ? lines.filter((l) => l.key !== line.key) : lines.map((l) => (l.key === line.key ? { ...l, removed: true } : l)));
  const move = (line: Line, delta: number): void => {
    const order = [...visible];
    const i = order.findIndex((l) => l.key === line.key);
    const j = i + delta;
    if (j < 0 || j >= order.length) return;
    [order[i], order[j]] = [order[j]!, order[i]!];
    const renumbered = order.map((l, n) => (Number(l.values.sequence) === (n + 1) * 10 ? l : editLine(l, "sequence", (n + 1) * 10)));
    set([...renumbered, ...lines.filter((l) => l.removed)]);
  };
  const add = async (): Promise<void> => {
    if (dialogMode) {
      const values = await openDialog({ model: p.field.relation ?? "", draft: true, columns, title: `Add: ${p.label}` });
      if (values) set([...lines, { ...newLine(values) }]);
    } else {
      // The line model's defaults (a quantity of 1, a line type...), as a dialog would show them.
      const names = columns.map((c) => c.name!).filter((n) => n in relationFields && !relationFields[n]!.readonly);
      let defaults: Record<string, unknown> = {};
      try {
        defaults = names.length ? (await api.defaultGet(p.field.relation ?? "", names)).values : {};
      } catch { /* no defaults: the line starts empty and the save says what is missing */ }
      const given = Object.fromEntries(Object.entries(defaults).filter(([, v]) => v !== null && !(Array.isArray(v) && v.length === 0)));
      const extra = hasSequence ? { sequence: (visible.length + 1) * 10 } : {};
      set([...lines, newLine({ ...given, ...extra })]);
    }
  };
  const edit = async (line: Line): Promise<void> => {
    const values = await openDialog({ model: p.field.relation ?? "", draft: true, columns, values: line.values, title: p.label, ...(line.id !== null ? { id: line.id } : {}) });
    if (values) set(lines.map((l) => (l.key === line.key ? Object.entries(values).reduce((acc, [k, v]) => (acc.values[k] === v ? acc : editLine(acc, k, v)), l) : l)));
  };

  const table = (
    <ScrollArea type="auto">
      <MTable striped highlightOnHover withTableBorder verticalSpacing={4} aria-label={p.label} data-field={p.name}>
        <MTable.Thead>
          <MTable.Tr>
            {columns.map((c) => <MTable.Th key={c.name} miw={interactive ? columnWidth(relationFields[c.name!]) : undefined}>{(c.properties?.label as string) ?? relationFields[c.name!]?.label ?? c.name}</MTable.Th>)}
            {interactive && <MTable.Th w={hasSequence ? 96 : 40}><span className="sr-only">Actions</span></MTable.Th>}
          </MTable.Tr>
        </MTable.Thead>
        <MTable.Tbody>
          {visible.length === 0 && (
            <MTable.Tr><MTable.Td colSpan={columns.length + 1}><Text size="sm" c="dimmed">No lines</Text></MTable.Td></MTable.Tr>
          )}
          {visible.map((line, row) => (
            <MTable.Tr key={line.key} className={dialogMode && interactive ? "ff-row" : undefined} onClick={dialogMode && interactive ? () => void edit(line) : undefined}>
              {columns.map((c) => {
                const meta = relationFields[c.name!] ?? { type: "Char", label: c.name! };
                return (
                  <MTable.Td key={c.name}>
                    {renderWidget(c.properties?.widget as string | undefined, {
                      mode: interactive && !dialogMode ? "formlist" : "list",
                      name: c.name!, value: line.values[c.name!] ?? null, onChange: (v) => update(line, c.name!, v),
                      field: meta, record: line.values, readonly: Boolean(meta.readonly), required: Boolean(meta.required),
                      error: lineErrors.get(line.key)?.[c.name!], properties: c.properties ?? {}, label: `${meta.label ?? c.name} (line ${row + 1})`,
                      model: p.field.relation ?? "", profile: p.profile,
                    })}
                  </MTable.Td>
                );
              })}
              {interactive && (
                <MTable.Td onClick={(e) => e.stopPropagation()}>
                  <Group gap={2} wrap="nowrap">
                    {hasSequence && <ActionIcon variant="subtle" size="sm" onClick={() => move(line, -1)} aria-label={`Move line ${row + 1} up`}><ArrowUp size={14} /></ActionIcon>}
                    {hasSequence && <ActionIcon variant="subtle" size="sm" onClick={() => move(line, 1)} aria-label={`Move line ${row + 1} down`}><ArrowDown size={14} /></ActionIcon>}
                    <ActionIcon variant="subtle" color="red" size="sm" onClick={() => remove(line)} aria-label={`Remove line ${row + 1}`}><Trash2 size={14} /></ActionIcon>
                  </Group>
                </MTable.Td>
              )}
            </MTable.Tr>
          ))}
        </MTable.Tbody>
      </MTable>
    </ScrollArea>
  );
  return (
    <Input.Wrapper label={p.properties.nolabel ? undefined : p.label} error={p.error}>
      {table}
      {interactive && <Button variant="subtle" size="xs" mt={4} leftSection={<Plus size={14} />} onClick={() => void add()}>Add a line</Button>}
    </Input.Wrapper>
  );
}

