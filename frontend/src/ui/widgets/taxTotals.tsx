// TaxTotals: the totals block of an invoice (a JSON field `{amount_untaxed, amount_tax,
// amount_total, groups: [{name, base, amount}]}`): untaxed, one line per tax group, total. The
// amounts are decimal strings from the server, shown with grouping, never parsed into floats.
import { Table, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { formatDecimal, isDecimalString } from "../../core/decimal";
import { createWidget, registerWidget, type WidgetProps } from "../../core/registry/widgets";

interface TaxGroup { name: string; base: string; amount: string }
interface Totals { amount_untaxed: string; amount_tax: string; amount_total: string; groups?: TaxGroup[] }

function isTotals(value: unknown): value is Totals {
  return Boolean(value) && typeof value === "object" && isDecimalString((value as Totals).amount_total);
}

function money(value: string): string {
  // Every digit the server sent ("549.00" stays 549.00), grouped.
  return isDecimalString(value) ? formatDecimal(value, { precision: (value.split(".")[1] ?? "").length }) : value;
}

function Row({ label, value, strong }: { label: string; value: string; strong?: boolean }): ReactNode {
  return (
    <Table.Tr>
      <Table.Td><Text size="sm" fw={strong ? 700 : undefined}>{label}</Text></Table.Td>
      <Table.Td ta="right"><Text size="sm" fw={strong ? 700 : undefined} style={{ fontVariantNumeric: "tabular-nums" }}>{money(value)}</Text></Table.Td>
    </Table.Tr>
  );
}

function TaxTotals(p: WidgetProps): ReactNode {
  if (!isTotals(p.value)) return null;
  const totals = p.value;
  return (
    <Table data-testid="tax-totals" aria-label={p.label} withRowBorders={false} verticalSpacing={2} maw={360} ml="auto">
      <Table.Tbody>
        <Row label="Untaxed amount" value={totals.amount_untaxed} />
        {(totals.groups ?? []).map((g) => <Row key={g.name} label={g.name} value={g.amount} />)}
        <Row label="Total" value={totals.amount_total} strong />
      </Table.Tbody>
    </Table>
  );
}

registerWidget("TaxTotals", createWidget({ name: "TaxTotals", fieldTypes: ["JSON"], supportedModes: ["form", "display"], render: (p) => <TaxTotals {...p} /> }));
