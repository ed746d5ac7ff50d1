// Text-like widgets: Text (read-only, any type), TextInput, Textarea, RichText, Link, ColorInput, JsonInput.
import { Anchor, ColorInput, ColorSwatch, Group, JsonInput, Text as MText, Textarea, TextInput } from "@mantine/core";
import type { CSSProperties, ReactNode } from "react";
import { formatValue } from "../../core/format";
import { htmlToText } from "../../core/htmlText";
import { createWidget, registerWidget, type WidgetProps } from "../../core/registry/widgets";
import { lazyWidget } from "./lazy";

export function ctx(p: WidgetProps): { tz: string; lang: string } {
  return { tz: p.profile?.tz || "UTC", lang: p.profile?.lang?.replace("_", "-") || "en" };
}

/** Mantine style props a view may pass through (views.md 5). */
export function styleProps(p: WidgetProps): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ["fw", "size", "c", "ta", "fs", "tt"]) if (p.properties[key] !== undefined) out[key] = p.properties[key];
  return out;
}

export function display(p: WidgetProps): string {
  return formatValue(p.value, p.field, ctx(p), p.record);
}

const SIZES = new Set(["xs", "sm", "md", "lg", "xl"]);

/**
 * A value as text. A plain span with Mantine's size variables (lists and cards draw it by the
 * thousand: a Mantine Text per cell cost more than the rest of the row); Mantine's Text only for
 * a theme colour (`c: red`), which Mantine resolves per scheme.
 */
export function DisplayText(p: WidgetProps): ReactNode {
  const props = p.properties;
  const size = (props.size as string | undefined) ?? "sm";
  const color = props.c as string | undefined;
  if ((color && color !== "dimmed") || !SIZES.has(size)) return <MText span size={size} {...styleProps(p)}>{display(p)}</MText>;
  // The size (and dimmed) as a class of global.css; inline style only for what a view sets.
  const className = color ? `ff-t-${size} ff-t-dimmed` : `ff-t-${size}`;
  if (props.fw === undefined && props.ta === undefined && props.fs === undefined && props.tt === undefined) return <span className={className}>{display(p)}</span>;
  const style: CSSProperties = {
    fontWeight: props.fw as CSSProperties["fontWeight"], textAlign: props.ta as CSSProperties["textAlign"],
    fontStyle: props.fs as CSSProperties["fontStyle"], textTransform: props.tt as CSSProperties["textTransform"],
  };
  return <span className={className} style={style}>{display(p)}</span>;
}

function inputProps(p: WidgetProps): Record<string, unknown> {
  return {
    label: p.mode === "form" && !p.properties.nolabel ? p.label : undefined,
    "aria-label": p.label,
    required: p.required,
    readOnly: p.readonly,
    variant: p.readonly ? "unstyled" : "default",
    error: p.error,
    placeholder: (p.properties.placeholder as string) ?? undefined,
    size: p.mode === "formlist" || p.mode === "list" ? "xs" : "sm",
    "data-field": p.name,
  };
}

const editable = (p: WidgetProps): boolean => p.mode === "form" || p.mode === "formlist";

registerWidget("Text", createWidget({ name: "Text", render: DisplayText }));
registerWidget("Unsupported", createWidget({ name: "Unsupported", render: (p) => <MText c="dimmed" size="xs">Unsupported widget for {p.name}</MText> }));

registerWidget("TextInput", createWidget({
  name: "TextInput",
  fieldTypes: ["Char"],
  render: (p) => editable(p)
    ? <TextInput {...inputProps(p)} value={(p.value as string) ?? ""} maxLength={p.field.max_length} onChange={(e) => p.onChange(e.currentTarget.value || null)} {...styleProps(p)} />
    : <DisplayText {...p} />,
}));

// A secret typed in a form (wizards): never shown back, never displayed in lists.
registerWidget("PasswordInput", createWidget({
  name: "PasswordInput",
  fieldTypes: ["Char"],
  supportedModes: ["form", "formlist"],
  render: lazyWidget(() => import("./password").then((m) => m.Password)),
}));

const area = (p: WidgetProps): ReactNode => editable(p)
  ? <Textarea {...inputProps(p)} autosize minRows={2} maxRows={12} value={(p.value as string) ?? ""} onChange={(e) => p.onChange(e.currentTarget.value || null)} />
  : <MText size="sm" style={{ whiteSpace: p.mode === "form" || p.mode === "display" ? "pre-wrap" : undefined }}>{display(p)}</MText>;
registerWidget("Textarea", createWidget({ name: "Textarea", fieldTypes: ["Text"], render: area }));
// Rich text: on a Text(html=True) field (sanitised by the server) the value is HTML, shown through
// the client's allowlist too; lists show its text; the editor is a lazy chunk. On a plain Text
// field it is a Textarea (no HTML from such a field reaches the page).
const RichTextEdit = lazyWidget(() => import("./richTextEditor").then((m) => m.RichTextEdit));
const RichTextView = lazyWidget(() => import("./richTextView").then((m) => m.RichTextView));
const rich = (p: WidgetProps): ReactNode => {
  if (!p.field.html) return area(p);
  const value = (p.value as string | null) ?? "";
  if (editable(p) && !p.readonly && p.mode === "form") return <RichTextEdit {...p} />;
  if (p.mode === "list" || p.mode === "formlist") return <MText span size="sm">{htmlToText(value)}</MText>;
  return <RichTextView {...p} />;
};
registerWidget("RichText", createWidget({ name: "RichText", fieldTypes: ["Text"], render: rich }));

function href(value: string): string | null {
  if (/^https?:\/\//i.test(value)) return value;
  if (/^[^@\s]+@[^@\s]+$/.test(value)) return `mailto:${value}`;
  if (/^\+?[0-9 ().-]{5,}$/.test(value)) return `tel:${value.replace(/[^0-9+]/g, "")}`;
  return null;
}

registerWidget("Link", createWidget({
  name: "Link",
  fieldTypes: ["Char"],
  render: (p) => {
    if (editable(p) && !p.readonly) return getText(p);
    const value = (p.value as string) ?? "";
    const target = value ? href(value) : null;
    const size = (p.properties.size as string | undefined) ?? "sm";
    if (!target) return <span className="ff-t-sm">{value}</span>;
    // Lists draw links by the hundred: a plain anchor styled like Mantine's (.ff-link in global.css).
    return p.mode === "list" && SIZES.has(size)
      ? <a className={`ff-link ff-t-${size}`} href={target} onClick={(e) => e.stopPropagation()} target={target.startsWith("http") ? "_blank" : undefined} rel="noreferrer">{value}</a>
      : <Anchor href={target} size={size} onClick={(e) => e.stopPropagation()} target={target.startsWith("http") ? "_blank" : undefined} rel="noreferrer">{value}</Anchor>;
  },
}));

function getText(p: WidgetProps): ReactNode {
  return <TextInput {...inputProps(p)} value={(p.value as string) ?? ""} onChange={(e) => p.onChange(e.currentTarget.value || null)} />;
}

registerWidget("ColorInput", createWidget({
  name: "ColorInput",
  fieldTypes: ["Char"],
  render: (p) => editable(p) && !p.readonly
    ? <ColorInput {...inputProps(p)} value={(p.value as string) ?? ""} onChange={(v) => p.onChange(v || null)} />
    : <Group gap={6}>{typeof p.value === "string" && <ColorSwatch color={p.value} size={14} />}<MText span size="sm">{display(p)}</MText></Group>,
}));

registerWidget("JsonInput", createWidget({
  name: "JsonInput",
  fieldTypes: ["JSON"],
  render: (p) => {
    if (!editable(p) || p.readonly) return <MText span size="sm" ff="monospace">{p.value === null || p.value === undefined ? "" : JSON.stringify(p.value)}</MText>;
    const text = p.value === null || p.value === undefined ? "" : typeof p.value === "string" ? p.value : JSON.stringify(p.value, null, 2);
    return (
      <JsonInput {...inputProps(p)} autosize minRows={3} formatOnBlur validationError="Not valid JSON" defaultValue={text}
        onBlur={(e) => { try { p.onChange(e.currentTarget.value.trim() ? JSON.parse(e.currentTarget.value) : null); } catch { /* shown by JsonInput */ } }} />
    );
  },
}));

export { inputProps, editable };
