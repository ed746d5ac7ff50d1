// Buttons calling model methods (views.md 6): an optional confirmation (the view's `methods`),
// `POST /api/execute`, then the client action the method returned (api.md 4.7).
import { Text } from "@mantine/core";
import { modals } from "@mantine/modals";
import { notifications } from "@mantine/notifications";
import type { NavigateFunction } from "react-router";
import { api } from "../../core/api/http";
import { errorMessage } from "../../core/api/errors";
import type { ClientAction, ViewDef } from "../../core/api/shapes";
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

function confirm(title: string, message: string, label: string, color: string): Promise<boolean> {
  return new Promise((resolve) => {
    modals.openConfirmModal({
      title, children: <Text size="sm">{message}</Text>, labels: { confirm: label, cancel: "Cancel" },
      confirmProps: { color }, onConfirm: () => resolve(true), onCancel: () => resolve(false), onClose: () => resolve(false),
    });
  });
}

export async function performClientAction(result: unknown, call: Pick<ButtonCall, "navigate" | "after">): Promise<void> {
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
      if (action.action) call.navigate(`/action/${encodeURIComponent(action.action)}${action.res_id ? `/${action.res_id}` : ""}`);
      else if (action.model && action.res_id) call.navigate(`/model/${action.model}/${action.res_id}`);
      return;
  }
}

export async function runButton(call: ButtonCall): Promise<boolean> {
  const hint = call.view?.methods?.[call.method]?.confirm;
  if (hint) {
    const message = (hint.message ?? "Are you sure?").replace("{count}", String(call.ids.length));
    const color = hint.confirm_variant === "danger" ? "red" : hint.confirm_variant === "warning" ? "orange" : "blue";
    if (!(await confirm(hint.title ?? "Confirm", message, hint.confirm_label ?? "Confirm", color))) return false;
  }
  try {
    const answer = await api.execute(call.model, call.method, { ids: call.ids, context: call.context ?? {} });
    if (call.model === "Module") {
      // Installing or removing modules changes menus, views and models: reload all of it.
      await queryClient.invalidateQueries({ queryKey: queryKeys.all });
    }
    await performClientAction(answer.result, call);
    return true;
  } catch (error) {
    notifications.show({ color: "red", title: "The action failed", message: errorMessage(error) });
    return false;
  }
}
