// Buttons calling model methods (views.md 6): an optional confirmation (the view's `methods`,
// later.md 1), `POST /api/execute`, then the client action the method returned (api.md 4.7).
// An action whose `target` is `new` opens in a dialog (a wizard) on what the button ran on.
import { Text } from "@mantine/core";
import { modals } from "@mantine/modals";
import { notifications } from "@mantine/notifications";
import type { NavigateFunction } from "react-router";
import { actionDialogs } from "../../core/actions/dialogs";
import { api } from "../../core/api/http";
import { errorMessage } from "../../core/api/errors";
import type { ActionDef, ClientAction, ViewDef } from "../../core/api/shapes";
import { queryClient } from "../../core/query/client";
import { queryKeys } from "../../core/query/keys";

export interface ButtonCall {
  model: string;
  method: string;
  ids: number[];
  view: ViewDef | undefined;
  context?: Record<string, unknown>;
  navigate: NavigateFunction;
  /** Reload what the screen shows (after a write or a `reload` action). */
  after: () => Promise<void> | void;
}

export type Confirmation = NonNullable<ViewDef["methods"][string]["confirm"]>;

/** The confirmation dialog of a method; resolves true when the user confirms. */
export function confirmMethod(hint: Confirmation, count: number): Promise<boolean> {
  const message = (hint.message ?? "Are you sure?").replaceAll("{count}", String(count));
  const color = hint.confirm_variant === "danger" ? "red" : hint.confirm_variant === "warning" ? "orange" : "blue";
  return new Promise((resolve) => {
    modals.openConfirmModal({
      title: hint.title ?? "Confirm", children: <Text size="sm">{message}</Text>,
      labels: { confirm: hint.confirm_label ?? "Confirm", cancel: "Cancel" },
      confirmProps: { color, "data-testid": "confirm-method" }, onConfirm: () => resolve(true), onCancel: () => resolve(false), onClose: () => resolve(false),
    });
  });
}

/** Whether `method` of `view` may run: asks its confirmation first, when it declares one. */
export async function confirmed(view: ViewDef | undefined, method: string, count: number): Promise<boolean> {
  const hint = view?.methods?.[method]?.confirm;
  return hint ? confirmMethod(hint, count) : true;
}

export interface ClientActionCall {
  navigate: NavigateFunction;
  after: () => Promise<void> | void;
  /** What the button ran on: a wizard the action opens works on these. */
  model?: string | undefined;
  ids?: number[] | undefined;
}

async function openAction(action: Extract<ClientAction, { type: "action" }>, call: ClientActionCall): Promise<void> {
  const context = { ...(call.model && call.ids?.length ? { active_model: call.model, active_ids: call.ids, active_id: call.ids[0] } : {}), ...(action.context ?? {}) };
  if (action.action) {
    const identifier = action.action;
    const def = await queryClient.fetchQuery<ActionDef>({ queryKey: queryKeys.action(identifier), queryFn: () => api.action(identifier) });
    if (def.target === "new" || action.target === "new") {
      actionDialogs.open(identifier, { ...(def.context ?? {}), ...context });
      return;
    }
    const query = action.context ? `?ctx=${encodeURIComponent(JSON.stringify(action.context))}` : "";
    await call.navigate(`/action/${encodeURIComponent(identifier)}${action.res_id ? `/${action.res_id}` : ""}${query}`);
  } else if (action.model && action.res_id) {
    await call.navigate(`/model/${action.model}/${action.res_id}`);
  }
}

export async function performClientAction(result: unknown, call: ClientActionCall): Promise<void> {
  if (!result || typeof result !== "object" || !("type" in result)) { await call.after(); return; }
  const action = result as ClientAction;
  switch (action.type) {
    case "reload":
    case "close":
      await call.after();
      return;
    case "notify":
      notifications.show({ title: action.title, message: action.message ?? "", color: action.color ?? "blue" });
      await call.after();
      return;
    case "url":
      if (action.target === "blank") window.open(action.url, "_blank", "noopener");
      else window.location.assign(action.url);
      return;
    case "action":
      await openAction(action, call);
      return;
  }
}

export async function runButton(call: ButtonCall): Promise<boolean> {
  if (!(await confirmed(call.view, call.method, call.ids.length))) return false;
  try {
    const answer = await api.execute(call.model, call.method, { ids: call.ids, context: call.context ?? {} });
    if (call.model === "Module") {
      // Installing or removing modules changes menus, views and models: reload all of it.
      await queryClient.invalidateQueries({ queryKey: queryKeys.all });
    }
    await performClientAction(answer.result, { navigate: call.navigate, after: call.after, model: call.model, ids: call.ids });
    return true;
  } catch (error) {
    notifications.show({ color: "red", title: "The action failed", message: errorMessage(error) });
    return false;
  }
}
