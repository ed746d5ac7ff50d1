import { Alert, Breadcrumbs, Anchor, Button, Group, Menu, Modal, Stack, Text } from "@mantine/core";
import { useHotkeys } from "@mantine/hooks";
import { modals } from "@mantine/modals";
import { notifications } from "@mantine/notifications";
import { useQueryClient } from "@tanstack/react-query";
import { ChevronLeft, ChevronRight, Copy, MoreHorizontal, Archive, ArchiveRestore, Trash2 } from "lucide-react";
import { useEffect, useMemo, type ReactNode } from "react";
import { Link, useBlocker, useLocation, useNavigate } from "react-router";
import { api } from "../../core/api/http";
import { ApiError, errorMessage } from "../../core/api/errors";
import type { ActionDef, RecordValues, ViewDef } from "../../core/api/shapes";
import { queryKeys } from "../../core/query/keys";
import { trailOf } from "../../core/url";
import { bindingsOf } from "../../core/views/modifiers";
import { useAuth } from "../auth";
import { ActionButton, Nodes, Statusbar, type ArchContext } from "./Arch";
import { runButton } from "./buttons";
import { useRecordForm } from "./useRecordForm";

interface Props {
  view: ViewDef;
  action?: ActionDef | null;
  id: number | null;
  context?: Record<string, unknown>;
  initial?: RecordValues;
  /** In a dialog: no URL, no breadcrumbs; `onDone` gets the saved record (null: cancelled). */
  dialog?: { onDone: (record: RecordValues | null) => void };
}

const HEADER = new Set(["statusbar", "actionButton"]);

export function FormView({ view, action, id, context = {}, initial, dialog }: Props): ReactNode {
  const { profile } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const client = useQueryClient();
  const form = useRecordForm(view, id, context, initial);
  const model = view.model;
  const fields = view.models[model] ?? {};
  const bindings = useMemo(() => bindingsOf(profile, { active_id: id }), [profile, id]);
  const root = view.arch[0]?.content ?? [];
  const header = root.filter((n) => HEADER.has(n.type));
  const body = root.filter((n) => !HEADER.has(n.type));
  const trail = trailOf(location.state);
  const base = action ? `/action/${encodeURIComponent(action.identifier)}` : `/model/${model}`;
  const browse: unknown[] = useMemo(() => {
    if (!action) return [];
    try { return JSON.parse(sessionStorage.getItem(`fullfinity.browse.${action.identifier}`) ?? "[]") as unknown[]; } catch { return []; }
  }, [action]);
  const position = id !== null ? browse.indexOf(id) : -1;
  const hasActive = "active" in fields;

  useEffect(() => {
    if (!form.dirty || dialog) return;
    const warn = (e: BeforeUnloadEvent): void => { e.preventDefault(); };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [form.dirty, dialog]);

  const save = async (): Promise<RecordValues | null> => {
    try {
      const saved = await form.save();
      if (saved && dialog) dialog.onDone(saved);
      else if (saved && id === null) navigate(`${base}/${String(saved.id)}`, { replace: true, state: location.state });
      else if (saved) notifications.show({ color: "green", message: "Saved." });
      return saved;
    } catch (error) {
      if (!(error instanceof ApiError && error.isConflict)) notifications.show({ color: "red", title: "Not saved", message: errorMessage(error) });
      return null;
    }
  };

  const onButton = async (method: string): Promise<void> => {
    let recordId = id;
    if (form.dirty || recordId === null) {
      const saved = await save();
      if (!saved) return;
      recordId = Number(saved.id);
    }
    await runButton({ model, method, ids: [recordId], view, context, navigate, after: () => client.invalidateQueries({ queryKey: queryKeys.model(model) }) });
  };

  const go = (delta: number): void => {
    const next = browse[position + delta];
    if (next !== undefined) navigate(`${base}/${String(next)}`, { state: location.state });
  };
  const discard = (): void => { if (id === null && !dialog) navigate(trail.at(-1)?.to ?? base); else form.discard(); };
  useHotkeys([
    ["alt+s", () => void save()],
    ["alt+j", discard],
    ["alt+n", () => go(1)],
    ["alt+p", () => go(-1)],
    ["alt+c", () => { if (!dialog) navigate(`${base}/new`, { state: location.state }); }],
  ], []);

  const remove = (): void => void modals.openConfirmModal({
    title: "Delete this record", children: <Text size="sm">Delete {String(form.values.display_name ?? "this record")}? This cannot be undone.</Text>,
    labels: { confirm: "Delete", cancel: "Cancel" }, confirmProps: { color: "red" },
    onConfirm: () => void api.remove(model, id!).then(async () => {
      await client.invalidateQueries({ queryKey: queryKeys.model(model) });
      navigate(trail.at(-1)?.to ?? base);
    }).catch((e: unknown) => notifications.show({ color: "red", title: "Not deleted", message: errorMessage(e) })),
  });
  const setActive = async (active: boolean): Promise<void> => {
    try {
      await api.update(model, id!, { active, updated_date: form.values.updated_date });
      await client.invalidateQueries({ queryKey: queryKeys.model(model) });
      notifications.show({ color: "green", message: active ? "Restored." : "Archived." });
    } catch (e) {
      notifications.show({ color: "red", message: errorMessage(e) });
    }
  };

  if (form.missing) {
    return <Alert color="red" title={form.missing.status === 404 ? "Record not found" : "Cannot open this record"}>{form.missing.message}</Alert>;
  }
  if (!form.loaded) return null;

  const ctx: ArchContext = {
    model, view, fields, values: form.values, errors: form.errors, onChange: form.set, onButton: (m) => void onButton(m),
    profile, bindings, recordId: id, readonly: false, defaultTab: context.tab as string | undefined,
  };
  const title = id === null ? "New" : String(form.values.display_name ?? `#${id}`);
  const generalErrors = Object.entries(form.errors).filter(([path]) => !(path.split(".")[0]! in fields));

  return (
    <Stack gap="sm" data-testid="form-view" data-dirty={form.dirty || undefined}>
      {!dialog && (
        <Group justify="space-between" wrap="wrap" gap="xs">
          <nav aria-label="Breadcrumbs">
            <Breadcrumbs separator="/">
              {trail.map((c, i) => <Anchor key={i} component={Link} to={c.to} state={{ trail: trail.slice(0, i) }} size="sm">{c.label}</Anchor>)}
              <Text size="sm" fw={600} aria-current="page">{title}</Text>
            </Breadcrumbs>
          </nav>
          {browse.length > 1 && position >= 0 && (
            <Group gap={4}>
              <Text size="sm">{position + 1} / {browse.length}</Text>
              <Button size="compact-sm" variant="default" disabled={position <= 0} onClick={() => go(-1)} aria-label="Previous record (Alt+P)"><ChevronLeft size={14} /></Button>
              <Button size="compact-sm" variant="default" disabled={position >= browse.length - 1} onClick={() => go(1)} aria-label="Next record (Alt+N)"><ChevronRight size={14} /></Button>
            </Group>
          )}
        </Group>
      )}
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Group gap="xs">
          <Button size="xs" onClick={() => void save()} loading={form.saving} disabled={!form.dirty && id !== null} title="Save (Alt+S)">Save</Button>
          <Button size="xs" variant="default" onClick={dialog ? () => dialog.onDone(null) : discard} disabled={!dialog && !form.dirty && id !== null} title="Discard (Alt+J)">Discard</Button>
          {id !== null && !dialog && (
            <Menu position="bottom-start" withinPortal>
              <Menu.Target><Button size="xs" variant="subtle" rightSection={<MoreHorizontal size={14} />}>Actions</Button></Menu.Target>
              <Menu.Dropdown>
                <Menu.Item leftSection={<Copy size={14} />} onClick={() => navigate(`${base}/new`, { state: { ...(location.state as object), duplicate: form.duplicateValues() } })}>Duplicate</Menu.Item>
                {hasActive && (form.values.active === false
                  ? <Menu.Item leftSection={<ArchiveRestore size={14} />} onClick={() => void setActive(true)}>Unarchive</Menu.Item>
                  : <Menu.Item leftSection={<Archive size={14} />} onClick={() => void setActive(false)}>Archive</Menu.Item>)}
                <Menu.Item color="red" leftSection={<Trash2 size={14} />} onClick={remove}>Delete</Menu.Item>
              </Menu.Dropdown>
            </Menu>
          )}
          {header.filter((n) => n.type === "actionButton").map((n, i) => <ActionButton key={i} node={n} ctx={ctx} />)}
        </Group>
        {header.filter((n) => n.type === "statusbar").map((n, i) => <Statusbar key={i} node={n} ctx={ctx} />)}
      </Group>
      {form.values.active === false && <Alert color="gray" py={6}>This record is archived.</Alert>}
      {generalErrors.length > 0 && (
        <Alert color="red" title="Please check" role="alert">{generalErrors.map(([p, m]) => <div key={p}>{p ? `${p}: ` : ""}{m}</div>)}</Alert>
      )}
      <Stack gap="sm"><Nodes nodes={body} ctx={ctx} /></Stack>

      <Modal opened={form.conflict} onClose={form.dismissConflict} title="Someone else changed this record" centered>
        <Stack>
          <Text size="sm">This record was saved by someone else after you opened it, so your changes were not written. They are still here.</Text>
          <Text size="sm">Reload the record to see the other changes with your edits applied on top, then save again.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={form.dismissConflict}>Keep editing</Button>
            <Button onClick={() => void form.reloadKeepingEdits()}>Reload, keep my changes</Button>
          </Group>
        </Stack>
      </Modal>

      {!dialog && <LeaveGuard dirty={form.dirty} onSave={save} onDiscard={form.discard} />}
    </Stack>
  );
}

/** Leaving a dirty form asks: save, discard or stay (never a silent save, never a silent loss). */
function LeaveGuard({ dirty, onSave, onDiscard }: { dirty: boolean; onSave: () => Promise<RecordValues | null>; onDiscard: () => void }): ReactNode {
  const blocker = useBlocker(({ currentLocation, nextLocation }) => dirty && (currentLocation.pathname !== nextLocation.pathname));
  return (
    <Modal opened={blocker.state === "blocked"} onClose={() => blocker.reset?.()} title="Unsaved changes" centered>
      <Stack>
        <Text size="sm">This record has changes that are not saved.</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => blocker.reset?.()}>Stay</Button>
          <Button variant="light" color="red" onClick={() => { onDiscard(); blocker.proceed?.(); }}>Discard</Button>
          <Button onClick={() => void onSave().then((s) => { if (s) blocker.proceed?.(); else blocker.reset?.(); })}>Save</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
