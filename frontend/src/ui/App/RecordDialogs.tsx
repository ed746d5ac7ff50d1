// The dialogs widgets open (widgets/dialogs.tsx): "Create and edit..." shows the related model's
// Form view and resolves with the saved record; a draft line of an embedded list is edited with
// the list's columns and resolves with the values (nothing is saved until the parent is). The
// dialogs themselves (recordDialogViews.tsx) load with the first one opened.
import { useCallback, useState, type ReactNode } from "react";
import type { RecordValues } from "../../core/api/shapes";
import { RecordDialogContext, type RecordDialogRequest } from "../widgets";
import { lazyComponent } from "../lazyComponent";

const views = () => import("./recordDialogViews");
const CreateDialog = lazyComponent(() => views().then((m) => m.CreateDialog));
const DraftDialog = lazyComponent(() => views().then((m) => m.DraftDialog));

interface Open { request: RecordDialogRequest; resolve: (v: RecordValues | null) => void }

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
        ? <DraftDialog key={i} request={open.request} close={close(open)} />
        : <CreateDialog key={i} request={open.request} close={close(open)} />))}
    </RecordDialogContext.Provider>
  );
}
