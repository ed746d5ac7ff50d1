// Draws the window actions opened in a dialog (core/actions/dialogs.ts), one above the other.
import { useSyncExternalStore, type ReactNode } from "react";
import { actionDialogs } from "../../core/actions/dialogs";
import { lazyComponent } from "../lazyComponent";

const Wizard = lazyComponent(() => import("./Wizard").then((m) => m.Wizard));

export function WizardHost(): ReactNode {
  const open = useSyncExternalStore(actionDialogs.subscribe, actionDialogs.snapshot);
  if (!open.length) return null;
  return (
    <>{open.map((d) => <Wizard key={d.key} action={d.action} context={d.context} onClose={() => actionDialogs.close(d.key)} />)}</>
  );
}
