// A wizard (later.md 1): the Form view of a transient model in a dialog, opened by a window
// action with `target: new`. The draft comes from default-get with the action's context
// (`active_model`, `active_ids`), onchange recomputes it, and a footer button runs its method
// with the draft as `values`: a confirmation first when the method declares one, messages of a
// 422 under their fields, then the client action it returns (the dialog closes unless it fails).
import { Alert, Button, Group, Modal, Stack } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useState, type ReactNode } from "react";
import { useNavigate } from "react-router";
import { api } from "../../core/api/http";
import { ApiError, errorMessage } from "../../core/api/errors";
import type { ActionDef, ArchNode, ViewDef } from "../../core/api/shapes";
import { queryKeys } from "../../core/query/keys";
import { bindingsOf } from "../../core/views/modifiers";
import { useAuth } from "../auth";
import { Nodes, type ArchContext } from "../FormView/Arch";
import { confirmed, performClientAction } from "../FormView/buttons";
import { useRecordForm } from "../FormView/useRecordForm";
import { writable, writeValues } from "../FormView/values";
import { useAction, useView } from "../hooks";

interface Props { action: string; context: Record<string, unknown>; onClose: () => void }

function WizardForm({ action, view, context, onClose }: { action: ActionDef; view: ViewDef; context: Record<string, unknown>; onClose: () => void }): ReactNode {
  const { profile } = useAuth();
  const navigate = useNavigate();
  const client = useQueryClient();
  const form = useRecordForm(view, null, context);
  const [running, setRunning] = useState<string | null>(null);
  const model = view.model;
  const fields = view.models[model] ?? {};
  const bindings = useMemo(() => bindingsOf(profile, { active_id: (context.active_id as number | undefined) ?? null }), [profile, context.active_id]);
  const root = view.arch[0]?.content ?? [];
  const buttons = root.filter((n) => n.type === "actionButton");
  const body = root.filter((n) => n.type !== "actionButton" && n.type !== "statusbar");
  const ids = Array.isArray(context.active_ids) ? (context.active_ids as number[]) : [];

  const run = async (method: string): Promise<void> => {
    if (!(await confirmed(view, method, ids.length || 1))) return;
    setRunning(method);
    try {
      const draft = Object.fromEntries(Object.entries(form.values).filter(([name]) => writable(fields[name])));
      const answer = await api.execute(model, method, { values: writeValues(draft, fields, view.models), context });
      onClose();
      const active = typeof context.active_model === "string" ? context.active_model : undefined;
      await performClientAction(answer.result, {
        navigate, model: active, ids,
        after: () => client.invalidateQueries({ queryKey: active ? queryKeys.model(active) : ["fullfinity", "data"] }),
      });
    } catch (error) {
      if (error instanceof ApiError) form.setErrors(error.fieldErrors());
      notifications.show({ color: "red", title: `${action.name}: not done`, message: errorMessage(error) });
    } finally {
      setRunning(null);
    }
  };

  if (form.missing) return <Alert color="red" title="Cannot open this wizard">{form.missing.message}</Alert>;
  if (!form.loaded) return null;
  const ctx: ArchContext = {
    model, view, fields, values: form.values, errors: form.errors, onChange: form.set, onButton: (m) => void run(m),
    profile, bindings, recordId: null, readonly: false,
  };
  const general = Object.entries(form.errors).filter(([path]) => !(path.split(".")[0]! in fields));
  return (
    <Stack gap="sm" data-testid="wizard">
      {general.length > 0 && <Alert color="red" role="alert">{general.map(([p, m]) => <div key={p}>{p ? `${p}: ` : ""}{m}</div>)}</Alert>}
      <Nodes nodes={body} ctx={ctx} />
      <Group justify="flex-end" gap="xs">
        <Button variant="default" onClick={onClose}>Cancel</Button>
        {buttons.map((b: ArchNode) => {
          const method = String(b.properties?.method);
          return (
            <Button key={method} color={b.properties?.color as string | undefined} loading={running === method} onClick={() => void run(method)}>
              {String(b.properties?.label ?? method)}
            </Button>
          );
        })}
      </Group>
    </Stack>
  );
}

/** The dialog of one window action opened with `target: new`. */
export function Wizard({ action, context, onClose }: Props): ReactNode {
  const def = useAction(action);
  const entry = def.data?.views.find((v) => v.type === "Form");
  const view = useView(def.data?.model, "Form", entry?.view);
  const fullContext = useMemo(() => ({ ...(def.data?.context ?? {}), ...context }), [def.data, context]);
  return (
    <Modal opened onClose={onClose} title={def.data?.name ?? ""} size="lg" centered>
      {def.error || view.error ? (
        <Alert color="red" title="Cannot open this wizard">{errorMessage(def.error ?? view.error)}</Alert>
      ) : def.data && view.data ? (
        <WizardForm action={def.data} view={view.data} context={fullContext} onClose={onClose} />
      ) : null}
    </Modal>
  );
}
