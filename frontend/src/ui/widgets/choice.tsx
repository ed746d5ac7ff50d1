// Booleans and selections: Checkbox, Switch, Select, SegmentedControl, Badge, Priority.
import { Badge as MBadge, Checkbox as MCheckbox, Input, Rating, SegmentedControl as MSegmented, Select as MSelect, Switch as MSwitch } from "@mantine/core";
import type { ReactNode } from "react";
import { selectionLabel } from "../../core/format";
import { createWidget, registerWidget, type WidgetProps } from "../../core/registry/widgets";
import { display, editable, inputProps } from "./text";

function boolean(kind: "checkbox" | "switch") {
  return (p: WidgetProps): ReactNode => {
    const Control = kind === "switch" ? MSwitch : MCheckbox;
    const interactive = editable(p) && !p.readonly;
    return (
      <Control
        checked={Boolean(p.value)}
        label={p.mode === "form" && !p.properties.nolabel ? p.label : undefined}
        aria-label={p.label}
        disabled={!interactive && p.mode === "form" && p.readonly}
        readOnly={!interactive}
        onClick={(e) => e.stopPropagation()}
        onChange={(e) => { if (interactive) p.onChange(e.currentTarget.checked); }}
        size={p.mode === "form" ? "sm" : "xs"}
        data-field={p.name}
        tabIndex={interactive ? 0 : -1}
      />
    );
  };
}

registerWidget("Checkbox", createWidget({ name: "Checkbox", fieldTypes: ["Boolean"], render: boolean("checkbox") }));
registerWidget("Switch", createWidget({ name: "Switch", fieldTypes: ["Boolean"], render: boolean("switch") }));

function choices(p: WidgetProps): { value: string; label: string }[] {
  return (p.field.selection ?? []).map(([value, label]) => ({ value, label }));
}

registerWidget("Select", createWidget({
  name: "Select",
  fieldTypes: ["Selection"],
  render: (p) => editable(p) && !p.readonly
    ? <MSelect {...inputProps(p)} data={choices(p)} value={(p.value as string) ?? null} onChange={(v) => p.onChange(v)} clearable={!p.required} allowDeselect={!p.required} />
    : <span>{display(p)}</span>,
}));

registerWidget("SegmentedControl", createWidget({
  name: "SegmentedControl",
  fieldTypes: ["Selection"],
  render: (p) => {
    if (!editable(p) || p.readonly) return <span>{display(p)}</span>;
    const control = <MSegmented data={choices(p)} value={(p.value as string) ?? ""} onChange={(v) => p.onChange(v)} aria-label={p.label} size="xs" />;
    return p.mode === "form" && !p.properties.nolabel ? <Input.Wrapper label={p.label} error={p.error}><div>{control}</div></Input.Wrapper> : control;
  },
}));

function badgeKey(p: WidgetProps): string {
  if (p.field.type === "Boolean") return p.value ? "true" : "false";
  if (p.value && typeof p.value === "object") return String((p.value as { display_name?: string }).display_name ?? "");
  return String(p.value ?? "");
}

registerWidget("Badge", createWidget({
  name: "Badge",
  fieldTypes: ["Selection", "Char", "Boolean", "ManyToOne"],
  supportedModes: ["list", "formlist", "kanban", "display", "form"],
  render: (p) => {
    if (p.value === null || p.value === undefined || p.value === "") return null;
    const colors = (p.properties.colors as Record<string, string>) ?? {};
    const label = p.field.type === "Selection" ? selectionLabel(p.field, p.value) : display(p);
    return <MBadge color={colors[badgeKey(p)] ?? "gray"} variant="light" size={(p.properties.size as string) ?? "sm"}>{label}</MBadge>;
  },
}));

registerWidget("Priority", createWidget({
  name: "Priority",
  fieldTypes: ["Selection"],
  render: (p) => {
    const keys = (p.field.selection ?? []).map(([k]) => k);
    const index = Math.max(0, keys.indexOf(String(p.value ?? keys[0] ?? "")));
    return (
      <Rating count={Math.max(1, keys.length - 1)} value={index} readOnly={!editable(p) || p.readonly} aria-label={p.label}
        onChange={(n) => p.onChange(keys[n] ?? keys[0] ?? null)} size="sm" />
    );
  },
}));
