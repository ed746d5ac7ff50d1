/**
 * The field widget registry (views.md 14.2): widgets keyed by the name a view writes in
 * `properties.widget`, each supporting some of the five modes. Adding a widget is one file in
 * `src/ui/widgets/` and one `registerWidget` call.
 */
import type { ReactNode } from "react";
import type { FieldMeta, Profile, RecordValues, ViewDef } from "../api/shapes";

export const MODES = ["form", "list", "formlist", "kanban", "display"] as const;
export type WidgetMode = (typeof MODES)[number];

export interface WidgetProps {
  mode: WidgetMode;
  name: string;
  value: unknown;
  onChange: (value: unknown) => void;
  field: FieldMeta;
  record: RecordValues;
  readonly: boolean;
  required: boolean;
  error?: string | undefined;
  properties: Record<string, unknown>;
  /** Label for inputs (form mode) and accessible names. */
  label: string;
  model: string;
  profile: Profile | null;
  /** The field's node (columns of embedded lists live in `node.content`) and its view. */
  node?: { content?: unknown[]; [key: string]: unknown };
  view?: ViewDef;
  /** Errors under this field's path (`lines.2.quantity` -> `{"2.quantity": ...}` for `lines`). */
  nestedErrors?: Record<string, string>;
}

export interface Widget {
  name: string;
  supportedModes: readonly WidgetMode[];
  render: (props: WidgetProps) => ReactNode;
  defaultProps: Partial<WidgetProps>;
  /** Field types this widget is meant for (introspection and tests). */
  fieldTypes?: readonly string[];
}

const widgets = new Map<string, Widget>();

export function createWidget(spec: { name: string; render: Widget["render"]; supportedModes?: readonly WidgetMode[]; defaultProps?: Partial<WidgetProps>; fieldTypes?: readonly string[] }): Widget {
  return { supportedModes: MODES, defaultProps: {}, ...spec };
}

export function registerWidget(name: string, widget: Widget): void {
  widgets.set(name, widget);
}

export function getWidget(name: string): Widget | null {
  return widgets.get(name) ?? null;
}

export function hasWidget(name: string): boolean {
  return widgets.has(name);
}

export function getWidgetNames(): string[] {
  return [...widgets.keys()].sort();
}

/** The default widget of each field type (views.md 11). */
export const DEFAULT_WIDGETS: Record<string, string> = {
  Char: "TextInput",
  Text: "Textarea",
  Integer: "NumberInput",
  Float: "NumberInput",
  Monetary: "MonetaryInput",
  Numeric: "NumberInput",
  Boolean: "Checkbox",
  Selection: "Select",
  Date: "DateInput",
  Datetime: "DateTimeInput",
  ManyToOne: "DataCombo",
  OneToOne: "DataCombo",
  OneToMany: "Table",
  ManyToMany: "TagsInput",
  Binary: "FileInput",
  File: "FileInput",
  JSON: "JsonInput",
};

const warned = new Set<string>();

/** The widget to use for `name` on a field of `type`: unknown names fall back to the default (warned once). */
export function resolveWidget(name: string | undefined, type: string): Widget | null {
  if (name) {
    const found = getWidget(name);
    if (found) return found;
    if (!warned.has(name)) {
      warned.add(name);
      console.warn(`Unknown widget '${name}': using the default widget of ${type} fields.`);
    }
  }
  return getWidget(DEFAULT_WIDGETS[type] ?? "Text") ?? getWidget("Text");
}

export type RenderOutcome = { kind: "render"; widget: Widget; mode: WidgetMode } | { kind: "unsupported"; widget: Widget };

/** Which mode a widget renders in: the requested one, else `display`, else unsupported (views.md 14.2). */
export function modeFor(widget: Widget, mode: WidgetMode): RenderOutcome {
  if (widget.supportedModes.includes(mode)) return { kind: "render", widget, mode };
  if (widget.supportedModes.includes("display")) return { kind: "render", widget, mode: "display" };
  return { kind: "unsupported", widget };
}

/**
 * The widget a field gets when its view names none: the default of its type, except that a
 * Text(html=True) field, whose value is HTML, gets the RichText editor (a Textarea would show its tags).
 */
export function defaultWidgetName(field: { type: string; html?: boolean }): string | undefined {
  return field.type === "Text" && field.html ? "RichText" : undefined;
}

/** Resolve and render (the field renderer's entry point). */
export function renderWidget(name: string | undefined, props: WidgetProps): ReactNode {
  const widget = resolveWidget(name ?? defaultWidgetName(props.field), props.field.type);
  if (!widget) return null;
  const outcome = modeFor(widget, props.mode);
  if (outcome.kind === "unsupported") {
    console.warn(`Widget '${widget.name}' does not support mode '${props.mode}'.`);
    const fallback = getWidget("Unsupported");
    return fallback ? fallback.render({ ...props }) : null;
  }
  return widget.render({ ...widget.defaultProps, ...props, mode: outcome.mode });
}
