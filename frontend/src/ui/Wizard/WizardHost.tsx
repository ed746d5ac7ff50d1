// Draws the window actions opened in a dialog (core/actions/dialogs.ts), one above the other.
import { lazy, Suspense, useSyncExternalStore, type ReactNode } from "react";
import { actionDialogs } from "../../core/actions/dialogs";
import { loading } from "../../core/query/loading";

const Wizard = lazy(() => loading.track(import("./Wizard").then((m) => ({ default: m.Wizard }))));

export function WizardHost(): ReactNode {
  const open = useSyncExternalStore(actionDialogs.subscribe, actionDialogs.snapshot);
  if (!open.length) return null;
  return (
    <Suspense fallback={null}>
      {open.map((d) => <Wizard key={d.key} action={d.action} context={d.context} onClose={() => actionDialogs.close(d.key)} />)}
    </Suspense>
  );
}
