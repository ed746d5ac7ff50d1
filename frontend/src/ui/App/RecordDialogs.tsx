// The dialogs widgets open (widgets/dialogs.tsx): "Create and edit..." shows the related model's
// Form view and resolves with the saved record; a draft line of an embedded list is edited with
// the list's columns and resolves with the values (nothing is saved until the parent is).
import { Button, Group, Modal, Stack } from "@mantine/core";
import { useCallback, useMemo, useState, type ReactNode } from "react";
import type { ArchNode, RecordValues } from "../../core/api/shapes";
import { bindingsOf } from "../../core/views/modifiers";
import { useAuth } from "../auth";
import { FieldNode, type ArchContext } from "../FormView/Arch";
import { useMeta, useView } from "../hooks";
import { RecordDialogContext, type RecordDialogRequest } from "../widgets";
import { lazyComponent } from "../lazyComponent";

// The Form view (and its widgets) loads when the first record opens, not with the first list.
const FormView = lazyComponent(() => import("../FormView/FormView").then((m) => m.FormView));

interface Open { request: RecordDialogRequest; resolve: (v: RecordValues | null) => void }

function CreateDialog({ open, close }: { open: Open; close: (v: RecordValues | null) => void }): ReactNode {
  const view = useView(open.request.model, "Form");
  return (
    <Modal opened onClose={() => close(null)} title={open.request.title ?? "New record"} size="xl">
      {view.data && <FormView view={view.data} id={open.request.id ?? null} initial={open.request.values ?? {}} dialog={{ onDone: close }} />}
    </Modal>
  );
}

function DraftDialog({ open, close }: { open: Open; close: (v: RecordValues | null) => void }): ReactNode {
  const { profile } = useAuth();
  const meta = useMeta(open.request.model);
  const [values, setValues] = useState<RecordValues>(open.request.values ?? {});
  const bindings = useMemo(() => bindingsOf(profile), [profile]);
  const columns = (open.request.columns ?? []) as ArchNode[];
  const ctx: ArchContext | null = meta.data ? {
    model: open.request.model, view: { identifier: null, name: "", type: "Form", model: open.request.model, arch: [], fetch: [], models: { [open.request.model]: meta.data.fields }, methods: {} },
    fields: meta.data.fields, values, errors: {}, onChange: (f, v) => setValues((s) => ({ ...s, [f]: v })), onButton: () => {}, profile, bindings,
    recordId: open.request.id ?? null, readonly: false,
  } : null;
  return (
    <Modal opened onClose={() => close(null)} title={open.request.title ?? "Line"} size="lg">
      {ctx && (
        <Stack>
          {columns.map((c) => <FieldNode key={c.name} node={c} ctx={ctx} />)}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => close(null)}>Cancel</Button>
            <Button onClick={() => close(values)}>OK</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

export function RecordDialogs({ children }: { children: ReactNode }): ReactNode {
  const [stack, setStack] = useState<Open[]>([]);
  const openDialog = useCallback((request: RecordDialogRequest) => new Promise<RecordValues | null>((resolve) => {
    setStack((s) => [...s, { request, resolve }]);
  }), []);
  const close = (open: Open) => (value: RecordValues | null): void => {
    open.resolve(value);
    setStack((s) => s.filter((o) => o !== open));
  };
  return (
    <RecordDialogContext.Provider value={openDialog}>
      {children}
      {stack.map((open, i) => (open.request.draft
        ? <DraftDialog key={i} open={open} close={close(open)} />
        : <CreateDialog key={i} open={open} close={close(open)} />))}
    </RecordDialogContext.Provider>
  );
}
