// Drawing a Form arch (views.md 4): every node type, with visible/readonly/required evaluated on
// the live draft. Field nodes go through the widget registry.
import { Accordion, Badge, Button, Divider, Fieldset, Grid, Group, Paper, Stack, Tabs, Text, Title, UnstyledButton } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { ChevronRight } from "lucide-react";
import { memo, type ReactNode } from "react";
import { Link } from "react-router";
import { loadAction } from "../../core/actions/inline";
import { api } from "../../core/api/http";
import type { ArchNode, FieldMeta, Profile, RecordValues, ViewDef } from "../../core/api/shapes";
import type { QBindings, QNode } from "../../core/q";
import { queryKeys } from "../../core/query/keys";
import { renderWidget } from "../../core/registry/widgets";
import { modifier, nodeState } from "../../core/views/modifiers";
import { Icon } from "../Shell";

export interface ArchContext {
  model: string;
  view: ViewDef;
  fields: Record<string, FieldMeta>;
  values: RecordValues;
  errors: Record<string, string>;
  onChange: (field: string, value: unknown) => void;
  onButton: (method: string) => void;
  profile: Profile | null;
  bindings: QBindings;
  recordId: number | null;
  readonly: boolean;
  defaultTab?: string | undefined;
}

function visible(node: ArchNode, ctx: ArchContext): boolean {
  return modifier(node.properties?.visible, ctx.values, ctx.bindings, true);
}

function title(node: ArchNode): string | undefined {
  return node.title ?? (node.properties?.title as string | undefined);
}

function nested(errors: Record<string, string>, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(errors)) if (path.startsWith(`${name}.`)) out[path.slice(name.length + 1)] = message;
  return out;
}

// Field types whose widget reads other values of the record (the currency of an amount, the id
// for downloads); every other field re-renders only when its own value, state or errors change,
// so typing in one input does not redraw a 200-line embedded list.
const READS_RECORD = new Set(["Monetary", "File", "Binary"]);

interface FieldProps {
  node: ArchNode; ctx: ArchContext; name: string; field: FieldMeta; value: unknown;
  readonly: boolean; required: boolean; errors: Record<string, string>; nolabel: boolean;
}

const Field = memo(function Field({ node, ctx, name, field, value, readonly, required, errors, nolabel }: FieldProps): ReactNode {
  const properties = { ...(node.properties ?? {}), ...(nolabel ? { nolabel: true } : {}) };
  const onChange = ctx.onChange;
  return (
    <div data-field-wrapper={name}>
      {renderWidget(node.properties?.widget as string | undefined, {
        mode: "form", name, value, onChange: (v) => onChange(name, v), field, record: ctx.values,
        readonly, required, error: errors[name], properties,
        label: (node.properties?.label as string) ?? field.label ?? name, model: ctx.model, profile: ctx.profile,
        node: node as unknown as { content?: unknown[] }, view: ctx.view, nestedErrors: nested(errors, name),
      })}
    </div>
  );
}, (a, b) => a.value === b.value && a.readonly === b.readonly && a.required === b.required && a.errors === b.errors
  && a.node === b.node && a.nolabel === b.nolabel && a.ctx.onChange === b.ctx.onChange && a.ctx.profile === b.ctx.profile
  && (!READS_RECORD.has(a.field.type) || a.ctx.values === b.ctx.values));

export function FieldNode({ node, ctx, nolabel }: { node: ArchNode; ctx: ArchContext; nolabel?: boolean }): ReactNode {
  const name = node.name!;
  const field = ctx.fields[name];
  if (!field) return null;
  const state = nodeState(node.properties, ctx.values, ctx.bindings, field);
  if (!state.visible) return null;
  return (
    <Field node={node} ctx={ctx} name={name} field={field} value={ctx.values[name] ?? null} readonly={ctx.readonly || state.readonly}
      required={state.required} errors={ctx.errors} nolabel={Boolean(nolabel)} />
  );
}

function span(node: ArchNode): Record<string, number> | number | undefined {
  if (node.span === undefined) return undefined;
  return typeof node.span === "number" ? { base: 12, md: node.span } : node.span;
}

function bindQ(value: unknown, activeId: number | null): unknown {
  if (Array.isArray(value)) return value.map((v) => bindQ(v, activeId));
  if (value && typeof value === "object") {
    if ("$var" in value && (value as { $var: string }).$var === "active_id") return activeId;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bindQ(v, activeId)]));
  }
  return value;
}

function LinkButton({ node, ctx }: { node: ArchNode; ctx: ArchContext }): ReactNode {
  const p = node.properties ?? {};
  const action = p.action as string | undefined;
  const filter = p.q_filter ? (bindQ(p.q_filter, ctx.recordId) as QNode) : null;
  const target = useQuery({ queryKey: queryKeys.action(action ?? ""), queryFn: () => loadAction(action!), enabled: Boolean(action) && ctx.recordId !== null, staleTime: 300_000 });
  const countBody = { limit: 0, q_filter: filter as never, total: "capped" as const };
  const count = useQuery({
    queryKey: queryKeys.query(target.data?.model ?? "", countBody),
    queryFn: () => api.query(target.data!.model, countBody, { background: true }),
    enabled: Boolean(p.count) && Boolean(target.data),
  });
  if (!action || ctx.recordId === null) return null;
  const search = new URLSearchParams();
  if (filter) search.set("filter", JSON.stringify(filter));
  search.set("ctx", JSON.stringify({ active_id: ctx.recordId }));
  return (
    <Button component={Link} to={`/action/${encodeURIComponent(action)}?${search.toString()}`} variant="default" size="xs"
      leftSection={p.icon ? <Icon name={p.icon as string} size={14} /> : undefined}
      rightSection={p.count && count.data ? <Badge size="xs" variant="light">{count.data.total}</Badge> : undefined}>
      {String(p.label ?? node.name)}
    </Button>
  );
}

export function ActionButton({ node, ctx }: { node: ArchNode; ctx: ArchContext }): ReactNode {
  const p = node.properties ?? {};
  if (!visible(node, ctx)) return null;
  const method = String(p.method);
  return (
    <Button size="xs" color={(p.color as string) ?? undefined} variant={(p.variant as string) ?? "filled"} onClick={() => ctx.onButton(method)}
      leftSection={p.icon ? <Icon name={p.icon as string} size={14} /> : undefined} data-method={method}>
      {String(p.label ?? method)}
    </Button>
  );
}

export function Statusbar({ node, ctx }: { node: ArchNode; ctx: ArchContext }): ReactNode {
  const name = node.name!;
  const field = ctx.fields[name];
  const relation = field?.type === "ManyToOne" ? field.relation : undefined;
  const stages = useQuery({
    queryKey: queryKeys.query(relation ?? "", { fields: ["display_name"], limit: 50 }),
    queryFn: () => api.query(relation!, { fields: ["display_name"], limit: 50 }, { background: true }),
    enabled: Boolean(relation),
  });
  if (!field || !visible(node, ctx)) return null;
  const options: { value: string; label: string; raw: unknown }[] = relation
    ? (stages.data?.data ?? []).map((r) => ({ value: String(r.id), label: String(r.display_name), raw: { id: r.id, display_name: r.display_name } }))
    : (field.selection ?? []).map(([v, l]) => ({ value: v, label: l, raw: v }));
  const visibleStates = node.properties?.visible_states as string[] | undefined;
  const current = relation ? String((ctx.values[name] as { id?: number } | null)?.id ?? "") : String(ctx.values[name] ?? "");
  const clickable = Boolean(node.properties?.clickable) && !ctx.readonly && !field.readonly;
  return (
    <div className="ff-statusbar" role="group" aria-label={field.label}>
      {options.filter((o) => !visibleStates || visibleStates.includes(o.value) || o.value === current).map((o) => (
        <Button key={o.value} size="xs" variant={o.value === current ? "filled" : "default"} aria-current={o.value === current ? "step" : undefined}
          {...(clickable ? { onClick: () => ctx.onChange(name, o.raw) } : { component: "div" as const, style: { cursor: "default" } })}>
          {o.label}
        </Button>
      ))}
    </div>
  );
}

function SettingsLink({ node }: { node: ArchNode }): ReactNode {
  const p = node.properties ?? {};
  return (
    <UnstyledButton component={Link} to={`/action/${encodeURIComponent(String(p.action))}`} p="xs" style={{ display: "block", borderRadius: 4 }}>
      <Group justify="space-between" wrap="nowrap">
        <Group gap="sm" wrap="nowrap">
          {p.icon ? <Icon name={p.icon as string} /> : null}
          <div>
            <Text size="sm" fw={600}>{String(p.label ?? "")}</Text>
            {p.description ? <Text size="xs" c="dimmed">{String(p.description)}</Text> : null}
          </div>
        </Group>
        <ChevronRight size={16} aria-hidden />
      </Group>
    </UnstyledButton>
  );
}

export function Nodes({ nodes, ctx }: { nodes: ArchNode[] | undefined; ctx: ArchContext }): ReactNode {
  return (nodes ?? []).map((node, index) => <NodeView key={`${node.type}:${node.name ?? node.anchor ?? index}:${index}`} node={node} ctx={ctx} />);
}

export function NodeView({ node, ctx }: { node: ArchNode; ctx: ArchContext }): ReactNode {
  if (node.type !== "field" && !visible(node, ctx)) return null;
  const p = node.properties ?? {};
  switch (node.type) {
    case "field":
      return <FieldNode node={node} ctx={ctx} />;
    case "row": {
      const children = (node.content ?? []).filter((c) => c.type !== "field" || (ctx.fields[c.name!] && nodeState(c.properties, ctx.values, ctx.bindings).visible));
      return (
        <Grid gap="sm">
          {children.map((child, i) => <Grid.Col key={i} span={span(child) ?? "auto"}><NodeView node={child} ctx={ctx} /></Grid.Col>)}
        </Grid>
      );
    }
    case "pageTabs": {
      const tabs = (node.content ?? []).filter((t) => t.type === "tab" && visible(t, ctx));
      if (!tabs.length) return null;
      const vertical = p.orientation === "vertical";
      const initial = tabs.find((t) => t.name === ctx.defaultTab)?.name ?? tabs[0]!.name ?? "0";
      return (
        <Tabs defaultValue={initial} orientation={vertical ? "vertical" : "horizontal"} keepMounted={false} mt="sm">
          <Tabs.List>{tabs.map((t, i) => <Tabs.Tab key={t.name ?? i} value={t.name ?? String(i)}>{title(t) ?? t.name}</Tabs.Tab>)}</Tabs.List>
          {tabs.map((t, i) => <Tabs.Panel key={t.name ?? i} value={t.name ?? String(i)} p="sm"><Stack gap="sm"><Nodes nodes={t.content} ctx={ctx} /></Stack></Tabs.Panel>)}
        </Tabs>
      );
    }
    case "tab":
      return <Stack gap="sm"><Nodes nodes={node.content} ctx={ctx} /></Stack>;
    case "accordion":
      return (
        <Accordion variant="separated" defaultValue={p.default_open ? "open" : null}>
          <Accordion.Item value="open">
            <Accordion.Control>{title(node)}</Accordion.Control>
            <Accordion.Panel><Stack gap="sm"><Nodes nodes={node.content} ctx={ctx} /></Stack></Accordion.Panel>
          </Accordion.Item>
        </Accordion>
      );
    case "fieldset":
      return <Fieldset legend={title(node)}><Stack gap="sm"><Nodes nodes={node.content} ctx={ctx} /></Stack></Fieldset>;
    case "paper":
      return (
        <Paper withBorder={(p.withBorder as boolean) ?? true} shadow={(p.shadow as string) ?? undefined} p={(p.p as string) ?? "md"} radius="md">
          <Stack gap="sm">
            {title(node) && <Title order={2} size="h5" c="dimmed">{title(node)}</Title>}
            <Nodes nodes={node.content} ctx={ctx} />
          </Stack>
        </Paper>
      );
    case "actionButton":
      return <Group><ActionButton node={node} ctx={ctx} /></Group>;
    case "statusbar":
      return <Statusbar node={node} ctx={ctx} />;
    case "linkButton":
      return <LinkButton node={node} ctx={ctx} />;
    case "text": {
      const order = Number(p.order ?? 0);
      return order ? <Title order={Math.min(6, Math.max(1, order)) as 1 | 2 | 3 | 4 | 5 | 6} size="h5">{String(p.content ?? "")}</Title> : <Text size="sm">{String(p.content ?? "")}</Text>;
    }
    case "divider":
    case "settingsDivider":
      return <Divider label={p.label as string | undefined} my="xs" />;
    case "settingsPanel":
      return (
        <Paper withBorder p="md" radius="md">
          <Stack gap="xs">
            <Title order={2} size="h5">{String(p.title ?? title(node) ?? "")}</Title>
            <Nodes nodes={node.content} ctx={ctx} />
          </Stack>
        </Paper>
      );
    case "settingsRow":
      return (
        <Group justify="space-between" align="center" wrap="wrap" gap="sm" py={4}>
          <div style={{ flex: "1 1 14rem" }}>
            <Text size="sm" fw={600}>{String(p.label ?? "")}</Text>
            {p.description ? <Text size="xs" c="dimmed">{String(p.description)}</Text> : null}
          </div>
          <div style={{ flex: "1 1 14rem", maxWidth: "24rem" }}>
            {(node.content ?? []).map((c, i) => (c.type === "field" ? <FieldNode key={i} node={{ ...c, properties: { ...(c.properties ?? {}), label: (c.properties?.label as string) ?? String(p.label ?? "") } }} ctx={ctx} nolabel /> : <NodeView key={i} node={c} ctx={ctx} />))}
          </div>
        </Group>
      );
    case "settingsLink":
      return <SettingsLink node={node} />;
    default:
      return null;
  }
}

