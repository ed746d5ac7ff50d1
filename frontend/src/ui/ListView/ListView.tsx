import { ActionIcon, Alert, Anchor, Button, Checkbox, Group, Menu, Paper, Select, Stack, Text, Title } from "@mantine/core";
import { useHotkeys, useMediaQuery } from "@mantine/hooks";
import { modals } from "@mantine/modals";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Archive, ArchiveRestore, ChevronLeft, ChevronRight, Columns3, Download, MoreHorizontal, Plus, Trash2 } from "lucide-react";
import { useEffect, useMemo, useState, type KeyboardEvent, type ReactNode } from "react";
import { useLocation, useNavigate, useSearchParams } from "react-router";
import { api } from "../../core/api/http";
import { ApiError, errorMessage } from "../../core/api/errors";
import type { ActionDef, ModelMeta, QueryBody, RecordValues } from "../../core/api/shapes";
import { parseQ, type QNode } from "../../core/q";
import { queryKeys } from "../../core/query/keys";
import type { ViewComponentProps } from "../../core/registry/views";
import { PAGE_SIZES, nextOrder, pagerText, readListState, trailOf, writeListState } from "../../core/url";
import { bindingsOf } from "../../core/views/modifiers";
import { defaultFacets, searchRequest, type SearchState } from "../../core/views/search";
import { useAuth } from "../auth";
import { useMeta } from "../hooks";
import { runButton } from "../FormView/buttons";
import { SearchBar } from "../SearchBar";
import { columnsOf, hiddenColumns, listFields, setHiddenColumns } from "./columns";
import { ListTable } from "./ListTable";
import { useListQuery } from "./useListQuery";
import { writeValues } from "../FormView/values";
import { lazyComponent } from "../lazyComponent";

const EXPORT_LIMIT = 10000;
const Groups = lazyComponent(() => import("./Groups").then((m) => m.Groups));

export function actionFilter(action: ActionDef): QNode | null {
  if (!action.q_filter) return null;
  return typeof action.q_filter === "string" ? parseQ(action.q_filter) : action.q_filter;
}

export function ListView({ action, view, searchView }: ViewComponentProps): ReactNode {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const location = useLocation();
  const client = useQueryClient();
  const { profile } = useAuth();
  const phone = useMediaQuery("(max-width: 48em)");
  const state = readListState(params, action.limit ?? 80);
  const facets = state.facets ?? defaultFacets(searchView?.search, action.context?.search_default);
  const search: SearchState = { facets };
  const model = view.model;
  const fields = view.models[model] ?? {};
  const bindings = useMemo(() => bindingsOf(profile, { active_id: (state.context.active_id as number) ?? null }), [profile, state.context.active_id]);
  const [hidden, setHidden] = useState<string[]>(() => hiddenColumns(profile?.id, view.identifier ?? model));
  const allColumns = useMemo(() => columnsOf(view), [view]);
  const columns = useMemo(() => allColumns.filter((c) => !hidden.includes(c.name) && !(phone && c.node.properties?.mobile === false)), [allColumns, hidden, phone]);
  const block = view.arch[0] ?? {};
  const editableRows = block.editable === "inline" || block.editable === "top" || block.editable === "bottom" || block.editable === true;
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [allMatching, setAllMatching] = useState(false);
  const [editing, setEditing] = useState<{ id: number | "new"; values: RecordValues; original: RecordValues; errors: Record<string, string> } | null>(null);
  const meta: ModelMeta | null = useMeta(model).data ?? null;


  const base = actionFilter(action);
  const request = searchRequest(searchView?.search, search, state.filter ? (base ? { and: [base, state.filter] } : state.filter) : base);
  const context = { ...(action.context ?? {}), ...state.context };
  const order = state.order.length ? state.order : action.order_by ?? [];
  // What the rows are sorted by when nothing is asked: the action's order, else the model's.
  const shownOrder = order.length ? order : (meta?.order ?? "").split(",").map((o) => o.trim()).filter(Boolean);
  const body: QueryBody = {
    fields: listFields(view, allColumns),
    q_filter: request.q_filter,
    filters: request.filters.length ? request.filters : null,
    order_by: order.length ? order : null,
    limit: state.limit,
    offset: state.offset,
    context,
  };
  const grouped = request.group_by.length > 0;
  const page = useListQuery(model, body, !grouped);
  const rows = page.data?.data ?? [];
  const total = page.data?.total ?? null;
  const capped = Boolean(page.data?.total_capped);
  const hasActive = Boolean(meta && "active" in meta.fields);
  const ids = [...selected];

  useEffect(() => { setSelected(new Set()); setAllMatching(false); }, [params.toString()]);

  const update = (patch: Parameters<typeof writeListState>[1]): void => setParams(writeListState(params, patch), { state: location.state });
  const setSearch = (next: SearchState): void => update({ facets: next.facets, offset: 0 });
  const invalidate = (): Promise<void> => client.invalidateQueries({ queryKey: queryKeys.model(model) });

  const targetIds = async (): Promise<number[]> => {
    if (!allMatching) return ids;
    const everything = await api.query(model, { ...body, fields: ["id"], limit: EXPORT_LIMIT, offset: 0, total: "none" });
    return everything.data.map((r) => Number(r.id));
  };

  const bulk = useMutation({
    mutationFn: async (kind: "archive" | "unarchive" | "delete") => {
      const targets = await targetIds();
      if (kind === "delete") return api.bulkDelete(model, targets);
      return api.bulkUpdate(model, targets, { active: kind === "unarchive" });
    },
    onSuccess: (_, kind) => {
      notifications.show({ color: "green", message: kind === "delete" ? "Records deleted." : kind === "archive" ? "Records archived." : "Records restored." });
      setSelected(new Set());
      void invalidate();
    },
    onError: (error) => notifications.show({ color: "red", title: "Nothing was changed", message: errorMessage(error) }),
  });

  const confirmDelete = (): void => void modals.openConfirmModal({
    title: "Delete records",
    children: <Text size="sm">Delete {allMatching ? total : ids.length} record(s)? This cannot be undone.</Text>,
    labels: { confirm: "Delete", cancel: "Cancel" },
    confirmProps: { color: "red" },
    onConfirm: () => bulk.mutate("delete"),
  });

  const exportRows = async (format: "csv" | "xlsx"): Promise<void> => {
    try {
      const chosen = columns.map((c) => (c.field.type === "ManyToMany" || c.field.type === "OneToMany" ? c.name : c.name));
      const response = await api.exportFile(model, {
        format, fields: chosen, labels: columns.map((c) => c.label),
        q_filter: selected.size && !allMatching ? { path: "id", lookup: "in", value: ids } : request.q_filter,
        ...(selected.size && !allMatching ? {} : { filters: request.filters }), order_by: order, context,
      });
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = `${action.name}.${format}`;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      notifications.show({ color: "red", title: "Export failed", message: errorMessage(error) });
    }
  };

  const open = (row: RecordValues, index: number): void => {
    sessionStorage.setItem(`fullfinity.browse.${action.identifier}`, JSON.stringify(rows.map((r) => r.id)));
    const trail = [...trailOf(location.state), { label: action.name, to: `${location.pathname}${location.search}` }];
    navigate(`/action/${encodeURIComponent(action.identifier)}/${String(row.id)}`, { state: { trail, index } });
  };
  const create = (): void => {
    const trail = [...trailOf(location.state), { label: action.name, to: `${location.pathname}${location.search}` }];
    if (editableRows) { startNew(); return; }
    navigate(`/action/${encodeURIComponent(action.identifier)}/new`, { state: { trail } });
  };
  useHotkeys([["alt+c", () => { if (meta?.access.create) create(); }]]);

  // -- in-place editing ----------------------------------------------------------------------
  const editRow = (row: RecordValues): void => setEditing({ id: Number(row.id), values: { ...row }, original: row, errors: {} });
  const startEdit = (row: RecordValues): void => {
    if (editing && editing.id === row.id) return;
    if (editing) void saveEdit();
    editRow(row);
  };
  const startNew = (): void => setEditing({ id: "new", values: {}, original: {}, errors: {} });
  const saveEdit = async (): Promise<boolean> => {
    if (!editing) return true;
    const changed = Object.fromEntries(Object.entries(editing.values).filter(([k, v]) => editing.original[k] !== v && k in fields));
    if (Object.keys(changed).length === 0 && editing.id !== "new") { setEditing(null); return true; }
    try {
      const values = writeValues(changed, fields);
      if (editing.id === "new") await api.create(model, { ...values, __context: context });
      else await api.update(model, editing.id, { ...values, updated_date: editing.original.updated_date });
      setEditing(null);
      await invalidate();
      return true;
    } catch (error) {
      if (error instanceof ApiError) setEditing({ ...editing, errors: error.fieldErrors() });
      notifications.show({ color: "red", title: "Not saved", message: errorMessage(error) });
      return false;
    }
  };
  const onEditKey = (event: KeyboardEvent, index: number): void => {
    if (event.key === "Escape") { event.preventDefault(); setEditing(null); }
    if (event.key === "Enter" && !(event.target as HTMLElement).closest("[role=listbox]")) {
      event.preventDefault();
      // The row just saved is not saved again: this closure still holds it as the edited row.
      void saveEdit().then((ok) => { if (ok) { const next = rows[index + 1]; if (next) editRow(next); } });
    }
  };

  const shownRows = editing?.id === "new" ? (block.editable === "bottom" ? [...rows, editing.values] : [editing.values, ...rows]) : rows;
  const aggregates = columns.filter((c) => c.node.properties?.aggregate === "sum" || c.field.type === "Monetary").map((c) => `${c.name}:sum`);
  const buttons = (block.buttons ?? []).filter((b) => b.type === "actionButton");

  if (page.error instanceof ApiError && page.error.status === 403) {
    return <Alert color="red" title="Not allowed">{page.error.message}</Alert>;
  }

  const table = {
    model, order: shownOrder, onSort: (f: string, add: boolean) => update({ order: nextOrder(shownOrder, f, add), offset: 0 }),
    selected, onSelect: (list: number[], on: boolean) => setSelected((s) => { const n = new Set(s); list.forEach((i) => (on ? n.add(i) : n.delete(i))); return n; }),
    onOpen: open, profile, bindings, decorations: block.decorations as Record<string, unknown> | undefined,
    ...(editableRows ? { editing, onEdit: (f: string, v: unknown) => setEditing((e) => (e ? { ...e, values: { ...e.values, [f]: v } } : e)), onEditKey, onStartEdit: startEdit } : {}),
  };

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Group gap="xs">
          <Title order={1} size="h3">{action.name}</Title>
          {meta?.access.create && <Button size="xs" leftSection={<Plus size={14} />} onClick={create} title="New (Alt+C)">New</Button>}
          {editing && <Button size="xs" variant="light" onClick={() => void saveEdit()}>Save row</Button>}
          {editing && <Button size="xs" variant="subtle" onClick={() => setEditing(null)}>Discard row</Button>}
        </Group>
        {!grouped && (
          <Group gap="xs" data-testid="pager">
            <Text size="sm" aria-live="polite" data-testid="pager-text">{pagerText(state.offset, rows.length, total, capped)}</Text>
            <ActionIcon variant="default" aria-label="Previous page" disabled={state.offset === 0} onClick={() => update({ offset: Math.max(0, state.offset - state.limit) })}><ChevronLeft size={16} /></ActionIcon>
            <ActionIcon variant="default" aria-label="Next page" disabled={total !== null ? state.offset + rows.length >= total && !capped : rows.length < state.limit}
              onClick={() => update({ offset: state.offset + state.limit })}><ChevronRight size={16} /></ActionIcon>
            <Select size="xs" w={80} aria-label="Records per page" data={PAGE_SIZES.map(String)} value={String(state.limit)} allowDeselect={false}
              onChange={(v) => update({ limit: Number(v), offset: 0 })} />
          </Group>
        )}
      </Group>
      <Group gap="xs" wrap="nowrap" align="flex-start">
        <SearchBar model={model} action={action.identifier} spec={searchView?.search} fields={searchView?.models[model] ?? fields} state={search} onChange={setSearch} />
        <Menu closeOnItemClick={false} position="bottom-end" withinPortal>
          <Menu.Target><ActionIcon variant="default" size="lg" aria-label="Choose columns"><Columns3 size={16} /></ActionIcon></Menu.Target>
          <Menu.Dropdown>
            <Menu.Label>Columns</Menu.Label>
            {allColumns.map((c) => (
              <Menu.Item key={c.name} leftSection={<Checkbox size="xs" checked={!hidden.includes(c.name)} readOnly tabIndex={-1} aria-hidden />}
                onClick={() => { const next = hidden.includes(c.name) ? hidden.filter((h) => h !== c.name) : [...hidden, c.name]; setHidden(next); setHiddenColumns(profile?.id, view.identifier ?? model, next); }}>
                {c.label}
              </Menu.Item>
            ))}
          </Menu.Dropdown>
        </Menu>
      </Group>
      {(selected.size > 0 || allMatching) && (
        <Paper withBorder p="xs" data-testid="selection-bar">
          <Group gap="sm" wrap="wrap">
            <Text size="sm" fw={600}>{allMatching ? `All ${total?.toLocaleString("en-US")}${capped ? "+" : ""} selected` : `${selected.size} selected`}</Text>
            {!allMatching && total !== null && selected.size === rows.length && total > rows.length && (
              <Anchor component="button" size="sm" onClick={() => setAllMatching(true)}>Select all {total.toLocaleString("en-US")}{capped ? "+" : ""} matching</Anchor>
            )}
            {buttons.map((b) => (
              <Button key={String(b.properties?.method)} size="xs" variant={(b.properties?.variant as string) ?? "light"} color={b.properties?.color as string | undefined}
                onClick={() => void targetIds().then((targets) => runButton({ model, method: String(b.properties?.method), ids: targets, view, context, navigate, after: invalidate }))}>
                {String(b.properties?.label ?? b.properties?.method)}
              </Button>
            ))}
            <Menu position="bottom-start" withinPortal>
              <Menu.Target><Button size="xs" variant="default" rightSection={<MoreHorizontal size={14} />}>Actions</Button></Menu.Target>
              <Menu.Dropdown>
                <Menu.Item leftSection={<Download size={14} />} onClick={() => void exportRows("csv")}>Export CSV</Menu.Item>
                <Menu.Item leftSection={<Download size={14} />} onClick={() => void exportRows("xlsx")}>Export XLSX</Menu.Item>
                {hasActive && meta?.access.write && <Menu.Item leftSection={<Archive size={14} />} onClick={() => bulk.mutate("archive")}>Archive</Menu.Item>}
                {hasActive && meta?.access.write && <Menu.Item leftSection={<ArchiveRestore size={14} />} onClick={() => bulk.mutate("unarchive")}>Unarchive</Menu.Item>}
                {meta?.access.delete && <Menu.Item color="red" leftSection={<Trash2 size={14} />} onClick={confirmDelete}>Delete</Menu.Item>}
              </Menu.Dropdown>
            </Menu>
            <Button size="xs" variant="subtle" onClick={() => { setSelected(new Set()); setAllMatching(false); }}>Clear selection</Button>
          </Group>
        </Paper>
      )}
      {!grouped && selected.size === 0 && (
        <Group justify="flex-end"><Button size="compact-xs" variant="subtle" leftSection={<Download size={12} />} onClick={() => void exportRows("csv")}>Export all (CSV)</Button></Group>
      )}
      {grouped ? (
        <Groups model={model} base={body} keys={request.group_by} columns={columns} aggregates={aggregates} table={table} />
      ) : page.isSuccess && rows.length === 0 && !editing ? (
        <Paper withBorder p="xl" ta="center" data-testid="empty-state">
          <Text c="dimmed">{action.help || "No records match this search."}</Text>
        </Paper>
      ) : (
        <ListTable {...table} columns={columns} rows={shownRows} caption={action.name} cards={Boolean(phone)} />
      )}
    </Stack>
  );
}

