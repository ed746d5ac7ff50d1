export { KanbanView } from "./KanbanView";
