// Dialogs the widgets open through context (so widgets need not import the Form view):
// "Create and edit..." and opening a line of an embedded list in a dialog.
import { createContext, useContext } from "react";
import type { RecordValues } from "../../core/api/shapes";

export interface RecordDialogRequest {
  model: string;
  id?: number | null;
  /** Initial values of a new record (e.g. the typed name), or the line being edited. */
  values?: RecordValues;
  /** Edit a draft line without saving it (embedded lists): resolves with the edited values. */
  draft?: boolean;
  title?: string;
  /** The embedded list's columns, used as the form when the model has no Form view. */
  columns?: unknown[];
}

export type OpenRecordDialog = (request: RecordDialogRequest) => Promise<RecordValues | null>;

export const RecordDialogContext = createContext<OpenRecordDialog>(async () => null);

export function useRecordDialog(): OpenRecordDialog {
  return useContext(RecordDialogContext);
}
