// Importing this module registers every widget of the first release (views.md 11).
import "./text";
import "./number";
import "./choice";
import "./dates";
import "./relational";
import "./table";
import "./files";
import "./taxTotals";

export { RecordDialogContext, useRecordDialog, type OpenRecordDialog, type RecordDialogRequest } from "./dialogs";
export { asLines } from "./table";
export { utcToWall, wallToUtc } from "./dates";
