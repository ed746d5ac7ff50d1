export { ActionScreen, RecordScreen } from "./ActionScreen";
