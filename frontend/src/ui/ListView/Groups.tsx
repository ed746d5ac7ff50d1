// Grouped lists: one row per group with its count and sums, expandable; an expanded group shows
// its sub-groups (next key) or its records with a pager of its own.
import { Button, Group, Paper, Stack, Text, UnstyledButton } from "@mantine/core";
import { ChevronDown, ChevronRight } from "lucide-react";
import { useState, type ReactNode } from "react";
import type { QueryBody, RecordValues } from "../../core/api/shapes";
import { formatNumber } from "../../core/format";
import { parseQ, type QNode } from "../../core/q";
import { pagerText } from "../../core/url";
import type { Column } from "./columns";
import { ListTable, type ListTableProps } from "./ListTable";
import { useListQuery } from "./useListQuery";

interface GroupsProps {
  model: string;
  base: QueryBody;
  keys: string[];
  columns: Column[];
  aggregates: string[];
  table: Omit<ListTableProps, "rows" | "columns" | "caption">;
  depth?: number;
}

const GROUP_PAGE = 80;

function keyLabel(value: unknown): string {
  if (value === null || value === undefined || value === false) return "None";
  if (typeof value === "object") return String((value as { display_name?: string }).display_name ?? "None");
  return String(value);
}

function and(a: QueryBody["q_filter"], b: QNode): QNode {
  if (!a) return b;
  const left = typeof a === "string" ? parseQ(a) : a;
  return { and: [left, b] };
}

function GroupRecords({ model, base, filter, columns, table }: { model: string; base: QueryBody; filter: QNode; columns: Column[]; table: GroupsProps["table"] }): ReactNode {
  const [offset, setOffset] = useState(0);
  const body: QueryBody = { ...base, group_by: null, aggregates: [], q_filter: and(base.q_filter, filter), offset, limit: GROUP_PAGE };
  delete body.group_by;
  const page = useListQuery(model, body);
  const rows = page.data?.data ?? [];
  const total = page.data?.total ?? 0;
  return (
    <Stack gap={4}>
      <ListTable {...table} columns={columns} rows={rows} caption="Records of the group" />
      {total > GROUP_PAGE && (
        <Group gap="xs" justify="flex-end">
          <Text size="xs">{pagerText(offset, rows.length, total, Boolean(page.data?.total_capped))}</Text>
          <Button size="compact-xs" variant="default" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - GROUP_PAGE))}>Previous</Button>
          <Button size="compact-xs" variant="default" disabled={offset + GROUP_PAGE >= total} onClick={() => setOffset(offset + GROUP_PAGE)}>Next</Button>
        </Group>
      )}
    </Stack>
  );
}

export function Groups(p: GroupsProps): ReactNode {
  const depth = p.depth ?? 0;
  const body: QueryBody = { q_filter: p.base.q_filter ?? null, filters: p.base.filters ?? null, group_by: [p.keys[0]!], aggregates: p.aggregates, limit: 500, context: p.base.context ?? null };
  const groups = useListQuery(p.model, body);
  const [open, setOpen] = useState<Set<number>>(new Set());
  const key = p.keys[0]!;
  const sums = p.aggregates.filter((a) => a.endsWith(":sum"));
  return (
    <Stack gap={4} pl={depth ? "md" : 0} data-testid="groups">
      {(groups.data?.data ?? []).map((g: RecordValues, index: number) => {
        const expanded = open.has(index);
        const filter = typeof g.__q_filter === "string" ? parseQ(g.__q_filter) : (g.__q_filter as QNode);
        return (
          <Paper key={index} withBorder p={4} radius="sm">
            <UnstyledButton w="100%" onClick={() => setOpen((s) => { const n = new Set(s); if (n.has(index)) n.delete(index); else n.add(index); return n; })}
              aria-expanded={expanded} data-group={keyLabel(g[key])}>
              <Group justify="space-between" px="xs" wrap="nowrap">
                <Group gap={6} wrap="nowrap">
                  {expanded ? <ChevronDown size={14} /> : <ChevronRight size={14} />}
                  <Text size="sm" fw={600}>{keyLabel(g[key])}</Text>
                  <Text size="sm" c="dimmed">({String(g.__count)})</Text>
                </Group>
                <Group gap="md" wrap="nowrap">
                  {sums.map((s) => {
                    const column = p.columns.find((c) => c.name === s.split(":")[0]);
                    return column ? <Text key={s} size="sm" style={{ fontVariantNumeric: "tabular-nums" }}>{column.label}: {formatNumber(g[s], column.field)}</Text> : null;
                  })}
                </Group>
              </Group>
            </UnstyledButton>
            {expanded && (p.keys.length > 1
              ? <Groups {...p} keys={p.keys.slice(1)} base={{ ...p.base, q_filter: and(p.base.q_filter, filter) }} depth={depth + 1} />
              : <GroupRecords model={p.model} base={p.base} filter={filter} columns={p.columns} table={p.table} />)}
          </Paper>
        );
      })}
    </Stack>
  );
}
