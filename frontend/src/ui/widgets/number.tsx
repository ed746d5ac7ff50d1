// Numbers: NumberInput (Integer, Float), MonetaryInput (Monetary, with its currency), Progress.
// Float and Monetary values are decimal strings end to end: typed text is checked and kept as
// text ("1234.50"), never parsed into a JavaScript float.
import { Group, Progress as MProgress, Text, TextInput } from "@mantine/core";
import { useEffect, useState, type ReactNode } from "react";
import { formatDecimal, isDecimalString, parseDecimalInput } from "../../core/decimal";
import { affixOf, formatNumber, precisionOf } from "../../core/format";
import { createWidget, registerWidget, type WidgetProps } from "../../core/registry/widgets";
import { editable, inputProps } from "./text";

function editText(p: WidgetProps): string {
  if (p.value === null || p.value === undefined) return "";
  if (p.field.type === "Integer") return String(p.value);
  const precision = precisionOf(p.field, p.record);
  return typeof p.value === "number" || isDecimalString(p.value) ? formatDecimal(p.value, { precision, group: "" }) : String(p.value);
}

function DecimalInput(p: WidgetProps & { prefix?: string | undefined; suffix?: string | undefined }): ReactNode {
  const [text, setText] = useState(editText(p));
  const [invalid, setInvalid] = useState<string | null>(null);
  useEffect(() => { setText(editText(p)); setInvalid(null); }, [p.value]); // eslint-disable-line react-hooks/exhaustive-deps
  const integer = p.field.type === "Integer";
  const commit = (raw: string): void => {
    const parsed = parseDecimalInput(raw);
    if (raw.trim() === "") { setInvalid(null); p.onChange(null); return; }
    if (parsed === null || (integer && !/^-?[0-9]+$/.test(parsed))) {
      setInvalid(integer ? "Enter a whole number." : "Enter a number, such as 1234.50.");
      return;
    }
    setInvalid(null);
    p.onChange(integer ? Number(parsed) : parsed);
  };
  return (
    <TextInput {...inputProps(p)} inputMode={integer ? "numeric" : "decimal"} value={text} error={invalid ?? p.error}
      leftSection={p.prefix ? <Text size="xs" c="dimmed">{p.prefix}</Text> : undefined}
      rightSection={p.suffix ? <Text size="xs" c="dimmed">{p.suffix}</Text> : undefined}
      styles={{ input: { textAlign: "right" } }}
      onChange={(e) => { setText(e.currentTarget.value); commit(e.currentTarget.value); }}
      onBlur={() => setText(editText(p))} />
  );
}

function NumberDisplay(p: WidgetProps): ReactNode {
  // A plain span (.ff-num in global.css): lists draw amounts by the thousand.
  return <span className="ff-t-sm ff-num">{formatNumber(p.value, p.field, p.record)}</span>;
}

registerWidget("NumberInput", createWidget({
  name: "NumberInput",
  fieldTypes: ["Integer", "Float", "Numeric"],
  render: (p) => (editable(p) && !p.readonly ? <DecimalInput {...p} /> : <NumberDisplay {...p} />),
}));

registerWidget("MonetaryInput", createWidget({
  name: "MonetaryInput",
  fieldTypes: ["Monetary"],
  render: (p) => {
    if (!editable(p) || p.readonly) return <NumberDisplay {...p} />;
    const { prefix, suffix } = affixOf(p.field, p.record);
    return <DecimalInput {...p} prefix={prefix} suffix={suffix} />;
  },
}));

registerWidget("Progress", createWidget({
  name: "Progress",
  fieldTypes: ["Integer", "Float"],
  render: (p) => {
    if (editable(p) && !p.readonly) return <DecimalInput {...p} />;
    const value = Math.max(0, Math.min(100, Number(p.value ?? 0)));
    return (
      <Group gap="xs" wrap="nowrap">
        <MProgress value={value} w={120} aria-label={`${p.label}: ${value}%`} />
        <Text size="xs">{formatNumber(p.value ?? 0, p.field, p.record)}%</Text>
      </Group>
    );
  },
}));
