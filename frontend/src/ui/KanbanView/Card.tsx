// One Kanban card laid out by the arch (views.md 7.2): field nodes through the widget registry
// in `kanban` mode, rows with spans, papers, texts, dividers and actionButtons; `visible`
// evaluated on the record; the left edge coloured by the arch's `color_field`.
import { Button, Divider, Paper, Stack, Text } from "@mantine/core";
import { useSortable } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import { memo, type CSSProperties, type KeyboardEvent, type ReactNode } from "react";
import type { ArchNode, FieldMeta, Profile, RecordValues } from "../../core/api/shapes";
import type { QBindings } from "../../core/q";
import { renderWidget } from "../../core/registry/widgets";
import { modifier } from "../../core/views/modifiers";
import { colorOf, type KanbanSpec } from "../../core/views/kanban";

export interface CardContext {
  spec: KanbanSpec;
  content: ArchNode[];
  fields: Record<string, FieldMeta>;
  profile: Profile | null;
  bindings: QBindings;
  onOpen: (record: RecordValues) => void;
  onButton: (method: string, record: RecordValues) => void;
}

function span(node: ArchNode): number {
  return typeof node.span === "number" ? node.span : 12;
}

function Node({ node, record, ctx }: { node: ArchNode; record: RecordValues; ctx: CardContext }): ReactNode {
  if (!modifier(node.properties?.visible, record, ctx.bindings, true)) return null;
  const p = node.properties ?? {};
  switch (node.type) {
    case "field": {
      const field = ctx.fields[node.name ?? ""];
      if (!field) return null;
      return (
        <div data-card-field={node.name}>
          {renderWidget(p.widget as string | undefined, {
            mode: "kanban", name: node.name!, value: record[node.name!] ?? null, onChange: () => {}, field, record,
            readonly: true, required: false, properties: p, label: (p.label as string) ?? field.label, model: ctx.spec.model, profile: ctx.profile,
          })}
        </div>
      );
    }
    case "row":
      return (
        // A 12-column CSS grid (.ff-card-row); a long value (an e-mail) is cut with an ellipsis
        // rather than running under its neighbour.
        <div className="ff-card-row">
          {(node.content ?? []).map((child, i) => (
            <div key={i} className="ff-card-col" style={{ gridColumn: `span ${span(child)}` }}>
              <Node node={child} record={record} ctx={ctx} />
            </div>
          ))}
        </div>
      );
    case "paper":
      return <Paper withBorder p={4}><Stack gap={2}>{(node.content ?? []).map((c, i) => <Node key={i} node={c} record={record} ctx={ctx} />)}</Stack></Paper>;
    case "text":
      return <Text size="xs" c="dimmed">{String(p.text ?? node.title ?? "")}</Text>;
    case "divider":
      return <Divider my={2} />;
    case "actionButton":
      return (
        <Button size="compact-xs" variant={(p.variant as string) ?? "light"} color={p.color as string | undefined}
          onPointerDown={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()}
          onClick={(e) => { e.stopPropagation(); ctx.onButton(String(p.method), record); }}>
          {String(p.label ?? p.method)}
        </Button>
      );
    default:
      return null;
  }
}

/** The card's body, shared by the sortable card and the drag overlay. */
export function CardBody({ record, ctx }: { record: RecordValues; ctx: CardContext }): ReactNode {
  const color = ctx.spec.colorField ? colorOf(record[ctx.spec.colorField], ctx.spec.colors) : null;
  return (
    // Plain elements styled by global.css (.ff-card): a Mantine Paper and Stack per card cost
    // more to mount than the card's fields.
    <div className="ff-card" style={color ? { borderLeft: `4px solid var(--mantine-color-${color}-6)` } : undefined}>
      {ctx.content.length
        ? ctx.content.map((node, i) => <Node key={i} node={node} record={record} ctx={ctx} />)
        : <Text size="sm" fw={600}>{String(record.display_name ?? "")}</Text>}
    </div>
  );
}

export const Card = memo(function Card({ record, column, ctx, draggable }: { record: RecordValues; column: string; ctx: CardContext; draggable: boolean }): ReactNode {
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({
    id: `card:${String(record.id)}`, data: { column, record }, disabled: !draggable,
  });
  const style: CSSProperties = { transform: CSS.Translate.toString(transform), transition, opacity: isDragging ? 0.4 : 1 };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (event.key === "Enter" && !isDragging) { event.preventDefault(); ctx.onOpen(record); return; }
    listeners?.onKeyDown?.(event);
  };
  return (
    <div ref={setNodeRef} style={style} {...attributes} {...listeners} onKeyDown={onKeyDown} role="button"
      aria-roledescription="card" aria-label={String(record.display_name ?? `#${String(record.id)}`)}
      data-testid="kanban-card" data-id={String(record.id)} className="ff-kanban-card"
      onClick={() => ctx.onOpen(record)}>
      <CardBody record={record} ctx={ctx} />
    </div>
  );
});
