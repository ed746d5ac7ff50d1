// The two dialogs of RecordDialogs.tsx, in a chunk loaded with the first dialog opened: "Create
// and edit..." shows the related model's Form view and resolves with the saved record; a draft
// line of an embedded list is edited with the list's columns and resolves with the values.
import { Button, Group, Modal, Stack } from "@mantine/core";
import { useMemo, useState, type ReactNode } from "react";
import type { ArchNode, RecordValues } from "../../core/api/shapes";
import { bindingsOf } from "../../core/views/modifiers";
import { useAuth } from "../auth";
import { FieldNode, type ArchContext } from "../FormView/Arch";
import { FormView } from "../FormView/FormView";
import { useMeta, useView } from "../hooks";
import type { RecordDialogRequest } from "../widgets";

export interface DialogProps { request: RecordDialogRequest; close: (v: RecordValues | null) => void }

export function CreateDialog({ request, close }: DialogProps): ReactNode {
  const view = useView(request.model, "Form");
  return (
    <Modal opened onClose={() => close(null)} title={request.title ?? "New record"} size="xl">
      {view.data && <FormView view={view.data} id={request.id ?? null} initial={request.values ?? {}} dialog={{ onDone: close }} />}
    </Modal>
  );
}

export function DraftDialog({ request, close }: DialogProps): ReactNode {
  const { profile } = useAuth();
  const meta = useMeta(request.model);
  const [values, setValues] = useState<RecordValues>(request.values ?? {});
  const bindings = useMemo(() => bindingsOf(profile), [profile]);
  const columns = (request.columns ?? []) as ArchNode[];
  const ctx: ArchContext | null = meta.data ? {
    model: request.model, view: { identifier: null, name: "", type: "Form", model: request.model, arch: [], fetch: [], models: { [request.model]: meta.data.fields }, methods: {} },
    fields: meta.data.fields, values, errors: {}, onChange: (f, v) => setValues((s) => ({ ...s, [f]: v })), onButton: () => {}, profile, bindings,
    recordId: request.id ?? null, readonly: false,
  } : null;
  return (
    <Modal opened onClose={() => close(null)} title={request.title ?? "Line"} size="lg">
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

